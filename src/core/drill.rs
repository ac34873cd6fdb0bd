//! The traces drill-down: which Jaeger searches answer "the traces of this window", and which of
//! the traces they return make the list.
//!
//! Jaeger matches every search condition (service, operation, attributes, duration) on one and
//! the same span. So `error=true` finds a trace only through the span that carries the error,
//! and `error=true` together with an operation finds only traces whose *named* span failed: an
//! error deep in a child (`vector_search` failing under `POST …/search`) is missed. The errors
//! view therefore runs two searches, the target's traces and the service's error traces, and
//! keeps, from their union, the traces with an error span anywhere whose root is the target.

use crate::core::jaeger::{operation_to_handler, SearchParams, Span, Trace, TraceSummary};
use crate::core::html::Html;
use crate::core::time::civil_time;
use crate::core::waterfall;
use crate::core::units::{format_value, Unit};

/// Which traces of the window the list shows (`?traces=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceFilter {
    /// Traces with an error span anywhere (the default: a drill-down starts at an error spike).
    #[default]
    Errors,
    /// Every trace, newest first.
    All,
    /// Traces at least [`SLOW_MIN_DURATION_US`] long, slowest first.
    Slow,
}

impl TraceFilter {
    pub const ALL: [TraceFilter; 3] = [TraceFilter::Errors, TraceFilter::All, TraceFilter::Slow];

    pub fn as_str(self) -> &'static str {
        match self {
            TraceFilter::Errors => "errors",
            TraceFilter::All => "all",
            TraceFilter::Slow => "slow",
        }
    }

    /// The filter in words, as the list's chooser and title show it.
    pub fn label(self) -> String {
        match self {
            TraceFilter::Errors => "traces with errors".to_owned(),
            TraceFilter::All => "all traces".to_owned(),
            TraceFilter::Slow => {
                format!("traces of {} or more", duration_text(SLOW_MIN_DURATION_US))
            }
        }
    }

    pub fn parse(text: &str) -> Option<TraceFilter> {
        TraceFilter::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// "Slow" is the latency SLO's p95 bound: 500 ms.
pub const SLOW_MIN_DURATION_US: i64 = 500_000;
/// The most traces one search asks for.
pub const SEARCH_LIMIT: u32 = 200;
/// The most rows the list shows.
pub const MAX_ROWS: usize = 100;

/// What the drill-down is narrowed to, from its `op` text: an operation (`POST /v1/…`, the
/// server span's name), a route (`/v1/…`, a Prometheus `handler` label, whatever the method),
/// or the whole service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Service,
    Operation(String),
    Route(String),
}

impl Target {
    pub fn parse(op: Option<&str>) -> Target {
        match op.map(str::trim).filter(|o| !o.is_empty()) {
            None => Target::Service,
            Some(route) if route.starts_with('/') => Target::Route(route.to_owned()),
            Some(op) => Target::Operation(op.to_owned()),
        }
    }

    /// What a Jaeger search for this target asks: the operation, and the tags (a route is the
    /// `http.route` attribute; `errors_only` adds Jaeger's `error=true`).
    pub fn search_terms(&self, errors_only: bool) -> (Option<&str>, Vec<(String, String)>) {
        let (operation, mut tags) = match self {
            Target::Operation(o) => (Some(o.as_str()), Vec::new()),
            Target::Route(r) => (None, vec![("http.route".to_owned(), r.clone())]),
            Target::Service => (None, Vec::new()),
        };
        if errors_only {
            tags.push(("error".to_owned(), "true".to_owned()));
        }
        (operation, tags)
    }

    /// Whether a trace's root span is the target.
    fn matches(&self, trace: &Trace) -> bool {
        let Some(root) = trace.root() else {
            return matches!(self, Target::Service);
        };
        match self {
            Target::Service => true,
            Target::Operation(op) => root.operation == *op,
            Target::Route(route) => {
                root.attribute("http.route")
                    .and_then(|v| v.as_str())
                    .is_some_and(|r| r == route)
                    || operation_to_handler(&root.operation).is_some_and(|(_, r)| r == *route)
            }
        }
    }
}

/// The replica a drill-down's searches are narrowed to: the resource attribute its spans carry
/// (`jaeger.instance_attribute`, `service.instance.id` by default) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaTag {
    pub key: String,
    pub value: String,
}

impl ReplicaTag {
    /// The replica the page is narrowed to, when exactly one is chosen (a search cannot ask
    /// for one of several values).
    pub fn of_scope(key: &str, instances: &[String]) -> Option<ReplicaTag> {
        match instances {
            [only] => Some(ReplicaTag { key: key.to_owned(), value: only.clone() }),
            _ => None,
        }
    }

    fn add_to(replica: Option<&ReplicaTag>, tags: &mut Vec<(String, String)>) {
        if let Some(r) = replica {
            tags.push((r.key.clone(), r.value.clone()));
        }
    }
}

/// The narrowing of a drill-down started on a chart: the series shown alone when the panel's
/// series are per handler (`method handler` names are operations, `handler` names routes),
/// else the dashboard's handler filter, else none.
pub fn narrowing(
    legend_labels: &[&str],
    isolated_series: Option<&str>,
    handler_filter: Option<&str>,
) -> Option<String> {
    let per_handler = legend_labels.contains(&"handler");
    let from_series = isolated_series.filter(|name| {
        per_handler && (name.starts_with('/') || operation_to_handler(name).is_some())
    });
    from_series.or(handler_filter).map(str::to_owned)
}

/// A dot of the trace scatter on the latency chart: a trace at its start and duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub trace_id: String,
    pub t_secs: f64,
    pub duration_secs: f64,
    /// Any span of the trace is an error (never known for an exemplar).
    pub error: bool,
    /// From a Prometheus exemplar rather than a Jaeger search.
    pub exemplar: bool,
}

/// The scatter searches each of this many equal slices of the range: Jaeger returns the newest
/// traces of a search, so one search over the whole range would put every dot at its end.
pub const SCATTER_SLICES: i64 = 6;
/// The most traces of one scatter search.
pub const SCATTER_LIMIT: u32 = 30;

