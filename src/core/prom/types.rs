//! Response types mirroring the documented JSON of the Prometheus HTTP API
//! (docs/querying/api.md). Unknown fields are ignored, and fields that older servers omit are
//! optional or default to empty, so a newer or older Prometheus still decodes.
//!
//! Times of day (`activeAt`, `lastScrape`, `lastEvaluation`, …) stay RFC 3339 strings as sent;
//! durations and sample times are float seconds, named `_secs`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::core::json::{
    list_or_empty, non_empty, opt_f64, opt_object, opt_str, read_list, required_str, str_map,
    str_or_empty, Read, Shape,
};
use crate::core::time::parse_rfc3339;

use super::sample::{
    de_sample_value, parse_sample_value, HistogramPoint, Labels, PairList, Point, StringSample,
};

/// The `data` of `/api/v1/query` (and of `/api/v1/query_range`, which is always a matrix).
///
/// `result` may come before `resultType` (the OpenAPI examples do that), so the envelope keeps
/// `result` as raw JSON text and [`QueryData::read`] parses it once the type is known: no
/// buffering of a large matrix, and much less code in the wasm than serde's adjacently tagged
/// enums.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    Vector(Vec<InstantSample>),
    /// A range query, or an instant query of a range selector such as `up[5m]`.
    Matrix(Vec<Series>),
    Scalar(Point),
    String(StringSample),
}

impl QueryData {
    /// `"vector"`, `"matrix"`, `"scalar"` or `"string"`, as Prometheus names it.
    pub fn result_type(&self) -> &'static str {
        match self {
            QueryData::Vector(_) => "vector",
            QueryData::Matrix(_) => "matrix",
            QueryData::Scalar(_) => "scalar",
            QueryData::String(_) => "string",
        }
    }

    /// The `result` of a query answer, whose `resultType` is `result_type`. A shape error's
    /// position is within `result`.
    pub(crate) fn read(result_type: &str, result: &RawValue) -> Result<Self, String> {
        let kind = match result_type {
            "vector" => ResultKind::Vector,
            "matrix" => ResultKind::Matrix,
            "scalar" => ResultKind::Scalar,
            "string" => ResultKind::String,
            other => return Err(format!("unknown resultType \"{other}\"")),
        };
        let mut deserializer = serde_json::Deserializer::from_str(result.get());
        let read = kind.deserialize(&mut deserializer);
        read.and_then(|data| deserializer.end().map(|()| data))
            .map_err(|e| e.to_string())
    }
}

/// What a query's `result` holds. One seed reads every kind, so that the wasm build holds one
/// copy of the parsing around it (rather than one per result type).
#[derive(Clone, Copy, PartialEq)]
enum ResultKind {
    Vector,
    Matrix,
    Scalar,
    String,
}

impl<'de> DeserializeSeed<'de> for ResultKind {
    type Value = QueryData;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<QueryData, D::Error> {
        match self {
            ResultKind::Vector | ResultKind::Matrix => {
                deserializer.deserialize_seq(SampleList(SampleVisitor {
                    instant: self == ResultKind::Vector,
                }))
            }
            ResultKind::Scalar => Point::deserialize(deserializer).map(QueryData::Scalar),
            ResultKind::String => StringSample::deserialize(deserializer).map(QueryData::String),
        }
    }
}

/// The list of a vector or of a matrix: one visitor for both (see [`SampleVisitor`]).
struct SampleList(SampleVisitor);

impl<'de> Visitor<'de> for SampleList {
    type Value = QueryData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of samples")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<QueryData, A::Error> {
        let instant = self.0.instant;
        let (mut samples, mut series) = (Vec::new(), Vec::new());
        while let Some(raw) = seq.next_element_seed(SampleVisitor { instant })? {
            match instant {
                true => samples.push(raw.into_instant().map_err(de::Error::custom)?),
                false => series.push(raw.into_series()),
            }
        }
        Ok(match instant {
            true => QueryData::Vector(samples),
            false => QueryData::Matrix(series),
        })
    }
}

