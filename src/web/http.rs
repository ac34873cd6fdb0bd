//! The one place that talks to the network: a GET that can be aborted and that gives up after
//! a timeout, returning the status and the body text. Decoding is the core's job.

use web_sys::{AbortSignal, RequestMode};

/// Why a request produced no answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchFailure {
    /// Cancelled by a newer request: not an error to show.
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
    let classify = |error: gloo_net::Error| {
        if signal.is_some_and(|s| s.aborted()) {
            FetchFailure::Aborted
        } else if timeout.aborted() {
            FetchFailure::TimedOut
        } else {
            FetchFailure::Network(error.to_string())
        }
    };
    let response = send(url, Some(&either), RequestMode::Cors).await.map_err(classify)?;
    let status = response.status();
    let body = response.text().await.map_err(classify)?;
    Ok((status, body))
}

/// The one request of the page, in `mode` (`Cors` is fetch's default).
async fn send(
    url: &str,
    signal: Option<&AbortSignal>,
    mode: RequestMode,
) -> Result<gloo_net::http::Response, gloo_net::Error> {
    gloo_net::http::Request::get(url)
        .abort_signal(signal)
        .mode(mode)
        .send()
        .await
}

/// Whether `url` answers a `no-cors` request (with an opaque response the page cannot read)
/// within `timeout_secs`. After a failed `fetch` of a cross-origin URL it tells a CORS refusal
/// (answered) from a dead host (not answered).
pub async fn answers_opaquely(url: &str, timeout_secs: u32) -> bool {
    let timeout = AbortSignal::timeout_with_u32(timeout_secs.saturating_mul(1_000));
    send(url, Some(&timeout), RequestMode::NoCors).await.is_ok()
}
