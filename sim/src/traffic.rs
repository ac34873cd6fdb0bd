//! The traffic model: for each 10-second tick, how many requests every (handler, status class)
//! series served and with which latency distribution, and what follows from them: searches per
//! library, document operations, embedding-cache lookups and API-key validations.
//!
//! [`tick_traffic`] is a pure function of the configuration and the tick index; the counters
//! are its running sums (see `state`), and per-request events (traces) can be drawn from the
//! same [`RequestGroup`]s later.

use crate::config::{SimConfig, TICK_SECS};
use crate::dist::{split_count, LogNormal};
use crate::incidents::{intensity, IncidentKind};
use crate::rng::{hash, unit, value_noise, Rng, Stream};

/// The `le` bounds of `arrwdb_http_http_request_duration_seconds` (the guide's, as configured
/// in the instrumentator), without `+Inf`.
pub const HTTP_DURATION_BOUNDS_SECS: [f64; 11] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0];

/// The `le` bounds of `arrwdb_search_duration_seconds`, without `+Inf`.
pub const SEARCH_DURATION_BOUNDS_SECS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The mean rate of legitimate requests over a day, in requests per second.
pub const MEAN_REQUEST_RATE_PER_SEC: f64 = 38.0;
/// Half the swing of the daily curve, in requests per second.
const DAILY_AMPLITUDE_PER_SEC: f64 = 14.0;
/// The busiest hour of the day (UTC).
const PEAK_HOUR_UTC: f64 = 15.0;
/// The share of every handler's requests that fail with 5xx outside incidents.
pub const BASELINE_SERVER_ERROR_SHARE: f64 = 0.000_3;
/// The share of the deployment's searches that fail with 5xx at the height of the error spike.
/// The spike strikes one replica: its own share is this times the replica count (at most
/// [`MAX_SEARCH_SERVER_ERROR_SHARE`]), so that the deployment-wide rate, which the guide's
/// rule reads, trips it with any number of replicas.
pub const SPIKE_SEARCH_SERVER_ERROR_SHARE: f64 = 0.15;
/// The most of a replica's searches that ever fail.
pub const MAX_SEARCH_SERVER_ERROR_SHARE: f64 = 0.9;
/// Requests per second with an invalid API key outside incidents.
const BASELINE_INVALID_KEYS_PER_SEC: f64 = 0.03;
/// Requests per second with an expired API key outside incidents.
const BASELINE_EXPIRED_KEYS_PER_SEC: f64 = 0.01;
/// Extra requests per second with an invalid API key at the height of the burst.
const BURST_INVALID_KEYS_PER_SEC: f64 = 17.0;
/// Extra requests per second with an expired API key at the height of the burst.
const BURST_EXPIRED_KEYS_PER_SEC: f64 = 1.5;

/// One route of the API, as FastAPI reports it (the route template) with its traffic profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Handler {
    /// The `handler` label: the route template.
    pub route: &'static str,
    /// The `method` label.
    pub method: &'static str,
    /// This handler's share of legitimate requests.
    pub share: f64,
    /// The share of its legitimate requests answered with 4xx (not found, validation).
    pub client_error_share: f64,
    /// Median latency of a successful request in seconds, at mean load.
    pub latency_median_secs: f64,
    /// Standard deviation of the latency's logarithm.
    pub latency_sigma: f64,
    /// Mean request body in bytes.
    pub request_bytes: f64,
    /// Mean response body of a successful request in bytes.
    pub response_bytes: f64,
}

