//! The guide's SLOs ("SLOs and SLIs", "Error Budget") computed from arrwDB's raw counters and
//! histograms, with no recording rules: the error budget, the burn rates, and the SRE workbook's
//! multi-window multi-burn-rate alerts.
//!
//! One instant query per refresh ([`slo_query`]) returns every part for every window: the request
//! total, the 5xx count and the latency buckets over the SLO window and the burn windows, each
//! sample tagged by a `part` label (`total/3600`), and how far back the data goes. Each SLI is
//! also one standalone expression ([`sli_query`]), and [`Budget::sli`] is computed from the same
//! two sums with the same float operations in the same order, so it equals, bit for bit, what
//! Prometheus returns for that expression.

use serde_json::Value;

use crate::core::html::Html;
use crate::core::json::{only_keys, opt_f64, opt_object, Shape};
use crate::core::metrics::{missing_message, Metric, MetricNames};
use crate::core::prom::{parse_sample_value, InstantSample};
use crate::core::promql::{quote, regex_literal, MatchOp, Selector};
use crate::core::state::format_duration;
use crate::core::time::span_text;
use crate::core::units::{fixed, format_value, Unit};

/// What an SLO measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SliKind {
    /// The share of requests that are not 5xx.
    Availability,
    /// The share of requests that are 5xx (the SLO holds while it stays at most `1 − target`).
    ErrorRate,
    /// The share of requests faster than `threshold_secs`.
    Latency { threshold_secs: f64 },
}

/// One SLO: good requests must be at least `target` of all over `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// The key in config.json's `slo` section.
    pub key: &'static str,
    /// For people: "Availability", "P95 latency".
    pub name: &'static str,
    pub kind: SliKind,
    /// The share of good requests, in (0, 1). For the error rate, `1 − max_ratio`.
    pub target: f64,
    pub window_secs: u64,
}

const DAY_SECS: u64 = 86_400;

/// The guide's SLO table, each over 30 days.
pub fn default_objectives() -> Vec<Objective> {
    let slo = |key, name, kind, target| Objective {
        key,
        name,
        kind,
        target,
        window_secs: 30 * DAY_SECS,
    };
    vec![
        slo("availability", "Availability", SliKind::Availability, 0.999),
        slo(
            "latency_p95",
            "P95 latency",
            SliKind::Latency {
                threshold_secs: 0.5,
            },
            0.95,
        ),
        slo(
            "latency_p99",
            "P99 latency",
            SliKind::Latency {
                threshold_secs: 2.0,
            },
            0.99,
        ),
        slo("error_rate", "Error rate", SliKind::ErrorRate, 1.0 - 0.001),
    ]
}

/// A shape error at `field` as a `(field, problem)` pair.
fn at(field: &str) -> impl Fn(Shape) -> (String, String) + '_ {
    move |shape| (field.to_owned(), shape.0)
}

/// Reads config.json's `slo` section; every key is optional and defaults to the guide:
///
/// ```json
/// "slo": {
///   "availability": {"target": 0.999, "window_days": 30},
///   "error_rate": {"max_ratio": 0.001, "window_days": 30},
///   "latency_p95": {"threshold_secs": 0.5, "target": 0.95, "window_days": 30},
///   "latency_p99": {"threshold_secs": 2, "target": 0.99, "window_days": 30}
/// }
/// ```
///
/// An error is `(field, problem)`, e.g. `("slo.availability.target", "must be between 0 and 1
/// (exclusive), e.g. 0.999")`, for `ConfigError` to wrap.
pub fn read_objectives(slo: &Value) -> Result<Vec<Objective>, (String, String)> {
    let mut objectives = default_objectives();
    let keys: Vec<&str> = objectives.iter().map(|o| o.key).collect();
    only_keys(slo, &keys).map_err(at("slo"))?;
    for objective in &mut objectives {
        let field = format!("slo.{}", objective.key);
        let Some(section) = opt_object(slo, objective.key).map_err(at(&field))? else {
            continue;
        };
        let known: &[&str] = match objective.kind {
            SliKind::Availability => &["target", "window_days"],
            SliKind::ErrorRate => &["max_ratio", "window_days"],
            SliKind::Latency { .. } => &["threshold_secs", "target", "window_days"],
        };
        only_keys(section, known).map_err(at(&field))?;
        let number = |key: &str| {
            let field = format!("{field}.{key}");
            opt_f64(section, key)
                .map_err(at(&field))
                .map(|v| (field, v))
        };
        let ratio = |(field, v): (String, Option<f64>)| match v {
            Some(v) if !(v > 0.0 && v < 1.0) => Err((
                field,
                "must be between 0 and 1 (exclusive), e.g. 0.999".to_owned(),
            )),
            _ => Ok(v),
        };
        if let Some(target) = ratio(number("target")?)? {
            objective.target = target;
        }
        if let Some(max_ratio) = ratio(number("max_ratio")?)? {
            objective.target = 1.0 - max_ratio;
        }
        if let (field, Some(secs)) = number("threshold_secs")? {
            if !(secs > 0.0 && secs.is_finite()) {
                return Err((field, "must be a positive number of seconds".to_owned()));
            }
            objective.kind = SliKind::Latency {
                threshold_secs: secs,
            };
        }
        if let (field, Some(days)) = number("window_days")? {
            if !(days.fract() == 0.0 && (1.0..=365.0).contains(&days)) {
                return Err((
                    field,
                    "must be a whole number of days from 1 to 365".to_owned(),
                ));
            }
            objective.window_secs = days as u64 * DAY_SECS;
        }
    }
    Ok(objectives)
}

/// The burn-rate windows of the SRE workbook's alerts: 5 min, 30 min, 1 h, 6 h, 1 d, 3 d.
pub const BURN_WINDOWS_SECS: [u64; 6] = [300, 1_800, 3_600, 21_600, DAY_SECS, 3 * DAY_SECS];

/// The burn rates shown beside each SLO: 1 h, 6 h, 1 d, 3 d.
pub const SHOWN_BURN_WINDOWS_SECS: [u64; 4] = [3_600, 21_600, DAY_SECS, 3 * DAY_SECS];

