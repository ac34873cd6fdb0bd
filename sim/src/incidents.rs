//! The scheduled incidents: each repeats every `incident_period_secs`, at a fixed offset from
//! `incident_anchor_unix`, so that a dashboard (and its tests) always has a story to show and
//! knows where it is.

use crate::config::SimConfig;

/// The kinds of scheduled incident, each made to trip one of the guide's alert rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IncidentKind {
    /// About 15 % of the deployment's searches fail with 5xx, all on the sick replica (minutes 0
    /// to 8): trips `HighErrorRate`.
    ErrorSpike,
    /// Searches slow down to a p95 of several seconds (minutes 20 to 36), with the embedding
    /// cache's hit ratio dropping and the CPU busier: trips `HighLatency`.
    LatencyRegression,
    /// About 18 requests per second with invalid or expired API keys (minutes 40 to 48):
    /// trips `HighAuthFailureRate`.
    AuthFailureBurst,
    /// Memory climbs from 6-8 GiB to above 90 % of 16 GiB (ramp from minute 30 to 34), stays
    /// there and drops at minute 58 as after a restart: trips `HighMemoryUsage`.
    MemoryClimb,
}

impl IncidentKind {
    /// Every kind, in declaration order.
    pub const ALL: [IncidentKind; 4] = [
        IncidentKind::ErrorSpike,
        IncidentKind::LatencyRegression,
        IncidentKind::AuthFailureBurst,
        IncidentKind::MemoryClimb,
    ];

    /// The incident's window inside each period, `[start, end)` in seconds after the period
    /// begins.
    pub fn window_offsets_secs(self) -> (u64, u64) {
        match self {
            IncidentKind::ErrorSpike => (0, 8 * 60),
            IncidentKind::LatencyRegression => (20 * 60, 36 * 60),
            IncidentKind::AuthFailureBurst => (40 * 60, 48 * 60),
            IncidentKind::MemoryClimb => (30 * 60, 58 * 60),
        }
    }

    /// How long the incident takes to reach full strength after it begins (it ends at once).
    pub fn ramp_secs(self) -> u64 {
        match self {
            IncidentKind::ErrorSpike => 30,
            IncidentKind::LatencyRegression => 60,
            IncidentKind::AuthFailureBurst => 20,
            IncidentKind::MemoryClimb => 4 * 60,
        }
    }

    /// The alert of the guide's rules (deploy/prometheus/alerts.yml) that the incident trips.
    pub fn alert_name(self) -> &'static str {
        match self {
            IncidentKind::ErrorSpike => "HighErrorRate",
            IncidentKind::LatencyRegression => "HighLatency",
            IncidentKind::AuthFailureBurst => "HighAuthFailureRate",
            IncidentKind::MemoryClimb => "HighMemoryUsage",
        }
    }

    /// The replica (index, of `replica_count`) the incident strikes; the others stay healthy,
    /// so a per-replica view tells which one is sick. One replica: always that one.
    pub fn sick_replica(self, replica_count: u32) -> u32 {
        let count = replica_count.max(1);
        match self {
            IncidentKind::ErrorSpike => 1 % count,
            IncidentKind::LatencyRegression => 0,
            IncidentKind::AuthFailureBurst | IncidentKind::MemoryClimb => count - 1,
        }
    }

    /// Whether the incident strikes the replica of `config`.
    pub fn strikes(self, config: &SimConfig) -> bool {
        self.sick_replica(config.replica_count) == config.replica_index
    }

    /// A stable machine-readable name (`error_spike`, ...).
    pub fn name(self) -> &'static str {
        match self {
            IncidentKind::ErrorSpike => "error_spike",
            IncidentKind::LatencyRegression => "latency_regression",
            IncidentKind::AuthFailureBurst => "auth_failure_burst",
            IncidentKind::MemoryClimb => "memory_climb",
        }
    }
}

/// One occurrence of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActiveIncident {
    /// When this occurrence begins (unix seconds).
    pub started_unix: u64,
    /// When it is over (unix seconds, exclusive).
    pub ends_unix: u64,
    /// What it is.
    pub kind: IncidentKind,
}

impl ActiveIncident {
    /// The incident's strength at `t_unix`: 0 outside it, rising linearly to 1 over the ramp.
    pub fn intensity_at(&self, t_unix: u64) -> f64 {
        if t_unix < self.started_unix || t_unix >= self.ends_unix {
            return 0.0;
        }
        let ramp_secs = self.kind.ramp_secs();
        if ramp_secs == 0 {
            return 1.0;
        }
        ((t_unix - self.started_unix) as f64 / ramp_secs as f64).min(1.0)
    }

    /// Whether `t_unix` falls inside the occurrence.
    pub fn contains(&self, t_unix: u64) -> bool {
        (self.started_unix..self.ends_unix).contains(&t_unix)
    }
}

