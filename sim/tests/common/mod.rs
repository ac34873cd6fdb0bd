//! Test helpers: a strict parser of the Prometheus text format 0.0.4 and of OpenMetrics (as far
//! as the simulator uses them), and the few PromQL functions the alert rules need.
#![allow(dead_code)]

pub mod api;
pub mod http;
pub mod shape;

/// The simulator binary started with `args`: the child, and its stderr, where it says where it
/// listens.
pub struct Served {
    pub child: std::process::Child,
    stderr: std::io::BufReader<std::process::ChildStderr>,
}

impl Served {
    /// Starts `arrwdb-sim` with `args` (stdin and stdout closed, stderr read).
    pub fn start(args: &[&str]) -> Served {
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_arrwdb-sim"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        Served { child, stderr }
    }

    /// The address on the next stderr line, which must start with `prefix`.
    pub fn address_after(&mut self, prefix: &str) -> std::net::SocketAddr {
        use std::io::BufRead;
        let mut line = String::new();
        self.stderr.read_line(&mut line).unwrap();
        line.trim().strip_prefix(prefix).unwrap_or_else(|| panic!("expected {prefix:?}: {line:?}")).parse().unwrap()
    }
}

use std::collections::BTreeMap;

use arrwdb_sim::{Exposition, SimConfig, Simulator};

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// Label names in the order written.
    pub label_order: Vec<String>,
    pub value: f64,
    pub value_text: String,
    pub timestamp: Option<i64>,
    /// ` # {labels} value [timestamp]` after the value (OpenMetrics scrapes only).
    pub exemplar: Option<ParsedExemplar>,
}

/// An OpenMetrics exemplar.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedExemplar {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
    /// Unix seconds (OpenMetrics allows a fraction).
    pub timestamp: Option<f64>,
}

/// One family: `# HELP`, `# TYPE` and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFamily {
    pub name: String,
    pub kind: String,
    pub help: String,
    pub samples: Vec<Sample>,
}

/// Which grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    Text004,
    /// The backfill: OpenMetrics with a timestamp on every sample and no `_created`.
    OpenMetrics,
    /// A live OpenMetrics scrape: no timestamps, `_created` samples, exemplars on buckets.
    OpenMetricsScrape,
}

/// The sample names a family may have.
fn sample_name_allowed(family: &str, kind: &str, sample: &str, grammar: Grammar) -> bool {
    let suffix = sample.strip_prefix(family);
    if grammar == Grammar::OpenMetricsScrape && kind != "gauge" && suffix == Some("_created") {
        return true;
    }
    match (kind, grammar) {
        ("counter", Grammar::Text004) => sample == family,
        ("counter", _) => suffix == Some("_total"),
        ("gauge", _) => sample == family,
        ("histogram", _) => matches!(suffix, Some("_bucket" | "_count" | "_sum")),
        ("summary", _) => matches!(suffix, Some("_count" | "_sum")) || sample == family,
        _ => false,
    }
}

fn unescape(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('"') => out.push('"'),
                other => return Err(format!("bad escape \\{other:?} in {value:?}")),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text.parse().map_err(|_| format!("bad value {text:?}")),
    }
}

/// Label pairs and their order.
type Labels = (BTreeMap<String, String>, Vec<String>);

/// Parses `{a="1",b="2"}` at the start of `text` (in `line`); the labels and what follows.
fn parse_labels<'t>(text: &'t str, line: &str) -> Result<(Labels, &'t str), String> {
    let mut labels = BTreeMap::new();
    let mut label_order = Vec::new();
    let after_brace = text.strip_prefix('{').ok_or_else(|| format!("expected {{ in {line:?}"))?;
    let mut chars = after_brace.char_indices().peekable();
    let end = loop {
        // label name
        let mut label = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c == '=' || c == '}' {
                break;
            }
            label.push(c);
            chars.next();
        }
        match chars.next() {
            Some((i, '}')) if label.is_empty() => break i,
            Some((_, '=')) => {}
            _ => return Err(format!("bad labels in {line:?}")),
        }
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err(format!("unquoted label value in {line:?}"));
        }
        let mut raw = String::new();
        let mut escaped = false;
        loop {
            match chars.next() {
                Some((_, '\\')) if !escaped => {
                    escaped = true;
                    raw.push('\\');
                }
                Some((_, '"')) if !escaped => break,
                Some((_, c)) => {
                    escaped = false;
                    raw.push(c);
                }
                None => return Err(format!("unterminated label value in {line:?}")),
            }
        }
        if labels.insert(label.clone(), unescape(&raw)?).is_some() {
            return Err(format!("label {label} twice in {line:?}"));
        }
        label_order.push(label);
        match chars.next() {
            Some((_, ',')) => continue,
            Some((i, '}')) => break i,
            _ => return Err(format!("expected , or }} in {line:?}")),
        }
    };
    Ok(((labels, label_order), &after_brace[end + 1..]))
}