/// The API's routes. The search handler comes first and dominates.
pub const HANDLERS: [Handler; 6] = [
    Handler {
        route: "/v1/libraries/{library_id}/search",
        method: "POST",
        share: 0.70,
        client_error_share: 0.004,
        latency_median_secs: 0.045,
        latency_sigma: 0.55,
        request_bytes: 420.0,
        response_bytes: 2_600.0,
    },
    Handler {
        route: "/v1/libraries/{library_id}/documents",
        method: "POST",
        share: 0.12,
        client_error_share: 0.012,
        latency_median_secs: 0.085,
        latency_sigma: 0.5,
        request_bytes: 5_200.0,
        response_bytes: 160.0,
    },
    Handler {
        route: "/v1/documents/{doc_id}",
        method: "GET",
        share: 0.10,
        client_error_share: 0.07,
        latency_median_secs: 0.009,
        latency_sigma: 0.45,
        request_bytes: 0.0,
        response_bytes: 3_100.0,
    },
    Handler {
        route: "/v1/libraries",
        method: "GET",
        share: 0.06,
        client_error_share: 0.002,
        latency_median_secs: 0.007,
        latency_sigma: 0.4,
        request_bytes: 0.0,
        response_bytes: 640.0,
    },
    Handler {
        route: "/v1/libraries",
        method: "POST",
        share: 0.01,
        client_error_share: 0.03,
        latency_median_secs: 0.04,
        latency_sigma: 0.5,
        request_bytes: 180.0,
        response_bytes: 210.0,
    },
    Handler {
        route: "/v1/documents/{doc_id}",
        method: "DELETE",
        share: 0.01,
        client_error_share: 0.05,
        latency_median_secs: 0.018,
        latency_sigma: 0.5,
        request_bytes: 0.0,
        response_bytes: 40.0,
    },
];

/// Index of the search handler in [`HANDLERS`].
pub const SEARCH: usize = 0;
/// Index of the document-create handler in [`HANDLERS`].
pub const DOCUMENT_CREATE: usize = 1;
/// Index of the document-delete handler in [`HANDLERS`].
pub const DOCUMENT_DELETE: usize = 5;

/// Response body of a 4xx answer in bytes (`{"detail":"Document not found"}` and the like).
const CLIENT_ERROR_RESPONSE_BYTES: f64 = 44.0;
/// Response body of a rejected API key in bytes.
const AUTH_ERROR_RESPONSE_BYTES: f64 = 32.0;
/// Response body of a 5xx answer in bytes.
const SERVER_ERROR_RESPONSE_BYTES: f64 = 34.0;

/// The `status` label, grouped as the instrumentator does (`should_group_status_codes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusClass {
    /// `2xx`
    Success,
    /// `4xx`
    ClientError,
    /// `5xx`
    ServerError,
}

impl StatusClass {
    /// Every class, in the order of the model's arrays.
    pub const ALL: [StatusClass; 3] = [StatusClass::Success, StatusClass::ClientError, StatusClass::ServerError];

    /// The label value (`2xx`, `4xx`, `5xx`).
    pub fn label(self) -> &'static str {
        match self {
            StatusClass::Success => "2xx",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
        }
    }
}

/// A library (collection) of documents with its vector index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Library {
    /// The `library_id` label.
    pub id: &'static str,
    /// The `index_type` label.
    pub index_type: &'static str,
    /// Relative share of searches and writes while active.
    pub weight: f64,
    /// Documents it held when the process started.
    pub initial_documents: u64,
    /// Index bytes per document (vector plus index structure).
    pub bytes_per_document: u64,
    /// How much slower than the HNSW baseline its searches are.
    pub search_slowdown: f64,
    /// Whether it is always active (the others come and go over the day).
    pub always_active: bool,
}

