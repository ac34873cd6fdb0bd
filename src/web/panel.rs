//! A time-series panel: asks Prometheus for its query over the current window, draws the answer
//! on a canvas through the core's chart code, and shows its state in the DOM contract
//! (`data-panel`, `data-state`, `data-series`).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use web_sys::AbortController;

use crate::core::chart::{draw_timeseries, ChartSeries, ChartSpec, DARK, LIGHT};
use crate::core::config::Config;
use crate::core::panels::{self, PanelSpec};
use crate::core::prom::{decode_query_range, PromError};
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
    Empty,
    Error(String),
}

impl PanelState {
    fn name(&self) -> &'static str {
        match self {
            PanelState::Loading => "loading",
            PanelState::Ready => "ready",
            PanelState::Empty => "empty",
            PanelState::Error(_) => "error",
        }
    }
}

/// What was last drawn, for the DOM contract and the legend.
#[derive(Debug, Clone, PartialEq)]
struct Drawn {
    series: usize,
    query: String,
    window: QueryWindow,
    legend: Vec<(String, String)>,
}

fn now_secs() -> f64 {
    js_sys::Date::now() / 1_000.0
}

fn utc_offset_secs() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64) * 60
}

fn prefers_light() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: light)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Fetches and decodes one range query.
async fn fetch_range(
    base: &str,
    query: &str,
    window: &QueryWindow,
    signal: &web_sys::AbortSignal,
) -> Result<Vec<crate::core::prom::Series>, PromError> {
    let url = with_query(
        base,
        "/api/v1/query_range",
        &[
            ("query", query),
            ("start", &window.start_secs.to_string()),
            ("end", &window.end_secs.to_string()),
            ("step", &window.step.secs().to_string()),
        ],
    );
    match get_text(&url, Some(signal)).await {
        Err(FetchFailure::Aborted) => Err(PromError::aborted()),
        Err(FetchFailure::Network(detail)) => Err(PromError::unreachable(base, &detail)),
        Ok((status, body)) => decode_query_range(status, &body).map(|answer| answer.data).map_err(|e| e.at_url(base)),
    }
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
        thresholds: Vec::new(),
    };
    draw_timeseries(&backend.into_drawing_area(), &chart, series)
        .map(|summary| summary.series_drawn)
        .map_err(|e| e.to_string())
}

/// One time-series panel.
#[component]
pub fn TimeseriesPanel(
    /// What the panel shows.
    spec: PanelSpec,
    /// The runtime configuration.
    cfg: Arc<Config>,
    /// Bumped by the dashboard on every refresh.
    tick: ReadSignal<u64>,
) -> impl IntoView {
    let state = RwSignal::new(PanelState::Loading);
    let drawn = RwSignal::new(None::<Drawn>);
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

    Effect::new(move |_| {
        tick.track();
        let Some(canvas_el) = canvas.get() else { return };
        let width_px = canvas_el.client_width().max(100) as u32;
        let Ok(range) = TimeRange::last(3_600.0, now_secs()) else { return };
        let window = query_window(range, width_px, cfg.prometheus.scrape_interval_secs);
        let query = panels::request_rate_query(&cfg.prometheus.job, window.rate_window_secs);
        // A new refresh makes the previous request stale: cancel it.
        let Ok(controller) = AbortController::new() else { return };
        in_flight.update_value(|slot| {
            if let Some(previous) = slot.replace(controller.clone()) {
                previous.abort();
            }
        });
        let base = cfg.prometheus.url.clone();
        leptos::task::spawn_local(async move {
            match fetch_range(&base, &query, &window, &controller.signal()).await {
                Err(e) if e.is_aborted() => {}
                Err(e) => state.set(PanelState::Error(e.to_string())),
                Ok(matrix) => {
                    let series = panels::chart_series(matrix, &spec);
                    if series.is_empty() {
                        drawn.set(None);
                        state.set(PanelState::Empty);
                        return;
                    }
                    match draw(&canvas_el, &spec, &window, &series) {
                        Ok(n) => {
                            let legend = series
                                .iter()
                                .map(|s| {
                                    let last = stats(&s.points).map_or(f64::NAN, |st| st.last);
                                    (s.name.clone(), format_value(last, spec.unit))
                                })
                                .collect();
                            drawn.set(Some(Drawn { series: n, query, window, legend }));
                            state.set(PanelState::Ready);
                        }
                        Err(message) => state.set(PanelState::Error(message)),
                    }
                }
            }
        });
    });

    let message = move || match state.get() {
        PanelState::Loading => Some("Loading…".to_owned()),
        PanelState::Empty => Some("No data in this range.".to_owned()),
        PanelState::Error(m) => Some(m),
        PanelState::Ready => None,
    };
    let attr = move |f: fn(&Drawn) -> String| move || drawn.get().map(|d| f(&d));
    view! {
        <section
            class="panel"
            data-panel=spec.id
            data-state=move || state.get().name()
            data-series=attr(|d| d.series.to_string())
            data-query=attr(|d| d.query.clone())
            data-start=attr(|d| d.window.start_secs.to_string())
            data-end=attr(|d| d.window.end_secs.to_string())
            data-step=attr(|d| d.window.step.secs().to_string())
        >
            <h2>{spec.title}</h2>
            <div class="chart">
                <canvas node_ref=canvas></canvas>
                {move || message().map(|m| view! { <p class="message">{m}</p> })}
            </div>
            <ul class="legend">
                {move || {
                    drawn
                        .get()
                        .map(|d| {
                            d.legend
                                .into_iter()
                                .enumerate()
                                .map(|(i, (name, last))| {
                                    let c = crate::core::chart::PALETTE[i % crate::core::chart::PALETTE.len()];
                                    let color = format!("background: rgb({},{},{})", c.0, c.1, c.2);
                                    view! {
                                        <li>
                                            <span class="swatch" style=color></span>
                                            <span class="name">{name}</span>
                                            <span class="last">{last}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        })
                }}
            </ul>
        </section>
    }
}
