//! A panel: asks Prometheus for its queries over the current window, draws the answer on a canvas
//! through the core's chart code (or lists it, for a table), and shows its state in the DOM
//! contract (`data-panel`, `data-state`, `data-series`).

use std::sync::Arc;

use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

use crate::core::alerts::band_marks;
use crate::core::chart::{draw_timeseries, ChartSeries, ChartSpec, DrawSummary, TimeAxis, ValueAxis, DARK, LIGHT};
use crate::core::config::{Config, PrometheusConfig};
use crate::core::drill::narrowing;
use crate::core::drill::{exemplar_dots, Dot};
use crate::core::metrics::MetricNames;
use crate::core::panel_view::{
    displayed, dot_marks, drawn_series, Drawn, headline, hidden_note, legend, message, notes, outcome, spike_marks,
    table_view, tooltip, Answered, Ask, Contract, Expect, Loaded, Outcome, PanelData, Status, LEGEND_COLUMNS,
    TABLE_COLUMNS,
};
use crate::core::panels::{PanelSpec, Show, TextPanel};
use crate::core::prom::{
    decode_exemplars, decode_query, decode_query_range, exemplars_url, PromError,
};
use crate::core::state::{RangeSpec, Theme, ViewState};
use crate::core::time::{QueryWindow, TimeRange};
use crate::web::dom::{
    effect, el, fill_table, keyboard_clicks, listen, on_change, set_attr, spawn, text_el, Row, Watched,
};
use crate::web::http::{get_text, FetchFailure};
use crate::web::utc_offset_at;

/// What a chart's drawing takes from the view state besides the data: one memo of them, so
/// that a change of any redraws the chart and none re-queries it.
#[derive(Clone, PartialEq)]
struct Look {
    /// The one series shown, when the legend isolated one.
    isolated: Option<String>,
    /// Stacked areas (the request-rate chart only).
    stacked: bool,
    theme: Theme,
}

/// What every panel shares: configuration, resolved metric names, the range, the view state
/// (the URL) and the shared crosshair.
#[derive(Clone)]
pub struct PanelContext {
    pub cfg: Arc<Config>,
    pub names: Arc<MetricNames>,
    /// The range to show; it changes on every refresh of a relative range.
    pub range: Memo<TimeRange>,
    pub view: Watched<ViewState>,
    /// The time under the pointer on any chart: every chart draws its crosshair there.
    pub hover_secs: Watched<Option<f64>>,
    /// The rules, their health and the alert bands of the range.
    pub health: crate::web::health::HealthSignal,
}

fn prefers_light() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-color-scheme: light)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// GETs one Prometheus API URL and decodes it with `decode`; its warnings and infos are added
/// to `notes`.
pub(crate) async fn fetch_prom<T>(
    prom: &PrometheusConfig,
    url: String,
    signal: &AbortSignal,
    decode: fn(u16, &str) -> Result<crate::core::prom::Answer<T>, PromError>,
    notes: &mut Vec<String>,
) -> Result<T, PromError> {
    let base = &prom.url;
    match get_text(&url, Some(signal), prom.timeout_secs).await {
        Err(FetchFailure::Aborted) => Err(PromError::aborted()),
        Err(FetchFailure::TimedOut) => Err(PromError::timeout(base, prom.timeout_secs)),
        Err(FetchFailure::Network(detail)) => Err(PromError::unreachable(base, &detail)),
        Ok((status, body)) => {
            let answer = decode(status, &body).map_err(|e| e.at_url(base))?;
            for note in answer.warnings.into_iter().chain(answer.infos) {
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            Ok(answer.data)
        }
    }
}

/// Draws `series` on `canvas` at its current size.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    spec: &PanelSpec,
    window: &QueryWindow,
    series: &[ChartSeries],
    light: bool,
) -> Result<(DrawSummary, f64), String> {
    let ratio = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .max(1.0);
    let width = (canvas.client_width().max(1) as f64 * ratio) as u32;
    let height = (canvas.client_height().max(1) as f64 * ratio) as u32;
    canvas.set_width(width);
    canvas.set_height(height);
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let chart = ChartSpec {
        start_secs: window.start_secs,
        end_secs: window.end_secs,
        unit: spec.unit,
        y_from_zero: spec.y_from_zero,
        utc_offset_secs: utc_offset_at(window.end_secs),
        pixel_ratio: ratio,
        theme: if light { LIGHT } else { DARK },
        thresholds: spec.threshold_lines(),
    };
    draw_timeseries(&backend.into_drawing_area(), &chart, series)
        .map(|summary| (summary, ratio))
        .map_err(|e| e.to_string())
}

