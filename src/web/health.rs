//! Alerts, rule health and SLOs in the browser: what to ask and what to compute is the core's
//! (`core::alerts`, `core::slo`); this file asks Prometheus and hands the answers over.
//!
//! Rules and the `ALERTS` bands are loaded once per refresh for the whole page (the alerts panel
//! lists them, every chart shades its bands); rule health asks `/api/v1/series` once per
//! selector for the life of the page (metadata already known is not asked again).

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::{AbortController, AbortSignal, HtmlElement};

use crate::core::alerts::{
    alert_bands, alerts_html, chart_bands, rule_problems, selectors_to_ask,
    ChartBand, ALERTS_QUERY,
};
use crate::core::config::Config;
use crate::core::metrics::MetricNames;
use crate::core::panels::PanelSpec;
use crate::core::prom::{
    decode_query, decode_query_range, decode_rules, decode_series, PromError, QueryData, Rule,
};
use crate::core::slo::{evaluate, evaluation_unix, read_slo_answer, slo_html, slo_query};
use crate::core::time::{query_window, TimeRange};
use crate::web::dom::{effect, set_attr, spawn, Watched};
use crate::core::prom::{query_range_url, rules_url, series_url};
use crate::web::panel::fetch_prom;
use crate::web::text_panel::frame;
use crate::web::traces::restart;
use crate::web::{now_secs, utc_offset_at};

/// What one refresh brought for the alerts: the rules, each rule's health problems, and the
/// bands of the range; or why it failed.
pub struct Health {
    pub rules: Vec<Rule>,
    pub problems: Vec<Vec<String>>,
    /// Some selectors are still to be asked: rules without a problem are not known healthy yet.
    pub checking: bool,
    pub bands: Vec<ChartBand>,
}

pub type HealthSignal = Watched<Option<Arc<Result<Health, String>>>>;

/// Loads the rules, their health and the `ALERTS` bands of `range`, again with every change of
/// it (every refresh). The rules and bands are shown as soon as they are in; rule health (one
/// series lookup per selector, once per page) follows, and a refresh that comes first keeps
/// the lookups already answered.
pub fn load(
    cfg: Arc<Config>,
    names: Arc<MetricNames>,
    metric_names: Arc<Vec<String>>,
    range: Memo<TimeRange>,
) -> HealthSignal {
    let health: HealthSignal = Watched::new(None);
    let request = StoredValue::new_local(None::<AbortController>);
    // Series counts per selector, asked once.
    let counts = StoredValue::new_local(Vec::<(String, usize)>::new());
    effect(move || {
        let range = range.get();
        let Some(controller) = restart(request) else {
            return;
        };
        let (cfg, names, metric_names) = (cfg.clone(), names.clone(), metric_names.clone());
        spawn(async move {
            let signal = controller.signal();
            let (rules, bands) = match rules_and_bands(&cfg, &names, range, &signal).await {
                Ok(found) => found,
                Err(e) if e.is_aborted() => return,
                Err(e) => return health.set(Some(Arc::new(Err(e.to_string())))),
            };
            let publish = |rules: Vec<Rule>, bands: Vec<ChartBand>| {
                let (problems, checking) = counts.with_value(|c| {
                    let problems = rules
                        .iter()
                        .map(|r| rule_problems(r, c, &metric_names))
                        .collect();
                    (problems, !selectors_to_ask(&rules, c).is_empty())
                });
                health.set(Some(Arc::new(Ok(Health {
                    rules,
                    problems,
                    checking,
                    bands,
                }))));
            };
            publish(rules.clone(), bands.clone());
            if ask_selectors(&cfg, &rules, counts, &signal).await {
                publish(rules, bands);
            }
        });
    });
    health
}

/// The rules and the bands of `range` on the charts they concern.
async fn rules_and_bands(
    cfg: &Config,
    names: &MetricNames,
    range: TimeRange,
    signal: &AbortSignal,
) -> Result<(Vec<Rule>, Vec<ChartBand>), PromError> {
    let base = &cfg.prometheus.url;
    let mut notes = Vec::new();
    let rules = fetch_prom(
        &cfg.prometheus,
        rules_url(base),
        signal,
        decode_rules,
        &mut notes,
    )
    .await?
    .rules;
    let window = query_window(range, 1_000, cfg.prometheus.scrape_interval_secs);
    let series = fetch_prom(
        &cfg.prometheus,
        query_range_url(base, ALERTS_QUERY, &window),
        signal,
        decode_query_range,
        &mut notes,
    )
    .await?;
    let bands = alert_bands(
        &series,
        window.start_secs,
        window.end_secs,
        window.step.secs() as f64,
    );
    let bands = chart_bands(&bands, &rules, names);
    Ok((rules, bands))
}

