//! The traces of the simulated arrwDB, as OpenTelemetry's FastAPI instrumentation and the
//! application's own spans would record them, drawn from the same [`RequestGroup`]s as the
//! metrics, so a trace search agrees with the dashboard's panels.
//!
//! Sampling (a tail-sampling policy that keeps what matters):
//! - every request answered with 5xx (so the error spike's failures are all there),
//! - every request slower than [`SLOW_THRESHOLD_SECS`] (the requests the latency histogram
//!   counts above `le="1.0"`, so the latency regression's slow requests are all there),
//! - [`SAMPLE_SHARE`] of the others, chosen by a hash of (seed, request).
//!
//! A request is (tick, handler, status class, group, index): the `index`-th fastest request of
//! one [`RequestGroup`] of [`tick_traffic`]. Its trace id carries that identity (XORed with a
//! keyed hash that is also the id's first 16 hex digits), so [`trace_by_id`] is O(1) with no
//! storage: it decodes the id, checks the hash, recomputes the tick and rebuilds the trace.
//! Span ids are hashes of the request and the span's position. Every draw and hash of a
//! request's trace is keyed by its replica's draw seed ([`SimConfig::draw_seed`]), so the ids of
//! the replicas differ and the check hash also says which replica served the request; the
//! trace's resource names that replica (`service.instance.id`, `host.name`).
//!
//! Special trace ids, for a client's robustness tests (their first 24 hex digits are zeros, which
//! a request's id never has):
//!
//! | trace id | what |
//! | --- | --- |
//! | `00000000000000000000000000010000` ([`BULK_TRACE_ID`]) | a bulk import, `POST /v1/libraries/{library_id}/documents/bulk`: [`BULK_TRACE_SPANS`] spans, the server span and 9,999 `insert_document` children |
//! | `00000000000000000000000000020000` ([`SKEWED_TRACE_ID`]) | a search with clock skew (its `vector_search` starts and ends 400 ms before its parent starts) and an orphan (`db.get`, whose parent span is not in the trace) |
//! | `00000000000000000000000000030000` ([`HOSTILE_TRACE_ID`]) | span names, attribute values, an event and a status message with `<script>alert(1)</script>`, `javascript:alert(1)` and `"><img src=x onerror=alert(1)>` |
//!
//! They lie a few minutes after the process start, are served whatever the time (by the first
//! replica), and are not returned by searches (only by id).
//!
//! Invariants:
//! - Every trace is a pure function of ([`SimConfig`], its id); whether it is visible depends on
//!   the time only: a request's trace exists once its server span has ended.
//! - A trace's server span is its first span, starts inside the request's tick, lasts the
//!   request's latency (`RequestGroup::latency_secs`), and every other span lies inside it
//!   (except in the skewed special trace).
//! - Times are unix nanoseconds (`_ns`) throughout; the API layer converts them once.

use crate::config::{SimConfig, TICK_SECS};
use crate::replicas::{Deployment, Replica};
use crate::rng::{hash, mix64, unit, Rng, Stream};
use crate::traffic::{
    cache_hit_ratio, tick_traffic, RequestGroup, StatusClass, TickTraffic, DOCUMENT_CREATE, DOCUMENT_DELETE, HANDLERS,
    LIBRARIES, SEARCH,
};

/// The service every trace belongs to (`service.name`).
pub const SERVICE_NAME: &str = "arrwdb";
/// The share of requests that are neither 5xx nor slow whose traces are kept.
pub const SAMPLE_SHARE: f64 = 0.01;
/// Requests slower than this (seconds) are always kept. It is a bucket bound of the HTTP
/// latency histogram, so the kept slow requests are exactly those the histogram counts above it.
pub const SLOW_THRESHOLD_SECS: f64 = 1.0;
/// How long after its tick begins a span of a request's trace can start, at most, for searches
/// (seconds): a request's latency is assumed shorter.
pub const MAX_TRACE_SECS: u64 = 60;
/// The scope of the server spans (the FastAPI instrumentation).
pub const SERVER_SCOPE: &str = "opentelemetry.instrumentation.fastapi";
/// The scope of the application's own spans.
pub const APP_SCOPE: &str = "arrwdb";

/// The special trace of a bulk import with [`BULK_TRACE_SPANS`] spans.
pub const BULK_TRACE_ID: TraceId = TraceId(0x1_0000);
/// The number of spans of [`BULK_TRACE_ID`]: the server span and its `insert_document` children.
pub const BULK_TRACE_SPANS: usize = 10_000;
/// The special trace with clock skew and a missing parent.
pub const SKEWED_TRACE_ID: TraceId = TraceId(0x2_0000);
/// The special trace with script injections in names and values.
pub const HOSTILE_TRACE_ID: TraceId = TraceId(0x3_0000);
/// The special traces, in the order of the table above.
pub const SPECIAL_TRACE_IDS: [TraceId; 3] = [BULK_TRACE_ID, SKEWED_TRACE_ID, HOSTILE_TRACE_ID];

