//! What a chart shows over its canvas, each a component its spec's capabilities choose: the
//! pointer's overlays (shared crosshair, drag selection, tooltip, the drag's menu), alert
//! bands, error spikes and the trace scatter.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::alerts::{band_marks, bands_html};
use crate::core::drill::{exemplar_dots, narrowing, Dot, ReplicaTag, Scatter};
use crate::core::panel_view::{dot_marks, dots_html, extent_css, spike_marks, spikes_html, tooltip, Drawn, PanelData};
use crate::core::panels::PanelSpec;
use crate::core::flavor::Flavor;
use crate::core::prom::{decode_exemplars, exemplars_url};
use crate::web::context::use_dash;
use crate::web::health::use_health;
use crate::web::http::AbortSlot;
use crate::web::{changes, on_change, prom, row_data, utc_offset_at};

/// A drag shorter than this many CSS pixels is a click.
const MIN_DRAG_PX: f64 = 5.0;

/// A finished drag waiting for the menu's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chosen {
    from_secs: i64,
    to_secs: i64,
    left_px: f64,
    width_px: f64,
}

/// The pointer over one chart: where a drag started, where the pointer is, the drag waiting
/// for the menu (CSS pixels from the canvas's left edge).
#[derive(Clone, Copy)]
pub struct Pointer {
    drag_from_px: RwSignal<Option<f64>>,
    at_px: RwSignal<Option<f64>>,
    chosen: RwSignal<Option<Chosen>>,
}

fn x_in_target(ev: &web_sys::PointerEvent) -> f64 {
    use wasm_bindgen::JsCast;
    let left = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map_or(0.0, |t| t.get_bounding_client_rect().left());
    f64::from(ev.client_x()) - left
}

impl Pointer {
    pub fn new() -> Self {
        Pointer {
            drag_from_px: RwSignal::new(None),
            at_px: RwSignal::new(None),
            chosen: RwSignal::new(None),
        }
    }

    pub fn down(self, ev: &web_sys::PointerEvent) {
        self.drag_from_px.set(Some(x_in_target(ev)));
    }

    pub fn moved(self, ev: &web_sys::PointerEvent, drawn: ReadSignal<Option<Arc<Drawn>>>) {
        let x = x_in_target(ev);
        self.at_px.set(Some(x));
        let t = drawn.with_untracked(|d| d.as_ref().and_then(|d| d.axis.time_at(x)));
        use_dash().hover_secs.set(t);
    }

    /// A drag selects a window: with Jaeger configured, a menu asks what to do with it (zoom,
    /// or its traces); without, it zooms.
    pub fn up(self, ev: &web_sys::PointerEvent, drawn: ReadSignal<Option<Arc<Drawn>>>) {
        let Some(from) = self.drag_from_px.get_untracked() else { return };
        self.drag_from_px.set(None);
        let to = x_in_target(ev);
        if (to - from).abs() < MIN_DRAG_PX {
            return;
        }
        let times = drawn.with_untracked(|d| d.as_ref().map(|d| (d.axis.time_at(from), d.axis.time_at(to))));
        let Some((Some(a), Some(b))) = times else { return };
        let (from_secs, to_secs) = (a.min(b).floor() as i64, a.max(b).ceil() as i64);
        let dash = use_dash();
        if dash.jaeger.is_some() {
            self.chosen.set(Some(Chosen {
                from_secs,
                to_secs,
                left_px: from.min(to),
                width_px: (to - from).abs(),
            }));
        } else {
            dash.view.update(|v| *v = v.zoomed(from_secs, to_secs));
        }
    }

    pub fn left(self) {
        self.drag_from_px.set(None);
        self.at_px.set(None);
        use_dash().hover_secs.set(None);
    }
}

