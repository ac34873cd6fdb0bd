//! The internal v1 JSON API (`/api/traces`, `/api/services`, …, the "UI model"), read from a
//! parsed [`Value`] straight into the common [`Trace`] model (see [`super::json`] for why and for
//! the reading rules). Times here are already microseconds.
//!
//! The shapes read: a trace is `{traceID, spans[], processes{processID: {serviceName}}}`; a span
//! `{spanID, operationName, references[{refType, traceID, spanID}], startTime, duration, tags[],
//! logs[{timestamp, fields[]}], processID, process?}`; a tag or log field
//! `{key, type, value}`; an operation `{name, spanKind}` or a bare name.

use serde_json::Value;

use super::json::{
    int_or_zero, json_text, json_to_attr, list_or_empty, non_empty, opt_object, read_list,
    required_str, str_or_empty, Read,
};
use super::model::{attributes_say_error, normalize_id, AttrValue, Event, Operation, Span, Trace};

/// One entry of `errors[]`: `{"code":404,"msg":"trace not found"}` (and `traceID` when a search by
/// id could not fetch one of the traces) as `(code, msg)`.
pub(crate) fn error(item: &Value) -> Read<(i64, String)> {
    Ok((
        int_or_zero(item, "code")?,
        str_or_empty(item, "msg")?.to_owned(),
    ))
}

/// An entry of `/api/operations` (`{name, spanKind}`) or of the legacy
/// `/api/services/{s}/operations` (a bare name).
pub(crate) fn operation(item: &Value) -> Read<Operation> {
    if let Value::String(name) = item {
        return Ok(Operation {
            name: name.clone(),
            span_kind: None,
        });
    }
    Ok(Operation {
        name: required_str(item, "name")?.to_owned(),
        span_kind: non_empty(str_or_empty(item, "spanKind")?),
    })
}

/// One trace of `data[]`, in the common model.
pub(crate) fn trace(item: &Value) -> Read<Trace> {
    let trace_id = normalize_id(required_str(item, "traceID")?);
    // `processID` → `{serviceName, tags}`.
    let processes = opt_object(item, "processes")?;
    let items = list_or_empty(item, "spans")?;
    let mut spans = Vec::with_capacity(items.len());
    for s in items {
        // Some producers embed the process in the span instead of the trace's `processes`.
        let process = match opt_object(s, "process")? {
            Some(process) => Some(process),
            None => {
                let id = str_or_empty(s, "processID")?;
                processes.and_then(|p| p.get(id))
            }
        };
        let (service, resource) = match process {
            Some(process) => (str_or_empty(process, "serviceName")?, read_list(process, "tags", tag)?),
            None => ("", Vec::new()),
        };
        spans.push(Span { resource, ..span(s, &trace_id, service)? });
    }
    Ok(Trace { trace_id, spans })
}

/// A span in the common model. `trace_id` (normalized) decides which references point into this
/// trace: the parent is the first `CHILD_OF` one, else the first `FOLLOWS_FROM` one.
fn span(item: &Value, trace_id: &str, service: &str) -> Read<Span> {
    let (mut child_of, mut follows_from) = (None, None);
    for r in list_or_empty(item, "references")? {
        let ref_type = str_or_empty(r, "refType")?;
        let span_id = str_or_empty(r, "spanID")?;
        if normalize_id(str_or_empty(r, "traceID")?) != trace_id {
            continue;
        }
        let slot = if ref_type.eq_ignore_ascii_case("CHILD_OF") {
            &mut child_of
        } else if ref_type.eq_ignore_ascii_case("FOLLOWS_FROM") {
            &mut follows_from
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(normalize_id(span_id));
        }
    }
    let attributes = read_list(item, "tags", tag)?;
    let kind = attributes
        .iter()
        .find(|(k, _)| k == "span.kind")
        .and_then(|(_, v)| v.as_str())
        .filter(|k| !k.is_empty())
        .map(|k| k.to_ascii_lowercase());
    Ok(Span {
        span_id: normalize_id(required_str(item, "spanID")?),
        parent_id: child_of.or(follows_from),
        service: service.to_owned(),
        operation: str_or_empty(item, "operationName")?.to_owned(),
        start_us: int_or_zero(item, "startTime")?,
        duration_us: int_or_zero(item, "duration")?.max(0),
        is_error: attributes_say_error(&attributes),
        kind,
        events: read_list(item, "logs", log)?,
        attributes,
        resource: Vec::new(),
    })
}

