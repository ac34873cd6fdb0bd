//! The api_v3 HTTP/JSON API (`/api/v3/...`, OTLP-JSON), read from a parsed [`Value`] straight into
//! the common [`Trace`] model (see [`super::json`] for why and for the reading rules). Times here
//! are nanoseconds (decimal strings) and become microseconds as they are read.
//!
//! The readers also take what older api_v3 gateways (Jaeger 1.x, gogo jsonpb) wrote: ids as
//! base64, enums as names (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`), `instrumentationLibrarySpans`
//! for `scopeSpans`, and times as numbers.

use serde_json::Value;

use super::json::{
    field, json_text, list_or_empty, non_empty, opt_bool, opt_int, opt_object, opt_str, read_list,
    required_str, str_or_empty, Read,
};
use super::model::{
    attributes_say_error, normalize_id, AttrValue, Event, Operation, Span, Trace, TraceSummary,
};

/// `{"error":{"grpcCode","httpCode":404,"message":"No traces found","httpStatus"}}`, each field
/// omitted when empty. Jaeger writes it with Go's `http.Error`, so it comes as `text/plain`.
#[derive(Debug)]
pub(crate) struct V3Error {
    pub grpc_code: Option<i64>,
    pub http_code: Option<i64>,
    pub message: String,
}

impl V3Error {
    /// The `error` object of an answer.
    pub(crate) fn read(error: &Value) -> Read<Self> {
        Ok(Self {
            grpc_code: opt_int(error, "grpcCode")?,
            http_code: opt_int(error, "httpCode")?,
            message: str_or_empty(error, "message")?.to_owned(),
        })
    }
}

/// The traces of one or more OTLP `TracesData` (the type of `result`; a streaming gateway sends
/// several): spans grouped by trace id, traces and spans in the order first seen.
#[derive(Debug, Default)]
pub(crate) struct TraceSet {
    traces: Vec<Trace>,
}

impl TraceSet {
    /// Adds the spans of a `TracesData`: `{resourceSpans: [{resource: {attributes}, scopeSpans:
    /// [{scope: {name, version}, spans: [...]}]}]}`.
    pub(crate) fn add(&mut self, traces_data: &Value) -> Read<()> {
        for rs in list_or_empty(traces_data, "resourceSpans")? {
            let (service, resource) = resource(rs)?;
            let mut scope_spans = list_or_empty(rs, "scopeSpans")?;
            if scope_spans.is_empty() {
                scope_spans = list_or_empty(rs, "instrumentationLibrarySpans")?;
            }
            for ss in scope_spans {
                let scope = match opt_object(ss, "scope")? {
                    Some(scope) => Some(scope),
                    None => opt_object(ss, "instrumentationLibrary")?,
                };
                for item in list_or_empty(ss, "spans")? {
                    let trace_id = normalize_id(str_or_empty(item, "traceId")?);
                    let span = span(item, &service, &resource, scope)?;
                    // From the last trace back: a trace's spans mostly come together, and a
                    // search answers a few dozen traces, so no hash map (and its code) is needed.
                    match self
                        .traces
                        .iter_mut()
                        .rev()
                        .find(|t| t.trace_id == trace_id)
                    {
                        Some(trace) => trace.spans.push(span),
                        None => self.traces.push(Trace {
                            trace_id,
                            spans: vec![span],
                        }),
                    }
                }
            }
        }
        Ok(())
    }

    /// The traces, in the order first seen.
    pub(crate) fn into_traces(self) -> Vec<Trace> {
        self.traces
    }
}

/// The service (the `service.name` attribute, `""` when there is none) and the other attributes
/// of the `resource` of a `ResourceSpans`.
fn resource(resource_spans: &Value) -> Read<(String, Vec<(String, AttrValue)>)> {
    let mut attrs = match opt_object(resource_spans, "resource")? {
        Some(resource) => attributes(resource, "attributes")?,
        None => Vec::new(),
    };
    let service = match attrs.iter().position(|(k, _)| k == "service.name") {
        Some(at) => attrs.remove(at).1.to_string(),
        None => String::new(),
    };
    Ok((service, attrs))
}

