//! Chart drawing onto any plotters backend: the browser passes a canvas, tests pass an SVG
//! string. Nothing here knows where the pixels go.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::core::prom::Point;
use crate::core::series::m4;
use crate::core::time::{axis_label, time_ticks};
use crate::core::units::{format_value, Unit};

/// The time axis: linear in seconds, with ticks on round local times from [`time_ticks`]
/// (plotters' own would fall on round numbers of seconds).
struct TimeAxis {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for TimeAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.linear.range()
    }
}

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
}

/// What was drawn: the tests and the page's `data-series` read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawSummary {
    pub series_drawn: usize,
    pub points_drawn: usize,
}

/// A drawing failure, in words (the backend's error types differ).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(pub String);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// The value range of the y axis: zero-based when asked, padded by 10 % on top, and never
/// empty (a flat or empty series gets a unit range).
pub fn y_range(spec: &ChartSpec, series: &[ChartSeries]) -> (f64, f64) {
    let finite = series.iter().flat_map(|s| s.points.iter()).map(|p| p.value).filter(|v| v.is_finite());
    let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
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

/// Draws a time-series chart filling `area`.
pub fn draw_timeseries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[ChartSeries],
) -> Result<DrawSummary, ChartError> {
    let pr = spec.pixel_ratio.max(0.5);
    let px = |css: f64| (css * pr).round() as u32;
    area.fill(&spec.theme.background).map_err(err)?;
    let (width_px, _) = area.dim_in_pixel();
    let (y_lo, y_hi) = y_range(spec, series);
    let font = ("sans-serif", 11.0 * pr).into_font().color(&spec.theme.text);
    let range_secs = spec.end_secs - spec.start_secs;
    let max_ticks = ((width_px as f64 / pr) / 110.0).clamp(2.0, 12.0) as usize;
    let ticks = time_ticks(spec.start_secs, spec.end_secs, max_ticks, spec.utc_offset_secs);
    let mut chart = ChartBuilder::on(area)
        .margin_top(px(8.0))
        .margin_right(px(12.0))
        .x_label_area_size(px(22.0))
        .y_label_area_size(px(64.0))
        .build_cartesian_2d(TimeAxis { linear: (spec.start_secs..spec.end_secs).into(), ticks }, y_lo..y_hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(max_ticks)
        .y_labels(5)
        .x_label_formatter(&|t| axis_label(*t, spec.utc_offset_secs, range_secs))
        .y_label_formatter(&|v| format_value(*v, spec.unit))
        .label_style(font.clone())
        .bold_line_style(spec.theme.grid.stroke_width(px(1.0).max(1)))
        .light_line_style(TRANSPARENT)
        .axis_style(spec.theme.axis.stroke_width(px(1.0).max(1)))
        .draw()
        .map_err(err)?;

    for t in spec.thresholds.iter().filter(|t| t.value >= y_lo && t.value <= y_hi) {
        let style = RGBColor(0xe0, 0x5d, 0x5d).mix(0.7).stroke_width(px(1.0).max(1));
        chart
            .draw_series(DashedLineSeries::new(
                [(spec.start_secs, t.value), (spec.end_secs, t.value)],
                px(6.0),
                px(4.0),
                style,
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                t.label.clone(),
                (spec.start_secs + range_secs * 0.005, t.value),
                font.clone(),
            )))
            .map_err(err)?;
    }

    let columns = (width_px as usize).max(1);
    let mut summary = DrawSummary { series_drawn: 0, points_drawn: 0 };
    for (i, s) in series.iter().enumerate() {
        let color = spec.theme.palette[i % spec.theme.palette.len()];
        let style = color.stroke_width(px(1.5).max(1));
        let reduced = m4(&s.points, spec.start_secs, spec.end_secs, columns);
        let mut any = false;
        for segment in reduced.split(|p| !p.value.is_finite()).filter(|seg| !seg.is_empty()) {
            summary.points_drawn += segment.len();
            any = true;
            chart
                .draw_series(LineSeries::new(segment.iter().map(|p| (p.t_secs, p.value)), style))
                .map_err(err)?;
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
            thresholds: vec![Threshold { value: 20.0, label: "alert <b>".into() }],
        }
    }

    fn line(name: &str, values: &[f64]) -> ChartSeries {
        ChartSeries {
            name: name.into(),
            points: values.iter().enumerate().map(|(i, &v)| Point { t_secs: 1_000.0 + i as f64 * 60.0, value: v }).collect(),
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
        let (svg, summary) = draw_svg(&[line("a", &[1.0, 2.0, f64::NAN, 4.0, 5.0]), line("b", &[10.0, 20.0, 25.0])]);
        assert_eq!(summary, DrawSummary { series_drawn: 2, points_drawn: 7 });
        // "a" is drawn in two pieces around its gap, "b" in one, each in its palette colour.
        let lines_of = |c: RGBColor| svg.matches(&format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)).count();
        assert_eq!((lines_of(PALETTE[0]), lines_of(PALETTE[1])), (2, 1), "{svg}");
        // The axis says the unit, the time axis is labelled in HH:MM (UTC here).
        assert!(svg.contains("req/s"), "y labels carry the unit");
        for label in ["00:30", "00:45", "01:00", "01:15"] {
            assert!(svg.contains(label), "time label {label}: {svg}");
        }
        // The threshold's label is text, escaped, never markup.
        assert!(svg.contains("alert &lt;b&gt;") && !svg.contains("alert <b>"));
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
}
