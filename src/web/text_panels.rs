//! The text panels' frame, and the SLO and sources panels. Their markup comes whole from the
//! core (escaped by construction, see `core::html`); this file asks what they need and says
//! when each is ready. The alerts panel is `health::AlertsPanel`.


use leptos::prelude::*;

use crate::core::config::JaegerApi;
use crate::core::jaeger::ApiVersion;
use crate::core::html::Html;
use crate::core::panels::PanelSpec;
use crate::core::prom::{decode_label_values, decode_query, label_values_url, query_url, QueryData};
use crate::core::slo::{bucket_bounds_selector, evaluate, evaluation_unix, read_slo_answer, slo_html, slo_query};
use crate::core::sources::{is_cross_origin, keep, probe_urls, seen, sources_html, Seen, Source, SourceRow};
use crate::web::context::{after_first_round, use_dash, Dash};
use crate::web::http::{answers_opaquely, get_text, AbortSlot};
use crate::web::{effect, now_secs, prom};

/// What a text panel shows: its state (`data-state`), the query it stands for, its markup (from
/// the core) or a sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum TextBody {
    /// Not ready yet, with the markup known so far (may be empty).
    Loading(String),
    /// Markup from the core, and the query it answers (`data-query`), if any.
    Ready { html: String, query: Option<String> },
    Error(String),
}

impl TextBody {
    fn state(&self) -> Option<String> {
        let name = match self {
            TextBody::Loading(_) => "loading",
            TextBody::Ready { .. } => "ready",
            TextBody::Error(_) => "error",
        };
        Some(name.to_owned())
    }

    fn query(&self) -> Option<String> {
        match self {
            TextBody::Ready { query, .. } => query.clone(),
            _ => None,
        }
    }

    /// The core's markup, or the sentence escaped as text.
    fn html(&self) -> String {
        match self {
            TextBody::Loading(html) | TextBody::Ready { html, .. } => html.clone(),
            TextBody::Error(message) => Html::new().text(message).as_str().to_owned(),
        }
    }
}

/// `<section class="panel text" data-panel=… data-state=…>`, its title and its body.
#[component]
pub fn TextFrame(spec: &'static PanelSpec, body: ReadSignal<TextBody>) -> impl IntoView {
    let part = move |f: fn(&TextBody) -> Option<String>| Signal::derive(move || body.with(f));
    view! {
        <section class="panel text" data-panel=spec.id data-state=part(TextBody::state) data-query=part(TextBody::query)>
            <h2>{spec.title}</h2>
            <div class="body" inner_html=Signal::derive(move || body.with(TextBody::html))></div>
        </section>
    }
}

/// The SLO panel: one instant query per refresh ([`slo_query`]), evaluated at the end of the
/// range (at the latest 5 s ago, so that every sample up to then has arrived and Prometheus
/// answers the same question the same way when asked again). The latency histogram's bucket
/// bounds are asked first, once, so that the query reads only the buckets the SLOs use.
#[component]
pub fn SloPanel(spec: &'static PanelSpec) -> impl IntoView {
    let dash = use_dash();
    let (cfg, range, names) = (dash.cfg.clone(), dash.range, dash.names);
    let slot = AbortSlot::new();
    // The histogram's bucket bounds, once Prometheus has named them (`None`: not yet).
    let bounds = StoredValue::new(None::<Vec<String>>);
    let (body, set_body) = signal(TextBody::Loading(String::new()));
    let first_round = dash.first_round;
    effect(move || {
        if !first_round.get() {
            return;
        }
        let (cfg, names, range) = (cfg.clone(), names.get(), range.get());
        let Some(signal) = slot.renew() else { return };
        let answer = async move {
            let eval_unix = evaluation_unix(range.end_secs(), now_secs());
            let (job, base) = (&cfg.prometheus.job, &cfg.prometheus.url);
            if let Some(selector) = bucket_bounds_selector(&names, job, &cfg.slos).filter(|_| bounds.with_value(Option::is_none)) {
                let url = label_values_url(base, "le", Some(&selector), eval_unix - 86_400, eval_unix);
                // Not answered: every bucket is asked, and the bounds again next time.
                if let Ok(found) = prom::get(&cfg.prometheus, &url, Some(&signal), decode_label_values, &mut Vec::new()).await {
                    bounds.set_value(Some(found));
                }
            }
            let query = match bounds.with_value(|b| slo_query(&names, job, &cfg.slos, b.as_deref().unwrap_or_default())) {
                Ok(q) => q,
                Err(missing) => return Some(TextBody::Error(missing)),
            };
            let url = query_url(base, &query, eval_unix);
            match prom::get(&cfg.prometheus, &url, Some(&signal), decode_query, &mut Vec::new()).await {
                Err(e) if e.is_aborted() => None,
                Err(e) => Some(TextBody::Error(e.to_string())),
                Ok(data) => {
                    let samples = match data {
                        QueryData::Vector(samples) => samples,
                        _ => Vec::new(),
                    };
                    let counts = read_slo_answer(&samples);
                    let reports: Vec<_> = cfg.slos.iter().map(|o| evaluate(o, &counts)).collect();
                    let html = slo_html(&reports, &names, &cfg.prometheus.job, eval_unix);
                    Some(TextBody::Ready { html, query: Some(query) })
                }
            }
        };
        leptos::task::spawn_local(async move {
            if let Some(shown) = answer.await {
                set_body.try_set(shown);
            }
        });
    });
    view! { <TextFrame spec body/> }
}

