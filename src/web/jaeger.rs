//! The Jaeger client: the API version (configured, or probed once and remembered), searches and
//! traces by id, with an abort signal; URLs and decoding are `core::jaeger`'s, errors its kinds.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use web_sys::AbortSignal;

use crate::core::config::{JaegerApi, JaegerConfig};
use crate::core::drill::{ReplicaTag, Scatter};
use crate::core::jaeger::{choose_api_version, decode_v3_services, v3_services_url, ApiVersion, JaegerError, SearchParams, Trace};
use crate::web::http::{get_text, FetchFailure};

/// One Jaeger query service, shared by every component that asks it.
#[derive(Clone)]
pub struct Jaeger {
    pub cfg: Arc<JaegerConfig>,
    /// The API version the auto probe found, for the life of the page.
    known: Arc<OnceLock<ApiVersion>>,
}

impl Jaeger {
    pub fn new(cfg: JaegerConfig) -> Self {
        Jaeger {
            cfg: Arc::new(cfg),
            known: Arc::new(OnceLock::new()),
        }
    }

    async fn get(&self, url: &str, signal: Option<&AbortSignal>) -> Result<(u16, String), JaegerError> {
        get_text(url, signal, self.cfg.timeout_secs).await.map_err(|f| match f {
            FetchFailure::Aborted => JaegerError::aborted(),
            FetchFailure::TimedOut => JaegerError::timeout(&self.cfg.url, self.cfg.timeout_secs),
            FetchFailure::Network(detail) => JaegerError::unreachable(&self.cfg.url, &detail),
        })
    }

    /// The API to speak: the configured one, or (auto) what one probe of api_v3 says.
    async fn version(&self, signal: Option<&AbortSignal>) -> Result<ApiVersion, JaegerError> {
        if let JaegerApi::Fixed(v) = self.cfg.api {
            return Ok(v);
        }
        if let Some(v) = self.known.get() {
            return Ok(*v);
        }
        let probe = self
            .get(&v3_services_url(&self.cfg.url), signal)
            .await
            .and_then(|(status, body)| decode_v3_services(status, &body));
        let chosen = choose_api_version(&probe).ok_or_else(|| probe.err().unwrap_or_else(JaegerError::aborted))?;
        let _ = self.known.set(chosen);
        Ok(chosen)
    }

    /// The answers to `searches`, in order.
    pub async fn search_all(&self, searches: &[SearchParams], signal: Option<&AbortSignal>) -> Result<Vec<Vec<Trace>>, JaegerError> {
        let version = self.version(signal).await?;
        let mut answers = Vec::with_capacity(searches.len());
        for p in searches {
            let (status, body) = self.get(&version.search_url(&self.cfg.url, p), signal).await?;
            answers.push(version.decode_search(p, status, &body).map_err(|e| e.at_url(&self.cfg.url))?);
        }
        Ok(answers)
    }

    /// The trace `trace_id`.
    pub async fn trace(&self, trace_id: &str, signal: Option<&AbortSignal>) -> Result<Trace, JaegerError> {
        let version = self.version(signal).await?;
        let (status, body) = self.get(&version.trace_url(&self.cfg.url, trace_id), signal).await?;
        version.decode_trace(status, &body).map_err(|e| e.at_url(&self.cfg.url))
    }

    /// Brings the latency chart's trace scatter to `[from_secs, to_secs]`, of `replica` only
    /// when there is one: the new tail only when the range just moved forward
    /// ([`Scatter::searches`]). A failed search leaves it as it was.
    pub async fn update_scatter(
        &self,
        scatter: &RefCell<Scatter>,
        replica: Option<&ReplicaTag>,
        from_secs: i64,
        to_secs: i64,
        signal: Option<&AbortSignal>,
    ) -> Result<(), JaegerError> {
        let (start_us, end_us) = (from_secs * 1_000_000, to_secs * 1_000_000);
        let searches = scatter.borrow().searches(&self.cfg.service, replica, start_us, end_us);
        let answers = self.search_all(&searches, signal).await?;
        scatter.borrow_mut().add(replica, start_us, end_us, &answers);
        Ok(())
    }
}
