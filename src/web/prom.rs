//! The Prometheus client: GETs the URLs the core builds, with an abort signal, and decodes each
//! answer with the core's decoder; errors are the core's `PromError` kinds.

use web_sys::AbortSignal;

use crate::core::config::{Config, PrometheusConfig};
use crate::core::metrics::{resolve, Metric, MetricNames};
use crate::core::panel_view::{outcome, Answered, Ask, Expect, Outcome};
use crate::core::prom::{decode_label_values, decode_query, decode_query_range, label_values_url, picker_values_url, Answer, PromError};
use crate::core::time::TimeRange;
use crate::core::url::with_params;
use crate::web::http::{get_text, FetchFailure};

/// GETs `url` (under `prom.url`, with the configured `query_params`, given up after
/// `prom.timeout_secs`) and decodes it with
/// `decode`; its warnings and infos are added to `notes` (each once).
pub async fn get<T>(
    prom: &PrometheusConfig,
    url: &str,
    signal: Option<&AbortSignal>,
    decode: fn(u16, &str) -> Result<Answer<T>, PromError>,
    notes: &mut Vec<String>,
) -> Result<T, PromError> {
    let (status, body) = fetch(prom, url, signal).await?;
    let answer = decode(status, &body).map_err(|e| e.at_url(&prom.url))?;
    for note in answer.warnings.into_iter().chain(answer.infos) {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    Ok(answer.data)
}

/// The request of [`get`], whatever its answer decodes to: one copy for every decoder.
pub async fn fetch(prom: &PrometheusConfig, url: &str, signal: Option<&AbortSignal>) -> Result<(u16, String), PromError> {
    let base = &prom.url;
    let url = with_params(url, &prom.query_params);
    get_text(&url, signal, prom.timeout_secs).await.map_err(|f| match f {
        FetchFailure::Aborted => PromError::aborted(),
        FetchFailure::TimedOut => PromError::timeout(base, prom.timeout_secs),
        FetchFailure::Network(detail) => PromError::unreachable(base, &detail),
    })
}

/// One load of a chart or table panel: every request of `ask`, one after the other (a panel
/// has at most three), then what the panel shows of the answers.
pub async fn load_panel(
    prom: &PrometheusConfig,
    ask: &Ask,
    signal: Option<&AbortSignal>,
) -> Result<Outcome, PromError> {
    let mut notes = Vec::new();
    let mut answers = Vec::new();
    for (url, expect) in ask.requests(&prom.url) {
        answers.push(match expect {
            Expect::Matrix => Answered::Matrix(get(prom, &url, signal, decode_query_range, &mut notes).await?),
            Expect::Vector => Answered::from_instant(get(prom, &url, signal, decode_query, &mut notes).await?)?,
        });
    }
    Ok(outcome(ask, answers, notes))
}

/// Asks Prometheus which metric names exist and resolves the ones the panels need. If the list
/// cannot be had, the first spelling of each is assumed and each panel reports what it gets.
/// The names that exist come back too (empty when unknown), for rule health.
pub async fn discover_metrics(cfg: &Config, range: TimeRange) -> (MetricNames, Vec<String>) {
    let (start, end) = (range.start_secs() as i64, range.end_secs() as i64);
    let url = label_values_url(&cfg.prometheus.url, "__name__", None, start, end);
    match get(&cfg.prometheus, &url, None, decode_label_values, &mut Vec::new()).await {
        Ok(existing) => (resolve(&existing, &cfg.metrics), existing),
        Err(_) => (MetricNames::assumed(), Vec::new()),
    }
}

/// The values of `label` on arrwDB's requests counter over `range`, of the chosen `clusters`
/// (all when empty), for the header's pickers; empty when they cannot be had (a picker then
/// offers what the URL holds only).
pub async fn picker_values(cfg: &Config, names: &MetricNames, label: &str, clusters: &[String], range: TimeRange) -> Vec<String> {
    let Ok(requests) = names.get(Metric::RequestsTotal) else {
        return Vec::new();
    };
    let url = picker_values_url(&cfg.prometheus, requests, label, clusters, range);
    get(&cfg.prometheus, &url, None, decode_label_values, &mut Vec::new()).await.unwrap_or_default()
}
