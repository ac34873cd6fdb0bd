//! Bench-only: "draw these series on this canvas" for the render benchmark of `cargo xtask
//! bench`, through the app's own panel code (`web::canvas::draw`: canvas sizing, the core's
//! `draw_timeseries` with its M4 downsampling, plotters-canvas), after the same selection of
//! series a panel makes (the busiest `MAX_SERIES`) and with its legend figures. It is built
//! into its own wasm by xtask: the app's download does not change.
//!
//! Natively this crate is empty.
#![cfg(target_arch = "wasm32")]

use arrwdb_ops::core::chart::ChartSeries;
use arrwdb_ops::core::panels::REQUEST_RATE;
use arrwdb_ops::core::prom::Point;
use arrwdb_ops::core::series::top_k;
use arrwdb_ops::core::time::{QueryWindow, Step};
use arrwdb_ops::core::panel_view::{legend, MAX_SERIES};
use arrwdb_ops::web::canvas::draw;
use wasm_bindgen::prelude::*;

/// Draws on `canvas`, as the request-rate panel does when its data arrives, the series whose
/// values are `values` (series after series, each as long as `times_secs`) over `times_secs`.
/// Answers how many points the chart drew (after downsampling) and how many series it hid.
#[wasm_bindgen]
pub fn draw_panel(
    canvas: &web_sys::HtmlCanvasElement,
    times_secs: &[f64],
    values: &[f64],
) -> Result<Vec<u32>, JsError> {
    let points_per_series = times_secs.len();
    if points_per_series < 2 || !values.len().is_multiple_of(points_per_series) {
        return Err(JsError::new(
            "values must hold whole series over at least two times",
        ));
    }
    let series: Vec<ChartSeries> = values
        .chunks(points_per_series)
        .enumerate()
        .map(|(i, chunk)| ChartSeries {
            name: format!("series {i}"),
            points: times_secs
                .iter()
                .zip(chunk)
                .map(|(&t_secs, &value)| Point { t_secs, value })
                .collect(),
            color: i,
        })
        .collect();
    let (shown, hidden) = top_k(series, MAX_SERIES, |s| s.points.as_slice());
    let step_secs = (times_secs[1] - times_secs[0]).max(1.0) as u64;
    let window = QueryWindow {
        start_secs: times_secs[0],
        end_secs: times_secs[points_per_series - 1],
        step: Step::from_secs(step_secs).ok_or_else(|| JsError::new("zero step"))?,
        rate_window_secs: step_secs,
    };
    let (summary, _ratio) =
        draw(canvas, &REQUEST_RATE, &window, &shown, false).map_err(|e| JsError::new(&e))?;
    let legend = legend(REQUEST_RATE.unit, &shown, None);
    Ok(vec![
        summary.points_drawn as u32,
        hidden as u32,
        legend.len() as u32,
    ])
}
