//! The view model of a panel: what it asks, what it keeps of an answer, and everything it shows
//! (displayed and stacked series, legend rows, headline, table rows, tooltip, marks, state,
//! message and the DOM-contract attributes), as plain functions. The shell only fetches, holds
//! the results in signals and puts these values into the page.

use std::sync::Arc;

use crate::core::chart::{ChartSeries, DrawSummary, TimeAxis, ValueAxis, PALETTE};
use crate::core::drill::{dot_title, Dot};
use crate::core::html::Html;
use crate::core::metrics::MetricNames;
use crate::core::config::PrometheusConfig;
use crate::core::panels::{chart_series, PanelQuery, PanelSpec, QueryContext, Role, Scope, Show, OVERALL_ERROR_SERIES};
use crate::core::state::ViewState;
use crate::core::prom::{query_range_url, query_url, series_label, InstantSample, PromError, QueryData, Series};
use crate::core::series::{stack, stats, top_k, value_near};
use crate::core::spikes::{
    detect_spikes, drill_window, SPIKE_BASELINE_WINDOW_SECS, SPIKE_MIN_PEAK_SLO_MULTIPLE,
    SPIKE_MULTIPLE,
};
use crate::core::links::{prometheus_graph_link, PrometheusUi};
use crate::core::state::format_duration;
use crate::core::time::{axis_label, query_window, rfc3339_utc, span_text, QueryWindow, TimeRange};
use crate::core::units::{format_value, Unit};

/// At most this many series are drawn; the rest are counted as hidden.
pub const MAX_SERIES: usize = 10;
/// The label of the one series a [`busiest`] query adds: how many series the query has.
pub const SERIES_COUNT_LABEL: &str = "arrwdb_ops_series_count";

/// How finely [`busiest`] ranks and counts a window of `range_secs` drawn at `step_secs`: about
/// sixty samples of it, on the step's grid (at least one step). The lines keep every step.
pub fn ranking_step_secs(range_secs: u64, step_secs: u64) -> u64 {
    let step_secs = step_secs.max(1);
    step_secs * range_secs.div_ceil(60 * step_secs).max(1)
}

/// `promql` as the backend's top [`MAX_SERIES`], so a metric with thousands of series costs the
/// page ten: the series whose mean over the whole window is highest, matched on the legend's
/// labels `on`; plus one series, marked with [`SERIES_COUNT_LABEL`], counting every series of
/// the window (the legend's "N hidden"). Both are evaluated once (`@ end()`), at the
/// [`ranking_step_secs`] resolution, so that they cost the backend a fraction of the lines.
pub fn busiest(promql: &str, on: &[&str], window: &QueryWindow) -> String {
    let range_secs = (window.end_secs - window.start_secs).round().max(1.0) as u64;
    let rank_secs = ranking_step_secs(range_secs, window.step.secs());
    let sampled = format!("(({promql})[{range_secs}s:{rank_secs}s] @ end())");
    format!(
        "({promql}) and on ({on}) topk({MAX_SERIES}, avg_over_time{sampled}) \
         or label_replace(count(last_over_time{sampled}), \"{SERIES_COUNT_LABEL}\", \"all\", \"\", \"\")",
        on = on.join(", "),
    )
}

/// The legend's header: the series (swatch and name), then its figures.
pub const LEGEND_COLUMNS: [&str; 5] = ["series", "last", "min", "max", "mean"];
/// The ranked table's header.
pub const TABLE_COLUMNS: [&str; 4] = ["handler", "status", "replica", "errors"];

/// What a panel asks for one load: its queries over a window, as the panel shows them in the
/// view it was asked in (by replica or not, see [`PanelSpec::in_view`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub spec: &'static PanelSpec,
    pub window: QueryWindow,
    pub queries: Vec<PanelQuery>,
}

/// What an answer must be: a range query's matrix or an instant query's vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Matrix,
    Vector,
}

/// One decoded answer, in the order of [`Ask::requests`].
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    Matrix(Vec<Series>),
    Vector(Vec<InstantSample>),
}

impl Answered {
    /// An instant query's data, which must be a vector.
    pub fn from_instant(data: QueryData) -> Result<Answered, PromError> {
        match data {
            QueryData::Vector(v) => Ok(Answered::Vector(v)),
            other => Err(PromError::decode(format!(
                "an instant query answered a {}, not a vector",
                other.result_type()
            ))),
        }
    }
}

impl Ask {
    /// The ask of `spec` over `range` drawn `width_px` wide, for the view's handler,
    /// clusters and replicas, or the sentence saying which metric is missing.
    pub fn new(
        spec: &'static PanelSpec,
        names: &MetricNames,
        prometheus: &PrometheusConfig,
        view: &ViewState,
        range: TimeRange,
        width_px: u32,
    ) -> Result<Ask, String> {
        let window = query_window(range, width_px, prometheus.scrape_interval_secs);
        let ctx = QueryContext {
            names,
            job: &prometheus.job,
            rate_window_secs: window.rate_window_secs,
            range_secs: range.duration_secs().round() as u64,
            handler: view.handler.as_deref(),
            scope: Scope {
                cluster_label: &prometheus.cluster_label,
                clusters: &view.clusters,
                instance_label: &prometheus.instance_label,
                instances: &view.instances,
            },
        };
        let spec = spec.in_view(view);
        let mut queries = spec.queries(&ctx)?;
        // A chart's series named by labels may be thousands: the backend ranks them.
        if spec.is_chart() && !spec.legend_labels.is_empty() {
            for q in queries.iter_mut().filter(|q| q.role == (Role::Lines { legend: "" })) {
                q.promql = busiest(&q.promql, spec.legend_labels, &window);
            }
        }
        Ok(Ask { spec, window, queries })
    }

    /// The URLs to GET under `base`, each with the shape its answer must have: a chart's lines
    /// over the window; a table and a headline at the window's end.
    pub fn requests(&self, base: &str) -> Vec<(String, Expect)> {
        let end_unix = self.window.end_secs as i64;
        self.queries
            .iter()
            .map(|q| match (q.role, self.spec.show) {
                (Role::Lines { .. }, Show::Chart) => {
                    (query_range_url(base, &q.promql, &self.window), Expect::Matrix)
                }
                _ => (query_url(base, &q.promql, end_unix), Expect::Vector),
            })
            .collect()
    }

    /// The queries as the DOM contract shows them (`data-query`): one per line.
    pub fn promql(&self) -> String {
        let queries: Vec<&str> = self.queries.iter().map(|q| q.promql.as_str()).collect();
        queries.join("\n")
    }
}

