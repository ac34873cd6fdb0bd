//! Chart drawing onto any plotters backend: the browser passes a canvas, tests pass an SVG
//! string. Nothing here knows where the pixels go.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::core::prom::Point;
use crate::core::series::m4;
use crate::core::time::{axis_label, time_ticks};
use crate::core::units::{format_value, Unit};

/// Colours of a chart, so a theme is data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub background: RGBColor,
    pub text: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub palette: &'static [RGBColor],
}

/// Series colours, chosen to stay distinct on dark and light backgrounds.
pub const PALETTE: &[RGBColor] = &[
    RGBColor(0x4e, 0x9a, 0xf1),
    RGBColor(0xf2, 0x9e, 0x4c),
    RGBColor(0x56, 0xb8, 0x81),
    RGBColor(0xe0, 0x5d, 0x5d),
    RGBColor(0xa4, 0x7c, 0xe0),
    RGBColor(0xd9, 0xc2, 0x4a),
    RGBColor(0x4c, 0xc2, 0xc9),
    RGBColor(0xe0, 0x7c, 0xc2),
    RGBColor(0x9a, 0xa5, 0x5b),
    RGBColor(0xb0, 0xb0, 0xb0),
];

pub const DARK: Theme = Theme {
    background: RGBColor(0x16, 0x1a, 0x21),
    text: RGBColor(0xc8, 0xcf, 0xd8),
    grid: RGBColor(0x2a, 0x30, 0x3a),
    axis: RGBColor(0x55, 0x5e, 0x6b),
    palette: PALETTE,
};

pub const LIGHT: Theme = Theme {
    background: RGBColor(0xff, 0xff, 0xff),
    text: RGBColor(0x30, 0x36, 0x40),
    grid: RGBColor(0xe6, 0xe8, 0xec),
    axis: RGBColor(0x9a, 0xa1, 0xab),
    palette: PALETTE,
};

/// A horizontal reference line (an SLO or an alert threshold).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub value: f64,
    pub label: String,
}

/// What to draw, apart from the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub start_secs: f64,
    pub end_secs: f64,
    pub unit: Unit,
    /// Rates, counts and sizes start at zero; a y axis that starts elsewhere exaggerates.
    pub y_from_zero: bool,
    /// The browser's offset from UTC, so the time axis is in local time.
    pub utc_offset_secs: i64,
    /// Device pixels per CSS pixel: fonts and lines scale with it.
    pub pixel_ratio: f64,
    pub theme: Theme,
    pub thresholds: Vec<Threshold>,
}

/// One line on the chart. Non-finite values are gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub points: Vec<Point>,
    /// Index into the palette: stable while series are isolated or hidden.
    pub color: usize,
}

/// What was drawn: the tests and the page's `data-series` read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawSummary {
    pub series_drawn: usize,
    pub points_drawn: usize,
    /// The plotting area's horizontal extent in device pixels, so the page can map a pointer
    /// position to a time (zoom, crosshair).
    pub plot_left_px: i32,
    pub plot_right_px: i32,
    /// The vertical extent in device pixels and the values at its bottom and top, so the page
    /// can place marks at a value (the trace scatter).
    pub plot_top_px: i32,
    pub plot_bottom_px: i32,
    pub y_lo: f64,
    pub y_hi: f64,
}

/// The plot's horizontal axis as the pointer sees it: `left_px..right_px` (CSS pixels from the
/// canvas's left edge) shows `start_secs..end_secs`. Maps a pointer to a time (zoom, hover) and
/// a time to a position (the shared crosshair).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimeAxis {
    pub left_px: f64,
    pub right_px: f64,
    pub start_secs: f64,
    pub end_secs: f64,
}

impl TimeAxis {
    /// The time under `x_px`, clamped to the plot; `None` for an empty plot.
    pub fn time_at(&self, x_px: f64) -> Option<f64> {
        let span_px = self.right_px - self.left_px;
        (span_px > 0.0).then(|| {
            self.start_secs
                + (x_px - self.left_px).clamp(0.0, span_px) / span_px
                    * (self.end_secs - self.start_secs)
        })
    }

    /// Where `t_secs` is drawn; `None` outside the plotted range.
    pub fn x_at(&self, t_secs: f64) -> Option<f64> {
        let span_secs = self.end_secs - self.start_secs;
        (span_secs > 0.0 && t_secs >= self.start_secs && t_secs <= self.end_secs).then(|| {
            self.left_px + (t_secs - self.start_secs) / span_secs * (self.right_px - self.left_px)
        })
    }
}

/// The plot's vertical axis in CSS pixels: `bottom_px` shows `lo`, `top_px` shows `hi`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ValueAxis {
    pub top_px: f64,
    pub bottom_px: f64,
    pub lo: f64,
    pub hi: f64,
}

