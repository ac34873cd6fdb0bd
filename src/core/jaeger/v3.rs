//! The api_v3 HTTP/JSON API (`/api/v3/...`): OTLP-JSON response types that mirror the JSON, and
//! their conversion into the common [`Trace`] model. Times here are nanoseconds (decimal strings)
//! and become microseconds at [`TracesData::to_traces`].
//!
//! The types also read what older api_v3 gateways (Jaeger 1.x, gogo jsonpb) wrote: ids as
//! base64, enums as names (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`), `instrumentationLibrarySpans`
//! for `scopeSpans`, and times as numbers.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::model::{
    attributes_say_error, normalize_id, AttrValue, Event, Span, Trace, TraceSummary,
};
use super::v1::null_as_empty;

/// `{"result": TracesData}` or `{"error": {...}}`. A streaming gateway may send several of these
/// one after the other; the decoder reads them all.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct V3Envelope {
    #[serde(default)]
    pub result: Option<TracesData>,
    #[serde(default)]
    pub error: Option<V3ErrorDetails>,
}

/// `{"error":{"grpcCode","httpCode":404,"message":"No traces found","httpStatus"}}`, each field
/// omitted when empty. Jaeger writes it with Go's `http.Error`, so it comes as `text/plain`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct V3ErrorDetails {
    #[serde(default)]
    pub grpc_code: Option<i64>,
    #[serde(default)]
    pub http_code: Option<i64>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub http_status: Option<String>,
}