/// One series of a matrix: float samples in `points` (`values` in the JSON) and native-histogram
/// samples in `histograms`. Either may be empty; a series can also hold both.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub labels: Labels,
    pub points: Vec<Point>,
    pub histograms: Vec<HistogramPoint>,
}

/// One element of a vector. A native-histogram sample has no float value: its `point.value` is
/// NaN (drawn as a gap) and `histogram` holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InstantSample {
    pub labels: Labels,
    pub point: Point,
    pub histogram: Option<HistogramPoint>,
}

/// What [`SampleVisitor`] read of a series (`{metric, values, histograms}`) or of a vector
/// element (`{metric, value, histogram}`).
#[derive(Default)]
struct RawSample {
    labels: Labels,
    points: Vec<Point>,
    histograms: Vec<HistogramPoint>,
    value: Option<Point>,
    histogram: Option<HistogramPoint>,
}

impl RawSample {
    fn into_series(self) -> Series {
        Series {
            labels: self.labels,
            points: self.points,
            histograms: self.histograms,
        }
    }

    fn into_instant(self) -> Result<InstantSample, &'static str> {
        let point = match (&self.value, &self.histogram) {
            (Some(point), _) => *point,
            (None, Some(h)) => Point {
                t_secs: h.t_secs,
                value: f64::NAN,
            },
            (None, None) => return Err("a vector sample has neither `value` nor `histogram`"),
        };
        Ok(InstantSample {
            labels: self.labels,
            point,
            histogram: self.histogram,
        })
    }
}

/// One visitor for both shapes, so that the wasm build holds one copy of the object reading:
/// `metric` as a small [`Value`] read by the shared readers, the samples streamed by the
/// readers of [`super::sample`]. Unknown keys are skipped.
#[derive(Clone, Copy)]
struct SampleVisitor {
    instant: bool,
}

impl<'de> DeserializeSeed<'de> for SampleVisitor {
    type Value = RawSample;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawSample, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SampleVisitor {
    type Value = RawSample;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.instant {
            true => "a vector sample {\"metric\", \"value\"}",
            false => "a series {\"metric\", \"values\"}",
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSample, A::Error> {
        let mut raw = RawSample::default();
        let mut metric = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match (key.as_str(), self.instant) {
                ("metric", _) => {
                    metric.insert(key, map.next_value::<Value>()?);
                }
                ("values", false) => {
                    raw.points.clear();
                    map.next_value_seed(PairList::points(&mut raw.points))?;
                }
                ("histograms", false) => {
                    raw.histograms.clear();
                    map.next_value_seed(PairList::histograms(&mut raw.histograms))?;
                }
                ("value", true) => raw.value = map.next_value()?,
                ("histogram", true) => raw.histogram = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        raw.labels =
            str_map(&Value::Object(metric), "metric").map_err(|e| de::Error::custom(e.0))?;
        Ok(raw)
    }
}

impl<'de> Deserialize<'de> for Series {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = SampleVisitor { instant: false }.deserialize(deserializer)?;
        Ok(raw.into_series())
    }
}

impl<'de> Deserialize<'de> for InstantSample {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = SampleVisitor { instant: true }.deserialize(deserializer)?;
        raw.into_instant().map_err(de::Error::custom)
    }
}

/// `/api/v1/series`: the label sets of the matching series.
pub type SeriesData = Vec<Labels>;

/// `/api/v1/metadata`: metric name → its metadata (one entry per distinct help/type/unit).
pub type MetadataData = BTreeMap<String, Vec<MetricMetadata>>;

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct MetricMetadata {
    #[serde(rename = "type")]
    pub metric_type: MetricType,
    pub help: String,
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    /// `"unknown"`, or a type this version does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

/// `/api/v1/query_exemplars`: one element per series that has exemplars.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemplarSeries {
    #[serde(default)]
    pub series_labels: Labels,
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
}

/// An exemplar: typically a `trace_id` label linking a sample to a trace.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Exemplar {
    #[serde(default)]
    pub labels: Labels,
    #[serde(deserialize_with = "de_sample_value")]
    pub value: f64,
    #[serde(rename = "timestamp")]
    pub t_secs: f64,
}