/// Parses ` # {labels} value [timestamp]` (OpenMetrics: the labels at most 128 characters).
fn parse_exemplar(text: &str, line: &str) -> Result<ParsedExemplar, String> {
    let ((labels, _), rest) = parse_labels(text, line)?;
    let length: usize = labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
    if length > 128 {
        return Err(format!("exemplar labels of {length} characters in {line:?}"));
    }
    let rest = rest.strip_prefix(' ').ok_or_else(|| format!("expected a space before the exemplar value: {line:?}"))?;
    let mut parts = rest.split(' ');
    let value = parse_value(parts.next().unwrap_or_default())?;
    let timestamp = match parts.next() {
        Some(ts) => Some(ts.parse().map_err(|_| format!("bad exemplar timestamp in {line:?}"))?),
        None => None,
    };
    if parts.next().is_some() {
        return Err(format!("trailing text after the exemplar in {line:?}"));
    }
    Ok(ParsedExemplar { labels, value, timestamp })
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let (name, rest) = match line.find(['{', ' ']) {
        Some(i) => line.split_at(i),
        None => return Err(format!("no value: {line:?}")),
    };
    let ((labels, label_order), rest) =
        if rest.starts_with('{') { parse_labels(rest, line)? } else { ((BTreeMap::new(), Vec::new()), rest) };
    let rest = rest.strip_prefix(' ').ok_or_else(|| format!("expected one space before the value: {line:?}"))?;
    let (rest, exemplar) = match rest.split_once(" # ") {
        Some((point, exemplar)) => (point, Some(parse_exemplar(exemplar, line)?)),
        None => (rest, None),
    };
    let mut parts = rest.split(' ');
    let value_text = parts.next().unwrap_or_default().to_owned();
    let value = parse_value(&value_text)?;
    let timestamp = match parts.next() {
        Some(ts) => Some(ts.parse().map_err(|_| format!("bad timestamp in {line:?}"))?),
        None => None,
    };
    if parts.next().is_some() {
        return Err(format!("trailing text in {line:?}"));
    }
    Ok(Sample { name: name.to_owned(), labels, label_order, value, value_text, timestamp, exemplar })
}

/// Parses an exposition strictly: every family has HELP then TYPE, every sample belongs to the
/// family above it, no family twice; OpenMetrics must end with `# EOF`.
pub fn parse(text: &str, grammar: Grammar) -> Result<Vec<ParsedFamily>, String> {
    let mut families: Vec<ParsedFamily> = Vec::new();
    let mut ended = false;
    for line in text.lines() {
        if ended {
            return Err(format!("text after # EOF: {line:?}"));
        }
        if line == "# EOF" {
            if grammar == Grammar::Text004 {
                return Err("# EOF in the text format".into());
            }
            ended = true;
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').ok_or_else(|| format!("bad HELP {line:?}"))?;
            if families.iter().any(|f| f.name == name) {
                return Err(format!("family {name} twice"));
            }
            families.push(ParsedFamily {
                name: name.to_owned(),
                kind: String::new(),
                help: help.to_owned(),
                samples: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').ok_or_else(|| format!("bad TYPE {line:?}"))?;
            let family = families
                .last_mut()
                .filter(|f| f.name == name && f.kind.is_empty())
                .ok_or_else(|| format!("TYPE without HELP: {line:?}"))?;
            family.kind = kind.to_owned();
        } else if line.starts_with('#') {
            return Err(format!("unexpected comment {line:?}"));
        } else {
            let sample = parse_sample(line)?;
            let family = families.last_mut().ok_or_else(|| format!("sample before any family: {line:?}"))?;
            if !sample_name_allowed(&family.name, &family.kind, &sample.name, grammar) {
                return Err(format!(
                    "sample {} does not belong to {} family {}",
                    sample.name, family.kind, family.name
                ));
            }
            if (grammar == Grammar::OpenMetrics) != sample.timestamp.is_some() {
                return Err(format!("timestamp presence is wrong for the grammar: {line:?}"));
            }
            // Exemplars: only in an OpenMetrics scrape, on histogram buckets and counters.
            let exemplar_allowed = grammar == Grammar::OpenMetricsScrape
                && (sample.name.ends_with("_bucket") || (family.kind == "counter" && sample.name.ends_with("_total")));
            if sample.exemplar.is_some() && !exemplar_allowed {
                return Err(format!("exemplar not allowed here: {line:?}"));
            }
            family.samples.push(sample);
        }
    }
    if grammar != Grammar::Text004 && !ended {
        return Err("no # EOF".into());
    }
    Ok(families)
}

/// A parsed scrape with lookups by sample name and labels.
#[derive(Debug, Clone)]
pub struct Scrape {
    pub t_unix: u64,
    pub families: Vec<ParsedFamily>,
}

impl Scrape {
    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.families.iter().flat_map(|f| f.samples.iter())
    }

    /// Sum of the samples named `name` whose labels pass `filter`.
    pub fn sum(&self, name: &str, filter: impl Fn(&BTreeMap<String, String>) -> bool) -> f64 {
        self.samples().filter(|s| s.name == name && filter(&s.labels)).map(|s| s.value).sum()
    }

    /// The one sample named `name` with exactly these labels.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let wanted: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let found: Vec<f64> =
            self.samples().filter(|s| s.name == name && s.labels == wanted).map(|s| s.value).collect();
        assert_eq!(found.len(), 1, "{name}{labels:?} at {}", self.t_unix);
        found[0]
    }
}

