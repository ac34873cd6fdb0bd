//! A panel: asks Prometheus for its queries over the current window, draws the answer on a canvas
//! through the core's chart code (or lists it, for a table), and shows its state in the DOM
//! contract (`data-panel`, `data-state`, `data-series`).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::{AbortController, AbortSignal};

use crate::core::chart::{draw_timeseries, ChartSeries, ChartSpec, DARK, LIGHT, PALETTE};
use crate::core::config::Config;
use crate::core::metrics::MetricNames;
use crate::core::panels::{chart_series, panel_queries, PanelKind, PanelSpec, QueryContext, Role};
use crate::core::prom::{decode_query, decode_query_range, PromError, QueryData, Series};
use crate::core::series::stats;
use crate::core::time::{query_window, QueryWindow, TimeRange};
use crate::core::units::format_value;
use crate::core::url::with_query;
use crate::web::http::{get_text, FetchFailure};

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
struct LegendRow {
    name: String,
    color: usize,
    last: String,
    min: String,
    max: String,
    mean: String,
}

/// What was last shown, for the DOM contract and the legend.
#[derive(Debug, Clone, PartialEq, Default)]
struct Shown {
    series: usize,
    queries: Vec<String>,
    window: Option<QueryWindow>,
    legend: Vec<LegendRow>,
    headlines: Vec<(String, String)>,
    table: Vec<(String, String, String)>,
}

/// How a load ended, when Prometheus answered.
enum Outcome {
    Shown(Shown),
    /// Nothing to show, and why.
    Empty(String),
    /// The answer could not be shown (e.g. the canvas failed).
    Failed(String),
}

/// What every panel shares: configuration, resolved metric names, the refresh tick and range.
#[derive(Clone)]
pub struct PanelContext {
    pub cfg: Arc<Config>,
    pub names: Arc<MetricNames>,
    /// The range to show; it changes on every refresh of a relative range.
    pub range: Signal<TimeRange>,
}

fn utc_offset_secs() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64) * 60
}

fn prefers_light() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: light)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// GETs one Prometheus API URL and decodes it with `decode`.
async fn fetch_prom<T>(
    base: &str,
    url: String,
    signal: &AbortSignal,
    decode: fn(u16, &str) -> Result<crate::core::prom::Answer<T>, PromError>,
) -> Result<T, PromError> {
    match get_text(&url, Some(signal)).await {
        Err(FetchFailure::Aborted) => Err(PromError::aborted()),
        Err(FetchFailure::Network(detail)) => Err(PromError::unreachable(base, &detail)),
        Ok((status, body)) => decode(status, &body).map(|answer| answer.data).map_err(|e| e.at_url(base)),
    }
}

fn range_url(base: &str, query: &str, window: &QueryWindow) -> String {
    with_query(
        base,
        "/api/v1/query_range",
        &[
            ("query", query),
            ("start", &window.start_secs.to_string()),
            ("end", &window.end_secs.to_string()),
            ("step", &window.step.secs().to_string()),
        ],
    )
}

fn instant_url(base: &str, query: &str, time_secs: f64) -> String {
    with_query(base, "/api/v1/query", &[("query", query), ("time", &time_secs.to_string())])
}

/// Draws `series` on `canvas` at its current size; returns the number of series drawn.
fn draw(canvas: &web_sys::HtmlCanvasElement, spec: &PanelSpec, window: &QueryWindow, series: &[ChartSeries]) -> Result<usize, String> {
    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
    let width = (canvas.client_width().max(1) as f64 * ratio) as u32;
    let height = (canvas.client_height().max(1) as f64 * ratio) as u32;
    canvas.set_width(width);
    canvas.set_height(height);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let chart = ChartSpec {
        start_secs: window.start_secs,
        end_secs: window.end_secs,
        unit: spec.unit,
        y_from_zero: spec.y_from_zero,
        utc_offset_secs: utc_offset_secs(),
        pixel_ratio: ratio,
        theme: if prefers_light() { LIGHT } else { DARK },
        thresholds: spec.threshold_lines(),
    };
    draw_timeseries(&backend.into_drawing_area(), &chart, series)
        .map(|summary| summary.series_drawn)
        .map_err(|e| e.to_string())
}