/// `/api/v1/targets`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TargetsData {
    pub active_targets: Vec<ActiveTarget>,
    pub dropped_targets: Vec<DroppedTarget>,
    /// Dropped targets per scrape pool (newer servers; absent before 2.4x).
    pub dropped_target_counts: Option<BTreeMap<String, u64>>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ActiveTarget {
    pub discovered_labels: Labels,
    pub labels: Labels,
    pub scrape_pool: String,
    pub scrape_url: String,
    pub global_url: String,
    /// Empty when the last scrape succeeded.
    pub last_error: String,
    /// RFC 3339.
    pub last_scrape: String,
    #[serde(rename = "lastScrapeDuration")]
    pub last_scrape_duration_secs: f64,
    pub health: TargetHealth,
    /// A Go duration, e.g. `"15s"`, `"1m"`.
    pub scrape_interval: String,
    pub scrape_timeout: String,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DroppedTarget {
    pub discovered_labels: Labels,
    pub scrape_pool: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetHealth {
    Up,
    Down,
    #[default]
    #[serde(other)]
    Unknown,
}

/// `/api/v1/rules`, flattened: every rule of every group, in the server's order, with the few
/// fields the alerts view shows. Read from a [`serde_json::Value`] by the shared readers (see
/// [`crate::core::json`] for why not serde-derived types); group intervals, evaluation times and
/// `keepFiringFor` are not read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RulesData {
    pub rules: Vec<Rule>,
}

/// Whether a rule alerts or records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Alerting,
    Recording,
}

/// One rule of `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The `alerts.sources` entry that evaluates it (`eu-west`); empty for the query backend.
    pub source: String,
    /// The name of its group.
    pub group: String,
    pub name: String,
    pub kind: RuleKind,
    /// The PromQL expression (`expr` in the rule file, `query` in the API).
    pub query: String,
    /// The `for` clause; 0 for a recording rule.
    pub for_secs: f64,
    /// The `severity` label; empty when the rule has none.
    pub severity: String,
    /// The `summary` and `description` annotations, raw: Go templates (`{{ $value }}`) are left
    /// as Prometheus has them (see [`crate::core::alerts::annotation_text`]).
    pub summary: String,
    pub description: String,
    /// `Unknown` for a recording rule and on servers that do not send it.
    pub state: AlertState,
    pub health: RuleHealth,
    /// The last evaluation error; `None` when empty.
    pub last_error: Option<String>,
    /// The rule's pending and firing alerts (empty when asked with `exclude_alerts=true`).
    pub alerts: Vec<Alert>,
}

/// Prometheus's verdict on a rule's last evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleHealth {
    Ok,
    Err,
    /// `"unknown"` (not evaluated yet), or a word this version does not know.
    #[default]
    Unknown,
}

impl RuleHealth {
    fn from_word(word: &str) -> Self {
        match word {
            "ok" => RuleHealth::Ok,
            "err" => RuleHealth::Err,
            _ => RuleHealth::Unknown,
        }
    }
}

/// `/api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertsData {
    pub alerts: Vec<Alert>,
}

/// An active alert, in a rule of `/api/v1/rules` or in `/api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Alert {
    pub labels: Labels,
    /// Expanded by Prometheus (`{{ $value }}` already replaced).
    pub annotations: Labels,
    pub state: AlertState,
    /// `activeAt`; `None` when absent or not an RFC 3339 time (a time that cannot be read must
    /// not hide the alert).
    pub active_at_unix: Option<f64>,
    /// The value of the alert expression (sent as `"1e+00"`); NaN when absent.
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertState {
    Firing,
    Pending,
    Inactive,
    /// Absent, or a word this version does not know.
    #[default]
    Unknown,
}