const NANOS_PER_SEC: u64 = 1_000_000_000;
const TICK_NS: u64 = TICK_SECS * NANOS_PER_SEC;
/// The width of the request index in a trace id: more requests than this in one group and tick
/// would not be representable (the busiest group has a few hundred).
const INDEX_BITS: u32 = 18;
/// The width of the tick in a trace id (ticks of 10 s: 350,000 years).
const TICK_BITS: u32 = 40;
/// The dimension of arrwDB's embeddings.
const EMBEDDING_DIMENSION: i64 = 1024;
/// The embedding model.
const EMBEDDING_MODEL: &str = "embed-english-v3.0";
/// The clients' user agent.
const USER_AGENT: &str = "python-httpx/0.27.2";

/// A 128-bit trace id; JSON writes it as 32 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceId(pub u128);

impl TraceId {
    /// 32 lowercase hex digits.
    pub fn to_hex(self) -> String {
        format!("{:032x}", self.0)
    }

    /// Parses 1 to 32 hex digits (fewer are left-padded with zeros, as Jaeger reads ids).
    pub fn parse(text: &str) -> Result<TraceId, String> {
        if text.is_empty() || text.len() > 32 {
            return Err(format!("TraceID must be 1 to 32 hex characters, got {} in {text:?}", text.len()));
        }
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("TraceID is not hexadecimal: {text:?}"));
        }
        u128::from_str_radix(text, 16).map(TraceId).map_err(|e| format!("{e}: {text:?}"))
    }
}

/// A 64-bit span id; JSON writes it as 16 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanId(pub u64);

impl SpanId {
    /// 16 lowercase hex digits.
    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// OTLP's span kinds (the ones the simulator uses), with their numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// `SPAN_KIND_INTERNAL` = 1.
    Internal = 1,
    /// `SPAN_KIND_SERVER` = 2.
    Server = 2,
}

impl SpanKind {
    /// The OTLP enum number, as OTLP-JSON writes `kind`.
    pub fn otlp_number(self) -> u8 {
        self as u8
    }

    /// The `span.kind` tag value of Jaeger's model (and the `spanKind` of operations).
    pub fn jaeger_name(self) -> &'static str {
        match self {
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
        }
    }
}

/// OTLP's status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCode {
    /// `STATUS_CODE_UNSET` = 0 (OTLP-JSON leaves it out).
    Unset = 0,
    /// `STATUS_CODE_OK` = 1.
    Ok = 1,
    /// `STATUS_CODE_ERROR` = 2.
    Error = 2,
}

/// A span's status.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The code.
    pub code: StatusCode,
    /// The description (empty for none).
    pub message: String,
}

impl Status {
    const UNSET: Status = Status { code: StatusCode::Unset, message: String::new() };

    fn error(message: impl Into<String>) -> Status {
        Status { code: StatusCode::Error, message: message.into() }
    }
}

/// An attribute's value (the OTLP `AnyValue` variants the simulator uses).
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// `stringValue`.
    Str(String),
    /// `intValue` (OTLP-JSON writes it as a decimal string).
    Int(i64),
    /// `boolValue`.
    Bool(bool),
    /// `doubleValue`.
    Double(f64),
}

impl AttributeValue {
    /// The value as text, as Jaeger compares it with a tag filter (`pcommon.Value.AsString`).
    pub fn as_query_text(&self) -> String {
        match self {
            AttributeValue::Str(s) => s.clone(),
            AttributeValue::Int(i) => i.to_string(),
            AttributeValue::Bool(b) => b.to_string(),
            AttributeValue::Double(d) => d.to_string(),
        }
    }
}

/// A key and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The key.
    pub key: &'static str,
    /// The value.
    pub value: AttributeValue,
}

fn text(key: &'static str, value: impl Into<String>) -> Attribute {
    Attribute { key, value: AttributeValue::Str(value.into()) }
}

fn int(key: &'static str, value: i64) -> Attribute {
    Attribute { key, value: AttributeValue::Int(value) }
}

fn boolean(key: &'static str, value: bool) -> Attribute {
    Attribute { key, value: AttributeValue::Bool(value) }
}

/// A span event (a log in Jaeger's model).
#[derive(Debug, Clone, PartialEq)]
pub struct SpanEvent {
    /// When (unix nanoseconds).
    pub time_ns: u64,
    /// The event's name (`exception`).
    pub name: String,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
}

/// One span.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Its id.
    pub span_id: SpanId,
    /// Its parent's id (`None` for the root).
    pub parent_span_id: Option<SpanId>,
    /// The instrumentation scope that recorded it.
    pub scope: &'static str,
    /// The operation name.
    pub name: String,
    /// The kind.
    pub kind: SpanKind,
    /// Start (unix nanoseconds).
    pub start_ns: u64,
    /// End (unix nanoseconds).
    pub end_ns: u64,
    /// Attributes in recording order.
    pub attributes: Vec<Attribute>,
    /// Events.
    pub events: Vec<SpanEvent>,
    /// Status.
    pub status: Status,
    /// Problems Jaeger's adjusters would report on the span (Jaeger's UI model `warnings`).
    pub warnings: Vec<String>,
}

impl Span {
    /// Its duration in nanoseconds.
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }

    /// The attribute `key`, if the span has it.
    pub fn attribute(&self, key: &str) -> Option<&AttributeValue> {
        self.attributes.iter().find(|a| a.key == key).map(|a| &a.value)
    }
}

