//! The simulated process at a moment: its counters (running sums of the ticks' traffic) and
//! its gauges (functions of the moment and the counters).
//!
//! [`Simulator`] keeps the running sums and only adds the ticks that passed since the last
//! call, so a scrape after weeks of uptime costs one tick's work, not weeks'. Sums are always
//! formed tick by tick in the same order, so the value at a moment is bit-for-bit the same
//! whether it was reached by a live server over many scrapes or by a backfill in one go.

use crate::config::{ConfigError, SimConfig, TICK_SECS};
use crate::incidents::{incidents_at, intensity, IncidentKind};
use crate::rng::{value_noise, Rng, Stream};
use crate::traffic::{
    library_active, request_rate_per_sec, tick_traffic, TickTraffic, HTTP_DURATION_BOUNDS_SECS, LIBRARIES,
    SEARCH_DURATION_BOUNDS_SECS,
};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Cores of the simulated host (for process CPU seconds).
const HOST_CORES: f64 = 4.0;
/// Size of the simulated data disk in bytes.
const DISK_SIZE_BYTES: f64 = 500e9;
/// Disk use at the process start, in percent.
const DISK_START_PERCENT: f64 = 41.2;
/// Disk bytes written per created document (vectors, payload, write-ahead log).
const DISK_BYTES_PER_DOCUMENT: f64 = 6_144.0;
/// Disk bytes written per second regardless of traffic (logs, snapshots).
const DISK_BYTES_PER_SEC: f64 = 2_000.0;
/// Memory use peaks here during the memory climb (just above 90 % of 16 GiB, plus a creep).
const MEMORY_CLIMB_PEAK_BYTES: f64 = 15.1 * GIB;
/// An index's size before any document.
const INDEX_BASE_BYTES: u64 = 1_048_576;

/// Running sums of a histogram: cumulative bucket counts (finite bounds only; `+Inf` is the
/// count), the count and the sum.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramTotals<const N: usize> {
    /// `cumulative[i]` observations were `<= bounds[i]`.
    pub cumulative: [u64; N],
    /// Observations in all.
    pub count: u64,
    /// Sum of the observations, in seconds.
    pub sum_secs: f64,
}

impl<const N: usize> HistogramTotals<N> {
    const ZERO: HistogramTotals<N> = HistogramTotals { cumulative: [0; N], count: 0, sum_secs: 0.0 };
}

/// Running sums of one (handler, status class) HTTP series.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpTotals {
    /// Request durations; its count is also the requests counter.
    pub duration: HistogramTotals<11>,
    /// Sum of request bodies in bytes.
    pub request_bytes_sum: f64,
    /// Sum of response bodies in bytes.
    pub response_bytes_sum: f64,
}

/// Every counter of the process after some ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    /// How many ticks are summed.
    pub ticks_completed: u64,
    /// Per handler and status class (as [`TickTraffic::http`]).
    pub http: [[HttpTotals; 3]; 6],
    /// `arrwdb_search_duration_seconds` per library.
    pub searches: [HistogramTotals<10>; 8],
    /// Document operations per library, operation and status (as [`TickTraffic::documents`]).
    pub documents: [[[u64; 2]; 2]; 8],
    /// Embedding-cache hits and misses.
    pub cache: [u64; 2],
    /// API-key validations: valid, invalid, expired.
    pub api_keys: [u64; 3],
    /// `process_cpu_seconds_total` before rounding.
    pub process_cpu_secs: f64,
}

impl Totals {
    /// The counters at the process start.
    pub fn zero() -> Totals {
        const HTTP_ZERO: HttpTotals =
            HttpTotals { duration: HistogramTotals::ZERO, request_bytes_sum: 0.0, response_bytes_sum: 0.0 };
        Totals {
            ticks_completed: 0,
            http: std::array::from_fn(|_| std::array::from_fn(|_| HTTP_ZERO)),
            searches: std::array::from_fn(|_| HistogramTotals::ZERO),
            documents: [[[0; 2]; 2]; 8],
            cache: [0; 2],
            api_keys: [0; 3],
            process_cpu_secs: 0.0,
        }
    }

