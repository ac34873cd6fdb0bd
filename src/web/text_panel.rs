//! The text panels (`PanelKind::Text`): alerts, SLOs and sources. Their markup comes whole from
//! the core (escaped by construction, see `core::html`) and is set with one `innerHTML`; this
//! file only asks the sources and says when the panel is ready.

use std::sync::Arc;

use web_sys::HtmlElement;

use crate::core::config::{Config, JaegerApi};
use crate::core::panels::PanelSpec;
use crate::core::sources::{
    is_cross_origin, keep, probe_urls, seen, sources_html, Seen, Source, SourceRow,
};
use crate::web::dom::{el, set_attr, spawn, text_el};
use crate::web::http::{answers_opaquely, get_text};

/// A text panel's frame: `<section class="panel text" data-panel=… data-state="loading">`, its
/// title, and the element its markup goes in.
pub fn frame(spec: &PanelSpec) -> (HtmlElement, HtmlElement) {
    let root = el("section", "panel text", None);
    set_attr(&root, "data-panel", Some(spec.id));
    set_attr(&root, "data-state", Some("loading"));
    text_el("h2", "", spec.title, Some(&root));
    let body = el("div", "body", Some(&root));
    (root, body)
}

/// The sources panel: each configured source asked once when the panel is built (a diagnosis,
/// not a metric: it does not follow the refresh).
pub fn sources(spec: &PanelSpec, cfg: Arc<Config>) -> HtmlElement {
    let (root, body) = frame(spec);
    let mut rows = vec![SourceRow {
        source: Source::Prometheus,
        url: cfg.prometheus.url.clone(),
        seen: None,
    }];
    let jaeger_api = cfg.jaeger.as_ref().and_then(|jc| match jc.api {
        JaegerApi::Fixed(api) => Some(api),
        JaegerApi::Auto => None,
    });
    if let Some(jc) = &cfg.jaeger {
        rows.push(SourceRow {
            source: Source::Jaeger,
            url: jc.url.clone(),
            seen: None,
        });
    }
    body.set_inner_html(&sources_html(&rows));
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let panel = root.clone();
    spawn(async move {
        for i in 0..rows.len() {
            let (source, url) = (rows[i].source, rows[i].url.clone());
            let cross_origin = is_cross_origin(&url, &origin);
            let mut found = None;
            for probe in probe_urls(source, &url, jaeger_api) {
                let answer = get_text(&probe, None, cfg.prometheus.timeout_secs).await;
                let mut s = seen(
                    source,
                    answer
                        .as_ref()
                        .map(|(status, body)| (*status, body.as_str()))
                        .map_err(|_| ()),
                    cross_origin,
                );
                if let Seen::NoAnswer { opaque_answer, .. } = &mut s {
                    *opaque_answer = cross_origin && answers_opaquely(&probe, cfg.prometheus.timeout_secs).await;
                }
                let answered = matches!(s, Seen::Answered { .. });
                found = Some(keep(found, s));
                if answered {
                    break;
                }
            }
            rows[i].seen = found;
            body.set_inner_html(&sources_html(&rows));
        }
        set_attr(&panel, "data-state", Some("ready"));
    });
    root
}