/// One trace: spans of the one service ([`SERVICE_NAME`]) on one replica, the server span
/// first.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Its id.
    pub trace_id: TraceId,
    /// The resource of every span: [`resource_attributes`] of the replica that served it.
    pub resource: Vec<Attribute>,
    /// Its spans, the server span first.
    pub spans: Vec<Span>,
}

impl Trace {
    /// The server span.
    pub fn root(&self) -> &Span {
        &self.spans[0]
    }

    /// When it starts (the earliest span start, unix nanoseconds).
    pub fn start_ns(&self) -> u64 {
        self.spans.iter().map(|s| s.start_ns).min().unwrap_or(0)
    }

    /// When it ends (the latest span end, unix nanoseconds).
    pub fn end_ns(&self) -> u64 {
        self.spans.iter().map(|s| s.end_ns).max().unwrap_or(0)
    }

    /// Whether a span has status ERROR.
    pub fn has_error(&self) -> bool {
        self.spans.iter().any(|s| s.status.code == StatusCode::Error)
    }
}

/// The resource attributes every replica has (all strings).
pub const RESOURCE_ATTRIBUTES: [(&str, &str); 4] = [
    ("service.name", SERVICE_NAME),
    ("telemetry.sdk.language", "python"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.version", "1.27.0"),
];

/// The resource attributes that tell the replicas apart, only on the resource: its address
/// and its host name.
pub const REPLICA_RESOURCE_KEYS: [&str; 2] = ["service.instance.id", "host.name"];

/// The resource of the spans of `replica`: [`RESOURCE_ATTRIBUTES`], then its address
/// (`service.instance.id`) and host name (`host.name`).
pub fn resource_attributes(replica: &Replica) -> Vec<Attribute> {
    let [instance_key, host_key] = REPLICA_RESOURCE_KEYS;
    RESOURCE_ATTRIBUTES
        .iter()
        .map(|(k, v)| text(k, *v))
        .chain([text(instance_key, replica.instance), text(host_key, replica.host_name())])
        .collect()
}

/// Every attribute key of a request's trace (spans, events and resource): a search for another
/// key finds nothing without building a trace.
pub const REQUEST_ATTRIBUTE_KEYS: &[&str] = &[
    "service.name",
    "service.instance.id",
    "host.name",
    "telemetry.sdk.language",
    "telemetry.sdk.name",
    "telemetry.sdk.version",
    "http.scheme",
    "http.host",
    "net.host.port",
    "http.flavor",
    "http.target",
    "http.url",
    "http.method",
    "http.server_name",
    "http.user_agent",
    "net.peer.ip",
    "net.peer.port",
    "http.route",
    "http.status_code",
    "library.id",
    "k",
    "document.id",
    "embedding.dimension",
    "embedding.model",
    "embedding.cache_hit",
    "index.type",
    "results.count",
    "db.collection",
    "db.found",
    "libraries.count",
    "auth.result",
    "auth.scheme",
    "exception.type",
    "exception.message",
    "exception.stacktrace",
    "exception.escaped",
];

/// One request of [`tick_traffic`]: the `index`-th fastest of group `group` of the series
/// (`handler`, `status`) of tick `tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    /// The tick since the process start.
    pub tick: u64,
    /// Index in [`HANDLERS`].
    pub handler: usize,
    /// Index in [`StatusClass::ALL`].
    pub status: usize,
    /// Index in `SeriesTick::groups` (1 is the rejected API keys of 4xx).
    pub group: usize,
    /// The request's rank by latency in its group, from 0 (fastest).
    pub index: u64,
}

impl RequestId {
    /// The identity in 64 bits: tick (40), handler (3), status (2), group (1), index (18).
    fn payload(&self) -> Option<u64> {
        if self.tick >= 1 << TICK_BITS || self.index >= 1 << INDEX_BITS || self.handler >= 8 || self.status >= 4 {
            return None;
        }
        Some(
            self.tick << (64 - TICK_BITS)
                | (self.handler as u64) << (INDEX_BITS + 3)
                | (self.status as u64) << (INDEX_BITS + 1)
                | (self.group as u64 & 1) << INDEX_BITS
                | self.index,
        )
    }

    fn from_payload(payload: u64) -> RequestId {
        RequestId {
            tick: payload >> (64 - TICK_BITS),
            handler: (payload >> (INDEX_BITS + 3) & 7) as usize,
            status: (payload >> (INDEX_BITS + 1) & 3) as usize,
            group: (payload >> INDEX_BITS & 1) as usize,
            index: payload & ((1 << INDEX_BITS) - 1),
        }
    }

    /// The trace id of the request's trace (whether or not it was sampled): a keyed hash of
    /// the identity (never 0), then the identity XORed with a mix of that hash.
    pub fn trace_id(&self, seed: u64) -> Option<TraceId> {
        let payload = self.payload()?;
        let check = id_check(seed, payload);
        Some(TraceId((check as u128) << 64 | (payload ^ mix64(check)) as u128))
    }

    /// The request whose trace id this is, if it is one (its hash checks out): the inverse of
    /// [`RequestId::trace_id`].
    pub fn from_trace_id(seed: u64, id: TraceId) -> Option<RequestId> {
        let check = (id.0 >> 64) as u64;
        let payload = id.0 as u64 ^ mix64(check);
        (check != 0 && id_check(seed, payload) == check).then(|| RequestId::from_payload(payload))
    }