/// The libraries: three are always active, five come and go, so 3 to 8 are active at a time.
pub const LIBRARIES: [Library; 8] = [
    Library {
        id: "lib0",
        index_type: "hnsw",
        weight: 0.30,
        initial_documents: 182_000,
        bytes_per_document: 1_792,
        search_slowdown: 1.0,
        always_active: true,
    },
    Library {
        id: "lib1",
        index_type: "hnsw",
        weight: 0.22,
        initial_documents: 95_000,
        bytes_per_document: 1_792,
        search_slowdown: 1.0,
        always_active: true,
    },
    Library {
        id: "lib2",
        index_type: "ivf",
        weight: 0.15,
        initial_documents: 41_000,
        bytes_per_document: 1_600,
        search_slowdown: 1.3,
        always_active: true,
    },
    Library {
        id: "lib3",
        index_type: "hnsw",
        weight: 0.10,
        initial_documents: 26_000,
        bytes_per_document: 1_792,
        search_slowdown: 1.0,
        always_active: false,
    },
    Library {
        id: "lib4",
        index_type: "brute_force",
        weight: 0.08,
        initial_documents: 6_000,
        bytes_per_document: 1_536,
        search_slowdown: 2.2,
        always_active: false,
    },
    Library {
        id: "lib5",
        index_type: "hnsw",
        weight: 0.06,
        initial_documents: 12_500,
        bytes_per_document: 1_792,
        search_slowdown: 1.0,
        always_active: false,
    },
    Library {
        id: "lib6",
        index_type: "lsh",
        weight: 0.05,
        initial_documents: 30_000,
        bytes_per_document: 1_700,
        search_slowdown: 0.9,
        always_active: false,
    },
    Library {
        id: "lib7",
        index_type: "hnsw",
        weight: 0.04,
        initial_documents: 3_000,
        bytes_per_document: 1_792,
        search_slowdown: 1.0,
        always_active: false,
    },
];

/// How long a coming-and-going library keeps its state (active or not), in seconds.
const LIBRARY_ACTIVITY_WINDOW_SECS: u64 = 3 * 3_600;
/// The chance that a coming-and-going library is active in a window.
const LIBRARY_ACTIVE_CHANCE: f64 = 0.55;

/// The `operation` label of `arrwdb_document_operations_total`.
pub const DOCUMENT_OPERATIONS: [&str; 2] = ["create", "delete"];
/// The `status` label of `arrwdb_document_operations_total`.
pub const DOCUMENT_OPERATION_STATUSES: [&str; 2] = ["success", "error"];
/// The `status` label of `arrwdb_embedding_cache_hits_total`.
pub const CACHE_STATUSES: [&str; 2] = ["hit", "miss"];
/// The `status` label of `arrwdb_api_key_validations_total`.
pub const API_KEY_STATUSES: [&str; 3] = ["valid", "invalid", "expired"];

/// Requests of one series in one tick that share a latency distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestGroup {
    /// How many requests completed in the tick.
    pub count: u64,
    /// Their latency distribution.
    pub latency: LogNormal,
    /// The offset that rounds their bucket counts (see `dist`), in [0, 1).
    pub rounding_offset: f64,
    /// Their request bodies, in bytes all together.
    pub request_bytes: u64,
    /// Their response bodies, in bytes all together.
    pub response_bytes: u64,
}

impl RequestGroup {
    const EMPTY: RequestGroup = RequestGroup {
        count: 0,
        latency: LogNormal { median_secs: 0.01, sigma: 0.5 },
        rounding_offset: 0.0,
        request_bytes: 0,
        response_bytes: 0,
    };

    /// The latencies of the group's requests, ascending, in seconds: the distribution's
    /// quantiles at `(k + 1 - u) / n`. They fall in exactly the histogram buckets that the
    /// counters count (`floor(n * CDF(le) + u)` of them are `<= le`), so per-request events
    /// (traces) drawn from them agree with the metrics.
    pub fn latencies_secs(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.count).map(move |k| self.latency_secs(k))
    }

    /// The latency of request `k` (0-based, in ascending order of latency) in seconds: the
    /// `k`-th element of [`RequestGroup::latencies_secs`], computed on its own.
    pub fn latency_secs(&self, k: u64) -> f64 {
        let n = self.count as f64;
        let u = self.rounding_offset;
        self.latency.quantile_secs(((k as f64 + 1.0 - u) / n).min(1.0 - 1e-12))
    }

    /// How many of the group's requests took at most `bound_secs`, as the histogram counts
    /// them: the requests `k` below this number are the ones `<= bound_secs`.
    pub fn count_at_or_below(&self, bound_secs: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        ((self.count as f64 * self.latency.cdf(bound_secs) + self.rounding_offset).floor() as u64).min(self.count)
    }
}