/// The crosshair (at the time under the pointer on any chart), the drag's selection, the
/// tooltip and the menu of a finished drag.
#[component]
pub fn PointerOverlays(spec: &'static PanelSpec, drawn: ReadSignal<Option<Arc<Drawn>>>, pointer: Pointer) -> impl IntoView {
    let dash = use_dash();
    let (view, hover) = (dash.view, dash.hover_secs);
    let hide = || "display: none".to_owned();
    let crosshair = Signal::derive(move || {
        let t = hover.get();
        let x = drawn.with(|d| d.as_ref()?.axis.x_at(t?));
        x.map_or_else(hide, |x| format!("left: {}px", x.round() as i64))
    });
    let selection = Signal::derive(move || {
        let dragging = pointer.drag_from_px.get().zip(pointer.at_px.get()).map(|(a, b)| (a.min(b), (b - a).abs()));
        let waiting = pointer.chosen.get().map(|c| (c.left_px, c.width_px));
        dragging.or(waiting).map_or_else(hide, |(left, width)| extent_css(left, width))
    });
    // Empty (and so not shown, see the style sheet) while the pointer is off the chart.
    let tip = Signal::derive(move || {
        pointer.at_px.get()?;
        let t = hover.get()?;
        drawn.with(|d| {
            let d = d.as_ref()?;
            Some(tooltip(t, &d.shown, spec.unit, utc_offset_at(t), d.step_secs))
        })
    });
    let menu_style = Signal::derive(move || {
        pointer.chosen.get().map_or_else(hide, |c| format!("left: {}px", (c.left_px + c.width_px / 2.0).round() as i64))
    });
    let act = move |action: &str| {
        let Some(c) = pointer.chosen.get_untracked() else { return };
        pointer.chosen.set(None);
        match action {
            "zoom" => view.update(|v| *v = v.zoomed(c.from_secs, c.to_secs)),
            "traces" => view.update(|v| {
                let op = narrowing(spec.legend_labels, v.isolated_series(spec.id), v.handler.as_deref());
                *v = v.drilled(c.from_secs, c.to_secs, op);
            }),
            _ => {}
        }
    };
    view! {
        <div class="crosshair" style=crosshair></div>
        <div class="selection" style=selection></div>
        <div class="tooltip">{tip}</div>
        // One click handler for the menu's buttons, by their `data-action`.
        <div class="drag-menu" style=menu_style
            on:click=move |ev| if let Some(action) = row_data(&ev, "button", "data-action") { act(&action) }>
            <button data-action="zoom">"Zoom"</button>
            <button data-action="traces">"Traces"</button>
            <button data-action="cancel" aria-label="Cancel">"×"</button>
        </div>
    }
}

/// A layer of marks over a chart: how many (`data-bands`, `data-spikes`, `data-dots`) and their
/// markup; `None` while the chart is not drawn. One type for the three layers.
type Layer = Option<(usize, String)>;

fn layer<M>(marks: &[M], html: fn(&[M]) -> String) -> Layer {
    Some((marks.len(), html(marks)))
}

fn count(layer: ReadSignal<Layer>) -> Signal<Option<String>> {
    Signal::derive(move || layer.with(|l| l.as_ref().map(|(n, _)| n.to_string())))
}

fn markup(layer: ReadSignal<Layer>) -> Signal<String> {
    Signal::derive(move || layer.with(|l| l.as_ref().map(|(_, html)| html.clone()).unwrap_or_default()))
}

/// The alert bands of the rules concerning this chart, from the page's rule health.
#[component]
pub fn AlertBands(spec: &'static PanelSpec, drawn: ReadSignal<Option<Arc<Drawn>>>) -> impl IntoView {
    let health = use_health();
    // A failed health refresh keeps the last bands, as the chart keeps its last data.
    let bands = changes(move |previous: Option<&Layer>| {
        let d = drawn.get()?;
        health.with(|h| match h.as_deref() {
            Some(Ok(h)) => layer(&band_marks(&h.bands, spec.id, &d.axis, utc_offset_at(d.axis.end_secs)), bands_html),
            _ => previous.cloned().flatten(),
        })
    });
    view! {
        <div class="bands" data-bands=count(bands) inner_html=markup(bands)></div>
    }
}

