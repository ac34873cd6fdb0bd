//! The metric families of a real arrwDB (prometheus_client 0.26 with
//! prometheus-fastapi-instrumentator 8.1, see shared/fixtures/arrwdb) and their one renderer.
//!
//! [`Exposition::of`] lays a [`Snapshot`] out as families, in the fixture's order, with the
//! fixture's names, help texts and labels. One set of functions turns a family's metrics into
//! sample lines; the three formats only differ in details, chosen by `Format`:
//!
//! | | text 0.0.4 (live `/metrics`, the default) | OpenMetrics (live `/metrics` when asked) | OpenMetrics (backfill) |
//! | --- | --- | --- | --- |
//! | counter family name | `x_total` | `x` (samples still `x_total`) | `x` (samples still `x_total`) |
//! | `_created` | separate gauge families, after each family | `x_created` samples after each metric's | left out (constant; the live scrape brings them) |
//! | numbers | as prometheus_client (`45.0`, `1.048576e+06`) | as prometheus_client | shortest (`45`, `1048576`) |
//! | timestamps | none | none | seconds, on every sample |
//! | exemplars | - | on `_bucket` lines of the HTTP latency histogram | - |
//! | end | - | `# EOF` | `# EOF` |
//!
//! The sample names are the same in all three, so Prometheus stores the same series whichever
//! it scrapes.

use std::fmt::Write as _;
use std::ops::Range;

use crate::config::SimConfig;
use crate::state::Snapshot;
use crate::traffic::{
    StatusClass, API_KEY_STATUSES, CACHE_STATUSES, DOCUMENT_OPERATIONS, DOCUMENT_OPERATION_STATUSES, HANDLERS,
    HTTP_DURATION_BOUNDS_SECS, LIBRARIES, SEARCH_DURATION_BOUNDS_SECS,
};

/// The Content-Type of the text format, as prometheus_client sends it.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The Content-Type of OpenMetrics, as prometheus_client sends it.
pub const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether a scrape's `Accept` header asks for OpenMetrics: as prometheus_client decides, when
/// one of the accepted media types is `application/openmetrics-text` (whatever its parameters).
pub fn accepts_openmetrics(accept: &str) -> bool {
    accept.split(',').any(|accepted| accepted.split(';').next().unwrap_or("").trim() == "application/openmetrics-text")
}

/// An exemplar of a histogram bucket: a traced request it counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// The request's trace id, 32 lowercase hex digits (its `trace_id` label).
    pub trace_id_hex: String,
    /// The request's latency in seconds.
    pub value_secs: f64,
    /// When the request ended (unix nanoseconds).
    pub timestamp_ns: u64,
}

/// Exemplars by the index of the value they belong to in [`Exposition::values`] (a bucket's).
pub type Exemplars = std::collections::BTreeMap<usize, Exemplar>;

/// `process_max_fds` of the simulated process.
const MAX_FDS: f64 = 20_000.0;

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FamilyKind {
    /// One value per metric, exported as `<name>_total`.
    Counter,
    /// One value per metric.
    Gauge,
    /// Cumulative buckets for `bounds_secs` (then `+Inf`), count and sum.
    Histogram {
        /// The finite `le` bounds.
        bounds_secs: &'static [f64],
    },
    /// Count and sum (the instrumentator's size summaries have no quantiles).
    Summary,
}

impl FamilyKind {
    /// How many values a metric of this kind has.
    fn value_count(self) -> usize {
        match self {
            FamilyKind::Counter | FamilyKind::Gauge => 1,
            FamilyKind::Histogram { bounds_secs } => bounds_secs.len() + 2,
            FamilyKind::Summary => 2,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            FamilyKind::Counter => "counter",
            FamilyKind::Gauge => "gauge",
            FamilyKind::Histogram { .. } => "histogram",
            FamilyKind::Summary => "summary",
        }
    }
}

