//! Time ranges, query steps and rate windows: the maths that decides how much Prometheus is
//! asked for. Prometheus speaks float seconds, so everything here is in seconds (`_secs`).

use std::fmt;

/// Prometheus refuses a range query that would return more than this many points per series.
pub const PROMETHEUS_MAX_POINTS: f64 = 11_000.0;

/// A half-open interval of wall-clock time, in Unix seconds. The constructor guarantees
/// `start_secs < end_secs`, so a duration is never zero or negative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    start_secs: f64,
    end_secs: f64,
}

/// Why a time range could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeRangeError {
    /// The start is not before the end.
    #[error("the range starts at {start_secs} s, which is not before its end at {end_secs} s")]
    NotIncreasing { start_secs: f64, end_secs: f64 },
    /// A bound is NaN or infinite.
    #[error("a range bound is not a finite number")]
    NotFinite,
}

impl TimeRange {
    /// Builds a range from two Unix times in seconds.
    pub fn new(start_secs: f64, end_secs: f64) -> Result<Self, TimeRangeError> {
        if !start_secs.is_finite() || !end_secs.is_finite() {
            return Err(TimeRangeError::NotFinite);
        }
        if start_secs >= end_secs {
            return Err(TimeRangeError::NotIncreasing {
                start_secs,
                end_secs,
            });
        }
        Ok(Self {
            start_secs,
            end_secs,
        })
    }

    /// The last `duration_secs` seconds before `now_secs`.
    pub fn last(duration_secs: f64, now_secs: f64) -> Result<Self, TimeRangeError> {
        Self::new(now_secs - duration_secs, now_secs)
    }

    pub fn start_secs(&self) -> f64 {
        self.start_secs
    }

    pub fn end_secs(&self) -> f64 {
        self.end_secs
    }

    pub fn duration_secs(&self) -> f64 {
        self.end_secs - self.start_secs
    }
}

/// The resolution of a range query, in whole seconds; never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step(u64);

impl Step {
    /// A step of `secs` seconds; `None` for zero.
    pub fn from_secs(secs: u64) -> Option<Self> {
        (secs > 0).then_some(Self(secs))
    }

