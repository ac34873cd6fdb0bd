//! What every component of the dashboard shares, provided once by `Dashboard` as context.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::config::Config;
use crate::core::flavor::Flavor;
use crate::core::metrics::MetricNames;
use crate::core::sources::Seen;
use crate::core::state::{Theme, ViewState};
use crate::core::time::TimeRange;
use crate::web::jaeger::Jaeger;

/// The dashboard's shared state: the configuration, the view state (the URL), the range it
/// resolves to (again at every refresh), the refresh count and the time under the pointer.
#[derive(Clone)]
pub struct Dash {
    pub cfg: Arc<Config>,
    pub view: RwSignal<ViewState>,
    /// The range to show; it changes on every refresh of a relative range and when the user
    /// chooses one, never with the rest of the view (theme, isolation, drill-down).
    pub range: ReadSignal<TimeRange>,
    /// How many refreshes have come due (timer or button).
    pub refreshes: RwSignal<u32>,
    /// The time under the pointer on any chart: every chart draws its crosshair there.
    pub hover_secs: RwSignal<Option<f64>>,
    /// `None` when config.json has no `jaeger` section.
    pub jaeger: Option<Jaeger>,
    /// Notified when the window is resized: charts redraw at their new size.
    pub resized: RwSignal<u32>,
    /// Which backend answers the queries: `prometheus.flavor`, else what the dashboard's probe
    /// of its build information found (`None` until then, or when it cannot tell).
    pub flavor: RwSignal<Option<Flavor>>,
    /// What the probe of the query backend's build information saw (`None` until it is in);
    /// the sources panel shows it.
    pub prometheus_seen: RwSignal<Option<Seen>>,
    /// The metric names the panels ask for: each metric's expected spelling (config.json's
    /// override, else the real arrwDB's) until Prometheus has said which exist, then those. The
    /// panels ask at once, and again only if the names Prometheus has are others.
    pub names: RwSignal<Arc<MetricNames>>,
    /// How many chart and table panels have not had their first answer yet.
    pub charts_waiting: RwSignal<u32>,
    /// Whether every chart and table panel has had its first answer (set once by `Panels`, and
    /// stays true): the text panels, rule health and the probes start then, so that they never
    /// slow a chart.
    pub first_round: RwSignal<bool>,
}

/// What Prometheus said of the metric names, once it has: the names resolved and the names that
/// exist (`None` until then).
pub type Discovered = ReadSignal<Option<(Arc<MetricNames>, Arc<Vec<String>>)>>;

pub fn use_dash() -> Dash {
    expect_context::<Dash>()
}

/// Runs `run` once, as soon as the charts' first round is over.
pub fn after_first_round(dash: &Dash, run: impl FnOnce() + 'static) {
    let first_round = dash.first_round;
    let mut run = Some(run);
    crate::web::effect(move || {
        if first_round.get() {
            if let Some(run) = run.take() {
                run();
            }
        }
    });
}

/// Counts a chart or table panel among those the first round waits for, until `answered` is
/// called (or the panel goes away).
pub fn wait_for_first_answer(dash: &Dash) -> impl Fn() + Clone + 'static {
    let waiting = dash.charts_waiting;
    waiting.update(|n| *n += 1);
    let counted = Arc::new(AtomicBool::new(true));
    let answered = move || {
        if counted.swap(false, Ordering::Relaxed) {
            waiting.try_update(|n| *n = n.saturating_sub(1));
        }
    };
    on_cleanup(answered.clone());
    answered
}

/// Whether charts draw in their light theme.
pub fn is_light(theme: Theme) -> bool {
    match theme {
        Theme::Light => true,
        Theme::Dark => false,
        Theme::System => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: light)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}