/// A row of the ranked table, as Prometheus answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub handler: String,
    pub status: String,
    /// Its cluster and address (the legend labels after handler and status).
    pub replica: String,
    pub count: f64,
}

/// What one load brought: kept until the next one succeeds, so a failed refresh leaves the
/// panel in place (marked stale).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub window: QueryWindow,
    /// As [`Ask::promql`].
    pub promql: String,
    pub series: Vec<ChartSeries>,
    /// (label, value) shown beside the title.
    pub headlines: Vec<(String, String)>,
    /// Prometheus's warnings and infos about these queries.
    pub notes: Vec<String>,
    /// Every row of a table's answer, in Prometheus's order (the view limits what it shows).
    pub table: Vec<TableRow>,
    /// How many series the backend counted where it sent only its busiest ([`busiest`]).
    pub series_counted: usize,
    /// The queries whose series are drawn (not the headlines' or the replicas' that are down).
    pub line_queries: Vec<String>,
}

impl Loaded {
    /// The range queries of the drawn series over the panel's window, for the CSV (asked again,
    /// so that the file holds Prometheus's own text of each value).
    pub fn csv_urls(&self, base: &str) -> Vec<String> {
        self.line_queries.iter().map(|q| query_range_url(base, q, &self.window)).collect()
    }
}

/// How a load ended when Prometheus answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Loaded(Loaded),
    /// Nothing to show, and why.
    Empty(String),
}

/// What the panel shows of `answers` (one per request of `ask`, in order) and the notes that
/// came with them.
pub fn outcome(ask: &Ask, answers: Vec<Answered>, mut notes: Vec<String>) -> Outcome {
    let spec = ask.spec;
    let mut lines = Vec::new();
    let mut headlines = Vec::new();
    let mut table = Vec::new();
    let mut series_counted = 0;
    for (q, answer) in ask.queries.iter().zip(answers) {
        match (q.role, answer) {
            (Role::Lines { legend }, Answered::Matrix(mut matrix)) => {
                if let Some(at) = matrix.iter().position(|s| s.labels.contains_key(SERIES_COUNT_LABEL)) {
                    let counts = matrix.remove(at).points;
                    series_counted += counts.iter().map(|p| p.value).filter(|v| v.is_finite()).fold(0.0, f64::max) as usize;
                }
                lines.push((legend, matrix));
            }
            (Role::Lines { .. }, Answered::Vector(samples)) => {
                let label = |s: &InstantSample, i: usize| {
                    let key = spec.legend_labels.get(i).copied().unwrap_or_default();
                    s.labels.get(key).cloned().unwrap_or_default()
                };
                let replica_labels = spec.legend_labels.get(2..).unwrap_or_default();
                table.extend(samples.iter().map(|s| TableRow {
                    handler: label(s, 0),
                    status: label(s, 1),
                    replica: series_label(&s.labels, replica_labels),
                    count: s.point.value,
                }));
            }
            (Role::Headline { label, unit }, answer) => {
                let value = match answer {
                    Answered::Vector(v) => v.first().map_or(f64::NAN, |s| s.point.value),
                    Answered::Matrix(m) => m
                        .first()
                        .and_then(|s| s.points.last())
                        .map_or(f64::NAN, |p| p.value),
                };
                headlines.push((label.to_owned(), format_value(value, unit)));
            }
            (Role::Down, Answered::Vector(samples)) => {
                for s in samples {
                    let how = if s.point.value == 0.0 { "up = 0" } else { "no longer scraped" };
                    notes.push(format!("Replica {} is down at the end of the range ({how}).", series_label(&s.labels, spec.legend_labels)));
                }
            }
            (Role::Down, Answered::Matrix(_)) => {}
        }
    }
    let loaded = Loaded {
        window: ask.window,
        promql: ask.promql(),
        series: chart_series(spec, lines),
        headlines,
        notes,
        table,
        series_counted,
        line_queries: ask.queries.iter().filter(|q| matches!(q.role, Role::Lines { .. })).map(|q| q.promql.clone()).collect(),
    };
    match spec.show {
        Show::Table { .. } if loaded.table.is_empty() => {
            Outcome::Empty("No errors in this range.".to_owned())
        }
        Show::Chart if loaded.series.is_empty() => Outcome::Empty("No data in this range.".to_owned()),
        _ => Outcome::Loaded(loaded),
    }
}

/// Where a panel's data stands; `data-state` in the DOM.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Nothing answered yet.
    Loading,
    Ready,
    /// No data in the range, or (with a reason) a metric that is not scraped.
    Empty(String),
    /// The last load failed: the data before it (if any) stays, marked stale.
    Error(String),
}

/// A panel's data: the last answer that had something to show, and the status of the last
/// load. Folded from one load result to the next with [`PanelData::after`].
#[derive(Debug, Clone, PartialEq)]
pub struct PanelData {
    pub last: Option<Arc<Loaded>>,
    pub status: Status,
}

impl Default for PanelData {
    fn default() -> Self {
        PanelData {
            last: None,
            status: Status::Loading,
        }
    }
}

impl PanelData {
    /// The data after a load ended with `result`; `None` when the load was aborted (a newer
    /// one is on its way, and nothing changes).
    pub fn after(&self, result: &Result<Arc<Outcome>, PromError>) -> Option<PanelData> {
        Some(match result {
            Err(e) if e.is_aborted() => return None,
            Err(e) => PanelData {
                last: self.last.clone(),
                status: Status::Error(e.to_string()),
            },
            Ok(outcome) => match outcome.as_ref() {
                Outcome::Empty(why) => PanelData {
                    last: None,
                    status: Status::Empty(why.clone()),
                },
                Outcome::Loaded(l) => PanelData {
                    last: Some(Arc::new(l.clone())),
                    status: Status::Ready,
                },
            },
        })
    }

    /// A panel that cannot ask (a metric it needs is missing), saying why.
    pub fn unaskable(why: &str) -> PanelData {
        PanelData {
            last: None,
            status: Status::Empty(why.to_owned()),
        }
    }

    /// Whether the data shown is older than the last refresh: the last load failed, or the
    /// answer to the current one is late. Stays until a load succeeds, whatever redraws.
    pub fn freshness(&self, late: bool) -> Freshness {
        match (&self.status, &self.last) {
            (_, None) => Freshness::Fresh,
            (Status::Error(_), Some(_)) => Freshness::Failed,
            (_, Some(_)) if late => Freshness::Late,
            _ => Freshness::Fresh,
        }
    }
}

/// How old the shown data is; `data-stale` in the DOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// A refresh came due before the previous one answered.
    Late,
    /// The last refresh failed.
    Failed,
}

