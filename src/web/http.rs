//! The one place that talks to the network: a GET that can be aborted, returning the status
//! and the body text. Decoding is the core's job.

use web_sys::{AbortSignal, RequestMode};

/// Why a request produced no answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchFailure {
    /// Cancelled by a newer request: not an error to show.
    Aborted,
    /// No HTTP answer: connection refused, DNS, or a CORS refusal (the browser does not say
    /// which).
    Network(String),
}

impl std::fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchFailure::Aborted => f.write_str("the request was cancelled"),
            FetchFailure::Network(detail) => write!(f, "{detail}"),
        }
    }
}

/// GETs `url`; `signal` cancels it.
pub async fn get_text(
    url: &str,
    signal: Option<&AbortSignal>,
) -> Result<(u16, String), FetchFailure> {
    let response = send(url, signal, RequestMode::Cors).await?;
    let status = response.status();
    let body = response.text().await.map_err(|e| classify(e, signal))?;
    Ok((status, body))
}

/// The one request of the page, in `mode` (`Cors` is fetch's default).
async fn send(
    url: &str,
    signal: Option<&AbortSignal>,
    mode: RequestMode,
) -> Result<gloo_net::http::Response, FetchFailure> {
    gloo_net::http::Request::get(url)
        .abort_signal(signal)
        .mode(mode)
        .send()
        .await
        .map_err(|e| classify(e, signal))
}

fn classify(error: gloo_net::Error, signal: Option<&AbortSignal>) -> FetchFailure {
    if signal.is_some_and(|s| s.aborted()) {
        FetchFailure::Aborted
    } else {
        FetchFailure::Network(error.to_string())
    }
}

/// Whether `url` answers a `no-cors` request (with an opaque response the page cannot read).
/// After a failed `fetch` of a cross-origin URL it tells a CORS refusal (answered) from a dead
/// host (not answered).
pub async fn answers_opaquely(url: &str) -> bool {
    send(url, None, RequestMode::NoCors).await.is_ok()
}