    /// The request's group in `traffic` (which must be its tick's).
    pub fn group_in<'t>(&self, traffic: &'t TickTraffic) -> Option<&'t RequestGroup> {
        traffic.http.get(self.handler)?.get(self.status)?.groups.get(self.group)
    }
}

fn id_check(seed: u64, payload: u64) -> u64 {
    hash(seed, Stream::TraceId, &[payload]).max(1)
}

/// Which requests of one group are sampled: all of 5xx, all slower than the threshold, and a
/// hashed [`SAMPLE_SHARE`] of the rest. Computed once per group.
#[derive(Debug, Clone, Copy)]
pub struct GroupSampling {
    seed: u64,
    always: bool,
    slow_from_index: u64,
    count: u64,
}

impl GroupSampling {
    /// The sampling of `group`, whose requests have status class index `status`.
    pub fn of(seed: u64, group: &RequestGroup, status: usize) -> GroupSampling {
        GroupSampling {
            seed,
            always: StatusClass::ALL[status] == StatusClass::ServerError,
            slow_from_index: group.count_at_or_below(SLOW_THRESHOLD_SECS),
            count: group.count,
        }
    }

    /// Whether request `id` (of this group) is sampled.
    pub fn is_sampled(&self, id: &RequestId) -> bool {
        if id.index >= self.count {
            return false;
        }
        if self.always || id.index >= self.slow_from_index {
            return true;
        }
        match id.payload() {
            Some(payload) => unit(hash(self.seed, Stream::TraceSample, &[payload])) < SAMPLE_SHARE,
            None => false,
        }
    }
}

/// The trace with this id in `deployment`, if it exists and is visible at `now_ns` (unix
/// nanoseconds): a sampled request's whose server span has ended, or a special trace (always,
/// on the first replica). The id's check hash is keyed by the replica's draw seed, so it says
/// which replica served the request.
pub fn trace_by_id(deployment: &Deployment, id: TraceId, now_ns: u64) -> Option<Trace> {
    let first = deployment.replica(0)?;
    if let Some(trace) = special_trace(&first, id) {
        return Some(trace);
    }
    deployment.replicas().find_map(|replica| replica_trace_by_id(&replica, id, now_ns))
}

/// [`trace_by_id`] among the requests of one replica.
fn replica_trace_by_id(replica: &Replica, id: TraceId, now_ns: u64) -> Option<Trace> {
    let config = &replica.config;
    let request = RequestId::from_trace_id(config.draw_seed(), id)?;
    if config.tick_start_unix(request.tick).saturating_mul(NANOS_PER_SEC) > now_ns {
        return None;
    }
    let traffic = tick_traffic(config, request.tick);
    let group = request.group_in(&traffic)?;
    if !GroupSampling::of(config.draw_seed(), group, request.status).is_sampled(&request) {
        return None;
    }
    let trace = request_trace(replica, &traffic, &request)?;
    (trace.root().end_ns <= now_ns).then_some(trace)
}

/// The server span's name of each handler (in [`HANDLERS`] order), as the FastAPI
/// instrumentation names it: method and route template.
pub const SERVER_SPAN_NAMES: [&str; 6] = [
    "POST /v1/libraries/{library_id}/search",
    "POST /v1/libraries/{library_id}/documents",
    "GET /v1/documents/{doc_id}",
    "GET /v1/libraries",
    "POST /v1/libraries",
    "DELETE /v1/documents/{doc_id}",
];

/// The names of the spans below the server span that a request's trace can have, by handler,
/// status class and group. A search for another operation can skip the group.
pub fn child_span_names(handler: usize, status: usize, group: usize) -> &'static [&'static str] {
    match (StatusClass::ALL[status], group) {
        (StatusClass::ClientError, 1) => &["validate_api_key"],
        _ => match handler {
            SEARCH => &["generate_embedding", "vector_search", "db.get"],
            DOCUMENT_CREATE => &["generate_embedding", "insert_document", "db.get"],
            2 => &["db.get"],
            3 => &["list_libraries"],
            4 => &["create_index"],
            DOCUMENT_DELETE => &["delete_document", "db.get"],
            _ => &[],
        },
    }
}

/// Whether a trace of a request of (handler, status, group) can have a span named `name`.
pub fn may_have_span(handler: usize, status: usize, group: usize, name: &str) -> bool {
    SERVER_SPAN_NAMES.get(handler) == Some(&name) || child_span_names(handler, status, group).contains(&name)
}

/// Every operation of the service with its span kind, sorted by name (the special traces'
/// operations are not listed).
pub fn operations() -> Vec<(&'static str, SpanKind)> {
    let mut out: Vec<(&'static str, SpanKind)> = SERVER_SPAN_NAMES.iter().map(|n| (*n, SpanKind::Server)).collect();
    for handler in 0..HANDLERS.len() {
        for status in 0..StatusClass::ALL.len() {
            for group in 0..2 {
                for name in child_span_names(handler, status, group) {
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name, SpanKind::Internal));
                    }
                }
            }
        }
    }
    out.sort_by_key(|(name, _)| *name);
    out
}