/// The live scrape of a fresh simulator at `t_unix`, parsed.
pub fn scrape(config: &SimConfig, t_unix: u64) -> Scrape {
    scrape_with(&mut Simulator::new(*config).expect("valid config"), t_unix)
}

/// The live scrape of `simulator` at `t_unix`, parsed.
pub fn scrape_with(simulator: &mut Simulator, t_unix: u64) -> Scrape {
    let config = *simulator.config();
    let text = Exposition::of(&config, &simulator.snapshot_at(t_unix)).render_text();
    Scrape { t_unix, families: parse(&text, Grammar::Text004).expect("the exposition parses") }
}

/// Prometheus's `histogram_quantile` over (upper bound, cumulative count) pairs, `+Inf` last.
pub fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> f64 {
    let total = buckets.last().map(|b| b.1).unwrap_or(0.0);
    if buckets.len() < 2 || total == 0.0 {
        return f64::NAN;
    }
    let rank = q * total;
    let index = buckets.iter().position(|b| b.1 >= rank).expect("+Inf holds everything");
    if index == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    let (upper, count) = buckets[index];
    let (lower, below) = if index == 0 { (0.0, 0.0) } else { buckets[index - 1] };
    lower + (upper - lower) * (rank - below) / (count - below)
}

/// The guide's configuration for tests: start at a fixed moment, incidents every hour.
pub fn config(seed: u64, start_unix: u64, anchor_offset_secs: u64) -> SimConfig {
    SimConfig { incident_anchor_unix: start_unix + anchor_offset_secs, ..SimConfig::new(start_unix, seed) }
}

/// A process start for tests: 2026-11-24 06:00:00 UTC.
pub const START_UNIX: u64 = 1_795_500_000;

// The guide's alert expressions, as PromQL would compute them from two scrapes 5 minutes apart.

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Whether a series is of status class 5xx.
pub fn is_5xx(l: &BTreeMap<String, String>) -> bool {
    l["status"].starts_with('5')
}

/// `sum(rate(arrwdb_http_http_requests_total{status=~"5.."}[5m])) / sum(rate(...[5m]))`.
pub fn error_ratio(now: &Scrape, before: &Scrape) -> f64 {
    let increase = |f: &dyn Fn(&BTreeMap<String, String>) -> bool| {
        now.sum("arrwdb_http_http_requests_total", f) - before.sum("arrwdb_http_http_requests_total", f)
    };
    increase(&is_5xx) / increase(&|_| true)
}

/// `histogram_quantile(0.95, sum(rate(arrwdb_http_http_request_duration_seconds_bucket[5m])) by (le))`.
pub fn p95_secs(now: &Scrape, before: &Scrape) -> f64 {
    let by_le = |s: &Scrape| {
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for x in s.samples().filter(|x| x.name == "arrwdb_http_http_request_duration_seconds_bucket") {
            *out.entry(x.labels["le"].clone()).or_default() += x.value;
        }
        out
    };
    let (a, b) = (by_le(now), by_le(before));
    let mut buckets: Vec<(f64, f64)> =
        a.iter().map(|(le, v)| (if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() }, v - b[le])).collect();
    buckets.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap());
    histogram_quantile(0.95, &buckets)
}

/// `sum(rate(arrwdb_api_key_validations_total{status!="valid"}[5m]))`.
pub fn auth_failures_per_sec(now: &Scrape, before: &Scrape) -> f64 {
    let failed = |l: &BTreeMap<String, String>| l["status"] != "valid";
    (now.sum("arrwdb_api_key_validations_total", failed) - before.sum("arrwdb_api_key_validations_total", failed))
        / 300.0
}

/// `arrwdb_memory_usage_bytes / (16 * 1024^3)`.
pub fn memory_ratio(now: &Scrape) -> f64 {
    now.value("arrwdb_memory_usage_bytes", &[]) / (16.0 * GIB)
}
