//! The pure core: plain data and functions, no IO, no browser crate (a test in
//! `tests/architecture.rs` keeps it so).
pub mod chart;
pub mod config;
pub mod metrics;
pub mod panels;
pub mod prom;
pub mod promql;
pub mod series;
pub mod state;
pub mod time;
pub mod url;
pub mod units;
pub mod jaeger;
pub mod links;
pub mod spikes;
pub mod waterfall;