/// Builds a trace span by span, with span ids hashed from the trace's key.
struct Builder {
    seed: u64,
    key: u64,
    trace_id: TraceId,
    resource: Vec<Attribute>,
    spans: Vec<Span>,
}

impl Builder {
    /// A trace of `replica`, its span ids hashed from its draw seed and `key`.
    fn new(replica: &Replica, key: u64, trace_id: TraceId) -> Builder {
        Builder {
            seed: replica.config.draw_seed(),
            key,
            trace_id,
            resource: resource_attributes(replica),
            spans: Vec::new(),
        }
    }

    fn span_id(&self, position: u64) -> SpanId {
        SpanId(hash(self.seed, Stream::SpanId, &[self.key, position]).max(1))
    }

    /// Adds a span and returns its id.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        parent: Option<SpanId>,
        scope: &'static str,
        name: impl Into<String>,
        kind: SpanKind,
        start_ns: u64,
        end_ns: u64,
        attributes: Vec<Attribute>,
    ) -> SpanId {
        let span_id = self.span_id(self.spans.len() as u64);
        self.spans.push(Span {
            span_id,
            parent_span_id: parent,
            scope,
            name: name.into(),
            kind,
            start_ns,
            end_ns: end_ns.max(start_ns),
            attributes,
            events: Vec::new(),
            status: Status::UNSET,
            warnings: Vec::new(),
        });
        span_id
    }

    fn last(&mut self) -> &mut Span {
        self.spans.last_mut().expect("a span was pushed")
    }

    fn finish(self) -> Trace {
        Trace { trace_id: self.trace_id, resource: self.resource, spans: self.spans }
    }
}

/// An exception event as OpenTelemetry's `record_exception` writes it.
fn exception_event(time_ns: u64, kind: &str, message: &str, stacktrace: &str) -> SpanEvent {
    SpanEvent {
        time_ns,
        name: "exception".to_owned(),
        attributes: vec![
            text("exception.type", kind),
            text("exception.message", message),
            text("exception.stacktrace", stacktrace),
            text("exception.escaped", "False"),
        ],
    }
}

/// A Python traceback for an exception raised in `function` of `module`.
fn traceback(module: &str, function: &str, line: u32, kind: &str, message: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/usr/local/lib/python3.12/site-packages/opentelemetry/trace/__init__.py\", line 589, in use_span\n    yield span\n  File \"/app/arrwdb/{module}.py\", line {line}, in {function}\n    raise {short}({message:?})\n{kind}: {message}\n",
        short = kind.rsplit('.').next().unwrap_or(kind),
    )
}

/// The part of `share` of `total_ns`.
fn part(total_ns: u64, share: f64) -> u64 {
    (total_ns as f64 * share).round() as u64
}

/// A library active at the tick, chosen by the libraries' weights.
fn pick_library(traffic: &TickTraffic, u: f64) -> usize {
    let weights: Vec<f64> =
        LIBRARIES.iter().zip(traffic.libraries_active).map(|(l, active)| if active { l.weight } else { 0.0 }).collect();
    let total: f64 = weights.iter().sum();
    let mut target = u * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    0
}

/// The server span's HTTP attributes before the handler runs (as the instrumentation records
/// them at the start).
fn http_request_attributes(host: &str, handler: usize, target: &str, rng: &mut Rng) -> Vec<Attribute> {
    let h = &HANDLERS[handler];
    vec![
        text("http.scheme", "http"),
        text("http.host", host),
        int("net.host.port", 8000),
        text("http.flavor", "1.1"),
        text("http.target", target),
        text("http.url", format!("http://{host}{target}")),
        text("http.method", h.method),
        text("http.server_name", host),
        text("http.user_agent", USER_AGENT),
        text("net.peer.ip", format!("10.0.4.{}", 2 + rng.next_u64() % 250)),
        int("net.peer.port", 32_768 + (rng.next_u64() % 28_000) as i64),
        text("http.route", h.route),
    ]
}

/// The status code of a successful answer of `handler`.
fn success_code(handler: usize) -> i64 {
    match handler {
        DOCUMENT_CREATE | 4 => 201,
        DOCUMENT_DELETE => 204,
        _ => 200,
    }
}

/// When request `id` of `traffic` (its tick's) starts and ends, in unix nanoseconds: its trace's
/// server span, which holds every other span. It starts in the tick, at a hashed moment that
/// leaves it time to end in the tick too when it is shorter than the tick.
pub fn request_window_ns(config: &SimConfig, traffic: &TickTraffic, id: &RequestId) -> Option<(u64, u64)> {
    let group = id.group_in(traffic)?;
    if id.index >= group.count {
        return None;
    }
    let latency_ns = ((group.latency_secs(id.index) * 1e9).round() as u64).max(1_000);
    let offset = Rng::new(config.draw_seed(), Stream::TraceDetail, &[id.payload()?]).uniform();
    let start_ns = traffic.start_unix * NANOS_PER_SEC + (offset * TICK_NS.saturating_sub(latency_ns) as f64) as u64;
    Some((start_ns, start_ns + latency_ns))
}

/// The trace of request `id` of `traffic` (its tick's), whether or not it is sampled; `None` if
/// there is no such request.
pub fn request_trace(replica: &Replica, traffic: &TickTraffic, id: &RequestId) -> Option<Trace> {
    let window = request_window_ns(&replica.config, traffic, id)?;
    request_trace_in(replica, traffic, id, window)
}