/// An OTLP span in the common model. `kind`, the times and the status code may be numbers or
/// strings, depending on the gateway. Attributes are laid out as Jaeger's own OTLP → v1
/// translation does (scope first, then the span's, then `span.kind` and the status), so the same
/// span reads the same through either API.
fn span(
    item: &Value,
    service: &str,
    resource: &[(String, AttrValue)],
    scope: Option<&Value>,
) -> Read<Span> {
    let mut attrs = Vec::new();
    if let Some(scope) = scope {
        for (key, attr) in [
            ("name", "otel.scope.name"),
            ("version", "otel.scope.version"),
        ] {
            if let Some(value) = non_empty(str_or_empty(scope, key)?) {
                attrs.push((attr.to_owned(), AttrValue::Str(value)));
            }
        }
    }
    attrs.extend(attributes(item, "attributes")?);
    let kind = span_kind(field(item, "kind")?);
    if let Some(kind) = &kind {
        attrs.push(("span.kind".to_owned(), AttrValue::Str(kind.clone())));
    }
    let status = opt_object(item, "status")?;
    let status_error = match status {
        Some(status) => status_is_error(field(status, "code")?),
        None => None,
    };
    if let Some(is_error) = status_error {
        let code = if is_error { "ERROR" } else { "OK" };
        attrs.push(("otel.status_code".to_owned(), AttrValue::Str(code.into())));
        if is_error && !attrs.iter().any(|(k, _)| k == "error") {
            attrs.push(("error".to_owned(), AttrValue::Bool(true)));
        }
    }
    if let Some(status) = status {
        if let Some(message) = non_empty(str_or_empty(status, "message")?) {
            attrs.push((
                "otel.status_description".to_owned(),
                AttrValue::Str(message),
            ));
        }
    }
    let start_ns = nanos(item, "startTimeUnixNano")?;
    let end_ns = nanos(item, "endTimeUnixNano")?;
    let parent = normalize_id(str_or_empty(item, "parentSpanId")?);
    Ok(Span {
        span_id: normalize_id(str_or_empty(item, "spanId")?),
        parent_id: (!parent.is_empty()).then_some(parent),
        service: service.to_owned(),
        operation: str_or_empty(item, "name")?.to_owned(),
        start_us: start_ns.map_or(0, ns_to_us),
        duration_us: duration_us(start_ns, end_ns),
        is_error: status_error == Some(true) || attributes_say_error(&attrs),
        kind,
        attributes: attrs,
        resource: resource.to_vec(),
        events: read_list(item, "events", event)?,
    })
}

/// `{timeUnixNano, name, attributes}`.
fn event(item: &Value) -> Read<Event> {
    Ok(Event {
        t_us: nanos(item, "timeUnixNano")?.map_or(0, ns_to_us),
        name: str_or_empty(item, "name")?.to_owned(),
        attributes: attributes(item, "attributes")?,
    })
}

/// A list of `{key, value: AnyValue}`.
fn attributes(obj: &Value, key: &str) -> Read<Vec<(String, AttrValue)>> {
    read_list(obj, key, |kv| {
        let value = match opt_object(kv, "value")? {
            Some(value) => any_value(value)?,
            None => AttrValue::Str(String::new()),
        };
        Ok((required_str(kv, "key")?.to_owned(), value))
    })
}

/// An OTLP `AnyValue`: the first of `stringValue`, `intValue` (a decimal string), `boolValue`,
/// `doubleValue`, `bytesValue` (base64), `arrayValue`, `kvlistValue`; an empty one is an empty
/// string.
fn any_value(value: &Value) -> Read<AttrValue> {
    if let Some(s) = opt_str(value, "stringValue")? {
        return Ok(AttrValue::Str(s.to_owned()));
    }
    if let Some(v) = field(value, "intValue")? {
        return Ok(match json_integer(v).and_then(|i| i64::try_from(i).ok()) {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Str(json_text(v)),
        });
    }
    if let Some(b) = opt_bool(value, "boolValue")? {
        return Ok(AttrValue::Bool(b));
    }
    if let Some(v) = field(value, "doubleValue")? {
        // proto3 JSON writes non-finite doubles as "NaN", "Infinity", "-Infinity".
        let x = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => match s.trim() {
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                other => crate::core::units::parse_number(other),
            },
            _ => None,
        };
        return Ok(AttrValue::Float(x.unwrap_or(f64::NAN)));
    }
    if let Some(b) = opt_str(value, "bytesValue")? {
        return Ok(AttrValue::Bytes(b.to_owned()));
    }
    if let Some(a) = opt_object(value, "arrayValue")? {
        return Ok(AttrValue::Array(read_list(a, "values", any_value)?));
    }
    if let Some(l) = opt_object(value, "kvlistValue")? {
        return Ok(AttrValue::KvList(attributes(l, "values")?));
    }
    Ok(AttrValue::Str(String::new()))
}