/// What the browser sees of `source` at `url`: each of its probe URLs in turn until one
/// answers as the API (a cross-origin one that cannot be read is asked again in `no-cors` mode,
/// to tell CORS from a dead server).
pub async fn probe(source: Source, url: &str, jaeger_api: Option<ApiVersion>, timeout_secs: u32) -> Seen {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let cross_origin = is_cross_origin(url, &origin);
    let mut found = Seen::NoAnswer { cross_origin, opaque_answer: false };
    for (i, probe) in probe_urls(source, url, jaeger_api).iter().enumerate() {
        let answer = get_text(probe, None, timeout_secs).await;
        let answer = answer.as_ref().map(|(status, body)| (*status, body.as_str())).map_err(|_| ());
        let mut s = seen(source, answer, cross_origin);
        if let Seen::NoAnswer { opaque_answer, .. } = &mut s {
            *opaque_answer = cross_origin && answers_opaquely(probe, timeout_secs).await;
        }
        let answered = matches!(s, Seen::Answered { .. });
        found = if i == 0 { s } else { keep(Some(found), s) };
        if answered {
            break;
        }
    }
    found
}

/// The sources panel: the query backend as the dashboard's probe saw it, and Jaeger asked once
/// after the charts' first round (a diagnosis, not a metric: it does not follow the refresh).
#[component]
pub fn SourcesPanel(spec: &'static PanelSpec) -> impl IntoView {
    let dash = use_dash();
    let Dash { cfg, prometheus_seen, .. } = dash.clone();
    let jaeger_seen = RwSignal::new(None::<Seen>);
    if let Some(jc) = cfg.jaeger.clone() {
        let api = match jc.api {
            JaegerApi::Fixed(api) => Some(api),
            JaegerApi::Auto => None,
        };
        after_first_round(&dash, move || {
            leptos::task::spawn_local(async move {
                jaeger_seen.try_set(Some(probe(Source::Jaeger, &jc.url, api, jc.timeout_secs).await));
            });
        });
    }
    let (body, set_body) = signal(TextBody::Loading(String::new()));
    effect(move || {
        let mut rows = vec![SourceRow { source: Source::Prometheus, url: cfg.prometheus.url.clone(), seen: prometheus_seen.get() }];
        if let Some(jc) = &cfg.jaeger {
            rows.push(SourceRow { source: Source::Jaeger, url: jc.url.clone(), seen: jaeger_seen.get() });
        }
        let html = sources_html(&rows);
        set_body.set(if rows.iter().all(|r| r.seen.is_some()) { TextBody::Ready { html, query: None } } else { TextBody::Loading(html) });
    });
    view! { <TextFrame spec body/> }
}