/// [`request_trace`] for a request whose [`request_window_ns`] is known.
pub fn request_trace_in(
    replica: &Replica,
    traffic: &TickTraffic,
    id: &RequestId,
    (start_ns, end_ns): (u64, u64),
) -> Option<Trace> {
    let latency_ns = end_ns - start_ns;
    let payload = id.payload()?;
    let config = &replica.config;
    let trace_id = id.trace_id(config.draw_seed())?;
    let mut rng = Rng::new(config.draw_seed(), Stream::TraceDetail, &[payload]);
    rng.uniform(); // the start's draw, taken by request_window_ns
    let class = StatusClass::ALL[id.status];
    let handler = id.handler;

    // The concrete path and the handler's own attributes.
    let library = pick_library(traffic, rng.uniform());
    let library_id = LIBRARIES[library].id;
    let document_id = format!("doc_{:012x}", rng.next_u64() >> 16);
    let top_k = [5i64, 10, 10, 10, 20, 50][(rng.next_u64() % 6) as usize];
    // A 4xx of a handler with a library in its path is mostly an unknown library (404).
    let missing_library = class == StatusClass::ClientError
        && id.group == 0
        && (handler == SEARCH || handler == DOCUMENT_CREATE)
        && rng.uniform() < 0.6;
    let path_library = if missing_library { format!("lib{}", 8 + rng.next_u64() % 40) } else { library_id.to_owned() };
    let target = match handler {
        SEARCH => format!("/v1/libraries/{path_library}/search"),
        DOCUMENT_CREATE => format!("/v1/libraries/{path_library}/documents"),
        2 | DOCUMENT_DELETE => format!("/v1/documents/{document_id}"),
        _ => "/v1/libraries".to_owned(),
    };
    let mut root_attributes = http_request_attributes(replica.instance, handler, &target, &mut rng);
    match handler {
        SEARCH => root_attributes.extend([text("library.id", path_library.clone()), int("k", top_k)]),
        DOCUMENT_CREATE => root_attributes.push(text("library.id", path_library.clone())),
        2 | DOCUMENT_DELETE => root_attributes.push(text("document.id", document_id.clone())),
        _ => {}
    }

    let mut b = Builder::new(replica, payload, trace_id);
    let root =
        b.push(None, SERVER_SCOPE, SERVER_SPAN_NAMES[handler], SpanKind::Server, start_ns, end_ns, root_attributes);
    // The handler's work lies between the framework's overhead before and after it.
    let work_start = start_ns + part(latency_ns, 0.04);
    let work_ns = latency_ns - part(latency_ns, 0.04) - part(latency_ns, 0.03);
    let status_code = match (class, id.group) {
        (StatusClass::Success, _) => success_code(handler),
        (StatusClass::ClientError, 1) => 401,
        (StatusClass::ClientError, _) if missing_library || handler == 2 || handler == DOCUMENT_DELETE => 404,
        (StatusClass::ClientError, _) => 422,
        (StatusClass::ServerError, _) => 500,
    };

    if class == StatusClass::ClientError && id.group == 1 {
        // A rejected API key: the dependency answers before the handler runs.
        let result = if rng.uniform() < 0.9 { "invalid" } else { "expired" };
        b.push(
            Some(root),
            APP_SCOPE,
            "validate_api_key",
            SpanKind::Internal,
            work_start,
            work_start + part(work_ns, 0.6),
            vec![text("auth.result", result), text("auth.scheme", "api_key")],
        );
    } else if status_code == 422 {
        // Rejected by validation before the handler: no spans of its own.
    } else if status_code == 404 {
        let (collection, key, value) = if handler == SEARCH || handler == DOCUMENT_CREATE {
            ("libraries", "library.id", path_library.clone())
        } else {
            ("documents", "document.id", document_id.clone())
        };
        b.push(
            Some(root),
            APP_SCOPE,
            "db.get",
            SpanKind::Internal,
            work_start,
            work_start + part(work_ns, 0.5),
            vec![text("db.collection", collection), text(key, value), boolean("db.found", false)],
        );
    } else {
        let failed = class == StatusClass::ServerError;
        let index_type = LIBRARIES[library].index_type;
        match handler {
            SEARCH | DOCUMENT_CREATE => {
                let hit = rng.uniform() < cache_hit_ratio(config, traffic.start_unix + TICK_SECS / 2);
                let embedding_share = if hit { 0.02 + 0.03 * rng.uniform() } else { 0.3 + 0.2 * rng.uniform() };
                let embedding_end = work_start + part(work_ns, embedding_share);
                b.push(
                    Some(root),
                    APP_SCOPE,
                    "generate_embedding",
                    SpanKind::Internal,
                    work_start,
                    embedding_end,
                    vec![
                        int("embedding.dimension", EMBEDDING_DIMENSION),
                        text("embedding.model", EMBEDDING_MODEL),
                        boolean("embedding.cache_hit", hit),
                    ],
                );
                let second_start = embedding_end + part(work_ns, 0.01);
                let available = (work_start + work_ns).saturating_sub(second_start);
                let second_end =
                    second_start + if failed { part(available, 0.5 + 0.5 * rng.uniform()) } else { available };
                if handler == SEARCH {
                    let documents = LIBRARIES[library].initial_documents as i64;
                    let results = if failed { vec![] } else { vec![int("results.count", top_k.min(documents))] };
                    let mut attributes =
                        vec![text("library.id", library_id), text("index.type", index_type), int("k", top_k)];
                    attributes.extend(results);
                    b.push(
                        Some(root),
                        APP_SCOPE,
                        "vector_search",
                        SpanKind::Internal,
                        second_start,
                        second_end,
                        attributes,
                    );
                    if failed {
                        let message = format!("index for library {library_id} is unavailable: shard 2 is rebuilding");
                        fail(b.last(), "arrwdb.errors.IndexUnavailableError", &message, "index/search", "search", 214);
                    }
                } else {
                    b.push(
                        Some(root),
                        APP_SCOPE,
                        "insert_document",
                        SpanKind::Internal,
                        second_start,
                        second_end,
                        vec![
                            text("library.id", library_id),
                            text("document.id", document_id.clone()),
                            text("index.type", index_type),
                        ],
                    );
                    if failed {
                        fail(
                            b.last(),
                            "arrwdb.errors.StorageError",
                            "write-ahead log append failed",
                            "storage/wal",
                            "append",
                            97,
                        );
                    }
                }
            }
            _ => {
                let (name, attributes) = match handler {
                    2 => (
                        "db.get",
                        vec![
                            text("db.collection", "documents"),
                            text("document.id", document_id.clone()),
                            boolean("db.found", true),
                        ],
                    ),
                    3 => (
                        "list_libraries",
                        vec![int("libraries.count", traffic.libraries_active.iter().filter(|a| **a).count() as i64)],
                    ),
                    4 => {
                        ("create_index", vec![text("index.type", LIBRARIES[(rng.next_u64() % 8) as usize].index_type)])
                    }
                    _ => ("delete_document", vec![text("document.id", document_id.clone())]),
                };
                let share = if failed { 0.3 + 0.6 * rng.uniform() } else { 0.95 };
                b.push(
                    Some(root),
                    APP_SCOPE,
                    name,
                    SpanKind::Internal,
                    work_start,
                    work_start + part(work_ns, share),
                    attributes,
                );
                if failed {
                    fail(
                        b.last(),
                        "arrwdb.errors.StorageError",
                        "snapshot store is not responding",
                        "storage/store",
                        name,
                        131,
                    );
                }
            }
        }
    }

    let root_span = &mut b.spans[0];
    root_span.attributes.push(int("http.status_code", status_code));
    if status_code >= 500 {
        // The instrumentation sets ERROR on server spans of 5xx answers, without a description.
        root_span.status = Status::error("");
    }
    Some(b.finish())
}

