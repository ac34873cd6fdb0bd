//! How a chart or table panel loads: one load per refresh and per change of its `Ask` (range,
//! handler, scope, width), folded into the core's `PanelData`. A refresh that comes due while the
//! previous load is in flight does not abort it: the panel is marked late, and one load with
//! the newest ask goes out when the answer is in. A range, handler or scope the user chooses aborts
//! what it makes stale.

use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;

use crate::core::panel_view::{Ask, Contract, PanelData};
use crate::core::panels::PanelSpec;
use crate::web::{effect, on_change};
use crate::web::context::{use_dash, wait_for_first_answer};
use crate::web::http::AbortSlot;
use crate::web::prom::load_panel;

/// A panel's data and whether its answer is late.
#[derive(Clone, Copy)]
pub struct PanelLoad {
    pub data: ReadSignal<PanelData>,
    pub late: ReadSignal<bool>,
}

/// Loads `spec` drawn as wide as `body` (read when the ask is made; nothing is asked until it
/// is there).
pub fn use_panel_load(spec: &'static PanelSpec, body: NodeRef<Div>) -> PanelLoad {
    let dash = use_dash();
    let names = dash.names;
    let cfg = dash.cfg.clone();
    let (view, range) = (dash.view, dash.range);
    // What a load depends on: the refresh count (every refresh asks again, even when the
    // step-aligned window has not moved: it is how a panel learns that Prometheus went away, or
    // came back), the ask, and what the user chose (a change of it is the user's, not a
    // refresh). Nothing until the body is there to be measured.
    let refreshes = dash.refreshes;
    let key = move || {
        let width = body.get().map(|b| b.client_width().max(100) as u32)?;
        let refresh = refreshes.get();
        Some(view.with(|v| {
            let ask = names.with(|names| Ask::new(spec, names, &cfg.prometheus, v, range.get(), width));
            (refresh, ask, (v.range, v.handler.clone(), v.clusters.clone(), v.instances.clone()))
        }))
    };
    let (data, set_data) = signal(PanelData::default());
    let (late, set_late) = signal(false);
    // Counts the loads that ended: the queued ask goes out after each.
    let (answered, set_answered) = signal(0u32);
    let slot = AbortSlot::new();
    let in_flight = StoredValue::new(false);
    // The newest ask that came while a load was in flight.
    let queued = StoredValue::new(None::<Ask>);
    let prom = Arc::new(dash.cfg.prometheus.clone());
    let answered_once = wait_for_first_answer(&dash);
    let unaskable_answered = answered_once.clone();
    let start = move |ask: Ask| {
        let answered_once = answered_once.clone();
        let Some(signal) = slot.renew() else { return };
        in_flight.set_value(true);
        let prom = prom.clone();
        leptos::task::spawn_local(async move {
            let result = load_panel(&prom, &ask, Some(&signal)).await.map(Arc::new);
            if result.as_ref().is_err_and(|e| e.is_aborted()) {
                return;
            }
            in_flight.try_set_value(false);
            set_late.try_set(false);
            set_data.try_update(|d| {
                if let Some(next) = d.after(&result) {
                    *d = next;
                }
            });
            set_answered.try_update(|n| *n += 1);
            answered_once();
        });
    };
    let start_now = start.clone();
    on_change(key, move |asked, previous| {
        let Some((_, ask, chosen)) = asked else { return };
        let next = match ask {
            Err(why) => {
                unaskable_answered();
                return set_data.set(PanelData::unaskable(why));
            }
            Ok(next) => next.clone(),
        };
        let user_change = previous.and_then(Option::as_ref).map(|(_, _, c)| c) != Some(chosen);
        if in_flight.get_value() && !user_change {
            set_late.set(true);
            queued.set_value(Some(next));
        } else {
            queued.set_value(None);
            start_now(next);
        }
    });
    effect(move || {
        answered.track();
        if let Some(next) = queued.try_update_value(Option::take).flatten() {
            start(next);
        }
    });
    PanelLoad { data, late }
}

/// The frame of a chart or table panel: `section[data-panel]` with its DOM contract, the title
/// (and what goes beside it), then the body.
#[component]
pub fn PanelFrame(
    spec: &'static PanelSpec,
    class: &'static str,
    facts: ReadSignal<Contract>,
    /// Shown in the title after the panel's name.
    #[prop(optional)]
    title_extra: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    let attr = move |f: fn(&Contract) -> Option<String>| Signal::derive(move || facts.with(f));
    view! {
        <section class=class data-panel=spec.id
            data-state=attr(|f| Some(f.state.to_owned()))
            data-series=attr(|f| f.series.map(|n| n.to_string()))
            data-query=attr(|f| f.query.clone())
            data-start=attr(|f| f.start.clone())
            data-end=attr(|f| f.end.clone())
            data-step=attr(|f| f.step.clone())
            data-stale=attr(|f| f.stale.map(str::to_owned))>
            <h2>{spec.title}{title_extra}</h2>
            {children()}
        </section>
    }
}
