//! arrwdb-ops: the operations dashboard for arrwDB.
//!
//! `core` is pure (no IO, no browser crate) and tested natively; `web` is the thin browser
//! shell, compiled only for wasm32.
pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;