/// When the SLO query is evaluated (Unix seconds): at the end of the range, but at the latest
/// 5 s ago, so that every sample up to then has arrived and Prometheus answers the same
/// question the same way when it is asked again (the table publishes this time with its SLIs).
pub fn evaluation_unix(range_end_secs: f64, now_secs: f64) -> i64 {
    range_end_secs.min(now_secs - 5.0) as i64
}

/// Every window the SLO query asks about: the burn windows and each SLO's window, sorted.
pub fn windows(objectives: &[Objective]) -> Vec<u64> {
    let mut out = BURN_WINDOWS_SECS.to_vec();
    for o in objectives {
        if !out.contains(&o.window_secs) {
            out.push(o.window_secs);
        }
    }
    crate::core::order::sort(&mut out);
    out
}

/// The selectors of the request counter (all and 5xx) and of the latency histogram, for `job`.
struct Selectors {
    total: Selector,
    bad: Selector,
    buckets: Option<Selector>,
}

fn request_selectors(names: &MetricNames, job: &str, latency: bool) -> Result<Selectors, String> {
    let name = |m: Metric| names.get(m).map_err(missing_message);
    let total = Selector::new(name(Metric::RequestsTotal)?).with("job", MatchOp::Equal, job);
    let buckets = match latency {
        true => Some(Selector::new(name(Metric::RequestDurationBucket)?).with(
            "job",
            MatchOp::Equal,
            job,
        )),
        false => None,
    };
    Ok(Selectors {
        bad: total.clone().with("status", MatchOp::Regex, "5.."),
        total,
        buckets,
    })
}

/// `sum(increase(selector[window]))`.
fn sum_increase(selector: &Selector, window_secs: u64) -> String {
    format!(
        "sum(increase({selector}[{}]))",
        format_duration(window_secs)
    )
}

/// The bad-request sum, `0` when no request failed (no 5xx series at all): so that the combined
/// query and the standalone SLI agree, and a clean service reads as 100 %, not as no data.
fn bad_sum(selector: &Selector, window_secs: u64) -> String {
    format!("({} or vector(0))", sum_increase(selector, window_secs))
}

/// `label_replace(expr, "part", "<part>/<window secs>", "", "")`.
fn tagged(expr: &str, part: &str, window_secs: u64) -> String {
    let tag = quote(&format!("{part}/{window_secs}"));
    format!(r#"label_replace({expr}, "part", {tag}, "", "")"#)
}

/// The latency histogram's bucket selector when an SLO measures latency: its `le` values (the
/// bucket bounds, `label_values_url(…, "le", Some(selector), …)`, asked once) let
/// [`slo_query`] read only the buckets it uses.
pub fn bucket_bounds_selector(names: &MetricNames, job: &str, objectives: &[Objective]) -> Option<String> {
    let latency = objectives.iter().any(|o| matches!(o.kind, SliKind::Latency { .. }));
    request_selectors(names, job, latency).ok()?.buckets.map(|b| b.to_string())
}

/// The bounds the latency SLOs are counted with ([`latency_bound`] of each threshold among
/// `bounds`, as Prometheus spells them) and `+Inf`; all of them when `bounds` is empty (not
/// known).
fn used_bounds(objectives: &[Objective], bounds: &[String]) -> Option<Vec<String>> {
    if bounds.is_empty() {
        return None;
    }
    let known: Vec<(String, f64)> = bounds.iter().map(|le| (le.clone(), 0.0)).collect();
    let mut used = vec!["+Inf".to_owned()];
    for o in objectives {
        if let SliKind::Latency { threshold_secs } = o.kind {
            if let Ok(bound) = latency_bound(threshold_secs, &known) {
                used.push(bound.le);
            }
        }
    }
    Some(used)
}

/// The one instant query of a refresh: for every window of [`windows`], the parts `total`, `bad`
/// and (when an SLO measures latency) `buckets` (`sum by (le)`, one sample per bound: only the
/// bounds the SLOs use among `bucket_bounds` when it is known, a third of the samples of all
/// twelve of arrwDB's); for each SLO window, `coverage`: how many seconds back the data goes,
/// from the oldest sample of the request counter within the window, sampled at 1/720 of the
/// window (at least a minute). The counter, not `up`: history backfilled into Prometheus has no
/// `up`. Joined with `or`: every part has its own `part` label.
pub fn slo_query(
    names: &MetricNames,
    job: &str,
    objectives: &[Objective],
    bucket_bounds: &[String],
) -> Result<String, String> {
    let latency = objectives
        .iter()
        .any(|o| matches!(o.kind, SliKind::Latency { .. }));
    let mut sel = request_selectors(names, job, latency)?;
    if let (Some(buckets), Some(used)) = (&mut sel.buckets, used_bounds(objectives, bucket_bounds)) {
        let alternatives: Vec<String> = used.iter().map(|le| regex_literal(le)).collect();
        *buckets = buckets.clone().with("le", MatchOp::Regex, &alternatives.join("|"));
    }
    let mut parts = Vec::new();
    for w in windows(objectives) {
        parts.push(tagged(&sum_increase(&sel.total, w), "total", w));
        parts.push(tagged(&bad_sum(&sel.bad, w), "bad", w));
        if let Some(buckets) = &sel.buckets {
            let by_le = format!("sum by (le) (increase({buckets}[{}]))", format_duration(w));
            parts.push(tagged(&by_le, "buckets", w));
        }
        if objectives.iter().any(|o| o.window_secs == w) {
            let coverage = format!(
                "time() - min(min_over_time(timestamp({})[{}:{}]))",
                sel.total,
                format_duration(w),
                format_duration((w / 720).max(60))
            );
            parts.push(tagged(&coverage, "coverage", w));
        }
    }
    Ok(parts.join(" or "))
}

/// One SLO's SLI as one standalone expression over its window, the same sums as the combined
/// query: availability `1 - (bad or vector(0)) / total`, error rate `(bad or vector(0)) / total`,
/// latency `good / total` with `good` the bucket `le` and `total` the `+Inf` bucket. `le` is the
/// bound as Prometheus spells it (from [`LatencyBound::le`]); unused for the other kinds.
pub fn sli_query(
    objective: &Objective,
    names: &MetricNames,
    job: &str,
    le: &str,
) -> Result<String, String> {
    let w = objective.window_secs;
    let latency = matches!(objective.kind, SliKind::Latency { .. });
    let sel = request_selectors(names, job, latency)?;
    let (total, bad) = (sum_increase(&sel.total, w), bad_sum(&sel.bad, w));
    Ok(match (objective.kind, sel.buckets) {
        (SliKind::Availability, _) => format!("1 - {bad} / {total}"),
        (SliKind::ErrorRate, _) => format!("{bad} / {total}"),
        (SliKind::Latency { .. }, buckets) => {
            let buckets = buckets.unwrap_or(sel.total);
            format!(
                "{} / {}",
                sum_increase(&buckets.clone().with("le", MatchOp::Equal, le), w),
                sum_increase(&buckets.with("le", MatchOp::Equal, "+Inf"), w)
            )
        }
    })
}

/// The parts of the combined answer for one window. A part that is missing, NaN or ±∞ is `None`
/// (no data), never a number.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowCounts {
    pub window_secs: u64,
    pub total: Option<f64>,
    pub bad: Option<f64>,
    /// `(le as Prometheus spells it, count)`, finite counts only.
    pub buckets: Vec<(String, f64)>,
    /// How many seconds back the data goes (SLO windows only).
    pub coverage_secs: Option<f64>,
}

