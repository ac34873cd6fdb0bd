//! Draws a chart on a `<canvas>` at its CSS size and the device's pixel ratio, through the
//! core's `draw_timeseries` on the plotters-canvas backend.

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;

use crate::core::chart::{draw_timeseries, ChartSeries, ChartSpec, DrawSummary, DARK, LIGHT};
use crate::core::panels::PanelSpec;
use crate::core::time::QueryWindow;
use crate::web::utc_offset_at;

/// Draws `series` of `spec` over `window` on `canvas`; answers what was drawn and the pixel
/// ratio it was drawn at.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    spec: &PanelSpec,
    window: &QueryWindow,
    series: &[ChartSeries],
    light: bool,
) -> Result<(DrawSummary, f64), String> {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
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
        utc_offset_secs: utc_offset_at(window.end_secs),
        pixel_ratio: ratio,
        theme: if light { LIGHT } else { DARK },
        thresholds: spec.threshold_lines(),
    };
    draw_timeseries(&backend.into_drawing_area(), &chart, series)
        .map(|summary| (summary, ratio))
        .map_err(|e| e.to_string())
}
