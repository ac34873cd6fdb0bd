//! Error spikes: the windows where a service's error share is both above its SLO and well above
//! its own recent normal. The SLO alone would flag a service that always runs a little hot; the
//! baseline alone would flag a jump from 0.001 % to 0.003 % that nobody needs to look at.

use std::cmp::Ordering;

/// A window of consecutive points that are spikes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// The time of the first spiking point, in Unix seconds. Each point of a rate-based share
    /// summarises the rate window before it, so a caller that links to traces should start its
    /// window one rate window earlier.
    pub start_secs: f64,
    /// The time of the last spiking point (inclusive): a one-point spike has `start == end`.
    pub end_secs: f64,
    /// The highest share in the window, and when.
    pub peak_share: f64,
    pub peak_t_secs: f64,
}

/// The smallest baseline used: a service with no errors at all has a zero median, and
/// `multiple × 0` would make any error a spike. In the share's own unit (0.0001 = 0.01 % when
/// shares are fractions).
pub const BASELINE_FLOOR_SHARE: f64 = 1e-4;

/// The spikes of a series of `(t_secs, error_share)` points.
///
/// A point spikes when its share exceeds both `slo_threshold` and `baseline_multiple` × its
/// baseline: the median of the finite shares of the points in the `baseline_window_secs` before
/// it (not including it), at least [`BASELINE_FLOOR_SHARE`]. Consecutive spiking points merge
/// into one [`Spike`]; a NaN or infinite share (or time) is a gap, which ends a window and is left
/// out of every baseline.
///
/// Rules worth knowing when reading a chart:
/// - a point with no finite point in the window before it has no baseline and never spikes
///   (query `baseline_window_secs` of history before the visible range to judge its first
///   points);
/// - the median ignores a minority of outliers, so a spike stays one until it lasts about half
///   the baseline window; beyond that it has become the new normal, and the SLO burn rate is
///   the tool that keeps showing it.
///
/// Points may come in any order; they are read by time. O(n · w) for w points per window.
pub fn detect_spikes(
    points: &[(f64, f64)],
    slo_threshold: f64,
    baseline_multiple: f64,
    baseline_window_secs: f64,
) -> Vec<Spike> {
    let mut sorted: Vec<(f64, f64)> = points.to_vec();
    crate::core::order::sort_by(&mut sorted, |a, b| a.0.total_cmp(&b.0));

    let mut spikes = Vec::new();
    let mut current: Option<Spike> = None;
    // The window of baseline candidates: finite points in [t - window, t), as indices.
    let mut window_start = 0;
    let mut scratch: Vec<f64> = Vec::new();

    for i in 0..sorted.len() {
        let (t, share) = sorted[i];
        if !t.is_finite() || !share.is_finite() {
            spikes.extend(current.take());
            continue;
        }
        // Points older than the window, or not comparable with it (NaN), leave it.
        let oldest = t - baseline_window_secs;
        while window_start < i
            && matches!(
                sorted[window_start].0.partial_cmp(&oldest),
                Some(Ordering::Less) | None
            )
        {
            window_start += 1;
        }
        scratch.clear();
        scratch.extend(
            sorted[window_start..i]
                .iter()
                .filter(|(pt, ps)| pt.is_finite() && ps.is_finite() && *pt < t)
                .map(|(_, ps)| *ps),
        );
        let spiking = median(&mut scratch).is_some_and(|baseline| {
            share > slo_threshold && share > baseline_multiple * baseline.max(BASELINE_FLOOR_SHARE)
        });
        if !spiking {
            spikes.extend(current.take());
            continue;
        }
        let spike = current.get_or_insert(Spike {
            start_secs: t,
            end_secs: t,
            peak_share: share,
            peak_t_secs: t,
        });
        spike.end_secs = t;
        if share > spike.peak_share {
            spike.peak_share = share;
            spike.peak_t_secs = t;
        }
    }
    spikes.extend(current);
    spikes
}

/// How far above its baseline an error share must be to be a spike on the error-rate chart.
pub const SPIKE_MULTIPLE: f64 = 3.0;
/// The window of the baseline on the error-rate chart: the last half hour.
pub const SPIKE_BASELINE_WINDOW_SECS: f64 = 1_800.0;

/// The window of traces behind a spike, in whole Unix seconds: from one rate window before its
/// first point (that point summarises the requests of the rate window before it) to its last.
pub fn drill_window(spike: &Spike, rate_window_secs: f64) -> (i64, i64) {
    let from = (spike.start_secs - rate_window_secs.max(0.0)).floor() as i64;
    let to = spike.end_secs.ceil() as i64;
    (from, to.max(from + 1))
}