/// The Jaeger searches behind the scatter of `[start_us, end_us]`: in each of
/// [`SCATTER_SLICES`] slices, the service's error traces and its slow ones (at least
/// [`SLOW_MIN_DURATION_US`]), the newest [`SCATTER_LIMIT`] of each. A busy service has far more
/// traces than a chart can show or Jaeger return; these are the ones a latency chart is read
/// for, spread over the range.
pub fn scatter_searches(service: &str, replica: Option<&ReplicaTag>, start_us: i64, end_us: i64) -> Vec<SearchParams> {
    let span_us = (end_us - start_us).max(SCATTER_SLICES);
    (0..SCATTER_SLICES)
        .flat_map(|i| {
            let slice_start_us = start_us + span_us * i / SCATTER_SLICES;
            let slice_end_us = start_us + span_us * (i + 1) / SCATTER_SLICES;
            scatter_pair(service, replica, slice_start_us, slice_end_us)
        })
        .collect()
}

/// The scatter's two searches of `[start_us, end_us]`: the error traces, then the slow ones.
fn scatter_pair(service: &str, replica: Option<&ReplicaTag>, start_us: i64, end_us: i64) -> [SearchParams; 2] {
    let any = SearchParams {
        service: service.to_owned(),
        start_us,
        end_us,
        limit: SCATTER_LIMIT,
        ..SearchParams::default()
    };
    let mut pair = [
        SearchParams {
            tags: vec![("error".to_owned(), "true".to_owned())],
            ..any.clone()
        },
        SearchParams {
            min_duration_us: Some(SLOW_MIN_DURATION_US),
            ..any
        },
    ];
    for search in &mut pair {
        ReplicaTag::add_to(replica, &mut search.tags);
    }
    pair
}

/// The dots of the searches' answers, each trace once.
pub fn trace_dots(answers: &[Vec<Trace>]) -> Vec<Dot> {
    let mut seen = std::collections::HashSet::new();
    answers
        .iter()
        .flatten()
        .filter(|t| seen.insert(t.trace_id.as_str()))
        .map(|t| {
            let s = t.summary();
            Dot {
                trace_id: s.trace_id,
                t_secs: s.start_us as f64 / 1e6,
                duration_secs: s.duration_us as f64 / 1e6,
                error: s.error_span_count > 0,
                exemplar: false,
            }
        })
        .collect()
}

/// How much of what it already has the scatter asks again with the next tail: Jaeger lists a
/// trace only once its spans are stored, a few seconds after the request ended.
pub const SCATTER_SETTLE_US: i64 = 60_000_000;

/// The trace scatter across refreshes. A refresh that only moves the range forward (same
/// length, same replica) asks Jaeger for the new tail only, two searches (errors, slow) from a
/// little before the end of what it has ([`SCATTER_SETTLE_US`]); anything else (another range
/// length, a zoom, another replica) asks the whole [`scatter_searches`] plan again. The dots
/// kept are those in the range, at most [`SCATTER_LIMIT`] errors and as many slow ones (the
/// newest) in each of [`SCATTER_SLICES`] slices of it: what a whole plan would show, so the
/// memory does not grow with the refreshes.
#[derive(Debug, Clone, Default)]
pub struct Scatter {
    /// The replica and range length (µs) the dots are of; `None` before the first answer.
    of: Option<(Option<ReplicaTag>, i64)>,
    /// The span of time searched, in Unix microseconds.
    covered_us: (i64, i64),
    dots: Vec<Dot>,
}

impl Scatter {
    /// Whether `[start_us, end_us]` of `replica` continues what the scatter has.
    fn continues(&self, replica: Option<&ReplicaTag>, start_us: i64, end_us: i64) -> bool {
        let (from_us, to_us) = self.covered_us;
        self.of.as_ref().is_some_and(|(r, len_us)| r.as_ref() == replica && *len_us == end_us - start_us)
            && (from_us..=to_us).contains(&start_us)
    }

    /// The searches that bring the scatter to `[start_us, end_us]`: none when it has it all.
    pub fn searches(&self, service: &str, replica: Option<&ReplicaTag>, start_us: i64, end_us: i64) -> Vec<SearchParams> {
        if !self.continues(replica, start_us, end_us) {
            return scatter_searches(service, replica, start_us, end_us);
        }
        if end_us <= self.covered_us.1 {
            return Vec::new();
        }
        let tail_start_us = (self.covered_us.1 - SCATTER_SETTLE_US).max(start_us);
        scatter_pair(service, replica, tail_start_us, end_us).into()
    }

    /// Takes the answers to [`Scatter::searches`] of the same arguments.
    pub fn add(&mut self, replica: Option<&ReplicaTag>, start_us: i64, end_us: i64, answers: &[Vec<Trace>]) {
        if !self.continues(replica, start_us, end_us) {
            self.dots.clear();
            self.covered_us.1 = end_us;
        }
        self.of = Some((replica.cloned(), end_us - start_us));
        self.covered_us = (start_us, self.covered_us.1.max(end_us));
        // A trace found again replaces the older dot (it may have more spans by now).
        let found = trace_dots(answers);
        self.dots.retain(|d| !found.iter().any(|f| f.trace_id == d.trace_id));
        self.dots.extend(found);
        self.dots.sort_by(|a, b| b.t_secs.total_cmp(&a.t_secs));
        let slice_us = ((end_us - start_us) / SCATTER_SLICES).max(1);
        let mut kept = [[0u32; 2]; SCATTER_SLICES as usize];
        self.dots.retain(|d| {
            let t_us = (d.t_secs * 1e6) as i64;
            let Some(slice) = kept.get_mut(((t_us - start_us) / slice_us) as usize).filter(|_| t_us >= start_us) else {
                return false;
            };
            let mut keep = false;
            for (count, is) in slice.iter_mut().zip([d.error, d.duration_secs * 1e6 >= SLOW_MIN_DURATION_US as f64]) {
                if is && *count < SCATTER_LIMIT {
                    *count += 1;
                    keep = true;
                }
            }
            keep
        });
    }

    /// The dots, newest first.
    pub fn dots(&self) -> &[Dot] {
        &self.dots
    }
}

