//! The pure core: plain data and functions, no IO, no browser crate (a test in
//! `tests/architecture.rs` keeps it so).
pub mod alerts;
pub mod chart;
pub mod config;
pub mod drill;
pub mod embed;
pub mod export;
pub mod html;
pub mod jaeger;
pub(crate) mod json;
pub mod links;
pub mod markdown;
pub mod metrics;
pub mod order;
pub mod panels;
pub mod prom;
pub mod promql;
pub mod series;
pub mod slo;
pub mod sources;
pub mod spikes;
pub mod state;
pub mod str_map;
pub mod time;
pub mod units;
pub mod url;
pub mod waterfall;