/// The median of `values` (reordered in place); `None` when empty.
fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, &mut upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(upper);
    }
    // The lower middle is the largest value below the upper one.
    let lower = values[..n / 2]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: f64 = 60.0;
    const T0: f64 = 1_795_538_040.0;
    const SLO: f64 = 0.01; // 1 % of requests may fail
    const MULTIPLE: f64 = 3.0;
    const WINDOW: f64 = 30.0 * MINUTE;

    /// One point a minute for `minutes` minutes, the share from `share(minute)`.
    fn series(minutes: usize, share: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        (0..minutes)
            .map(|m| (T0 + m as f64 * MINUTE, share(m)))
            .collect()
    }

    fn check(points: &[(f64, f64)], expected: &[(usize, usize, f64, usize)]) {
        let got: Vec<(f64, f64, f64, f64)> = detect_spikes(points, SLO, MULTIPLE, WINDOW)
            .iter()
            .map(|s| (s.start_secs, s.end_secs, s.peak_share, s.peak_t_secs))
            .collect();
        let at = |m: usize| T0 + m as f64 * MINUTE;
        let expected: Vec<(f64, f64, f64, f64)> = expected
            .iter()
            .map(|&(a, b, peak, pt)| (at(a), at(b), peak, at(pt)))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn one_eight_minute_jump_is_one_spike() {
        // 0.03 % for two hours, 12 % from minute 60 to 67.
        let points = series(120, |m| if (60..68).contains(&m) { 0.12 } else { 0.0003 });
        check(&points, &[(60, 67, 0.12, 60)]);
    }

    #[test]
    fn a_flat_share_above_the_slo_is_not_a_spike() {
        check(&series(120, |_| 0.05), &[]);
        // Nor is noise around it.
        check(&series(120, |m| if m % 2 == 0 { 0.04 } else { 0.06 }), &[]);
    }

    #[test]
    fn a_jump_that_stays_under_the_slo_is_not_a_spike() {
        check(
            &series(120, |m| if (60..68).contains(&m) { 0.009 } else { 0.0003 }),
            &[],
        );
    }

    #[test]
    fn a_gap_in_the_middle_splits_a_spike_and_is_not_a_baseline() {
        let mut points = series(120, |m| if (60..68).contains(&m) { 0.12 } else { 0.0003 });
        points[63].1 = f64::NAN;
        points[10].1 = f64::INFINITY;
        check(&points, &[(60, 62, 0.12, 60), (64, 67, 0.12, 64)]);
    }

    #[test]
    fn two_spikes_with_their_peaks() {
        let points = series(180, |m| match m {
            40 => 0.05,
            41 => 0.07,
            42 => 0.06,
            100 => 0.3,
            _ => 0.0003,
        });
        check(&points, &[(40, 42, 0.07, 41), (100, 100, 0.3, 100)]);
    }

    #[test]
    fn a_zero_baseline_uses_the_floor() {
        // No error at all, then 2 %: above the SLO and above 3 × the floor.
        check(
            &series(60, |m| if m == 50 { 0.02 } else { 0.0 }),
            &[(50, 50, 0.02, 50)],
        );
        // A slo of zero with a zero baseline: a tiny share below 3 × the floor is no spike.
        let points = series(60, |m| if m == 50 { 0.0002 } else { 0.0 });
        assert!(detect_spikes(&points, 0.0, MULTIPLE, WINDOW).is_empty());
    }

    #[test]
    fn the_first_points_have_no_baseline_and_order_does_not_matter() {
        // Starting in the middle of an incident: no history, no judgement.
        check(&series(10, |_| 0.5), &[]);
        let mut points = series(120, |m| if (60..68).contains(&m) { 0.12 } else { 0.0003 });
        points.reverse();
        check(&points, &[(60, 67, 0.12, 60)]);
        assert!(detect_spikes(&[], SLO, MULTIPLE, WINDOW).is_empty());
    }

    #[test]
    fn a_spike_drills_into_the_requests_behind_its_points() {
        let spike = Spike {
            start_secs: 1_000.0,
            end_secs: 1_120.5,
            peak_share: 0.1,
            peak_t_secs: 1_060.0,
        };
        assert_eq!(drill_window(&spike, 60.0), (940, 1_121));
        let one_point = Spike {
            end_secs: 1_000.0,
            ..spike
        };
        assert_eq!(drill_window(&one_point, 0.0), (1_000, 1_001));
    }

    #[test]
    fn medians() {
        let check = |mut v: Vec<f64>, expected: Option<f64>| assert_eq!(median(&mut v), expected);
        check(vec![], None);
        check(vec![3.0], Some(3.0));
        check(vec![5.0, 1.0, 3.0], Some(3.0));
        check(vec![4.0, 1.0, 3.0, 2.0], Some(2.5));
    }
}