/// The error spikes of the chart's overall error series, each a button that opens its traces.
#[component]
pub fn SpikeMarks(
    spec: &'static PanelSpec,
    drawn: ReadSignal<Option<Arc<Drawn>>>,
    data: ReadSignal<PanelData>,
) -> impl IntoView {
    let view = use_dash().view;
    let marks = changes(move |_| {
        let d = drawn.get()?;
        data.with(|p| layer(&spike_marks(spec, p.last.as_deref()?, &d.axis, utc_offset_at), spikes_html))
    });
    view! {
        <div class="spikes" data-spikes=count(marks) inner_html=markup(marks)
            on:click=move |ev| {
                let window = row_data(&ev, ".spike", "data-from").zip(row_data(&ev, ".spike", "data-to"));
                if let Some((Ok(from), Ok(to))) = window.map(|(f, t)| (f.parse(), t.parse())) {
                    view.update(|v| *v = v.drilled_into_spike(from, to));
                }
            }>
        </div>
    }
}

/// The trace scatter: Jaeger's error and slow traces of the range and Prometheus's exemplars
/// of the chart's query, as dots that open their trace. Asked again with each load, not with
/// each redraw, Jaeger only for what is new since the last load (`core::drill::Scatter`); a
/// Jaeger that fails leaves the dots it had.
#[component]
pub fn TraceDots(drawn: ReadSignal<Option<Arc<Drawn>>>, data: ReadSignal<PanelData>) -> impl IntoView {
    let dash = use_dash();
    let view = dash.view;
    let asked = move || {
        data.with(|d| {
            d.last.as_ref().map(|l| {
                let first_query = l.promql.lines().next().unwrap_or_default().to_owned();
                (l.window.start_secs as i64, l.window.end_secs as i64, first_query)
            })
        })
    };
    let slot = AbortSlot::new();
    let (jaeger, prom) = (dash.jaeger.clone(), Arc::new(dash.cfg.prometheus.clone()));
    let flavor = dash.flavor;
    let (dots, set_dots) = signal(None::<Arc<Vec<Dot>>>);
    // Jaeger's dots so far: a refresh asks only for the new tail.
    let scatter = Rc::new(RefCell::new(Scatter::default()));
    on_change(asked, move |asked, _| {
        let (Some((from, to, query)), jaeger, prom) = (asked.clone(), jaeger.clone(), prom.clone()) else { return };
        let Some(signal) = slot.renew() else { return };
        let scatter = scatter.clone();
        leptos::task::spawn_local(async move {
            let signal = Some(signal);
            let mut found: Vec<Dot> = Vec::new();
            if let Some(j) = &jaeger {
                // The page narrowed to one replica: its traces only.
                let replica = view.with_untracked(|v| ReplicaTag::of_scope(&j.cfg.instance_attribute, &v.instances));
                let _ = j.update_scatter(&scatter, replica.as_ref(), from, to, signal.as_ref()).await;
                found = scatter.borrow().dots().to_vec();
            }
            // Not asked of a backend that never has any (the dashboard's probe found which it is).
            if flavor.get_untracked().is_none_or(Flavor::serves_exemplars) {
                let url = exemplars_url(&prom.url, &query, from, to);
                if let Ok(series) = prom::get(&prom, &url, signal.as_ref(), decode_exemplars, &mut Vec::new()).await {
                    found.extend(exemplar_dots(&series));
                }
            }
            if !signal.as_ref().is_some_and(|s| s.aborted()) {
                set_dots.try_set(Some(Arc::new(found)));
            }
        });
    });
    let marks = changes(move |_| {
        let d = drawn.get()?;
        let dots = dots.get()?;
        layer(&dot_marks(&dots, &d.axis, &d.values, utc_offset_at), dots_html)
    });
    view! {
        <div class="dots" data-dots=count(marks) inner_html=markup(marks)
            on:click=move |ev| if let Some(id) = row_data(&ev, "button", "data-trace-id") {
                view.update(|v| *v = v.with_trace(&id));
            }>
        </div>
    }
}