    /// Adds the next tick.
    fn add_tick(&mut self, config: &SimConfig, traffic: &TickTraffic) {
        debug_assert_eq!(traffic.tick, self.ticks_completed);
        for (totals, ticks) in self.http.iter_mut().zip(&traffic.http) {
            for (total, tick) in totals.iter_mut().zip(ticks) {
                total.duration.sum_secs += tick.observe(&HTTP_DURATION_BOUNDS_SECS, &mut total.duration.cumulative);
                total.duration.count += tick.count();
                total.request_bytes_sum += tick.groups.iter().map(|g| g.request_bytes).sum::<u64>() as f64;
                total.response_bytes_sum += tick.groups.iter().map(|g| g.response_bytes).sum::<u64>() as f64;
            }
        }
        for (total, search) in self.searches.iter_mut().zip(&traffic.searches) {
            total.sum_secs += search.latency.observe(
                search.count,
                search.rounding_offset,
                &SEARCH_DURATION_BOUNDS_SECS,
                &mut total.cumulative,
            );
            total.count += search.count;
        }
        for (total, tick) in
            self.documents.iter_mut().flatten().flatten().zip(traffic.documents.iter().flatten().flatten())
        {
            *total += tick;
        }
        for (total, tick) in self.cache.iter_mut().zip(traffic.cache) {
            *total += tick;
        }
        for (total, tick) in self.api_keys.iter_mut().zip(traffic.api_keys) {
            *total += tick;
        }
        let cpu_percent = cpu_percent_at(config, traffic.start_unix + TICK_SECS / 2);
        self.process_cpu_secs += cpu_percent / 100.0 * HOST_CORES * 0.8 * TICK_SECS as f64;
        self.ticks_completed += 1;
    }

    /// All HTTP requests so far.
    pub fn requests(&self) -> u64 {
        self.http.iter().flatten().map(|s| s.duration.count).sum()
    }

    /// Documents library `index` holds now (initial + created - deleted).
    pub fn documents_held(&self, index: usize) -> u64 {
        let [create, delete] = self.documents[index];
        (LIBRARIES[index].initial_documents + create[0]).saturating_sub(delete[0])
    }
}

/// Every gauge of the process at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Gauges {
    /// `arrwdb_cpu_usage_percent` (one decimal, as psutil).
    pub cpu_percent: f64,
    /// `arrwdb_memory_usage_bytes`.
    pub memory_bytes: f64,
    /// `arrwdb_disk_usage_percent` (one decimal).
    pub disk_percent: f64,
    /// `arrwdb_active_libraries_total`.
    pub active_libraries: u32,
    /// `arrwdb_vector_index_size_bytes` per library.
    pub index_size_bytes: [f64; 8],
    /// `arrwdb_requests_inprogress` per handler.
    pub requests_in_progress: [u64; 6],
    /// `process_resident_memory_bytes`.
    pub process_resident_memory_bytes: f64,
    /// `process_virtual_memory_bytes`.
    pub process_virtual_memory_bytes: f64,
    /// `process_open_fds`.
    pub process_open_fds: u64,
}

/// `arrwdb_cpu_usage_percent` at `t_unix`: follows the traffic, busier during incidents.
pub fn cpu_percent_at(config: &SimConfig, t_unix: u64) -> f64 {
    let rate = request_rate_per_sec(config, t_unix);
    let wander = 3.0 * value_noise(config.draw_seed(), Stream::Cpu, 0, t_unix as f64 / 120.0);
    let incidents = 30.0 * intensity(config, IncidentKind::LatencyRegression, t_unix)
        + 8.0 * intensity(config, IncidentKind::AuthFailureBurst, t_unix)
        + 5.0 * intensity(config, IncidentKind::MemoryClimb, t_unix);
    round_to(6.0 + 0.85 * rate + wander + incidents, 0.1).clamp(0.5, 99.5)
}

/// `arrwdb_memory_usage_bytes` at `t_unix`: 6-8 GiB following the traffic with a garbage
/// collector's sawtooth; during the memory climb it ramps to above 90 % of 16 GiB, creeps up,
/// and drops back when the incident ends.
pub fn memory_bytes_at(config: &SimConfig, t_unix: u64) -> f64 {
    let rate = request_rate_per_sec(config, t_unix);
    let sawtooth = ((t_unix.saturating_sub(config.start_unix)) % 900) as f64 / 900.0;
    let baseline = 6.6 * GIB
        + 0.9 * GIB * ((rate - 24.0) / 28.0)
        + 0.25 * GIB * sawtooth
        + 0.05 * GIB * value_noise(config.draw_seed(), Stream::Memory, 0, t_unix as f64 / 60.0);
    let bytes = match incidents_at(config, t_unix)
        .into_iter()
        .find(|i| i.kind == IncidentKind::MemoryClimb && i.kind.strikes(config))
    {
        Some(climb) => {
            let ramp_end = climb.started_unix + climb.kind.ramp_secs();
            let creep = t_unix.saturating_sub(ramp_end) as f64 / (climb.ends_unix - ramp_end) as f64;
            let peak = MEMORY_CLIMB_PEAK_BYTES + 0.4 * GIB * creep;
            baseline + (peak - baseline) * climb.intensity_at(t_unix)
        }
        None => baseline,
    };
    round_to(bytes, 4_096.0)
}

