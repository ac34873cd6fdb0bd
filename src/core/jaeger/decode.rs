//! Turning an HTTP status and a body into traces, services or operations, or a [`JaegerError`]
//! whose kind says what the operator can do. One function per endpoint; the checks, in order:
//! 1. Jaeger's own error envelope (v1 `errors[]`, v3 `error{}`), whatever the HTTP status → `Api`,
//!    or `NotFound` for its 404 (a search decoder turns that into an empty list);
//! 2. a status that is not 2xx → `Http`;
//! 3. a body that is not JSON (or is empty) → `NotJson`;
//! 4. JSON that does not have the expected shape, or that is cut off → `Decode`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;
use serde_json::{Map, Value};

use super::error::{JaegerError, JaegerErrorKind};
use super::model::{Operation, Trace, TraceSummary};
use super::v1::{V1Error, V1ErrorsOnly, V1Operation, V1Trace};
use super::v3::{TracesData, V3Envelope, V3ErrorDetails, V3Operation, V3TraceSummary};

fn is_success(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

/// The error for JSON that did not parse: `NotJson` when it is not JSON at all, `Decode` when it
/// is JSON of the wrong shape or cut off.
fn unparsable(http_status: u16, body: &str, error: &serde_json::Error) -> JaegerError {
    match error.classify() {
        _ if body.trim().is_empty() => JaegerError::not_json(http_status, body),
        Category::Syntax | Category::Io => JaegerError::not_json(http_status, body),
        Category::Eof => JaegerError::decode(format!(
            "the JSON ends early, as if the answer was cut off: {error}"
        )),
        Category::Data if !body.trim_start().starts_with('{') => {
            JaegerError::decode("the body is JSON, but not an object")
        }
        Category::Data => JaegerError::decode(error.to_string()),
    }
}

/// Turns a "no such trace" into an empty search result.
fn empty_if_not_found<T: Default>(result: Result<T, JaegerError>) -> Result<T, JaegerError> {
    match result {
        Err(e) if e.kind == JaegerErrorKind::NotFound => Ok(T::default()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// v1

/// `{data, errors, …}` whose `data` key must be present (`null` is fine): without it, the body
/// is not a v1 answer (e.g. an api_v3 one) and must not read as "empty".
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct V1Body<T> {
    #[serde(deserialize_with = "present")]
    data: Option<T>,
    #[serde(default, deserialize_with = "super::v1::null_as_empty")]
    errors: Vec<V1Error>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

fn v1_api_error(http_status: u16, errors: &[V1Error]) -> JaegerError {
    let code = errors
        .iter()
        .map(|e| e.code)
        .find(|&c| c != 0)
        .unwrap_or(i64::from(http_status));
    if code == 404 {
        return JaegerError::not_found();
    }
    let message = errors
        .iter()
        .map(|e| e.msg.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    JaegerError::api(code, message)
}

/// Any v1 answer: its `data` (`None` for `null`). A 2xx answer with data is a success even when
/// `errors` lists traces that could not be fetched (a search by several ids does that).
fn decode_v1<T: DeserializeOwned>(http_status: u16, body: &str) -> Result<Option<T>, JaegerError> {
    match serde_json::from_str::<V1Body<T>>(body) {
        Ok(v1) if is_success(http_status) && v1.data.is_some() => Ok(v1.data),
        Ok(v1) if !v1.errors.is_empty() => Err(v1_api_error(http_status, &v1.errors)),
        Ok(_) if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
        Ok(v1) => Ok(v1.data),
        Err(shape) => {
            // The data may have another shape than expected while the errors are readable.
            match serde_json::from_str::<V1ErrorsOnly>(body) {
                Ok(e) if !e.errors.is_empty() => Err(v1_api_error(http_status, &e.errors)),
                _ if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
                _ => Err(unparsable(http_status, body, &shape)),
            }
        }
    }
}

/// `GET /api/traces?service=…` (search). No match is an empty list, never an error.
pub fn decode_v1_traces(http_status: u16, body: &str) -> Result<Vec<Trace>, JaegerError> {
    empty_if_not_found(decode_v1::<Vec<V1Trace>>(http_status, body)).map(|data| {
        data.unwrap_or_default()
            .iter()
            .map(V1Trace::to_trace)
            .collect()
    })
}

/// `GET /api/traces/{id}`: the trace, or `NotFound` (Jaeger's 404, or an empty answer).
pub fn decode_v1_trace(http_status: u16, body: &str) -> Result<Trace, JaegerError> {
    decode_v1::<Vec<V1Trace>>(http_status, body)?
        .and_then(|traces| traces.first().map(V1Trace::to_trace))
        .ok_or_else(JaegerError::not_found)
}

/// `GET /api/services`: the service names.
pub fn decode_v1_services(http_status: u16, body: &str) -> Result<Vec<String>, JaegerError> {
    Ok(decode_v1::<Vec<String>>(http_status, body)?.unwrap_or_default())
}

/// `GET /api/operations?service=…` (`{name, spanKind}` entries) or the legacy
/// `GET /api/services/{service}/operations` (names only).
pub fn decode_v1_operations(http_status: u16, body: &str) -> Result<Vec<Operation>, JaegerError> {
    let operations = decode_v1::<Vec<V1Operation>>(http_status, body)?.unwrap_or_default();
    Ok(operations
        .into_iter()
        .map(|op| match op {
            V1Operation::Name(name) => Operation {
                name,
                span_kind: None,
            },
            V1Operation::WithKind { name, span_kind } => Operation {
                name,
                span_kind: (!span_kind.is_empty()).then_some(span_kind),
            },
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// api_v3

fn v3_api_error(http_status: u16, details: &V3ErrorDetails) -> JaegerError {
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

/// `/api/v3/traces…` answers: one `{"result"…}` document, or several one after the other (a
/// streaming gateway), merged into one `TracesData`.
fn decode_v3_traces_data(http_status: u16, body: &str) -> Result<TracesData, JaegerError> {
    let mut merged = TracesData::default();
    let mut saw_result = false;
    let mut first_error: Option<V3ErrorDetails> = None;
    let mut parse_failure = None;
    for (i, item) in serde_json::Deserializer::from_str(body)
        .into_iter::<V3Envelope>()
        .enumerate()
    {
        match item {
            Ok(envelope) => {
                if let Some(result) = envelope.result {
                    saw_result = true;
                    merged.resource_spans.extend(result.resource_spans);
                }
                if first_error.is_none() {
                    first_error = envelope.error;
                }
            }
            Err(e) => {
                parse_failure = Some((i, e));
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
    match parse_failure {
        Some((0, e)) => Err(unparsable(http_status, body, &e)),
        Some((_, e)) => Err(JaegerError::decode(format!(
            "a later part of the streamed answer does not parse, as if it was cut off: {e}"
        ))),
        None if body.trim().is_empty() => Err(JaegerError::not_json(http_status, body)),
        None if !saw_result => Err(JaegerError::decode(
            "the answer has neither `result` nor `error`",
        )),
        None => Ok(merged),
    }
}

/// `GET /api/v3/traces?query.…` (search): the traces, spans grouped by `traceId`. Jaeger's 404
/// "No traces found" is an empty list.
pub fn decode_v3_traces(http_status: u16, body: &str) -> Result<Vec<Trace>, JaegerError> {
    empty_if_not_found(decode_v3_traces_data(http_status, body).map(|data| data.to_traces()))
}

/// `GET /api/v3/traces/{id}`: the trace, or `NotFound` (Jaeger's 404, or an empty `result`).
pub fn decode_v3_trace(http_status: u16, body: &str) -> Result<Trace, JaegerError> {
    decode_v3_traces_data(http_status, body)?
        .to_traces()
        .into_iter()
        .next()
        .ok_or_else(JaegerError::not_found)
}

/// Any other api_v3 answer: one JSON object, with its `error` checked.
fn decode_v3_object(http_status: u16, body: &str) -> Result<Map<String, Value>, JaegerError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => {
            let details = map
                .get("error")
                .filter(|e| e.is_object())
                .and_then(|e| V3ErrorDetails::deserialize(e).ok());
            match details {
                Some(details) => Err(v3_api_error(http_status, &details)),
                None if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
                None => Ok(map),
            }
        }
        _ if !is_success(http_status) => Err(JaegerError::http(http_status, body)),
        Ok(_) => Err(JaegerError::decode("the body is JSON, but not an object")),
        Err(e) => Err(unparsable(http_status, body, &e)),
    }
}

/// The list under `key`. proto3 JSON leaves an empty list out, so `{}` is an empty list; an
/// object with other keys but not this one is another answer (e.g. a v1 one).
fn v3_list<T: DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
) -> Result<Vec<T>, JaegerError> {
    match map.get(key) {
        None if map.is_empty() => Ok(Vec::new()),
        None => Err(JaegerError::decode(format!("the answer has no `{key}`"))),
        Some(Value::Null) => Ok(Vec::new()),
        Some(list) => Vec::<T>::deserialize(list)
            .map_err(|e| JaegerError::decode(format!("`{key}` has an unexpected shape: {e}"))),
    }
}

/// `GET /api/v3/services`: the service names.
pub fn decode_v3_services(http_status: u16, body: &str) -> Result<Vec<String>, JaegerError> {
    v3_list(&decode_v3_object(http_status, body)?, "services")
}

/// `GET /api/v3/operations?service=…`.
pub fn decode_v3_operations(http_status: u16, body: &str) -> Result<Vec<Operation>, JaegerError> {
    let operations: Vec<V3Operation> =
        v3_list(&decode_v3_object(http_status, body)?, "operations")?;
    Ok(operations
        .into_iter()
        .map(|op| Operation {
            name: op.name,
            span_kind: (!op.span_kind.is_empty()).then_some(op.span_kind),
        })
        .collect())
}

/// `GET /api/v3/trace-summaries?query.…` (Jaeger ≥ 2.19): one summary per trace, without
/// downloading the spans. A 404 "No traces found" is an empty list. `http_status` of each
/// summary is `None` (the endpoint does not carry attributes).
pub fn decode_v3_trace_summaries(
    http_status: u16,
    body: &str,
) -> Result<Vec<TraceSummary>, JaegerError> {
    empty_if_not_found(decode_v3_object(http_status, body)).and_then(|map| {
        let summaries: Vec<V3TraceSummary> = v3_list(&map, "summaries")?;
        Ok(summaries.iter().map(V3TraceSummary::to_summary).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_v1_search_with_data_and_partial_errors_is_a_success() {
        let body = r#"{"data":[{"traceID":"1","spans":[],"processes":{}}],"errors":[{"code":404,"msg":"trace not found","traceID":"2"}]}"#;
        assert_eq!(decode_v1_traces(200, body).unwrap().len(), 1);
        assert_eq!(
            kind(decode_v1_trace(200, r#"{"data":[],"errors":null}"#)),
            JaegerErrorKind::NotFound
        );
    }
}
