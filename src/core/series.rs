//! Series as the charts see them, and downsampling so that drawing cost depends on the chart's
//! width, not on the data.

use crate::core::prom::Point;

/// Keeps at most four points per pixel column (the first, minimum, maximum and last: "M4"),
/// which draws exactly the same line as the full data at that width. Non-finite values are
/// gaps: each is kept (once per run) so a line is never drawn across missing data.
pub fn m4(points: &[Point], start_secs: f64, end_secs: f64, columns: usize) -> Vec<Point> {
    let columns = columns.max(1);
    if points.len() <= columns * 4 || end_secs <= start_secs {
        return points.to_vec();
    }
    let scale = columns as f64 / (end_secs - start_secs);
    let column_of = |t: f64| (((t - start_secs) * scale).floor().max(-1.0) as i64).min(columns as i64);
    let mut out = Vec::with_capacity(columns * 4);
    let mut i = 0;
    while i < points.len() {
        let p = points[i];
        if !p.value.is_finite() {
            if out.last().map_or(true, |q: &Point| q.value.is_finite()) {
                out.push(p);
            }
            i += 1;
            continue;
        }
        // A run of finite points in one column.
        let col = column_of(p.t_secs);
        let (mut min, mut max, mut last) = (p, p, p);
        let mut j = i + 1;
        while j < points.len() && points[j].value.is_finite() && column_of(points[j].t_secs) == col {
            let q = points[j];
            if q.value < min.value {
                min = q;
            }
            if q.value > max.value {
                max = q;
            }
            last = q;
            j += 1;
        }
        let mut run = [p, min, max, last];
        run.sort_by(|a, b| a.t_secs.total_cmp(&b.t_secs));
        for q in run {
            if out.last().map_or(true, |l: &Point| l.t_secs != q.t_secs) {
                out.push(q);
            }
        }
        i = j;
    }
    out
}

/// Summary figures of one series for the legend: over finite values only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesStats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// The last finite value.
    pub last: f64,
}

/// Min, max, mean and last of the finite values; `None` when there are none.
pub fn stats(points: &[Point]) -> Option<SeriesStats> {
    let mut finite = points.iter().map(|p| p.value).filter(|v| v.is_finite());
    let first = finite.next()?;
    let (mut min, mut max, mut sum, mut n, mut last) = (first, first, first, 1usize, first);
    for v in finite {
        min = min.min(v);
        max = max.max(v);
        sum += v;
        n += 1;
        last = v;
    }
    Some(SeriesStats { min, max, mean: sum / n as f64, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(values: &[(f64, f64)]) -> Vec<Point> {
        values.iter().map(|&(t_secs, value)| Point { t_secs, value }).collect()
    }

    #[test]
    fn m4_keeps_extremes_per_column() {
        // 1,000 points over 10 columns: each column keeps first, min, max, last.
        let data: Vec<Point> =
            (0..1_000).map(|i| Point { t_secs: i as f64, value: ((i * 37) % 101) as f64 }).collect();
        let out = m4(&data, 0.0, 1_000.0, 10);
        assert!(out.len() <= 40, "{}", out.len());
        for col in 0..10 {
            let slice = &data[col * 100..(col + 1) * 100];
            let kept: Vec<&Point> = out.iter().filter(|p| (p.t_secs as usize) / 100 == col).collect();
            let max = slice.iter().map(|p| p.value).fold(f64::MIN, f64::max);
            let min = slice.iter().map(|p| p.value).fold(f64::MAX, f64::min);
            assert!(kept.iter().any(|p| p.value == max) && kept.iter().any(|p| p.value == min));
            assert_eq!(kept.first().unwrap().t_secs, slice[0].t_secs);
            assert_eq!(kept.last().unwrap().t_secs, slice[99].t_secs);
        }
        assert!(out.windows(2).all(|w| w[0].t_secs < w[1].t_secs), "time order kept");
    }

    #[test]
    fn m4_keeps_gaps_as_gaps() {
        let mut data: Vec<Point> = (0..100).map(|i| Point { t_secs: i as f64, value: 1.0 }).collect();
        data[50].value = f64::NAN;
        data[51].value = f64::INFINITY;
        let out = m4(&data, 0.0, 100.0, 5);
        let gaps: Vec<f64> = out.iter().filter(|p| !p.value.is_finite()).map(|p| p.t_secs).collect();
        assert_eq!(gaps, vec![50.0], "one gap marker for the run of non-finite values");
        assert!(out.iter().all(|p| !p.value.is_finite() || p.value == 1.0), "no NaN became a number");
    }

    #[test]
    fn small_series_pass_through() {
        let data = pts(&[(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)]);
        assert_eq!(m4(&data, 0.0, 2.0, 100).len(), 3);
    }

    #[test]
    fn stats_skip_gaps() {
        let s = stats(&pts(&[(0.0, 2.0), (1.0, f64::NAN), (2.0, 4.0), (3.0, f64::NEG_INFINITY)])).unwrap();
        assert_eq!(s, SeriesStats { min: 2.0, max: 4.0, mean: 3.0, last: 4.0 });
        assert_eq!(stats(&pts(&[(0.0, f64::NAN)])), None);
    }
}