impl AlertState {
    fn from_word(word: &str) -> Self {
        match word {
            "firing" => AlertState::Firing,
            "pending" => AlertState::Pending,
            "inactive" => AlertState::Inactive,
            _ => AlertState::Unknown,
        }
    }
}

/// `{groups: [{name, rules: [...]}]}`, flattened.
pub(crate) fn read_rules(data: &Value) -> Read<RulesData> {
    let mut rules = Vec::new();
    for group in list_or_empty(data, "groups")? {
        let group_name = str_or_empty(group, "name")?;
        for rule in list_or_empty(group, "rules")? {
            rules.push(read_rule(group_name, rule)?);
        }
    }
    Ok(RulesData { rules })
}

fn read_rule(group: &str, rule: &Value) -> Read<Rule> {
    let kind = match required_str(rule, "type")? {
        "alerting" => RuleKind::Alerting,
        "recording" => RuleKind::Recording,
        other => return Err(Shape(format!("unknown rule type \"{other}\""))),
    };
    let label = |obj: &Value, key: &str, name: &str| -> Read<String> {
        let map = opt_object(obj, key)?;
        Ok(map.map_or(Ok(""), |m| str_or_empty(m, name))?.to_owned())
    };
    Ok(Rule {
        source: String::new(),
        group: group.to_owned(),
        name: str_or_empty(rule, "name")?.to_owned(),
        kind,
        query: str_or_empty(rule, "query")?.to_owned(),
        for_secs: opt_f64(rule, "duration")?.unwrap_or(0.0),
        severity: label(rule, "labels", "severity")?,
        summary: label(rule, "annotations", "summary")?,
        description: label(rule, "annotations", "description")?,
        state: AlertState::from_word(str_or_empty(rule, "state")?),
        health: RuleHealth::from_word(str_or_empty(rule, "health")?),
        last_error: opt_str(rule, "lastError")?.and_then(non_empty),
        alerts: read_list(rule, "alerts", read_alert)?,
    })
}

/// One alert: `{labels, annotations, state, activeAt, value}`.
pub(crate) fn read_alert(alert: &Value) -> Read<Alert> {
    let value = match opt_str(alert, "value")? {
        Some(text) => parse_sample_value(text)
            .ok_or_else(|| Shape("`value` is not a sample value".to_owned()))?,
        None => f64::NAN,
    };
    Ok(Alert {
        labels: str_map(alert, "labels")?,
        annotations: str_map(alert, "annotations")?,
        state: AlertState::from_word(str_or_empty(alert, "state")?),
        active_at_unix: opt_str(alert, "activeAt")?.and_then(parse_rfc3339),
        value,
    })
}

/// `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}

/// `/api/v1/status/runtimeinfo`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RuntimeInfo {
    /// RFC 3339.
    pub start_time: String,
    #[serde(rename = "CWD")]
    pub cwd: String,
    pub hostname: String,
    /// RFC 3339 (newer servers).
    pub server_time: Option<String>,
    pub reload_config_success: bool,
    /// RFC 3339.
    pub last_config_time: String,
    /// Absent on servers that dropped it.
    pub time_series_count: Option<u64>,
    pub corruption_count: u64,
    pub goroutine_count: u64,
    #[serde(rename = "GOMAXPROCS")]
    pub gomaxprocs: u64,
    #[serde(rename = "GOMEMLIMIT")]
    pub gomemlimit: Option<i64>,
    #[serde(rename = "GOGC")]
    pub gogc: String,
    #[serde(rename = "GODEBUG")]
    pub godebug: String,
    /// E.g. `"15d"`, or `"15d or 512MiB"`.
    pub storage_retention: String,
}

/// `/api/v1/scrape_pools`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScrapePoolsData {
    pub scrape_pools: Vec<String>,
}

/// `/api/v1/alertmanagers`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlertmanagersData {
    pub active_alertmanagers: Vec<AlertmanagerTarget>,
    pub dropped_alertmanagers: Vec<AlertmanagerTarget>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct AlertmanagerTarget {
    pub url: String,
}