impl ValueAxis {
    /// Where `value` is drawn, clamped to the plot (a value above the axis sits on its top
    /// edge); `None` for a non-finite value or an empty axis.
    pub fn y_at(&self, value: f64) -> Option<f64> {
        let span = self.hi - self.lo;
        (value.is_finite() && span > 0.0).then(|| {
            let f = ((value - self.lo) / span).clamp(0.0, 1.0);
            self.bottom_px - f * (self.bottom_px - self.top_px)
        })
    }
}

/// A drawing failure, in words (the backend's error types differ).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(pub String);

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

/// The value range of the y axis: zero-based when asked, padded by 10 % on top, and never
/// empty (a flat or empty series gets a unit range).
pub fn y_range(spec: &ChartSpec, series: &[ChartSeries]) -> (f64, f64) {
    let finite = series
        .iter()
        .flat_map(|s| s.points.iter())
        .map(|p| p.value)
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if spec.y_from_zero {
        lo = lo.min(0.0);
    }
    if hi <= lo {
        hi = lo + if lo == 0.0 { 1.0 } else { lo.abs() };
    }
    (lo, hi + (hi - lo) * 0.1)
}

/// Round tick values for a value axis: at most `max_ticks`, on a 1/2/5 × 10^k grid.
pub fn value_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    // Also refuses NaN bounds (not ordered).
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
        || max_ticks < 2
    {
        return Vec::new();
    }
    let raw = (hi - lo) / (max_ticks - 1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Where the plot sits inside the chart, in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Plot {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    start_secs: f64,
    end_secs: f64,
    y_lo: f64,
    y_hi: f64,
}

impl Plot {
    fn x(&self, t_secs: f64) -> i32 {
        let f = (t_secs - self.start_secs) / (self.end_secs - self.start_secs);
        self.left + (f * f64::from(self.right - self.left)).round() as i32
    }

    fn y(&self, value: f64) -> i32 {
        let f = (value - self.y_lo) / (self.y_hi - self.y_lo);
        self.bottom - (f * f64::from(self.bottom - self.top)).round() as i32
    }
}

/// Draws a time-series chart filling `area`: its own layout on the backend's primitives (no
/// generic chart builder), so the cost is a few lines and labels plus at most four points per
/// pixel column per series.
pub fn draw_timeseries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[ChartSeries],
) -> Result<DrawSummary, ChartError> {
    let pr = spec.pixel_ratio.max(0.5);
    let px = |css: f64| (css * pr).round() as i32;
    area.fill(&spec.theme.background).map_err(err)?;
    let (width_px, height_px) = area.dim_in_pixel();
    let (y_lo, y_hi) = y_range(spec, series);
    let font_px = 11.0 * pr;
    // The family as a value: from the text "sans-serif" plotters would lower-case it, which
    // pulls 11 KB of Unicode case tables into the wasm.
    let font = (FontFamily::SansSerif, font_px)
        .into_font()
        .color(&spec.theme.text);
    let y_ticks = value_ticks(y_lo, y_hi, 5);
    let y_labels: Vec<String> = y_ticks
        .iter()
        .map(|v| format_value(*v, spec.unit))
        .collect();
    // Label widths are estimated (0.6 em a character): measuring text is the backend's business
    // and this keeps the layout identical on canvas and SVG.
    let widest = y_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1) as f64;
    let plot = Plot {
        left: (widest * font_px * 0.6) as i32 + px(10.0),
        right: width_px as i32 - px(12.0),
        top: px(8.0),
        bottom: height_px as i32 - px(22.0),
        start_secs: spec.start_secs,
        end_secs: spec.end_secs,
        y_lo,
        y_hi,
    };
    if plot.right - plot.left < 10 || plot.bottom - plot.top < 10 {
        return Err(ChartError(format!(
            "the chart area ({width_px}×{height_px} px) is too small to draw"
        )));
    }
    let thin = |c: RGBColor| c.stroke_width(px(1.0).max(1) as u32);
    let hline = |y: i32, style: ShapeStyle| {
        area.draw(&PathElement::new(
            vec![(plot.left, y), (plot.right, y)],
            style,
        ))
    };

    // Grid and value labels.
    let right_aligned = font.pos(Pos::new(HPos::Right, VPos::Center));
    for (v, label) in y_ticks.iter().zip(&y_labels) {
        let y = plot.y(*v);
        hline(y, thin(spec.theme.grid)).map_err(err)?;
        area.draw(&Text::new(
            label.clone(),
            (plot.left - px(6.0), y),
            right_aligned.clone(),
        ))
        .map_err(err)?;
    }
    // Time ticks on round local times.
    let range_secs = spec.end_secs - spec.start_secs;
    let max_ticks = ((f64::from(width_px) / pr) / 110.0).clamp(2.0, 12.0) as usize;
    let centred = font.pos(Pos::new(HPos::Center, VPos::Top));
    for t in time_ticks(
        spec.start_secs,
        spec.end_secs,
        max_ticks,
        spec.utc_offset_secs,
    ) {
        let x = plot.x(t);
        area.draw(&PathElement::new(
            vec![(x, plot.top), (x, plot.bottom)],
            thin(spec.theme.grid),
        ))
        .map_err(err)?;
        let label = axis_label(t, spec.utc_offset_secs, range_secs);
        area.draw(&Text::new(
            label,
            (x, plot.bottom + px(5.0)),
            centred.clone(),
        ))
        .map_err(err)?;
    }
    area.draw(&PathElement::new(
        vec![
            (plot.left, plot.top),
            (plot.left, plot.bottom),
            (plot.right, plot.bottom),
        ],
        thin(spec.theme.axis),
    ))
    .map_err(err)?;

    // Reference lines, dashed, with their labels as text (never markup).
    let dash = px(6.0).max(2);
    let gap = px(4.0).max(1);
    for t in spec
        .thresholds
        .iter()
        .filter(|t| t.value >= y_lo && t.value <= y_hi)
    {
        let y = plot.y(t.value);
        let style = RGBColor(0xe0, 0x5d, 0x5d)
            .mix(0.7)
            .stroke_width(px(1.0).max(1) as u32);
        let mut x = plot.left;
        while x < plot.right {
            let end = (x + dash).min(plot.right);
            area.draw(&PathElement::new(vec![(x, y), (end, y)], style))
                .map_err(err)?;
            x = end + gap;
        }
        let above = font.pos(Pos::new(HPos::Left, VPos::Bottom));
        area.draw(&Text::new(
            t.label.clone(),
            (plot.left + px(4.0), y - px(2.0)),
            above,
        ))
        .map_err(err)?;
    }

    // The series: at most four points per pixel column, split at gaps.
    let columns = (plot.right - plot.left).max(1) as usize;
    let mut summary = DrawSummary {
        series_drawn: 0,
        points_drawn: 0,
        plot_left_px: plot.left,
        plot_right_px: plot.right,
        plot_top_px: plot.top,
        plot_bottom_px: plot.bottom,
        y_lo,
        y_hi,
    };
    for s in series {
        let color = spec.theme.palette[s.color % spec.theme.palette.len()];
        let style = color.stroke_width(px(1.5).max(1) as u32);
        let reduced = m4(&s.points, spec.start_secs, spec.end_secs, columns);
        let mut any = false;
        for segment in reduced
            .split(|p| !p.value.is_finite())
            .filter(|seg| !seg.is_empty())
        {
            summary.points_drawn += segment.len();
            any = true;
            let path: Vec<(i32, i32)> = segment
                .iter()
                .map(|p| (plot.x(p.t_secs), plot.y(p.value)))
                .collect();
            area.draw(&PathElement::new(path, style)).map_err(err)?;
        }
        if any {
            summary.series_drawn += 1;
        }
    }
    area.present().map_err(err)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ChartSpec {
        ChartSpec {
            start_secs: 1_000.0,
            end_secs: 4_600.0,
            unit: Unit::PerSecond,
            y_from_zero: true,
            utc_offset_secs: 0,
            pixel_ratio: 1.0,
            theme: DARK,
            thresholds: vec![Threshold {
                value: 20.0,
                label: "alert <b>".into(),
            }],
        }
    }

    fn line(name: &str, values: &[f64]) -> ChartSeries {
        ChartSeries {
            color: name.len() - 1,
            name: name.into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, &v)| Point {
                    t_secs: 1_000.0 + i as f64 * 60.0,
                    value: v,
                })
                .collect(),
        }
    }

    fn draw_svg(series: &[ChartSeries]) -> (String, DrawSummary) {
        let mut svg = String::new();
        let summary = {
            let area = SVGBackend::with_string(&mut svg, (600, 200)).into_drawing_area();
            draw_timeseries(&area, &spec(), series).unwrap()
        };
        (svg, summary)
    }

    #[test]
    fn draws_each_series_and_splits_lines_at_gaps() {
        let (svg, summary) = draw_svg(&[
            line("a", &[1.0, 2.0, f64::NAN, 4.0, 5.0]),
            line("bb", &[10.0, 20.0, 25.0]),
        ]);
        assert_eq!((summary.series_drawn, summary.points_drawn), (2, 7));
        assert!(
            summary.plot_left_px > 0
                && summary.plot_right_px <= 600
                && summary.plot_left_px < summary.plot_right_px
        );
        // "a" is drawn in two pieces around its gap, "b" in one, each in its palette colour.
        let lines_of = |c: RGBColor| {
            svg.matches(&format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2))
                .count()
        };
        assert_eq!(
            (lines_of(PALETTE[0]), lines_of(PALETTE[1])),
            (2, 1),
            "{svg}"
        );
        // The axis says the unit, the time axis is labelled in HH:MM (UTC here).
        assert!(svg.contains("req/s"), "y labels carry the unit");
        for label in ["00:30", "00:45", "01:00", "01:15"] {
            assert!(svg.contains(label), "time label {label}: {svg}");
        }
        // The threshold's label is text, escaped, never markup.
        assert!(svg.contains("alert &lt;b&gt;") && !svg.contains("alert <b>"));
    }

    #[test]
    fn value_ticks_are_round() {
        let check = |lo: f64, hi: f64, expected: &[f64]| {
            assert_eq!(value_ticks(lo, hi, 5), expected, "{lo}..{hi}")
        };
        check(0.0, 11.0, &[0.0, 5.0, 10.0]);
        check(0.0, 1.1, &[0.0, 0.5, 1.0]);
        check(0.0, 0.0011, &[0.0, 0.0005, 0.001]);
        check(5.0, 10.5, &[6.0, 8.0, 10.0]);
        check(0.0, 100.0, &[0.0, 50.0, 100.0]);
        assert!(value_ticks(1.0, 1.0, 5).is_empty());
        assert!(value_ticks(0.0, f64::NAN, 5).is_empty());
    }

    #[test]
    fn an_all_gap_series_draws_nothing_and_does_not_fail() {
        let (_, summary) = draw_svg(&[line("a", &[f64::NAN, f64::INFINITY])]);
        assert_eq!(summary.series_drawn, 0);
    }

    #[test]
    fn y_range_starts_at_zero_for_rates_and_is_never_empty() {
        let check = |values: &[f64], from_zero: bool, expected: (f64, f64)| {
            let mut s = spec();
            s.y_from_zero = from_zero;
            assert_eq!(y_range(&s, &[line("a", values)]), expected, "{values:?}");
        };
        check(&[5.0, 10.0], true, (0.0, 11.0));
        check(&[5.0, 10.0], false, (5.0, 10.5));
        check(&[], true, (0.0, 1.1));
        check(&[0.0, 0.0], true, (0.0, 1.1));
        check(&[f64::NAN], true, (0.0, 1.1));
        check(&[7.0], false, (7.0, 14.7));
    }

    #[test]
    fn the_value_axis_places_values_and_clamps_them_to_the_plot() {
        let axis = ValueAxis {
            top_px: 10.0,
            bottom_px: 210.0,
            lo: 0.0,
            hi: 2.0,
        };
        assert_eq!(axis.y_at(0.0), Some(210.0));
        assert_eq!(axis.y_at(0.5), Some(160.0));
        assert_eq!(axis.y_at(2.0), Some(10.0));
        // A trace slower than the axis sits on its top edge; nothing is placed for NaN.
        assert_eq!(axis.y_at(30.0), Some(10.0));
        assert_eq!(axis.y_at(-1.0), Some(210.0));
        assert_eq!(axis.y_at(f64::NAN), None);
        assert_eq!(ValueAxis { hi: 0.0, ..axis }.y_at(0.0), None);
    }

    #[test]
    fn the_time_axis_maps_pointer_and_time_both_ways() {
        let axis = TimeAxis {
            left_px: 50.0,
            right_px: 550.0,
            start_secs: 1_000.0,
            end_secs: 2_000.0,
        };
        assert_eq!(axis.time_at(50.0), Some(1_000.0));
        assert_eq!(axis.time_at(300.0), Some(1_500.0));
        // Outside the plot the pointer is clamped to its edges.
        assert_eq!(axis.time_at(0.0), Some(1_000.0));
        assert_eq!(axis.time_at(900.0), Some(2_000.0));
        assert_eq!(axis.x_at(1_500.0), Some(300.0));
        assert_eq!(axis.x_at(999.0), None);
        assert_eq!(axis.x_at(2_001.0), None);
        for x in [50.0, 123.0, 550.0] {
            assert_eq!(axis.x_at(axis.time_at(x).unwrap()), Some(x));
        }
        let empty = TimeAxis {
            right_px: 50.0,
            ..axis
        };
        assert_eq!(empty.time_at(60.0), None);
        let instant = TimeAxis {
            end_secs: 1_000.0,
            ..axis
        };
        assert_eq!(instant.x_at(1_000.0), None);
    }
}