/// One (handler, status class) series in one tick: up to two groups of requests with their own
/// latency (4xx mixes the handler's own errors with fast API-key rejections).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesTick {
    /// The groups; unused ones have a count of 0.
    pub groups: [RequestGroup; 2],
}

impl SeriesTick {
    /// Requests in the tick.
    pub fn count(&self) -> u64 {
        self.groups.iter().map(|g| g.count).sum()
    }

    /// Adds the tick's latencies to cumulative bucket counts (`le = bounds_secs[i]`) and
    /// returns their sum in seconds.
    pub fn observe(&self, bounds_secs: &[f64], cumulative: &mut [u64]) -> f64 {
        self.groups.iter().map(|g| g.latency.observe(g.count, g.rounding_offset, bounds_secs, cumulative)).sum()
    }
}

/// The searches of one library in one tick, as timed by the search code itself
/// (`arrwdb_search_duration_seconds`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchTick {
    /// Searches completed in the tick.
    pub count: u64,
    /// Their latency distribution.
    pub latency: LogNormal,
    /// The offset that rounds their bucket counts, in [0, 1).
    pub rounding_offset: f64,
}

/// Everything that happened in one tick.
#[derive(Debug, Clone, PartialEq)]
pub struct TickTraffic {
    /// The tick's index since the process start.
    pub tick: u64,
    /// When the tick begins (unix seconds); it lasts [`TICK_SECS`].
    pub start_unix: u64,
    /// Per handler (in [`HANDLERS`] order) and status class (in [`StatusClass::ALL`] order).
    pub http: [[SeriesTick; 3]; 6],
    /// API-key validations by [`API_KEY_STATUSES`].
    pub api_keys: [u64; 3],
    /// Searches per library (in [`LIBRARIES`] order).
    pub searches: [SearchTick; 8],
    /// Document operations per library, operation ([`DOCUMENT_OPERATIONS`]) and status
    /// ([`DOCUMENT_OPERATION_STATUSES`]).
    pub documents: [[[u64; 2]; 2]; 8],
    /// Embedding-cache lookups by [`CACHE_STATUSES`].
    pub cache: [u64; 2],
    /// Which libraries were active.
    pub libraries_active: [bool; 8],
}

impl TickTraffic {
    /// All HTTP requests of the tick.
    pub fn requests(&self) -> u64 {
        self.http.iter().flatten().map(SeriesTick::count).sum()
    }
}

/// The rate of legitimate requests at `t_unix` (requests per second) to the whole deployment,
/// which its replicas share evenly: a daily curve (UTC) with seeded, slowly wandering noise;
/// between about 22 and 56.
pub fn request_rate_per_sec(config: &SimConfig, t_unix: u64) -> f64 {
    let hour = (t_unix % 86_400) as f64 / 3_600.0;
    let daily = MEAN_REQUEST_RATE_PER_SEC
        + DAILY_AMPLITUDE_PER_SEC * ((hour - PEAK_HOUR_UTC) * std::f64::consts::TAU / 24.0).cos();
    let t = t_unix as f64;
    let noise = 0.07 * value_noise(config.seed, Stream::TrafficSlow, 0, t / 600.0)
        + 0.03 * value_noise(config.seed, Stream::TrafficFast, 0, t / 90.0);
    daily * noise.exp()
}