impl Freshness {
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Freshness::Fresh => None,
            Freshness::Late => Some("late"),
            Freshness::Failed => Some("failed"),
        }
    }
}

/// The sentence in the panel's body, if any.
pub fn message(data: &PanelData, late: bool) -> Option<String> {
    let stale = data.freshness(late);
    match &data.status {
        Status::Ready | Status::Loading if stale == Freshness::Late => Some(
            "Stale: Prometheus has not answered the last refresh within its period.".to_owned(),
        ),
        Status::Loading => Some("Loading…".to_owned()),
        Status::Empty(why) => Some(why.clone()),
        Status::Error(why) if stale == Freshness::Failed => {
            Some(format!("Stale: the last refresh failed. {why}"))
        }
        Status::Error(why) => Some(why.clone()),
        Status::Ready => None,
    }
}

/// The DOM contract of a chart or table panel: what the tests (and anyone scripting the page)
/// read off `section[data-panel]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// `loading`, `ready`, `empty` or `error`.
    pub state: &'static str,
    /// Series drawn (a chart) or rows answered (a table).
    pub series: Option<usize>,
    pub query: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub step: Option<String>,
    pub stale: Option<&'static str>,
}

/// The contract of `spec` showing `data`; `drawn_series` is what the chart's last draw drew
/// (`None` before its first): a chart is ready once drawn.
pub fn contract(spec: &PanelSpec, data: &PanelData, drawn_series: Option<usize>, late: bool) -> Contract {
    let l = data.last.as_deref();
    let state = match &data.status {
        Status::Ready if spec.is_chart() && drawn_series.is_none() => "loading",
        Status::Ready => "ready",
        Status::Loading => "loading",
        Status::Empty(_) => "empty",
        Status::Error(_) => "error",
    };
    let series = match spec.show {
        Show::Chart => drawn_series.filter(|_| l.is_some()),
        _ => l.map(|l| l.table.len()),
    };
    Contract {
        state,
        series,
        query: l.map(|l| l.promql.clone()),
        start: l.map(|l| (l.window.start_secs as i64).to_string()),
        end: l.map(|l| (l.window.end_secs as i64).to_string()),
        step: l.map(|l| l.window.step.secs().to_string()),
        stale: data.freshness(late).attr(),
    }
}

/// The series a chart shows: the isolated one alone (when it is in the answer), else the
/// busiest [`MAX_SERIES`]; and how many were left out. Values are as Prometheus gave them (the
/// legend and tooltip read them).
pub fn displayed(loaded: &Loaded, isolated: Option<&str>) -> (Vec<ChartSeries>, usize) {
    let chosen: Vec<ChartSeries> = match isolated.filter(|name| loaded.series.iter().any(|s| s.name == *name)) {
        Some(name) => loaded.series.iter().filter(|s| s.name == name).cloned().collect(),
        None => loaded.series.clone(),
    };
    let not_sent = match isolated {
        Some(_) if chosen.len() < loaded.series.len() => 0,
        _ => loaded.series_counted.saturating_sub(loaded.series.len()),
    };
    let (shown, hidden) = top_k(chosen, MAX_SERIES, |s| s.points.as_slice());
    (shown, hidden + not_sent)
}

/// The series as drawn: stacked (each on top of the ones before it) when asked, else as shown.
pub fn drawn_series(shown: &[ChartSeries], stacked: bool) -> Vec<ChartSeries> {
    if !stacked {
        return shown.to_vec();
    }
    let points = stack(&shown.iter().map(|s| s.points.clone()).collect::<Vec<_>>());
    shown
        .iter()
        .zip(points)
        .map(|(s, points)| ChartSeries {
            points,
            ..s.clone()
        })
        .collect()
}

/// One legend row: a series' name, colour and figures over the range.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    pub name: String,
    /// The swatch's `background`, from the series' palette colour.
    pub swatch_css: String,
    /// The last value as a number (`data-last`): what tests compare with Prometheus.
    pub last_raw: Option<f64>,
    pub last: String,
    pub min: String,
    pub max: String,
    pub mean: String,
    /// The series shown alone.
    pub selected: bool,
}

/// The legend of the `shown` series of a chart in `unit`.
pub fn legend(unit: Unit, shown: &[ChartSeries], isolated: Option<&str>) -> Vec<LegendRow> {
    shown
        .iter()
        .map(|s| {
            let st = stats(&s.points);
            let f = |v: Option<f64>| format_value(v.unwrap_or(f64::NAN), unit);
            let c = PALETTE[s.color % PALETTE.len()];
            LegendRow {
                name: s.name.clone(),
                swatch_css: format!("background: rgb({},{},{})", c.0, c.1, c.2),
                last_raw: st.map(|s| s.last),
                last: f(st.map(|s| s.last)),
                min: f(st.map(|s| s.min)),
                max: f(st.map(|s| s.max)),
                mean: f(st.map(|s| s.mean)),
                selected: isolated == Some(s.name.as_str()),
            }
        })
        .collect()
}

/// The legend's last line when series were left out.
pub fn hidden_note(hidden: usize) -> Option<String> {
    (hidden > 0).then(|| format!("{hidden} series hidden (showing the {MAX_SERIES} busiest)"))
}

/// The figures beside the title (e.g. `search p95: 12 ms`).
pub fn headline(loaded: &Loaded) -> String {
    let parts: Vec<String> = loaded.headlines.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    parts.join("  ")
}

/// Prometheus's warnings and infos, one per line; `None` when there are none.
pub fn notes(loaded: &Loaded) -> Option<String> {
    (!loaded.notes.is_empty()).then(|| loaded.notes.join("\n"))
}

