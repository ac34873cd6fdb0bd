//! Reading a panel as a test sees it (its DOM contract and legend) and the backend's own answer
//! to the same query, for the truth tests.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{env, prometheus_query, urlencode, Browser};

/// The panels whose queries read arrwDB's own metrics: every chart and table but node-exporter's
/// network (whose `instance` is a host, and which has no history before the stack started).
pub const ARRWDB_PANELS: &[&str] = &[
    "request-rate",
    "error-rate",
    "latency",
    "in-flight",
    "errors-by-handler",
    "cpu",
    "memory",
    "disk",
    "searches",
    "documents",
    "libraries",
    "index-size",
    "cache-hit-ratio",
    "api-keys",
];

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `data-*` facts of one panel: series, query, start, end, step, state, stale.
pub async fn facts(browser: &Browser, id: &str) -> Vec<Option<String>> {
    let v = browser
        .js(&format!(
            "const p = document.querySelector(\"[data-panel='{id}']\"); const d = p.dataset; \
             return [d.series, d.query, d.start, d.end, d.step, d.state, d.stale];"
        ))
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

/// Prometheus's own answer to a panel's query line over the panel's window: series → last
/// finite value (the legend's "last").
pub async fn prometheus_last_values(
    query: &str,
    start: &str,
    end: &str,
    step: &str,
    name_labels: &[&str],
) -> BTreeMap<String, f64> {
    backend_last_values(&env("ARRWDB_E2E_PROMETHEUS_URL"), query, start, end, step, name_labels).await
}

/// The same, from the Prometheus-compatible API at `base` (VictoriaMetrics's `/prometheus`).
pub async fn backend_last_values(
    base: &str,
    query: &str,
    start: &str,
    end: &str,
    step: &str,
    name_labels: &[&str],
) -> BTreeMap<String, f64> {
    let answer = prometheus_query(
        base,
        &format!(
            "/api/v1/query_range?query={}&start={start}&end={end}&step={step}",
            urlencode(query)
        ),
    )
    .await;
    let mut out = BTreeMap::new();
    for series in answer["data"]["result"].as_array().expect("a matrix") {
        // The count a ranked query adds (the legend's "N hidden"), not a line.
        if series["metric"].get("arrwdb_ops_series_count").is_some() {
            continue;
        }
        let name = name_labels
            .iter()
            .filter_map(|l| series["metric"][*l].as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let last = series["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p[1].as_str().and_then(|v| v.parse::<f64>().ok()))
            .filter(|v| v.is_finite())
            .last();
        if let Some(v) = last {
            out.insert(name, v);
        }
    }
    out
}

/// The legend of a panel: series name → `data-last`.
pub async fn legend(browser: &Browser, id: &str) -> BTreeMap<String, f64> {
    let rows = browser
        .js(&format!(
            "return Array.from(document.querySelectorAll(\"[data-panel='{id}'] table.legend tr[data-series-name]\")) \
             .map(r => [r.dataset.seriesName, r.dataset.last]);"
        ))
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            Some((
                r[0].as_str()?.to_owned(),
                r[1].as_str()?.parse::<f64>().ok()?,
            ))
        })
        .collect()
}

