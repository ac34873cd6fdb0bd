//! Alerts and rule health, pure: the rules Prometheus evaluates (decoded by
//! [`crate::core::prom::decode_rules`]; its answer carries each rule's active alerts, so
//! `/api/v1/alerts` is not needed), their priority in the guide's terms, their display order and
//! text, whether each rule's selectors select anything, and when each alert was pending or firing
//! (from the `ALERTS` series) as bands on the charts.

use serde_json::Value;

use crate::core::chart::TimeAxis;
use crate::core::html::Html;
use crate::core::json::{only_keys, opt_object, type_name};
use crate::core::metrics::{similar_names, Metric, MetricNames};
use crate::core::order::sort_by;
use crate::core::panels::{EVERY_PANEL_ALERTS, PANELS};
use crate::core::config::RuleSource;
use crate::core::flavor::Flavor;
use crate::core::prom::{AlertState, PromError, Rule, RuleHealth, RuleKind, Series};
use crate::core::time::{axis_label, span_text};
use crate::core::units::significant;

/// The guide's alert priorities ("Alerting Strategy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Page immediately.
    P1,
    /// Page during business hours.
    P2,
    /// Ticket only.
    P3,
}

impl Priority {
    /// `"P1"`, `"P2"` or `"P3"`.
    pub fn label(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
        }
    }

    /// What the priority asks of the operator, as the guide says it.
    pub fn meaning(self) -> &'static str {
        match self {
            Priority::P1 => "page immediately",
            Priority::P2 => "page during business hours",
            Priority::P3 => "ticket only",
        }
    }

    fn from_label(label: &str) -> Option<Self> {
        [Priority::P1, Priority::P2, Priority::P3]
            .into_iter()
            .find(|p| p.label() == label)
    }
}

/// A rule's priority when config.json says nothing about it. The guide's five rules by name:
/// ServiceDown and HighErrorRate (5xx > 5 % for 5 min) are the guide's P1 examples word for
/// word; HighMemoryUsage (> 90 % for 15 min) is its P2 example; HighAuthFailureRate (a flood of
/// bad keys hurts no served request) goes with the business-hours pages, P2. HighLatency fires at
/// P95 > 1 s for 10 min: the guide pages (P1) at P95 > 5 s and tickets (P3) at P95 > 2 s, so a
/// 1 s threshold is below even the ticket line: P3. Any other rule by its `severity` label
/// (Alertmanager's convention, as in the guide's routes): `critical` P1, `warning` P2, else P3.
pub fn default_priority(rule_name: &str, severity: &str) -> Priority {
    match (rule_name, severity) {
        ("ServiceDown" | "HighErrorRate", _) => Priority::P1,
        ("HighMemoryUsage" | "HighAuthFailureRate", _) => Priority::P2,
        ("HighLatency", _) => Priority::P3,
        (_, "critical") => Priority::P1,
        (_, "warning") => Priority::P2,
        _ => Priority::P3,
    }
}

/// Priorities set in config.json, by rule name.
pub type PriorityOverrides = Vec<(String, Priority)>;

/// A rule's priority: config.json's override, else [`default_priority`].
pub fn priority(rule: &Rule, overrides: &[(String, Priority)]) -> Priority {
    overrides
        .iter()
        .find(|(name, _)| *name == rule.name)
        .map_or_else(|| default_priority(&rule.name, &rule.severity), |o| o.1)
}

/// Reads config.json's `alerts` section, `{"priorities": {"HighLatency": "P2"}}`. An error is
/// `(field, problem)`, e.g. `("alerts.priorities.X", "`P4` is not P1, P2 or P3")`, for
/// `ConfigError` to wrap.
pub fn read_priorities(alerts: &Value) -> Result<PriorityOverrides, (String, String)> {
    let in_alerts = |shape: crate::core::json::Shape| ("alerts".to_owned(), shape.0);
    only_keys(alerts, &["priorities", "sources"]).map_err(in_alerts)?;
    let mut out = Vec::new();
    if let Some(Value::Object(map)) = opt_object(alerts, "priorities").map_err(in_alerts)? {
        for (name, value) in map {
            let field = format!("alerts.priorities.{name}");
            let problem = match value.as_str() {
                Some(label) => match Priority::from_label(label) {
                    Some(p) => {
                        out.push((name.clone(), p));
                        continue;
                    }
                    None => format!("`{label}` is not P1, P2 or P3"),
                },
                None => format!("is {}, not \"P1\", \"P2\" or \"P3\"", type_name(value)),
            };
            return Err((field, problem));
        }
    }
    Ok(out)
}

/// A rule's state for display: Prometheus's, or on a server that does not send it (and for a
/// recording rule, which stays `Unknown`) the most urgent of its alerts'.
pub fn rule_state(rule: &Rule) -> AlertState {
    if rule.state != AlertState::Unknown || rule.kind == RuleKind::Recording {
        return rule.state;
    }
    let has = |s: AlertState| rule.alerts.iter().any(|a| a.state == s);
    match () {
        _ if has(AlertState::Firing) => AlertState::Firing,
        _ if has(AlertState::Pending) => AlertState::Pending,
        _ => AlertState::Inactive,
    }
}

fn state_rank(state: AlertState) -> u8 {
    match state {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        AlertState::Inactive => 2,
        AlertState::Unknown => 3,
    }
}

/// The positions of `rules` in display order: firing, then pending, then inactive (recording
/// rules last); within a state by priority, then by name, then by group.
pub fn display_order(rules: &[Rule], overrides: &[(String, Priority)]) -> Vec<usize> {
    let key = |r: &Rule| (state_rank(rule_state(r)), priority(r, overrides));
    let mut order: Vec<usize> = (0..rules.len()).collect();
    sort_by(&mut order, |&a, &b| {
        let (ra, rb) = (&rules[a], &rules[b]);
        key(ra)
            .cmp(&key(rb))
            .then_with(|| ra.name.cmp(&rb.name))
            .then_with(|| ra.group.cmp(&rb.group))
            .then(a.cmp(&b))
    });
    order
}

/// An annotation for display: each Go-template action `{{ … }}` left in a rule's raw annotation
/// becomes `…` (the rule's alerts carry the expanded text), and runs of whitespace become one
/// space. Markup is kept as text: the page sets it as `textContent`, never as HTML.
pub fn annotation_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('…');
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that are never a metric name where they stand: aggregations, functions' keyword
/// arguments, binary operators and modifiers, and the number literals. A word followed by `(`
/// is a function call and is skipped whatever it is; the [`LABEL_LISTS`] words are keywords too.
const KEYWORDS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "bool",
    "and",
    "or",
    "unless",
    "atan2",
    "offset",
    "inf",
    "nan",
];