/// The start (unix seconds) of the incident period that contains `t_unix`.
pub fn period_start_unix(config: &SimConfig, t_unix: u64) -> u64 {
    let period = config.incident_period_secs.max(1) as i128;
    let since_anchor = t_unix as i128 - config.incident_anchor_unix as i128;
    let start = config.incident_anchor_unix as i128 + since_anchor.div_euclid(period) * period;
    start.max(0) as u64
}

/// The occurrence of `kind` in the period that begins at `period_start_unix`.
fn occurrence(kind: IncidentKind, period_start_unix: u64) -> ActiveIncident {
    let (from, to) = kind.window_offsets_secs();
    ActiveIncident { started_unix: period_start_unix + from, ends_unix: period_start_unix + to, kind }
}

/// The incidents under way at `t_unix`.
pub fn incidents_at(config: &SimConfig, t_unix: u64) -> Vec<ActiveIncident> {
    let period_start = period_start_unix(config, t_unix);
    IncidentKind::ALL.iter().map(|&kind| occurrence(kind, period_start)).filter(|i| i.contains(t_unix)).collect()
}

/// Every occurrence that overlaps `[from_unix, to_unix)`, sorted by start.
pub fn incidents_between(config: &SimConfig, from_unix: u64, to_unix: u64) -> Vec<ActiveIncident> {
    let period = config.incident_period_secs.max(1);
    let mut out = Vec::new();
    let mut period_start = period_start_unix(config, from_unix).saturating_sub(period);
    while period_start < to_unix {
        for kind in IncidentKind::ALL {
            let o = occurrence(kind, period_start);
            if o.started_unix < to_unix && o.ends_unix > from_unix {
                out.push(o);
            }
        }
        period_start += period;
    }
    out.sort();
    out
}

/// The strength of `kind` at `t_unix` on the replica of `config` (0 when it is not under way,
/// or strikes another replica).
pub fn intensity(config: &SimConfig, kind: IncidentKind, t_unix: u64) -> f64 {
    if !kind.strikes(config) {
        return 0.0;
    }
    occurrence(kind, period_start_unix(config, t_unix)).intensity_at(t_unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SimConfig {
        SimConfig { incident_anchor_unix: 10_000, ..SimConfig::new(0, 1) }
    }

    #[test]
    fn incidents_at_offsets() {
        let c = config();
        let check = |t: u64, expected: &[IncidentKind]| {
            let got: Vec<IncidentKind> = incidents_at(&c, t).iter().map(|i| i.kind).collect();
            assert_eq!(got, expected, "t = {t}");
        };
        use IncidentKind::*;
        // Periods repeat both ways from the anchor.
        for base in [10_000u64, 10_000 + 3_600 * 5, 10_000 - 3_600] {
            check(base, &[ErrorSpike]);
            check(base + 479, &[ErrorSpike]);
            check(base + 480, &[]);
            check(base + 20 * 60, &[LatencyRegression]);
            check(base + 31 * 60, &[LatencyRegression, MemoryClimb]);
            check(base + 36 * 60, &[MemoryClimb]);
            check(base + 45 * 60, &[AuthFailureBurst, MemoryClimb]);
            check(base + 58 * 60, &[]);
            check(base + 3_599, &[]);
        }
    }

    #[test]
    fn intensity_ramps() {
        let c = config();
        assert_eq!(intensity(&c, IncidentKind::ErrorSpike, 10_000), 0.0);
        assert_eq!(intensity(&c, IncidentKind::ErrorSpike, 10_015), 0.5);
        assert_eq!(intensity(&c, IncidentKind::ErrorSpike, 10_300), 1.0);
        assert_eq!(intensity(&c, IncidentKind::ErrorSpike, 10_480), 0.0);
        assert_eq!(intensity(&c, IncidentKind::MemoryClimb, 10_000 + 32 * 60), 0.5);
    }

    #[test]
    fn each_incident_strikes_one_replica() {
        use IncidentKind::*;
        let sick = |count: u32| IncidentKind::ALL.map(|kind| kind.sick_replica(count));
        assert_eq!(sick(1), [0, 0, 0, 0]);
        assert_eq!(sick(2), [1, 0, 1, 1]);
        assert_eq!(sick(3), [1, 0, 2, 2]);
        let c = config();
        let t = 10_000 + 100;
        for index in 0..3 {
            let expected = if index == 1 { 1.0 } else { 0.0 };
            assert_eq!(intensity(&c.replica(index, 3), ErrorSpike, t), expected, "replica {index}");
        }
    }

    #[test]
    fn incidents_between_lists_overlaps() {
        let c = config();
        let all = incidents_between(&c, 10_000 + 7 * 60, 10_000 + 3_600 + 60);
        let kinds: Vec<(u64, IncidentKind)> = all.iter().map(|i| (i.started_unix - 10_000, i.kind)).collect();
        use IncidentKind::*;
        assert_eq!(
            kinds,
            vec![
                (0, ErrorSpike),
                (1_200, LatencyRegression),
                (1_800, MemoryClimb),
                (2_400, AuthFailureBurst),
                (3_600, ErrorSpike)
            ]
        );
    }
}