fn round_to(value: f64, quantum: f64) -> f64 {
    let rounded = (value / quantum).round() * quantum;
    // Keep the shortest decimal form (37.300000000000004 -> 37.3) for one-decimal quanta.
    if quantum < 1.0 {
        (rounded * 10.0).round() / 10.0
    } else {
        rounded
    }
}

/// The gauges at `t_unix`, given the counters at that moment.
pub fn gauges_at(config: &SimConfig, totals: &Totals, t_unix: u64) -> Gauges {
    let memory_bytes = memory_bytes_at(config, t_unix);
    let active: [bool; 8] = std::array::from_fn(|i| library_active(config, i, t_unix));
    let index_size_bytes: [f64; 8] =
        std::array::from_fn(|i| (INDEX_BASE_BYTES + totals.documents_held(i) * LIBRARIES[i].bytes_per_document) as f64);

    // Little's law on the tick under way: requests in flight = rate x mean latency.
    let tick = config.tick_at(t_unix);
    let traffic = tick_traffic(config, tick);
    let requests_in_progress: [u64; 6] = std::array::from_fn(|h| {
        let in_flight: f64 = traffic.http[h]
            .iter()
            .flat_map(|s| s.groups.iter())
            .map(|g| g.count as f64 / TICK_SECS as f64 * g.latency.mean_secs())
            .sum();
        Rng::new(config.draw_seed(), Stream::InProgress, &[tick, h as u64, t_unix]).poisson(in_flight)
    });

    let created: u64 = totals.documents.iter().map(|l| l[0][0]).sum();
    let uptime_secs = t_unix.saturating_sub(config.start_unix) as f64;
    let disk_bytes = created as f64 * DISK_BYTES_PER_DOCUMENT + uptime_secs * DISK_BYTES_PER_SEC;
    let disk_percent = round_to(DISK_START_PERCENT + 100.0 * disk_bytes / DISK_SIZE_BYTES, 0.1);

    let resident = round_to(memory_bytes * 0.55, 4_096.0);
    let active_libraries = active.iter().filter(|a| **a).count() as u32;
    Gauges {
        cpu_percent: cpu_percent_at(config, t_unix),
        memory_bytes,
        disk_percent,
        active_libraries,
        index_size_bytes,
        requests_in_progress,
        process_resident_memory_bytes: resident,
        process_virtual_memory_bytes: resident + 2.3 * GIB,
        process_open_fds: 22 + requests_in_progress.iter().sum::<u64>() + 2 * active_libraries as u64,
    }
}

/// The process at a moment: counters and gauges.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The moment (unix seconds).
    pub t_unix: u64,
    /// The counters.
    pub totals: Totals,
    /// The gauges.
    pub gauges: Gauges,
}

/// The simulated process, with its counters cached between calls.
#[derive(Debug, Clone)]
pub struct Simulator {
    config: SimConfig,
    totals: Totals,
}

impl Simulator {
    /// A simulator at the process start; fails if the configuration is invalid.
    pub fn new(config: SimConfig) -> Result<Simulator, ConfigError> {
        config.validate()?;
        Ok(Simulator { config, totals: Totals::zero() })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The counters at `t_unix`. Advancing is incremental; going back in time (a clock step)
    /// starts the sums over.
    pub fn totals_at(&mut self, t_unix: u64) -> &Totals {
        let target = self.config.ticks_completed_at(t_unix);
        if target < self.totals.ticks_completed {
            self.totals = Totals::zero();
        }
        while self.totals.ticks_completed < target {
            let traffic = tick_traffic(&self.config, self.totals.ticks_completed);
            self.totals.add_tick(&self.config, &traffic);
        }
        &self.totals
    }

    /// Counters and gauges at `t_unix`.
    pub fn snapshot_at(&mut self, t_unix: u64) -> Snapshot {
        let totals = self.totals_at(t_unix).clone();
        let gauges = gauges_at(&self.config, &totals, t_unix);
        Snapshot { t_unix, totals, gauges }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_equals_from_scratch() {
        let config = SimConfig::new(1_800_000_000, 5);
        let mut live = Simulator::new(config).unwrap();
        for t in (1_800_000_000..1_800_003_000).step_by(37) {
            live.totals_at(t);
        }
        let mut fresh = Simulator::new(config).unwrap();
        assert_eq!(live.totals_at(1_800_003_000), fresh.totals_at(1_800_003_000));
        // Going back starts over and still gives the right answer.
        let earlier = Simulator::new(config).unwrap().totals_at(1_800_001_000).clone();
        assert_eq!(live.totals_at(1_800_001_000), &earlier);
    }

    #[test]
    fn rounding_keeps_short_decimals() {
        for (value, quantum, expected) in [(37.2999, 0.1, 37.3), (41.26, 0.1, 41.3), (12_388.0, 4_096.0, 12_288.0)] {
            assert_eq!(round_to(value, quantum), expected);
        }
    }
}