/// One labelled metric of a family; its values are `Exposition::values[values]`: one for a
/// counter or gauge; cumulative buckets, count and sum for a histogram; count and sum for a
/// summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Label pairs (rendered sorted by name, as prometheus_client does).
    pub labels: Vec<(&'static str, &'static str)>,
    /// Where its values are.
    pub values: Range<usize>,
}

/// A metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family name as prometheus_client knows it (a counter's without `_total`).
    pub name: &'static str,
    /// The help text.
    pub help: &'static str,
    /// The type.
    pub kind: FamilyKind,
    /// Whether prometheus_client exports a `<name>_created` gauge family for it.
    pub has_created: bool,
    /// The metrics, in prometheus_client's order (first use).
    pub metrics: Vec<Metric>,
}

/// The families of the process at a moment, with their values.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposition {
    /// The value of every `_created` series (the process start, unix seconds).
    pub created_unix: u64,
    /// The families, in the fixture's order.
    pub families: Vec<Family>,
    /// The values of all metrics, in order.
    pub values: Vec<f64>,
}

/// Which of the three output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Prometheus text format 0.0.4, as prometheus_client writes it.
    Text,
    /// OpenMetrics 1.0 text, as prometheus_client writes it for a scrape that asks for it.
    OpenMetrics,
    /// OpenMetrics 1.0 text, with timestamps and the shortest numbers, for
    /// `promtool tsdb create-blocks-from openmetrics`.
    OpenMetricsBackfill,
}

struct Builder {
    families: Vec<Family>,
    values: Vec<f64>,
}

impl Builder {
    fn family(&mut self, name: &'static str, help: &'static str, kind: FamilyKind, has_created: bool) {
        self.families.push(Family { name, help, kind, has_created, metrics: Vec::new() });
    }

    fn metric(&mut self, labels: &[(&'static str, &'static str)], values: &[f64]) {
        let family = self.families.last_mut().expect("a family first");
        debug_assert_eq!(values.len(), family.kind.value_count(), "{}", family.name);
        let start = self.values.len();
        self.values.extend_from_slice(values);
        family.metrics.push(Metric { labels: labels.to_vec(), values: start..self.values.len() });
    }
}

/// The ids of the first `count` bulk libraries (`bulk00000`…), made once per process (a
/// process has one configuration) and kept, as the exposition's labels are `'static`.
fn bulk_library_ids(count: u32) -> &'static [&'static str] {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let ids = IDS.get_or_init(|| (0..count).map(|i| &*Box::leak(format!("bulk{i:05}").into_boxed_str())).collect());
    &ids[..ids.len().min(count as usize)]
}

/// A bulk library's constant index size: 1 MB and 100 kB more per library, so no two are
/// equal (a ranking of them has no ties).
fn bulk_index_size_bytes(i: usize) -> f64 {
    1e6 + 1e5 * i as f64
}

fn histogram_values<const N: usize>(cumulative: &[u64; N], count: u64, sum_secs: f64) -> Vec<f64> {
    cumulative.iter().map(|c| *c as f64).chain([count as f64, sum_secs]).collect()
}