/// Reads the answer of [`slo_query`] (a vector) into counts per window, sorted by window.
/// Samples without a readable `part` label are ignored.
pub fn read_slo_answer(samples: &[InstantSample]) -> Vec<WindowCounts> {
    let mut out: Vec<WindowCounts> = Vec::new();
    for sample in samples {
        let value = sample.point.value;
        let Some((part, window)) = sample.labels.get("part").and_then(|p| p.split_once('/')) else {
            continue;
        };
        let Ok(window_secs) = window.parse::<u64>() else {
            continue;
        };
        if !value.is_finite() {
            continue;
        }
        let i = match out.iter().position(|c| c.window_secs == window_secs) {
            Some(i) => i,
            None => {
                out.push(WindowCounts {
                    window_secs,
                    ..WindowCounts::default()
                });
                out.len() - 1
            }
        };
        let counts = &mut out[i];
        match (part, sample.labels.get("le")) {
            ("total", _) => counts.total = Some(value),
            ("bad", _) => counts.bad = Some(value),
            ("coverage", _) => counts.coverage_secs = Some(value),
            ("buckets", Some(le)) => counts.buckets.push((le.clone(), value)),
            _ => {}
        }
    }
    crate::core::order::sort_by(&mut out, |a, b| a.window_secs.cmp(&b.window_secs));
    out
}

/// The histogram bound a latency SLO counts with.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyBound {
    /// As Prometheus spells it (`"0.25"`), for the queries.
    pub le: String,
    pub secs: f64,
    /// Why this bound, when it is not the threshold: "500 ms is not a bucket bound; …".
    pub note: Option<String>,
}

/// The bound for `threshold_secs` among `buckets`: the threshold itself when it is a bound,
/// else the nearest bound below it (stricter: it counts more requests as slow), with a sentence
/// saying so; an error sentence when no bound is at or below it.
pub fn latency_bound(
    threshold_secs: f64,
    buckets: &[(String, f64)],
) -> Result<LatencyBound, String> {
    let mut best: Option<(&str, f64)> = None;
    for (le, _) in buckets {
        match parse_sample_value(le) {
            Some(secs) if secs <= threshold_secs && best.is_none_or(|(_, b)| secs > b) => {
                best = Some((le, secs))
            }
            _ => {}
        }
    }
    let threshold = format_value(threshold_secs, Unit::Seconds);
    match best {
        None => Err(format!(
            "No latency bucket bound is at or below {threshold}: this SLO cannot be measured."
        )),
        Some((le, secs)) => Ok(LatencyBound {
            le: le.to_owned(),
            secs,
            note: (secs != threshold_secs).then(|| {
                format!(
                    "{threshold} is not a bucket bound; counted with le={le} ({}), which is stricter.",
                    format_value(secs, Unit::Seconds)
                )
            }),
        }),
    }
}

/// When the budget runs out at the current burn rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Exhaustion {
    /// Nothing failed over the last hour.
    Never,
    /// No budget is left.
    Exhausted,
    /// In this many seconds, at the last hour's rate of bad requests.
    AfterSecs(f64),
    /// The last hour has no data.
    Unknown,
}

/// The error budget over the SLO window, in the guide's terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub total: f64,
    pub bad: f64,
    /// `(1 − target) × total`.
    pub allowed_bad: f64,
    /// `allowed_bad − bad`; negative when overspent.
    pub remaining: f64,
    /// `remaining / allowed_bad`: 1 untouched, 0 spent, negative overspent.
    pub remaining_share: f64,
    /// As the standalone SLI expression computes it (see [`sli_query`]).
    pub sli: f64,
    /// Whether the SLO holds: no more bad requests than allowed.
    pub met: bool,
    pub exhaustion: Exhaustion,
}

/// An SLO's state over its window.
#[derive(Debug, Clone, PartialEq)]
pub enum SloState {
    /// A part is missing or not a number (Prometheus down, metric missing, NaN).
    NoData,
    /// No requests in the window: nothing to divide by.
    NoRequests,
    /// The histogram cannot measure it (see [`latency_bound`]).
    CannotMeasure(String),
    Measured(Budget),
}