/// A log as an event: the field `event` is its name, the other fields its attributes.
fn log(item: &Value) -> Read<Event> {
    let mut name = String::new();
    let mut attributes = Vec::new();
    for (key, value) in read_list(item, "fields", tag)? {
        match value {
            AttrValue::Str(s) if key == "event" && name.is_empty() => name = s,
            value => attributes.push((key, value)),
        }
    }
    Ok(Event {
        t_us: int_or_zero(item, "timestamp")?,
        name,
        attributes,
    })
}

/// A tag or log field `{"key","type":"string"|"int64"|"bool"|"float64"|"binary","value"}`.
fn tag(item: &Value) -> Read<(String, AttrValue)> {
    let key = required_str(item, "key")?.to_owned();
    let value_type = str_or_empty(item, "type")?;
    // `value` is read raw: an int64 above 2^53 arrives as a string.
    let value = match item.get("value") {
        Some(value) => typed_value(value_type, value),
        None => typed_value(value_type, &Value::Null),
    };
    Ok((key, value))
}

/// A value of a declared type. Unknown or missing types are read from the JSON itself; a value
/// that does not fit its declared type is kept as text rather than dropped.
fn typed_value(value_type: &str, value: &Value) -> AttrValue {
    let text = || json_text(value);
    match value_type {
        "string" => AttrValue::Str(text()),
        "binary" => AttrValue::Bytes(text()),
        "bool" => match value {
            Value::Bool(b) => AttrValue::Bool(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => AttrValue::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => AttrValue::Bool(false),
            _ => AttrValue::Str(text()),
        },
        "int64" => match value {
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| AttrValue::Str(text()), AttrValue::Int),
            Value::String(s) => s
                .trim()
                .parse()
                .map_or_else(|_| AttrValue::Str(text()), AttrValue::Int),
            _ => AttrValue::Str(text()),
        },
        "float64" => match value {
            Value::Number(n) => n
                .as_f64()
                .map_or_else(|| AttrValue::Str(text()), AttrValue::Float),
            Value::String(s) => crate::core::units::parse_number(s)
                .map_or_else(|| AttrValue::Str(text()), AttrValue::Float),
            _ => AttrValue::Str(text()),
        },
        _ => json_to_attr(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn tag_values_follow_their_declared_type() {
        let check = |text: &str, expected: AttrValue| {
            assert_eq!(tag(&json(text)).unwrap().1, expected, "{text}");
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
        assert!(tag(&json(r#"{"type":"string","value":"v"}"#)).is_err());
    }

    #[test]
    fn the_parent_is_the_first_child_of_reference_into_the_trace() {
        let item = json(
            r#"{"traceID":"1","spanID":"4","operationName":"op","startTime":10,"duration":-3,
                "references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"5"},
                              {"refType":"CHILD_OF","traceID":"ff","spanID":"ff"},
                              {"refType":"CHILD_OF","traceID":"1","spanID":"2"}],
                "tags":null,"logs":[{"timestamp":11,"fields":[{"key":"event","type":"string","value":"exception"},
                                                             {"key":"x","type":"string","value":"y"}]}]}"#,
        );
        let s = span(&item, "1", "svc").unwrap();
        assert_eq!(s.parent_id.as_deref(), Some("2"));
        assert_eq!(s.duration_us, 0);
        assert_eq!(s.events[0].name, "exception");
        assert_eq!(
            s.events[0].attributes,
            vec![("x".to_owned(), AttrValue::Str("y".into()))]
        );
        let only_follows = json(
            r#"{"traceID":"1","spanID":"4","references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"5"}]}"#,
        );
        assert_eq!(
            span(&only_follows, "1", "").unwrap().parent_id.as_deref(),
            Some("5")
        );
    }

    #[test]
    fn the_service_comes_from_the_span_process_or_the_trace_processes() {
        let t = trace(&json(
            r#"{"traceID":"AB","processes":{"p1":{"serviceName":"api"}},
                "spans":[{"traceID":"ab","spanID":"1","processID":"p1"},
                         {"traceID":"ab","spanID":"2","processID":"p1","process":{"serviceName":"own"}},
                         {"traceID":"ab","spanID":"3","processID":"gone"}]}"#,
        ))
        .unwrap();
        assert_eq!(t.trace_id, "ab");
        let services: Vec<&str> = t.spans.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(services, ["api", "own", ""]);
        assert!(trace(&json(r#"{"spans":[]}"#)).is_err(), "no traceID");
        assert!(trace(&json(r#"{"traceID":"1","spans":{}}"#)).is_err());
    }
}