/// The dots of Prometheus exemplars of a latency histogram (values in seconds): those with a
/// hex trace id in a `trace_id`, `traceID` or `trace-id` label, each trace once. An exemplar
/// marks the end of its request, so its dot starts one duration earlier.
pub fn exemplar_dots(series: &[crate::core::prom::ExemplarSeries]) -> Vec<Dot> {
    let mut seen = std::collections::HashSet::new();
    series
        .iter()
        .flat_map(|s| &s.exemplars)
        .filter_map(|e| {
            let id = ["trace_id", "traceID", "trace-id"]
                .iter()
                .find_map(|k| e.labels.get(k))
                .and_then(|id| crate::core::links::hex_id(id))?;
            (e.value.is_finite() && e.t_secs.is_finite() && seen.insert(id.to_ascii_lowercase()))
                .then(|| Dot {
                    trace_id: id.to_ascii_lowercase(),
                    t_secs: e.t_secs - e.value.max(0.0),
                    duration_secs: e.value,
                    error: false,
                    exemplar: true,
                })
        })
        .collect()
}

/// A dot's tooltip.
pub fn dot_title(dot: &Dot, utc_offset_secs: i64) -> String {
    format!(
        "{}{} at {}, trace {}{}. Click to open it.",
        if dot.exemplar { "Exemplar: " } else { "" },
        duration_text((dot.duration_secs * 1e6).round() as i64),
        clock_ms((dot.t_secs * 1e6).round() as i64, utc_offset_secs),
        dot.trace_id,
        if dot.error { ", with errors" } else { "" },
    )
}

/// The Jaeger searches that answer a drill-down of `[start_us, end_us]`, each narrowed to
/// `replica` when there is one.
pub fn searches(
    service: &str,
    filter: TraceFilter,
    target: &Target,
    replica: Option<&ReplicaTag>,
    start_us: i64,
    end_us: i64,
) -> Vec<SearchParams> {
    let any = SearchParams {
        service: service.to_owned(),
        start_us,
        end_us,
        limit: SEARCH_LIMIT,
        ..SearchParams::default()
    };
    let mut any = any;
    ReplicaTag::add_to(replica, &mut any.tags);
    let mut narrowed = any.clone();
    match target {
        Target::Service => {}
        Target::Operation(op) => narrowed.operation = Some(op.clone()),
        Target::Route(route) => narrowed.tags.push(("http.route".to_owned(), route.clone())),
    }
    match filter {
        TraceFilter::All => vec![narrowed],
        TraceFilter::Slow => vec![SearchParams {
            min_duration_us: Some(SLOW_MIN_DURATION_US),
            ..narrowed
        }],
        TraceFilter::Errors => {
            let mut errors_anywhere = any;
            errors_anywhere.tags.push(("error".to_owned(), "true".to_owned()));
            vec![narrowed, errors_anywhere]
        }
    }
}

/// The drill-down's heading for a window: its times (to the millisecond, local), what it is
/// narrowed to (`op`, else the service; the replica) and the list filter.
pub fn window_title(
    from_secs: i64,
    to_secs: i64,
    utc_offset_secs: i64,
    op: Option<&str>,
    service: &str,
    replica: Option<&ReplicaTag>,
    filter: TraceFilter,
) -> String {
    format!(
        "{} – {} · {}{} · {}",
        clock_ms(from_secs * 1_000_000, utc_offset_secs),
        clock_ms(to_secs * 1_000_000, utc_offset_secs),
        op.unwrap_or(service),
        replica.map(|r| format!(" on {}", r.value)).unwrap_or_default(),
        filter.label()
    )
}

/// The Jaeger UI search that shows the same traces as the drill-down's window (none without a
/// Jaeger UI in the configuration).
pub fn window_search_link(
    links: &crate::core::links::LinkConfig,
    service: &str,
    filter: TraceFilter,
    target: &Target,
    replica: Option<&ReplicaTag>,
    from_secs: i64,
    to_secs: i64,
) -> Option<String> {
    let (operation, mut tags) = target.search_terms(filter == TraceFilter::Errors);
    ReplicaTag::add_to(replica, &mut tags);
    crate::core::links::jaeger_search_link(
        links,
        service,
        operation,
        from_secs * 1_000_000,
        to_secs * 1_000_000,
        SEARCH_LIMIT,
        &tags,
    )
}

/// The list: the union of the searches' answers (each trace once), narrowed to `target`,
/// filtered by `filter`, newest first (slowest first for [`TraceFilter::Slow`]), at most
/// [`MAX_ROWS`]. Also answers how many traces matched before the cut.
pub fn select(
    filter: TraceFilter,
    target: &Target,
    answers: &[Vec<Trace>],
) -> (Vec<TraceSummary>, usize) {
    let mut seen = std::collections::HashSet::new();
    let mut rows: Vec<TraceSummary> = answers
        .iter()
        .flatten()
        .filter(|t| seen.insert(t.trace_id.as_str()))
        .filter(|t| target.matches(t))
        .map(Trace::summary)
        .filter(|s| match filter {
            TraceFilter::Errors => s.has_errors(),
            TraceFilter::All => true,
            TraceFilter::Slow => s.duration_us >= SLOW_MIN_DURATION_US,
        })
        .collect();
    // Ties by id.
    crate::core::order::sort_by(&mut rows, |a, b| {
        let key = |s: &TraceSummary| match filter {
            TraceFilter::Slow => s.duration_us,
            _ => s.start_us,
        };
        key(b)
            .cmp(&key(a))
            .then_with(|| a.trace_id.cmp(&b.trace_id))
    });
    let matched = rows.len();
    rows.truncate(MAX_ROWS);
    (rows, matched)
}

/// What the list says instead of or above its rows: `None` when it shows every match.
pub fn list_note(filter: TraceFilter, shown: usize, matched: usize) -> Option<String> {
    let what = match filter {
        TraceFilter::All => "traces".to_owned(),
        other => other.label(),
    };
    if shown == 0 {
        return Some(format!("No {what} in this window."));
    }
    if matched <= shown {
        return None;
    }
    let order = match filter {
        TraceFilter::Slow => "slowest",
        _ => "newest",
    };
    // Jaeger stops each search at its limit: there may be more than it returned.
    let at_least = if matched >= SEARCH_LIMIT as usize {
        "at least "
    } else {
        ""
    };
    Some(format!(
        "The {order} {shown} of {at_least}{matched} {what}: narrow the window to see the others."
    ))
}

/// A trace's line in the list: start (local `HH:MM:SS.mmm`), root operation, duration, spans,
/// error spans, HTTP status (`–` when none).
pub fn row_cells(s: &TraceSummary, utc_offset_secs: i64) -> [String; 6] {
    [
        clock_ms(s.start_us, utc_offset_secs),
        if s.root_operation.is_empty() {
            "(no root span)".to_owned()
        } else {
            s.root_operation.clone()
        },
        duration_text(s.duration_us),
        s.span_count.to_string(),
        s.error_span_count.to_string(),
        s.http_status
            .map_or_else(|| "–".to_owned(), |c| c.to_string()),
    ]
}