impl Exposition {
    /// The families of `snapshot`, as a real arrwDB would export them.
    pub fn of(config: &SimConfig, snapshot: &Snapshot) -> Exposition {
        let totals = &snapshot.totals;
        let gauges = &snapshot.gauges;
        let mut b = Builder { families: Vec::with_capacity(24), values: Vec::with_capacity(640) };
        const GENERATIONS: [&str; 3] = ["0", "1", "2"];

        // prometheus_client's default collectors: the GC counters grow with the work done.
        let gc_collections = {
            let gen0 = 151 + totals.requests() / 9;
            let gen1 = 13 + gen0 / 11;
            [gen0, gen1, 1 + gen1 / 11]
        };
        b.family("python_gc_objects_collected", "Objects collected during gc", FamilyKind::Counter, false);
        for (generation, (collections, per_collection)) in
            GENERATIONS.iter().zip(gc_collections.iter().zip([46, 58, 1_210]))
        {
            b.metric(&[("generation", generation)], &[(collections * per_collection) as f64]);
        }
        b.family(
            "python_gc_objects_uncollectable",
            "Uncollectable objects found during GC",
            FamilyKind::Counter,
            false,
        );
        for generation in &GENERATIONS {
            b.metric(&[("generation", generation)], &[0.0]);
        }
        b.family("python_gc_collections", "Number of times this generation was collected", FamilyKind::Counter, false);
        for (generation, collections) in GENERATIONS.iter().zip(gc_collections) {
            b.metric(&[("generation", generation)], &[collections as f64]);
        }
        b.family("python_info", "Python platform information", FamilyKind::Gauge, false);
        b.metric(
            &[
                ("implementation", "CPython"),
                ("major", "3"),
                ("minor", "11"),
                ("patchlevel", "7"),
                ("version", "3.11.7"),
            ],
            &[1.0],
        );
        b.family("process_virtual_memory_bytes", "Virtual memory size in bytes.", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.process_virtual_memory_bytes]);
        b.family("process_resident_memory_bytes", "Resident memory size in bytes.", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.process_resident_memory_bytes]);
        b.family(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            FamilyKind::Gauge,
            false,
        );
        b.metric(&[], &[config.start_unix as f64]);
        b.family("process_cpu_seconds", "Total user and system CPU time spent in seconds.", FamilyKind::Counter, false);
        b.metric(&[], &[(totals.process_cpu_secs * 100.0).round() / 100.0]);
        b.family("process_open_fds", "Number of open file descriptors.", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.process_open_fds as f64]);
        b.family("process_max_fds", "Maximum number of open file descriptors.", FamilyKind::Gauge, false);
        b.metric(&[], &[MAX_FDS]);

        // arrwDB's own metrics (app/api/metrics.py), in registration order.
        let search_bounds = FamilyKind::Histogram { bounds_secs: &SEARCH_DURATION_BOUNDS_SECS };
        b.family("arrwdb_search_duration_seconds", "Search operation duration", search_bounds, true);
        for (library, search) in LIBRARIES.iter().zip(&totals.searches) {
            b.metric(
                &[("index_type", library.index_type), ("library_id", library.id)],
                &histogram_values(&search.cumulative, search.count, search.sum_secs),
            );
        }
        b.family("arrwdb_document_operations", "Document operations", FamilyKind::Counter, true);
        for (library, operations) in LIBRARIES.iter().zip(&totals.documents) {
            for (operation, statuses) in DOCUMENT_OPERATIONS.iter().zip(operations) {
                for (status, count) in DOCUMENT_OPERATION_STATUSES.iter().zip(statuses) {
                    b.metric(
                        &[("library_id", library.id), ("operation", operation), ("status", status)],
                        &[*count as f64],
                    );
                }
            }
        }
        b.family("arrwdb_vector_index_size_bytes", "Size of vector index in memory", FamilyKind::Gauge, false);
        for (library, size) in LIBRARIES.iter().zip(gauges.index_size_bytes) {
            b.metric(&[("index_type", library.index_type), ("library_id", library.id)], &[size]);
        }
        if config.replica_index == 0 {
            for (i, id) in bulk_library_ids(config.bulk_libraries).iter().enumerate() {
                b.metric(&[("index_type", "flat"), ("library_id", id)], &[bulk_index_size_bytes(i)]);
            }
        }
        b.family("arrwdb_active_libraries_total", "Number of active libraries", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.active_libraries as f64]);
        b.family("arrwdb_embedding_cache_hits", "Embedding cache hit/miss", FamilyKind::Counter, true);
        for (status, count) in CACHE_STATUSES.iter().zip(totals.cache) {
            b.metric(&[("status", status)], &[count as f64]);
        }
        b.family("arrwdb_api_key_validations", "API key validation results", FamilyKind::Counter, true);
        for (status, count) in API_KEY_STATUSES.iter().zip(totals.api_keys) {
            b.metric(&[("status", status)], &[count as f64]);
        }
        b.family("arrwdb_cpu_usage_percent", "CPU usage percentage", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.cpu_percent]);
        b.family("arrwdb_memory_usage_bytes", "Memory usage in bytes", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.memory_bytes]);
        b.family("arrwdb_disk_usage_percent", "Disk usage percentage", FamilyKind::Gauge, false);
        b.metric(&[], &[gauges.disk_percent]);

        // The instrumentator's metrics, in the order they were added.
        let http_series = || {
            (0..HANDLERS.len())
                .flat_map(|h| StatusClass::ALL.iter().enumerate().map(move |(s, status)| (h, s, *status)))
        };
        b.family("arrwdb_http_http_request_size_bytes", "Content bytes of requests.", FamilyKind::Summary, true);
        for (h, s, status) in http_series() {
            let series = &totals.http[h][s];
            b.metric(&http_labels(h, status), &[series.duration.count as f64, series.request_bytes_sum]);
        }
        b.family("arrwdb_http_http_response_size_bytes", "Content bytes of responses.", FamilyKind::Summary, true);
        for (h, s, status) in http_series() {
            let series = &totals.http[h][s];
            b.metric(&http_labels(h, status), &[series.duration.count as f64, series.response_bytes_sum]);
        }
        let http_bounds = FamilyKind::Histogram { bounds_secs: &HTTP_DURATION_BOUNDS_SECS };
        b.family(HTTP_DURATION_FAMILY, "Duration of HTTP requests in seconds", http_bounds, true);
        for (h, s, status) in http_series() {
            let d = &totals.http[h][s].duration;
            b.metric(&http_labels(h, status), &histogram_values(&d.cumulative, d.count, d.sum_secs));
        }
        b.family(
            "arrwdb_http_http_requests",
            "Total number of requests by method, status and handler.",
            FamilyKind::Counter,
            true,
        );
        for (h, s, status) in http_series() {
            b.metric(&http_labels(h, status), &[totals.http[h][s].duration.count as f64]);
        }
        b.family("arrwdb_requests_inprogress", "Number of HTTP requests in progress.", FamilyKind::Gauge, false);
        for (handler, in_progress) in HANDLERS.iter().zip(gauges.requests_in_progress) {
            b.metric(&[("handler", handler.route), ("method", handler.method)], &[in_progress as f64]);
        }

        Exposition { created_unix: config.start_unix, families: b.families, values: b.values }
    }

    /// The text format 0.0.4 body of `GET /metrics`, byte for byte as prometheus_client would
    /// write these values.
    pub fn render_text(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        for family in &self.families {
            write_family_header(&mut out, family, Format::Text);
            for metric in &family.metrics {
                let lines = sample_lines(family, metric, &[]);
                write_point(&mut out, &lines, &self.values[metric.values.clone()], Format::Text, None, |_| None);
            }
            if family.has_created {
                let name = format!("{}_created", family.name);
                let _ = writeln!(out, "# HELP {name} {}", escape_help(family.help, Format::Text));
                let _ = writeln!(out, "# TYPE {name} gauge");
                for metric in &family.metrics {
                    self.write_created(&mut out, family, metric);
                }
            }
        }
        out
    }

    /// The OpenMetrics body of `GET /metrics` for a scrape that asks for it, as
    /// prometheus_client would write these values, with `exemplars` on their buckets' lines.
    pub fn render_openmetrics(&self, exemplars: &Exemplars) -> String {
        let mut out = String::with_capacity(80 * 1024);
        for family in &self.families {
            write_family_header(&mut out, family, Format::OpenMetrics);
            for metric in &family.metrics {
                let lines = sample_lines(family, metric, &[]);
                let start = metric.values.start;
                write_point(&mut out, &lines, &self.values[metric.values.clone()], Format::OpenMetrics, None, |i| {
                    exemplars.get(&(start + i))
                });
                if family.has_created {
                    self.write_created(&mut out, family, metric);
                }
            }
        }
        out.push_str("# EOF\n");
        out
    }

    /// The `<name>_created` sample of `metric`.
    fn write_created(&self, out: &mut String, family: &Family, metric: &Metric) {
        let prefix = sample_prefix(&format!("{}_created", family.name), &metric.labels, None, &[]);
        let _ = writeln!(out, "{prefix} {}", format_float_like_prometheus_client(self.created_unix as f64));
    }

    /// Where the count of bucket `bucket` (an index into `HTTP_DURATION_BOUNDS_SECS`, its length
    /// for `+Inf`) of the HTTP latency histogram of (`handler`, `status`) is in [`Exposition::values`].
    pub fn http_duration_bucket_index(&self, handler: usize, status: StatusClass, bucket: usize) -> Option<usize> {
        let family = self.families.iter().find(|f| f.name == HTTP_DURATION_FAMILY)?;
        let wanted = http_labels(handler, status);
        let metric = family.metrics.iter().find(|m| m.labels == wanted)?;
        (bucket <= HTTP_DURATION_BOUNDS_SECS.len()).then_some(metric.values.start + bucket)
    }
}