/// What the multi-window multi-burn-rate alerts say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BurnAlert {
    Ok,
    /// Would page; the condition that holds.
    Page(&'static str),
    /// Would open a ticket; the condition that holds.
    Ticket(&'static str),
}

/// The SRE workbook's conditions (chapter "Alerting on SLOs", table 5-8): (long window, short
/// window, burn rate both must exceed, page or ticket, the condition in words). Page wins.
const BURN_CONDITIONS: [(u64, u64, f64, bool, &str); 3] = [
    (
        3_600,
        300,
        14.4,
        true,
        "burn rate over 1 h and over 5 min above 14.4",
    ),
    (
        21_600,
        1_800,
        6.0,
        true,
        "burn rate over 6 h and over 30 min above 6",
    ),
    (
        3 * DAY_SECS,
        21_600,
        1.0,
        false,
        "burn rate over 3 d and over 6 h above 1",
    ),
];

/// One SLO, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct SloReport {
    pub objective: Objective,
    pub state: SloState,
    /// The burn rate over each of [`SHOWN_BURN_WINDOWS_SECS`]; `None` without data or requests.
    pub burn_rates: Vec<(u64, Option<f64>)>,
    pub alert: BurnAlert,
    /// Which bucket bound a latency SLO was counted with, when not its threshold.
    pub bound_note: Option<String>,
    /// "Data covers 1 d 2 h of the 30 d window.", when the data is shorter than the window.
    pub coverage_note: Option<String>,
    /// The bucket bound a latency SLO was counted with, as Prometheus spells it.
    pub le: Option<String>,
}

/// (total, bad, SLI) of a window for an SLO; `None` without data. The SLI with the float
/// operations of [`sli_query`], in its order; NaN when there are no requests.
fn totals(
    objective: &Objective,
    counts: &WindowCounts,
    le: Option<&str>,
) -> Option<(f64, f64, f64)> {
    match (objective.kind, le) {
        (SliKind::Latency { .. }, Some(le)) => {
            let bucket = |name: &str| counts.buckets.iter().find(|(l, _)| l == name).map(|b| b.1);
            let (total, good) = (bucket("+Inf")?, bucket(le)?);
            Some((total, total - good, good / total))
        }
        (SliKind::Latency { .. }, None) => None,
        (SliKind::Availability, _) => {
            let (total, bad) = (counts.total?, counts.bad?);
            Some((total, bad, 1.0 - bad / total))
        }
        (SliKind::ErrorRate, _) => {
            let (total, bad) = (counts.total?, counts.bad?);
            Some((total, bad, bad / total))
        }
    }
}

/// "Data covers 1 d 2 h of the 30 d window." when the data does not reach back over the whole
/// window (allowing for the coverage query's sampling of 1/720 of the window).
pub fn coverage_note(window_secs: u64, coverage_secs: Option<f64>) -> Option<String> {
    let covered = coverage_secs?;
    let resolution = (window_secs / 720).max(60) as f64;
    (covered + resolution < window_secs as f64).then(|| {
        format!(
            "Data covers {} of the {} window.",
            span_text(covered),
            span_text(window_secs as f64)
        )
    })
}

/// Evaluates one SLO from the counts of [`read_slo_answer`].
pub fn evaluate(objective: &Objective, counts: &[WindowCounts]) -> SloReport {
    let window = |secs: u64| counts.iter().find(|c| c.window_secs == secs);
    let slo_window = window(objective.window_secs);
    let mut report = SloReport {
        objective: *objective,
        state: SloState::NoData,
        burn_rates: SHOWN_BURN_WINDOWS_SECS.iter().map(|&w| (w, None)).collect(),
        alert: BurnAlert::Ok,
        bound_note: None,
        coverage_note: coverage_note(
            objective.window_secs,
            slo_window.and_then(|c| c.coverage_secs),
        ),
        le: None,
    };
    let mut le = None;
    if let (SliKind::Latency { threshold_secs }, Some(c)) = (objective.kind, slo_window) {
        if c.buckets.is_empty() {
            return report;
        }
        match latency_bound(threshold_secs, &c.buckets) {
            Ok(bound) => {
                report.bound_note = bound.note;
                report.le = Some(bound.le.clone());
                le = Some(bound.le);
            }
            Err(why) => {
                report.state = SloState::CannotMeasure(why);
                return report;
            }
        }
    }
    let allowed_ratio = 1.0 - objective.target;
    let sums = |secs: u64| window(secs).and_then(|c| totals(objective, c, le.as_deref()));
    let burn = |secs: u64| match sums(secs) {
        Some((total, bad, _)) if total > 0.0 => Some(bad / total / allowed_ratio),
        _ => None,
    };
    for (secs, rate) in &mut report.burn_rates {
        *rate = burn(*secs);
    }
    report.alert = BURN_CONDITIONS
        .iter()
        .find(|(long, short, above, _, _)| {
            burn(*long).is_some_and(|b| b > *above) && burn(*short).is_some_and(|b| b > *above)
        })
        .map_or(BurnAlert::Ok, |&(_, _, _, page, why)| match page {
            true => BurnAlert::Page(why),
            false => BurnAlert::Ticket(why),
        });
    report.state = match sums(objective.window_secs) {
        None => SloState::NoData,
        Some((total, _, _)) if total <= 0.0 => SloState::NoRequests,
        Some((total, bad, sli)) => {
            let allowed_bad = allowed_ratio * total;
            let remaining = allowed_bad - bad;
            let exhaustion = match sums(3_600) {
                _ if remaining <= 0.0 => Exhaustion::Exhausted,
                None => Exhaustion::Unknown,
                Some((_, bad_1h, _)) if bad_1h <= 0.0 => Exhaustion::Never,
                Some((_, bad_1h, _)) => Exhaustion::AfterSecs(remaining / (bad_1h / 3_600.0)),
            };
            SloState::Measured(Budget {
                total,
                bad,
                allowed_bad,
                remaining,
                remaining_share: remaining / allowed_bad,
                sli,
                met: bad <= allowed_bad,
                exhaustion,
            })
        }
    };
    report
}

/// A share as a percentage with up to three decimals: `0.99953` → `99.953 %`.
fn percent(share: f64) -> String {
    format!("{} %", fixed(share * 100.0, 3))
}