/// `HH:MM:SS.mmm` of a Unix time in microseconds.
pub fn clock_ms(t_us: i64, utc_offset_secs: i64) -> String {
    let c = civil_time(t_us.div_euclid(1_000_000) as f64, utc_offset_secs);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        c.hour,
        c.minute,
        c.second,
        t_us.rem_euclid(1_000_000) / 1_000
    )
}

/// A duration in microseconds as `850 µs`, `12.3 ms` or `1.25 s`.
pub fn duration_text(us: i64) -> String {
    if us.abs() < 1_000 {
        format!("{us} µs")
    } else {
        format_value(us as f64 / 1e6, Unit::Seconds)
    }
}

/// Where a waterfall bar lies, in hundredths of a percent of the trace's span (0..=10,000):
/// (left, width). Every bar is at least [`MIN_BAR_BP`] wide so a 1 µs span stays visible, and
/// never leaves the row. Integers, so the page formats them without the float formatter.
pub fn bar_bp(offset_us: i64, duration_us: i64, trace_duration_us: i64) -> (i64, i64) {
    let total = i128::from(trace_duration_us.max(1));
    let bp = |us: i64| (i128::from(us.max(0)) * 10_000 / total).min(10_000) as i64;
    let left = bp(offset_us).min(10_000 - MIN_BAR_BP);
    let width = bp(duration_us).clamp(MIN_BAR_BP, 10_000 - left);
    (left, width)
}

/// The narrowest bar, in hundredths of a percent of the row (0.2 %).
pub const MIN_BAR_BP: i64 = 20;

/// The CSS of a bar: `left: 50.00%; width: 25.00%`.
pub fn bar_css(offset_us: i64, duration_us: i64, trace_duration_us: i64) -> String {
    let (left, width) = bar_bp(offset_us, duration_us, trace_duration_us);
    format!(
        "left: {}.{:02}%; width: {}.{:02}%",
        left / 100,
        left % 100,
        width / 100,
        width % 100
    )
}

/// What a span's detail shows, as lines of text: its identity, timing, status, attributes
/// (`key = value`) and events (`+offset name: attributes`), offsets from the span's start.
pub fn span_detail(span: &Span) -> Vec<String> {
    let mut lines = vec![
        format!("{} · {}", span.service, span.operation),
        format!(
            "span {} · parent {} · {}{}",
            span.span_id,
            span.parent_id.as_deref().unwrap_or("none"),
            duration_text(span.duration_us),
            if span.is_error { " · ERROR" } else { "" }
        ),
    ];
    lines.extend(span.attributes.iter().map(|(k, v)| format!("{k} = {v}")));
    for e in &span.events {
        let attrs: Vec<String> = e
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push(format!(
            "+{} {}{}{}",
            duration_text(e.t_us - span.start_us),
            e.name,
            if attrs.is_empty() { "" } else { ": " },
            attrs.join(", ")
        ));
    }
    lines
}

/// The trace list's rows as markup (see `core::html`): each focusable, `data-trace-id` (what a
/// click opens) and `data-errors`; the open trace's row is `selected`, a trace with an error
/// span `error`. `offset_at` is the UTC offset at a time.
pub fn trace_rows_html(rows: &[TraceSummary], open: Option<&str>, offset_at: impl Fn(f64) -> i64) -> String {
    let mut h = Html::new();
    for s in rows {
        let class = match (s.has_errors(), open == Some(s.trace_id.as_str())) {
            (true, true) => Some("error selected"),
            (true, false) => Some("error"),
            (false, true) => Some("selected"),
            (false, false) => None,
        };
        let errors = s.error_span_count.to_string();
        h.open(
            "tr",
            &[
                ("class", class),
                ("data-trace-id", Some(&s.trace_id)),
                ("data-errors", Some(&errors)),
                ("tabindex", Some("0")),
            ],
        );
        let cells = row_cells(s, offset_at(s.start_us as f64 / 1e6));
        for (i, cell) in cells.iter().enumerate() {
            h.elem("td", if i >= 2 { "num" } else { "" }, cell);
        }
        h.close("tr");
    }
    h.into_string()
}

/// What the user did to an opened trace's waterfall: the spans whose children are hidden (by
/// id) and the span whose details are shown (by index in the trace).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaterfallChoice {
    pub collapsed: std::collections::HashSet<String>,
    pub selected_span: Option<usize>,
}

/// The waterfall rows `first..` of `rows` (the visible ones, see [`waterfall::visible_rows`]) as
/// markup: each absolutely placed at its position ([`WATERFALL_ROW_PX`] apart), focusable,
/// `data-span-index` (what a click selects) and `data-span-id`; a row with children (or
/// collapsed) starts with a `caret` that collapses them.
pub fn waterfall_html(trace: &Trace, rows: &[waterfall::Row], first: usize, choice: &WaterfallChoice) -> String {
    let total_us = trace.summary().duration_us;
    let mut h = Html::new();
    for (k, row) in rows.iter().enumerate() {
        let selected = choice.selected_span == Some(row.span_index);
        let collapsed = choice.collapsed.contains(&row.span_id);
        let class = match (row.is_error, selected) {
            (true, true) => "wf-row error selected",
            (true, false) => "wf-row error",
            (false, true) => "wf-row selected",
            (false, false) => "wf-row",
        };
        let (index, top) = (row.span_index.to_string(), format!("top: {}px", (first + k) * WATERFALL_ROW_PX));
        h.open(
            "div",
            &[
                ("class", Some(class)),
                ("data-span-index", Some(&index)),
                ("data-span-id", Some(&row.span_id)),
                ("style", Some(&top)),
                ("tabindex", Some("0")),
            ],
        );
        let indent = format!("padding-left: {}px", row.depth.min(40) * 12);
        h.open("span", &[("class", Some("wf-name")), ("style", Some(&indent))]);
        if row.has_children || collapsed {
            h.elem("span", "caret", if collapsed { "▸ " } else { "▾ " });
        }
        h.text(&trace.spans[row.span_index].operation);
        if row.orphan {
            h.text(" (parent missing)");
        }
        if row.skewed {
            h.text(" (clock skew)");
        }
        h.close("span").open_class("span", "wf-lane");
        let bar = bar_css(row.offset_us, row.duration_us, total_us);
        h.open("span", &[("class", Some("wf-bar")), ("style", Some(&bar))]).close("span");
        h.elem("span", "wf-dur", &duration_text(row.duration_us)).close("span").close("div");
    }
    h.into_string()
}