/// Keywords followed by a list of label names in parentheses, which is not a call.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// The end of the string literal opening at `start` (a `"`, `'` or `` ` ``): the position after
/// its closing quote, or the end of `expr`.
fn string_end(expr: &[u8], start: usize) -> usize {
    let quote = expr[start];
    let mut i = start + 1;
    while i < expr.len() {
        match expr[i] {
            b'\\' if quote != b'`' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    expr.len()
}

/// The position after the bracket closing the one at `start` (`{`/`}`, `(`/`)`, `[`/`]`),
/// skipping string literals; the end of `expr` when it is not closed.
fn group_end(expr: &[u8], start: usize) -> usize {
    let (open, close) = (
        expr[start],
        match expr[start] {
            b'{' => b'}',
            b'(' => b')',
            _ => b']',
        },
    );
    let mut depth = 0;
    let mut i = start;
    while i < expr.len() {
        match expr[i] {
            b'"' | b'\'' | b'`' => {
                i = string_end(expr, i);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    expr.len()
}

fn skip_space(expr: &[u8], mut i: usize) -> usize {
    while expr.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b':'
}

/// Every vector selector of a PromQL expression, as written (a metric name with its `{…}`
/// matchers, or a bare `{…}`), in order and without repeats: what the rule-health check asks
/// `/api/v1/series` about. Function names, aggregations and their `by (…)` label lists,
/// operators, durations and subquery ranges in `[…]`, `offset`, numbers, strings and comments are
/// skipped. A lexer, not a parser: it does not check that the expression is valid.
pub fn selectors(expr: &str) -> Vec<String> {
    let b = expr.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => i = string_end(b, i),
            b'#' => i = expr[i..].find('\n').map_or(b.len(), |n| i + n),
            b'[' => i = group_end(b, i),
            b'{' => {
                let end = group_end(b, i);
                push(expr[i..end].to_owned());
                i = end;
            }
            // A number or a duration (`0.95`, `1e3`, `5m`, `0x1F`).
            c if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                while b
                    .get(i)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_')
                {
                    i += 1;
                }
            }
            c if is_word_byte(c) => {
                let start = i;
                while b.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                let word = expr[start..i].to_ascii_lowercase();
                let next = skip_space(b, i);
                if LABEL_LISTS.contains(&word.as_str()) && b.get(next) == Some(&b'(') {
                    i = group_end(b, next);
                } else if b.get(next) == Some(&b'(')
                    || KEYWORDS.contains(&word.as_str())
                    || LABEL_LISTS.contains(&word.as_str())
                {
                    // A call, or a keyword: the arguments are read as the loop goes on.
                } else if b.get(next) == Some(&b'{') {
                    let end = group_end(b, next);
                    push(format!("{}{}", &expr[start..i], &expr[next..end]));
                    i = end;
                } else {
                    push(expr[start..i].to_owned());
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The metric name a selector names before its `{…}`; `None` for a bare `{…}`.
pub fn selector_metric(selector: &str) -> Option<&str> {
    let name = selector.split('{').next().unwrap_or_default().trim();
    (!name.is_empty()).then_some(name)
}

/// The selectors of the alerting rules whose series were not counted yet (`counted` holds
/// (selector, count) pairs), each once, in rule order: what rule health still has to ask.
pub fn selectors_to_ask(rules: &[Rule], counted: &[(String, usize)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in rules.iter().filter(|r| r.kind == RuleKind::Alerting) {
        for selector in selectors(&rule.query) {
            if !counted.iter().any(|(s, _)| *s == selector) && !out.contains(&selector) {
                out.push(selector);
            }
        }
    }
    out
}

/// What is wrong with a rule, one sentence per problem; empty when it is healthy. Prometheus's
/// own verdict first (an evaluation error, or not evaluated yet), then each selector that
/// matched no series: `series_counts` holds (selector, number of series) for the selectors the
/// page asked about (from [`crate::core::prom::series_url`]); `metric_names` is
/// `/api/v1/label/__name__/values` (empty when unknown: then no name is judged missing).
pub fn rule_problems(
    rule: &Rule,
    series_counts: &[(String, usize)],
    metric_names: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    match (rule.health, rule.last_error.as_deref()) {
        (RuleHealth::Err, error) => problems.push(format!(
            "Prometheus could not evaluate {}: {}",
            rule.name,
            error.unwrap_or("no error message")
        )),
        (RuleHealth::Unknown, _) => {
            problems.push(format!("Prometheus has not evaluated {} yet", rule.name))
        }
        (RuleHealth::Ok, _) => {}
    }
    let own = selectors(&rule.query);
    for (selector, count) in series_counts {
        // Counts of other rules' selectors may be handed over too.
        if *count > 0 || !own.contains(selector) {
            continue;
        }
        let missing = selector_metric(selector)
            .filter(|name| !metric_names.is_empty() && !metric_names.iter().any(|n| n == name));
        let problem = match missing {
            Some(name) => {
                let similar = similar_names(&[name.to_owned()], metric_names);
                let instead = match similar.len() {
                    0 => "nothing similar does".to_owned(),
                    1 => format!("`{}` does", similar[0]),
                    _ => format!("`{}` do", similar.join("`, `")),
                };
                format!(
                    "{} selects no series: `{name}` does not exist; {instead}",
                    rule.name
                )
            }
            None if metric_names.is_empty() || selector_metric(selector).is_none() => {
                format!("{}: `{selector}` matches no series", rule.name)
            }
            None => format!(
                "{}: `{selector}` matches no series: the metric exists but not with these labels",
                rule.name
            ),
        };
        // Two selectors of one missing metric (`x{status=~"5.."} / x`) are one problem.
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    problems
}

/// The query of the alert bands, over the chart's range: every alert while pending or firing.
/// Prometheus writes `ALERTS` only while it evaluates the rules, so an empty answer is normal
/// (no alerts in range), not an error.
pub const ALERTS_QUERY: &str = r#"ALERTS{alertstate=~"pending|firing"}"#;

/// An interval `[start_unix, end_unix)` during which an alert was pending or firing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertBand {
    pub start_unix: f64,
    pub end_unix: f64,
    /// Firing; else pending.
    pub firing: bool,
}

/// The bands of one alert name, in time order, never overlapping.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertBands {
    pub alert: String,
    pub bands: Vec<AlertBand>,
}

/// The intervals covered by the samples of `series` (merged across series): consecutive
/// samples at most one step apart join; an interval ends one step after its last sample. Clipped
/// to the range.
fn sample_intervals(
    series: &[&Series],
    start_unix: f64,
    end_unix: f64,
    step_secs: f64,
) -> Vec<(f64, f64)> {
    let mut times: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.value.is_finite())
        .map(|p| p.t_secs)
        .collect();
    sort_by(&mut times, f64::total_cmp);
    // Prometheus's times carry milliseconds: allow for their rounding.
    let join = step_secs + 1e-3;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for t in times {
        match out.last_mut() {
            Some(last) if t - (last.1 - step_secs) <= join => last.1 = last.1.max(t + step_secs),
            _ => out.push((t, t + step_secs)),
        }
    }
    out.iter()
        .map(|&(s, e)| (s.max(start_unix), e.min(end_unix)))
        .filter(|(s, e)| s < e)
        .collect()
}

/// `intervals` minus every interval of `minus` (both in time order, not overlapping).
fn subtract(intervals: &[(f64, f64)], minus: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(mut start, end) in intervals {
        for &(ms, me) in minus {
            if me <= start || ms >= end {
                continue;
            }
            if ms > start {
                out.push((start, ms));
            }
            start = start.max(me);
        }
        if start < end {
            out.push((start, end));
        }
    }
    out
}

/// The bands of every alert in an answer to [`ALERTS_QUERY`] over `[start_unix, end_unix]` at
/// `step_secs`, by alert name (sorted). Where an alert is both pending and firing (two label
/// sets of one rule), firing wins.
pub fn alert_bands(
    series: &[Series],
    start_unix: f64,
    end_unix: f64,
    step_secs: f64,
) -> Vec<AlertBands> {
    let label = |s: &Series, key: &str| s.labels.get(key).cloned().unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for s in series {
        let name = label(s, "alertname");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    sort_by(&mut names, String::cmp);
    let mut out = Vec::with_capacity(names.len());
    for alert in names {
        let of_state = |state: &str| -> Vec<&Series> {
            series
                .iter()
                .filter(|s| label(s, "alertname") == alert && label(s, "alertstate") == state)
                .collect()
        };
        let firing = sample_intervals(&of_state("firing"), start_unix, end_unix, step_secs);
        let pending = sample_intervals(&of_state("pending"), start_unix, end_unix, step_secs);
        let band = |firing: bool| {
            move |&(start_unix, end_unix): &(f64, f64)| AlertBand {
                start_unix,
                end_unix,
                firing,
            }
        };
        let mut bands: Vec<AlertBand> = firing.iter().map(band(true)).collect();
        bands.extend(subtract(&pending, &firing).iter().map(band(false)));
        sort_by(&mut bands, |a, b| a.start_unix.total_cmp(&b.start_unix));
        out.push(AlertBands { alert, bands });
    }
    out
}

/// The chart panels on which an alert's bands are drawn: the guide's rules by name (each
/// panel's [`PanelSpec::alerts`], and [`EVERY_PANEL_ALERTS`] on every panel); any other rule by
/// the metrics its selectors name (resolved or any known spelling) and the metrics each panel
/// [`reads`](PanelSpec::reads); none when it names none of the dashboard's metrics.
pub fn alert_panels(alertname: &str, query: &str, names: &MetricNames) -> Vec<&'static str> {
    if EVERY_PANEL_ALERTS.contains(&alertname) {
        return PANELS.iter().map(|p| p.id).collect();
    }
    let by_name: Vec<&'static str> = PANELS
        .iter()
        .filter(|p| p.alerts.contains(&alertname))
        .map(|p| p.id)
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    let selectors = selectors(query);
    let read: Vec<&str> = selectors.iter().filter_map(|s| selector_metric(s)).collect();
    let is = |m: Metric| {
        read.iter()
            .any(|name| names.get(m) == Ok(*name) || m.candidates().contains(name))
    };
    PANELS
        .iter()
        .filter(|p| p.reads.iter().any(|m| is(*m)))
        .map(|p| p.id)
        .collect()
}

/// An alert band on the charts it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBand {
    /// The panel ids it is drawn on ([`alert_panels`]).
    pub panels: Vec<&'static str>,
    pub alert: String,
    pub band: AlertBand,
}

/// The bands of [`alert_bands`] with the charts each concerns; the rule's expression (for a
/// rule the mapping does not know) is taken from `rules` by name.
pub fn chart_bands(bands: &[AlertBands], rules: &[Rule], names: &MetricNames) -> Vec<ChartBand> {
    let mut out = Vec::new();
    for b in bands {
        let query = rules
            .iter()
            .find(|r| r.name == b.alert)
            .map_or("", |r| r.query.as_str());
        let panels = alert_panels(&b.alert, query, names);
        for band in &b.bands {
            out.push(ChartBand {
                panels: panels.clone(),
                alert: b.alert.clone(),
                band: *band,
            });
        }
    }
    out
}

/// One alert band as the chart shows it over its plot: a shaded interval (the page's CSS lets
/// the pointer through it, so the crosshair, the drag and the dots still work) whose strip under
/// the plot names the rule on hover.
#[derive(Debug, Clone, PartialEq)]
pub struct BandMark {
    pub alert: String,
    /// `firing` or `pending` (the element's class).
    pub state: &'static str,
    pub from_unix: i64,
    pub to_unix: i64,
    /// `left` and `width` in CSS pixels of the plot.
    pub style: String,
    pub title: String,
}

/// The bands of `panel` placed on its plot (clipped to it; those outside it left out).
pub fn band_marks(
    bands: &[ChartBand],
    panel: &str,
    axis: &TimeAxis,
    utc_offset_secs: i64,
) -> Vec<BandMark> {
    let x = |t: f64| {
        axis.x_at(t.clamp(axis.start_secs, axis.end_secs))
            .unwrap_or(axis.left_px)
    };
    let span = axis.end_secs - axis.start_secs;
    bands
        .iter()
        .filter(|b| b.panels.contains(&panel))
        .filter_map(|b| {
            let (left, right) = (x(b.band.start_unix), x(b.band.end_unix));
            if right <= left {
                return None;
            }
            let state = if b.band.firing { "firing" } else { "pending" };
            Some(BandMark {
                alert: b.alert.clone(),
                state,
                from_unix: b.band.start_unix as i64,
                to_unix: b.band.end_unix as i64,
                style: format!(
                    "left:{}px;width:{}px",
                    left.round() as i64,
                    ((right - left).round() as i64).max(2)
                ),
                title: format!(
                    "{} {state} {}–{}",
                    b.alert,
                    axis_label(b.band.start_unix, utc_offset_secs, span),
                    axis_label(b.band.end_unix, utc_offset_secs, span)
                ),
            })
        })
        .collect()
}

/// The bands as markup for the chart's band layer (see `core::html`): each a `div` of its
/// state's class with the alert and its interval in `data-*`, and a strip naming it on hover.
pub fn bands_html(marks: &[BandMark]) -> String {
    let mut h = Html::new();
    for b in marks {
        let (from, to) = (b.from_unix.to_string(), b.to_unix.to_string());
        h.open(
            "div",
            &[
                ("class", Some(b.state)),
                ("data-alert", Some(&b.alert)),
                ("data-from", Some(&from)),
                ("data-to", Some(&to)),
                ("style", Some(&b.style)),
            ],
        );
        h.open("span", &[("title", Some(&b.title))]).close("span").close("div");
    }
    h.into_string()
}

/// The rules of every source as they come, each named by its source, and one sentence per
/// source that did not answer (`eu-west: …`); [`RuleGathering::finish`] is an error only when
/// no source answered (the first one's).
#[derive(Debug, Default)]
pub struct RuleGathering {
    rules: Vec<Rule>,
    unanswered: Vec<String>,
    first_error: Option<PromError>,
    /// Some source answered (maybe with no rules).
    answered: bool,
}

impl RuleGathering {
    /// What `source` answered.
    pub fn add(&mut self, source: &RuleSource, answer: Result<Vec<Rule>, PromError>) {
        match answer {
            Ok(found) => {
                self.answered = true;
                for mut rule in found {
                    rule.source.clone_from(&source.name);
                    self.rules.push(rule);
                }
            }
            Err(e) => {
                self.unanswered.push(format!("{}: {e}", source.name));
                self.first_error.get_or_insert(e);
            }
        }
    }

    /// The rules and the sentences of the sources that did not answer.
    pub fn finish(self) -> Result<(Vec<Rule>, Vec<String>), PromError> {
        match self.first_error {
            Some(e) if !self.answered => Err(e),
            _ => Ok((self.rules, self.unanswered)),
        }
    }
}

/// What one refresh brought for the alerts: the rules of every source, each rule's health
/// problems, the bands of the range, and the sources that did not answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Health {
    pub rules: Vec<Rule>,
    /// `problems[i]`: the sentences of [`rule_problems`] for `rules[i]` (empty: healthy or not
    /// checked yet).
    pub problems: Vec<Vec<String>>,
    /// Some selectors are still to be asked (see [`selectors_to_ask`]): a rule without a
    /// problem is not known healthy yet.
    pub checking: bool,
    pub bands: Vec<ChartBand>,
    /// One sentence per `alerts.sources` entry whose rules did not come (`eu-west: …`).
    pub unanswered: Vec<String>,
}

/// The alerts panel: the sources that did not answer, a summary line, then every rule in
/// [`display_order`] with its state, priority, source and group, since when, value, summary
/// and description (as text) and its health.
/// Why the backend asked for rules may have none: the query backend's own limit, when it is
/// the one asked (no `alerts.sources`) and which backend it is is known.
pub fn no_rules_reason(sources: &[RuleSource], backend: Option<Flavor>) -> Option<&'static str> {
    let only_the_query_backend = sources.iter().all(|s| s.name.is_empty());
    backend.filter(|_| only_the_query_backend).and_then(Flavor::no_rules)
}

/// The alerts panel's markup; `no_rules` is what to say when there are none (see
/// [`no_rules_reason`]), else the general advice.
pub fn alerts_html(
    health: &Health,
    overrides: &[(String, Priority)],
    now_unix: f64,
    utc_offset_secs: i64,
    no_rules: Option<&str>,
) -> String {
    let Health { rules, problems, checking, unanswered, .. } = health;
    let checking = *checking;
    let mut h = Html::new();
    for sentence in unanswered {
        h.elem("p", "notes", sentence);
    }
    if rules.is_empty() {
        h.elem(
            "p",
            "empty",
            no_rules.unwrap_or("The backend has no rules loaded. A Prometheus: list the guide's alert rules (with \
             the real metric names: deploy/prometheus/alerts.yml) under rule_files in \
             prometheus.yml. VictoriaMetrics, Mimir and Thanos Query serve rules only from their \
             rule evaluators (vmalert, the ruler, Thanos Rule): proxy this page's Prometheus to \
             one that answers /api/v1/rules."),
        );
        return h.into_string();
    }
    let count = |state: AlertState| rules.iter().filter(|r| rule_state(r) == state).count();
    let unhealthy = problems.iter().filter(|p| !p.is_empty()).count();
    let mut summary = format!(
        "{} firing, {} pending, {} inactive",
        count(AlertState::Firing),
        count(AlertState::Pending),
        count(AlertState::Inactive)
    );
    if unhealthy > 0 {
        summary.push_str(&format!(
            " · {unhealthy} rule{} with a health problem",
            if unhealthy == 1 { "" } else { "s" }
        ));
    }
    if checking {
        summary.push_str(" · checking rule health…");
    }
    h.elem("p", "summary", &summary);
    h.open_class("table", "alerts")
        .open("thead", &[])
        .open("tr", &[]);
    for head in ["State", "Priority", "Rule", "Since", "Value", "What"] {
        h.elem("th", "", head);
    }
    h.close("tr").close("thead").open("tbody", &[]);
    for i in display_order(rules, overrides) {
        let rule = &rules[i];
        let state = match (rule.kind, rule_state(rule)) {
            (RuleKind::Recording, _) => "recording",
            (_, AlertState::Firing) => "firing",
            (_, AlertState::Pending) => "pending",
            (_, AlertState::Inactive) => "inactive",
            (_, AlertState::Unknown) => "unknown",
        };
        let rule_problems = problems.get(i).map_or(&[][..], Vec::as_slice);
        let prio = priority(rule, overrides);
        let active = rule
            .alerts
            .iter()
            .filter(|a| matches!(a.state, AlertState::Firing | AlertState::Pending));
        let since = active
            .clone()
            .filter_map(|a| a.active_at_unix)
            .reduce(f64::min);
        let first = active.clone().next();
        let place = match rule.source.as_str() {
            "" => rule.group.clone(),
            source => format!("{source} · {}", rule.group),
        };
        h.open(
            "tr",
            &[
                ("class", Some(state)),
                ("data-rule", Some(&rule.name)),
                ("data-group", Some(&rule.group)),
                ("data-source", (!rule.source.is_empty()).then_some(&rule.source)),
                ("data-state", Some(state)),
                ("data-priority", Some(prio.label())),
                (
                    "data-health",
                    Some(match (rule_problems.is_empty(), checking) {
                        (false, _) => "problem",
                        (true, true) => "checking",
                        (true, false) => "ok",
                    }),
                ),
            ],
        )
        .elem("td", "state", state)
        .open("td", &[("title", Some(prio.meaning()))])
        .text(prio.label())
        .close("td")
        .open("td", &[])
        .text(&rule.name)
        .elem("small", "", &place)
        .close("td")
        .open("td", &[]);
        if let Some(t) = since {
            h.text(&format!(
                "{} ({})",
                axis_label(t, utc_offset_secs, 3_600.0),
                span_text(now_unix - t)
            ));
        }
        h.close("td").open_class("td", "num");
        if let Some(a) = first.filter(|a| a.value.is_finite()) {
            h.text(&significant(a.value));
        }
        h.close("td").open("td", &[]);
        let annotation = |key: &str, raw: &str| {
            first
                .and_then(|a| a.annotations.get(key))
                .map(|expanded| annotation_text(expanded))
                .unwrap_or_else(|| annotation_text(raw))
        };
        h.text(&annotation("summary", &rule.summary));
        let description = annotation("description", &rule.description);
        if !description.is_empty() {
            h.elem("p", "desc", &description);
        }
        for problem in rule_problems {
            h.elem("p", "health", problem);
        }
        h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    h.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_markup_escapes_the_alert_name() {
        let band = BandMark {
            alert: "<High>".to_owned(),
            state: "firing",
            from_unix: 100,
            to_unix: 200,
            style: "left:1px;width:2px".to_owned(),
            title: "<High> firing".to_owned(),
        };
        assert_eq!(
            bands_html(&[band]),
            "<div class=\"firing\" data-alert=\"&lt;High&gt;\" data-from=\"100\" data-to=\"200\" \
             style=\"left:1px;width:2px\"><span title=\"&lt;High&gt; firing\"></span></div>"
        );
    }
    use crate::core::prom::{decode_query_range, Alert, Point};

    fn rule(name: &str, severity: &str, state: AlertState) -> Rule {
        Rule {
            source: String::new(),
            group: "g".to_owned(),
            name: name.to_owned(),
            kind: RuleKind::Alerting,
            query: String::new(),
            for_secs: 0.0,
            severity: severity.to_owned(),
            summary: String::new(),
            description: String::new(),
            state,
            health: RuleHealth::Ok,
            last_error: None,
            alerts: Vec::new(),
        }
    }

    #[test]
    fn the_alerts_table_lists_firing_first_with_text_never_markup() {
        let mut firing = rule("HighErrorRate", "critical", AlertState::Firing);
        firing.summary = "High HTTP error rate".into();
        firing.description = "Error rate is {{ $value | humanizePercentage }}".into();
        let mut labels = crate::core::prom::Labels::new();
        labels.insert(
            "description".into(),
            "Error rate is 15% <script>x</script>".into(),
        );
        firing.alerts.push(Alert {
            state: AlertState::Firing,
            active_at_unix: Some(1_000.0),
            value: 0.15,
            annotations: labels,
            ..Alert::default()
        });
        let mut quiet = rule("HighLatency", "warning", AlertState::Inactive);
        quiet.description = "P95 latency is {{ $value }}s".into();
        let rules = [quiet, firing];
        let problems = [vec!["HighLatency selects no series".to_owned()], vec![]];
        let mut health = Health { rules: rules.to_vec(), problems: problems.to_vec(), ..Health::default() };
        let html = alerts_html(&health, &[], 1_000.0 + 720.0, 0, None);
        assert!(html.starts_with(
            "<p class=\"summary\">1 firing, 0 pending, 1 inactive · 1 rule with a health problem</p>"
        ));
        let firing_at = html.find("data-rule=\"HighErrorRate\"").unwrap();
        let quiet_at = html.find("data-rule=\"HighLatency\"").unwrap();
        assert!(firing_at < quiet_at, "firing first");
        // Active since 00:16:40 UTC, 12 min ago; the expanded description, escaped.
        assert!(html.contains("<td>00:16 (12 min)</td>"), "{html}");
        assert!(html.contains("<td class=\"num\">0.15</td>"), "{html}");
        assert!(html.contains("Error rate is 15% &lt;script&gt;"), "{html}");
        assert!(html.contains("P95 latency is …s"), "{html}");
        assert!(html.contains("data-health=\"problem\""));
        assert!(html.contains("<p class=\"health\">HighLatency selects no series</p>"));
        assert!(alerts_html(&Health::default(), &[], 0.0, 0, None).contains("no rules loaded"));
        // The query backend that cannot serve rules is named, not advised about in general.
        let backend = |name: &str| vec![RuleSource { name: name.into(), url: "prometheus".into() }];
        let reason = no_rules_reason(&backend(""), Some(Flavor::VictoriaMetrics));
        let empty = alerts_html(&Health::default(), &[], 0.0, 0, reason);
        assert!(empty.contains("Rules are not served by VictoriaMetrics without vmalert"), "{empty}");
        assert_eq!(no_rules_reason(&backend(""), Some(Flavor::Prometheus)), None);
        assert_eq!(no_rules_reason(&backend(""), None), None);
        // Rules asked from configured sources: the query backend's flavor is beside the point.
        assert_eq!(no_rules_reason(&backend("eu-west"), Some(Flavor::VictoriaMetrics)), None);
        // While selectors are still being asked, a rule without a problem is not called healthy.
        health.checking = true;
        let checking = alerts_html(&health, &[], 1_000.0 + 720.0, 0, None);
        assert!(checking.contains("1 rule with a health problem · checking rule health…"));
        assert!(
            checking.contains("data-health=\"checking\"")
                && !checking.contains("data-health=\"ok\"")
        );
        assert!(html.contains("data-health=\"ok\""));
        assert!(!html.contains("data-source") && html.contains("<small>g</small>"), "one source: no name");
    }

    /// Each source's rules carry its name; a source that failed is one sentence naming it,
    /// and only all failing is an error.
    #[test]
    fn the_sources_answers_are_gathered() {
        let source = |name: &str| RuleSource { name: name.into(), url: format!("prometheus-{name}") };
        let (eu, us) = (source("eu-west"), source("us-east"));
        let down = || PromError::unreachable("prometheus-us-east", "connection refused");
        let rules = vec![rule("HighErrorRate", "critical", AlertState::Inactive)];
        let gather = |answers: Vec<(&RuleSource, Result<Vec<Rule>, PromError>)>| {
            let mut g = RuleGathering::default();
            for (source, answer) in answers {
                g.add(source, answer);
            }
            g.finish()
        };
        let (gathered, unanswered) = gather(vec![(&eu, Ok(rules.clone())), (&us, Err(down()))]).unwrap();
        assert_eq!(gathered.len(), 1);
        assert_eq!(gathered[0].source, "eu-west");
        assert_eq!(unanswered.len(), 1);
        assert!(unanswered[0].starts_with("us-east: ") && unanswered[0].contains("prometheus-us-east"), "{unanswered:?}");
        assert_eq!(gather(vec![(&us, Err(down()))]).unwrap_err(), down());
        assert_eq!(gather(vec![(&eu, Ok(Vec::new()))]).unwrap(), (Vec::new(), Vec::new()));
    }

    /// With `alerts.sources`, each rule says where it is evaluated, and a source that did not
    /// answer is said first, escaped; the others' rules are still listed.
    #[test]
    fn rules_of_several_sources_name_theirs() {
        let mut eu = rule("HighErrorRate", "critical", AlertState::Inactive);
        eu.source = "eu-west".into();
        let health = Health {
            rules: vec![eu],
            problems: vec![vec![]],
            unanswered: vec!["us-<east>: HTTP 502 Bad Gateway".into()],
            ..Health::default()
        };
        let html = alerts_html(&health, &[], 0.0, 0, None);
        assert!(html.starts_with("<p class=\"notes\">us-&lt;east&gt;: HTTP 502 Bad Gateway</p>"), "{html}");
        assert!(html.contains("data-source=\"eu-west\""), "{html}");
        assert!(html.contains("<small>eu-west · g</small>"), "{html}");
    }

    #[test]
    fn bands_sit_on_their_charts_at_their_times() {
        let axis = TimeAxis {
            left_px: 50.0,
            right_px: 650.0,
            start_secs: 0.0,
            end_secs: 3_600.0,
        };
        let band = |start_unix: f64, end_unix: f64, firing: bool| AlertBand {
            start_unix,
            end_unix,
            firing,
        };
        let bands = [
            ChartBand {
                panels: vec!["error-rate"],
                alert: "HighErrorRate".into(),
                band: band(600.0, 1_200.0, true),
            },
            ChartBand {
                panels: vec!["latency"],
                alert: "HighLatency".into(),
                band: band(0.0, 60.0, false),
            },
            // Starts before the range: clipped to the plot's left edge.
            ChartBand {
                panels: vec!["error-rate"],
                alert: "<b>".into(),
                band: band(-600.0, 360.0, false),
            },
        ];
        let marks = band_marks(&bands, "error-rate", &axis, 0);
        assert_eq!(marks.len(), 2);
        // 600 s of 3,600 s over 600 px: 100 px from the left edge at 50 px, 100 px wide.
        assert_eq!(
            marks[0],
            BandMark {
                alert: "HighErrorRate".into(),
                state: "firing",
                from_unix: 600,
                to_unix: 1_200,
                style: "left:150px;width:100px".into(),
                title: "HighErrorRate firing 00:10–00:20".into(),
            }
        );
        // Text, not markup: the page escapes it when it sets it.
        assert_eq!(marks[1].alert, "<b>");
        assert_eq!(marks[1].style, "left:50px;width:60px");
        assert!(band_marks(&bands, "memory", &axis, 0).is_empty());
    }

    #[test]
    fn priorities_follow_the_guide_then_severity_then_config() {
        let check = |name: &str, severity: &str, expected: Priority| {
            assert_eq!(
                default_priority(name, severity),
                expected,
                "{name} {severity}"
            )
        };
        check("ServiceDown", "critical", Priority::P1);
        check("HighErrorRate", "critical", Priority::P1);
        check("HighMemoryUsage", "warning", Priority::P2);
        check("HighAuthFailureRate", "warning", Priority::P2);
        check("HighLatency", "warning", Priority::P3);
        check("HighLatency", "critical", Priority::P3);
        check("DiskFull", "critical", Priority::P1);
        check("Watchdog", "warning", Priority::P2);
        check("Other", "page", Priority::P3);
        check("Other", "", Priority::P3);
        let overrides = vec![("HighLatency".to_owned(), Priority::P2)];
        assert_eq!(
            priority(
                &rule("HighLatency", "warning", AlertState::Inactive),
                &overrides
            ),
            Priority::P2
        );
        assert_eq!(
            priority(&rule("ServiceDown", "", AlertState::Inactive), &overrides),
            Priority::P1
        );
    }

    #[test]
    fn priority_overrides_are_read_and_bad_ones_named() {
        let read = |json: &str| read_priorities(&serde_json::from_str(json).unwrap());
        assert_eq!(
            read(r#"{"priorities": {"HighLatency": "P2", "Watchdog": "P3"}}"#),
            Ok(vec![
                ("HighLatency".to_owned(), Priority::P2),
                ("Watchdog".to_owned(), Priority::P3)
            ])
        );
        assert_eq!(read("{}"), Ok(vec![]));
        assert_eq!(read(r#"{"priorities": null}"#), Ok(vec![]));
        let err = |field: &str, problem: &str| Err((field.to_owned(), problem.to_owned()));
        assert_eq!(
            read(r#"{"priorities": {"X": "P4"}}"#),
            err("alerts.priorities.X", "`P4` is not P1, P2 or P3")
        );
        assert_eq!(
            read(r#"{"priorities": {"X": 1}}"#),
            err(
                "alerts.priorities.X",
                r#"is a number, not "P1", "P2" or "P3""#
            )
        );
        assert_eq!(
            read(r#"{"priorities": []}"#),
            err("alerts", "`priorities` is a list, not an object")
        );
        assert_eq!(
            read(r#"{"priority": {}}"#),
            err(
                "alerts",
                "unknown field `priority`, expected one of `priorities`, `sources`"
            )
        );
    }

    #[test]
    fn firing_comes_first_then_pending_then_priority_then_name() {
        let mut old_server_firing = rule("Zeta", "", AlertState::Unknown);
        old_server_firing.alerts.push(Alert {
            state: AlertState::Firing,
            ..Alert::default()
        });
        let mut recording = rule("job:x:sum", "", AlertState::Unknown);
        recording.kind = RuleKind::Recording;
        let rules = vec![
            recording,
            rule("HighLatency", "warning", AlertState::Inactive),
            rule("ServiceDown", "critical", AlertState::Inactive),
            rule("HighLatency", "warning", AlertState::Firing),
            rule("HighMemoryUsage", "warning", AlertState::Pending),
            rule("HighErrorRate", "critical", AlertState::Firing),
            old_server_firing,
            rule("AInfo", "info", AlertState::Inactive),
        ];
        let names: Vec<(&str, AlertState)> = display_order(&rules, &[])
            .into_iter()
            .map(|i| (rules[i].name.as_str(), rule_state(&rules[i])))
            .collect();
        use AlertState::*;
        assert_eq!(
            names,
            [
                ("HighErrorRate", Firing),
                ("HighLatency", Firing),
                ("Zeta", Firing),
                ("HighMemoryUsage", Pending),
                ("ServiceDown", Inactive),
                ("AInfo", Inactive),
                ("HighLatency", Inactive),
                ("job:x:sum", Unknown),
            ]
        );
    }

    #[test]
    fn annotations_lose_their_templates_and_keep_markup_as_text() {
        let check = |raw: &str, expected: &str| assert_eq!(annotation_text(raw), expected, "{raw}");
        check(
            "Error rate is {{ $value | humanizePercentage }} over the last 5 minutes",
            "Error rate is … over the last 5 minutes",
        );
        check("P95 latency is {{ $value }}s", "P95 latency is …s");
        check("  a\n\tb  ", "a b");
        check("{{ $labels.instance }} down: {{$value}}", "… down: …");
        check(
            "<script>alert(1)</script> {{ $value }}",
            "<script>alert(1)</script> …",
        );
        check("unclosed {{ $value", "unclosed {{ $value");
        check("", "");
    }

    fn check_selectors(expr: &str, expected: &[&str]) {
        assert_eq!(selectors(expr), expected, "{expr}");
    }

    #[test]
    fn selectors_of_the_demo_and_guide_rules() {
        let rules = include_str!("../../deploy/prometheus/alerts.yml");
        let guide = include_str!("../../../shared/reference/arrwdb-monitoring-guide.md");
        // The demo's rules: every `expr`, block or inline.
        let mut exprs: Vec<String> = Vec::new();
        let mut lines = rules.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(rest) = line.trim().strip_prefix("expr:") else {
                continue;
            };
            if rest.trim() == "|" {
                let mut block = String::new();
                while lines.peek().is_some_and(|l| l.starts_with("          ")) {
                    block.push_str(lines.next().unwrap());
                    block.push('\n');
                }
                exprs.push(block);
            } else {
                exprs.push(rest.trim().to_owned());
            }
        }
        let r = "arrwdb_http_http_requests_total";
        let expected: [&[&str]; 5] = [
            &[&format!(r#"{r}{{status=~"5.."}}"#), r],
            &["arrwdb_http_http_request_duration_seconds_bucket"],
            &["arrwdb_memory_usage_bytes"],
            &[r#"arrwdb_api_key_validations_total{status!="valid"}"#],
            &[r#"up{job="arrwdb"}"#],
        ];
        assert_eq!(exprs.len(), expected.len());
        for (expr, expected) in exprs.iter().zip(expected) {
            check_selectors(expr, expected);
        }
        // The guide's rules and SLIs spell the metrics its own way.
        assert!(guide.contains(r#"sum(rate(arrwdb_http_requests_total{status!~"5.."}[30d]))"#));
        check_selectors(
            r#"sum(rate(arrwdb_http_requests_total{status=~"5.."}[5m])) / sum(rate(arrwdb_http_requests_total[5m]))"#,
            &[
                r#"arrwdb_http_requests_total{status=~"5.."}"#,
                "arrwdb_http_requests_total",
            ],
        );
        check_selectors(
            "histogram_quantile(0.95,\n  sum(rate(arrwdb_http_request_duration_seconds_bucket[5m])) by (le)\n)",
            &["arrwdb_http_request_duration_seconds_bucket"],
        );
        check_selectors(
            "arrwdb_memory_usage_bytes / (16 * 1024^3) > 0.9",
            &["arrwdb_memory_usage_bytes"],
        );
        check_selectors(r#"up{job="arrwdb"} == 0"#, &[r#"up{job="arrwdb"}"#]);
    }

    #[test]
    fn selectors_of_tricky_expressions() {
        check_selectors(
            r#"m{path="/a{b}", x=")"} > 1"#,
            &[r#"m{path="/a{b}", x=")"}"#],
        );
        check_selectors("rate(m[5m] offset 5m) and on (instance) n", &["m", "n"]);
        check_selectors("max_over_time(rate(m[5m])[1h:5m])", &["m"]);
        check_selectors(
            "sum by (job, le) ((a + (b)) * on(x) group_left(y) c)",
            &["a", "b", "c"],
        );
        check_selectors(
            "job:request_latency_seconds:mean5m{job=\"myjob\"} > 0.5",
            &["job:request_latency_seconds:mean5m{job=\"myjob\"}"],
        );
        check_selectors(
            r#"{__name__=~"arrwdb_.+"} unless ignoring(a) b"#,
            &[r#"{__name__=~"arrwdb_.+"}"#, "b"],
        );
        check_selectors(
            "SUM BY (le) (x) > bool 1e3 OR vector(1) # a comment with y",
            &["x"],
        );
        check_selectors("count_values(\"v\", m) / 0x1F + time() - Inf + NaN", &["m"]);
        check_selectors("m @ start() offset -1h30m", &["m"]);
        check_selectors("sum (\n  m\n) by\n (le)", &["m"]);
        check_selectors("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", &["up"]);
        check_selectors("vector(1)", &[]);
        check_selectors("m{a=\"unclosed", &["m{a=\"unclosed"]);
    }

    #[test]
    fn rule_health_asks_each_selector_of_the_alerting_rules_once() {
        let mut errors = rule("HighErrorRate", "critical", AlertState::Inactive);
        errors.query = r#"sum(rate(x{status=~"5.."}[5m])) / sum(rate(x[5m])) > 0.05"#.to_owned();
        let mut same = rule("HighErrorRate", "critical", AlertState::Inactive);
        same.query = errors.query.clone();
        let mut recording = rule("rec", "", AlertState::Inactive);
        recording.kind = RuleKind::Recording;
        recording.query = "sum(y)".to_owned();
        let rules = [errors, same, recording];
        assert_eq!(selectors_to_ask(&rules, &[]), [r#"x{status=~"5.."}"#, "x"]);
        let counted = [("x".to_owned(), 0)];
        assert_eq!(selectors_to_ask(&rules, &counted), [r#"x{status=~"5.."}"#]);
    }

    #[test]
    fn rule_health_names_the_missing_metric_and_what_exists() {
        let names: Vec<String> = [
            "arrwdb_http_http_requests_total",
            "up",
            "other_requests_total",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut errors = rule("HighErrorRate", "critical", AlertState::Inactive);
        errors.query = r#"sum(rate(arrwdb_http_requests_total{status=~"5.."}[5m])) / sum(rate(arrwdb_http_requests_total[5m])) > 0.05"#.to_owned();
        let counts: Vec<(String, usize)> = selectors(&errors.query)
            .into_iter()
            .map(|s| (s, 0))
            .collect();
        // Both selectors name the missing metric: one sentence. `other_requests_total` ends
        // alike but shares less of the name.
        let want = "HighErrorRate selects no series: `arrwdb_http_requests_total` does not exist; \
                    `arrwdb_http_http_requests_total` does";
        assert_eq!(rule_problems(&errors, &counts, &names), [want]);
        let one = vec!["arrwdb_http_http_requests_total".to_owned()];
        assert_eq!(
            rule_problems(&errors, &counts[1..], &one),
            ["HighErrorRate selects no series: `arrwdb_http_requests_total` does not exist; `arrwdb_http_http_requests_total` does"]
        );
        let mut down = rule("ServiceDown", "critical", AlertState::Inactive);
        down.query = r#"up{job="arrwdb"} == 0"#.to_owned();
        let sel = r#"up{job="arrwdb"}"#.to_owned();
        assert_eq!(
            rule_problems(&down, &[(sel.clone(), 0)], &names),
            ["ServiceDown: `up{job=\"arrwdb\"}` matches no series: the metric exists but not with these labels"]
        );
        assert_eq!(
            rule_problems(&down, &[(sel.clone(), 0)], &[]),
            ["ServiceDown: `up{job=\"arrwdb\"}` matches no series"]
        );
        assert!(rule_problems(&down, &[(sel.clone(), 2)], &names).is_empty());
        // A selector of another rule is not this rule's problem.
        assert!(rule_problems(&down, &[("other".to_owned(), 0)], &names).is_empty());
        let mut gone = rule("Gone", "", AlertState::Inactive);
        gone.query = "zzz > 1".to_owned();
        assert_eq!(
            rule_problems(&gone, &[("zzz".to_owned(), 0)], &names),
            ["Gone selects no series: `zzz` does not exist; nothing similar does"]
        );
        down.health = RuleHealth::Err;
        down.last_error = Some("vector contains metrics with the same labelset".to_owned());
        assert_eq!(
            rule_problems(&down, &[(sel, 1)], &names),
            ["Prometheus could not evaluate ServiceDown: vector contains metrics with the same labelset"]
        );
        down.health = RuleHealth::Unknown;
        assert_eq!(
            rule_problems(&down, &[], &names),
            ["Prometheus has not evaluated ServiceDown yet"]
        );
    }

    fn series(alertname: &str, state: &str, times: &[f64]) -> Series {
        Series {
            labels: [("alertname", alertname), ("alertstate", state)]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: times
                .iter()
                .map(|&t_secs| Point { t_secs, value: 1.0 })
                .collect(),
            histograms: Vec::new(),
        }
    }

    fn band(start_unix: f64, end_unix: f64, firing: bool) -> AlertBand {
        AlertBand {
            start_unix,
            end_unix,
            firing,
        }
    }

    #[test]
    fn bands_join_samples_a_step_apart_and_firing_wins() {
        // Range 0..1000 at a 60 s step. HighLatency pending 120..240 (samples at 120, 180),
        // firing from 240 on (samples 240..=420, so until 480); again pending at 900 (until 960).
        let answer = vec![
            series("HighLatency", "pending", &[120.0, 180.0, 900.0]),
            series("HighLatency", "firing", &[240.0, 300.0, 360.0, 420.0]),
            // Another label set of the same rule pending while the first fires: firing wins.
            series("HighLatency", "pending", &[300.0, 360.0, 420.0, 480.0]),
            // A gap of two steps splits; the last band is clipped to the range.
            series("ServiceDown", "firing", &[0.0, 60.0, 180.0, 960.0]),
            series("Empty", "firing", &[]),
        ];
        let bands = alert_bands(&answer, 0.0, 1000.0, 60.0);
        assert_eq!(bands.len(), 3);
        assert_eq!(
            bands[0],
            AlertBands {
                alert: "Empty".to_owned(),
                bands: vec![]
            }
        );
        assert_eq!(
            bands[1].bands,
            [
                band(120.0, 240.0, false),
                band(240.0, 480.0, true),
                band(480.0, 540.0, false),
                band(900.0, 960.0, false)
            ]
        );
        assert_eq!(
            bands[2].bands,
            [
                band(0.0, 120.0, true),
                band(180.0, 240.0, true),
                band(960.0, 1000.0, true)
            ]
        );
    }

    #[test]
    fn bands_from_a_prometheus_answer_with_millisecond_times() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"ALERTS","alertname":"HighErrorRate","alertstate":"firing","severity":"critical"},
             "values":[[1435781430.781,"1"],[1435781445.781,"1"],[1435781460.781,"1"]]}]}}"#;
        let series = decode_query_range(200, body).unwrap().data;
        let bands = alert_bands(&series, 1435781400.0, 1435781500.0, 15.0);
        assert_eq!(bands[0].bands, [band(1435781430.781, 1435781475.781, true)]);
        // No alert in the range is an empty answer, and no bands.
        assert!(alert_bands(&[], 0.0, 1.0, 1.0).is_empty());
        assert_eq!(ALERTS_QUERY, r#"ALERTS{alertstate=~"pending|firing"}"#);
    }

    #[test]
    fn alerts_are_drawn_on_the_panels_of_what_they_watch() {
        let names = MetricNames::assumed();
        assert_eq!(alert_panels("HighErrorRate", "", &names), ["error-rate"]);
        assert_eq!(alert_panels("HighLatency", "", &names), ["latency"]);
        assert_eq!(alert_panels("HighMemoryUsage", "", &names), ["memory"]);
        assert_eq!(
            alert_panels("HighAuthFailureRate", "", &names),
            ["api-keys"]
        );
        assert_eq!(alert_panels("ServiceDown", "", &names).len(), PANELS.len());
        assert_eq!(
            alert_panels(
                "DiskAlmostFull",
                "max(arrwdb_disk_usage_percent) > 85 or arrwdb_cpu_usage_percent > 80",
                &names
            ),
            // In page order.
            ["cpu", "disk"]
        );
        assert_eq!(
            alert_panels(
                "Guide5xx",
                "sum(rate(arrwdb_http_requests_total{status=~\"5..\"}[5m])) > 1",
                &names
            ),
            ["request-rate", "error-rate", "errors-by-handler"]
        );
        assert!(alert_panels("Watchdog", "vector(1)", &names).is_empty());
    }
}
