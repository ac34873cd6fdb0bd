//! The simulation's configuration: everything the model depends on besides the time.

use std::fmt;

/// The model's time step: counters advance once per tick, by the tick's traffic.
pub const TICK_SECS: u64 = 10;

/// The shortest allowed incident period: the scheduled incidents span the first 58 minutes
/// of each period and must not overlap their next occurrence.
pub const MIN_INCIDENT_PERIOD_SECS: u64 = 3_600;

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
}

impl SimConfig {
    /// A configuration with the default incident period (one hour), anchored at the start.
    pub fn new(start_unix: u64, seed: u64) -> SimConfig {
        SimConfig { start_unix, seed, incident_anchor_unix: start_unix, incident_period_secs: MIN_INCIDENT_PERIOD_SECS }
    }

    /// Checks the preconditions the model relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.incident_period_secs < MIN_INCIDENT_PERIOD_SECS {
            return Err(ConfigError::IncidentPeriodTooShort { period_secs: self.incident_period_secs });
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
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::IncidentPeriodTooShort { period_secs } => write!(
                f,
                "incident period of {period_secs} s is too short: the incidents span 58 minutes, so it must be at least {MIN_INCIDENT_PERIOD_SECS} s"
            ),
        }
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
    }
}