/// A panel's "Inspect": each query exactly as sent (with "Open in Prometheus" when a UI is
/// configured, over the same window and step), the window, step and rate window, how many
/// series and points came back and how many are drawn, and the backend's warnings; then "Copy
/// PromQL" (`data-action`, handled by the shell).
pub fn inspect_html(loaded: &Loaded, drawn: Option<&Drawn>, ui: Option<&(String, PrometheusUi)>) -> String {
    let w = &loaded.window;
    let mut h = Html::new();
    let range_secs = (w.end_secs - w.start_secs).round().max(0.0) as u64;
    h.open_class("dl", "facts");
    let mut fact = |name: &str, value: &str| {
        h.elem("dt", "", name).elem("dd", "", value);
    };
    let window = format!("{} – {} ({})", rfc3339_utc(w.start_secs), rfc3339_utc(w.end_secs), span_text(range_secs as f64));
    fact("Window", &window);
    fact("Step", &format_duration(w.step.secs()));
    fact("Rate window", &format_duration(w.rate_window_secs));
    let points: usize = loaded.series.iter().map(|s| s.points.len()).sum();
    let mut answer = format!("{} series, {points} points", loaded.series.len());
    if loaded.series_counted > loaded.series.len() {
        answer.push_str(&format!(" (the busiest of {} the backend counted)", loaded.series_counted));
    }
    fact("Answer", &answer);
    if let Some(d) = drawn {
        fact("Drawn", &format!("{} series, {} points", d.series, d.points));
    }
    let warnings = if loaded.notes.is_empty() { "none".to_owned() } else { loaded.notes.join("\n") };
    fact("Warnings", &warnings);
    h.close("dl");
    for query in loaded.promql.lines() {
        h.elem("pre", "promql", query);
        let link = ui.and_then(|(url, version)| prometheus_graph_link(url, *version, query, w.end_secs, range_secs, w.step));
        if let Some(href) = link {
            h.open("a", &[("href", Some(&href)), ("data-link", Some("prometheus")), ("target", Some("_blank")), ("rel", Some("noopener"))]);
            h.text("Open in Prometheus").close("a");
        }
    }
    for (action, label) in [("copy-promql", "Copy PromQL"), ("download-csv", "Download CSV")] {
        h.open("button", &[("type", Some("button")), ("data-action", Some(action))]).text(label).close("button");
    }
    h.into_string()
}

/// The ranked table as shown: at most `max_rows` rows, and a last row saying how many more
/// there are.
#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    pub rows: Vec<[String; 4]>,
    pub more: Option<String>,
}

pub fn table_view(loaded: &Loaded, unit: Unit, max_rows: usize) -> TableView {
    let rows = loaded
        .table
        .iter()
        .take(max_rows)
        .map(|r| [r.handler.clone(), r.status.clone(), r.replica.clone(), format_value(r.count.round(), unit)])
        .collect();
    let left_out = loaded.table.len().saturating_sub(max_rows);
    TableView {
        rows,
        more: (left_out > 0).then(|| {
            format!("{left_out} more (the {max_rows} largest are shown; narrow the range to see the rest)")
        }),
    }
}

/// The tooltip at `t_secs`: the time, then each shown series' value there, or "–" where it has
/// no point within `max_gap_secs` (about one step) or its value is not a number.
pub fn tooltip(t_secs: f64, shown: &[ChartSeries], unit: Unit, utc_offset_secs: i64, max_gap_secs: f64) -> String {
    let mut text = axis_label(t_secs, utc_offset_secs, 0.0);
    for s in shown {
        let value = value_near(&s.points, t_secs, max_gap_secs)
            .filter(|v| !v.is_nan())
            .map_or_else(|| "–".to_owned(), |v| format_value(v, unit));
        text.push_str(&format!("\n{}: {value}", s.name));
    }
    text
}

/// `left` and `width` of an overlay spanning `width_px` from `left_px`.
pub fn extent_css(left_px: f64, width_px: f64) -> String {
    format!("left: {}px; width: {}px", left_px.round() as i64, width_px.round() as i64)
}

/// What was last drawn: the series as shown (for the tooltip) and the plot's axes in CSS
/// pixels (for pointer maths and marks).
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub series: usize,
    /// The points drawn (after downsampling), for the inspect view.
    pub points: usize,
    /// Series left out of the drawing (beyond [`MAX_SERIES`]), for the legend's last line.
    pub hidden: usize,
    /// The step of the drawn window: the tooltip's reach around a point.
    pub step_secs: f64,
    pub shown: Vec<ChartSeries>,
    pub axis: TimeAxis,
    pub values: ValueAxis,
}

impl Drawn {
    /// What drawing `shown` (after `hidden` were left out) over `window` left on a canvas of
    /// `device_px_per_css_px`: the plot's axes in CSS pixels.
    pub fn new(summary: &DrawSummary, device_px_per_css_px: f64, window: &QueryWindow, shown: Vec<ChartSeries>, hidden: usize) -> Self {
        let css = |device: i32| f64::from(device) / device_px_per_css_px;
        Drawn {
            series: summary.series_drawn,
            points: summary.points_drawn,
            hidden,
            step_secs: window.step.secs() as f64,
            shown,
            axis: TimeAxis {
                left_px: css(summary.plot_left_px),
                right_px: css(summary.plot_right_px),
                start_secs: window.start_secs,
                end_secs: window.end_secs,
            },
            values: ValueAxis {
                top_px: css(summary.plot_top_px),
                bottom_px: css(summary.plot_bottom_px),
                lo: summary.y_lo,
                hi: summary.y_hi,
            },
        }
    }
}

/// An error spike on a chart: a button over its window that opens the window's traces.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeMark {
    pub from_secs: i64,
    pub to_secs: i64,
    pub style: String,
    pub title: String,
}

/// The spikes of the overall error series ([`OVERALL_ERROR_SERIES`]) of `loaded` above the
/// panel's first threshold (the SLO), placed on `axis`; `offset_at` is the UTC offset at a time.
pub fn spike_marks(spec: &PanelSpec, loaded: &Loaded, axis: &TimeAxis, offset_at: impl Fn(f64) -> i64) -> Vec<SpikeMark> {
    let points: Vec<(f64, f64)> = loaded
        .series
        .iter()
        .find(|s| OVERALL_ERROR_SERIES.contains(&s.name.as_str()))
        .map(|s| s.points.iter().map(|p| (p.t_secs, p.value)).collect())
        .unwrap_or_default();
    let slo = spec.thresholds.first().map_or(0.0, |t| t.0);
    let spikes = detect_spikes(&points, slo, SPIKE_MULTIPLE, SPIKE_BASELINE_WINDOW_SECS, SPIKE_MIN_PEAK_SLO_MULTIPLE * slo);
    let x = |t: f64| axis.x_at(t.clamp(axis.start_secs, axis.end_secs)).unwrap_or(axis.left_px);
    spikes
        .iter()
        .map(|spike| {
            let (from_secs, to_secs) = drill_window(spike, loaded.window.rate_window_secs as f64);
            let (left, right) = (x(from_secs as f64), x(to_secs as f64));
            SpikeMark {
                from_secs,
                to_secs,
                style: extent_css(left, (right - left).max(6.0)),
                title: spike.title(spec.unit, offset_at(spike.peak_t_secs)),
            }
        })
        .collect()
}

/// A dot of the trace scatter: a button at a trace's start and duration.
#[derive(Debug, Clone, PartialEq)]
pub struct DotMark {
    pub trace_id: String,
    /// `dot`, `dot error` (a trace with an error span) or `dot exemplar`.
    pub class: &'static str,
    pub style: String,
    pub title: String,
}