/// The SLO panel: one row per SLO with its SLI, target, budget and burn rates. Each row carries
/// its SLI as computed (`data-sli`, the float as Rust prints it), the standalone expression that
/// computes it (`data-expr`, see [`sli_query`]) and the evaluation time (`data-time`), so anyone
/// can ask Prometheus the same question and compare.
pub fn slo_html(reports: &[SloReport], names: &MetricNames, job: &str, eval_unix: i64) -> String {
    let mut h = Html::new();
    h.open_class("table", "slo")
        .open("thead", &[])
        .open("tr", &[]);
    for head in [
        "SLO",
        "SLI",
        "Allowed bad",
        "Bad",
        "Budget left",
        "Runs out",
        "Burn 1 h",
        "6 h",
        "1 d",
        "3 d",
        "Alerts",
    ] {
        h.elem("th", "", head);
    }
    h.close("tr").close("thead").open("tbody", &[]);
    let time = eval_unix.to_string();
    for r in reports {
        let o = &r.objective;
        let target = match o.kind {
            SliKind::Availability => format!("≥ {}", percent(o.target)),
            SliKind::ErrorRate => format!("< {}", percent(1.0 - o.target)),
            SliKind::Latency { threshold_secs } => format!(
                "{} under {}",
                percent(o.target),
                format_value(threshold_secs, Unit::Seconds)
            ),
        };
        let (state, budget) = match &r.state {
            SloState::NoData => ("no-data", None),
            SloState::NoRequests => ("no-requests", None),
            SloState::CannotMeasure(_) => ("cannot-measure", None),
            SloState::Measured(b) => (if b.met { "met" } else { "missed" }, Some(b)),
        };
        let expr = sli_query(o, names, job, r.le.as_deref().unwrap_or("+Inf")).ok();
        let sli = budget.map(|b| b.sli.to_string());
        h.open(
            "tr",
            &[
                ("class", Some(state)),
                ("data-slo", Some(o.key)),
                ("data-state", Some(state)),
                ("data-sli", sli.as_deref()),
                ("data-expr", expr.as_deref().filter(|_| budget.is_some())),
                ("data-time", Some(&time)),
            ],
        )
        .open("th", &[])
        .text(o.name)
        .elem(
            "small",
            "",
            &format!("{target} over {}", span_text(o.window_secs as f64)),
        )
        .close("th");
        match budget {
            None => {
                let why = match &r.state {
                    SloState::NoRequests => "no requests in window".to_owned(),
                    SloState::CannotMeasure(why) => why.clone(),
                    _ => "no data".to_owned(),
                };
                h.open("td", &[("colspan", Some("5"))])
                    .text(&why)
                    .close("td");
            }
            Some(b) => {
                let runs_out = match b.exhaustion {
                    Exhaustion::Never => "not at this rate".to_owned(),
                    Exhaustion::Exhausted => "spent".to_owned(),
                    Exhaustion::Unknown => "–".to_owned(),
                    Exhaustion::AfterSecs(secs) => format!("in {}", span_text(secs)),
                };
                h.elem("td", "num", &percent(b.sli))
                    .elem("td", "num", &fixed(b.allowed_bad, 0))
                    .elem("td", "num", &fixed(b.bad, 0))
                    .elem(
                        "td",
                        "num",
                        &format!("{} ({})", fixed(b.remaining, 0), percent(b.remaining_share)),
                    )
                    .elem("td", "", &runs_out);
            }
        }
        for (_, burn) in &r.burn_rates {
            let text = burn.map_or("–".to_owned(), |b| format!("{}×", fixed(b, 2)));
            h.elem("td", "num", &text);
        }
        let (class, text, why) = match r.alert {
            BurnAlert::Ok => ("ok", "OK", ""),
            BurnAlert::Page(why) => ("page", "would page", why),
            BurnAlert::Ticket(why) => ("ticket", "would ticket", why),
        };
        h.open(
            "td",
            &[
                ("class", Some(class)),
                ("data-burn-alert", Some(class)),
                ("title", Some(why).filter(|w| !w.is_empty())),
            ],
        )
        .text(text)
        .close("td")
        .close("tr");
        let notes: Vec<&str> = [&r.bound_note, &r.coverage_note]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !notes.is_empty() {
            h.open("tr", &[("class", Some("note"))])
                .open("td", &[("colspan", Some("11"))])
                .text(&notes.join(" "))
                .close("td")
                .close("tr");
        }
    }
    h.close("tbody").close("table");
    h.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::prom::{decode_query, QueryData};

    const H: u64 = 3_600;

    fn counts(window_secs: u64, total: f64, bad: f64) -> WindowCounts {
        WindowCounts {
            window_secs,
            total: Some(total),
            bad: Some(bad),
            ..WindowCounts::default()
        }
    }

    fn availability() -> Objective {
        default_objectives()[0]
    }

    #[test]
    fn the_slo_table_publishes_the_sli_and_the_expression_that_computes_it() {
        let o = availability();
        // 10,000,000 requests, 4,000 bad over 30 d: SLI 1 − 4,000/10,000,000 = 0.9996;
        // 10,000 allowed, 6,000 (60 %) left; 7,200 bad of 360,000 in the last hour: 2 bad/s, so
        // 6,000 / 2 = 3,000 s = 50 min; burn over 1 h (7,200/360,000)/0.001 = 20.
        let report = evaluate(
            &o,
            &[
                counts(30 * 86_400, 10_000_000.0, 4_000.0),
                counts(H, 360_000.0, 7_200.0),
            ],
        );
        let html = slo_html(&[report], &MetricNames::assumed(), "arrwdb", 1_700_000_000);
        let sli = 1.0 - 4_000.0 / 10_000_000.0;
        assert!(html.contains(&format!("data-sli=\"{sli}\"")), "{html}");
        assert!(html.contains("data-expr=\"1 - (sum(increase(arrwdb_http_http_requests_total{job=&quot;arrwdb&quot;,status=~&quot;5..&quot;}[30d])) or vector(0)) / sum(increase(arrwdb_http_http_requests_total{job=&quot;arrwdb&quot;}[30d]))\""), "{html}");
        assert!(html.contains("data-time=\"1700000000\""));
        assert!(html.contains("<td class=\"num\">99.96 %</td><td class=\"num\">10000</td><td class=\"num\">4000</td><td class=\"num\">6000 (60 %)</td><td>in 50 min</td><td class=\"num\">20×</td>"), "{html}");
        let idle = evaluate(&o, &[counts(30 * 86_400, 0.0, 0.0)]);
        let html = slo_html(&[idle], &MetricNames::assumed(), "arrwdb", 0);
        assert!(
            html.contains("data-state=\"no-requests\"") && html.contains("no requests in window")
        );
        assert!(!html.contains("data-sli"), "no SLI without requests");
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn the_guides_budget_worked_out() {
        // 10,000,000 requests in 30 d at 99.9 %: (1 − 0.999) × 10,000,000 = 10,000 may fail.
        // 4,000 failed: 6,000 remain, 60 % of the budget. Over the last hour 7,200 of 360,000
        // failed: 2 bad requests/s, so the 6,000 left last 3,000 s = 50 min.
        // burn(1 h) = (7,200 / 360,000) / 0.001 = 0.02 / 0.001 = 20; over 5 min 600 of 30,000
        // failed: burn 20 too. Both above 14.4: page.
        let answer = [
            counts(30 * DAY_SECS, 10_000_000.0, 4_000.0),
            counts(300, 30_000.0, 600.0),
            counts(H, 360_000.0, 7_200.0),
            counts(6 * H, 2_160_000.0, 7_200.0),
        ];
        let report = evaluate(&availability(), &answer);
        let SloState::Measured(b) = report.state else {
            panic!("{:?}", report.state)
        };
        assert!(close(b.allowed_bad, 10_000.0));
        assert!(close(b.remaining, 6_000.0));
        assert!(close(b.remaining_share, 0.6));
        assert_eq!(b.sli, 1.0 - 4_000.0 / 10_000_000.0);
        assert!(b.met);
        let Exhaustion::AfterSecs(secs) = b.exhaustion else {
            panic!("{:?}", b.exhaustion)
        };
        assert!(close(secs, 3_000.0));
        assert_eq!(span_text(secs), "50 min");
        // burn(6 h) = (7,200 / 2,160,000) / 0.001 = 3.33; 1 d and 3 d have no data.
        let burns: Vec<(u64, Option<f64>)> = report.burn_rates.clone();
        assert_eq!(burns[0].0, H);
        assert!(close(burns[0].1.unwrap(), 20.0));
        assert!(close(burns[1].1.unwrap(), 10.0 / 3.0));
        assert_eq!((burns[2].1, burns[3].1), (None, None));
        assert_eq!(
            report.alert,
            BurnAlert::Page("burn rate over 1 h and over 5 min above 14.4")
        );
        assert_eq!((report.bound_note, report.coverage_note), (None, None));
    }

    #[test]
    fn the_slo_query_is_evaluated_at_the_range_end_at_the_latest_5_s_ago() {
        // A live range ends now: 5 s back. A past range ends before that: its end.
        assert_eq!(evaluation_unix(1_000.0, 1_000.4), 995);
        assert_eq!(evaluation_unix(900.0, 1_000.0), 900);
    }

    #[test]
    fn burn_rate_alerts_page_before_they_ticket() {
        let check = |burns: [f64; 5], expected: BurnAlert| {
            // A burn rate b over a window is b × 0.001 of its 1,000,000 requests failing.
            let answer: Vec<WindowCounts> = [300, 1_800, H, 6 * H, 3 * DAY_SECS]
                .iter()
                .zip(burns)
                .map(|(&w, b)| counts(w, 1_000_000.0, b * 1_000.0))
                .collect();
            assert_eq!(
                evaluate(&availability(), &answer).alert,
                expected,
                "{burns:?}"
            );
        };
        let [page_1h, page_6h, ticket] = BURN_CONDITIONS.map(|c| c.4);
        // 5 min, 30 min, 1 h, 6 h, 3 d.
        check([15.0, 0.0, 15.0, 0.0, 0.0], BurnAlert::Page(page_1h));
        check([14.0, 0.0, 15.0, 0.0, 0.0], BurnAlert::Ok);
        check([0.0, 7.0, 0.0, 7.0, 0.0], BurnAlert::Page(page_6h));
        check([0.0, 7.0, 0.0, 7.0, 2.0], BurnAlert::Page(page_6h));
        check([0.0, 0.0, 0.0, 2.0, 2.0], BurnAlert::Ticket(ticket));
        check([0.0, 0.0, 0.0, 0.5, 2.0], BurnAlert::Ok);
        check([1.0; 5], BurnAlert::Ok);
    }

    #[test]
    fn overspent_idle_and_empty_windows() {
        // 30 of 10,000 failed against 10 allowed: 20 overspent, −200 %, not met.
        let report = evaluate(&availability(), &[counts(30 * DAY_SECS, 10_000.0, 30.0)]);
        let SloState::Measured(b) = report.state else {
            panic!()
        };
        assert!(close(b.remaining, -20.0) && close(b.remaining_share, -2.0));
        assert_eq!((b.met, b.exhaustion), (false, Exhaustion::Exhausted));
        // Nothing failed over the last hour: the budget never runs out; no 1 h data: unknown.
        let report = evaluate(
            &availability(),
            &[counts(30 * DAY_SECS, 10_000.0, 1.0), counts(H, 500.0, 0.0)],
        );
        let SloState::Measured(b) = report.state else {
            panic!()
        };
        assert_eq!(b.exhaustion, Exhaustion::Never);
        let report = evaluate(&availability(), &[counts(30 * DAY_SECS, 10_000.0, 1.0)]);
        let SloState::Measured(b) = report.state else {
            panic!()
        };
        assert_eq!(b.exhaustion, Exhaustion::Unknown);
        // Zero traffic: no division, no burn rate.
        let report = evaluate(
            &availability(),
            &[counts(30 * DAY_SECS, 0.0, 0.0), counts(H, 0.0, 0.0)],
        );
        assert_eq!(report.state, SloState::NoRequests);
        assert_eq!(report.burn_rates[0], (H, None));
        assert_eq!(report.alert, BurnAlert::Ok);
        // Nothing at all.
        assert_eq!(evaluate(&availability(), &[]).state, SloState::NoData);
    }

    #[test]
    fn the_combined_answer_is_read_and_nan_is_no_data() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"part":"total/2592000"},"value":[1700000000,"10000000"]},
            {"metric":{"part":"bad/2592000"},"value":[1700000000,"4000"]},
            {"metric":{"part":"coverage/2592000"},"value":[1700000000,"93600"]},
            {"metric":{"part":"buckets/2592000","le":"0.25"},"value":[1700000000,"9000000"]},
            {"metric":{"part":"buckets/2592000","le":"+Inf"},"value":[1700000000,"10000000"]},
            {"metric":{"part":"total/300"},"value":[1700000000,"NaN"]},
            {"metric":{"part":"bad/300"},"value":[1700000000,"0"]},
            {"metric":{"part":"buckets/300","le":"1.0"},"value":[1700000000,"+Inf"]},
            {"metric":{"part":"nonsense"},"value":[1700000000,"1"]},
            {"metric":{},"value":[1700000000,"1"]}]}}"#;
        let QueryData::Vector(samples) = decode_query(200, body).unwrap().data else {
            panic!()
        };
        let got = read_slo_answer(&samples);
        assert_eq!(
            got,
            [
                WindowCounts {
                    window_secs: 300,
                    total: None,
                    bad: Some(0.0),
                    buckets: vec![],
                    coverage_secs: None
                },
                WindowCounts {
                    window_secs: 30 * DAY_SECS,
                    total: Some(10_000_000.0),
                    bad: Some(4_000.0),
                    buckets: vec![
                        ("0.25".to_owned(), 9_000_000.0),
                        ("+Inf".to_owned(), 10_000_000.0)
                    ],
                    coverage_secs: Some(93_600.0),
                },
            ]
        );
        // A NaN total is no data, never a number.
        let report = evaluate(&availability(), &got);
        assert_eq!(report.burn_rates[0], (H, None));
        assert_eq!(
            report.coverage_note.as_deref(),
            Some("Data covers 1 d 2 h of the 30 d window.")
        );
        // P95 < 500 ms counted with le=0.25: 1,000,000 of 10,000,000 slow; 5 % allowed = 500,000.
        let p95 = evaluate(&default_objectives()[1], &got);
        assert_eq!(
            p95.bound_note.as_deref(),
            Some("500 ms is not a bucket bound; counted with le=0.25 (250 ms), which is stricter.")
        );
        let SloState::Measured(b) = p95.state else {
            panic!("{:?}", p95.state)
        };
        assert_eq!(
            (b.bad, b.sli, b.met),
            (1_000_000.0, 9_000_000.0 / 10_000_000.0, false)
        );
    }

    #[test]
    fn latency_bounds_are_the_threshold_or_the_nearest_below() {
        let buckets: Vec<(String, f64)> = ["0.01", "0.1", "0.25", "1.0", "+Inf"]
            .iter()
            .map(|le| (le.to_string(), 1.0))
            .collect();
        let exact = latency_bound(1.0, &buckets).unwrap();
        assert_eq!(
            (exact.le.as_str(), exact.secs, exact.note),
            ("1.0", 1.0, None)
        );
        let below = latency_bound(2.0, &buckets).unwrap();
        assert_eq!(below.le, "1.0");
        assert_eq!(
            below.note.as_deref(),
            Some("2 s is not a bucket bound; counted with le=1.0 (1 s), which is stricter.")
        );
        assert_eq!(
            latency_bound(0.005, &buckets),
            Err(
                "No latency bucket bound is at or below 5 ms: this SLO cannot be measured."
                    .to_owned()
            )
        );
        let mut p99 = default_objectives()[2];
        p99.kind = SliKind::Latency {
            threshold_secs: 0.005,
        };
        let answer = [WindowCounts {
            window_secs: 30 * DAY_SECS,
            buckets,
            ..WindowCounts::default()
        }];
        assert!(matches!(
            evaluate(&p99, &answer).state,
            SloState::CannotMeasure(_)
        ));
    }

    #[test]
    fn queries_tag_every_part_and_the_slis_use_the_same_sums() {
        let names = MetricNames::assumed();
        let r = "arrwdb_http_http_requests_total";
        let b = "arrwdb_http_http_request_duration_seconds_bucket";
        let only_availability = [availability()];
        let query = slo_query(&names, "arrwdb", &only_availability, &[]).unwrap();
        let parts: Vec<&str> = query.split(" or label_replace").collect();
        // Six burn windows and 30 d: total and bad each, and coverage for 30 d.
        assert_eq!(parts.len(), 7 * 2 + 1);
        assert_eq!(
            parts[0],
            format!(
                r#"label_replace(sum(increase({r}{{job="arrwdb"}}[5m])), "part", "total/300", "", "")"#
            )
        );
        assert_eq!(
            parts[1],
            format!(
                r#"((sum(increase({r}{{job="arrwdb",status=~"5.."}}[5m])) or vector(0)), "part", "bad/300", "", "")"#
            )
        );
        assert!(query.ends_with(
            r#"label_replace(time() - min(min_over_time(timestamp(arrwdb_http_http_requests_total{job="arrwdb"})[30d:1h])), "part", "coverage/2592000", "", "")"#
        ));
        assert!(!query.contains("le"));
        let all = slo_query(&names, "arrwdb", &default_objectives(), &[]).unwrap();
        assert!(all.contains(&format!(r#"label_replace(sum by (le) (increase({b}{{job="arrwdb"}}[3d])), "part", "buckets/259200", "", "")"#)));
        assert_eq!(
            sli_query(&availability(), &names, "arrwdb", "").unwrap(),
            format!(
                r#"1 - (sum(increase({r}{{job="arrwdb",status=~"5.."}}[30d])) or vector(0)) / sum(increase({r}{{job="arrwdb"}}[30d]))"#
            )
        );
        assert_eq!(
            sli_query(&default_objectives()[3], &names, "arrwdb", "").unwrap(),
            format!(
                r#"(sum(increase({r}{{job="arrwdb",status=~"5.."}}[30d])) or vector(0)) / sum(increase({r}{{job="arrwdb"}}[30d]))"#
            )
        );
        assert_eq!(
            sli_query(&default_objectives()[1], &names, "a\"b", "0.25").unwrap(),
            format!(
                r#"sum(increase({b}{{job="a\"b",le="0.25"}}[30d])) / sum(increase({b}{{job="a\"b",le="+Inf"}}[30d]))"#
            )
        );
        let missing = crate::core::metrics::resolve(&[], &Default::default());
        assert!(slo_query(&missing, "arrwdb", &only_availability, &[])
            .unwrap_err()
            .starts_with("Prometheus has no metric"));
    }

    #[test]
    fn with_the_bounds_known_the_query_reads_only_the_buckets_the_slos_use() {
        let names = MetricNames::assumed();
        let b = "arrwdb_http_http_request_duration_seconds_bucket";
        let bounds: Vec<String> = ["+Inf", "0.01", "0.25", "0.5", "1.0", "10.0", "2.5"].map(String::from).to_vec();
        let objectives = default_objectives();
        assert_eq!(bucket_bounds_selector(&names, "arrwdb", &objectives), Some(format!(r#"{b}{{job="arrwdb"}}"#)));
        assert_eq!(bucket_bounds_selector(&names, "arrwdb", &[availability()]), None, "no latency SLO, no buckets");
        let query = slo_query(&names, "arrwdb", &objectives, &bounds).unwrap();
        // p95 under 500 ms and p99 under 2 s: the 0.5 bound, the 1.0 one below 2 s, and +Inf.
        let only_used = format!(r#"sum by (le) (increase({b}{{job="arrwdb",le=~"\\+Inf|0\\.5|1\\.0"}}[30d]))"#);
        assert!(query.contains(&only_used), "{query}");
        assert!(!query.contains(&format!(r#"{b}{{job="arrwdb"}}"#)), "no query of every bucket");
        // Each objective evaluates to the same report from the answer to either query.
        let answer = |les: &[&str]| -> Vec<(String, f64)> { les.iter().map(|le| (le.to_string(), 100.0)).collect() };
        for o in &objectives {
            if let SliKind::Latency { threshold_secs } = o.kind {
                let all = latency_bound(threshold_secs, &answer(&["0.01", "0.25", "0.5", "1.0", "2.5", "+Inf"])).unwrap();
                let used = latency_bound(threshold_secs, &answer(&["+Inf", "0.5", "1.0"])).unwrap();
                assert_eq!(all, used);
            }
        }
    }

    #[test]
    fn objectives_are_read_from_config_with_named_errors() {
        let read = |json: &str| read_objectives(&serde_json::from_str(json).unwrap());
        assert_eq!(read("{}").unwrap(), default_objectives());
        let got = read(
            r#"{"availability": {"target": 0.995, "window_days": 7},
                "error_rate": {"max_ratio": 0.01},
                "latency_p95": {"threshold_secs": 0.25, "target": 0.9}}"#,
        )
        .unwrap();
        assert_eq!((got[0].target, got[0].window_secs), (0.995, 7 * DAY_SECS));
        assert_eq!(
            (got[1].kind, got[1].target),
            (
                SliKind::Latency {
                    threshold_secs: 0.25
                },
                0.9
            )
        );
        assert_eq!(got[3].target, 1.0 - 0.01);
        assert_eq!(got[2], default_objectives()[2]);
        let check = |json: &str, field: &str, problem: &str| {
            assert_eq!(
                read(json),
                Err((field.to_owned(), problem.to_owned())),
                "{json}"
            )
        };
        check(
            r#"{"availability": {"target": 99.9}}"#,
            "slo.availability.target",
            "must be between 0 and 1 (exclusive), e.g. 0.999",
        );
        check(
            r#"{"error_rate": {"max_ratio": 0}}"#,
            "slo.error_rate.max_ratio",
            "must be between 0 and 1 (exclusive), e.g. 0.999",
        );
        check(
            r#"{"latency_p99": {"threshold_secs": -1}}"#,
            "slo.latency_p99.threshold_secs",
            "must be a positive number of seconds",
        );
        check(
            r#"{"latency_p99": {"window_days": 1.5}}"#,
            "slo.latency_p99.window_days",
            "must be a whole number of days from 1 to 365",
        );
        check(
            r#"{"latency_p99": {"window_days": "30"}}"#,
            "slo.latency_p99.window_days",
            "`window_days` is a string, not a number",
        );
        check(
            r#"{"availability": {"max_ratio": 0.1}}"#,
            "slo.availability",
            "unknown field `max_ratio`, expected one of `target`, `window_days`",
        );
        check(r#"{"latency": {}}"#, "slo", "unknown field `latency`, expected one of `availability`, `latency_p95`, `latency_p99`, `error_rate`");
        check(
            r#"{"availability": 1}"#,
            "slo.availability",
            "`availability` is a number, not an object",
        );
    }

    #[test]
    fn coverage_is_said_only_when_short_of_the_window() {
        assert_eq!(
            coverage_note(30 * DAY_SECS, Some(93_600.0)).as_deref(),
            Some("Data covers 1 d 2 h of the 30 d window.")
        );
        assert_eq!(
            coverage_note(30 * DAY_SECS, Some(30.0 * 86_400.0 - 1_800.0)),
            None
        );
        assert_eq!(coverage_note(30 * DAY_SECS, None), None);
        assert_eq!(
            windows(&default_objectives()),
            [300, 1_800, H, 6 * H, DAY_SECS, 3 * DAY_SECS, 30 * DAY_SECS]
        );
    }
}