fn legend_rows(spec: &PanelSpec, series: &[ChartSeries]) -> Vec<LegendRow> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let st = stats(&s.points);
            let f = |v: Option<f64>| format_value(v.unwrap_or(f64::NAN), spec.unit);
            LegendRow {
                name: s.name.clone(),
                color: i % PALETTE.len(),
                last: f(st.map(|s| s.last)),
                min: f(st.map(|s| s.min)),
                max: f(st.map(|s| s.max)),
                mean: f(st.map(|s| s.mean)),
            }
        })
        .collect()
}

/// Loads a time-series panel: every query at once, then one draw.
async fn load_series(
    spec: &'static PanelSpec,
    base: &str,
    queries: Vec<(Role, String)>,
    window: QueryWindow,
    signal: &AbortSignal,
    canvas: &web_sys::HtmlCanvasElement,
) -> Result<Outcome, PromError> {
    let fetches = queries.iter().map(|(role, q)| async move {
        match role {
            Role::Lines { .. } => fetch_prom(base, range_url(base, q, &window), signal, decode_query_range).await,
            Role::Headline { .. } => fetch_prom(base, instant_url(base, q, window.end_secs), signal, decode_query)
                .await
                .map(|data| match data {
                    QueryData::Vector(v) => {
                        v.into_iter().map(|s| Series { labels: s.labels, points: vec![s.point], ..Default::default() }).collect()
                    }
                    _ => Vec::new(),
                }),
        }
    });
    let answers = futures::future::join_all(fetches).await;
    let mut lines = Vec::new();
    let mut headlines = Vec::new();
    for ((role, _), answer) in queries.iter().zip(answers) {
        let matrix = answer?;
        match *role {
            Role::Lines { legend } => lines.push((legend, matrix)),
            Role::Headline { label, unit } => {
                let value = matrix.first().and_then(|s| s.points.last()).map_or(f64::NAN, |p| p.value);
                headlines.push((label.to_owned(), format_value(value, unit)));
            }
        }
    }
    let series = chart_series(spec, lines);
    if series.is_empty() {
        return Ok(Outcome::Empty("No data in this range.".to_owned()));
    }
    let drawn = match draw(canvas, spec, &window, &series) {
        Ok(n) => n,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    Ok(Outcome::Shown(Shown {
        series: drawn,
        queries: queries.into_iter().map(|(_, q)| q).collect(),
        window: Some(window),
        legend: legend_rows(spec, &series),
        headlines,
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
    let data = fetch_prom(base, instant_url(base, &query, window.end_secs), signal, decode_query).await?;
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
            (get(spec.legend_labels[0]), get(spec.legend_labels[1]), format_value(s.point.value.round(), spec.unit))
        })
        .collect();
    Ok(Outcome::Shown(Shown { series: table.len(), queries: vec![query], window: Some(window), table, ..Default::default() }))
}

/// One panel.
#[component]
pub fn Panel(
    /// What the panel shows.
    spec: &'static PanelSpec,
    /// Shared configuration, metric names and range.
    ctx: PanelContext,
) -> impl IntoView {
    let state = RwSignal::new(PanelState::Loading);
    let shown = RwSignal::new(None::<Shown>);
    let canvas = NodeRef::<html::Canvas>::new();
    // The request in flight, if any: a newer refresh or unmounting the panel aborts it.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    on_cleanup(move || {
        in_flight.try_update_value(|slot| {
            if let Some(c) = slot.take() {
                c.abort();
            }
        });
    });

    let PanelContext { cfg, names, range } = ctx;
    Effect::new(move |_| {
        let range = range.get();
        let width_px = canvas.get().map_or(800, |c| c.client_width().max(100) as u32);
        let window = query_window(range, width_px, cfg.prometheus.scrape_interval_secs);
        let qctx = QueryContext {
            job: &cfg.prometheus.job,
            rate_window_secs: window.rate_window_secs,
            range_secs: range.duration_secs().round() as u64,
            handler: None,
        };
        let queries = match panel_queries(spec, &names, &qctx) {
            Ok(q) => q,
            Err(missing) => {
                state.set(PanelState::Empty(missing));
                return;
            }
        };
        // A new refresh makes the previous request stale: cancel it.
        let Ok(controller) = AbortController::new() else { return };
        in_flight.update_value(|slot| {
            if let Some(previous) = slot.replace(controller.clone()) {
                previous.abort();
            }
        });
        let base = cfg.prometheus.url.clone();
        leptos::task::spawn_local(async move {
            let signal = controller.signal();
            let result = match spec.kind {
                PanelKind::Table => {
                    let q = queries.into_iter().next().map(|q| q.promql).unwrap_or_default();
                    load_table(spec, &base, q, window, &signal).await
                }
                PanelKind::TimeSeries => {
                    let Some(canvas_el) = canvas.get_untracked() else { return };
                    let qs = queries.into_iter().map(|q| (q.role, q.promql)).collect();
                    load_series(spec, &base, qs, window, &signal, &canvas_el).await
                }
            };
            match result {
                Err(e) if e.is_aborted() => {}
                Err(e) => state.set(PanelState::Error(e.to_string())),
                Ok(Outcome::Failed(message)) => state.set(PanelState::Error(message)),
                Ok(Outcome::Empty(empty)) => {
                    shown.set(None);
                    state.set(PanelState::Empty(empty));
                }
                Ok(Outcome::Shown(s)) => {
                    shown.set(Some(s));
                    state.set(PanelState::Ready);
                }
            }
        });
    });

    let message = move || match state.get() {
        PanelState::Loading => Some("Loading…".to_owned()),
        PanelState::Empty(m) | PanelState::Error(m) => Some(m),
        PanelState::Ready => None,
    };
    let attr = move |f: fn(&Shown) -> String| move || shown.get().map(|d| f(&d));
    let is_table = spec.kind == PanelKind::Table;
    view! {
        <section
            class="panel"
            class:table=is_table
            data-panel=spec.id
            data-state=move || state.get().name()
            data-series=attr(|d| d.series.to_string())
            data-query=attr(|d| d.queries.join("\n"))
            data-start=attr(|d| d.window.map(|w| w.start_secs.to_string()).unwrap_or_default())
            data-end=attr(|d| d.window.map(|w| w.end_secs.to_string()).unwrap_or_default())
            data-step=attr(|d| d.window.map(|w| w.step.secs().to_string()).unwrap_or_default())
        >
            <h2>
                {spec.title}
                {move || {
                    shown
                        .get()
                        .map(|d| {
                            d.headlines
                                .into_iter()
                                .map(|(label, value)| view! { <span class="headline">{label}": "{value}</span> })
                                .collect_view()
                        })
                }}
            </h2>
            <div class="chart">
                {(!is_table).then(|| view! { <canvas node_ref=canvas></canvas> })}
                {move || {
                    shown
                        .get()
                        .filter(|_| is_table)
                        .map(|d| {
                            view! {
                                <table class="ranked">
                                    <thead><tr><th>"handler"</th><th>"status"</th><th>"errors"</th></tr></thead>
                                    <tbody>
                                        {d.table.into_iter().map(|(h, s, n)| view! { <tr><td>{h}</td><td>{s}</td><td class="num">{n}</td></tr> }).collect_view()}
                                    </tbody>
                                </table>
                            }
                        })
                }}
                {move || message().map(|m| view! { <p class="message">{m}</p> })}
            </div>
            <table class="legend">
                {move || {
                    shown
                        .get()
                        .filter(|d| !d.legend.is_empty())
                        .map(|d| {
                            view! {
                                <thead><tr><th></th><th>"last"</th><th>"min"</th><th>"max"</th><th>"mean"</th></tr></thead>
                                <tbody>
                                    {d.legend
                                        .into_iter()
                                        .map(|row| {
                                            let c = PALETTE[row.color];
                                            let color = format!("background: rgb({},{},{})", c.0, c.1, c.2);
                                            view! {
                                                <tr>
                                                    <td class="name"><span class="swatch" style=color></span>{row.name}</td>
                                                    <td class="num">{row.last}</td>
                                                    <td class="num">{row.min}</td>
                                                    <td class="num">{row.max}</td>
                                                    <td class="num">{row.mean}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            }
                        })
                }}
            </table>
        </section>
    }
}
