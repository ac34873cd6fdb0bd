//! Turning an HTTP status and a body into traces, services or operations, or a [`JaegerError`]
//! whose kind says what the operator can do. One function per endpoint; the checks, in order:
//! 1. Jaeger's own error envelope (v1 `errors[]`, v3 `error{}`), whatever the HTTP status → `Api`,
//!    or `NotFound` for its 404 (a search decoder turns that into an empty list);
//! 2. a status that is not 2xx → `Http`;
//! 3. a body that is not JSON (or is empty) → `NotJson`;
//! 4. JSON that does not have the expected shape, or that is cut off → `Decode`.
//!
//! Each body is parsed once into a [`Value`]; the [`v1`] and [`v3`] readers then walk it into the
//! common model (see [`super::json`] for why: one parse, and a small wasm build).

use serde::Deserialize;
use serde_json::error::Category;
use serde_json::{Deserializer, Value};

use super::error::JaegerError;
use super::json::{name, opt_object, read_list, Read, Shape};
use super::model::{Operation, Trace, TraceSummary};
use super::v1;
use super::v3::{self, TraceSet, V3Error};

fn is_success(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

/// The error for a body that did not parse: `NotJson` when it is not JSON at all (or empty),
/// `Decode` when it is JSON cut off.
fn unparsable(http_status: u16, body: &str, error: &serde_json::Error) -> JaegerError {
    match error.classify() {
        _ if body.trim().is_empty() => JaegerError::not_json(http_status, body),
        Category::Syntax | Category::Io => JaegerError::not_json(http_status, body),
        Category::Eof => JaegerError::decode(format!(
            "the JSON ends early, as if the answer was cut off: {error}"
        )),
        Category::Data => JaegerError::decode(error.to_string()),
    }
}

fn not_an_object() -> Shape {
    Shape("the body is JSON, but not an object".into())
}

/// A body that must be one JSON object. A non-2xx answer that is not one is `Http`; JSON followed
/// by more (e.g. a streamed api_v3 answer read as v1) is JSON of the wrong shape.
fn parse_object(http_status: u16, body: &str) -> Result<Value, JaegerError> {
    let mut stream = Deserializer::from_str(body);
    let parsed = Value::deserialize(&mut stream);
    let more = parsed.is_ok() && stream.end().is_err();
    match parsed {
        Ok(root) if root.is_object() && !more => Ok(root),
        _ if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
        Ok(_) if more => Err(JaegerError::decode(
            "the body holds more than one JSON document",
        )),
        Ok(_) => Err(not_an_object().into()),
        Err(e) => Err(unparsable(http_status, body, &e)),
    }
}

/// Turns a "no such trace" into an empty search result.
fn empty_if_not_found<T: Default>(result: Result<T, JaegerError>) -> Result<T, JaegerError> {
    match result {
        Err(e) if e.is_not_found() => Ok(T::default()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// v1

fn v1_api_error(http_status: u16, errors: &[(i64, String)]) -> JaegerError {
    let code = errors
        .iter()
        .map(|(code, _)| *code)
        .find(|&c| c != 0)
        .unwrap_or(i64::from(http_status));
    if code == 404 {
        return JaegerError::not_found();
    }
    let mut message = String::new();
    for msg in errors
        .iter()
        .map(|(_, msg)| msg.trim())
        .filter(|m| !m.is_empty())
    {
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str(msg);
    }
    JaegerError::api(code, message)
}

/// `data` of a v1 answer `{data, total, limit, offset, errors}`, each item read by `item`;
/// `None` for `null`. The key must be there: without it the body is not a v1 answer (e.g. an
/// api_v3 one) and must not read as "empty".
fn v1_data<T>(root: &Value, item: fn(&Value) -> Read<T>) -> Read<Option<Vec<T>>> {
    match root.get("data") {
        None => Err(Shape("the answer has no `data`".into())),
        Some(Value::Null) => Ok(None),
        Some(_) => read_list(root, "data", item).map(Some),
    }
}

/// Any v1 answer: its `data`, each item read by `item` (empty for `null`). A 2xx answer with data
/// is a success even when `errors` lists traces that could not be fetched (a search by several
/// ids does that). When `data` has another shape than expected, readable `errors` still win.
fn decode_v1<T>(
    http_status: u16,
    body: &str,
    item: fn(&Value) -> Read<T>,
) -> Result<Vec<T>, JaegerError> {
    let root = parse_object(http_status, body)?;
    let data = v1_data(&root, item);
    let errors = read_list(&root, "errors", v1::error);
    match (data, errors) {
        (Ok(Some(data)), Ok(_)) if is_success(http_status) => Ok(data),
        (_, Ok(errors)) if !errors.is_empty() => Err(v1_api_error(http_status, &errors)),
        _ if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
        (Ok(data), Ok(_)) => Ok(data.unwrap_or_default()),
        (Err(shape), _) | (_, Err(shape)) => Err(shape.into()),
    }
}

/// `GET /api/traces?service=…` (search). No match is an empty list, never an error.
pub fn decode_v1_traces(http_status: u16, body: &str) -> Result<Vec<Trace>, JaegerError> {
    empty_if_not_found(decode_v1(http_status, body, v1::trace))
}

/// `GET /api/traces/{id}`: the trace, or `NotFound` (Jaeger's 404, or an empty answer).
pub fn decode_v1_trace(http_status: u16, body: &str) -> Result<Trace, JaegerError> {
    decode_v1(http_status, body, v1::trace)?
        .into_iter()
        .next()
        .ok_or_else(JaegerError::not_found)
}

/// `GET /api/services`: the service names.
pub fn decode_v1_services(http_status: u16, body: &str) -> Result<Vec<String>, JaegerError> {
    decode_v1(http_status, body, name)
}

/// `GET /api/operations?service=…` (`{name, spanKind}` entries) or the legacy
/// `GET /api/services/{service}/operations` (names only).
pub fn decode_v1_operations(http_status: u16, body: &str) -> Result<Vec<Operation>, JaegerError> {
    decode_v1(http_status, body, v1::operation)
}

// ---------------------------------------------------------------------------------------------
// api_v3

fn v3_api_error(http_status: u16, details: &V3Error) -> JaegerError {
    // gRPC code 5 is NOT_FOUND.
    let not_found = details.http_code == Some(404)
        || (details.http_code.is_none() && (details.grpc_code == Some(5) || http_status == 404));
    if not_found {
        return JaegerError::not_found();
    }
    let code = details
        .http_code
        .or(details.grpc_code)
        .unwrap_or(i64::from(http_status));
    JaegerError::api(code, details.message.clone())
}

/// One `{"result": TracesData}` or `{"error": {...}}` document: its spans go into `traces`;
/// answers whether it had a `result`, and its error.
fn read_v3_document(doc: &Value, traces: &mut TraceSet) -> Read<(bool, Option<V3Error>)> {
    if !doc.is_object() {
        return Err(not_an_object());
    }
    let error = opt_object(doc, "error")?.map(V3Error::read).transpose()?;
    let result = opt_object(doc, "result")?;
    if let Some(result) = result {
        traces.add(result)?;
    }
    Ok((result.is_some(), error))
}

/// `/api/v3/traces…` answers: one `{"result"…}` document, or several one after the other (a
/// streaming gateway), merged.
fn decode_v3_traces_data(http_status: u16, body: &str) -> Result<Vec<Trace>, JaegerError> {
    let mut traces = TraceSet::default();
    let mut saw_result = false;
    let mut first_error: Option<V3Error> = None;
    let mut failure = None;
    for (i, doc) in Deserializer::from_str(body)
        .into_iter::<Value>()
        .enumerate()
    {
        let read = match doc {
            Ok(doc) => read_v3_document(&doc, &mut traces).map_err(JaegerError::from),
            Err(e) if i == 0 => Err(unparsable(http_status, body, &e)),
            Err(e) => Err(JaegerError::decode(format!(
                "a later part of the streamed answer does not parse, as if it was cut off: {e}"
            ))),
        };
        match read {
            Ok((has_result, error)) => {
                saw_result |= has_result;
                if first_error.is_none() {
                    first_error = error;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if let Some(details) = &first_error {
        return Err(v3_api_error(http_status, details));
    }
    if !is_success(http_status) {
        return Err(JaegerError::http(http_status, body));
    }
    match failure {
        Some(e) => Err(e),
        None if body.trim().is_empty() => Err(JaegerError::not_json(http_status, body)),
        None if !saw_result => Err(JaegerError::decode(
            "the answer has neither `result` nor `error`",
        )),
        None => Ok(traces.into_traces()),
    }
}

/// `GET /api/v3/traces?query.…` (search): the traces, spans grouped by `traceId`. Jaeger's 404
/// "No traces found" is an empty list.
pub fn decode_v3_traces(http_status: u16, body: &str) -> Result<Vec<Trace>, JaegerError> {
    empty_if_not_found(decode_v3_traces_data(http_status, body))
}

/// `GET /api/v3/traces/{id}`: the trace, or `NotFound` (Jaeger's 404, or an empty `result`).
pub fn decode_v3_trace(http_status: u16, body: &str) -> Result<Trace, JaegerError> {
    decode_v3_traces_data(http_status, body)?
        .into_iter()
        .next()
        .ok_or_else(JaegerError::not_found)
}

/// Any other api_v3 answer: one JSON object, with its `error` checked (an `error` that does not
/// read as one is ignored).
fn decode_v3_object(http_status: u16, body: &str) -> Result<Value, JaegerError> {
    let root = parse_object(http_status, body)?;
    let details = root
        .get("error")
        .filter(|e| e.is_object())
        .and_then(|e| V3Error::read(e).ok());
    match details {
        Some(details) => Err(v3_api_error(http_status, &details)),
        None if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
        None => Ok(root),
    }
}

/// The list under `key`, each item read by `item`. proto3 JSON leaves an empty list out, so `{}`
/// is an empty list; an object with other keys but not this one is another answer (e.g. a v1
/// one).
fn v3_list<T>(root: &Value, key: &str, item: fn(&Value) -> Read<T>) -> Result<Vec<T>, JaegerError> {
    let is_empty = root.as_object().is_some_and(|map| map.is_empty());
    if root.get(key).is_none() && !is_empty {
        return Err(JaegerError::decode(format!("the answer has no `{key}`")));
    }
    Ok(read_list(root, key, item)?)
}

/// `GET /api/v3/services`: the service names.
pub fn decode_v3_services(http_status: u16, body: &str) -> Result<Vec<String>, JaegerError> {
    v3_list(&decode_v3_object(http_status, body)?, "services", name)
}

/// `GET /api/v3/operations?service=…`.
pub fn decode_v3_operations(http_status: u16, body: &str) -> Result<Vec<Operation>, JaegerError> {
    v3_list(
        &decode_v3_object(http_status, body)?,
        "operations",
        v3::operation,
    )
}

/// `GET /api/v3/trace-summaries?query.…` (Jaeger ≥ 2.19): one summary per trace, without
/// downloading the spans. A 404 "No traces found" is an empty list. `http_status` of each
/// summary is `None` (the endpoint does not carry attributes).
pub fn decode_v3_trace_summaries(
    http_status: u16,
    body: &str,
) -> Result<Vec<TraceSummary>, JaegerError> {
    // Only `decode_v3_object` answers `NotFound`.
    empty_if_not_found(
        decode_v3_object(http_status, body)
            .and_then(|root| v3_list(&root, "summaries", v3::trace_summary)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jaeger::JaegerErrorKind;

    fn kind<T: std::fmt::Debug>(r: Result<T, JaegerError>) -> JaegerErrorKind {
        r.expect_err("an error").kind
    }

    #[test]
    fn v3_not_found_is_empty_for_a_search_and_not_found_by_id() {
        let body = "{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}\n";
        assert_eq!(decode_v3_traces(404, body), Ok(vec![]));
        assert_eq!(kind(decode_v3_trace(404, body)), JaegerErrorKind::NotFound);
        assert_eq!(decode_v3_trace_summaries(404, body), Ok(vec![]));
        // An empty result by id is not found too.
        assert_eq!(
            kind(decode_v3_trace(200, r#"{"result":{}}"#)),
            JaegerErrorKind::NotFound
        );
        assert_eq!(
            decode_v3_traces(200, r#"{"result":{"resourceSpans":[]}}"#),
            Ok(vec![])
        );
    }

    #[test]
    fn a_404_that_is_not_jaegers_is_an_http_error_not_an_empty_search() {
        // A Jaeger without api_v3, or a wrong path prefix: Go's mux answers text.
        assert_eq!(
            kind(decode_v3_traces(404, "404 page not found\n")),
            JaegerErrorKind::Http {
                status: 404,
                snippet: "404 page not found".into()
            }
        );
        assert!(matches!(
            kind(decode_v1_traces(404, "<html>nginx</html>")),
            JaegerErrorKind::Http { status: 404, .. }
        ));
    }

    #[test]
    fn v3_errors_keep_their_code_and_message() {
        let body = "{\"error\":{\"httpCode\":400,\"message\":\"malformed parameter query.start_time_min: parsing time\"}}\n";
        assert_eq!(
            kind(decode_v3_traces(400, body)),
            JaegerErrorKind::Api {
                code: 400,
                message: "malformed parameter query.start_time_min: parsing time".into()
            }
        );
        assert_eq!(
            kind(decode_v3_services(
                500,
                r#"{"error":{"grpcCode":14,"message":"unavailable"}}"#
            )),
            JaegerErrorKind::Api {
                code: 14,
                message: "unavailable".into()
            }
        );
    }

    #[test]
    fn bodies_that_are_not_answers_are_told_apart() {
        assert!(matches!(
            kind(decode_v3_traces(
                200,
                "<!doctype html><title>Jaeger UI</title>"
            )),
            JaegerErrorKind::NotJson { .. }
        ));
        assert!(matches!(
            kind(decode_v3_services(200, "")),
            JaegerErrorKind::NotJson { .. }
        ));
        assert!(matches!(
            kind(decode_v1_services(200, "")),
            JaegerErrorKind::NotJson { .. }
        ));
        assert!(matches!(
            kind(decode_v3_traces(200, r#"{"result":{"resourceSpans":[{"#)),
            JaegerErrorKind::Decode { .. }
        ));
        assert!(matches!(
            kind(decode_v3_traces(200, "[1]")),
            JaegerErrorKind::Decode { .. }
        ));
        // A v1 answer read as v3 and the reverse are shape errors, never empty lists.
        assert!(matches!(
            kind(decode_v3_services(200, r#"{"data":["a"],"errors":null}"#)),
            JaegerErrorKind::Decode { .. }
        ));
        assert!(matches!(
            kind(decode_v1_services(200, r#"{"services":["a"]}"#)),
            JaegerErrorKind::Decode { .. }
        ));
        assert!(matches!(
            kind(decode_v3_traces(200, r#"{"data":[]}"#)),
            JaegerErrorKind::Decode { .. }
        ));
        let streamed = "{\"result\":{}}\n{\"result\":{}}\n";
        assert!(matches!(
            kind(decode_v1_traces(200, streamed)),
            JaegerErrorKind::Decode { .. }
        ));
    }

    #[test]
    fn empty_lists_may_be_null_or_left_out() {
        assert_eq!(decode_v3_services(200, "{}"), Ok(vec![]));
        assert_eq!(
            decode_v1_services(
                200,
                r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":null}"#
            ),
            Ok(vec![])
        );
        assert_eq!(
            decode_v1_traces(200, r#"{"data":[],"errors":null}"#),
            Ok(vec![])
        );
        assert_eq!(
            decode_v1_operations(200, r#"{"data":["a","b"]}"#),
            Ok(vec![
                Operation {
                    name: "a".into(),
                    span_kind: None
                },
                Operation {
                    name: "b".into(),
                    span_kind: None
                }
            ])
        );
    }

    #[test]
    fn a_streamed_v3_answer_is_merged() {
        let part = |trace: &str, span: &str| {
            format!(
                r#"{{"result":{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{trace}","spanId":"{span}"}}]}}]}}]}}}}"#
            )
        };
        let body = format!(
            "{}\n{}\n{}\n",
            part("a1", "01"),
            part("b2", "02"),
            part("a1", "03")
        );
        let traces = decode_v3_traces(200, &body).unwrap();
        assert_eq!(traces.len(), 2);
        assert_eq!(traces[0].spans.len(), 2);
        assert_eq!(traces[1].trace_id, "b2");
    }

    #[test]
    fn fields_of_the_wrong_type_are_shape_errors_and_later_parts_must_parse() {
        let decode_error =
            |r: Result<Vec<Trace>, JaegerError>| matches!(kind(r), JaegerErrorKind::Decode { .. });
        assert!(decode_error(decode_v1_traces(
            200,
            r#"{"data":[{"traceID":"1","spans":5}]}"#
        )));
        assert!(decode_error(decode_v1_traces(
            200,
            r#"{"data":[{"spans":[]}]}"#
        )));
        assert!(decode_error(decode_v3_traces(
            200,
            r#"{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":7}]}]}]}}"#
        )));
        assert!(decode_error(decode_v3_traces(
            200,
            "{\"result\":{}}\n{\"result\":{\"resourceSpans\":[{\n"
        )));
        assert!(matches!(
            kind(decode_v3_traces(200, " \n")),
            JaegerErrorKind::NotJson { .. }
        ));
        // Readable errors win over data of another shape.
        assert_eq!(
            kind(decode_v1_services(
                500,
                r#"{"data":{},"errors":[{"code":500,"msg":"boom"}]}"#
            )),
            JaegerErrorKind::Api {
                code: 500,
                message: "boom".into()
            }
        );
    }

    #[test]
    fn a_v1_search_with_data_and_partial_errors_is_a_success() {
        let body = r#"{"data":[{"traceID":"1","spans":[],"processes":{}}],"errors":[{"code":404,"msg":"trace not found","traceID":"2"}]}"#;
        assert_eq!(decode_v1_traces(200, body).unwrap().len(), 1);
        assert_eq!(
            kind(decode_v1_trace(200, r#"{"data":[],"errors":null}"#)),
            JaegerErrorKind::NotFound
        );
    }
}
