//! The one place that talks to the network: a GET that can be aborted and that gives up after a
//! timeout, returning the status and the body text. Decoding is the core's job; each API's
//! client (`prom`, `jaeger`) turns a [`FetchFailure`] into that API's error kind.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, RequestMode, Response};

/// Why a request produced no answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchFailure {
    /// Cancelled: what it would have answered is stale.
    Aborted,
    /// No answer (headers and body) within the timeout.
    TimedOut,
    /// No HTTP answer: connection refused, DNS, or a CORS refusal (the browser does not say
    /// which).
    Network(String),
}

impl std::fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchFailure::Aborted => f.write_str("the request was cancelled"),
            FetchFailure::TimedOut => f.write_str("no answer within the timeout"),
            FetchFailure::Network(detail) => f.write_str(detail),
        }
    }
}

/// GETs `url`, given up after `timeout_secs`; `signal` cancels it.
pub async fn get_text(
    url: &str,
    signal: Option<&AbortSignal>,
    timeout_secs: u32,
) -> Result<(u16, String), FetchFailure> {
    let timeout = AbortSignal::timeout_with_u32(timeout_secs.saturating_mul(1_000));
    // Either ends the request: the caller's signal (stale) or the timeout.
    let either = match signal {
        Some(s) => AbortSignal::any(&js_sys::Array::of2(s, &timeout)),
        None => timeout.clone(),
    };
    let classify = |error: JsValue| {
        if signal.is_some_and(|s| s.aborted()) {
            FetchFailure::Aborted
        } else if timeout.aborted() {
            FetchFailure::TimedOut
        } else {
            FetchFailure::Network(js_error_text(&error))
        }
    };
    let response = send(url, Some(&either), RequestMode::Cors).await.map_err(classify)?;
    let status = response.status();
    let body = JsFuture::from(response.text().map_err(classify)?).await.map_err(classify)?;
    Ok((status, body.as_string().unwrap_or_default()))
}

/// `fetch(url, {signal, mode})`.
async fn send(url: &str, signal: Option<&AbortSignal>, mode: RequestMode) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_signal(signal);
    init.set_mode(mode);
    let answer = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await?;
    answer.dyn_into()
}

/// What the browser says about a failed request, as its console shows it
/// (`TypeError: Failed to fetch`).
fn js_error_text(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => e.to_string().into(),
        None => error.as_string().unwrap_or_else(|| "the request failed".to_owned()),
    }
}

/// Whether `url` answers a `no-cors` request (with an opaque response the page cannot read)
/// within `timeout_secs`. After a failed `fetch` of a cross-origin URL it tells a CORS refusal
/// (answered) from a dead host (not answered).
pub async fn answers_opaquely(url: &str, timeout_secs: u32) -> bool {
    let timeout = AbortSignal::timeout_with_u32(timeout_secs.saturating_mul(1_000));
    send(url, Some(&timeout), RequestMode::NoCors).await.is_ok()
}

/// The abort controller of a component's requests: [`renew`](Self::renew) aborts what is in
/// flight and hands out a fresh signal; the component's cleanup aborts the last one.
#[derive(Clone, Copy)]
pub struct AbortSlot(StoredValue<Option<AbortController>, LocalStorage>);

impl AbortSlot {
    /// A slot whose request is aborted when the current owner is cleaned up.
    pub fn new() -> Self {
        let slot = AbortSlot(StoredValue::new_local(None));
        on_cleanup(move || slot.abort());
        slot
    }

    /// Aborts the request in flight, if any.
    pub fn abort(self) {
        self.0.try_update_value(|c| {
            if let Some(c) = c.take() {
                c.abort();
            }
        });
    }

    /// Aborts the request in flight and answers the signal of the next one.
    pub fn renew(self) -> Option<AbortSignal> {
        self.abort();
        let controller = AbortController::new().ok()?;
        let signal = controller.signal();
        self.0.try_set_value(Some(controller));
        Some(signal)
    }
}
