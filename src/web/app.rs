//! The page: `App` loads config.json and shows the `Dashboard` or what is wrong with it; the
//! dashboard provides the shared state (`context::Dash`) and lays out the panels by group.

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::config::{parse_config, Config, DEFAULT_TIMEOUT_SECS};
use crate::core::metrics::MetricNames;
use crate::core::panels::{panel as find_panel, Group, PanelSpec, Show, TextPanel};
use crate::core::sources::Source;
use crate::core::state::Refresh;
use crate::web::chart::ChartPanel;
use crate::web::context::{after_first_round, use_dash, Dash};
use crate::web::drill_down::DrillDown;
use crate::web::header::Header;
use crate::web::health::{provide_health, AlertsPanel};
use crate::web::http::get_text;
use crate::web::jaeger::Jaeger;
use crate::web::table::TablePanel;
use crate::web::text_panels::{probe, SloPanel, SourcesPanel};
use crate::web::{changes, effect, embed, now_secs, on_change, prom, url_state};

/// Loads and validates `config.json` (beside index.html).
async fn load_config() -> Result<Config, String> {
    let (status, body) = get_text("config.json", None, DEFAULT_TIMEOUT_SECS)
        .await
        .map_err(|_| "config.json could not be loaded: the request failed".to_owned())?;
    if !(200..300).contains(&status) {
        return Err(format!("config.json could not be loaded: HTTP {status}"));
    }
    parse_config(&body).map_err(|e| e.to_string())
}

#[component]
pub fn App() -> impl IntoView {
    let (config, set_config) = signal(None);
    leptos::task::spawn_local(async move { set_config.set(Some(load_config().await)) });
    move || match config.get() {
        None => view! { <p class="screen">"Loading configuration…"</p> }.into_any(),
        Some(Ok(cfg)) => view! { <Dashboard cfg=Arc::new(cfg)/> }.into_any(),
        Some(Err(message)) => view! { <ConfigError message/> }.into_any(),
    }
}

#[component]
fn ConfigError(message: String) -> impl IntoView {
    view! {
        <div class="screen" data-screen="config-error" role="alert">
            <h2>"The configuration could not be used"</h2>
            <p>{message}</p>
            <p>"Fix config.json beside index.html and reload; see the README's Configuration section."</p>
        </div>
    }
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Counts refreshes: every period of the view's refresh choice (skipped while the tab is
/// hidden, caught up as soon as it is visible again).
fn refresh_timer(view: RwSignal<crate::core::state::ViewState>, refreshes: RwSignal<u32>, default: Refresh) {
    let period = changes(move |_| view.with(|v| v.effective_refresh(default)).period_secs());
    effect(move || {
        let Some(secs) = period.get() else { return };
        let tick = move || {
            if !page_hidden() {
                refreshes.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(secs)) {
            on_cleanup(move || handle.clear());
        }
    });
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        if !page_hidden() && period.get_untracked().is_some() {
            refreshes.update(|n| *n += 1);
        }
    });
    on_cleanup(move || visibility.remove());
}