/// Marks `span` as where `kind: message` was raised (ERROR with a description, an exception
/// event at its end).
fn fail(span: &mut Span, kind: &str, message: &str, module: &str, function: &str, line: u32) {
    let short = kind.rsplit('.').next().unwrap_or(kind);
    span.events.push(exception_event(span.end_ns, kind, message, &traceback(module, function, line, kind, message)));
    span.status = Status::error(format!("{short}: {message}"));
}

/// The sampled requests of `traffic` (its tick's) whose index is at least `first_index` in
/// their group, for groups `wanted` accepts: (handler, status, group).
pub fn sampled_requests(
    config: &SimConfig,
    traffic: &TickTraffic,
    mut wanted: impl FnMut(usize, usize, usize, &RequestGroup) -> Option<u64>,
) -> Vec<RequestId> {
    let mut out = Vec::new();
    for (handler, series) in traffic.http.iter().enumerate() {
        for (status, series_tick) in series.iter().enumerate() {
            for (group_index, group) in series_tick.groups.iter().enumerate() {
                if group.count == 0 {
                    continue;
                }
                let Some(first_index) = wanted(handler, status, group_index, group) else { continue };
                let sampling = GroupSampling::of(config.draw_seed(), group, status);
                for index in first_index..group.count {
                    let id = RequestId { tick: traffic.tick, handler, status, group: group_index, index };
                    if sampling.is_sampled(&id) {
                        out.push(id);
                    }
                }
            }
        }
    }
    out
}

/// The special trace with this id, if it is one, as `replica` served it.
pub fn special_trace(replica: &Replica, id: TraceId) -> Option<Trace> {
    let base_ns = replica.config.start_unix * NANOS_PER_SEC;
    match id {
        BULK_TRACE_ID => Some(bulk_trace(replica, base_ns + 120 * NANOS_PER_SEC)),
        SKEWED_TRACE_ID => Some(skewed_trace(replica, base_ns + 240 * NANOS_PER_SEC)),
        HOSTILE_TRACE_ID => Some(hostile_trace(replica, base_ns + 360 * NANOS_PER_SEC)),
        _ => None,
    }
}

