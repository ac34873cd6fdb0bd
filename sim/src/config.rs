//! The simulation's configuration: everything the model depends on besides the time.

use std::fmt;

/// The model's time step: counters advance once per tick, by the tick's traffic.
pub const TICK_SECS: u64 = 10;

/// The shortest allowed incident period: the scheduled incidents span the first 58 minutes
/// of each period and must not overlap their next occurrence.
pub const MIN_INCIDENT_PERIOD_SECS: u64 = 3_600;

/// The most replicas one deployment has.
pub const MAX_REPLICAS: u32 = 16;

/// What the simulation depends on. Every metric is a pure function of this and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// When the simulated arrwDB process started (unix seconds): counters are 0 there,
    /// `process_start_time_seconds` and every `_created` series equal it.
    pub start_unix: u64,
    /// Seed of the traffic noise.
    pub seed: u64,
    /// A moment at which a period of scheduled incidents begins (unix seconds); periods repeat
    /// forwards and backwards from it.
    pub incident_anchor_unix: u64,
    /// Length of the incident period in seconds (at least [`MIN_INCIDENT_PERIOD_SECS`]).
    pub incident_period_secs: u64,
    /// Which replica of the deployment this process is, from 0 (see [`SimConfig::replica`]).
    pub replica_index: u32,
    /// How many replicas share the traffic (1 to [`MAX_REPLICAS`]).
    pub replica_count: u32,
    /// Libraries of constant index size that the first replica exports besides the model's
    /// (`arrwdb_vector_index_size_bytes{library_id="bulk00000"}`…): one metric with very many
    /// series, for the benchmark. 0 in every real-looking stack.
    pub bulk_libraries: u32,
}

impl SimConfig {
    /// A configuration with the default incident period (one hour), anchored at the start.
    pub fn new(start_unix: u64, seed: u64) -> SimConfig {
        SimConfig {
            start_unix,
            seed,
            incident_anchor_unix: start_unix,
            incident_period_secs: MIN_INCIDENT_PERIOD_SECS,
            replica_index: 0,
            replica_count: 1,
            bulk_libraries: 0,
        }
    }

    /// The same deployment seen from replica `index` of `count`.
    pub fn replica(self, index: u32, count: u32) -> SimConfig {
        SimConfig { replica_index: index, replica_count: count, ..self }
    }

    /// The seed of this replica's own draws (request counts, rounding, sizes, traces): the
    /// deployment's seed for replica 0, so that a single replica draws as before replicas
    /// existed, a hash of it and the index for the others. What the replicas share (the load
    /// curve, the libraries' activity) draws from [`SimConfig::seed`].
    pub fn draw_seed(&self) -> u64 {
        replica_draw_seed(self.seed, self.replica_index)
    }

    /// Checks the preconditions the model relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.incident_period_secs < MIN_INCIDENT_PERIOD_SECS {
            return Err(ConfigError::IncidentPeriodTooShort { period_secs: self.incident_period_secs });
        }
        if !(1..=MAX_REPLICAS).contains(&self.replica_count) || self.replica_index >= self.replica_count {
            return Err(ConfigError::BadReplica { index: self.replica_index, count: self.replica_count });
        }
        Ok(())
    }

    /// How many ticks have completed at `t_unix` (0 before the start): the counters at `t_unix`
    /// are the sum of these ticks' traffic.
    pub fn ticks_completed_at(&self, t_unix: u64) -> u64 {
        t_unix.saturating_sub(self.start_unix) / TICK_SECS
    }

    /// The tick that is under way at `t_unix` (its traffic is not counted yet).
    pub fn tick_at(&self, t_unix: u64) -> u64 {
        self.ticks_completed_at(t_unix)
    }

    /// When tick `tick` begins (unix seconds).
    pub fn tick_start_unix(&self, tick: u64) -> u64 {
        self.start_unix + tick * TICK_SECS
    }
}

/// Why a configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The incident period is shorter than the incident schedule.
    IncidentPeriodTooShort {
        /// The rejected period.
        period_secs: u64,
    },
    /// The replica count is not 1 to [`MAX_REPLICAS`], or the index is not below it.
    BadReplica {
        /// The rejected index.
        index: u32,
        /// The rejected count.
        count: u32,
    },
    /// Two replicas have the same address.
    DuplicateInstance {
        /// The address given twice.
        instance: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::IncidentPeriodTooShort { period_secs } => write!(
                f,
                "incident period of {period_secs} s is too short: the incidents span 58 minutes, so it must be at least {MIN_INCIDENT_PERIOD_SECS} s"
            ),
            ConfigError::BadReplica { index, count } => write!(
                f,
                "replica {index} of {count}: the count must be 1 to {MAX_REPLICAS} and the index below it"
            ),
            ConfigError::DuplicateInstance { instance } => write!(f, "replica address {instance} is given twice"),
        }
    }
}

/// See [`SimConfig::draw_seed`].
fn replica_draw_seed(seed: u64, replica_index: u32) -> u64 {
    match replica_index {
        0 => seed,
        i => crate::rng::hash(seed, crate::rng::Stream::Replica, &[u64::from(i)]),
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        let c = SimConfig::new(1_000, 1);
        for (t, completed) in [(0, 0), (999, 0), (1_000, 0), (1_009, 0), (1_010, 1), (1_095, 9)] {
            assert_eq!(c.ticks_completed_at(t), completed, "t = {t}");
        }
        assert_eq!(c.tick_start_unix(3), 1_030);
    }

    #[test]
    fn validation() {
        let mut c = SimConfig::new(0, 0);
        assert!(c.validate().is_ok());
        c.incident_period_secs = 600;
        assert_eq!(c.validate(), Err(ConfigError::IncidentPeriodTooShort { period_secs: 600 }));
        c = SimConfig::new(0, 0);
        for (index, count, valid) in [(0, 1, true), (15, 16, true), (3, 3, false), (0, 0, false), (0, 17, false)] {
            assert_eq!(c.replica(index, count).validate().is_ok(), valid, "{index} of {count}");
        }
        assert_eq!(c.replica(0, 3).draw_seed(), c.seed);
        assert_ne!(c.replica(1, 3).draw_seed(), c.replica(2, 3).draw_seed());
    }
}