#[component]
fn Dashboard(cfg: Arc<Config>) -> impl IntoView {
    let (view, warnings) = url_state::url_view();
    let refreshes = RwSignal::new(0u32);
    refresh_timer(view, refreshes, Refresh::from_config_secs(cfg.refresh_secs));
    // The range follows the refreshes and the range the user chose, nothing else of the view:
    // a relative range resolved again (a new "now") would re-query every panel when the theme,
    // a legend row or the drill-down changes.
    // It is set only when it changes, as a memo would be.
    let (range, set_range) = signal(view.with_untracked(|v| v.range).resolve(now_secs()));
    on_change(move || (refreshes.get(), view.with(|v| v.range)), move |(_, chosen), _| {
        let next = chosen.resolve(now_secs());
        if range.with_untracked(|r| *r != next) {
            set_range.set(next);
        }
    });
    effect(move || {
        let (theme, transparent) = view.with(|v| (v.theme, v.transparent));
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.as_str());
            let _ = root.set_attribute("data-bg", if transparent { "transparent" } else { "solid" });
        }
    });
    let resized = RwSignal::new(0u32);
    let resize = window_event_listener_untyped("resize", move |_| resized.update(|n| *n += 1));
    on_cleanup(move || resize.remove());
    let dash = Dash {
        cfg: cfg.clone(),
        view,
        range,
        refreshes,
        hover_secs: RwSignal::new(None),
        jaeger: cfg.jaeger.clone().map(Jaeger::new),
        resized,
        flavor: RwSignal::new(cfg.prometheus.flavor),
        prometheus_seen: RwSignal::new(None),
        names: RwSignal::new(Arc::new(MetricNames::expected(&cfg.metrics))),
        charts_waiting: RwSignal::new(0),
        first_round: RwSignal::new(false),
    };
    provide_context(dash.clone());
    embed::connect(&cfg, view);
    probe_backend(&dash);

    // Which metric names exist, asked beside the panels' first queries (which use the expected
    // names): a panel asks again only if Prometheus has other names. The pickers and rule
    // health wait for it.
    let (discovered, set_discovered) = signal(None);
    let names = dash.names;
    leptos::task::spawn_local({
        let cfg = cfg.clone();
        async move {
            let (found, existing) = prom::discover_metrics(&cfg, range.get_untracked()).await;
            let found = Arc::new(found);
            if names.try_with_untracked(|n| **n != *found) == Some(true) {
                names.try_set(found.clone());
            }
            set_discovered.try_set(Some((found, Arc::new(existing))));
        }
    });
    provide_health(discovered);
    view! {
        <Header discovered/>
        // One `main` landmark holds everything below the header.
        <main>
        <ul class="warnings" role="status" hidden=Signal::derive(move || warnings.with(Vec::is_empty))>
            {move || warnings.with(|w| w.iter().map(|w| view! { <li>{w.to_string()}</li> }).collect_view())}
        </ul>
        <DrillDown/>
        <Panels/>
        </main>
    }
}

/// After the charts' first round, asks the query backend's build information once: the sources
/// panel shows it, and the flavor it names (unless config.json names one) tells the panels what
/// the backend does not serve.
fn probe_backend(dash: &Dash) {
    let Dash { cfg, flavor, prometheus_seen, .. } = dash.clone();
    after_first_round(dash, move || {
        leptos::task::spawn_local(async move {
            let seen = probe(Source::Prometheus, &cfg.prometheus.url, None, cfg.prometheus.timeout_secs)
                .await
                .with_configured_flavor(cfg.prometheus.flavor);
            if let Some(found) = seen.flavor() {
                flavor.try_set(Some(found));
            }
            prometheus_seen.try_set(Some(seen));
        });
    });
}

/// The panels by group, or the one panel `?panel=` names.
#[component]
fn Panels() -> impl IntoView {
    let Dash { view, charts_waiting, first_round, .. } = use_dash();
    // Runs once the panels are built: the first round is over when none waits any more.
    effect(move || {
        if charts_waiting.get() == 0 && !first_round.get_untracked() {
            first_round.set(true);
        }
    });
    // Redrawn only when the panel named changes, not with every change of the view.
    let single = changes(move |_| view.with(|v| v.panel.clone()));
    move || match single.get() {
        None => view! {
            <div>
                {Group::ALL.iter().map(|group| view! {
                    <section class="group" aria-label=group.title()>
                        <h2 class="group">{group.title()}</h2>
                        <div class="grid">
                            {group.panels().map(|spec| view! { <Panel spec/> }).collect_view()}
                        </div>
                    </section>
                }).collect_view()}
            </div>
        }
        .into_any(),
        Some(id) => match find_panel(&id) {
            Some(spec) => view! { <div class="grid single"><Panel spec/></div> }.into_any(),
            None => view! {
                <p class="screen" role="alert">{format!("There is no panel named “{id}”.")}</p>
            }
            .into_any(),
        },
    }
}

/// One panel, by what it shows.
#[component]
fn Panel(spec: &'static PanelSpec) -> impl IntoView {
    match spec.show {
        Show::Chart => view! { <ChartPanel spec/> }.into_any(),
        Show::Table { max_rows } => view! { <TablePanel spec max_rows/> }.into_any(),
        Show::Text(TextPanel::Alerts) => view! { <AlertsPanel spec/> }.into_any(),
        Show::Text(TextPanel::Slo) => view! { <SloPanel spec/> }.into_any(),
        Show::Text(TextPanel::Sources) => view! { <SourcesPanel spec/> }.into_any(),
    }
}