/// The family of the HTTP latency histogram.
const HTTP_DURATION_FAMILY: &str = "arrwdb_http_http_request_duration_seconds";

/// The labels of the instrumentator's series of (`handler`, `status`).
fn http_labels(handler: usize, status: StatusClass) -> [(&'static str, &'static str); 3] {
    [("handler", HANDLERS[handler].route), ("method", HANDLERS[handler].method), ("status", status.label())]
}

/// One sample line of a metric point, before its value: the full sample name with its label
/// block, and which of the metric's values it shows.
pub(crate) struct SampleLine {
    pub(crate) prefix: String,
    pub(crate) value_index: usize,
    /// Whether it is a histogram bucket's (the lines that carry exemplars).
    pub(crate) is_bucket: bool,
}

/// The sample lines of one metric point. `extra_labels` are added to every line (the backfill
/// adds the `job` and `instance` that Prometheus would attach when scraping).
pub(crate) fn sample_lines(family: &Family, metric: &Metric, extra_labels: &[(&str, &str)]) -> Vec<SampleLine> {
    let line = |suffix: &str, le: Option<&str>, value_index: usize| SampleLine {
        prefix: sample_prefix(
            &format!("{}{suffix}", family.name),
            &metric.labels,
            le.map(|le| ("le", le)),
            extra_labels,
        ),
        value_index,
        is_bucket: le.is_some(),
    };
    match family.kind {
        FamilyKind::Counter => vec![line("_total", None, 0)],
        FamilyKind::Gauge => vec![line("", None, 0)],
        FamilyKind::Histogram { bounds_secs } => {
            let n = bounds_secs.len();
            let mut lines: Vec<SampleLine> = bounds_secs
                .iter()
                .enumerate()
                .map(|(i, bound)| line("_bucket", Some(&format_float_like_prometheus_client(*bound)), i))
                .collect();
            lines.push(line("_bucket", Some("+Inf"), n));
            lines.push(line("_count", None, n));
            lines.push(line("_sum", None, n + 1));
            lines
        }
        FamilyKind::Summary => vec![line("_count", None, 0), line("_sum", None, 1)],
    }
}

