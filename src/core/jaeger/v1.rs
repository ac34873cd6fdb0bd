//! The internal v1 JSON API (`/api/traces`, `/api/services`, …, the "UI model"): response types
//! that mirror the JSON, and their conversion into the common [`Trace`] model. Times here are
//! already microseconds.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::model::{attributes_say_error, normalize_id, AttrValue, Event, Span, Trace};

/// `{data, total, limit, offset, errors}`: every v1 answer, success or error.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Envelope<T> {
    /// `null` in error answers.
    pub data: Option<T>,
    #[serde(default)]
    pub total: i64,
    #[serde(default)]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errors: Vec<V1Error>,
}

/// The envelope without its data, to read the errors of an answer whose `data` has another shape.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct V1ErrorsOnly {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errors: Vec<V1Error>,
}

/// One entry of `errors[]`: `{"code":404,"msg":"trace not found"}`; `traceID` when a search by
/// id could not fetch one of the traces.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Error {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub msg: String,
    #[serde(rename = "traceID", default)]
    pub trace_id: Option<String>,
}

/// One trace of `data[]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Trace {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub spans: Vec<V1Span>,
    /// `processID` → process (service name and its tags).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub processes: BTreeMap<String, V1Process>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Span {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(rename = "spanID")]
    pub span_id: String,
    #[serde(rename = "operationName", default)]
    pub operation_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub references: Vec<V1Reference>,
    /// Unix microseconds.
    #[serde(rename = "startTime", default)]
    pub start_time_us: i64,
    /// Microseconds.
    #[serde(rename = "duration", default)]
    pub duration_us: i64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<V1KeyValue>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub logs: Vec<V1Log>,
    #[serde(rename = "processID", default)]
    pub process_id: String,
    /// Some producers embed the process in the span instead of the trace's `processes`.
    #[serde(default)]
    pub process: Option<V1Process>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub flags: Option<u32>,
}

/// `{"refType":"CHILD_OF"|"FOLLOWS_FROM","traceID","spanID"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Reference {
    #[serde(rename = "refType", default)]
    pub ref_type: String,
    #[serde(rename = "traceID", default)]
    pub trace_id: String,
    #[serde(rename = "spanID", default)]
    pub span_id: String,
}

/// A tag or log field: `{"key","type":"string"|"int64"|"bool"|"float64"|"binary","value"}`.
/// `value` stays raw JSON: an int64 above 2^53 arrives as a string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1KeyValue {
    pub key: String,
    #[serde(rename = "type", default)]
    pub value_type: String,
    #[serde(default)]
    pub value: Value,
}

/// `{"timestamp": <µs>, "fields": [...]}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Log {
    #[serde(rename = "timestamp", default)]
    pub timestamp_us: i64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fields: Vec<V1KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V1Process {
    #[serde(rename = "serviceName", default)]
    pub service_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<V1KeyValue>,
}

/// An entry of `/api/operations` (`{name, spanKind}`) or of the legacy
/// `/api/services/{s}/operations` (a bare name).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum V1Operation {
    Name(String),
    WithKind {
        name: String,
        #[serde(rename = "spanKind", default)]
        span_kind: String,
    },
}

pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl V1KeyValue {
    /// The typed value. Unknown or missing types are read from the JSON itself; a value that
    /// does not fit its declared type is kept as text rather than dropped.
    pub fn to_attr(&self) -> AttrValue {
        let text = || match &self.value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match self.value_type.as_str() {
            "string" => AttrValue::Str(text()),
            "binary" => AttrValue::Bytes(text()),
            "bool" => match &self.value {
                Value::Bool(b) => AttrValue::Bool(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => AttrValue::Bool(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => AttrValue::Bool(false),
                _ => AttrValue::Str(text()),
            },
            "int64" => match &self.value {
                Value::Number(n) => n
                    .as_i64()
                    .map_or_else(|| AttrValue::Str(text()), AttrValue::Int),
                Value::String(s) => s
                    .trim()
                    .parse()
                    .map_or_else(|_| AttrValue::Str(text()), AttrValue::Int),
                _ => AttrValue::Str(text()),
            },
            "float64" => match &self.value {
                Value::Number(n) => n
                    .as_f64()
                    .map_or_else(|| AttrValue::Str(text()), AttrValue::Float),
                Value::String(s) => s
                    .trim()
                    .parse()
                    .map_or_else(|_| AttrValue::Str(text()), AttrValue::Float),
                _ => AttrValue::Str(text()),
            },
            _ => json_to_attr(&self.value),
        }
    }
}

/// An attribute from untyped JSON.
fn json_to_attr(value: &Value) -> AttrValue {
    match value {
        Value::Bool(b) => AttrValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => AttrValue::Str(s.clone()),
        Value::Null => AttrValue::Str(String::new()),
        Value::Array(values) => AttrValue::Array(values.iter().map(json_to_attr).collect()),
        Value::Object(map) => AttrValue::KvList(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_attr(v)))
                .collect(),
        ),
    }
}