/// Height of one waterfall row in CSS pixels (style/main.css agrees).
pub const WATERFALL_ROW_PX: usize = 22;
/// Rows drawn above and below the visible ones, so that a short scroll shows drawn rows.
pub const WATERFALL_OVERSCAN_ROWS: usize = 10;

/// Which of `row_count` waterfall rows are in the DOM for a scroll box `height_px` high,
/// scrolled `scroll_top_px` down: the visible ones and [`WATERFALL_OVERSCAN_ROWS`] each side. A
/// box not laid out yet (height 0) counts as 20 rows high.
pub fn waterfall_rows_in_view(scroll_top_px: i32, height_px: i32, row_count: usize) -> std::ops::Range<usize> {
    let row = WATERFALL_ROW_PX;
    let top = scroll_top_px.max(0) as usize;
    let height = (height_px.max(0) as usize).max(row * 20);
    let last = ((top + height) / row + WATERFALL_OVERSCAN_ROWS).min(row_count);
    let first = (top / row).saturating_sub(WATERFALL_OVERSCAN_ROWS).min(last);
    first..last
}

/// The opened trace's heading: its id, duration, spans and spans with errors.
pub fn trace_heading(trace: &Trace) -> String {
    let s = trace.summary();
    format!(
        "{} · {} · {} spans, {} with errors",
        trace.trace_id,
        duration_text(s.duration_us),
        s.span_count,
        s.error_span_count
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_links_search_what_the_list_shows() {
        let links = crate::core::links::LinkConfig {
            jaeger_ui_url: Some("https://j.example".into()),
            sentry: None,
        };
        let route = Target::parse(Some("/v1/search"));
        let url = window_search_link(&links, "arrwdb", TraceFilter::Errors, &route, None, 10, 20).unwrap();
        assert!(url.contains("http.route") && url.contains("error"), "{url}");
        assert!(url.contains("start=10000000") && url.contains("end=20000000"), "{url}");
        let op = Target::parse(Some("GET /v1/x"));
        assert_eq!(op.search_terms(false), (Some("GET /v1/x"), Vec::new()));
        let none = crate::core::links::LinkConfig::default();
        assert_eq!(window_search_link(&none, "arrwdb", TraceFilter::All, &op, None, 10, 20), None);
        assert!(window_title(0, 60, 0, None, "arrwdb", None, TraceFilter::All).contains(" · arrwdb · "));
        // Narrowed to one replica: the link searches its traces, the heading names it.
        let replica = ReplicaTag::of_scope("service.instance.id", &["10.0.0.7:8000".to_owned()]);
        let url = window_search_link(&links, "arrwdb", TraceFilter::All, &op, replica.as_ref(), 10, 20).unwrap();
        assert!(url.contains("service.instance.id") && url.contains("10.0.0.7%3A8000"), "{url}");
        let title = window_title(0, 60, 0, Some("GET /v1/x"), "arrwdb", replica.as_ref(), TraceFilter::All);
        assert!(title.contains(" · GET /v1/x on 10.0.0.7:8000 · "), "{title}");
    }

    #[test]
    fn the_list_says_what_it_leaves_out() {
        assert_eq!(
            list_note(TraceFilter::Errors, 0, 0).as_deref(),
            Some("No traces with errors in this window.")
        );
        assert_eq!(
            list_note(TraceFilter::Slow, 0, 0).as_deref(),
            Some("No traces of 500 ms or more in this window.")
        );
        assert_eq!(list_note(TraceFilter::All, 42, 42), None);
        assert_eq!(
            list_note(TraceFilter::All, 100, 150).as_deref(),
            Some("The newest 100 of 150 traces: narrow the window to see the others.")
        );
        assert_eq!(
            list_note(TraceFilter::Slow, 100, 200).as_deref(),
            Some("The slowest 100 of at least 200 traces of 500 ms or more: narrow the window to see the others.")
        );
    }
    use crate::core::jaeger::{AttrValue, Event};

    const SEARCH: &str = "POST /v1/libraries/{library_id}/search";
    const ROUTE: &str = "/v1/libraries/{library_id}/search";

    fn span(
        id: &str,
        parent: Option<&str>,
        op: &str,
        start_us: i64,
        dur_us: i64,
        err: bool,
    ) -> Span {
        Span {
            service: "arrwdb".into(),
            operation: op.into(),
            is_error: err,
            ..crate::core::jaeger::test_span(id, parent, start_us, dur_us)
        }
    }

    /// A request trace: root `op`, one child that may fail.
    fn trace(id: &str, op: &str, start_us: i64, dur_us: i64, child_error: bool) -> Trace {
        Trace {
            trace_id: id.into(),
            spans: vec![
                span("a", None, op, start_us, dur_us, false),
                span(
                    "b",
                    Some("a"),
                    "vector_search",
                    start_us + 10,
                    dur_us / 2,
                    child_error,
                ),
            ],
        }
    }

    #[test]
    fn the_waterfall_keeps_the_rows_in_view_and_some_each_side() {
        // 22 px rows, a 440 px box (20 rows) scrolled to row 100 of 1,000.
        assert_eq!(waterfall_rows_in_view(2_200, 440, 1_000), 90..130);
        // At the top, and a box not laid out yet: 20 rows and the overscan below.
        assert_eq!(waterfall_rows_in_view(0, 0, 1_000), 0..30);
        // Near the end, and scrolled past it (a collapse shortened the list).
        assert_eq!(waterfall_rows_in_view(2_200, 440, 105), 90..105);
        assert_eq!(waterfall_rows_in_view(22_000, 440, 5), 5..5);
        assert_eq!(waterfall_rows_in_view(-50, 440, 3), 0..3);
    }

    #[test]
    fn the_trace_heading_counts_spans_and_errors() {
        let t = trace("abc", "root", 0, 2_000_000, true);
        assert_eq!(trace_heading(&t), "abc · 2 s · 2 spans, 1 with errors");
    }

    #[test]
    fn trace_rows_markup_marks_errors_and_the_open_trace() {
        let (ok, failed) = (trace("t1", "<GET>", 1_000_000, 5_000, false), trace("t2", "POST", 2_000_000, 9_000, true));
        let html = trace_rows_html(&[ok.summary(), failed.summary()], Some("t2"), |_| 0);
        let rows: Vec<&str> = html.split("</tr>").filter(|r| !r.is_empty()).collect();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].starts_with("<tr data-trace-id=\"t1\" data-errors=\"0\" tabindex=\"0\">"), "{}", rows[0]);
        assert!(rows[0].contains("<td>&lt;GET&gt;</td>"), "{}", rows[0]);
        assert!(rows[1].starts_with("<tr class=\"error selected\" data-trace-id=\"t2\" data-errors=\"1\""), "{}", rows[1]);
        assert!(rows[1].contains("<td class=\"num\">2</td>"), "two spans: {}", rows[1]);
    }

    #[test]
    fn waterfall_markup_places_rows_and_carets() {
        let t = trace("t1", "root", 0, 1_000, true);
        let rows = waterfall::layout(&t);
        let mut choice = WaterfallChoice { selected_span: Some(1), ..WaterfallChoice::default() };
        let html = waterfall_html(&t, &rows, 3, &choice);
        assert!(html.starts_with("<div class=\"wf-row\" data-span-index=\"0\" data-span-id=\"a\" style=\"top: 66px\" tabindex=\"0\">\
            <span class=\"wf-name\" style=\"padding-left: 0px\"><span class=\"caret\">▾ </span>root</span>"), "{html}");
        assert!(html.contains("<div class=\"wf-row error selected\" data-span-index=\"1\" data-span-id=\"b\" style=\"top: 88px\""), "{html}");
        assert!(html.contains("padding-left: 12px\">vector_search</span>"), "{html}");
        choice.collapsed.insert("a".to_owned());
        let collapsed = waterfall_html(&t, &waterfall::visible_rows(&rows, &choice.collapsed), 0, &choice);
        assert_eq!(collapsed.matches("wf-row").count(), 1, "{collapsed}");
        assert!(collapsed.contains("<span class=\"caret\">▸ </span>"), "{collapsed}");
    }

    #[test]
    fn a_refresh_that_moves_the_range_forward_asks_only_for_the_tail_and_keeps_the_rest() {
        const S: i64 = 1_000_000;
        let hour = 3_600 * S;
        let t0 = 1_800_000_000 * S;
        let mut scatter = Scatter::default();
        let first = scatter.searches("arrwdb", None, t0, t0 + hour);
        assert_eq!(first, scatter_searches("arrwdb", None, t0, t0 + hour), "nothing yet: the whole plan");
        // One error trace early in the range and one slow trace near its end.
        let early = trace("aa", SEARCH, t0 + 60 * S, 100_000, true);
        let late = trace("bb", SEARCH, t0 + hour - 90 * S, 700_000, false);
        let answers: Vec<Vec<Trace>> = first.iter().map(|_| vec![early.clone(), late.clone()]).collect();
        scatter.add(None, t0, t0 + hour, &answers);
        let ids = |s: &Scatter| s.dots().iter().map(|d| d.trace_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&scatter), ["bb", "aa"], "each trace once, newest first");

        // 30 s later: the errors and the slow traces of the tail, from a minute before the end.
        let next = scatter.searches("arrwdb", None, t0 + 30 * S, t0 + hour + 30 * S);
        let windows: Vec<(i64, i64)> = next.iter().map(|p| (p.start_us, p.end_us)).collect();
        assert_eq!(windows, [(t0 + hour - 60 * S, t0 + hour + 30 * S); 2]);
        assert_eq!(next[0].tags, [("error".to_owned(), "true".to_owned())]);
        assert_eq!(next[1].min_duration_us, Some(SLOW_MIN_DURATION_US));
        let newer = trace("cc", SEARCH, t0 + hour + 10 * S, 900_000, true);
        scatter.add(None, t0 + 30 * S, t0 + hour + 30 * S, &[vec![newer, late.clone()], vec![]]);
        assert_eq!(ids(&scatter), ["cc", "bb", "aa"], "the tail's traces join, the one found again once");
        assert!(scatter.searches("arrwdb", None, t0 + 30 * S, t0 + hour + 30 * S).is_empty(), "nothing new to ask");

        // The range moves past the early trace: it goes.
        scatter.add(None, t0 + 120 * S, t0 + hour + 120 * S, &[]);
        assert_eq!(ids(&scatter), ["cc", "bb"]);

        // Another range length (a zoom), another replica: the whole plan again, and only its dots.
        assert_eq!(scatter.searches("arrwdb", None, t0, t0 + 2 * hour).len(), 12);
        let one = ReplicaTag::of_scope("service.instance.id", &["10.0.0.2:8000".to_owned()]);
        let narrowed = scatter.searches("arrwdb", one.as_ref(), t0 + 120 * S, t0 + hour + 120 * S);
        assert_eq!(narrowed, scatter_searches("arrwdb", one.as_ref(), t0 + 120 * S, t0 + hour + 120 * S));
        scatter.add(one.as_ref(), t0 + 120 * S, t0 + hour + 120 * S, &[vec![late]]);
        assert_eq!(ids(&scatter), ["bb"]);
    }

    #[test]
    fn the_scatter_keeps_as_many_dots_per_slice_as_a_whole_plan_shows() {
        const S: i64 = 1_000_000;
        let (start_us, end_us) = (1_800_000_000 * S, 1_800_003_600 * S);
        let mut scatter = Scatter::default();
        // 100 refreshes, each bringing 40 error traces in the last slice.
        for refresh in 0..100i64 {
            let traces: Vec<Trace> = (0..40)
                .map(|i| trace(&format!("{refresh}-{i}"), SEARCH, end_us - S * (refresh * 40 + i + 1), 1_000, true))
                .collect();
            scatter.add(None, start_us, end_us, &[traces]);
        }
        let last_slice_us = end_us - (end_us - start_us) / SCATTER_SLICES;
        let in_last_slice = scatter.dots().iter().filter(|d| d.t_secs * 1e6 >= last_slice_us as f64).count();
        assert_eq!(in_last_slice, SCATTER_LIMIT as usize);
        assert!(scatter.dots().len() <= (2 * SCATTER_LIMIT as usize) * SCATTER_SLICES as usize);
        assert!(scatter.dots().windows(2).all(|w| w[0].t_secs >= w[1].t_secs));
    }

    #[test]
    fn the_scatter_searches_errors_and_slow_traces_and_shows_each_once() {
        // Six slices of 100 µs, each searched for errors and for slow traces.
        let plan = scatter_searches("arrwdb", None, 1_000, 1_600);
        let slices: Vec<(i64, i64)> = plan.iter().map(|p| (p.start_us, p.end_us)).collect();
        assert_eq!(
            slices,
            [
                (1_000, 1_100),
                (1_000, 1_100),
                (1_100, 1_200),
                (1_100, 1_200),
                (1_200, 1_300),
                (1_200, 1_300),
                (1_300, 1_400),
                (1_300, 1_400),
                (1_400, 1_500),
                (1_400, 1_500),
                (1_500, 1_600),
                (1_500, 1_600),
            ]
        );
        for pair in plan.chunks(2) {
            assert_eq!(pair[0].tags, [("error".to_owned(), "true".to_owned())]);
            assert_eq!(pair[0].min_duration_us, None);
            assert!(pair[1].tags.is_empty());
            assert_eq!(pair[1].min_duration_us, Some(SLOW_MIN_DURATION_US));
        }
        assert!(plan
            .iter()
            .all(|p| p.service == "arrwdb" && p.limit == SCATTER_LIMIT));

        let slow_error = trace("aa", SEARCH, 1_500_000_000_000_000, 900_000, true);
        let slow = trace("bb", SEARCH, 1_500_000_001_000_000, 700_000, false);
        let dots = trace_dots(&[vec![slow_error.clone()], vec![slow_error, slow]]);
        assert_eq!(
            dots,
            [
                Dot {
                    trace_id: "aa".into(),
                    t_secs: 1_500_000_000.0,
                    duration_secs: 0.9,
                    error: true,
                    exemplar: false,
                },
                Dot {
                    trace_id: "bb".into(),
                    t_secs: 1_500_000_001.0,
                    duration_secs: 0.7,
                    error: false,
                    exemplar: false,
                },
            ]
        );
        assert_eq!(
            dot_title(&dots[0], 3_600),
            "900 ms at 03:40:00.000, trace aa, with errors. Click to open it."
        );
    }

    #[test]
    fn exemplars_with_a_hex_trace_id_become_dots() {
        use crate::core::prom::{Exemplar, ExemplarSeries};
        let exemplar = |labels: &[(&str, &str)], value: f64, t_secs: f64| Exemplar {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            value,
            t_secs,
        };
        let series = [ExemplarSeries {
            series_labels: Default::default(),
            exemplars: vec![
                exemplar(&[("trace_id", "ABC123")], 0.25, 1_000.0),
                exemplar(&[("traceID", "abc123")], 0.25, 1_001.0),
                exemplar(&[("trace-id", "<script>")], 0.1, 1_002.0),
                exemplar(&[("span_id", "ff")], 0.1, 1_003.0),
                exemplar(&[("trace_id", "ff")], f64::NAN, 1_004.0),
            ],
        }];
        let dots = exemplar_dots(&series);
        assert_eq!(
            dots,
            [Dot {
                trace_id: "abc123".into(),
                t_secs: 999.75,
                duration_secs: 0.25,
                error: false,
                exemplar: true,
            }]
        );
        assert!(dot_title(&dots[0], 0).starts_with("Exemplar: 250 ms at 00:16:39.750"));
    }

    #[test]
    fn filters_round_trip() {
        for f in TraceFilter::ALL {
            assert_eq!(TraceFilter::parse(f.as_str()), Some(f));
        }
        assert_eq!(TraceFilter::parse("bogus"), None);
        assert_eq!(TraceFilter::default(), TraceFilter::Errors);
    }

    #[test]
    fn targets_from_their_text_and_from_a_chart() {
        assert_eq!(Target::parse(None), Target::Service);
        assert_eq!(Target::parse(Some(" ")), Target::Service);
        assert_eq!(Target::parse(Some(ROUTE)), Target::Route(ROUTE.into()));
        assert_eq!(
            Target::parse(Some(SEARCH)),
            Target::Operation(SEARCH.into())
        );
        // Request rate: `method handler` series name the operation.
        assert_eq!(
            narrowing(&["method", "handler"], Some(SEARCH), None).as_deref(),
            Some(SEARCH)
        );
        // Error rate: per-handler series name the route; its overall line narrows nothing.
        assert_eq!(
            narrowing(&["handler"], Some(ROUTE), None).as_deref(),
            Some(ROUTE)
        );
        assert_eq!(narrowing(&["handler"], Some("all handlers"), None), None);
        // A chart without handler series (latency) follows the handler filter.
        assert_eq!(
            narrowing(&[], Some("p95"), Some(ROUTE)).as_deref(),
            Some(ROUTE)
        );
        assert_eq!(narrowing(&["handler"], None, None), None);
    }

    #[test]
    fn the_errors_view_also_searches_errors_anywhere_in_the_service() {
        let s = searches(
            "arrwdb",
            TraceFilter::Errors,
            &Target::Operation(SEARCH.into()),
            None,
            1,
            2,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].operation.as_deref(), s[0].tags.len()),
            (Some(SEARCH), 0)
        );
        // The second search must not name the operation: the error may be on a child span.
        assert_eq!(s[1].operation, None);
        assert_eq!(s[1].tags, vec![("error".to_owned(), "true".to_owned())]);
        assert!(s
            .iter()
            .all(|p| (p.start_us, p.end_us, p.limit) == (1, 2, SEARCH_LIMIT)));

        let slow = searches(
            "arrwdb",
            TraceFilter::Slow,
            &Target::Route(ROUTE.into()),
            None,
            1,
            2,
        );
        assert_eq!(slow.len(), 1);
        assert_eq!(slow[0].min_duration_us, Some(SLOW_MIN_DURATION_US));
        assert_eq!(
            slow[0].tags,
            vec![("http.route".to_owned(), ROUTE.to_owned())]
        );
        let all = searches("arrwdb", TraceFilter::All, &Target::Service, None, 1, 2);
        assert_eq!(
            (all.len(), all[0].operation.clone(), all[0].tags.len()),
            (1, None, 0)
        );
        // One replica chosen: every search asks for its spans' resource attribute too.
        let one = ReplicaTag::of_scope("service.instance.id", &["a:1".to_owned()]);
        let tag = ("service.instance.id".to_owned(), "a:1".to_owned());
        let narrowed = searches("arrwdb", TraceFilter::Errors, &Target::Route(ROUTE.into()), one.as_ref(), 1, 2);
        assert_eq!(narrowed[0].tags, vec![tag.clone(), ("http.route".to_owned(), ROUTE.to_owned())]);
        assert_eq!(narrowed[1].tags, vec![tag.clone(), ("error".to_owned(), "true".to_owned())]);
        assert!(scatter_searches("arrwdb", one.as_ref(), 0, 60).iter().all(|p| p.tags.contains(&tag)));
        // None or several chosen: no narrowing (a search cannot ask for one of several).
        assert_eq!(ReplicaTag::of_scope("k", &[]), None);
        assert_eq!(ReplicaTag::of_scope("k", &["a".to_owned(), "b".to_owned()]), None);
    }

    #[test]
    fn an_error_on_a_child_span_makes_an_error_trace() {
        let narrowed = vec![
            trace("01", SEARCH, 100, 1_000, false),
            trace("02", SEARCH, 200, 1_000, true),
        ];
        // The service-wide error search finds 02 again and an error of another handler.
        let errors = vec![
            trace("02", SEARCH, 200, 1_000, true),
            trace("03", "GET /v1/libraries", 300, 1_000, true),
        ];
        let answers = [narrowed, errors];
        let (rows, matched) = select(
            TraceFilter::Errors,
            &Target::Operation(SEARCH.into()),
            &answers,
        );
        let ids: Vec<&str> = rows.iter().map(|r| r.trace_id.as_str()).collect();
        assert_eq!((ids, matched), (vec!["02"], 1));
        assert_eq!(rows[0].error_span_count, 1);

        let (rows, _) = select(TraceFilter::Errors, &Target::Service, &answers);
        let ids: Vec<&str> = rows.iter().map(|r| r.trace_id.as_str()).collect();
        assert_eq!(ids, vec!["03", "02"], "newest first, each once");

        let (rows, _) = select(TraceFilter::All, &Target::Route(ROUTE.into()), &answers);
        let ids: Vec<&str> = rows.iter().map(|r| r.trace_id.as_str()).collect();
        assert_eq!(ids, vec!["02", "01"]);
    }

    #[test]
    fn routes_match_by_attribute_or_by_span_name_and_slow_sorts_by_duration() {
        let mut by_attr = trace("04", "custom name", 50, 2_000_000, false);
        by_attr.spans[0]
            .attributes
            .push(("http.route".into(), AttrValue::Str(ROUTE.into())));
        let answers = [vec![
            trace("01", SEARCH, 100, 600_000, false),
            trace("02", SEARCH, 200, 900_000, false),
            trace("03", SEARCH, 300, 400_000, false),
            by_attr,
            Trace {
                trace_id: "05".into(),
                spans: Vec::new(),
            },
        ]];
        let (rows, matched) = select(TraceFilter::Slow, &Target::Route(ROUTE.into()), &answers);
        let ids: Vec<&str> = rows.iter().map(|r| r.trace_id.as_str()).collect();
        assert_eq!((ids, matched), (vec!["04", "02", "01"], 3));
    }

    #[test]
    fn the_list_is_cut_at_max_rows_but_counts_every_match() {
        let many: Vec<Trace> = (0..MAX_ROWS + 7)
            .map(|i| trace(&format!("{i:02x}"), SEARCH, i as i64, 10, true))
            .collect();
        let (rows, matched) = select(TraceFilter::Errors, &Target::Service, &[many]);
        assert_eq!((rows.len(), matched), (MAX_ROWS, MAX_ROWS + 7));
        assert_eq!(rows[0].start_us, (MAX_ROWS + 6) as i64);
    }

    #[test]
    fn list_cells_and_durations() {
        let s = TraceSummary {
            trace_id: "ab".into(),
            // 2026-11-24T16:33:53.250Z
            start_us: 1_795_538_033_250_400,
            duration_us: 1_250_000,
            root_operation: SEARCH.into(),
            root_service: "arrwdb".into(),
            span_count: 3,
            error_span_count: 1,
            http_status: Some(500),
        };
        assert_eq!(
            row_cells(&s, 3_600),
            ["17:33:53.250", SEARCH, "1.25 s", "3", "1", "500"].map(String::from)
        );
        let bare = TraceSummary::default();
        assert_eq!(row_cells(&bare, 0)[1], "(no root span)");
        assert_eq!(row_cells(&bare, 0)[5], "–");
        assert_eq!(duration_text(850), "850 µs");
        assert_eq!(duration_text(12_345), "12.3 ms");
        assert_eq!(clock_ms(-1, 0), "23:59:59.999");
    }

    #[test]
    fn bars_stay_visible_and_inside_the_row() {
        assert_eq!(bar_bp(0, 1_000, 1_000), (0, 10_000));
        assert_eq!(bar_bp(500, 250, 1_000), (5_000, 2_500));
        assert_eq!(bar_bp(999, 0, 1_000), (9_980, MIN_BAR_BP));
        assert_eq!(bar_bp(-5, 5_000, 1_000), (0, 10_000));
        assert_eq!(bar_bp(0, 0, 0), (0, MIN_BAR_BP));
        assert_eq!(bar_bp(2_000, 10, 1_000), (9_980, MIN_BAR_BP));
        assert_eq!(bar_bp(i64::MAX, i64::MAX, 3), (9_980, MIN_BAR_BP));
        assert_eq!(bar_css(1, 1, 3), "left: 33.33%; width: 33.33%");
        assert_eq!(bar_css(0, 7, 7), "left: 0.00%; width: 100.00%");
    }

    #[test]
    fn span_details_are_plain_text() {
        let mut s = span(
            "b",
            Some("a"),
            "<script>alert(1)</script>",
            1_000,
            2_500,
            true,
        );
        s.attributes.push((
            "http.route".into(),
            AttrValue::Str("javascript:alert(1)".into()),
        ));
        s.events.push(Event {
            t_us: 1_200,
            name: "exception".into(),
            attributes: vec![(
                "exception.type".into(),
                AttrValue::Str("TimeoutError".into()),
            )],
        });
        assert_eq!(
            span_detail(&s),
            vec![
                "arrwdb · <script>alert(1)</script>",
                "span b · parent a · 2.5 ms · ERROR",
                "http.route = javascript:alert(1)",
                "+200 µs exception: exception.type=TimeoutError",
            ]
        );
    }
}
