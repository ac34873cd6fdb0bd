//! A panel: asks Prometheus for its queries over the current window, draws the answer on a canvas
//! through the core's chart code (or lists it, for a table), and shows its state in the DOM
//! contract (`data-panel`, `data-state`, `data-series`).

use std::sync::Arc;

use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

use crate::core::alerts::bands_html;
use crate::core::chart::{
    draw_timeseries, ChartSeries, ChartSpec, DrawSummary, TimeAxis, ValueAxis, DARK, LIGHT, PALETTE,
};
use crate::core::config::Config;
use crate::core::drill::narrowing;
use crate::core::drill::{dot_title, exemplar_dots, Dot};
use crate::core::metrics::MetricNames;
use crate::core::panels::{
    chart_series, panel_queries, PanelKind, PanelSpec, QueryContext, Role, OVERALL_ERROR_SERIES,
};
use crate::core::prom::{
    decode_exemplars, decode_query, decode_query_range, PromError, QueryData, Series,
};
use crate::core::series::{nearest, stack, stats, top_k};
use crate::core::spikes::{
    detect_spikes, drill_window, SPIKE_BASELINE_WINDOW_SECS, SPIKE_MIN_PEAK_SLO_MULTIPLE,
    SPIKE_MULTIPLE,
};
use crate::core::state::{Theme, ViewState};
use crate::core::time::{query_window, QueryWindow, TimeRange};
use crate::core::units::format_value;
use crate::core::url::with_query;
use crate::web::dom::{
    effect, el, fill_table, listen, on_change, set_attr, spawn, text_el, Row, Watched,
};
use crate::web::http::{get_text, FetchFailure};
use crate::web::utc_offset_at;

/// What a panel shows; `data-state` in the DOM.
#[derive(Debug, Clone, PartialEq)]
enum PanelState {
    /// First load only: a refresh keeps the previous chart until new data is in.
    Loading,
    Ready,
    /// No data in the range, or (with a reason) a source that is not scraped.
    Empty(String),
    Error(String),
}

impl PanelState {
    fn name(&self) -> &'static str {
        match self {
            PanelState::Loading => "loading",
            PanelState::Ready => "ready",
            PanelState::Empty(_) => "empty",
            PanelState::Error(_) => "error",
        }
    }
}

/// One legend row: name, colour index, last/min/max/mean.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    name: String,
    color: usize,
    /// The last value as a number (`data-last`): what tests compare with Prometheus.
    last_raw: Option<f64>,
    last: String,
    min: String,
    max: String,
    mean: String,
}

/// What was last drawn: the legend and the plot's pixel extent (for pointer maths).
#[derive(Debug, Clone, PartialEq, Default)]
struct Drawn {
    series: usize,
    hidden: usize,
    legend: Vec<LegendRow>,
    /// The plot's time axis in CSS pixels, for pointer maths.
    axis: TimeAxis,
    /// The plot's value axis in CSS pixels, for marks at a value.
    values: ValueAxis,
    /// The series as drawn (isolated, capped, stacked), for the tooltip.
    shown: Vec<ChartSeries>,
}

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

/// How a load ended, when Prometheus answered.
enum Outcome {
    Loaded(Loaded),
    /// Nothing to show, and why.
    Empty(String),
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

/// What one refresh brought: kept until the next one succeeds, so a failed refresh leaves the
/// chart in place (marked stale).
#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    window: QueryWindow,
    queries: Vec<String>,
    series: Vec<ChartSeries>,
    headlines: Vec<(String, String)>,
    /// Prometheus's warnings and infos about these queries, shown under the chart.
    notes: Vec<String>,
    table: Vec<(String, String, String)>,
}