/// The `dots` that fall on the plot, placed on its axes.
pub fn dot_marks(dots: &[Dot], axis: &TimeAxis, values: &ValueAxis, offset_at: impl Fn(f64) -> i64) -> Vec<DotMark> {
    dots.iter()
        .filter_map(|dot| {
            let (x, y) = (axis.x_at(dot.t_secs)?, values.y_at(dot.duration_secs)?);
            Some(DotMark {
                trace_id: dot.trace_id.clone(),
                class: match (dot.error, dot.exemplar) {
                    (_, true) => "dot exemplar",
                    (true, false) => "dot error",
                    (false, false) => "dot",
                },
                style: format!("left: {}px; top: {}px", x.round() as i64, y.round() as i64),
                title: dot_title(dot, offset_at(dot.t_secs)),
            })
        })
        .collect()
}

// Markup of the lists a panel shows (legend, table, marks): each is one string set as its
// container's `innerHTML` (see `core::html`: escaped by construction); a click or Enter on a
// row is handled once by the container, which reads the row's `data-*`.

/// The legend's rows: each focusable, `data-series-name` (what a click isolates) and
/// `data-last` (the last value as a number).
pub fn legend_html(rows: &[LegendRow]) -> String {
    let mut h = Html::new();
    for r in rows {
        let last = r.last_raw.map(|v| v.to_string());
        h.open(
            "tr",
            &[
                ("class", r.selected.then_some("selected")),
                ("data-series-name", Some(&r.name)),
                ("data-last", last.as_deref()),
                ("tabindex", Some("0")),
            ],
        );
        h.open_class("td", "name").open("span", &[("class", Some("swatch")), ("style", Some(&r.swatch_css))]);
        h.close("span").text(&r.name).close("td");
        for figure in [&r.last, &r.min, &r.max, &r.mean] {
            h.elem("td", "num", figure);
        }
        h.close("tr");
    }
    h.into_string()
}

/// The table's rows, then the "N more" row if some were left out.
pub fn table_html(table: &TableView) -> String {
    let mut h = Html::new();
    for [handler, status, replica, count] in &table.rows {
        h.open("tr", &[]).elem("td", "", handler).elem("td", "", status).elem("td", "", replica);
        h.elem("td", "num", count).close("tr");
    }
    if let Some(more) = &table.more {
        h.open_class("tr", "more").open("td", &[("colspan", Some("4"))]).text(more).close("td").close("tr");
    }
    h.into_string()
}

/// The spikes as buttons over their windows (`data-from`/`data-to`: the window they open).
pub fn spikes_html(marks: &[SpikeMark]) -> String {
    let mut h = Html::new();
    for m in marks {
        let (from, to) = (m.from_secs.to_string(), m.to_secs.to_string());
        h.open(
            "button",
            &[
                ("class", Some("spike")),
                ("data-from", Some(&from)),
                ("data-to", Some(&to)),
                ("style", Some(&m.style)),
                ("title", Some(&m.title)),
                ("aria-label", Some(&m.title)),
            ],
        )
        .close("button");
    }
    h.into_string()
}