/// `name{a="1",b="2"}` with the labels sorted by name (prometheus_client sorts them, which
/// puts `le` between the others).
fn sample_prefix(
    name: &str,
    labels: &[(&str, &str)],
    le: Option<(&str, &str)>,
    extra_labels: &[(&str, &str)],
) -> String {
    let mut all: Vec<(&str, &str)> = labels.iter().chain(le.iter()).chain(extra_labels).copied().collect();
    if all.is_empty() {
        return name.to_owned();
    }
    all.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(name.len() + 24 * all.len());
    out.push_str(name);
    out.push('{');
    for (i, (label, value)) in all.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{label}=\"{}\"", escape_label_value(value));
    }
    out.push('}');
    out
}

/// The `# HELP` and `# TYPE` lines of a family.
pub(crate) fn write_family_header(out: &mut String, family: &Family, format: Format) {
    let name = match (family.kind, format) {
        (FamilyKind::Counter, Format::Text) => format!("{}_total", family.name),
        _ => family.name.to_owned(),
    };
    let _ = writeln!(out, "# HELP {name} {}", escape_help(family.help, format));
    let _ = writeln!(out, "# TYPE {name} {}", family.kind.type_name());
}

/// The lines of one metric point (`values` are the metric's values at that moment); a bucket's
/// line carries `exemplar(value index in the metric)` if there is one.
pub(crate) fn write_point<'e>(
    out: &mut String,
    lines: &[SampleLine],
    values: &[f64],
    format: Format,
    timestamp_unix: Option<u64>,
    exemplar: impl Fn(usize) -> Option<&'e Exemplar>,
) {
    for line in lines {
        let value = values[line.value_index];
        out.push_str(&line.prefix);
        out.push(' ');
        match format {
            Format::Text | Format::OpenMetrics => out.push_str(&format_float_like_prometheus_client(value)),
            Format::OpenMetricsBackfill => push_compact_float(out, value),
        }
        if let Some(ts) = timestamp_unix {
            let _ = write!(out, " {ts}");
        }
        if let Some(e) = exemplar(line.value_index).filter(|_| line.is_bucket) {
            let nanos_per_milli = 1_000_000;
            let (secs, millis) = (e.timestamp_ns / 1_000_000_000, e.timestamp_ns % 1_000_000_000 / nanos_per_milli);
            let value = format_float_like_prometheus_client(e.value_secs);
            let _ = write!(out, " # {{trace_id=\"{}\"}} {value} {secs}.{millis:03}", e.trace_id_hex);
        }
        out.push('\n');
    }
}

