//! Jaeger's query API over the simulated traces: api_v3 (OTLP-JSON, `/api/v3/...`) and the
//! internal v1 JSON API of Jaeger's UI (`/api/...`), with the shapes of the upstream fixtures in
//! `shared/fixtures/jaeger/` (Jaeger v2.20.0).
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /api/v3/services` | `{"services":["arrwdb"]}` |
//! | `GET /api/v3/operations?service=S[&spanKind=K]` | `{"operations":[{"name","spanKind"}]}` (`{}` when there is none, as jsonpb leaves out empty lists) |
//! | `GET /api/v3/traces?query.serviceName=S&query.startTimeMin=T&query.startTimeMax=T[&...]` | `{"result":{"resourceSpans":[...]}}`, every matching trace merged; 404 `No traces found` |
//! | `GET /api/v3/traces/{traceId}` | the same with one trace; 404 `No traces found` |
//! | `GET /api/services` | `{"data":["arrwdb"],"total":1,"limit":0,"offset":0,"errors":null}` |
//! | `GET /api/services/{service}/operations` | the envelope with the operation names |
//! | `GET /api/operations?service=S[&spanKind=K]` | the envelope with `[{"name","spanKind"}]` |
//! | `GET /api/traces?service=S[&operation&start&end&limit&tags&tag&minDuration&maxDuration&traceID]` | the envelope with `[Trace]` (200 with `[]` when nothing matches) |
//! | `GET /api/traces/{traceId}` | the envelope with one `Trace`; 404 `trace not found` |
//!
//! v3 search parameters, in both spellings (the camelCase one wins when both are given):
//! `query.serviceName`/`query.service_name` (required, else 400),
//! `query.operationName`/`query.operation_name`, `query.startTimeMin`/`query.start_time_min` and
//! `query.startTimeMax`/`query.start_time_max` (RFC 3339 with optional fractional seconds;
//! both required, as upstream, else 400), `query.durationMin`/`query.duration_min` and
//! `query.durationMax`/`query.duration_max` (Go durations: `1s`, `500ms`, `1.5s`, `1m30s`),
//! `query.attributes` (a JSON object of strings), `query.searchDepth`/`query.search_depth`/
//! `query.num_traces` (the most traces: default 20, at most 1,500), `query.rawTraces`/
//! `query.raw_traces` (accepted, no effect: traces are never adjusted).
//!
//! v1 search parameters: `service` (required, else 400), `operation`, `start` and `end` (unix
//! microseconds; default: the two days before now), `limit` (default 20, at most 1,500),
//! `tags` (a JSON object of strings) and `tag=key:value` (repeatable), `minDuration` and
//! `maxDuration` (Go durations), `traceID` (repeatable: those traces instead of a search;
//! unknown ones are left out), `lookback` (ignored, as upstream).
//!
//! Errors: v3 answers `{"error":{"httpCode":N,"message":"..."}}` and a newline with
//! `text/plain; charset=utf-8`, as Go's `http.Error` writes it; v1 answers the envelope with
//! `"data":null` and `"errors":[{"code":N,"msg":"..."}]` as JSON. Other paths: 404
//! `404 page not found`; other methods than GET and HEAD: 405.
//!
//! Invariants:
//! - [`handle`] is a pure function of ([`Deployment`], the time, the request line).
//! - Timestamps are converted here and only here: nanoseconds as decimal strings in v3,
//!   microseconds as numbers in v1.
//! - Every JSON body is written by serde_json from the structs below, in upstream's field order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::replicas::Deployment;
use crate::trace_query::{find_traces, TraceQuery};
use crate::traces::{
    operations, trace_by_id, Attribute, AttributeValue, Span, SpanKind, StatusCode, Trace, TraceId, SERVICE_NAME,
};

/// The Content-Type of successful answers and of v1 errors.
pub const JSON_CONTENT_TYPE: &str = "application/json";
/// The Content-Type of v3 errors and of plain-text answers (Go's `http.Error`).
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
/// How far back a v1 search looks when it gives no `start` (Jaeger's default), microseconds.
pub const V1_DEFAULT_LOOKBACK_US: u64 = 2 * 24 * 3_600 * 1_000_000;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// The status code.
    pub status: u16,
    /// The Content-Type.
    pub content_type: &'static str,
    /// More headers.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The body.
    pub body: String,
}

impl ApiResponse {
    fn json(status: u16, body: &impl Serialize) -> ApiResponse {
        ApiResponse {
            status,
            content_type: JSON_CONTENT_TYPE,
            headers: Vec::new(),
            body: serde_json::to_string(body).expect("the answer serialises"),
        }
    }

    fn text(status: u16, body: &str) -> ApiResponse {
        ApiResponse {
            status,
            content_type: TEXT_CONTENT_TYPE,
            headers: vec![("X-Content-Type-Options", "nosniff")],
            body: body.to_owned(),
        }
    }

    /// A v3 error, as `tryHandleError` writes it.
    fn v3_error(status: u16, message: impl Into<String>) -> ApiResponse {
        let error = V3Error { error: V3ErrorDetails { http_code: status, message: message.into() } };
        let mut body = serde_json::to_string(&error).expect("the error serialises");
        body.push('\n');
        ApiResponse::text(status, &body)
    }

    /// A v1 error in the envelope.
    fn v1_error(status: u16, message: impl Into<String>) -> ApiResponse {
        let envelope: V1Envelope<Option<()>> = V1Envelope {
            data: None,
            total: 0,
            limit: 0,
            offset: 0,
            errors: Some(vec![V1ErrorJson { code: status, msg: message.into() }]),
        };
        ApiResponse::json(status, &envelope)
    }
}

/// Answers one request (`url` is the request target: path and query) at `now_unix`, over the
/// traces of every replica of `deployment`.
pub fn handle(deployment: &Deployment, method: &str, url: &str, now_unix: u64) -> ApiResponse {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let params = Params::parse(query);
    let segments: Vec<String> = path.split('/').skip(1).map(|s| percent_decode(s, false)).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let now_ns = now_unix.saturating_mul(NANOS_PER_SEC);
    let route = match segments.as_slice() {
        ["api", "v3", "services"] => Route::V3Services,
        ["api", "v3", "operations"] => Route::V3Operations,
        ["api", "v3", "traces"] => Route::V3FindTraces,
        ["api", "v3", "traces", id] => Route::V3GetTrace(id),
        ["api", "services"] => Route::V1Services,
        ["api", "services", service, "operations"] => Route::V1ServiceOperations(service),
        ["api", "operations"] => Route::V1Operations,
        ["api", "traces"] => Route::V1FindTraces,
        ["api", "traces", id] => Route::V1GetTrace(id),
        _ => return ApiResponse::text(404, "404 page not found\n"),
    };
    if !matches!(method, "GET" | "HEAD") {
        return ApiResponse::text(405, "Method Not Allowed\n");
    }
    match route {
        Route::V3Services => v3_services(),
        Route::V3Operations => v3_operations(&params),
        Route::V3FindTraces => v3_find_traces(deployment, &params, now_ns),
        Route::V3GetTrace(id) => v3_get_trace(deployment, id, now_ns),
        Route::V1Services => v1_services(),
        Route::V1ServiceOperations(service) => v1_service_operations(service),
        Route::V1Operations => v1_operations(&params),
        Route::V1FindTraces => v1_find_traces(deployment, &params, now_ns),
        Route::V1GetTrace(id) => v1_get_trace(deployment, id, now_ns),
    }
}

/// The endpoints, with their path parameters.
enum Route<'a> {
    V3Services,
    V3Operations,
    V3FindTraces,
    V3GetTrace(&'a str),
    V1Services,
    V1ServiceOperations(&'a str),
    V1Operations,
    V1FindTraces,
    V1GetTrace(&'a str),
}

// ---------------------------------------------------------------------------------------------
// api_v3

fn v3_services() -> ApiResponse {
    ApiResponse::json(200, &V3Services { services: vec![SERVICE_NAME] })
}

/// The operations of `service` of kind `span_kind` (all kinds when empty).
fn operations_of(service: &str, span_kind: &str) -> Vec<(&'static str, SpanKind)> {
    if service != SERVICE_NAME {
        return Vec::new();
    }
    operations().into_iter().filter(|(_, kind)| span_kind.is_empty() || kind.jaeger_name() == span_kind).collect()
}

fn v3_operations(params: &Params) -> ApiResponse {
    let Some(service) = params.get("service") else {
        return ApiResponse::v3_error(400, "malformed parameter service: service is required");
    };
    let span_kind = params.get_either("spanKind", "span_kind").unwrap_or("");
    let operations: Vec<V3Operation> = operations_of(service, span_kind)
        .into_iter()
        .map(|(name, kind)| V3Operation { name, span_kind: kind.jaeger_name() })
        .collect();
    ApiResponse::json(200, &V3Operations { operations })
}

/// A v3 search's query, or the error answer.
fn v3_query(params: &Params) -> Result<TraceQuery, ApiResponse> {
    let bad = |name: &str, reason: String| ApiResponse::v3_error(400, format!("malformed parameter {name}: {reason}"));
    let service = params.get_either("query.serviceName", "query.service_name");
    let (min, max) = (
        params.get_named("query.startTimeMin", "query.start_time_min"),
        params.get_named("query.startTimeMax", "query.start_time_max"),
    );
    let (Some((min_name, min_text)), Some((max_name, max_text))) = (min, max) else {
        return Err(ApiResponse::v3_error(400, "query.startTimeMin and query.startTimeMax are required"));
    };
    let start_time_min_ns = parse_rfc3339_ns(min_text).map_err(|e| bad(min_name, e))?;
    let start_time_max_ns = parse_rfc3339_ns(max_text).map_err(|e| bad(max_name, e))?;
    let Some(service) = service else {
        return Err(ApiResponse::v3_error(400, "query.serviceName is required"));
    };
    let mut query = TraceQuery::new(service, start_time_min_ns, start_time_max_ns);
    query.operation_name = params.get_either("query.operationName", "query.operation_name").map(str::to_owned);
    if let Some(text) = params.get("query.attributes") {
        let attributes: BTreeMap<String, String> =
            serde_json::from_str(text).map_err(|e| bad("query.attributes", e.to_string()))?;
        query.attributes = attributes.into_iter().collect();
    }
    let depth = params
        .get_named("query.searchDepth", "query.search_depth")
        .or_else(|| params.get("query.num_traces").map(|v| ("query.num_traces", v)));
    if let Some((name, text)) = depth {
        query.max_traces = text.parse::<u32>().map_err(|e| bad(name, e.to_string()))? as usize;
    }
    if let Some((name, text)) = params.get_named("query.durationMin", "query.duration_min") {
        query.duration_min_ns = min_duration(parse_go_duration_ns(text).map_err(|e| bad(name, e))?);
    }
    if let Some((name, text)) = params.get_named("query.durationMax", "query.duration_max") {
        query.duration_max_ns = max_duration(parse_go_duration_ns(text).map_err(|e| bad(name, e))?);
    }
    if let Some((name, text)) = params.get_named("query.rawTraces", "query.raw_traces") {
        parse_go_bool(text).map_err(|e| bad(name, e))?;
    }
    Ok(query)
}

fn v3_find_traces(deployment: &Deployment, params: &Params, now_ns: u64) -> ApiResponse {
    match v3_query(params) {
        Ok(query) => v3_traces_answer(&find_traces(deployment, &query, now_ns)),
        Err(answer) => answer,
    }
}

fn v3_get_trace(deployment: &Deployment, id: &str, now_ns: u64) -> ApiResponse {
    match TraceId::parse(id) {
        Ok(id) => v3_traces_answer(trace_by_id(deployment, id, now_ns).as_slice()),
        Err(e) => ApiResponse::v3_error(400, format!("malformed parameter trace_id: {e}")),
    }
}

/// Every trace merged into one `result`, each its own `resourceSpans` entry, as upstream
/// concatenates them; 404 for none.
fn v3_traces_answer(traces: &[Trace]) -> ApiResponse {
    if traces.is_empty() {
        return ApiResponse::v3_error(404, "No traces found");
    }
    let resource_spans = traces
        .iter()
        .map(|trace| {
            let mut scope_spans: Vec<OtlpScopeSpans> = Vec::new();
            for span in &trace.spans {
                let span_json = otlp_span(trace, span);
                match scope_spans.iter_mut().find(|s| s.scope.name == span.scope) {
                    Some(group) => group.spans.push(span_json),
                    None => scope_spans
                        .push(OtlpScopeSpans { scope: OtlpScope { name: span.scope }, spans: vec![span_json] }),
                }
            }
            OtlpResourceSpans { resource: OtlpResource { attributes: otlp_attributes(&trace.resource) }, scope_spans }
        })
        .collect();
    ApiResponse::json(200, &V3Result { result: OtlpTracesData { resource_spans } })
}

fn otlp_span<'t>(trace: &Trace, span: &'t Span) -> OtlpSpan<'t> {
    OtlpSpan {
        trace_id: trace.trace_id.to_hex(),
        span_id: span.span_id.to_hex(),
        parent_span_id: span.parent_span_id.map(|p| p.to_hex()),
        name: &span.name,
        kind: span.kind.otlp_number(),
        start_time_unix_nano: span.start_ns.to_string(),
        end_time_unix_nano: span.end_ns.to_string(),
        attributes: otlp_attributes(&span.attributes),
        events: span
            .events
            .iter()
            .map(|e| OtlpEvent {
                time_unix_nano: e.time_ns.to_string(),
                name: &e.name,
                attributes: otlp_attributes(&e.attributes),
            })
            .collect(),
        status: OtlpStatus { message: &span.status.message, code: span.status.code as u8 },
    }
}

fn otlp_attributes(attributes: &[Attribute]) -> Vec<OtlpKeyValue> {
    attributes
        .iter()
        .map(|a| OtlpKeyValue {
            key: a.key,
            value: match &a.value {
                AttributeValue::Str(s) => OtlpAnyValue::Str(s.clone()),
                AttributeValue::Int(i) => OtlpAnyValue::Int(i.to_string()),
                AttributeValue::Bool(b) => OtlpAnyValue::Bool(*b),
                AttributeValue::Double(d) => OtlpAnyValue::Double(*d),
            },
        })
        .collect()
}

#[derive(Serialize)]
struct V3Services {
    services: Vec<&'static str>,
}

#[derive(Serialize)]
struct V3Operations {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    operations: Vec<V3Operation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V3Operation {
    name: &'static str,
    span_kind: &'static str,
}

#[derive(Serialize)]
struct V3Error {
    error: V3ErrorDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V3ErrorDetails {
    http_code: u16,
    message: String,
}

#[derive(Serialize)]
struct V3Result<T> {
    result: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtlpTracesData<'t> {
    resource_spans: Vec<OtlpResourceSpans<'t>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtlpResourceSpans<'t> {
    resource: OtlpResource,
    scope_spans: Vec<OtlpScopeSpans<'t>>,
}

#[derive(Serialize)]
struct OtlpResource {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<OtlpKeyValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtlpScopeSpans<'t> {
    scope: OtlpScope,
    spans: Vec<OtlpSpan<'t>>,
}

#[derive(Serialize)]
struct OtlpScope {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'static str,
}

/// An OTLP-JSON span, fields in the order of `opentelemetry.proto.trace.v1.Span`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtlpSpan<'t> {
    trace_id: String,
    span_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_span_id: Option<String>,
    name: &'t str,
    kind: u8,
    start_time_unix_nano: String,
    end_time_unix_nano: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<OtlpKeyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    events: Vec<OtlpEvent<'t>>,
    status: OtlpStatus<'t>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtlpEvent<'t> {
    time_unix_nano: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'t str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<OtlpKeyValue>,
}

#[derive(Serialize)]
struct OtlpStatus<'t> {
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'t str,
    #[serde(skip_serializing_if = "is_zero")]
    code: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

#[derive(Serialize, Clone)]
struct OtlpKeyValue {
    key: &'static str,
    value: OtlpAnyValue,
}

/// OTLP's `AnyValue`: one key naming the variant; integers as decimal strings.
#[derive(Serialize, Clone)]
enum OtlpAnyValue {
    #[serde(rename = "stringValue")]
    Str(String),
    #[serde(rename = "intValue")]
    Int(String),
    #[serde(rename = "boolValue")]
    Bool(bool),
    #[serde(rename = "doubleValue")]
    Double(f64),
}

// ---------------------------------------------------------------------------------------------
// v1

fn v1_envelope<T: Serialize>(data: T, total: usize) -> V1Envelope<T> {
    V1Envelope { data, total, limit: 0, offset: 0, errors: None }
}

fn v1_services() -> ApiResponse {
    ApiResponse::json(200, &v1_envelope(vec![SERVICE_NAME], 1))
}

fn v1_service_operations(service: &str) -> ApiResponse {
    let names: Vec<&str> = operations_of(service, "").into_iter().map(|(name, _)| name).collect();
    let total = names.len();
    ApiResponse::json(200, &v1_envelope(names, total))
}

fn v1_operations(params: &Params) -> ApiResponse {
    let Some(service) = params.get("service") else {
        return ApiResponse::v1_error(400, "parameter 'service' is required");
    };
    let operations: Vec<V3Operation> = operations_of(service, params.get("spanKind").unwrap_or(""))
        .into_iter()
        .map(|(name, kind)| V3Operation { name, span_kind: kind.jaeger_name() })
        .collect();
    let total = operations.len();
    ApiResponse::json(200, &v1_envelope(operations, total))
}

/// A v1 search's query, or the error answer.
fn v1_query(params: &Params, now_ns: u64) -> Result<TraceQuery, ApiResponse> {
    let bad =
        |name: &str, reason: String| ApiResponse::v1_error(400, format!("unable to parse param '{name}': {reason}"));
    let Some(service) = params.get("service") else {
        return Err(ApiResponse::v1_error(400, "parameter 'service' is required"));
    };
    let micros = |name: &str| -> Result<Option<u64>, ApiResponse> {
        match params.get(name) {
            Some(text) => text.parse::<i64>().map(|us| Some(us.max(0) as u64)).map_err(|e| bad(name, e.to_string())),
            None => Ok(None),
        }
    };
    let end_us = micros("end")?.unwrap_or(now_ns / 1_000);
    let start_us = micros("start")?.unwrap_or(end_us.saturating_sub(V1_DEFAULT_LOOKBACK_US));
    let mut query = TraceQuery::new(service, start_us.saturating_mul(1_000), end_us.saturating_mul(1_000));
    query.operation_name = params.get("operation").map(str::to_owned);
    if let Some(text) = params.get("limit") {
        query.max_traces = text.parse::<i64>().map_err(|e| bad("limit", e.to_string()))?.max(0) as usize;
    }
    let mut attributes: BTreeMap<String, String> = BTreeMap::new();
    for text in params.all("tag") {
        let (key, value) = text.split_once(':').ok_or_else(|| {
            ApiResponse::v1_error(400, format!("malformed 'tag' parameter, expecting key:value, received: {text}"))
        })?;
        attributes.insert(key.to_owned(), value.to_owned());
    }
    if let Some(text) = params.get("tags") {
        let tags: BTreeMap<String, String> = serde_json::from_str(text)
            .map_err(|e| ApiResponse::v1_error(400, format!("malformed 'tags' parameter: {e}")))?;
        attributes.extend(tags);
    }
    query.attributes = attributes.into_iter().collect();
    let duration = |name: &str| -> Result<Option<i128>, ApiResponse> {
        params.get(name).map(|text| parse_go_duration_ns(text).map_err(|e| bad(name, e))).transpose()
    };
    let (min, max) = (duration("minDuration")?, duration("maxDuration")?);
    if let (Some(min), Some(max)) = (min, max) {
        if max != 0 && max < min {
            return Err(ApiResponse::v1_error(400, "'maxDuration' should be greater than 'minDuration'"));
        }
    }
    query.duration_min_ns = min.and_then(min_duration);
    query.duration_max_ns = max.and_then(max_duration);
    Ok(query)
}

fn v1_find_traces(deployment: &Deployment, params: &Params, now_ns: u64) -> ApiResponse {
    let ids: Vec<&str> = params.all("traceID").collect();
    let traces: Vec<Trace> = if ids.is_empty() {
        match v1_query(params, now_ns) {
            Ok(query) => find_traces(deployment, &query, now_ns),
            Err(answer) => return answer,
        }
    } else {
        let mut traces = Vec::new();
        for id in ids {
            match TraceId::parse(id) {
                Ok(id) => traces.extend(trace_by_id(deployment, id, now_ns)),
                Err(e) => return ApiResponse::v1_error(400, e),
            }
        }
        traces
    };
    let data: Vec<V1Trace> = traces.iter().map(v1_trace).collect();
    ApiResponse::json(200, &v1_envelope(data, 0))
}

fn v1_get_trace(deployment: &Deployment, id: &str, now_ns: u64) -> ApiResponse {
    let id = match TraceId::parse(id) {
        Ok(id) => id,
        Err(e) => return ApiResponse::v1_error(400, e),
    };
    match trace_by_id(deployment, id, now_ns) {
        Some(trace) => ApiResponse::json(200, &v1_envelope(vec![v1_trace(&trace)], 0)),
        None => ApiResponse::v1_error(404, "trace not found"),
    }
}

/// A trace in Jaeger's UI model, as Jaeger converts OTLP: one process, scope and status as
/// tags, events as logs, the parent as a `CHILD_OF` reference.
fn v1_trace(trace: &Trace) -> V1Trace {
    let trace_id = trace.trace_id.to_hex();
    let process_tags = trace.resource.iter().filter(|a| a.key != "service.name").map(v1_tag).collect();
    let spans = trace
        .spans
        .iter()
        .map(|span| {
            let mut tags =
                vec![v1_tag(&Attribute { key: "otel.scope.name", value: AttributeValue::Str(span.scope.to_owned()) })];
            tags.extend(span.attributes.iter().map(v1_tag));
            tags.push(string_tag("span.kind", span.kind.jaeger_name()));
            match span.status.code {
                StatusCode::Unset => {}
                StatusCode::Ok => tags.push(string_tag("otel.status_code", "OK")),
                StatusCode::Error => {
                    tags.push(string_tag("otel.status_code", "ERROR"));
                    tags.push(V1Tag { key: "error".to_owned(), kind: "bool", value: serde_json::Value::Bool(true) });
                }
            }
            if !span.status.message.is_empty() {
                tags.push(string_tag("otel.status_description", &span.status.message));
            }
            V1Span {
                trace_id: trace_id.clone(),
                span_id: span.span_id.to_hex(),
                flags: 1,
                operation_name: span.name.clone(),
                references: span
                    .parent_span_id
                    .map(|parent| V1Reference {
                        ref_type: "CHILD_OF",
                        trace_id: trace_id.clone(),
                        span_id: parent.to_hex(),
                    })
                    .into_iter()
                    .collect(),
                start_time: span.start_ns / 1_000,
                duration: span.duration_ns() / 1_000,
                tags,
                logs: span
                    .events
                    .iter()
                    .map(|e| V1Log {
                        timestamp: e.time_ns / 1_000,
                        fields: std::iter::once(string_tag("event", &e.name))
                            .chain(e.attributes.iter().map(v1_tag))
                            .collect(),
                    })
                    .collect(),
                process_id: "p1",
                warnings: (!span.warnings.is_empty()).then(|| span.warnings.clone()),
            }
        })
        .collect();
    let processes = BTreeMap::from([("p1", V1Process { service_name: SERVICE_NAME, tags: process_tags })]);
    V1Trace { trace_id, spans, processes, warnings: None }
}

fn string_tag(key: &str, value: &str) -> V1Tag {
    V1Tag { key: key.to_owned(), kind: "string", value: serde_json::Value::String(value.to_owned()) }
}

/// A tag of Jaeger's model: integers beyond 2^53 are written as strings, as upstream does.
fn v1_tag(attribute: &Attribute) -> V1Tag {
    let (kind, value) = match &attribute.value {
        AttributeValue::Str(s) => ("string", serde_json::Value::String(s.clone())),
        AttributeValue::Int(i) if i.unsigned_abs() > 1 << 53 => ("int64", serde_json::Value::String(i.to_string())),
        AttributeValue::Int(i) => ("int64", serde_json::Value::from(*i)),
        AttributeValue::Bool(b) => ("bool", serde_json::Value::Bool(*b)),
        AttributeValue::Double(d) => ("float64", serde_json::Value::from(*d)),
    };
    V1Tag { key: attribute.key.to_owned(), kind, value }
}

/// `structuredResponse`.
#[derive(Serialize)]
struct V1Envelope<T> {
    data: T,
    total: usize,
    limit: usize,
    offset: usize,
    errors: Option<Vec<V1ErrorJson>>,
}

#[derive(Serialize)]
struct V1ErrorJson {
    code: u16,
    msg: String,
}

#[derive(Serialize)]
struct V1Trace {
    #[serde(rename = "traceID")]
    trace_id: String,
    spans: Vec<V1Span>,
    processes: BTreeMap<&'static str, V1Process>,
    warnings: Option<Vec<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V1Span {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
    flags: u32,
    operation_name: String,
    references: Vec<V1Reference>,
    start_time: u64,
    duration: u64,
    tags: Vec<V1Tag>,
    logs: Vec<V1Log>,
    #[serde(rename = "processID")]
    process_id: &'static str,
    warnings: Option<Vec<String>>,
}

#[derive(Serialize)]
struct V1Reference {
    #[serde(rename = "refType")]
    ref_type: &'static str,
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(rename = "spanID")]
    span_id: String,
}

#[derive(Serialize)]
struct V1Tag {
    key: String,
    #[serde(rename = "type")]
    kind: &'static str,
    value: serde_json::Value,
}

#[derive(Serialize)]
struct V1Log {
    timestamp: u64,
    fields: Vec<V1Tag>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V1Process {
    service_name: &'static str,
    tags: Vec<V1Tag>,
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// A query string's parameters in order, decoded.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Splits and decodes `a=1&b=x%20y` (`+` is a space).
    pub fn parse(query: &str) -> Params {
        let pairs = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect();
        Params { pairs }
    }

    /// The first value of `name`, if it is not empty (Go's `url.Values.Get`; empty is absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// The value of `canonical`, else of `deprecated`, with the name that gave it.
    fn get_named<'a>(&'a self, canonical: &'a str, deprecated: &'a str) -> Option<(&'a str, &'a str)> {
        self.get(canonical).map(|v| (canonical, v)).or_else(|| self.get(deprecated).map(|v| (deprecated, v)))
    }

    fn get_either(&self, canonical: &str, deprecated: &str) -> Option<&str> {
        self.get(canonical).or_else(|| self.get(deprecated))
    }

    /// Every non-empty value of `name`.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().filter(move |(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }
}

/// Decodes `%XX` (and `+` as a space in a query); malformed escapes stay as they are.
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match text
                .get(i + 1..i + 3)
                .filter(|hex| hex.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A minimum duration as Jaeger applies it: 0 or less is no bound.
fn min_duration(ns: i128) -> Option<u64> {
    (ns > 0).then(|| ns.min(u64::MAX as i128) as u64)
}

/// A maximum duration as Jaeger applies it: 0 is no bound, below 0 admits nothing but 0.
fn max_duration(ns: i128) -> Option<u64> {
    (ns != 0).then(|| ns.clamp(0, u64::MAX as i128) as u64)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {text:?}: invalid syntax")),
    }
}

/// Parses a Go duration (`time.ParseDuration`: `300ms`, `-1.5h`, `2h45m`, units `ns`, `us`,
/// `µs`, `ms`, `s`, `m`, `h`) into nanoseconds.
pub fn parse_go_duration_ns(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    let mut exact: i128 = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit_ns: i128 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            unit => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        rest = &rest[unit_len..];
        match number.split_once('.') {
            None => exact += number.parse::<i128>().map_err(|_| invalid())? * unit_ns,
            Some((whole, fraction)) => {
                let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
                exact += whole * unit_ns;
                if !fraction.is_empty() {
                    let value: f64 = format!("0.{fraction}").parse().map_err(|_| invalid())?;
                    total += value * unit_ns as f64;
                }
            }
        }
    }
    let ns = exact + total.round() as i128;
    Ok(if negative { -ns } else { ns })
}

/// Parses an RFC 3339 time with optional fractional seconds (Go's `time.RFC3339Nano` layout:
/// `2026-11-24T06:00:00.123456789Z`, `...+02:00`) into unix nanoseconds (before 1970: 0).
pub fn parse_rfc3339_ns(text: &str) -> Result<u64, String> {
    let invalid = || format!("parsing time {text:?} as RFC 3339 (2006-01-02T15:04:05.999999999Z07:00): invalid");
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Result<i64, String> {
        let part = text.get(from..from + len).ok_or_else(invalid)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| invalid())
        } else {
            Err(invalid())
        }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return Err(invalid());
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(invalid());
    }
    let mut i = 19;
    let mut fraction_ns: i64 = 0;
    if b.get(i) == Some(&b'.') {
        let len = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > 9 {
            return Err(invalid());
        }
        fraction_ns = digits(i + 1, len)? * 10i64.pow(9 - len as u32);
        i += 1 + len;
    }
    let offset_secs = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if h > 23 || m > 59 {
                return Err(invalid());
            }
            let secs = h * 3_600 + m * 60;
            if *sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return Err(invalid()),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_secs;
    let ns = secs as i128 * NANOS_PER_SEC as i128 + fraction_ns as i128;
    Ok(ns.clamp(0, u64::MAX as i128) as u64)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats unix nanoseconds as RFC 3339 in UTC with nanoseconds (for clients and tests).
pub fn format_rfc3339_ns(ns: u64) -> String {
    let secs = (ns / NANOS_PER_SEC) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60,
        ns % NANOS_PER_SEC
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_rejects() {
        for (text, ns) in [
            ("1970-01-01T00:00:00Z", 0u64),
            ("2026-11-24T06:00:00Z", 1_795_500_000 * NANOS_PER_SEC),
            ("2026-11-24T06:00:00.5Z", 1_795_500_000 * NANOS_PER_SEC + 500_000_000),
            ("2026-11-24T07:00:00.000000001+01:00", 1_795_500_000 * NANOS_PER_SEC + 1),
            ("2026-11-24T05:30:00-00:30", 1_795_500_000 * NANOS_PER_SEC),
            ("2024-02-29T00:00:00Z", 1_709_164_800 * NANOS_PER_SEC),
        ] {
            assert_eq!(parse_rfc3339_ns(text), Ok(ns), "{text}");
        }
        assert_eq!(format_rfc3339_ns(1_795_500_000 * NANOS_PER_SEC + 7), "2026-11-24T06:00:00.000000007Z");
        for ns in [0, 951_782_400 * NANOS_PER_SEC + 123, 1_709_164_800 * NANOS_PER_SEC, 4_102_444_799 * NANOS_PER_SEC] {
            assert_eq!(parse_rfc3339_ns(&format_rfc3339_ns(ns)), Ok(ns));
        }
        for bad in [
            "",
            "2026-11-24",
            "2026-11-24 06:00:00Z",
            "2026-11-24T06:00:00",
            "2026-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-11-24T06:00:00.Z",
            "2026-11-24T06:00:00.1234567890Z",
            "2026-11-24T06:00:00+0100",
            "1795500000",
        ] {
            assert!(parse_rfc3339_ns(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn go_durations() {
        for (text, ns) in [
            ("0", 0i128),
            ("1s", 1_000_000_000),
            ("500ms", 500_000_000),
            ("1.5s", 1_500_000_000),
            ("1m30s", 90_000_000_000),
            ("2h45m", 9_900_000_000_000),
            ("-1.5h", -5_400_000_000_000),
            ("100us", 100_000),
            ("100µs", 100_000),
            ("7ns", 7),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
        ] {
            assert_eq!(parse_go_duration_ns(text), Ok(ns), "{text}");
        }
        for bad in ["", "1", "s", "1x", "1.2.3s", "-", ".s", "1s2"] {
            assert!(parse_go_duration_ns(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn params_decode_and_prefer_the_first_non_empty() {
        let p = Params::parse("a=&a=2&b=x%20y+z&c=%7B%22k%22%3A%22v%22%7D&d=%zz&tag=a:b&tag=c:d");
        assert_eq!(p.get("a"), None, "Go's Get takes the first value, empty here");
        assert_eq!(p.get("b"), Some("x y z"));
        assert_eq!(p.get("c"), Some("{\"k\":\"v\"}"));
        assert_eq!(p.get("d"), Some("%zz"));
        assert_eq!(p.all("tag").collect::<Vec<_>>(), ["a:b", "c:d"]);
        assert_eq!(percent_decode("a%2Fb+c%", false), "a/b+c%");
    }
}