/// An OTLP `TracesData`: the type of `result`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TracesData {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub resource_spans: Vec<ResourceSpans>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpans {
    #[serde(default)]
    pub resource: Option<Resource>,
    #[serde(
        default,
        alias = "instrumentationLibrarySpans",
        deserialize_with = "null_as_empty"
    )]
    pub scope_spans: Vec<ScopeSpans>,
    #[serde(default)]
    pub schema_url: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Resource {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ScopeSpans {
    #[serde(default, alias = "instrumentationLibrary")]
    pub scope: Option<Scope>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub spans: Vec<OtlpSpan>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Scope {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
}

/// An OTLP span. `kind`, the times and the status code stay raw JSON: numbers or strings,
/// depending on the gateway.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OtlpSpan {
    #[serde(default)]
    pub trace_id: String,
    #[serde(default)]
    pub span_id: String,
    #[serde(default)]
    pub parent_span_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: Option<Value>,
    #[serde(default)]
    pub start_time_unix_nano: Option<Value>,
    #[serde(default)]
    pub end_time_unix_nano: Option<Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attributes: Vec<KeyValue>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: Vec<OtlpEvent>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub links: Vec<OtlpLink>,
    #[serde(default)]
    pub status: Option<OtlpStatus>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OtlpEvent {
    #[serde(default)]
    pub time_unix_nano: Option<Value>,
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OtlpLink {
    #[serde(default)]
    pub trace_id: String,
    #[serde(default)]
    pub span_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attributes: Vec<KeyValue>,
}

/// `{"code": 0|1|2, "message"}`: 2 is ERROR.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct OtlpStatus {
    #[serde(default)]
    pub code: Option<Value>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: AnyValue,
}

/// One of `stringValue`, `intValue` (a decimal string), `boolValue`, `doubleValue`,
/// `bytesValue` (base64), `arrayValue`, `kvlistValue`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnyValue {
    #[serde(default)]
    pub string_value: Option<String>,
    #[serde(default)]
    pub int_value: Option<Value>,
    #[serde(default)]
    pub bool_value: Option<bool>,
    #[serde(default)]
    pub double_value: Option<Value>,
    #[serde(default)]
    pub bytes_value: Option<String>,
    #[serde(default)]
    pub array_value: Option<ArrayValue>,
    #[serde(default)]
    pub kvlist_value: Option<KeyValueList>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ArrayValue {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub values: Vec<AnyValue>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct KeyValueList {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub values: Vec<KeyValue>,
}

/// An entry of `/api/v3/operations`: `{"name","spanKind"}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct V3Operation {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub span_kind: String,
}

/// An entry of `/api/v3/trace-summaries` (Jaeger ≥ 2.19).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct V3TraceSummary {
    #[serde(default)]
    pub trace_id: String,
    #[serde(default)]
    pub min_start_time_unix_nano: Option<Value>,
    #[serde(default)]
    pub max_end_time_unix_nano: Option<Value>,
    #[serde(default)]
    pub root_operation_name: String,
    #[serde(default)]
    pub root_service_name: String,
    #[serde(default)]
    pub span_count: Option<Value>,
    #[serde(default)]
    pub error_span_count: Option<Value>,
}

/// An integer sent as a JSON number or as a decimal string (proto3 JSON writes 64-bit integers
/// as strings).
pub(crate) fn json_integer(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i128)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Nanoseconds to microseconds, rounding down, saturating at the ends of `i64`.
fn ns_to_us(ns: i128) -> i64 {
    let us = ns.div_euclid(1_000);
    us.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn nanos(value: &Option<Value>) -> Option<i128> {
    value.as_ref().and_then(json_integer)
}

/// `kind` as a name: 1..5 or `SPAN_KIND_*`; `None` for unspecified.
fn span_kind(value: &Option<Value>) -> Option<String> {
    let name = match value.as_ref()? {
        Value::Number(n) => match n.as_i64()? {
            1 => "internal",
            2 => "server",
            3 => "client",
            4 => "producer",
            5 => "consumer",
            _ => return None,
        },
        Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            let s = s.strip_prefix("span_kind_").unwrap_or(&s).to_owned();
            return match s.as_str() {
                "internal" | "server" | "client" | "producer" | "consumer" => Some(s),
                _ => None,
            };
        }
        _ => return None,
    };
    Some(name.to_owned())
}

/// The status code as `Some(true)` for ERROR, `Some(false)` for OK, `None` for unset.
fn status_is_error(status: &Option<OtlpStatus>) -> Option<bool> {
    match status.as_ref()?.code.as_ref()? {
        Value::Number(n) => match n.as_i64()? {
            1 => Some(false),
            2 => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_uppercase().as_str() {
            "STATUS_CODE_OK" | "OK" => Some(false),
            "STATUS_CODE_ERROR" | "ERROR" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

impl AnyValue {
    /// The typed value; an empty `AnyValue` is an empty string.
    pub fn to_attr(&self) -> AttrValue {
        if let Some(s) = &self.string_value {
            return AttrValue::Str(s.clone());
        }
        if let Some(v) = &self.int_value {
            return match json_integer(v).and_then(|i| i64::try_from(i).ok()) {
                Some(i) => AttrValue::Int(i),
                None => AttrValue::Str(v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
            };
        }
        if let Some(b) = self.bool_value {
            return AttrValue::Bool(b);
        }
        if let Some(v) = &self.double_value {
            // proto3 JSON writes non-finite doubles as "NaN", "Infinity", "-Infinity".
            let x = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => match s.trim() {
                    "Infinity" => Some(f64::INFINITY),
                    "-Infinity" => Some(f64::NEG_INFINITY),
                    other => other.parse().ok(),
                },
                _ => None,
            };
            return AttrValue::Float(x.unwrap_or(f64::NAN));
        }
        if let Some(b) = &self.bytes_value {
            return AttrValue::Bytes(b.clone());
        }
        if let Some(a) = &self.array_value {
            return AttrValue::Array(a.values.iter().map(AnyValue::to_attr).collect());
        }
        if let Some(l) = &self.kvlist_value {
            return AttrValue::KvList(attributes(&l.values));
        }
        AttrValue::Str(String::new())
    }
}

fn attributes(kvs: &[KeyValue]) -> Vec<(String, AttrValue)> {
    kvs.iter()
        .map(|kv| (kv.key.clone(), kv.value.to_attr()))
        .collect()
}

impl TracesData {
    /// The spans grouped by trace id, traces and spans in the order first seen.
    pub fn to_traces(&self) -> Vec<Trace> {
        let mut traces: Vec<Trace> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for rs in &self.resource_spans {
            let service = rs
                .resource
                .as_ref()
                .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
                .and_then(|kv| kv.value.string_value.clone())
                .unwrap_or_default();
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let trace_id = normalize_id(&span.trace_id);
                    let i = *index.entry(trace_id.clone()).or_insert_with(|| {
                        traces.push(Trace {
                            trace_id,
                            spans: Vec::new(),
                        });
                        traces.len() - 1
                    });
                    traces[i]
                        .spans
                        .push(span.to_span(&service, ss.scope.as_ref()));
                }
            }
        }
        traces
    }
}

impl OtlpSpan {
    /// The span in the common model. Attributes are laid out as Jaeger's own OTLP → v1
    /// translation does (scope first, then the span's, then `span.kind` and the status), so the
    /// same span reads the same through either API.
    pub fn to_span(&self, service: &str, scope: Option<&Scope>) -> Span {
        let mut attrs = Vec::with_capacity(self.attributes.len() + 4);
        if let Some(scope) = scope {
            if !scope.name.is_empty() {
                attrs.push((
                    "otel.scope.name".to_owned(),
                    AttrValue::Str(scope.name.clone()),
                ));
            }
            if !scope.version.is_empty() {
                attrs.push((
                    "otel.scope.version".to_owned(),
                    AttrValue::Str(scope.version.clone()),
                ));
            }
        }
        attrs.extend(attributes(&self.attributes));
        let kind = span_kind(&self.kind);
        if let Some(kind) = &kind {
            attrs.push(("span.kind".to_owned(), AttrValue::Str(kind.clone())));
        }
        let status_error = status_is_error(&self.status);
        match status_error {
            Some(true) => {
                attrs.push((
                    "otel.status_code".to_owned(),
                    AttrValue::Str("ERROR".into()),
                ));
                if !attrs.iter().any(|(k, _)| k == "error") {
                    attrs.push(("error".to_owned(), AttrValue::Bool(true)));
                }
            }
            Some(false) => attrs.push(("otel.status_code".to_owned(), AttrValue::Str("OK".into()))),
            None => {}
        }
        if let Some(status) = self.status.as_ref().filter(|s| !s.message.is_empty()) {
            attrs.push((
                "otel.status_description".to_owned(),
                AttrValue::Str(status.message.clone()),
            ));
        }
        let start_ns = nanos(&self.start_time_unix_nano);
        let end_ns = nanos(&self.end_time_unix_nano);
        let duration_us = match (start_ns, end_ns) {
            (Some(s), Some(e)) if e > s => ns_to_us(e - s),
            _ => 0,
        };
        let parent = normalize_id(&self.parent_span_id);
        Span {
            span_id: normalize_id(&self.span_id),
            parent_id: (!parent.is_empty()).then_some(parent),
            service: service.to_owned(),
            operation: self.name.clone(),
            start_us: start_ns.map_or(0, ns_to_us),
            duration_us,
            is_error: status_error == Some(true) || attributes_say_error(&attrs),
            kind,
            attributes: attrs,
            events: self
                .events
                .iter()
                .map(|e| Event {
                    t_us: nanos(&e.time_unix_nano).map_or(0, ns_to_us),
                    name: e.name.clone(),
                    attributes: attributes(&e.attributes),
                })
                .collect(),
        }
    }
}

impl V3TraceSummary {
    /// The summary in the common model (`http_status` is not part of it).
    pub fn to_summary(&self) -> TraceSummary {
        let start = nanos(&self.min_start_time_unix_nano);
        let end = nanos(&self.max_end_time_unix_nano);
        let count = |v: &Option<Value>| {
            v.as_ref()
                .and_then(json_integer)
                .and_then(|i| usize::try_from(i).ok())
                .unwrap_or(0)
        };
        TraceSummary {
            trace_id: normalize_id(&self.trace_id),
            start_us: start.map_or(0, ns_to_us),
            duration_us: match (start, end) {
                (Some(s), Some(e)) if e > s => ns_to_us(e - s),
                _ => 0,
            },
            root_operation: self.root_operation_name.clone(),
            root_service: self.root_service_name.clone(),
            span_count: count(&self.span_count),
            error_span_count: count(&self.error_span_count),
            http_status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_gateway_spellings_are_read() {
        let data: TracesData = serde_json::from_str(
            r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
                "instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"fastapi"},
                "spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAI=","parentSpanId":"",
                          "name":"GET /","kind":"SPAN_KIND_SERVER","startTimeUnixNano":1500999,
                          "endTimeUnixNano":"2501999","status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}"#,
        )
        .unwrap();
        let traces = data.to_traces();
        let s = &traces[0].spans[0];
        assert_eq!(traces[0].trace_id, "00000000000000000000000000000001");
        assert_eq!(
            (s.span_id.as_str(), s.parent_id.as_deref()),
            ("0000000000000002", None)
        );
        assert_eq!((s.start_us, s.duration_us), (1500, 1001));
        assert_eq!(
            (s.kind.as_deref(), s.is_error, s.service.as_str()),
            (Some("server"), true, "api")
        );
        assert_eq!(
            s.attribute("otel.scope.name"),
            Some(&AttrValue::Str("fastapi".into()))
        );
        assert_eq!(
            s.attribute("otel.status_description"),
            Some(&AttrValue::Str("boom".into()))
        );
    }

    #[test]
    fn any_values_cover_every_variant() {
        let check = |json: &str, expected: AttrValue| {
            let v: AnyValue = serde_json::from_str(json).unwrap();
            assert_eq!(v.to_attr(), expected, "{json}");
        };
        check(
            r#"{"intValue":"9223372036854775807"}"#,
            AttrValue::Int(i64::MAX),
        );
        check(r#"{"intValue":7}"#, AttrValue::Int(7));
        check(
            r#"{"doubleValue":"Infinity"}"#,
            AttrValue::Float(f64::INFINITY),
        );
        check(
            r#"{"bytesValue":"AAAwOQ=="}"#,
            AttrValue::Bytes("AAAwOQ==".into()),
        );
        check(
            r#"{"arrayValue":{"values":[{"stringValue":"a"},{"boolValue":false}]}}"#,
            AttrValue::Array(vec![AttrValue::Str("a".into()), AttrValue::Bool(false)]),
        );
        check(
            r#"{"kvlistValue":{"values":[{"key":"k","value":{"doubleValue":1.5}}]}}"#,
            AttrValue::KvList(vec![("k".into(), AttrValue::Float(1.5))]),
        );
        check(r#"{}"#, AttrValue::Str(String::new()));
    }

    #[test]
    fn nanoseconds_round_down_to_microseconds() {
        assert_eq!(ns_to_us(1_999), 1);
        assert_eq!(ns_to_us(-1), -1);
        assert_eq!(ns_to_us(i128::MAX), i64::MAX);
    }
}