fn bulk_trace(replica: &Replica, start_ns: u64) -> Trace {
    let mut rng = Rng::new(replica.config.draw_seed(), Stream::TraceDetail, &[u64::MAX, 1]);
    let mut b = Builder::new(replica, u64::MAX - 1, BULK_TRACE_ID);
    let target = "/v1/libraries/lib0/documents/bulk";
    let mut attributes = http_request_attributes(replica.instance, DOCUMENT_CREATE, target, &mut rng);
    for a in attributes.iter_mut() {
        if a.key == "http.route" {
            a.value = AttributeValue::Str("/v1/libraries/{library_id}/documents/bulk".to_owned());
        }
    }
    attributes.extend([text("library.id", "lib0"), int("documents.count", (BULK_TRACE_SPANS - 1) as i64)]);
    let root = b.push(
        None,
        SERVER_SCOPE,
        "POST /v1/libraries/{library_id}/documents/bulk",
        SpanKind::Server,
        start_ns,
        start_ns,
        attributes,
    );
    let mut t = start_ns + 2_000_000;
    for i in 1..BULK_TRACE_SPANS {
        let duration = 150_000 + rng.next_u64() % 400_000;
        b.push(
            Some(root),
            APP_SCOPE,
            "insert_document",
            SpanKind::Internal,
            t,
            t + duration,
            vec![
                text("library.id", "lib0"),
                text("document.id", format!("doc_bulk_{i:05}")),
                text("index.type", "hnsw"),
            ],
        );
        t += duration + 20_000;
    }
    let root_span = &mut b.spans[0];
    root_span.end_ns = t + 3_000_000;
    root_span.attributes.push(int("http.status_code", 201));
    b.finish()
}

fn skewed_trace(replica: &Replica, start_ns: u64) -> Trace {
    let mut rng = Rng::new(replica.config.draw_seed(), Stream::TraceDetail, &[u64::MAX, 2]);
    let mut b = Builder::new(replica, u64::MAX - 2, SKEWED_TRACE_ID);
    let ms = 1_000_000;
    let target = "/v1/libraries/lib1/search";
    let mut attributes = http_request_attributes(replica.instance, SEARCH, target, &mut rng);
    attributes.extend([text("library.id", "lib1"), int("k", 10), int("http.status_code", 200)]);
    let root = b.push(
        None,
        SERVER_SCOPE,
        SERVER_SPAN_NAMES[SEARCH],
        SpanKind::Server,
        start_ns,
        start_ns + 80 * ms,
        attributes,
    );
    b.push(
        Some(root),
        APP_SCOPE,
        "generate_embedding",
        SpanKind::Internal,
        start_ns + 4 * ms,
        start_ns + 20 * ms,
        vec![
            int("embedding.dimension", EMBEDDING_DIMENSION),
            text("embedding.model", EMBEDDING_MODEL),
            boolean("embedding.cache_hit", false),
        ],
    );
    // Recorded by a clock 400 ms behind: it starts and ends before its parent starts.
    b.push(
        Some(root),
        APP_SCOPE,
        "vector_search",
        SpanKind::Internal,
        start_ns + 22 * ms - 400 * ms,
        start_ns + 74 * ms - 400 * ms,
        vec![text("library.id", "lib1"), text("index.type", "hnsw"), int("k", 10), int("results.count", 10)],
    );
    // Its parent was never received.
    let missing_parent = b.span_id(1_000);
    b.push(
        Some(missing_parent),
        APP_SCOPE,
        "db.get",
        SpanKind::Internal,
        start_ns + 30 * ms,
        start_ns + 31 * ms,
        vec![text("db.collection", "libraries"), text("library.id", "lib1"), boolean("db.found", true)],
    );
    b.last()
        .warnings
        .push(format!("invalid parent span IDs={}; skipping clock skew adjustment", missing_parent.to_hex()));
    b.finish()
}

/// Script injections a client must show as text.
pub const HOSTILE_TEXTS: [&str; 3] =
    ["<script>alert(1)</script>", "javascript:alert(1)", "\"><img src=x onerror=alert(1)>"];

fn hostile_trace(replica: &Replica, start_ns: u64) -> Trace {
    let mut rng = Rng::new(replica.config.draw_seed(), Stream::TraceDetail, &[u64::MAX, 3]);
    let mut b = Builder::new(replica, u64::MAX - 3, HOSTILE_TRACE_ID);
    let ms = 1_000_000;
    let [script, js_url, img] = HOSTILE_TEXTS;
    let target = format!("/v1/libraries/{script}/search");
    let mut attributes = http_request_attributes(replica.instance, SEARCH, &target, &mut rng);
    attributes.extend([
        text("library.id", script),
        text("http.referer", js_url),
        text("user.comment", img),
        int("k", 10),
        int("http.status_code", 500),
    ]);
    let root = b.push(None, SERVER_SCOPE, script, SpanKind::Server, start_ns, start_ns + 45 * ms, attributes);
    b.last().status = Status::error("");
    b.push(
        Some(root),
        APP_SCOPE,
        js_url,
        SpanKind::Internal,
        start_ns + 2 * ms,
        start_ns + 12 * ms,
        vec![text("link", js_url), text("html", img)],
    );
    b.push(
        Some(root),
        APP_SCOPE,
        img,
        SpanKind::Internal,
        start_ns + 13 * ms,
        start_ns + 40 * ms,
        vec![text("library.id", script), text("index.type", js_url)],
    );
    let message = format!("{script} {img}");
    fail(b.last(), "arrwdb.errors.IndexUnavailableError", &message, "index/search", "search", 214);
    b.finish()
}