/// Label values escape backslash, newline and double quote (both formats).
pub fn escape_label_value(value: &str) -> String {
    value.replace('\\', r"\\").replace('\n', r"\n").replace('"', r#"\""#)
}

/// Help texts escape backslash and newline; OpenMetrics also the double quote.
fn escape_help(help: &str, format: Format) -> String {
    let escaped = help.replace('\\', r"\\").replace('\n', r"\n");
    match format {
        Format::Text => escaped,
        Format::OpenMetrics | Format::OpenMetricsBackfill => escaped.replace('"', r#"\""#),
    }
}

/// A float as prometheus_client 0.26 writes it (`floatToGoString`): Python's `repr`, but
/// with an exponent from seven integer digits up, as Go would (`45.0`, `0.07069936399602739`,
/// `1.048576e+06`, `1.2250000509084202e-05`, `+Inf`).
pub fn format_float_like_prometheus_client(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let repr = python_float_repr(value);
    if value > 0.0 {
        if let Some(dot) = repr.find('.') {
            if dot > 6 {
                let mantissa = format!("{}.{}{}", &repr[..1], &repr[1..dot], &repr[dot + 1..]);
                let mantissa = mantissa.trim_end_matches(['0', '.']);
                return format!("{mantissa}e+0{}", dot - 1);
            }
        }
    }
    repr
}

/// Python's `repr(float)`: the shortest digits that read back to the same float, in fixed
/// notation for decimal exponents from -4 to 15 (always with a fractional part), otherwise in
/// scientific notation with a signed, at least two-digit exponent.
fn python_float_repr(value: f64) -> String {
    if value == 0.0 {
        return if value.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: "1.048576e6", "-7e-5".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            if digits.len() > int_len {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            } else {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            }
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exponent - 1) as usize))
        }
    } else {
        let fraction = if digits.len() > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        format!("{sign}{}{fraction}e{}{:02}", &digits[..1], if exponent < 0 { '-' } else { '+' }, exponent.abs())
    }
}