/// An entry of `/api/v3/operations`: `{"name","spanKind"}`.
pub(crate) fn operation(item: &Value) -> Read<Operation> {
    Ok(Operation {
        name: str_or_empty(item, "name")?.to_owned(),
        span_kind: non_empty(str_or_empty(item, "spanKind")?),
    })
}

/// An entry of `/api/v3/trace-summaries` (Jaeger ≥ 2.19) in the common model (`http_status` is
/// not part of it).
pub(crate) fn trace_summary(item: &Value) -> Read<TraceSummary> {
    let start = nanos(item, "minStartTimeUnixNano")?;
    let end = nanos(item, "maxEndTimeUnixNano")?;
    let count = |key: &str| -> Read<usize> {
        Ok(field(item, key)?
            .and_then(json_integer)
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(0))
    };
    Ok(TraceSummary {
        trace_id: normalize_id(str_or_empty(item, "traceId")?),
        start_us: start.map_or(0, ns_to_us),
        duration_us: duration_us(start, end),
        root_operation: str_or_empty(item, "rootOperationName")?.to_owned(),
        root_service: str_or_empty(item, "rootServiceName")?.to_owned(),
        span_count: count("spanCount")?,
        error_span_count: count("errorSpanCount")?,
        http_status: None,
    })
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

/// A time in nanoseconds, number or decimal string; `None` when missing or not an integer.
fn nanos(obj: &Value, key: &str) -> Read<Option<i128>> {
    Ok(field(obj, key)?.and_then(json_integer))
}

/// From `start` to `end` in microseconds; 0 unless both are there and `end` is later.
fn duration_us(start_ns: Option<i128>, end_ns: Option<i128>) -> i64 {
    match (start_ns, end_ns) {
        (Some(s), Some(e)) if e > s => ns_to_us(e - s),
        _ => 0,
    }
}

/// `kind` as a name: 1..5 or `SPAN_KIND_*`; `None` for unspecified.
fn span_kind(value: Option<&Value>) -> Option<String> {
    let name = match value? {
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

/// The status code (`{"code": 0|1|2, "message"}`, 2 is ERROR) as `Some(true)` for ERROR,
/// `Some(false)` for OK, `None` for unset.
fn status_is_error(code: Option<&Value>) -> Option<bool> {
    match code? {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn old_gateway_spellings_are_read() {
        let mut set = TraceSet::default();
        set.add(&json(
            r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
                "instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"fastapi"},
                "spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAI=","parentSpanId":"",
                          "name":"GET /","kind":"SPAN_KIND_SERVER","startTimeUnixNano":1500999,
                          "endTimeUnixNano":"2501999","status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}"#,
        ))
        .unwrap();
        let traces = set.into_traces();
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
        let check = |text: &str, expected: AttrValue| {
            assert_eq!(any_value(&json(text)).unwrap(), expected, "{text}");
        };
        check(
            r#"{"intValue":"9223372036854775807"}"#,
            AttrValue::Int(i64::MAX),
        );
        check(r#"{"intValue":7}"#, AttrValue::Int(7));
        check(
            r#"{"intValue":"99999999999999999999"}"#,
            AttrValue::Str("99999999999999999999".into()),
        );
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
        assert!(any_value(&json(r#"{"stringValue":5}"#)).is_err());
    }

    #[test]
    fn nanoseconds_round_down_to_microseconds() {
        assert_eq!(ns_to_us(1_999), 1);
        assert_eq!(ns_to_us(-1), -1);
        assert_eq!(ns_to_us(i128::MAX), i64::MAX);
        let summary = trace_summary(&json(
            r#"{"traceId":"AB","minStartTimeUnixNano":"1700000000123456789",
                "maxEndTimeUnixNano":1700000000223456789,"spanCount":"3","errorSpanCount":null}"#,
        ))
        .unwrap();
        assert_eq!(
            (
                summary.trace_id.as_str(),
                summary.start_us,
                summary.duration_us
            ),
            ("ab", 1_700_000_000_123_456, 100_000)
        );
        assert_eq!((summary.span_count, summary.error_span_count), (3, 0));
    }
}
