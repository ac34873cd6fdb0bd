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
    let column_of =
        |t: f64| (((t - start_secs) * scale).floor().max(-1.0) as i64).min(columns as i64);
    let mut out = Vec::with_capacity(columns * 4);
    let mut i = 0;
    while i < points.len() {
        let p = points[i];
        if !p.value.is_finite() {
            if out.last().is_none_or(|q: &Point| q.value.is_finite()) {
                out.push(p);
            }
            i += 1;
            continue;
        }
        // A run of finite points in one column.
        let col = column_of(p.t_secs);
        let (mut min, mut max, mut last) = (p, p, p);
        let mut j = i + 1;
        while j < points.len() && points[j].value.is_finite() && column_of(points[j].t_secs) == col
        {
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
        // First and last bound the column; min and max sit between them in time order.
        let (early, late) = if min.t_secs <= max.t_secs {
            (min, max)
        } else {
            (max, min)
        };
        for q in [p, early, late, last] {
            if out.last().is_none_or(|l: &Point| l.t_secs != q.t_secs) {
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
    Some(SeriesStats {
        min,
        max,
        mean: sum / n as f64,
        last,
    })
}

/// The point nearest to `t_secs` (points sorted by time); `None` for an empty series.
pub fn nearest(points: &[Point], t_secs: f64) -> Option<Point> {
    let i = points.partition_point(|p| p.t_secs < t_secs);
    let after = points.get(i);
    let before = i.checked_sub(1).and_then(|j| points.get(j));
    match (before, after) {
        (Some(b), Some(a)) => Some(if t_secs - b.t_secs <= a.t_secs - t_secs {
            *b
        } else {
            *a
        }),
        (Some(p), None) | (None, Some(p)) => Some(*p),
        (None, None) => None,
    }
}

/// The value at `t_secs` for a reader: the nearest point's, when it lies within `max_gap_secs`
/// (about one step) of `t_secs`; `None` where the series has no data (before its first sample,
/// after its last, in a gap of the range).
pub fn value_near(points: &[Point], t_secs: f64, max_gap_secs: f64) -> Option<f64> {
    nearest(points, t_secs)
        .filter(|p| (p.t_secs - t_secs).abs() <= max_gap_secs)
        .map(|p| p.value)
}

/// Keeps the `k` series that rank highest by their mean (a panel's busiest handlers, largest
/// libraries…), in their original order; returns them and how many were hidden.
pub fn top_k<T>(series: Vec<T>, k: usize, points: impl Fn(&T) -> &[Point]) -> (Vec<T>, usize) {
    if series.len() <= k {
        return (series, 0);
    }
    let mut ranked: Vec<(usize, f64)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (i, stats(points(s)).map_or(f64::NEG_INFINITY, |st| st.mean)))
        .collect();
    crate::core::order::sort_by(&mut ranked, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep: Vec<usize> = ranked.iter().take(k).map(|r| r.0).collect();
    crate::core::order::sort(&mut keep);
    let hidden = series.len() - k;
    let kept = series
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.binary_search(i).is_ok())
        .map(|(_, s)| s)
        .collect();
    (kept, hidden)
}

/// Stacks series on top of each other: each point becomes the sum of its own value and the
/// values of the series before it at the same timestamp (range queries share one time grid).
/// A gap stays a gap in its own series and adds nothing to those above it.
pub fn stack(series: &[Vec<Point>]) -> Vec<Vec<Point>> {
    // The running total at each time, sorted by time (a map type of its own would cost wasm;
    // times mostly arrive in order, so inserts are pushes).
    let mut totals: Vec<(f64, f64)> = Vec::new();
    series
        .iter()
        .map(|points| {
            points
                .iter()
                .map(|p| {
                    let at = totals.binary_search_by(|(t, _)| t.total_cmp(&p.t_secs));
                    let below = at.map_or(0.0, |i| totals[i].1);
                    if p.value.is_finite() {
                        match at {
                            Ok(i) => totals[i].1 = below + p.value,
                            Err(i) => totals.insert(i, (p.t_secs, p.value)),
                        }
                        Point {
                            t_secs: p.t_secs,
                            value: below + p.value,
                        }
                    } else {
                        *p
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_picks_the_closest_point() {
        let data = pts(&[(0.0, 1.0), (10.0, 2.0), (20.0, 3.0)]);
        let check = |t: f64, expected: Option<f64>| {
            assert_eq!(nearest(&data, t).map(|p| p.value), expected, "{t}")
        };
        check(-5.0, Some(1.0));
        check(4.0, Some(1.0));
        check(6.0, Some(2.0));
        check(25.0, Some(3.0));
        assert_eq!(nearest(&[], 1.0), None);
    }

    #[test]
    fn a_value_counts_only_within_its_gap() {
        let data = pts(&[(100.0, 1.0), (110.0, 2.0)]);
        assert_eq!(value_near(&data, 104.0, 10.0), Some(1.0));
        assert_eq!(value_near(&data, 119.0, 10.0), Some(2.0));
        // Before the first sample and after the last: no data there, not the nearest point.
        assert_eq!(value_near(&data, 50.0, 10.0), None);
        assert_eq!(value_near(&data, 130.0, 10.0), None);
        assert_eq!(value_near(&[], 0.0, 10.0), None);
    }

    #[test]
    fn top_k_keeps_the_busiest_in_order() {
        let series: Vec<Vec<Point>> = [1.0, 5.0, 3.0, 4.0]
            .iter()
            .map(|&v| pts(&[(0.0, v), (1.0, v)]))
            .collect();
        let (kept, hidden) = top_k(series, 2, |s| s.as_slice());
        assert_eq!(hidden, 2);
        assert_eq!(
            kept.iter().map(|s| s[0].value).collect::<Vec<_>>(),
            vec![5.0, 4.0]
        );
        let (kept, hidden) = top_k(vec![pts(&[(0.0, 1.0)])], 2, |s| s.as_slice());
        assert_eq!((kept.len(), hidden), (1, 0));
    }

    #[test]
    fn stacking_adds_lower_series_and_keeps_gaps() {
        let a = pts(&[(0.0, 1.0), (1.0, 2.0), (2.0, f64::NAN)]);
        let b = pts(&[(0.0, 10.0), (1.0, f64::NAN), (2.0, 30.0)]);
        let stacked = stack(&[a, b]);
        let values = |i: usize| stacked[i].iter().map(|p| p.value).collect::<Vec<_>>();
        assert_eq!(values(0)[..2], [1.0, 2.0]);
        assert!(values(0)[2].is_nan());
        assert_eq!(values(1)[0], 11.0);
        assert!(values(1)[1].is_nan());
        assert_eq!(values(1)[2], 30.0);
    }

    fn pts(values: &[(f64, f64)]) -> Vec<Point> {
        values
            .iter()
            .map(|&(t_secs, value)| Point { t_secs, value })
            .collect()
    }

    #[test]
    fn m4_keeps_extremes_per_column() {
        // 1,000 points over 10 columns: each column keeps first, min, max, last.
        let data: Vec<Point> = (0..1_000)
            .map(|i| Point {
                t_secs: i as f64,
                value: ((i * 37) % 101) as f64,
            })
            .collect();
        let out = m4(&data, 0.0, 1_000.0, 10);
        assert!(out.len() <= 40, "{}", out.len());
        for col in 0..10 {
            let slice = &data[col * 100..(col + 1) * 100];
            let kept: Vec<&Point> = out
                .iter()
                .filter(|p| (p.t_secs as usize) / 100 == col)
                .collect();
            let max = slice.iter().map(|p| p.value).fold(f64::MIN, f64::max);
            let min = slice.iter().map(|p| p.value).fold(f64::MAX, f64::min);
            assert!(kept.iter().any(|p| p.value == max) && kept.iter().any(|p| p.value == min));
            assert_eq!(kept.first().unwrap().t_secs, slice[0].t_secs);
            assert_eq!(kept.last().unwrap().t_secs, slice[99].t_secs);
        }
        assert!(
            out.windows(2).all(|w| w[0].t_secs < w[1].t_secs),
            "time order kept"
        );
    }

    #[test]
    fn m4_keeps_gaps_as_gaps() {
        let mut data: Vec<Point> = (0..100)
            .map(|i| Point {
                t_secs: i as f64,
                value: 1.0,
            })
            .collect();
        data[50].value = f64::NAN;
        data[51].value = f64::INFINITY;
        let out = m4(&data, 0.0, 100.0, 5);
        let gaps: Vec<f64> = out
            .iter()
            .filter(|p| !p.value.is_finite())
            .map(|p| p.t_secs)
            .collect();
        assert_eq!(
            gaps,
            vec![50.0],
            "one gap marker for the run of non-finite values"
        );
        assert!(
            out.iter().all(|p| !p.value.is_finite() || p.value == 1.0),
            "no NaN became a number"
        );
    }

    #[test]
    fn small_series_pass_through() {
        let data = pts(&[(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)]);
        assert_eq!(m4(&data, 0.0, 2.0, 100).len(), 3);
    }

    #[test]
    fn stats_skip_gaps() {
        let s = stats(&pts(&[
            (0.0, 2.0),
            (1.0, f64::NAN),
            (2.0, 4.0),
            (3.0, f64::NEG_INFINITY),
        ]))
        .unwrap();
        assert_eq!(
            s,
            SeriesStats {
                min: 2.0,
                max: 4.0,
                mean: 3.0,
                last: 4.0
            }
        );
        assert_eq!(stats(&pts(&[(0.0, f64::NAN)])), None);
    }
}