/// One load of a chart or table panel: every request of `ask`, one after the other (a panel
/// has at most three), then what the panel shows of the answers.
async fn load(spec: &PanelSpec, prom: &PrometheusConfig, ask: &Ask, signal: &AbortSignal) -> Result<Outcome, PromError> {
    let mut notes = Vec::new();
    let mut answers = Vec::new();
    for (url, expect) in ask.requests(spec, &prom.url) {
        answers.push(match expect {
            Expect::Matrix => Answered::Matrix(fetch_prom(prom, url, signal, decode_query_range, &mut notes).await?),
            Expect::Vector => Answered::from_instant(fetch_prom(prom, url, signal, decode_query, &mut notes).await?)?,
        });
    }
    Ok(outcome(spec, ask, answers, notes))
}

/// One panel: its element, built once, and the effects that keep it up to date. Effects and
/// listeners belong to the current reactive owner and go with it.
pub fn panel(spec: &'static PanelSpec, ctx: PanelContext) -> web_sys::HtmlElement {
    match spec.show {
        Show::Text(TextPanel::Alerts) => return crate::web::health::alerts(spec, ctx.cfg, ctx.health),
        Show::Text(TextPanel::Slo) => return crate::web::health::slo(spec, ctx.cfg, ctx.names, ctx.range),
        Show::Text(TextPanel::Sources) => return crate::web::text_panel::sources(spec, ctx.cfg),
        Show::Chart | Show::Table { .. } => {}
    }
    let PanelContext {
        cfg,
        names,
        range,
        view,
        hover_secs,
        health,
    } = ctx;
    let is_table = !spec.is_chart();
    let can_drill = cfg.jaeger.is_some();
    let scatter_cfg = cfg.clone();

    // The element tree; only text and attributes change afterwards.
    let root = el(
        "section",
        if is_table { "panel table" } else { "panel" },
        None,
    );
    set_attr(&root, "data-panel", Some(spec.id));
    set_attr(&root, "data-state", Some("loading"));
    let h2 = text_el("h2", "", spec.title, Some(&root));
    let headline_el = el("span", "headline", Some(&h2));
    let stack_box = spec.stackable.then(|| {
        let label = el("label", "toggle", Some(&h2));
        let input: web_sys::HtmlInputElement = el("input", "", Some(&label)).unchecked_into();
        input.set_type("checkbox");
        set_attr(&input, "data-control", Some("stack"));
        let _ = label.append_with_str_1(" stacked");
        input
    });
    let chart = el("div", "chart", Some(&root));
    let canvas: Option<web_sys::HtmlCanvasElement> = (!is_table).then(|| {
        let c = el("canvas", "", Some(&chart));
        // The chart's text alternative is its legend (every series with its figures).
        set_attr(&c, "role", Some("img"));
        set_attr(&c, "aria-label", Some(&format!("{} chart; its figures are in the legend below", spec.title)));
        c.unchecked_into()
    });
    // The message first: during an outage the stale note must not cover a table's rows.
    let message_el = el("p", "message", Some(&chart));
    let ranked = el("table", "ranked", Some(&chart));
    let legend_el = el("table", "legend", Some(&root));
    let notes_el = el("p", "notes", Some(&root));

    let data = Watched::new(PanelData::default());
    let loaded = Watched::new(None::<Arc<Loaded>>);
    let drawn = Watched::new(None::<Arc<Drawn>>);
    let draw_error = Watched::new(None::<String>);
    // Set when a refresh came due before the previous one answered.
    let late = Watched::new(false);
    // The request in flight, if any: a newer refresh or removing the panel aborts it.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    on_cleanup(move || crate::web::traces::abort(in_flight));
    // The last answer that had something to show, for drawing and overlays.
    effect(move || {
        let last = data.with(|d| d.last.clone());
        if loaded.with_untracked(|l| l.as_ref().map(Arc::as_ptr) != last.as_ref().map(Arc::as_ptr)) {
            loaded.set(last);
        }
    });

    // Only what changes the queries triggers a load. A refresh that comes due while a load is
    // in flight does not abort it: the panel is marked late, and the newest ask goes out when
    // the answer is in. A range or handler the user chooses aborts what it makes stale.
    let queued = StoredValue::new_local(None::<Ask>);
    let answered = Trigger::new();
    let prom = Arc::new(cfg.prometheus.clone());
    let start = move |ask: Ask| {
        let Ok(controller) = AbortController::new() else {
            return;
        };
        in_flight.update_value(|slot| {
            if let Some(previous) = slot.replace(controller.clone()) {
                previous.abort();
            }
        });
        let prom = prom.clone();
        spawn(async move {
            let signal = controller.signal();
            let result = load(spec, &prom, &ask, &signal).await.map(Arc::new);
            if matches!(&result, Err(e) if e.is_aborted()) {
                return;
            }
            in_flight.update_value(|slot| {
                if slot.as_ref() == Some(&controller) {
                    *slot = None;
                }
            });
            late.set(false);
            if let Some(next) = data.with_untracked(|d| d.after(&result)) {
                data.set(next);
            }
            answered.notify();
        });
    };
    {
        let chart = chart.clone();
        let start = start.clone();
        // The range and handler last asked for: a change of them is the user's, not a refresh.
        let chosen_before = StoredValue::new_local(None::<(RangeSpec, Option<String>)>);
        let queried = move || (range.get(), view.with(|v| v.handler.clone()));
        on_change(queried, move |(range, handler)| {
            let width_px = chart.client_width().max(100) as u32;
            let p = &cfg.prometheus;
            let ask = match Ask::new(spec, &names, &p.job, p.scrape_interval_secs, *range, width_px, handler.as_deref()) {
                Ok(ask) => ask,
                Err(missing) => return data.set(PanelData::unaskable(&missing)),
            };
            let chosen = Some(view.with_untracked(|v| (v.range, v.handler.clone())));
            let user_change = chosen_before.with_value(|before| *before != chosen);
            chosen_before.set_value(chosen);
            if in_flight.with_value(Option::is_some) && !user_change {
                late.set(true);
                queued.set_value(Some(ask));
                return;
            }
            queued.set_value(None);
            start(ask);
        });
    }
    effect(move || {
        answered.track();
        if let Some(next) = queued.try_update_value(Option::take).flatten() {
            start(next);
        }
    });

    // Drawing follows the data, the isolation, stacking, theme and size; it never re-queries.
    let look = Memo::new(move |_| {
        view.with(|v| Look {
            isolated: v.isolated_series(spec.id).map(str::to_owned),
            stacked: spec.stackable && v.stacked,
            theme: v.theme,
        })
    });
    let resized = Trigger::new();
    let resize = window_event_listener_untyped("resize", move |_| resized.notify());
    on_cleanup(move || resize.remove());
    if let Some(canvas) = canvas.clone() {
        effect(move || {
            resized.track();
            let Some(l) = loaded.get() else {
                drawn.set(None);
                return;
            };
            let look = look.get();
            let (shown, hidden) = displayed(&l, look.isolated.as_deref());
            let light = match look.theme {
                Theme::Light => true,
                Theme::Dark => false,
                Theme::System => prefers_light(),
            };
            match draw(&canvas, spec, &l.window, &drawn_series(&shown, look.stacked), light) {
                Ok((summary, ratio)) => {
                    drawn.set(Some(Arc::new(Drawn {
                        series: summary.series_drawn,
                        hidden,
                        step_secs: l.window.step.secs() as f64,
                        axis: TimeAxis {
                            left_px: f64::from(summary.plot_left_px) / ratio,
                            right_px: f64::from(summary.plot_right_px) / ratio,
                            start_secs: l.window.start_secs,
                            end_secs: l.window.end_secs,
                        },
                        values: ValueAxis {
                            top_px: f64::from(summary.plot_top_px) / ratio,
                            bottom_px: f64::from(summary.plot_bottom_px) / ratio,
                            lo: summary.y_lo,
                            hi: summary.y_hi,
                        },
                        shown,
                    })));
                    draw_error.set(None);
                }
                Err(message) => draw_error.set(Some(message)),
            }
        });
    }

    // Pointer: a drag selects a window to zoom into; hovering moves the shared crosshair.
    let drag_from_css = Watched::new(None::<f64>);
    // A finished drag waiting for the menu's answer: (from, to) seconds, left and width px.
    let chosen = Watched::new(None::<(i64, i64, f64, f64)>);
    let pointer_css = Watched::new(None::<f64>);
    let time_at = move |x_css: f64| drawn.with_untracked(|d| d.as_ref()?.axis.time_at(x_css));
    if let Some(canvas) = canvas {
        let crosshair = el("div", "crosshair", Some(&chart));
        let selection = el("div", "selection", Some(&chart));
        let tooltip_el = el("div", "tooltip", Some(&chart));
        let x_of = {
            let canvas = canvas.clone();
            move |ev: &web_sys::PointerEvent| {
                f64::from(ev.client_x()) - canvas.get_bounding_client_rect().left()
            }
        };
        let (x_down, x_move, x_up) = (x_of.clone(), x_of.clone(), x_of);
        listen(&canvas, "pointerdown", move |ev: web_sys::PointerEvent| {
            drag_from_css.set(Some(x_down(&ev)))
        });
        listen(&canvas, "pointermove", move |ev: web_sys::PointerEvent| {
            let x = x_move(&ev);
            pointer_css.set(Some(x));
            hover_secs.set(time_at(x));
        });
        // A drag selects a window: with Jaeger configured, a menu asks what to do with it
        // (zoom, or its traces); without, it zooms.
        listen(&canvas, "pointerup", move |ev: web_sys::PointerEvent| {
            let (Some(from), to) = (drag_from_css.get_untracked(), x_up(&ev)) else {
                return;
            };
            drag_from_css.set(None);
            if (to - from).abs() < 5.0 {
                return;
            }
            if let (Some(a), Some(b)) = (time_at(from), time_at(to)) {
                let (a, b) = (a.min(b).floor() as i64, a.max(b).ceil() as i64);
                if can_drill {
                    chosen.set(Some((a, b, from.min(to), (to - from).abs())));
                } else {
                    view.update(|v| *v = v.zoomed(a, b));
                }
            }
        });
        let menu = el("div", "drag-menu", Some(&chart));
        for (action, label) in [("zoom", "Zoom"), ("traces", "Traces"), ("cancel", "×")] {
            let b = text_el("button", "", label, Some(&menu));
            set_attr(&b, "data-action", Some(action));
        }
        listen(&menu, "click", move |ev: web_sys::Event| {
            let action = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-action"));
            let Some((a, b, _, _)) = chosen.get_untracked() else {
                return;
            };
            chosen.set(None);
            match action.as_deref() {
                Some("zoom") => view.update(|v| *v = v.zoomed(a, b)),
                Some("traces") => view.update(|v| {
                    let op = narrowing(spec.legend_labels, v.isolated_series(spec.id), v.handler.as_deref());
                    *v = v.drilled(a, b, op);
                }),
                _ => {}
            }
        });
        effect(move || {
            let shown = chosen.get().map(|(_, _, left, width)| {
                format!("left: {}px", (left + width / 2.0).round() as i64)
            });
            set_attr(
                &menu,
                "style",
                Some(shown.as_deref().unwrap_or("display: none")),
            );
        });
        listen(&canvas, "pointerleave", move |_: web_sys::Event| {
            drag_from_css.set(None);
            pointer_css.set(None);
            hover_secs.set(None);
        });
        // The overlays: crosshair (shared by every chart), drag selection, tooltip.
        effect(move || {
            let d = drawn.get();
            let t = hover_secs.get();
            let x = d.as_ref().zip(t).and_then(|(d, t)| d.axis.x_at(t));
            let hide = "display: none";
            set_attr(
                &crosshair,
                "style",
                Some(&x.map_or_else(
                    || hide.to_owned(),
                    |x| format!("left: {}px", x.round() as i64),
                )),
            );
            let pointer = pointer_css.get();
            let sel = drag_from_css
                .get()
                .zip(pointer)
                .map(|(from, to)| (from.min(to), (to - from).abs()))
                .or(chosen.get().map(|(_, _, left, width)| (left, width)))
                .map(|(left, width)| {
                    format!(
                        "left: {}px; width: {}px",
                        left.round() as i64,
                        width.round() as i64
                    )
                });
            set_attr(&selection, "style", Some(sel.as_deref().unwrap_or(hide)));
            let text = match (pointer, t, &d) {
                (Some(_), Some(t), Some(d)) => Some(tooltip(t, &d.shown, spec.unit, utc_offset_at(t), d.step_secs)),
                _ => None,
            };
            set_attr(
                &tooltip_el,
                "style",
                Some(if text.is_some() { "" } else { hide }),
            );
            tooltip_el.set_text_content(text.as_deref());
        });
    }

    // The trace scatter on the latency chart: Jaeger's error and slow traces of the range, and
    // Prometheus's exemplars of the histogram, as dots that open their trace.
    if spec.trace_scatter {
        let layer = el("div", "dots", Some(&chart));
        listen(&layer, "click", move |ev: web_sys::Event| {
            let id = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-trace-id"));
            if let Some(id) = id {
                view.update(|v| *v = v.with_trace(&id));
            }
        });
        let dots = Watched::new(Arc::new(Vec::<Dot>::new()));
        let request = StoredValue::new_local(None::<AbortController>);
        let cfg = scatter_cfg;
        // Asked again with each load (a refresh or a new range), not with each redraw.
        let asked = move || {
            loaded.with(|l| {
                l.as_ref().map(|l| {
                    let (from, to) = (l.window.start_secs as i64, l.window.end_secs as i64);
                    (from, to, l.promql.lines().next().unwrap_or_default().to_owned())
                })
            })
        };
        on_change(asked, move |asked| {
            let Some((from, to, query)) = asked.clone() else {
                return;
            };
            let Some(controller) = crate::web::traces::restart(request) else {
                return;
            };
            let cfg = cfg.clone();
            spawn(async move {
                let signal = controller.signal();
                let mut found = Vec::new();
                if let Some(jc) = &cfg.jaeger {
                    // Dots are extras: a Jaeger that fails leaves the chart as it is (the
                    // drill-down says what is wrong when asked).
                    if let Ok(d) = crate::web::traces::scatter_dots(jc, from, to, &signal).await {
                        found = d;
                    }
                }
                let url = exemplars_url(&cfg.prometheus.url, &query, from, to);
                let mut notes = Vec::new();
                if let Ok(series) =
                    fetch_prom(&cfg.prometheus, url, &signal, decode_exemplars, &mut notes).await
                {
                    found.extend(exemplar_dots(&series));
                }
                if !signal.aborted() {
                    dots.set(Arc::new(found));
                }
            });
        });
        effect(move || {
            layer.set_text_content(None);
            let (Some(d), dots) = (drawn.get(), dots.get()) else {
                set_attr(&layer, "data-dots", None);
                return;
            };
            let marks = dot_marks(&dots, &d.axis, &d.values, utc_offset_at);
            for m in &marks {
                let b = el("button", m.class, Some(&layer));
                set_attr(&b, "data-trace-id", Some(&m.trace_id));
                set_attr(&b, "style", Some(&m.style));
                set_attr(&b, "title", Some(&m.title));
                set_attr(&b, "aria-label", Some(&m.title));
            }
            let placed = marks.len();
            set_attr(&layer, "data-dots", Some(&placed.to_string()));
        });
    }

    // Alert bands: when a rule concerning this chart was pending or firing.
    if !is_table {
        let layer = el("div", "bands", Some(&chart));
        effect(move || {
            let count = health.with(|h| match (h.as_deref(), drawn.get()) {
                (Some(Ok(h)), Some(d)) => {
                    let offset = utc_offset_at(d.axis.end_secs);
                    layer.set_text_content(None);
                    let marks = band_marks(&h.bands, spec.id, &d.axis, offset);
                    for b in &marks {
                        let band = el("div", b.state, Some(&layer));
                        set_attr(&band, "data-alert", Some(&b.alert));
                        set_attr(&band, "data-from", Some(&b.from_unix.to_string()));
                        set_attr(&band, "data-to", Some(&b.to_unix.to_string()));
                        set_attr(&band, "style", Some(&b.style));
                        set_attr(&el("span", "", Some(&band)), "title", Some(&b.title));
                    }
                    Some(marks.len())
                }
                // Nothing drawn (no data in range): no bands over an empty plot.
                (_, None) => {
                    layer.set_text_content(None);
                    None
                }
                // A failed health refresh: the last bands stay, as the chart's last data does.
                _ => None,
            });
            set_attr(
                &layer,
                "data-bands",
                count.map(|c| c.to_string()).as_deref(),
            );
        });
    }

    // Error spikes on the error-rate chart, each a button that opens its traces.
    if spec.spike_markers {
        let marks = el("div", "spikes", Some(&chart));
        listen(&marks, "click", move |ev: web_sys::Event| {
            let mark = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-from]").ok().flatten());
            let secs = |name: &str| {
                mark.as_ref()
                    .and_then(|m| m.get_attribute(name))
                    .and_then(|v| v.parse::<i64>().ok())
            };
            if let (Some(from), Some(to)) = (secs("data-from"), secs("data-to")) {
                view.update(|v| *v = v.drilled_into_spike(from, to));
            }
        });
        effect(move || {
            marks.set_text_content(None);
            let (Some(l), Some(d)) = (loaded.get(), drawn.get()) else {
                set_attr(&marks, "data-spikes", None);
                return;
            };
            let spikes = spike_marks(spec, &l, &d.axis, utc_offset_at);
            set_attr(&marks, "data-spikes", Some(&spikes.len().to_string()));
            for spike in &spikes {
                let mark = el("button", "spike", Some(&marks));
                set_attr(&mark, "data-from", Some(&spike.from_secs.to_string()));
                set_attr(&mark, "data-to", Some(&spike.to_secs.to_string()));
                set_attr(&mark, "style", Some(&spike.style));
                set_attr(&mark, "title", Some(&spike.title));
                set_attr(&mark, "aria-label", Some(&spike.title));
            }
        });
    }

    if let Some(input) = stack_box {
        let shown = input.clone();
        effect(move || shown.set_checked(view.with(|v| v.stacked)));
        let target = input.clone();
        listen(&input, "change", move |_: web_sys::Event| {
            let on = target.checked();
            view.update(|v| v.stacked = on);
        });
    }

    // Legend rows: click one to isolate it, again to restore.
    keyboard_clicks(&legend_el, "tr[data-series-name]");
    listen(&legend_el, "click", move |ev: web_sys::Event| {
        let row = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("tr[data-series-name]").ok().flatten());
        if let Some(name) = row.and_then(|r| r.get_attribute("data-series-name")) {
            view.update(|v| *v = v.toggled_isolation(spec.id, &name));
        }
    });
    effect(move || {
        let isolated_now = look.with(|l| l.isolated.clone());
        let Some(d) = drawn.get() else {
            legend_el.set_text_content(None);
            return;
        };
        let rows: Vec<Row> = legend(spec.unit, &d.shown, isolated_now.as_deref())
            .into_iter()
            .map(|r| Row {
                selected: r.selected,
                focusable: true,
                swatch_css: Some(r.swatch_css),
                value: r.last_raw,
                cells: vec![r.name, r.last, r.min, r.max, r.mean],
            })
            .collect();
        fill_table(&legend_el, &LEGEND_COLUMNS, &rows, hidden_note(d.hidden).as_deref());
    });

    // The DOM contract, the message, the headline and the ranked table: one effect.
    {
        let root = root.clone();
        effect(move || {
            let d = data.get();
            let is_late = late.get();
            let drawn_series = drawn.with(|dr| dr.as_ref().map(|dr| dr.series));
            let c: Contract = crate::core::panel_view::contract(spec, &d, drawn_series, is_late);
            set_attr(&root, "data-state", Some(c.state));
            set_attr(&root, "data-series", c.series.map(|n| n.to_string()).as_deref());
            set_attr(&root, "data-query", c.query.as_deref());
            set_attr(&root, "data-start", c.start.as_deref());
            set_attr(&root, "data-end", c.end.as_deref());
            set_attr(&root, "data-step", c.step.as_deref());
            set_attr(&root, "data-stale", c.stale);
            let text = draw_error.get().filter(|_| d.status == Status::Ready).or_else(|| message(&d, is_late));
            set_attr(&message_el, "hidden", text.is_none().then_some(""));
            message_el.set_text_content(text.as_deref());
            let l = d.last.as_deref();
            headline_el.set_text_content(l.map(headline).as_deref());
            let annotations = l.and_then(notes);
            set_attr(&notes_el, "hidden", annotations.is_none().then_some(""));
            notes_el.set_text_content(annotations.as_deref());
            match (l, spec.show) {
                (Some(l), Show::Table { max_rows }) => {
                    let shown = table_view(l, spec.unit, max_rows);
                    let rows: Vec<Row> = shown
                        .rows
                        .into_iter()
                        .map(|cells| Row {
                            selected: false,
                            focusable: false,
                            swatch_css: None,
                            value: None,
                            cells: cells.to_vec(),
                        })
                        .collect();
                    fill_table(&ranked, &TABLE_COLUMNS, &rows, shown.more.as_deref());
                }
                _ => ranked.set_text_content(None),
            }
        });
    }
    root
}