/// Whether library `index` (in [`LIBRARIES`]) is active at `t_unix`.
pub fn library_active(config: &SimConfig, index: usize, t_unix: u64) -> bool {
    if LIBRARIES[index].always_active {
        return true;
    }
    let phase = hash(config.seed, Stream::LibraryActivity, &[index as u64]) % LIBRARY_ACTIVITY_WINDOW_SECS;
    let window = (t_unix + phase) / LIBRARY_ACTIVITY_WINDOW_SECS;
    unit(hash(config.seed, Stream::LibraryActivity, &[index as u64, window])) < LIBRARY_ACTIVE_CHANCE
}

/// The embedding cache's hit ratio at `t_unix`: wanders between 0.6 and 0.85 and sinks during
/// the latency regression (its cause, as the story goes).
pub fn cache_hit_ratio(config: &SimConfig, t_unix: u64) -> f64 {
    let wander = 0.08 * value_noise(config.seed, Stream::CacheRatio, 0, t_unix as f64 / 2_400.0);
    let regression = intensity(config, IncidentKind::LatencyRegression, t_unix);
    (0.74 + wander - 0.12 * regression).clamp(0.6, 0.85)
}

/// A sum of `count` sizes with mean `mean_bytes`, with seeded spread.
fn total_bytes(rng: &mut Rng, count: u64, mean_bytes: f64) -> u64 {
    if count == 0 || mean_bytes <= 0.0 {
        return 0;
    }
    let n = count as f64;
    (n * mean_bytes + 0.4 * mean_bytes * n.sqrt() * rng.normal()).round().max(0.0) as u64
}