/// The trace scatter's dots as buttons (`data-trace-id`: the trace they open).
pub fn dots_html(marks: &[DotMark]) -> String {
    let mut h = Html::new();
    for m in marks {
        h.open(
            "button",
            &[
                ("class", Some(m.class)),
                ("data-trace-id", Some(&m.trace_id)),
                ("style", Some(&m.style)),
                ("title", Some(&m.title)),
                ("aria-label", Some(&m.title)),
            ],
        )
        .close("button");
    }
    h.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_on_a_hidpi_canvas_maps_back_to_css_pixels() {
        let summary = DrawSummary {
            series_drawn: 2,
            points_drawn: 10,
            plot_left_px: 100,
            plot_right_px: 900,
            plot_top_px: 20,
            plot_bottom_px: 420,
            y_lo: 0.0,
            y_hi: 5.0,
        };
        let window = query_window(TimeRange::new(3_600.0, 7_200.0).unwrap(), 800, 15);
        let d = Drawn::new(&summary, 2.0, &window, Vec::new(), 3);
        assert_eq!((d.series, d.hidden), (2, 3));
        assert_eq!((d.axis.left_px, d.axis.right_px, d.values.top_px, d.values.bottom_px), (50.0, 450.0, 10.0, 210.0));
        assert_eq!((d.axis.start_secs, d.axis.end_secs), (window.start_secs, window.end_secs));
        assert_eq!(d.step_secs, window.step.secs() as f64);
        assert_eq!((d.values.lo, d.values.hi), (0.0, 5.0));
    }

    #[test]
    fn legend_markup_escapes_names_and_marks_the_isolated_row() {
        let row = |name: &str, selected| LegendRow {
            name: name.to_owned(),
            swatch_css: "background: rgb(1,2,3)".to_owned(),
            last_raw: Some(2.5),
            last: "2.5".to_owned(),
            min: "1".to_owned(),
            max: "3".to_owned(),
            mean: "2".to_owned(),
            selected,
        };
        let html = legend_html(&[row("<script>", true), row("b", false)]);
        assert_eq!(
            html,
            "<tr class=\"selected\" data-series-name=\"&lt;script&gt;\" data-last=\"2.5\" tabindex=\"0\">\
             <td class=\"name\"><span class=\"swatch\" style=\"background: rgb(1,2,3)\"></span>&lt;script&gt;</td>\
             <td class=\"num\">2.5</td><td class=\"num\">1</td><td class=\"num\">3</td><td class=\"num\">2</td></tr>\
             <tr data-series-name=\"b\" data-last=\"2.5\" tabindex=\"0\">\
             <td class=\"name\"><span class=\"swatch\" style=\"background: rgb(1,2,3)\"></span>b</td>\
             <td class=\"num\">2.5</td><td class=\"num\">1</td><td class=\"num\">3</td><td class=\"num\">2</td></tr>"
        );
        let no_value = LegendRow { last_raw: None, ..row("c", false) };
        assert!(!legend_html(&[no_value]).contains("data-last"));
    }

    #[test]
    fn table_markup_ends_with_the_more_row() {
        let table = TableView {
            rows: vec![["/search".to_owned(), "500".to_owned(), "eu-west 10.0.0.1:8000".to_owned(), "12".to_owned()]],
            more: Some("3 more".to_owned()),
        };
        assert_eq!(
            table_html(&table),
            "<tr><td>/search</td><td>500</td><td>eu-west 10.0.0.1:8000</td><td class=\"num\">12</td></tr>\
             <tr class=\"more\"><td colspan=\"4\">3 more</td></tr>"
        );
        assert_eq!(table_html(&TableView { rows: Vec::new(), more: None }), "");
    }

    #[test]
    fn marks_markup_carries_what_a_click_opens() {
        let spike = SpikeMark { from_secs: 10, to_secs: 70, style: "left: 1px".to_owned(), title: "a \"spike\"".to_owned() };
        assert_eq!(
            spikes_html(&[spike]),
            "<button class=\"spike\" data-from=\"10\" data-to=\"70\" style=\"left: 1px\" \
             title=\"a &quot;spike&quot;\" aria-label=\"a &quot;spike&quot;\"></button>"
        );
        let dot = DotMark { trace_id: "abc".to_owned(), class: "dot error", style: "left: 2px".to_owned(), title: "t".to_owned() };
        assert_eq!(
            dots_html(&[dot]),
            "<button class=\"dot error\" data-trace-id=\"abc\" style=\"left: 2px\" title=\"t\" aria-label=\"t\"></button>"
        );
    }
    use crate::core::panels::{ERRORS_BY_HANDLER, ERROR_RATE, INDEX_SIZE, IN_FLIGHT, LATENCY, REQUEST_RATE, SEARCHES};
    use crate::core::prom::{Labels, Point};

    fn range() -> TimeRange {
        TimeRange::new(1_800_000_000.0, 1_800_003_600.0).unwrap()
    }

    fn prometheus() -> PrometheusConfig {
        let cfg = r#"{"prometheus":{"url":"/p","job":"arrwdb","scrape_interval_secs":10}}"#;
        crate::core::config::parse_config(cfg).unwrap().prometheus
    }

    fn ask(spec: &'static PanelSpec) -> Ask {
        Ask::new(spec, &MetricNames::assumed(), &prometheus(), &ViewState::default(), range(), 1_000).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn series(pairs: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series {
            labels: labels(pairs),
            points: points.iter().map(|&(t_secs, value)| Point { t_secs, value }).collect(),
            ..Default::default()
        }
    }

    fn sample(pairs: &[(&str, &str)], value: f64) -> InstantSample {
        InstantSample {
            labels: labels(pairs),
            point: Point { t_secs: 0.0, value },
            histogram: None,
        }
    }

    fn loaded(spec: &'static PanelSpec, answers: Vec<Answered>) -> Loaded {
        match outcome(&ask(spec), answers, Vec::new()) {
            Outcome::Loaded(l) => l,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_replica_that_is_down_is_named_under_the_in_flight_chart() {
        let lines = series(&[("cluster", "eu-west"), ("instance", "a:1")], &[(1_800_000_000.0, 3.0)]);
        let down = vec![
            sample(&[("cluster", "us-east"), ("instance", "c:1"), ("job", "arrwdb")], 0.0),
            sample(&[("cluster", "eu-west"), ("instance", "b:1"), ("job", "arrwdb")], 1.0),
        ];
        let requests = ask(&IN_FLIGHT).requests("/p");
        assert!(requests[1].0.starts_with("/p/api/v1/query?query=%28up"), "an instant query of up: {requests:?}");
        let l = loaded(&IN_FLIGHT, vec![Answered::Matrix(vec![lines]), Answered::Vector(down)]);
        assert_eq!(
            l.notes,
            [
                "Replica us-east c:1 is down at the end of the range (up = 0).",
                "Replica eu-west b:1 is down at the end of the range (no longer scraped)."
            ]
        );
        assert_eq!(l.series.len(), 1, "the down query draws nothing");
        let all_up = loaded(&IN_FLIGHT, vec![Answered::Matrix(vec![series(&[("instance", "a:1")], &[(1_800_000_000.0, 3.0)])]), Answered::Vector(Vec::new())]);
        assert!(all_up.notes.is_empty());
    }

    /// "By replica": the overview panels ask one line per replica (cluster and address, ranked
    /// by the backend like every labelled chart) and name their lines so; the others, and
    /// the default view, are as they were.
    #[test]
    fn the_overview_panels_split_by_replica_when_the_view_asks() {
        let split = ViewState { by_replica: true, ..ViewState::default() };
        let ask_in = |spec: &'static PanelSpec, view: &ViewState| {
            Ask::new(spec, &MetricNames::assumed(), &prometheus(), view, range(), 1_000).unwrap()
        };
        for spec in [&REQUEST_RATE, &ERROR_RATE, &LATENCY] {
            let a = ask_in(spec, &split);
            assert_eq!(a.spec.id, spec.id);
            assert!(a.spec.legend_labels.ends_with(&["cluster", "instance"]), "{}", spec.id);
            assert!(a.spec.title.ends_with(" by replica"), "{}", a.spec.title);
            let per_replica = a.queries.iter().find(|q| q.role == (Role::Lines { legend: "" })).unwrap();
            assert!(per_replica.promql.contains("sum by (cluster, instance) (rate(") || per_replica.promql.contains("sum by (le, cluster, instance) (rate("), "{}", per_replica.promql);
            assert!(per_replica.promql.contains("cluster, instance) topk(10, "), "ranked by the backend: {}", per_replica.promql);
            assert_eq!(ask_in(spec, &ViewState::default()).spec.title, spec.title, "the default view is the overall one");
        }
        // The error rate keeps its overall line, on which spikes are found.
        let errors = ask_in(&ERROR_RATE, &split);
        assert_eq!(errors.queries[0].role, Role::Lines { legend: OVERALL_ERROR_SERIES[0] });
        assert!(errors.spec.spike_markers);
        // Panels that have no by-replica form ignore the choice.
        assert_eq!(ask_in(&IN_FLIGHT, &split), ask_in(&IN_FLIGHT, &ViewState::default()));
        let line = series(&[("cluster", "eu-west"), ("instance", "a:1"), ("job", "arrwdb")], &[(1_800_000_000.0, 2.0)]);
        let Outcome::Loaded(l) = outcome(&ask_in(&REQUEST_RATE, &split), vec![Answered::Matrix(vec![line])], Vec::new()) else {
            panic!("loaded")
        };
        assert_eq!(l.series[0].name, "eu-west a:1");
    }

    /// Inspect says what was asked and what came back, every text escaped, one "Open in
    /// Prometheus" per query when a UI is configured, over the panel's own window and step.
    #[test]
    fn inspect_shows_the_queries_as_sent_and_what_came_back() {
        let answer = |v: f64| Answered::Matrix(vec![series(&[("le", "<script>")], &[(1_800_000_000.0, v), (1_800_000_060.0, v)])]);
        let mut l = loaded(&LATENCY, vec![answer(0.1), answer(0.2), answer(0.3)]);
        l.notes = vec!["warning: <partial>".into()];
        let ui = ("http://prom:9090".to_owned(), PrometheusUi::V2);
        let html = inspect_html(&l, None, Some(&ui));
        assert_eq!(html.matches("<pre class=\"promql\">").count(), 3, "{html}");
        assert_eq!(html.matches("data-link=\"prometheus\"").count(), 3, "{html}");
        let first = l.promql.lines().next().unwrap();
        let expected = prometheus_graph_link(&ui.0, ui.1, first, l.window.end_secs, 3_600, l.window.step).unwrap();
        assert!(html.contains(Html::new().text(&expected).as_str()), "{html}");
        assert!(html.contains("<dt>Answer</dt><dd>3 series, 6 points</dd>"), "{html}");
        assert!(html.contains("<dt>Warnings</dt><dd>warning: &lt;partial&gt;</dd>"), "{html}");
        assert!(html.contains(&format!("<dt>Step</dt><dd>{}</dd>", format_duration(l.window.step.secs()))), "{html}");
        assert!(html.contains(" (1 h)</dd>"), "{html}");
        assert!(!html.contains("<script>") && !html.contains("<partial>"));
        assert!(html.ends_with("<button type=\"button\" data-action=\"copy-promql\">Copy PromQL</button><button type=\"button\" data-action=\"download-csv\">Download CSV</button>"));
        // No UI configured: no link, the rest as before.
        assert!(!inspect_html(&l, None, None).contains("Open in Prometheus"));
    }

    #[test]
    fn charts_ask_ranges_and_tables_and_headlines_ask_the_end() {
        let a = ask(&SEARCHES);
        let requests = a.requests("http://p");
        assert_eq!(requests.len(), 2);
        assert!(requests[0].0.starts_with("http://p/api/v1/query_range?") && requests[0].1 == Expect::Matrix);
        assert!(requests[1].0.starts_with("http://p/api/v1/query?") && requests[1].1 == Expect::Vector);
        assert!(requests[1].0.ends_with(&format!("&time={}", a.window.end_secs as i64)));
        let table = ask(&ERRORS_BY_HANDLER).requests("");
        assert_eq!(table.len(), 1);
        assert_eq!(table[0].1, Expect::Vector);
        assert!(ask(&LATENCY).promql().lines().count() == 3);
    }

    #[test]
    fn loads_fold_into_data_that_keeps_the_last_answer_when_one_fails() {
        let l = loaded(&REQUEST_RATE, vec![Answered::Matrix(vec![series(&[("handler", "/a")], &[(0.0, 1.0)])])]);
        let ok: Result<Arc<Outcome>, PromError> = Ok(Arc::new(Outcome::Loaded(l)));
        let ready = PanelData::default().after(&ok).unwrap();
        assert_eq!(ready.status, Status::Ready);
        assert_eq!(ready.freshness(false), Freshness::Fresh);
        assert_eq!(ready.freshness(true), Freshness::Late);
        assert_eq!(ready.after(&Err(PromError::aborted())), None, "aborted: nothing changes");
        let failed = ready.after(&Err(PromError::decode("boom"))).unwrap();
        assert!(failed.last.is_some());
        assert_eq!(failed.freshness(false), Freshness::Failed);
        let text = message(&failed, false).unwrap();
        assert!(text.starts_with("Stale: the last refresh failed. "), "{text}");
        // Redrawing changes nothing of this: only a load that succeeds clears it.
        let c = contract(&REQUEST_RATE, &failed, Some(1), false);
        assert_eq!((c.state, c.stale, c.series), ("error", Some("failed"), Some(1)));
        assert_eq!(contract(&REQUEST_RATE, &ready, None, false).state, "loading", "not drawn yet");
        assert_eq!(contract(&REQUEST_RATE, &ready, Some(1), false).state, "ready");
        let empty = failed.after(&Ok(Arc::new(Outcome::Empty("No data in this range.".into())))).unwrap();
        assert_eq!((empty.last.is_none(), message(&empty, true).as_deref()), (true, Some("No data in this range.")));
        assert_eq!(message(&PanelData::default(), false).as_deref(), Some("Loading…"));
        assert_eq!(contract(&REQUEST_RATE, &PanelData::unaskable("no metric"), None, false).state, "empty");
    }

    #[test]
    fn an_empty_answer_says_so_in_the_panel_s_words() {
        let spec = &ERRORS_BY_HANDLER;
        assert_eq!(
            outcome(&ask(spec), vec![Answered::Vector(Vec::new())], Vec::new()),
            Outcome::Empty("No errors in this range.".into())
        );
        let spec = &REQUEST_RATE;
        assert_eq!(
            outcome(&ask(spec), vec![Answered::Matrix(vec![series(&[], &[])])], Vec::new()),
            Outcome::Empty("No data in this range.".into())
        );
    }

    #[test]
    fn the_table_shows_its_limit_and_counts_the_rest() {
        let samples: Vec<InstantSample> = (0..23)
            .map(|i| sample(&[("handler", &format!("/h{i}")), ("status", "500"), ("cluster", "eu"), ("instance", "a:1")], 100.4 - i as f64))
            .collect();
        let l = loaded(&ERRORS_BY_HANDLER, vec![Answered::Vector(samples)]);
        let view = table_view(&l, Unit::Count, 20);
        assert_eq!(view.rows.len(), 20);
        assert_eq!(view.rows[0], ["/h0".to_owned(), "500".to_owned(), "eu a:1".to_owned(), "100".to_owned()]);
        assert_eq!(
            view.more.as_deref(),
            Some("3 more (the 20 largest are shown; narrow the range to see the rest)")
        );
        assert_eq!(contract(&ERRORS_BY_HANDLER, &PanelData { last: Some(Arc::new(l.clone())), status: Status::Ready }, None, false).series, Some(23));
        assert_eq!(table_view(&l, Unit::Count, 30).more, None);
    }

    #[test]
    fn isolation_stacking_and_the_legend() {
        let many: Vec<Series> = (0..12)
            .map(|i| series(&[("handler", &format!("/h{i:02}"))], &[(0.0, i as f64), (10.0, i as f64 + 1.0)]))
            .collect();
        let l = loaded(&REQUEST_RATE, vec![Answered::Matrix(many)]);
        let (shown, hidden) = displayed(&l, None);
        assert_eq!((shown.len(), hidden), (MAX_SERIES, 2));
        assert_eq!(shown[0].name, "/h02", "the two quietest are hidden");
        assert_eq!(hidden_note(hidden).as_deref(), Some("2 series hidden (showing the 10 busiest)"));
        let (alone, hidden) = displayed(&l, Some("/h00"));
        assert_eq!((alone.len(), hidden, alone[0].name.as_str()), (1, 0, "/h00"));
        let (all, _) = displayed(&l, Some("gone"));
        assert_eq!(all.len(), MAX_SERIES, "an isolation not in the answer shows the rest");
        let stacked = drawn_series(&shown[..2], true);
        assert_eq!(stacked[1].points[1].value, 3.0 + 4.0);
        assert_eq!(drawn_series(&shown[..2], false), shown[..2].to_vec());
        let rows = legend(Unit::PerSecond, &alone, Some("/h00"));
        assert_eq!(rows[0].last_raw, Some(1.0));
        assert!(rows[0].selected && rows[0].swatch_css.starts_with("background: rgb("));
    }

    /// A chart whose series are named by labels asks the backend for its busiest ten and a
    /// count of them all: the answer's count series is not drawn, it says how many are hidden.
    #[test]
    fn the_backend_ranks_the_series_and_counts_the_rest() {
        let a = ask(&INDEX_SIZE);
        let q = &a.queries[0].promql;
        let inner = "sum by (library_id) (arrwdb_vector_index_size_bytes{job=\"arrwdb\"})";
        let range = (a.window.end_secs - a.window.start_secs).round() as u64;
        let rank = ranking_step_secs(range, a.window.step.secs());
        assert_eq!(
            *q,
            format!(
                "({inner}) and on (library_id) topk(10, avg_over_time(({inner})[{range}s:{rank}s] @ end())) \
                 or label_replace(count(last_over_time(({inner})[{range}s:{rank}s] @ end())), \"arrwdb_ops_series_count\", \"all\", \"\", \"\")"
            )
        );
        // About sixty samples of the window, on the step's grid.
        assert_eq!(ranking_step_secs(3_600, 10), 60);
        assert_eq!(ranking_step_secs(86_400, 60), 1_440);
        assert_eq!(ranking_step_secs(3_610, 10), 70, "a multiple of the step, never fewer than sixty");
        assert_eq!(ranking_step_secs(300, 10), 10, "never finer than the step");
        // Named lines (the latency quantiles) are asked as they are.
        assert!(ask(&LATENCY).queries.iter().all(|q| !q.promql.contains("topk")));
        let sent: Vec<Series> = (0..3)
            .map(|i| series(&[("library_id", &format!("lib{i}"))], &[(0.0, 1.0)]))
            .chain([series(&[(SERIES_COUNT_LABEL, "all")], &[(0.0, 5_000.0), (10.0, 50_000.0), (20.0, f64::NAN)])])
            .collect();
        let l = loaded(&INDEX_SIZE, vec![Answered::Matrix(sent)]);
        assert_eq!((l.series.len(), l.series_counted), (3, 50_000));
        assert!(l.series.iter().all(|s| s.name.starts_with("lib")), "the count is not a line");
        assert_eq!(displayed(&l, None).1, 49_997);
        assert_eq!(displayed(&l, Some("lib1")).1, 0, "one series isolated: nothing is said hidden");
    }

    #[test]
    fn the_tooltip_says_there_is_no_data_beyond_a_step() {
        let l = loaded(
            &ERROR_RATE,
            vec![
                Answered::Matrix(vec![series(&[], &[(1_000.0, 0.5), (1_010.0, f64::NAN)])]),
                Answered::Matrix(vec![series(&[("handler", "/a")], &[(2_000.0, 0.25)])]),
            ],
        );
        let text = tooltip(1_000.0, &l.series, Unit::Ratio, 0, 10.0);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("all handlers: 50"), "{text}");
        assert_eq!(lines[2], "/a: –");
        assert!(tooltip(1_010.0, &l.series, Unit::Ratio, 0, 10.0).contains("all handlers: –"), "NaN is no value");
    }

    #[test]
    fn headlines_notes_and_marks() {
        let l = Loaded {
            notes: vec!["PromQL info: x".into()],
            ..loaded(
                &SEARCHES,
                vec![
                    Answered::Matrix(vec![series(&[("index_type", "hnsw")], &[(0.0, 1.0)])]),
                    Answered::Vector(vec![sample(&[], 0.012)]),
                ],
            )
        };
        assert_eq!(headline(&l), "search p95: 12 ms");
        // The CSV asks again for the drawn series only, over the same window, not the headline.
        let urls = l.csv_urls("http://prom");
        assert_eq!(urls.len(), 1, "{urls:?}");
        assert!(urls[0].starts_with("http://prom/api/v1/query_range?query="), "{urls:?}");
        assert_eq!(urls[0], query_range_url("http://prom", &l.line_queries[0], &l.window));
        assert_eq!(notes(&l).as_deref(), Some("PromQL info: x"));
        let axis = TimeAxis { left_px: 0.0, right_px: 100.0, start_secs: 0.0, end_secs: 100.0 };
        let values = ValueAxis { top_px: 0.0, bottom_px: 100.0, lo: 0.0, hi: 1.0 };
        let dots = [
            Dot { trace_id: "a".into(), t_secs: 50.0, duration_secs: 0.5, error: true, exemplar: false },
            Dot { trace_id: "b".into(), t_secs: 500.0, duration_secs: 0.5, error: false, exemplar: true },
        ];
        let marks = dot_marks(&dots, &axis, &values, |_| 0);
        assert_eq!(marks.len(), 1, "off the plot: left out");
        assert_eq!((marks[0].class, marks[0].style.as_str()), ("dot error", "left: 50px; top: 50px"));
        assert_eq!(extent_css(10.4, 20.6), "left: 10px; width: 21px");
    }

    #[test]
    fn spikes_are_marked_over_their_drill_window() {
        let mut points: Vec<(f64, f64)> = (0..360).map(|i| (i as f64 * 10.0, 0.0001)).collect();
        for p in points.iter_mut().skip(300).take(3) {
            p.1 = 0.2;
        }
        let l = loaded(&ERROR_RATE, vec![Answered::Matrix(vec![series(&[], &points)]), Answered::Matrix(Vec::new())]);
        let axis = TimeAxis { left_px: 0.0, right_px: 360.0, start_secs: 0.0, end_secs: 3_600.0 };
        let marks = spike_marks(&ERROR_RATE, &l, &axis, |_| 0);
        assert_eq!(marks.len(), 1, "{marks:?}");
        assert!(marks[0].from_secs < 3_000 && marks[0].to_secs >= 3_020, "{marks:?}");
        assert!(spike_marks(&ERROR_RATE, &loaded(&REQUEST_RATE, vec![Answered::Matrix(vec![series(&[], &[(0.0, 1.0)])])]), &axis, |_| 0).is_empty());
    }
}