/// Asks how many series each selector of [`selectors_to_ask`] matches; answers whether any new count came in. A lookup that fails (a series limit, a
/// timeout) leaves its selector unjudged, not the rules unshown: the next refresh asks again.
async fn ask_selectors(
    cfg: &Config,
    rules: &[Rule],
    counts: StoredValue<Vec<(String, usize)>, LocalStorage>,
    signal: &AbortSignal,
) -> bool {
    let base = &cfg.prometheus.url;
    let mut notes = Vec::new();
    let now = now_secs() as i64;
    let mut asked = false;
    for selector in counts.with_value(|c| selectors_to_ask(rules, c)) {
        let url = series_url(base, &selector, now - 3_600, now);
        match fetch_prom(&cfg.prometheus, url, signal, decode_series, &mut notes).await {
            Ok(found) => {
                counts.update_value(|c| c.push((selector, found.len())));
                asked = true;
            }
            Err(e) if e.is_aborted() => return asked,
            Err(_) => {}
        }
    }
    asked
}

/// The alerts panel: every rule from the page's [`Health`].
pub fn alerts(spec: &PanelSpec, cfg: Arc<Config>, health: HealthSignal) -> HtmlElement {
    let (root, body) = frame(spec);
    let panel = root.clone();
    effect(move || {
        health.with(|h| match h.as_deref() {
            None => {}
            Some(Ok(h)) => {
                let now = now_secs();
                body.set_inner_html(&alerts_html(
                    &h.rules,
                    &cfg.alert_priorities,
                    &h.problems,
                    h.checking,
                    now,
                    utc_offset_at(now),
                ));
                // The query of the bands this panel stands for (the rules are not a query).
                set_attr(&panel, "data-query", Some(ALERTS_QUERY));
                set_attr(&panel, "data-state", Some("ready"));
            }
            Some(Err(e)) => {
                body.set_text_content(Some(e));
                set_attr(&panel, "data-state", Some("error"));
            }
        })
    });
    root
}

/// The SLO panel: one instant query per refresh ([`slo_query`]), evaluated at the end of the
/// range (at the latest 5 s ago, so that every sample up to then has arrived and Prometheus
/// answers the same question the same way when asked again).
pub fn slo(
    spec: &PanelSpec,
    cfg: Arc<Config>,
    names: Arc<MetricNames>,
    range: Memo<TimeRange>,
) -> HtmlElement {
    let (root, body) = frame(spec);
    let panel = root.clone();
    let request = StoredValue::new_local(None::<AbortController>);
    effect(move || {
        let range = range.get();
        let Some(controller) = restart(request) else {
            return;
        };
        let (cfg, names, body, panel) = (cfg.clone(), names.clone(), body.clone(), panel.clone());
        spawn(async move {
            let signal = controller.signal();
            let base = &cfg.prometheus.url;
            let eval_unix = evaluation_unix(range.end_secs(), now_secs());
            let query = match slo_query(&names, &cfg.prometheus.job, &cfg.slos) {
                Ok(q) => q,
                Err(missing) => {
                    body.set_text_content(Some(&missing));
                    set_attr(&panel, "data-state", Some("error"));
                    return;
                }
            };
            let url = crate::core::prom::query_url(base, &query, eval_unix);
            let mut notes = Vec::new();
            match fetch_prom(&cfg.prometheus, url, &signal, decode_query, &mut notes).await {
                Err(e) if e.is_aborted() => {}
                Err(e) => {
                    body.set_text_content(Some(&e.to_string()));
                    set_attr(&panel, "data-state", Some("error"));
                }
                Ok(data) => {
                    let samples = match data {
                        QueryData::Vector(samples) => samples,
                        _ => Vec::new(),
                    };
                    let counts = read_slo_answer(&samples);
                    let reports: Vec<_> = cfg.slos.iter().map(|o| evaluate(o, &counts)).collect();
                    body.set_inner_html(&slo_html(
                        &reports,
                        &names,
                        &cfg.prometheus.job,
                        eval_unix,
                    ));
                    set_attr(&panel, "data-query", Some(&query));
                    set_attr(&panel, "data-state", Some("ready"));
                }
            }
        });
    });
    root
}