    pub fn secs(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

/// Steps a query may use. Picking from a short list of round values keeps successive
/// refreshes on the same grid, so Prometheus (and any cache in front of it) sees the same
/// timestamps again.
const NICE_STEPS_SECS: &[u64] = &[
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200,
    86_400,
];

/// A range query's parameters, aligned to its step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryWindow {
    pub start_secs: f64,
    pub end_secs: f64,
    pub step: Step,
    /// The window of `rate()` and friends for this step (see [`rate_window_secs`]).
    pub rate_window_secs: u64,
}

/// Chooses the step of a range query: about one point per pixel of plot width, never finer
/// than the scrape interval (finer points only repeat samples), never so fine that a series
/// exceeds Prometheus's 11,000 points; rounded up to a nice value.
pub fn choose_step(range: TimeRange, plot_width_px: u32, scrape_interval_secs: u64) -> Step {
    let width = f64::from(plot_width_px.max(1));
    let per_pixel = range.duration_secs() / width;
    let point_cap = range.duration_secs() / PROMETHEUS_MAX_POINTS;
    let wanted = per_pixel
        .max(point_cap)
        .max(scrape_interval_secs as f64)
        .max(1.0);
    let nice = NICE_STEPS_SECS
        .iter()
        .copied()
        .find(|&s| s as f64 >= wanted)
        // Beyond a day, whole days.
        .unwrap_or_else(|| (wanted / 86_400.0).ceil() as u64 * 86_400);
    Step(nice)
}

/// The window for `rate()` at a step: at least four scrape intervals (so a window always holds
/// enough samples even if one scrape is missed) and at least one step plus one scrape interval
/// (so consecutive points overlap and no sample falls between two windows). This is Grafana's
/// `$__rate_interval` rule.
pub fn rate_window_secs(step: Step, scrape_interval_secs: u64) -> u64 {
    (step.secs() + scrape_interval_secs).max(4 * scrape_interval_secs)
}

/// The query window for a range: the step from [`choose_step`], start and end floored to a
/// multiple of the step (never in the future, and the same grid on every refresh).
pub fn query_window(
    range: TimeRange,
    plot_width_px: u32,
    scrape_interval_secs: u64,
) -> QueryWindow {
    let step = choose_step(range, plot_width_px, scrape_interval_secs);
    let s = step.secs() as f64;
    let start_secs = (range.start_secs() / s).floor() * s;
    let mut end_secs = (range.end_secs() / s).floor() * s;
    if end_secs <= start_secs {
        end_secs = start_secs + s;
    }
    QueryWindow {
        start_secs,
        end_secs,
        step,
        rate_window_secs: rate_window_secs(step, scrape_interval_secs),
    }
}

/// A calendar date and time of day, as shown on axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Converts Unix seconds plus a UTC offset into a calendar time (proleptic Gregorian).
/// The offset is the browser's for local time, 0 for UTC.
pub fn civil_time(unix_secs: f64, utc_offset_secs: i64) -> CivilTime {
    let secs = unix_secs.floor() as i64 + utc_offset_secs;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    CivilTime {
        year,
        month,
        day,
        hour: (sod / 3_600) as u32,
        minute: (sod % 3_600 / 60) as u32,
        second: (sod % 60) as u32,
    }
}

/// An axis label for a tick: time of day for ranges up to a day, with the date beyond.
pub fn axis_label(unix_secs: f64, utc_offset_secs: i64, range_secs: f64) -> String {
    let c = civil_time(unix_secs, utc_offset_secs);
    if range_secs <= 86_400.0 {
        format!("{:02}:{:02}", c.hour, c.minute)
    } else {
        format!("{:02}-{:02} {:02}:{:02}", c.month, c.day, c.hour, c.minute)
    }
}

/// Tick intervals for time axes: round values of local time.
const TICK_STEPS_SECS: &[i64] = &[
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1_800,
    3_600,
    7_200,
    10_800,
    21_600,
    43_200,
    86_400,
    2 * 86_400,
    7 * 86_400,
];

/// Tick positions for a time axis: the smallest round interval giving at most `max_ticks`
/// ticks, aligned to local time (so hourly ticks fall on local hours).
pub fn time_ticks(
    start_secs: f64,
    end_secs: f64,
    max_ticks: usize,
    utc_offset_secs: i64,
) -> Vec<f64> {
    let span = end_secs - start_secs;
    // Also refuses a NaN span (not ordered).
    if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || max_ticks == 0 {
        return Vec::new();
    }
    let step = TICK_STEPS_SECS
        .iter()
        .copied()
        .find(|&s| (span / s as f64).floor() + 1.0 <= max_ticks as f64)
        .unwrap_or_else(|| {
            ((span / (max_ticks.max(2) - 1) as f64 / 86_400.0).ceil() as i64).max(1) * 86_400
        });
    let local_start = start_secs.ceil() as i64 + utc_offset_secs;
    let first_local = local_start.div_euclid(step) * step
        + if local_start.rem_euclid(step) == 0 {
            0
        } else {
            step
        };
    let mut ticks = Vec::new();
    let mut t = first_local - utc_offset_secs;
    while (t as f64) <= end_secs {
        ticks.push(t as f64);
        t += step;
    }
    ticks
}

/// A time as ISO 8601 / RFC 3339 in UTC with second precision, e.g. `2026-11-24T19:02:25Z`.
pub fn rfc3339_utc(unix_secs: f64) -> String {
    let c = civil_time(unix_secs, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Parses an RFC 3339 time as Prometheus writes it (`2018-07-04T20:27:12.60602144+02:00`,
/// `2026-01-02T13:30:00.000Z`) into Unix seconds; `None` for anything else. The whole seconds
/// are exact; the fraction (at most nine digits) adds one rounding.
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if !seps.iter().all(|&(i, c)| b.get(i) == Some(&c))
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = num(i + 1, digits)? * 10i64.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset_secs = match (b.get(i), b.len()) {
        (Some(b'Z' | b'z'), len) if len == i + 1 => 0,
        (Some(sign @ (b'+' | b'-')), len) if len == i + 6 && b[i + 3] == b':' => {
            let secs = num(i + 1, 2)? * 3_600 + num(i + 4, 2)? * 60;
            if *sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    // Howard Hinnant's days_from_civil, the inverse of `civil_time`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let whole = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_secs;
    Some(whole as f64 + nanos as f64 / 1e9)
}

/// A duration for people, in its two largest units: `45 s`, `50 min`, `2 h 5 min`, `1 d 2 h`.
/// Rounded down to whole seconds; integers only (no float formatting in the wasm).
pub fn span_text(secs: f64) -> String {
    let secs = if secs.is_finite() {
        secs.max(0.0) as u64
    } else {
        0
    };
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    let Some(first) = UNITS.iter().position(|&(unit, _)| secs >= unit) else {
        return "0 s".to_owned();
    };
    let (unit, name) = UNITS[first];
    let mut text = format!("{} {name}", secs / unit);
    if let Some(&(next, next_name)) = UNITS.get(first + 1) {
        let rest = secs % unit / next;
        if rest > 0 {
            text.push_str(&format!(" {rest} {next_name}"));
        }
    }
    text
}

/// Reads the value of an `<input type="datetime-local">`: `YYYY-MM-DDTHH:MM`, optionally with
/// `:SS` (a space is accepted for the `T`). Only the shape and ranges are checked here; turning
/// the local time into Unix seconds is the browser's (it knows the time zone's rules).
pub fn parse_datetime_local(text: &str) -> Option<CivilTime> {
    let text = text.trim();
    let (date, time) = text.split_once('T').or_else(|| text.split_once(' '))?;
    let mut d = date.split('-');
    let (year, month, day) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let mut t = time.split(':');
    let (hour, minute) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let second = match t.next() {
        // Browsers may add milliseconds: `12:00:05.250`.
        Some(sec) => sec.split('.').next()?.parse().ok()?,
        None => 0,
    };
    let valid = d.next().is_none()
        && t.next().is_none()
        && (1..=9_999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then_some(CivilTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// The value for an `<input type="datetime-local">` showing `unix_secs` at a UTC offset (the
/// browser's offset at that instant): `2026-11-24T16:05`.
pub fn format_datetime_local(unix_secs: f64, utc_offset_secs: i64) -> String {
    let c = civil_time(unix_secs, utc_offset_secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_step(duration_secs: f64, width_px: u32, scrape_secs: u64, expected_secs: u64) {
        let range = TimeRange::last(duration_secs, 1_800_000_000.0).unwrap();
        let step = choose_step(range, width_px, scrape_secs);
        assert_eq!(
            step.secs(),
            expected_secs,
            "{duration_secs} s over {width_px} px, scrape {scrape_secs} s"
        );
        assert!(range.duration_secs() / step.secs() as f64 <= PROMETHEUS_MAX_POINTS);
    }

    #[test]
    fn step_is_about_one_point_per_pixel_rounded_up() {
        check_step(3_600.0, 1_000, 10, 10); // 3.6 s/px, but never below the scrape interval
        check_step(3_600.0, 100, 10, 60); // 36 s/px -> 60 s
        check_step(86_400.0, 1_000, 10, 120); // 86.4 s/px -> 120 s
        check_step(6.0 * 3_600.0, 1_200, 10, 30); // 18 s/px -> 30 s
        check_step(300.0, 1_000, 15, 15);
        check_step(30.0 * 86_400.0, 1_000, 10, 3_600); // 2,592 s/px -> 1 h
    }

    #[test]
    fn step_never_exceeds_prometheus_point_cap() {
        // A 4K-wide chart over a year with a 1 s scrape: 11,000 points at most.
        check_step(365.0 * 86_400.0, 4_000, 1, 10_800);
        // 1 day on a huge width: 86,400 / 11,000 = 7.9 s -> 10 s, not the 1 s scrape.
        check_step(86_400.0, 100_000, 1, 10);
    }

    #[test]
    fn zero_width_and_zero_scrape_do_not_divide_by_zero() {
        check_step(60.0, 0, 0, 60);
        check_step(60.0, 1_000, 0, 1);
    }

    #[test]
    fn rate_window_covers_four_scrapes_and_a_step() {
        let step = |s| Step::from_secs(s).unwrap();
        assert_eq!(rate_window_secs(step(10), 10), 40);
        assert_eq!(rate_window_secs(step(60), 10), 70);
        assert_eq!(rate_window_secs(step(120), 15), 135);
        assert_eq!(rate_window_secs(step(1), 15), 60);
    }

    #[test]
    fn query_window_is_aligned_so_refreshes_share_a_grid() {
        let range = TimeRange::new(1_000_003.0, 1_003_607.5).unwrap();
        let w = query_window(range, 1_000, 10);
        assert_eq!(w.step.secs(), 10);
        assert_eq!((w.start_secs, w.end_secs), (1_000_000.0, 1_003_600.0));
        // A refresh a few seconds later lands on the same grid.
        let later = query_window(TimeRange::new(1_000_008.0, 1_003_609.0).unwrap(), 1_000, 10);
        assert_eq!(later.start_secs, 1_000_000.0);
        assert_eq!(w.rate_window_secs, 40);
    }

    #[test]
    fn ranges_must_increase_and_be_finite() {
        assert!(TimeRange::new(5.0, 5.0).is_err());
        assert!(TimeRange::new(6.0, 5.0).is_err());
        assert_eq!(
            TimeRange::new(f64::NAN, 5.0),
            Err(TimeRangeError::NotFinite)
        );
        assert_eq!(Step::from_secs(0), None);
    }

    #[test]
    fn civil_time_matches_known_dates() {
        let check = |unix: f64, offset: i64, expected: &str| {
            let c = civil_time(unix, offset);
            let got = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            assert_eq!(got, expected, "{unix} + {offset}");
        };
        check(0.0, 0, "1970-01-01 00:00:00");
        check(951_782_400.0, 0, "2000-02-29 00:00:00");
        check(1_795_538_033.61, 0, "2026-11-24 16:33:53");
        check(1_795_538_033.0, 3_600, "2026-11-24 17:33:53");
        check(1_795_538_033.0, -15 * 3_600, "2026-11-24 01:33:53");
        check(-1.0, 0, "1969-12-31 23:59:59");
        assert_eq!(rfc3339_utc(1_795_538_033.9), "2026-11-24T16:33:53Z");
        assert_eq!(parse_rfc3339("2026-11-24T16:33:53Z"), Some(1_795_538_033.0));
    }

    #[test]
    fn time_ticks_fall_on_round_local_times() {
        // 1,000 s .. 4,600 s (00:16:40 .. 01:16:40 UTC), at most 6 ticks: every 15 minutes
        // (10 minutes would give 7).
        assert_eq!(
            time_ticks(1_000.0, 4_600.0, 6, 0),
            vec![1_800.0, 2_700.0, 3_600.0, 4_500.0]
        );
        // In UTC+05:30 local quarter hours are UTC quarter hours too.
        assert_eq!(
            time_ticks(1_000.0, 4_600.0, 6, 19_800),
            vec![1_800.0, 2_700.0, 3_600.0, 4_500.0]
        );
        // A day in UTC+1 with at most 4 ticks: every 12 local hours (12:00 and 00:00 local).
        assert_eq!(
            time_ticks(0.0, 86_400.0, 4, 3_600),
            vec![39_600.0, 82_800.0]
        );
        // A month on at most 3 ticks: whole days, never more ticks than asked.
        for max in 2..8 {
            let n = time_ticks(0.0, 30.0 * 86_400.0, max, 0).len();
            assert!(n >= 1 && n <= max, "{n} ticks for at most {max}");
        }
        assert!(time_ticks(5.0, 5.0, 4, 0).is_empty());
    }

    #[test]
    fn axis_labels_add_the_date_beyond_a_day() {
        assert_eq!(axis_label(1_795_538_033.0, 0, 3_600.0), "16:33");
        assert_eq!(
            axis_label(1_795_538_033.0, 0, 7.0 * 86_400.0),
            "11-24 16:33"
        );
    }

    #[test]
    fn datetime_local_values_round_trip() {
        let c = parse_datetime_local("2026-11-24T16:05").unwrap();
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2026, 11, 24, 16, 5, 0)
        );
        let c = parse_datetime_local("2026-02-03 04:05:06.250").unwrap();
        assert_eq!(
            (c.month, c.day, c.hour, c.minute, c.second),
            (2, 3, 4, 5, 6)
        );
        for bad in [
            "",
            "2026-11-24",
            "2026-13-01T00:00",
            "2026-11-24T24:00",
            "2026-11-24T10:60",
            "x-11-24T10:00",
            "2026-11-24T10:00:00:00",
            "<script>",
        ] {
            assert_eq!(parse_datetime_local(bad), None, "{bad}");
        }
        // 2026-11-24T16:05:00Z is 1_795_536_300; shown at UTC+01:00.
        assert_eq!(
            format_datetime_local(1_795_536_300.0, 3_600),
            "2026-11-24T17:05"
        );
        assert_eq!(
            format_datetime_local(1_795_536_300.0, 0),
            "2026-11-24T16:05"
        );
    }

    #[test]
    fn rfc3339_times_parse_to_unix_seconds() {
        let check =
            |text: &str, expected: Option<f64>| assert_eq!(parse_rfc3339(text), expected, "{text}");
        check("1970-01-01T00:00:00Z", Some(0.0));
        check("2026-01-02T13:30:00.000Z", Some(1_767_360_600.0));
        // The docs' alert: 20:27:12 at +02:00 is 18:27:12 UTC.
        check(
            "2018-07-04T20:27:12.60602144+02:00",
            Some(1_530_728_832.0 + 0.606_021_44),
        );
        check("2000-02-29T23:59:59-01:30", Some(951_868_799.0 + 5_400.0));
        check("1969-12-31T23:59:59Z", Some(-1.0));
        for bad in [
            "",
            "2026-01-02",
            "2026-01-02T13:30:00",
            "2026-13-02T13:30:00Z",
            "2026-01-02T13:30:00.Z",
            "2026-01-02T13:30:00+0200",
            "2026-01-02T13:30:00Zx",
            "<script>",
        ] {
            check(bad, None);
        }
        for secs in [0.0, 951_868_799.0, 1_795_538_033.0, 4_102_444_800.0] {
            check(&rfc3339_utc(secs), Some(secs));
        }
    }

    #[test]
    fn spans_read_in_two_units() {
        let check = |secs: f64, expected: &str| assert_eq!(span_text(secs), expected, "{secs}");
        check(0.0, "0 s");
        check(45.9, "45 s");
        check(3_000.0, "50 min");
        check(7_500.0, "2 h 5 min");
        check(93_600.0, "1 d 2 h");
        check(2_592_000.0, "30 d");
        check(3_601.0, "1 h");
        check(f64::NAN, "0 s");
        check(-5.0, "0 s");
    }
}
