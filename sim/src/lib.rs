//! A simulated arrwDB API, as Prometheus sees it: the `/metrics` exposition of a real arrwDB
//! (prometheus_client 0.26 + prometheus-fastapi-instrumentator 8.1, see
//! `shared/fixtures/arrwdb/`), with traffic that is a deterministic function of time and
//! scheduled incidents, so a dashboard has a story to show and its tests know the plot.
//!
//! Code map (the layers only call downwards):
//!
//! | module | what |
//! | --- | --- |
//! | [`config`] | [`SimConfig`]: start, seed, incident schedule; the 10-second tick |
//! | [`replicas`] | [`Deployment`]: the replicas by address, each a [`SimConfig::replica`] |
//! | [`incidents`] | the schedule: [`incidents_at`], [`incidents_between`] |
//! | [`traffic`] | [`tick_traffic`]: per tick and series, request counts and latency distributions |
//! | [`dist`] | log-normal latencies, their histogram buckets, integer splits |
//! | [`state`] | [`Simulator`]: counters as running sums of ticks (cached), gauges at a moment |
//! | [`exposition`] | the families and the one renderer: text 0.0.4, OpenMetrics (with exemplars) or the backfill's |
//! | [`backfill`] | the OpenMetrics history file for promtool |
//! | [`traces`] | sampled requests as traces: [`trace_by_id`], ids that carry the request, special traces |
//! | [`trace_query`] | [`find_traces`]: Jaeger's search semantics, newest first, generated on demand |
//! | [`exemplars`] | the traced requests behind the HTTP latency buckets, for OpenMetrics scrapes |
//! | [`jaeger`] | Jaeger's query API (api_v3 and v1 JSON): [`jaeger::handle`], a pure function of the request |
//! | [`server`] | `GET /metrics` (text, or OpenMetrics when asked) and `GET /health`; [`JaegerServer`], the Jaeger listener |
//!
//! Invariants:
//! - Everything is a pure function of ([`SimConfig`], unix time): no clock or IO below
//!   `server` and `backfill`'s writer.
//! - Counters at `t` are the sums of the ticks completed by `t`, added in tick order: integer,
//!   monotone, and the same bit for bit live and in the backfill.
//! - A histogram's `+Inf` bucket, its `_count` and the request counter of the same labels are
//!   one number.
//! - Replicas ([`Deployment`]) are the same model per [`SimConfig::replica`]: they share the
//!   load curve and the incident schedule, split the traffic with draws of their own, and each
//!   incident strikes one of them ([`IncidentKind::sick_replica`]). A single replica is what
//!   the simulator was before replicas existed, byte for byte (`tests/single_replica_pin.rs`).
//! - Traces are requests of the same ticks: every 5xx and every request the latency histogram
//!   counts above 1 s has a trace, 1 % of the others; a trace id carries its request, so nothing
//!   is stored.

#![warn(missing_docs)]

pub mod backfill;
pub mod config;
pub mod dist;
pub mod exemplars;
pub mod exposition;
pub mod incidents;
pub mod jaeger;
pub mod replicas;
mod rng;
pub mod server;
pub mod state;
pub mod trace_query;
pub mod traces;
pub mod traffic;

pub use backfill::{write_openmetrics, BackfillError, BackfillOptions, BackfillSummary};
pub use config::{ConfigError, SimConfig, TICK_SECS};
pub use exposition::{
    accepts_openmetrics, format_float_like_prometheus_client, Exemplar, Exemplars, Exposition,
    OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE,
};
pub use incidents::{incidents_at, incidents_between, ActiveIncident, IncidentKind};
pub use replicas::{Deployment, Replica};
pub use server::{JaegerServer, MetricsServer, ServeError};
pub use state::{Gauges, Simulator, Snapshot, Totals};
pub use trace_query::{find_traces, TraceQuery};
pub use traces::{trace_by_id, Trace, TraceId};
pub use traffic::{tick_traffic, TickTraffic};