/// The shortest faithful form of a float, for the backfill file: integers without a
/// fractional part, others in the shorter of plain and scientific notation.
fn push_compact_float(out: &mut String, value: f64) {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let _ = write!(out, "{}", value as i64);
    } else if !value.is_finite() {
        out.push_str(&format_float_like_prometheus_client(value));
    } else {
        let plain = format!("{value}");
        let scientific = format!("{value:e}");
        out.push_str(if scientific.len() < plain.len() { &scientific } else { &plain });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64, expected: &str) {
        assert_eq!(format_float_like_prometheus_client(value), expected, "{value:?}");
    }

    #[test]
    fn floats_like_prometheus_client() {
        // Expected strings from CPython 3.11 + prometheus_client 0.26's floatToGoString.
        check(45.0, "45.0");
        check(0.0, "0.0");
        check(1_048_576.0, "1.048576e+06");
        check(2_147_483_648.0, "2.147483648e+09");
        check(1_795_538_033.61, "1.79553803361e+09");
        check(1_000_000.0, "1e+06");
        check(999_999.0, "999999.0");
        check(12_000_000_000.0, "1.2e+010");
        check(0.070_699_363_996_027_39, "0.07069936399602739");
        check(1.225_000_050_908_420_2e-5, "1.2250000509084202e-05");
        check(0.0001, "0.0001");
        check(1e16, "1e+16");
        check(1.5e17, "1.5e+17");
        check(-2.5, "-2.5");
        check(-1_048_576.0, "-1048576.0");
        check(37.5, "37.5");
        check(f64::INFINITY, "+Inf");
    }

    /// `--bulk-libraries`: the first replica's index-size family gains that many series, after
    /// the model's libraries; the other replicas' do not.
    #[test]
    fn bulk_libraries_are_series_of_the_index_size_family() {
        let config = SimConfig { bulk_libraries: 3, ..SimConfig::new(1_000, 1) };
        let mut simulator = crate::Simulator::new(config).unwrap();
        let text = Exposition::of(&config, &simulator.snapshot_at(2_000)).render_text();
        let family: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("arrwdb_vector_index_size_bytes{"))
            .collect();
        assert_eq!(family.len(), LIBRARIES.len() + 3, "{family:?}");
        assert_eq!(family[LIBRARIES.len()], "arrwdb_vector_index_size_bytes{index_type=\"flat\",library_id=\"bulk00000\"} 1e+06");
        assert!(family[LIBRARIES.len() + 2].contains("library_id=\"bulk00002\""));
        let other = config.replica(1, 2);
        let mut simulator = crate::Simulator::new(other).unwrap();
        let text = Exposition::of(&other, &simulator.snapshot_at(2_000)).render_text();
        assert!(!text.contains("bulk0"));
    }

    #[test]
    fn compact_floats() {
        for (value, expected) in [
            (45.0, "45"),
            (1_048_576.0, "1048576"),
            (0.25, "0.25"),
            (1.5e-7, "1.5e-7"),
            (1.795_538_034_214_603_4e9, "1795538034.2146034"),
        ] {
            let mut out = String::new();
            push_compact_float(&mut out, value);
            assert_eq!(out, expected);
            assert_eq!(out.parse::<f64>().unwrap(), value);
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value(r#"a\b"c"#.to_owned().as_str()), r#"a\\b\"c"#);
        assert_eq!(escape_label_value("x\ny"), r"x\ny");
        assert_eq!(
            sample_prefix("m", &[("z", "1"), ("a", "\"")], Some(("le", "0.5")), &[("job", "j")]),
            r#"m{a="\"",job="j",le="0.5",z="1"}"#
        );
    }
}