/// At most this many series are drawn; the rest are counted as hidden.
pub const MAX_SERIES: usize = 10;

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
    base: &str,
    url: String,
    signal: &AbortSignal,
    decode: fn(u16, &str) -> Result<crate::core::prom::Answer<T>, PromError>,
    notes: &mut Vec<String>,
) -> Result<T, PromError> {
    match get_text(&url, Some(signal)).await {
        Err(FetchFailure::Aborted) => Err(PromError::aborted()),
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

pub(crate) fn range_url(base: &str, query: &str, window: &QueryWindow) -> String {
    with_query(
        base,
        "/api/v1/query_range",
        &[
            ("query", query),
            // Whole seconds: the window is aligned to a whole-second step.
            ("start", &(window.start_secs as i64).to_string()),
            ("end", &(window.end_secs as i64).to_string()),
            ("step", &window.step.secs().to_string()),
        ],
    )
}

fn instant_url(base: &str, query: &str, time_secs: f64) -> String {
    with_query(
        base,
        "/api/v1/query",
        &[("query", query), ("time", &(time_secs as i64).to_string())],
    )
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

pub fn legend_rows(spec: &PanelSpec, series: &[ChartSeries]) -> Vec<LegendRow> {
    series
        .iter()
        .map(|s| {
            let st = stats(&s.points);
            let f = |v: Option<f64>| format_value(v.unwrap_or(f64::NAN), spec.unit);
            LegendRow {
                name: s.name.clone(),
                color: s.color % PALETTE.len(),
                last_raw: st.map(|s| s.last),
                last: f(st.map(|s| s.last)),
                min: f(st.map(|s| s.min)),
                max: f(st.map(|s| s.max)),
                mean: f(st.map(|s| s.mean)),
            }
        })
        .collect()
}

/// Loads a time-series panel: every query at once.
async fn load_series(
    spec: &'static PanelSpec,
    base: &str,
    queries: Vec<(Role, String)>,
    window: QueryWindow,
    signal: &AbortSignal,
) -> Result<Outcome, PromError> {
    // One after the other: a panel has at most three queries, and a join combinator costs more
    // wasm than it saves time on loopback.
    let mut answers = Vec::with_capacity(queries.len());
    let mut notes = Vec::new();
    for (role, q) in &queries {
        answers.push(match role {
            Role::Lines { .. } => {
                fetch_prom(
                    base,
                    range_url(base, q, &window),
                    signal,
                    decode_query_range,
                    &mut notes,
                )
                .await
            }
            Role::Headline { .. } => fetch_prom(
                base,
                instant_url(base, q, window.end_secs),
                signal,
                decode_query,
                &mut notes,
            )
            .await
            .map(|data| match data {
                QueryData::Vector(v) => v
                    .into_iter()
                    .map(|s| Series {
                        labels: s.labels,
                        points: vec![s.point],
                        ..Default::default()
                    })
                    .collect(),
                _ => Vec::new(),
            }),
        });
    }
    let mut lines = Vec::new();
    let mut headlines = Vec::new();
    for ((role, _), answer) in queries.iter().zip(answers) {
        let matrix = answer?;
        match *role {
            Role::Lines { legend } => lines.push((legend, matrix)),
            Role::Headline { label, unit } => {
                let value = matrix
                    .first()
                    .and_then(|s| s.points.last())
                    .map_or(f64::NAN, |p| p.value);
                headlines.push((label.to_owned(), format_value(value, unit)));
            }
        }
    }
    let series = chart_series(spec, lines);
    if series.is_empty() {
        return Ok(Outcome::Empty("No data in this range.".to_owned()));
    }
    Ok(Outcome::Loaded(Loaded {
        window,
        queries: queries.into_iter().map(|(_, q)| q).collect(),
        series,
        headlines,
        notes,
        table: Vec::new(),
    }))
}

/// Loads a table panel: one instant query at the end of the range.
async fn load_table(
    spec: &'static PanelSpec,
    base: &str,
    query: String,
    window: QueryWindow,
    signal: &AbortSignal,
) -> Result<Outcome, PromError> {
    let mut notes = Vec::new();
    let data = fetch_prom(
        base,
        instant_url(base, &query, window.end_secs),
        signal,
        decode_query,
        &mut notes,
    )
    .await?;
    let QueryData::Vector(samples) = data else {
        return Err(PromError::decode("the table query did not answer a vector"));
    };
    if samples.is_empty() {
        return Ok(Outcome::Empty("No errors in this range.".to_owned()));
    }
    let table: Vec<(String, String, String)> = samples
        .iter()
        .take(20)
        .map(|s| {
            let get = |k: &str| s.labels.get(k).cloned().unwrap_or_default();
            (
                get(spec.legend_labels[0]),
                get(spec.legend_labels[1]),
                format_value(s.point.value.round(), spec.unit),
            )
        })
        .collect();
    Ok(Outcome::Loaded(Loaded {
        window,
        queries: vec![query],
        series: Vec::new(),
        headlines: Vec::new(),
        notes,
        table,
    }))
}

/// The series a panel shows from what it loaded: the isolated one alone, else the busiest
/// `MAX_SERIES`; and how many were left out. Values are as Prometheus gave them (the legend and
/// tooltip read them); stacking is for drawing only.
fn displayed(loaded: &Loaded, isolated: Option<&str>) -> (Vec<ChartSeries>, usize) {
    let chosen: Vec<ChartSeries> =
        match isolated.filter(|name| loaded.series.iter().any(|s| s.name == *name)) {
            Some(name) => loaded
                .series
                .iter()
                .filter(|s| s.name == name)
                .cloned()
                .collect(),
            None => loaded.series.clone(),
        };
    top_k(chosen, MAX_SERIES, |s| s.points.as_slice())
}

/// The same series, each drawn on top of the ones before it.
fn stacked(series: &[ChartSeries]) -> Vec<ChartSeries> {
    let points = stack(&series.iter().map(|s| s.points.clone()).collect::<Vec<_>>());
    series
        .iter()
        .zip(points)
        .map(|(s, points)| ChartSeries {
            points,
            ..s.clone()
        })
        .collect()
}

/// One panel: its element, built once, and the effects that keep it up to date. Effects and
/// listeners belong to the current reactive owner and go with it.
pub fn panel(spec: &'static PanelSpec, ctx: PanelContext) -> web_sys::HtmlElement {
    if spec.kind == PanelKind::Text {
        return match spec.id {
            "alerts" => crate::web::health::alerts(spec, ctx.cfg, ctx.health),
            "slo" => crate::web::health::slo(spec, ctx.cfg, ctx.names, ctx.range),
            _ => crate::web::text_panel::sources(spec, ctx.cfg),
        };
    }
    let PanelContext {
        cfg,
        names,
        range,
        view,
        hover_secs,
        health,
    } = ctx;
    let is_table = spec.kind == PanelKind::Table;
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
    let headline = el("span", "headline", Some(&h2));
    let stack_box = (spec.id == "request-rate").then(|| {
        let label = el("label", "toggle", Some(&h2));
        let input: web_sys::HtmlInputElement = el("input", "", Some(&label)).unchecked_into();
        input.set_type("checkbox");
        set_attr(&input, "data-control", Some("stack"));
        let _ = label.append_with_str_1(" stacked");
        input
    });
    let chart = el("div", "chart", Some(&root));
    let canvas: Option<web_sys::HtmlCanvasElement> =
        (!is_table).then(|| el("canvas", "", Some(&chart)).unchecked_into());
    let ranked = el("table", "ranked", Some(&chart));
    let message = el("p", "message", Some(&chart));
    let legend = el("table", "legend", Some(&root));
    let notes = el("p", "notes", Some(&root));

    let state = Watched::new(PanelState::Loading);
    let loaded = Watched::new(None::<Arc<Loaded>>);
    let drawn = Watched::new(None::<Arc<Drawn>>);
    // Set when a refresh came due before the previous one answered.
    let late = Watched::new(false);
    // The request in flight, if any: a newer refresh or removing the panel aborts it.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    on_cleanup(move || crate::web::traces::abort(in_flight));

    // Only what changes the queries triggers a fetch.
    let queried = move || (range.get(), view.with(|v| v.handler.clone()));
    {
        let chart = chart.clone();
        on_change(queried, move |(range, handler)| {
            let range = *range;
            let width_px = chart.client_width().max(100) as u32;
            let window = query_window(range, width_px, cfg.prometheus.scrape_interval_secs);
            let qctx = QueryContext {
                job: &cfg.prometheus.job,
                rate_window_secs: window.rate_window_secs,
                range_secs: range.duration_secs().round() as u64,
                handler: handler.as_deref(),
            };
            let queries = match panel_queries(spec, &names, &qctx) {
                Ok(q) => q,
                Err(missing) => {
                    state.set(PanelState::Empty(missing));
                    return;
                }
            };
            // A new refresh makes the previous request stale: cancel it.
            let Ok(controller) = AbortController::new() else {
                return;
            };
            in_flight.update_value(|slot| {
                if let Some(previous) = slot.replace(controller.clone()) {
                    // Still running when the next refresh is due: the data shown is late.
                    previous.abort();
                    late.set(true);
                }
            });
            let base = cfg.prometheus.url.clone();
            spawn(async move {
                let signal = controller.signal();
                let mine = controller.clone();
                let result = match spec.kind {
                    PanelKind::Table => {
                        let q = queries
                            .into_iter()
                            .next()
                            .map(|q| q.promql)
                            .unwrap_or_default();
                        load_table(spec, &base, q, window, &signal).await
                    }
                    PanelKind::TimeSeries | PanelKind::Text => {
                        let qs = queries.into_iter().map(|q| (q.role, q.promql)).collect();
                        load_series(spec, &base, qs, window, &signal).await
                    }
                };
                if !matches!(&result, Err(e) if e.is_aborted()) {
                    in_flight.update_value(|slot| {
                        if slot.as_ref().is_some_and(|c| c == &mine) {
                            *slot = None;
                        }
                    });
                    late.set(false);
                }
                match result {
                    Err(e) if e.is_aborted() => {}
                    // The last chart stays, marked stale; the message says what failed.
                    Err(e) => state.set(PanelState::Error(e.to_string())),
                    Ok(Outcome::Empty(empty)) => {
                        loaded.set(None);
                        drawn.set(None);
                        state.set(PanelState::Empty(empty));
                    }
                    Ok(Outcome::Loaded(l)) => {
                        loaded.set(Some(Arc::new(l)));
                        if is_table {
                            state.set(PanelState::Ready);
                        }
                    }
                }
            });
        });
    }

    // Drawing follows the data, the isolation, stacking, theme and size; it never re-queries.
    let look = Memo::new(move |_| {
        view.with(|v| Look {
            isolated: v.isolated_series(spec.id).map(str::to_owned),
            stacked: spec.id == "request-rate" && v.stacked,
            theme: v.theme,
        })
    });
    let resized = Trigger::new();
    let resize = window_event_listener_untyped("resize", move |_| resized.notify());
    on_cleanup(move || resize.remove());
    if let Some(canvas) = canvas.clone() {
        effect(move || {
            resized.track();
            let Some(l) = loaded.get() else { return };
            let look = look.get();
            let (shown, hidden) = displayed(&l, look.isolated.as_deref());
            let drawn_series = if look.stacked {
                stacked(&shown)
            } else {
                shown.clone()
            };
            let light = match look.theme {
                Theme::Light => true,
                Theme::Dark => false,
                Theme::System => prefers_light(),
            };
            match draw(&canvas, spec, &l.window, &drawn_series, light) {
                Ok((summary, ratio)) => {
                    drawn.set(Some(Arc::new(Drawn {
                        series: summary.series_drawn,
                        hidden,
                        legend: legend_rows(spec, &shown),
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
                    state.set(PanelState::Ready);
                }
                Err(message) => state.set(PanelState::Error(message)),
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
        let tooltip = el("div", "tooltip", Some(&chart));
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
                    let op = narrowing(
                        spec.legend_labels,
                        v.isolated_series(spec.id),
                        v.handler.as_deref(),
                    );
                    v.drill = Some((a, b));
                    v.drill_op = op;
                    v.trace = None;
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
                (Some(_), Some(t), Some(d)) => {
                    let mut text = crate::core::time::axis_label(t, utc_offset_at(t), 0.0);
                    for s in &d.shown {
                        if let Some(p) = nearest(&s.points, t) {
                            text.push_str(&format!(
                                "\n{}: {}",
                                s.name,
                                format_value(p.value, spec.unit)
                            ));
                        }
                    }
                    Some(text)
                }
                _ => None,
            };
            set_attr(
                &tooltip,
                "style",
                Some(if text.is_some() { "" } else { hide }),
            );
            tooltip.set_text_content(text.as_deref());
        });
    }

    // The trace scatter on the latency chart: Jaeger's error and slow traces of the range, and
    // Prometheus's exemplars of the histogram, as dots that open their trace.
    if spec.id == "latency" && !is_table {
        let layer = el("div", "dots", Some(&chart));
        listen(&layer, "click", move |ev: web_sys::Event| {
            let id = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-trace-id"));
            if let Some(id) = id {
                view.update(|v| v.trace = Some(id));
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
                    (from, to, l.queries.first().cloned().unwrap_or_default())
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
                let base = &cfg.prometheus.url;
                let url = with_query(
                    base,
                    "/api/v1/query_exemplars",
                    &[
                        ("query", &query),
                        ("start", &from.to_string()),
                        ("end", &to.to_string()),
                    ],
                );
                let mut notes = Vec::new();
                if let Ok(series) =
                    fetch_prom(base, url, &signal, decode_exemplars, &mut notes).await
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
            let mut placed = 0;
            for dot in dots.iter() {
                let (Some(x), Some(y)) =
                    (d.axis.x_at(dot.t_secs), d.values.y_at(dot.duration_secs))
                else {
                    continue;
                };
                let class = match (dot.error, dot.exemplar) {
                    (_, true) => "dot exemplar",
                    (true, false) => "dot error",
                    (false, false) => "dot",
                };
                let b = el("button", class, Some(&layer));
                set_attr(&b, "data-trace-id", Some(&dot.trace_id));
                set_attr(
                    &b,
                    "style",
                    Some(&format!(
                        "left: {}px; top: {}px",
                        x.round() as i64,
                        y.round() as i64
                    )),
                );
                set_attr(
                    &b,
                    "title",
                    Some(&dot_title(dot, utc_offset_at(dot.t_secs))),
                );
                placed += 1;
            }
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
                    let (html, count) = bands_html(&h.bands, spec.id, &d.axis, offset);
                    layer.set_inner_html(&html);
                    Some(count)
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
    if spec.id == "error-rate" && !is_table {
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
                view.update(|v| {
                    v.drill = Some((from, to));
                    v.drill_op = v.handler.clone();
                    v.trace = None;
                    v.trace_filter = crate::core::drill::TraceFilter::Errors;
                });
            }
        });
        effect(move || {
            marks.set_text_content(None);
            let (Some(l), Some(d)) = (loaded.get(), drawn.get()) else {
                set_attr(&marks, "data-spikes", None);
                return;
            };
            let points: Vec<(f64, f64)> = l
                .series
                .iter()
                .find(|s| OVERALL_ERROR_SERIES.contains(&s.name.as_str()))
                .map(|s| s.points.iter().map(|p| (p.t_secs, p.value)).collect())
                .unwrap_or_default();
            let slo = spec.thresholds.first().map_or(0.0, |t| t.0);
            let spikes = detect_spikes(
                &points,
                slo,
                SPIKE_MULTIPLE,
                SPIKE_BASELINE_WINDOW_SECS,
                SPIKE_MIN_PEAK_SLO_MULTIPLE * slo,
            );
            set_attr(&marks, "data-spikes", Some(&spikes.len().to_string()));
            for spike in &spikes {
                let (from, to) = drill_window(spike, l.window.rate_window_secs as f64);
                let x = |t: f64| {
                    d.axis
                        .x_at(t.clamp(d.axis.start_secs, d.axis.end_secs))
                        .unwrap_or(d.axis.left_px)
                };
                let (left, right) = (x(from as f64), x(to as f64));
                let mark = el("button", "spike", Some(&marks));
                set_attr(&mark, "data-from", Some(&from.to_string()));
                set_attr(&mark, "data-to", Some(&to.to_string()));
                set_attr(
                    &mark,
                    "style",
                    Some(&format!(
                        "left: {}px; width: {}px",
                        left.round() as i64,
                        (right - left).round().max(6.0) as i64
                    )),
                );
                set_attr(
                    &mark,
                    "title",
                    Some(&spike.title(spec.unit, utc_offset_at(spike.peak_t_secs))),
                );
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
    listen(&legend, "click", move |ev: web_sys::Event| {
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
        let d = drawn.get();
        let Some(d) = d else {
            legend.set_text_content(None);
            return;
        };
        let rows: Vec<Row> = d
            .legend
            .iter()
            .map(|r| {
                let c = PALETTE[r.color % PALETTE.len()];
                Row {
                    selected: isolated_now.as_deref() == Some(r.name.as_str()),
                    swatch_css: Some(format!("background: rgb({},{},{})", c.0, c.1, c.2)),
                    value: r.last_raw,
                    cells: vec![
                        r.name.clone(),
                        r.last.clone(),
                        r.min.clone(),
                        r.max.clone(),
                        r.mean.clone(),
                    ],
                }
            })
            .collect();
        let foot = (d.hidden > 0).then(|| {
            format!(
                "{} series hidden (showing the {MAX_SERIES} busiest)",
                d.hidden
            )
        });
        fill_table(
            &legend,
            &["", "last", "min", "max", "mean"],
            &rows,
            foot.as_deref(),
        );
    });

    // The DOM contract, the message, the headline and the ranked table: one effect.
    {
        let root = root.clone();
        effect(move || {
            let st = state.get();
            let l = loaded.get();
            let d = drawn.get();
            set_attr(&root, "data-state", Some(st.name()));
            let series = if is_table {
                l.as_ref().map(|l| l.table.len())
            } else {
                d.as_ref().map(|d| d.series)
            };
            set_attr(
                &root,
                "data-series",
                series.map(|n| n.to_string()).as_deref(),
            );
            set_attr(
                &root,
                "data-query",
                l.as_ref().map(|l| l.queries.join("\n")).as_deref(),
            );
            set_attr(
                &root,
                "data-start",
                l.as_ref()
                    .map(|l| (l.window.start_secs as i64).to_string())
                    .as_deref(),
            );
            set_attr(
                &root,
                "data-end",
                l.as_ref()
                    .map(|l| (l.window.end_secs as i64).to_string())
                    .as_deref(),
            );
            set_attr(
                &root,
                "data-step",
                l.as_ref()
                    .map(|l| l.window.step.secs().to_string())
                    .as_deref(),
            );
            let stale = matches!(st, PanelState::Error(_)) && l.is_some();
            let is_late = late.get() && l.is_some();
            set_attr(
                &root,
                "data-stale",
                if stale {
                    Some("failed")
                } else {
                    is_late.then_some("late")
                },
            );
            let text = match st {
                PanelState::Ready | PanelState::Loading if is_late => Some(
                    "Stale: Prometheus has not answered the last refresh within its period."
                        .to_owned(),
                ),
                PanelState::Loading => Some("Loading…".to_owned()),
                PanelState::Empty(m) => Some(m),
                PanelState::Error(m) if stale => {
                    Some(format!("Stale: the last refresh failed. {m}"))
                }
                PanelState::Error(m) => Some(m),
                PanelState::Ready => None,
            };
            set_attr(&message, "hidden", text.is_none().then_some(""));
            message.set_text_content(text.as_deref());
            let headlines = l.as_ref().map(|l| {
                l.headlines
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("  ")
            });
            headline.set_text_content(headlines.as_deref());
            let annotations = l
                .as_ref()
                .map(|l| l.notes.join("\n"))
                .filter(|n| !n.is_empty());
            set_attr(&notes, "hidden", annotations.is_none().then_some(""));
            notes.set_text_content(annotations.as_deref());
            match l.as_ref().filter(|_| is_table) {
                Some(l) => {
                    let rows: Vec<Row> = l
                        .table
                        .iter()
                        .map(|(h, s, n)| Row {
                            selected: false,
                            swatch_css: None,
                            value: None,
                            cells: vec![h.clone(), s.clone(), n.clone()],
                        })
                        .collect();
                    fill_table(&ranked, &["handler", "status", "errors"], &rows, None);
                }
                None => ranked.set_text_content(None),
            }
        });
    }
    root
}