fn attributes(tags: &[V1KeyValue]) -> Vec<(String, AttrValue)> {
    tags.iter().map(|t| (t.key.clone(), t.to_attr())).collect()
}

impl V1Trace {
    /// The trace in the common model.
    pub fn to_trace(&self) -> Trace {
        let trace_id = normalize_id(&self.trace_id);
        let services: HashMap<&str, &str> = self
            .processes
            .iter()
            .map(|(id, p)| (id.as_str(), p.service_name.as_str()))
            .collect();
        let spans = self
            .spans
            .iter()
            .map(|s| {
                let service = s
                    .process
                    .as_ref()
                    .map(|p| p.service_name.as_str())
                    .or_else(|| services.get(s.process_id.as_str()).copied())
                    .unwrap_or_default();
                s.to_span(&trace_id, service)
            })
            .collect();
        Trace { trace_id, spans }
    }
}

impl V1Span {
    /// The span in the common model. `trace_id` (normalized) decides which references point
    /// into this trace.
    pub fn to_span(&self, trace_id: &str, service: &str) -> Span {
        let in_trace = |r: &&V1Reference| normalize_id(&r.trace_id) == trace_id;
        let parent = |kind: &str| {
            self.references
                .iter()
                .filter(in_trace)
                .find(|r| r.ref_type.eq_ignore_ascii_case(kind))
                .map(|r| normalize_id(&r.span_id))
        };
        let attributes = attributes(&self.tags);
        let kind = attributes
            .iter()
            .find(|(k, _)| k == "span.kind")
            .and_then(|(_, v)| v.as_str())
            .filter(|k| !k.is_empty())
            .map(|k| k.to_ascii_lowercase());
        Span {
            span_id: normalize_id(&self.span_id),
            parent_id: parent("CHILD_OF").or_else(|| parent("FOLLOWS_FROM")),
            service: service.to_owned(),
            operation: self.operation_name.clone(),
            start_us: self.start_time_us,
            duration_us: self.duration_us.max(0),
            is_error: attributes_say_error(&attributes),
            kind,
            events: self.logs.iter().map(V1Log::to_event).collect(),
            attributes,
        }
    }
}

impl V1Log {
    /// The log as an event: the field `event` is its name, the other fields its attributes.
    pub fn to_event(&self) -> Event {
        let mut name = String::new();
        let mut attributes = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            match field.to_attr() {
                AttrValue::Str(s) if field.key == "event" && name.is_empty() => name = s,
                value => attributes.push((field.key.clone(), value)),
            }
        }
        Event {
            t_us: self.timestamp_us,
            name,
            attributes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_values_follow_their_declared_type() {
        let check = |json: &str, expected: AttrValue| {
            let kv: V1KeyValue = serde_json::from_str(json).unwrap();
            assert_eq!(kv.to_attr(), expected, "{json}");
        };
        check(
            r#"{"key":"k","type":"int64","value":"9223372036854775222"}"#,
            AttrValue::Int(9_223_372_036_854_775_222),
        );
        check(
            r#"{"key":"k","type":"int64","value":23456}"#,
            AttrValue::Int(23456),
        );
        check(
            r#"{"key":"k","type":"int64","value":"18446744073709551615"}"#,
            AttrValue::Str("18446744073709551615".into()),
        );
        check(
            r#"{"key":"k","type":"bool","value":"true"}"#,
            AttrValue::Bool(true),
        );
        check(
            r#"{"key":"k","type":"float64","value":72.5}"#,
            AttrValue::Float(72.5),
        );
        check(
            r#"{"key":"k","type":"binary","value":"AAAwOQ=="}"#,
            AttrValue::Bytes("AAAwOQ==".into()),
        );
        check(
            r#"{"key":"k","type":"string","value":5}"#,
            AttrValue::Str("5".into()),
        );
        check(r#"{"key":"k","value":5}"#, AttrValue::Int(5));
    }

    #[test]
    fn the_parent_is_the_first_child_of_reference_into_the_trace() {
        let span: V1Span = serde_json::from_str(
            r#"{"traceID":"1","spanID":"4","operationName":"op","startTime":10,"duration":-3,
                "references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"5"},
                              {"refType":"CHILD_OF","traceID":"ff","spanID":"ff"},
                              {"refType":"CHILD_OF","traceID":"1","spanID":"2"}],
                "tags":null,"logs":[{"timestamp":11,"fields":[{"key":"event","type":"string","value":"exception"},
                                                             {"key":"x","type":"string","value":"y"}]}]}"#,
        )
        .unwrap();
        let s = span.to_span("1", "svc");
        assert_eq!(s.parent_id.as_deref(), Some("2"));
        assert_eq!(s.duration_us, 0);
        assert_eq!(s.events[0].name, "exception");
        assert_eq!(
            s.events[0].attributes,
            vec![("x".to_owned(), AttrValue::Str("y".into()))]
        );
        let only_follows: V1Span = serde_json::from_str(
            r#"{"traceID":"1","spanID":"4","references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"5"}]}"#,
        )
        .unwrap();
        assert_eq!(
            only_follows.to_span("1", "").parent_id.as_deref(),
            Some("5")
        );
    }
}