/// The traffic of tick `tick` (which covers `[start + 10 tick, start + 10 tick + 10)`).
pub fn tick_traffic(config: &SimConfig, tick: u64) -> TickTraffic {
    let seed = config.draw_seed();
    // The replicas share the deployment's traffic evenly (dividing by 1 is exact).
    let replicas = f64::from(config.replica_count.max(1));
    let start_unix = config.tick_start_unix(tick);
    let mid_unix = start_unix + TICK_SECS / 2;
    let tick_secs = TICK_SECS as f64;

    let rate = request_rate_per_sec(config, mid_unix);
    let error_spike = intensity(config, IncidentKind::ErrorSpike, mid_unix);
    let regression = intensity(config, IncidentKind::LatencyRegression, mid_unix);
    let auth_burst = intensity(config, IncidentKind::AuthFailureBurst, mid_unix);
    let memory_pressure = intensity(config, IncidentKind::MemoryClimb, mid_unix);
    // Busier hours are a little slower; so is a process short of memory (GC pauses).
    let load_slowdown = (rate / MEAN_REQUEST_RATE_PER_SEC).powf(0.4) * (1.0 + 0.1 * memory_pressure);

    let mut http = [[SeriesTick { groups: [RequestGroup::EMPTY; 2] }; 3]; 6];
    let mut api_keys = [0u64; 3];
    for (h, handler) in HANDLERS.iter().enumerate() {
        let mut rng = Rng::new(seed, Stream::HttpCounts, &[tick, h as u64]);
        let mut sizes = Rng::new(seed, Stream::SizeNoise, &[tick, h as u64]);
        let expected = rate / replicas * handler.share * tick_secs;
        let server_error_share = if h == SEARCH {
            let spike_share = (SPIKE_SEARCH_SERVER_ERROR_SHARE * replicas).min(MAX_SEARCH_SERVER_ERROR_SHARE);
            BASELINE_SERVER_ERROR_SHARE + (spike_share - BASELINE_SERVER_ERROR_SHARE) * error_spike
        } else {
            BASELINE_SERVER_ERROR_SHARE
        };
        let success_share = 1.0 - handler.client_error_share - server_error_share;
        let regression_slowdown = 1.0 + (if h == SEARCH { 13.0 } else { 3.0 }) * regression;
        let median = handler.latency_median_secs * load_slowdown * regression_slowdown;
        let sigma = handler.latency_sigma + (if h == SEARCH { 0.1 * regression } else { 0.0 });

        let burst_share = if h == SEARCH { 1.0 } else { 0.0 };
        let invalid_keys = rng.poisson(
            (BASELINE_INVALID_KEYS_PER_SEC * handler.share / replicas
                + BURST_INVALID_KEYS_PER_SEC * auth_burst * burst_share)
                * tick_secs,
        );
        let expired_keys = rng.poisson(
            (BASELINE_EXPIRED_KEYS_PER_SEC * handler.share / replicas
                + BURST_EXPIRED_KEYS_PER_SEC * auth_burst * burst_share)
                * tick_secs,
        );
        api_keys[1] += invalid_keys;
        api_keys[2] += expired_keys;

        // (status class, group, count, median latency, mean response bytes)
        let plan = [
            (0, 0, rng.poisson(expected * success_share), median, handler.response_bytes),
            (1, 0, rng.poisson(expected * handler.client_error_share), median * 0.4, CLIENT_ERROR_RESPONSE_BYTES),
            (1, 1, invalid_keys + expired_keys, 0.003, AUTH_ERROR_RESPONSE_BYTES),
            (2, 0, rng.poisson(expected * server_error_share), median * 0.6, SERVER_ERROR_RESPONSE_BYTES),
        ];
        for (status, group, count, median_secs, response_bytes) in plan {
            let sigma = if group == 1 { 0.4 } else { sigma };
            http[h][status].groups[group] = RequestGroup {
                count,
                latency: LogNormal { median_secs, sigma },
                rounding_offset: unit(hash(
                    seed,
                    Stream::BucketRounding,
                    &[tick, h as u64, status as u64, group as u64],
                )),
                request_bytes: total_bytes(&mut sizes, count, handler.request_bytes),
                response_bytes: total_bytes(&mut sizes, count, response_bytes),
            };
            if group == 0 {
                api_keys[0] += count;
            }
        }
    }

    let libraries_active: [bool; 8] = std::array::from_fn(|i| library_active(config, i, mid_unix));
    let weights: [f64; 8] = std::array::from_fn(|i| if libraries_active[i] { LIBRARIES[i].weight } else { 0.0 });
    let split = |count: u64, key: u64| {
        let mut out = [0u64; 8];
        split_count(count, &weights, unit(hash(seed, Stream::LibrarySplit, &[tick, key])), &mut out);
        out
    };

    let search_ok = http[SEARCH][0].groups[0];
    let per_library = split(search_ok.count, 0);
    let searches: [SearchTick; 8] = std::array::from_fn(|i| SearchTick {
        count: per_library[i],
        latency: LogNormal {
            median_secs: search_ok.latency.median_secs * 0.7 * LIBRARIES[i].search_slowdown,
            sigma: search_ok.latency.sigma,
        },
        rounding_offset: unit(hash(seed, Stream::BucketRounding, &[tick, 100 + i as u64])),
    });

    // Document operations: what reached the handler (API-key rejections did not).
    let mut documents = [[[0u64; 2]; 2]; 8];
    for (operation, handler) in [DOCUMENT_CREATE, DOCUMENT_DELETE].into_iter().enumerate() {
        let series = &http[handler];
        let outcomes = [series[0].groups[0].count, series[1].groups[0].count + series[2].groups[0].count];
        for (status, count) in outcomes.into_iter().enumerate() {
            let parts = split(count, 1 + (operation * 2 + status) as u64);
            for (library, part) in parts.into_iter().enumerate() {
                documents[library][operation][status] = part;
            }
        }
    }

    // Every search that reached the index and every document written needs an embedding.
    let lookups = search_ok.count + http[SEARCH][2].groups[0].count + http[DOCUMENT_CREATE][0].groups[0].count;
    let hits = ((lookups as f64 * cache_hit_ratio(config, mid_unix) + unit(hash(seed, Stream::CacheSplit, &[tick])))
        .floor() as u64)
        .min(lookups);

    TickTraffic {
        tick,
        start_unix,
        http,
        api_keys,
        searches,
        documents,
        cache: [hits, lookups - hits],
        libraries_active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_traffic_is_pure() {
        let c = SimConfig::new(1_800_000_000, 42);
        assert_eq!(tick_traffic(&c, 1234), tick_traffic(&c, 1234));
        assert_ne!(tick_traffic(&c, 1234), tick_traffic(&SimConfig::new(1_800_000_000, 43), 1234));
    }

    #[test]
    fn derived_counts_add_up() {
        let c = SimConfig::new(1_800_000_000, 7);
        for tick in (0..2_000).step_by(7) {
            let t = tick_traffic(&c, tick);
            let searches: u64 = t.searches.iter().map(|s| s.count).sum();
            assert_eq!(searches, t.http[SEARCH][0].count());
            let creates: u64 = t.documents.iter().map(|l| l[0][0]).sum();
            assert_eq!(creates, t.http[DOCUMENT_CREATE][0].count());
            assert_eq!(t.api_keys.iter().sum::<u64>(), t.requests());
            for (i, active) in t.libraries_active.iter().enumerate() {
                if !active {
                    assert_eq!(t.searches[i].count, 0);
                    assert_eq!(t.documents[i], [[0, 0], [0, 0]]);
                }
            }
        }
    }

    #[test]
    fn request_latencies_fall_in_the_counted_buckets() {
        let c = SimConfig::new(1_800_000_000, 9);
        let mut groups = 0;
        for tick in (0..3_000).step_by(13) {
            for group in tick_traffic(&c, tick).http.iter().flatten().flat_map(|s| s.groups).filter(|g| g.count > 0) {
                let mut counted = [0u64; 11];
                group.latency.observe(group.count, group.rounding_offset, &HTTP_DURATION_BOUNDS_SECS, &mut counted);
                let latencies: Vec<f64> = group.latencies_secs().collect();
                assert!(latencies.windows(2).all(|w| w[0] <= w[1]));
                let bucketed: Vec<u64> = HTTP_DURATION_BOUNDS_SECS
                    .iter()
                    .map(|b| latencies.iter().filter(|l| *l <= b).count() as u64)
                    .collect();
                assert_eq!(bucketed, counted, "{group:?}");
                groups += 1;
            }
        }
        assert!(groups > 1_000);
    }

    #[test]
    fn replicas_share_the_traffic() {
        let single = SimConfig::new(1_800_000_000, 11);
        // Minutes 8 to 40: no incident adds requests (the auth burst would, to its replica).
        let ticks = 48..240;
        let total = |c: &SimConfig| ticks.clone().map(|tick| tick_traffic(c, tick).requests()).sum::<u64>();
        let alone = total(&single) as f64;
        let shares: Vec<f64> = (0..3).map(|i| total(&single.replica(i, 3)) as f64).collect();
        for share in &shares {
            assert!((share / alone - 1.0 / 3.0).abs() < 0.03, "{share} of {alone}");
        }
        let sum: f64 = shares.iter().sum();
        assert!((sum / alone - 1.0).abs() < 0.03, "{sum} vs {alone}");
        // Their draws differ, and the first replica of one is the single replica.
        assert_ne!(tick_traffic(&single.replica(1, 3), 5).http, tick_traffic(&single.replica(2, 3), 5).http);
        assert_eq!(tick_traffic(&single.replica(0, 1), 5), tick_traffic(&single, 5));
    }

    #[test]
    fn rate_follows_the_day() {
        let c = SimConfig::new(0, 3);
        let day = 1_800_028_800 - 1_800_028_800 % 86_400;
        let at =
            |hour: u64| (0..12).map(|m| request_rate_per_sec(&c, day + hour * 3_600 + m * 300)).sum::<f64>() / 12.0;
        assert!(at(15) > 45.0 && at(3) < 31.0, "peak {} trough {}", at(15), at(3));
    }
}
