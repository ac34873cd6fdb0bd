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

impl Spike {
    /// The marker's tooltip: its peak share in `unit`, and when (local time).
    pub fn title(&self, unit: crate::core::units::Unit, utc_offset_secs: i64) -> String {
        format!(
            "Error spike: {} at {}. Click for its traces.",
            crate::core::units::format_value(self.peak_share, unit),
            crate::core::time::axis_label(self.peak_t_secs, utc_offset_secs, 0.0)
        )
    }
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
/// into one [`Spike`], which is kept when its peak reaches `min_peak_share` (a window of two
/// stray errors among a thousand requests crosses a 0.1 % SLO but is nobody's incident); a NaN
/// or infinite share (or time) is a gap, which ends a window and is left out of every baseline.
///
/// Rules worth knowing when reading a chart:
/// - the series' first points have no full window before them: their baseline is the median of
///   the series' first `baseline_window_secs`, so an incident already under way when the range
///   starts is still marked (the median ignores it while it fills less than half that time), and
///   a series that is one long incident has no spike at all;
/// - the median ignores a minority of outliers, so a spike stays one until it lasts about half
///   the baseline window; beyond that it has become the new normal, and the SLO burn rate is
///   the tool that keeps showing it.
///
/// Points may come in any order; they are read by time. O(n · w log w) for w points per window.
pub fn detect_spikes(
    points: &[(f64, f64)],
    slo_threshold: f64,
    baseline_multiple: f64,
    baseline_window_secs: f64,
    min_peak_share: f64,
) -> Vec<Spike> {
    let mut sorted: Vec<(f64, f64)> = points.to_vec();
    crate::core::order::sort_by(&mut sorted, |a, b| a.0.total_cmp(&b.0));

    let finite = |&(t, share): &(f64, f64)| t.is_finite() && share.is_finite();
    // The baseline of the points without a full window before them.
    let first_t = sorted.iter().find(|p| finite(p)).map_or(f64::NAN, |p| p.0);
    let mut early: Vec<f64> = sorted
        .iter()
        .filter(|p| finite(p) && p.0 < first_t + baseline_window_secs)
        .map(|p| p.1)
        .collect();
    let early_baseline = median(&mut early);

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
        let baseline = if oldest < first_t {
            early_baseline
        } else {
            scratch.clear();
            scratch.extend(
                sorted[window_start..i]
                    .iter()
                    .filter(|p| finite(p) && p.0 < t)
                    .map(|(_, ps)| *ps),
            );
            median(&mut scratch)
        };
        let spiking = baseline.is_some_and(|baseline| {
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
    spikes.retain(|s| s.peak_share >= min_peak_share);
    spikes
}

/// How far above its baseline an error share must be to be a spike on the error-rate chart.
pub const SPIKE_MULTIPLE: f64 = 3.0;
/// The window of the baseline on the error-rate chart: the last half hour.
pub const SPIKE_BASELINE_WINDOW_SECS: f64 = 1_800.0;
/// How high a spike's peak must reach on the error-rate chart, in multiples of the SLO's error
/// share: an order of magnitude (1 % of requests failing for a 0.1 % SLO). Below that, spikes
/// are a few stray errors in a quiet window.
pub const SPIKE_MIN_PEAK_SLO_MULTIPLE: f64 = 10.0;

/// The window of traces behind a spike, in whole Unix seconds: from one rate window before its
/// first point (that point summarises the requests of the rate window before it) to its last.
pub fn drill_window(spike: &Spike, rate_window_secs: f64) -> (i64, i64) {
    let from = (spike.start_secs - rate_window_secs.max(0.0)).floor() as i64;
    let to = spike.end_secs.ceil() as i64;
    (from, to.max(from + 1))
}

/// The median of `values` (sorted in place); `None` when empty.
fn median(values: &mut [f64]) -> Option<f64> {
    crate::core::order::sort_by(values, f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
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
        let got: Vec<(f64, f64, f64, f64)> = detect_spikes(points, SLO, MULTIPLE, WINDOW, 0.0)
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
    fn spikes_whose_peak_stays_low_are_dropped() {
        // Stray errors in a quiet hour (0.3 %: above a 0.1 % SLO and 3 × the baseline) and one
        // real incident (15 %): only the incident reaches a 1 % peak.
        let points = series(120, |m| match m {
            20 | 21 => 0.003,
            60..=67 => 0.15,
            _ => 0.0,
        });
        let peaks = |min_peak: f64| -> Vec<f64> {
            detect_spikes(&points, 0.001, MULTIPLE, WINDOW, min_peak)
                .iter()
                .map(|s| s.peak_share)
                .collect()
        };
        assert_eq!(peaks(0.0), [0.003, 0.15]);
        assert_eq!(peaks(SPIKE_MIN_PEAK_SLO_MULTIPLE * 0.001), [0.15]);
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
        assert!(detect_spikes(&points, 0.0, MULTIPLE, WINDOW, 0.0).is_empty());
    }

    #[test]
    fn the_first_points_are_judged_by_the_series_first_window_and_order_does_not_matter() {
        // A range that starts in an incident of eight minutes: the first half hour's median is
        // the quiet share, so the incident is marked.
        check(
            &series(120, |m| if m < 8 { 0.12 } else { 0.0003 }),
            &[(0, 7, 0.12, 0)],
        );
        // A range that is all incident: its own normal, no spike.
        check(&series(10, |_| 0.5), &[]);
        let mut points = series(120, |m| if (60..68).contains(&m) { 0.12 } else { 0.0003 });
        points.reverse();
        check(&points, &[(60, 67, 0.12, 60)]);
        assert!(detect_spikes(&[], SLO, MULTIPLE, WINDOW, 0.0).is_empty());
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
    fn a_spike_says_its_peak_and_when() {
        let spike = Spike {
            start_secs: T0,
            end_secs: T0 + 60.0,
            peak_share: 0.153,
            peak_t_secs: T0 + 60.0,
        };
        // 17:35 local (UTC+1) is 16:35 UTC.
        assert_eq!(
            spike.title(crate::core::units::Unit::Ratio, 3_600),
            "Error spike: 15.3 % at 17:35. Click for its traces."
        );
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
