//! Alerts and rule health in the browser: what to ask and what to compute is the core's
//! (`core::alerts`); this file asks Prometheus and hands the answers over.
//!
//! Rules and the `ALERTS` bands are loaded once per refresh for the whole page (the alerts panel
//! lists them, every chart shades its bands); rule health asks `/api/v1/series` once per
//! selector for the life of the page (counts already known are not asked again).

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::AbortSignal;

use crate::core::alerts::{
    alert_bands, alerts_html, chart_bands, no_rules_reason, rule_problems, selectors_to_ask, ChartBand, Health, RuleGathering,
    ALERTS_QUERY,
};
use crate::core::config::{Config, PrometheusConfig};
use crate::core::metrics::MetricNames;
use crate::core::panels::PanelSpec;
use crate::core::prom::{decode_query_range, decode_rules, decode_series, query_range_url, rules_url, series_url, PromError, Rule};
use crate::core::time::{query_window, TimeRange};
use crate::web::context::{use_dash, Dash, Discovered};
use crate::web::http::AbortSlot;
use crate::web::text_panels::{TextBody, TextFrame};
use crate::web::{effect, now_secs, prom, utc_offset_at};

/// The page's rule health: `None` until the first answer.
#[derive(Clone, Copy)]
pub struct HealthSignal(pub ReadSignal<Option<Arc<Result<Health, String>>>>);

pub fn use_health() -> ReadSignal<Option<Arc<Result<Health, String>>>> {
    expect_context::<HealthSignal>().0
}

/// Loads the rules, their health and the `ALERTS` bands of the range, once the charts have
/// their first answers and the metric names Prometheus has are `discovered`, again with every
/// change of the range (every refresh), and provides them to the panels. The rules and bands are shown as soon
/// as they are in; rule health follows, and a refresh that comes first keeps the counts
/// already answered.
pub fn provide_health(discovered: Discovered) {
    let dash = use_dash();
    let (cfg, range) = (dash.cfg.clone(), dash.range);
    let (health, set_health) = signal(None::<Arc<Result<Health, String>>>);
    provide_context(HealthSignal(health));
    let slot = AbortSlot::new();
    // Series counts per selector, asked once.
    let counts = StoredValue::new(Vec::<(String, usize)>::new());
    let first_round = dash.first_round;
    effect(move || {
        // After the charts' first round: the rules never slow a chart.
        if !first_round.get() {
            return;
        }
        // Rule health needs the names Prometheus has.
        let Some((names, metric_names)) = discovered.get() else { return };
        let range = range.get();
        let Some(signal) = slot.renew() else { return };
        let cfg = cfg.clone();
        leptos::task::spawn_local(async move {
            let (rules, unanswered, bands) = match rules_and_bands(&cfg, &names, range, &signal).await {
                Ok(found) => found,
                Err(e) if e.is_aborted() => return,
                Err(e) => {
                    set_health.try_set(Some(Arc::new(Err(e.to_string()))));
                    return;
                }
            };
            let publish = |rules: Vec<Rule>, bands: Vec<ChartBand>| {
                let judged = counts.try_with_value(|c| {
                    let problems = rules.iter().map(|r| rule_problems(r, c, &metric_names)).collect();
                    (problems, !selectors_to_ask(&rules, c).is_empty())
                });
                if let Some((problems, checking)) = judged {
                    let unanswered = unanswered.clone();
                    set_health.try_set(Some(Arc::new(Ok(Health { rules, problems, checking, bands, unanswered }))));
                }
            };
            publish(rules.clone(), bands.clone());
            if ask_selectors(&cfg, &rules, counts, &signal).await {
                publish(rules, bands);
            }
        });
    });
}

/// The rules of every source (`Config::rule_sources`), the sources that did not answer,
/// and the bands of `range` on the charts they concern. The bands come from the query backend,
/// where the sources' `ALERTS` series land (remote write, vmalert). Only when no source
/// answers is it an error.
async fn rules_and_bands(
    cfg: &Config,
    names: &MetricNames,
    range: TimeRange,
    signal: &AbortSignal,
) -> Result<(Vec<Rule>, Vec<String>, Vec<ChartBand>), PromError> {
    let sources = &cfg.rule_sources;
    let mut notes = Vec::new();
    let mut gathering = RuleGathering::default();
    for source in sources {
        // Asked as the query backend is (parameters, timeout), and named by its own URL.
        let prom = PrometheusConfig { url: source.url.clone(), ..cfg.prometheus.clone() };
        let answer = prom::get(&prom, &rules_url(&source.url), Some(signal), decode_rules, &mut notes).await;
        if answer.as_ref().is_err_and(PromError::is_aborted) {
            return Err(PromError::aborted());
        }
        gathering.add(source, answer.map(|r| r.rules));
    }
    let (rules, unanswered) = gathering.finish()?;
    let base = &cfg.prometheus.url;
    let window = query_window(range, 1_000, cfg.prometheus.scrape_interval_secs);
    let url = query_range_url(base, ALERTS_QUERY, &window);
    let series = prom::get(&cfg.prometheus, &url, Some(signal), decode_query_range, &mut notes).await?;
    let bands = alert_bands(&series, window.start_secs, window.end_secs, window.step.secs() as f64);
    let bands = chart_bands(&bands, &rules, names);
    Ok((rules, unanswered, bands))
}

/// Asks how many series each selector of [`selectors_to_ask`] matches over the last hour;
/// answers whether any new count came in. A lookup that fails (a series limit, a timeout) leaves
/// its selector unjudged, not the rules unshown: the next refresh asks again.
async fn ask_selectors(
    cfg: &Config,
    rules: &[Rule],
    counts: StoredValue<Vec<(String, usize)>>,
    signal: &AbortSignal,
) -> bool {
    let base = &cfg.prometheus.url;
    let now = now_secs() as i64;
    let mut asked = false;
    let Some(selectors) = counts.try_with_value(|c| selectors_to_ask(rules, c)) else {
        return false;
    };
    for selector in selectors {
        let url = series_url(base, &selector, now - 3_600, now);
        match prom::get(&cfg.prometheus, &url, Some(signal), decode_series, &mut Vec::new()).await {
            Ok(found) => {
                counts.try_update_value(|c| c.push((selector, found.len())));
                asked = true;
            }
            Err(e) if e.is_aborted() => return asked,
            Err(_) => {}
        }
    }
    asked
}

/// The alerts panel: every rule of the page's [`Health`].
#[component]
pub fn AlertsPanel(spec: &'static PanelSpec) -> impl IntoView {
    let Dash { cfg, flavor, .. } = use_dash();
    let health = use_health();
    let (body, set_body) = signal(TextBody::Loading(String::new()));
    effect(move || {
        set_body.set(health.with(|h| match h.as_deref() {
            None => TextBody::Loading(String::new()),
            Some(Ok(h)) => {
                let now = now_secs();
                let no_rules = no_rules_reason(&cfg.rule_sources, flavor.get());
                let html = alerts_html(h, &cfg.alert_priorities, now, utc_offset_at(now), no_rules);
                // The query of the bands this panel stands for (the rules are not a query).
                TextBody::Ready { html, query: Some(ALERTS_QUERY.to_owned()) }
            }
            Some(Err(e)) => TextBody::Error(e.clone()),
        }));
    });
    view! { <TextFrame spec body/> }
}
