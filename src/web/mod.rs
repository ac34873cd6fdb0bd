//! The browser shell: fetches, holds signals, hands canvases to the core. No logic that could
//! be a plain function lives here.

mod http;
mod panel;

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::config::{parse_config, Config};
use crate::core::metrics::{resolve, MetricNames};
use crate::core::panels::{Group, PANELS};
use crate::core::prom::decode_label_values;
use crate::core::time::TimeRange;
use panel::{Panel, PanelContext};

/// Entry point: installs the panic screen, then mounts the app.
pub fn start() {
    std::panic::set_hook(Box::new(|info| show_panic(&info.to_string())));
    leptos::mount::mount_to_body(App);
}

/// A Rust panic must never leave a blank page: say what happened, in place.
fn show_panic(message: &str) {
    web_sys::console::error_1(&format!("arrwdb-ops panicked: {message}").into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(el) = doc.get_element_by_id("panic") {
        el.set_text_content(Some(&format!(
            "arrwdb-ops stopped because of an internal error. Reload the page to start again.\n\n{message}"
        )));
        let _ = el.remove_attribute("hidden");
    }
}

/// Loads and validates `config.json` (beside index.html).
async fn load_config() -> Result<Config, String> {
    let (status, body) = http::get_text("config.json", None)
        .await
        .map_err(|e| format!("config.json could not be loaded: {e}"))?;
    if !(200..300).contains(&status) {
        return Err(format!("config.json could not be loaded: HTTP {status}"));
    }
    parse_config(&body).map_err(|e| e.to_string())
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let config = LocalResource::new(load_config);
    view! {
        <header>
            <h1>"arrwDB ops"</h1>
            <span class="sub">"last 1 hour"</span>
        </header>
        <Suspense fallback=|| view! { <p class="screen">"Loading configuration…"</p> }>
            {move || {
                config
                    .get()
                    .map(|result| match result {
                        Ok(cfg) => view! { <Dashboard cfg=Arc::new(cfg) /> }.into_any(),
                        Err(message) => {
                            view! {
                                <div class="screen" data-screen="config-error" role="alert">
                                    <h2>"The configuration could not be used"</h2>
                                    <p>{message}</p>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

/// Asks Prometheus which metric names exist and resolves the ones the panels need. If the list
/// cannot be had, the first spelling of each is assumed and each panel reports what it gets.
async fn discover_metrics(cfg: &Config) -> MetricNames {
    let url = format!("{}/api/v1/label/__name__/values", cfg.prometheus.url);
    match http::get_text(&url, None).await {
        Ok((status, body)) => match decode_label_values(status, &body) {
            Ok(answer) => resolve(&answer.data, &cfg.metrics),
            Err(_) => MetricNames::assumed(),
        },
        Err(_) => MetricNames::assumed(),
    }
}

/// The panels, refreshed together every `refresh_secs`.
#[component]
fn Dashboard(cfg: Arc<Config>) -> impl IntoView {
    let (tick, set_tick) = signal(0u64);
    if cfg.refresh_secs > 0 {
        let handle = set_interval_with_handle(
            move || set_tick.update(|t| *t += 1),
            std::time::Duration::from_secs(cfg.refresh_secs),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    let range = Signal::derive(move || {
        tick.track();
        let now = js_sys::Date::now() / 1_000.0;
        TimeRange::last(3_600.0, now).unwrap_or_else(|_| TimeRange::new(0.0, 1.0).expect("0 < 1"))
    });
    let discovery_cfg = cfg.clone();
    let names = LocalResource::new(move || {
        let cfg = discovery_cfg.clone();
        async move { discover_metrics(&cfg).await }
    });
    view! {
        <Suspense fallback=|| view! { <p class="screen">"Asking Prometheus which metrics exist…"</p> }>
            {move || {
                names
                    .get()
                    .map(|names| {
                        let ctx = PanelContext { cfg: cfg.clone(), names: Arc::new(names), range };
                        Group::ALL
                            .iter()
                            .map(|group| {
                                let ctx = ctx.clone();
                                view! {
                                    <h2 class="group">{group.title()}</h2>
                                    <main>
                                        {PANELS
                                            .iter()
                                            .filter(|p| p.group == *group)
                                            .map(|spec| view! { <Panel spec=spec ctx=ctx.clone() /> })
                                            .collect_view()}
                                    </main>
                                }
                            })
                            .collect_view()
                    })
            }}
        </Suspense>
    }
}
