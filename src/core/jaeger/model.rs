//! The one trace model both Jaeger APIs decode into: times in microseconds, ids in lowercase
//! hex, the service on every span, errors already decided.

use std::collections::HashMap;
use std::fmt;

/// A trace: its spans in the order Jaeger sent them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<Span>,
}

/// One span, whichever API it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Span {
    pub span_id: String,
    /// The parent span in the same trace (v1: the first `CHILD_OF` reference into this trace,
    /// else the first `FOLLOWS_FROM` one; v3: `parentSpanId`). The parent may be missing from
    /// the trace (not yet flushed, or dropped).
    pub parent_id: Option<String>,
    pub service: String,
    pub operation: String,
    /// Start, in Unix microseconds (v3 nanoseconds are divided by 1,000, rounding down).
    pub start_us: i64,
    /// Duration in microseconds, never negative.
    pub duration_us: i64,
    /// v3 status code 2 (ERROR), or a tag `error=true` (bool or string) or
    /// `otel.status_code=ERROR`.
    pub is_error: bool,
    /// `server`, `client`, `producer`, `consumer` or `internal`; `None` when unspecified.
    pub kind: Option<String>,
    pub attributes: Vec<(String, AttrValue)>,
    /// The attributes of the span's resource (v3) or process tags (v1), `service.name` aside
    /// (it is [`Span::service`]): where OpenTelemetry names the replica (`service.instance.id`,
    /// `host.name`).
    pub resource: Vec<(String, AttrValue)>,
    pub events: Vec<Event>,
}

/// A span event (v3) or log (v1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    /// In Unix microseconds.
    pub t_us: i64,
    /// The event name (v1: the value of the log field `event`, which Jaeger fills from the OTLP
    /// event name); empty when there is none.
    pub name: String,
    pub attributes: Vec<(String, AttrValue)>,
}

/// An attribute (tag) value. `Bytes` keeps the base64 text Jaeger sent.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Str(String),
    Int(i64),
    Bool(bool),
    Float(f64),
    Bytes(String),
    Array(Vec<AttrValue>),
    KvList(Vec<(String, AttrValue)>),
}

impl AttrValue {
    /// The value as an integer: an `Int`, an integral `Float`, or a `Str` holding an integer
    /// (HTTP status codes arrive in all three forms).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            AttrValue::Int(i) => Some(*i),
            AttrValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            AttrValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The string of a `Str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// True for `Bool(true)` and for the string `true` in any case (v1 clients send both).
    pub fn is_true(&self) -> bool {
        match self {
            AttrValue::Bool(b) => *b,
            AttrValue::Str(s) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Str(s) | AttrValue::Bytes(s) => f.write_str(s),
            AttrValue::Int(i) => write!(f, "{i}"),
            AttrValue::Bool(b) => write!(f, "{b}"),
            // Very large and very small magnitudes in exponent form, as JSON writers do.
            AttrValue::Float(x) if *x != 0.0 && !(1e-6..1e21).contains(&x.abs()) => {
                write!(f, "{x:e}")
            }
            AttrValue::Float(x) => write!(f, "{x}"),
            AttrValue::Array(values) => {
                f.write_str("[")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            AttrValue::KvList(pairs) => {
                f.write_str("{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Span {
    /// The first attribute named `key`.
    pub fn attribute(&self, key: &str) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The end, in Unix microseconds.
    pub fn end_us(&self) -> i64 {
        self.start_us.saturating_add(self.duration_us)
    }

    /// The HTTP response status the span recorded, old or new semantic conventions.
    pub fn http_status(&self) -> Option<i64> {
        ["http.response.status_code", "http.status_code"]
            .iter()
            .find_map(|key| self.attribute(key).and_then(AttrValue::as_i64))
    }
}

/// Whether a span is an error, from its tags: `error=true` (bool or string) or
/// `otel.status_code=ERROR`. The v3 status code is checked by its decoder.
pub(crate) fn attributes_say_error(attributes: &[(String, AttrValue)]) -> bool {
    attributes.iter().any(|(k, v)| match k.as_str() {
        "error" => v.is_true(),
        "otel.status_code" => v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ERROR")),
        _ => false,
    })
}

/// One line of a trace list, computed from the spans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceSummary {
    pub trace_id: String,
    /// The earliest span start, in Unix microseconds.
    pub start_us: i64,
    /// From the earliest start to the latest end, in microseconds.
    pub duration_us: i64,
    pub root_operation: String,
    pub root_service: String,
    pub span_count: usize,
    /// Every error span of the trace, not only the root's: Jaeger's `error=true` search finds a
    /// trace only through the span that carries the tag, so this count is what tells an error
    /// trace whose error is deep in a child.
    pub error_span_count: usize,
    /// The root span's `http.status_code` or `http.response.status_code`.
    pub http_status: Option<i64>,
}

impl TraceSummary {
    /// True when any span of the trace is an error.
    pub fn has_errors(&self) -> bool {
        self.error_span_count > 0
    }
}

impl Trace {
    /// The root span: a span without a parent in this trace, the earliest if several. Spans
    /// with no parent at all are preferred over spans whose parent is missing (orphans).
    pub fn root(&self) -> Option<&Span> {
        // Keyed as the waterfall's index is (`HashMap<&str, usize>`), so the wasm build holds
        // one instantiation of the map for both.
        let ids: HashMap<&str, usize> = self
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id.as_str(), i))
            .collect();
        let rank = |s: &Span| match &s.parent_id {
            None => Some(0),
            Some(p) if p == &s.span_id || !ids.contains_key(p.as_str()) => Some(1),
            Some(_) => None,
        };
        self.spans
            .iter()
            .filter_map(|s| rank(s).map(|r| (r, s.start_us, s)))
            // `min_by_key` keeps the first of equal keys: the order Jaeger sent breaks ties.
            .min_by_key(|(r, start, _)| (*r, *start))
            .map(|(_, _, s)| s)
    }

    /// The trace's line in a list.
    pub fn summary(&self) -> TraceSummary {
        let start_us = self.spans.iter().map(|s| s.start_us).min().unwrap_or(0);
        let end_us = self
            .spans
            .iter()
            .map(Span::end_us)
            .max()
            .unwrap_or(start_us);
        let root = self.root();
        TraceSummary {
            trace_id: self.trace_id.clone(),
            start_us,
            duration_us: end_us.saturating_sub(start_us).max(0),
            root_operation: root.map(|s| s.operation.clone()).unwrap_or_default(),
            root_service: root.map(|s| s.service.clone()).unwrap_or_default(),
            span_count: self.spans.len(),
            error_span_count: self.spans.iter().filter(|s| s.is_error).count(),
            http_status: root.and_then(Span::http_status),
        }
    }

    /// True when every `(key, value)` pair is an attribute of some span of the trace or of its
    /// resource (compared as text). Jaeger matches search tags this way; use it to filter
    /// locally when a Jaeger ignores `query.attributes` (api_v3 before it was supported).
    pub fn matches_tags(&self, tags: &[(String, String)]) -> bool {
        tags.iter().all(|(key, value)| {
            self.spans.iter().any(|s| {
                s.attributes
                    .iter()
                    .chain(&s.resource)
                    .any(|(k, v)| k == key && v.to_string() == *value)
            })
        })
    }
}

/// The summaries of `traces`, in the same order.
pub fn summarize(traces: &[Trace]) -> Vec<TraceSummary> {
    traces.iter().map(Trace::summary).collect()
}

/// An operation of a service, from `/api/operations` or `/api/v3/operations`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Operation {
    pub name: String,
    /// `server`, `client`, …; `None` when Jaeger did not say (the legacy
    /// `/api/services/{s}/operations` answers names only).
    pub span_kind: Option<String>,
}

/// The name of the OpenTelemetry FastAPI server span of a route: `POST` +
/// `/v1/libraries/{library_id}/search` → `POST /v1/libraries/{library_id}/search`. This is the
/// Jaeger operation to search for a Prometheus `method`/`handler` series.
pub fn handler_to_operation(method: &str, route: &str) -> String {
    format!("{} {}", method.trim().to_ascii_uppercase(), route.trim())
}

/// The reverse of [`handler_to_operation`]: `(method, route)` from a server span name. `None`
/// for any other name, including the ASGI sub-spans (`… http send`, `… http receive`), which are
/// not the request itself.
pub fn operation_to_handler(operation: &str) -> Option<(String, String)> {
    let (method, route) = operation.split_once(' ')?;
    let is_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
    let is_route = route.starts_with('/') && !route.contains(char::is_whitespace);
    (is_method && is_route).then(|| (method.to_owned(), route.to_owned()))
}

/// A trace or span id as lowercase hex. OTLP-JSON and Jaeger send hex; older api_v3 gateways
/// (gogo jsonpb) sent the id bytes as base64, which is converted. Anything else is kept as sent.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    if id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return id.to_ascii_lowercase();
    }
    match decode_base64(id) {
        Some(bytes) if bytes.len() == 8 || bytes.len() == 16 => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut hex = String::with_capacity(2 * bytes.len());
            for b in bytes {
                hex.push(char::from(HEX[usize::from(b >> 4)]));
                hex.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            hex
        }
        _ => id.to_owned(),
    }
}

/// Standard or URL-safe base64, padding optional; `None` if it is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A span for tests across the core: `id` under `parent`, from `start_us` for `duration_us`,
/// in service `svc-<id>` with operation `op-<id>`.
#[cfg(test)]
pub(crate) fn test_span(id: &str, parent: Option<&str>, start_us: i64, duration_us: i64) -> Span {
    Span {
        span_id: id.into(),
        parent_id: parent.map(Into::into),
        service: format!("svc-{id}"),
        operation: format!("op-{id}"),
        start_us,
        duration_us,
        ..Span::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_span as span;

    #[test]
    fn handler_and_operation_map_both_ways() {
        let route = "/v1/libraries/{library_id}/search";
        assert_eq!(
            handler_to_operation("post", route),
            "POST /v1/libraries/{library_id}/search"
        );
        let check = |op: &str, expected: Option<(&str, &str)>| {
            assert_eq!(
                operation_to_handler(op),
                expected.map(|(m, r)| (m.to_owned(), r.to_owned())),
                "{op}"
            );
        };
        check(
            "POST /v1/libraries/{library_id}/search",
            Some(("POST", route)),
        );
        check("GET /health", Some(("GET", "/health")));
        check("POST /v1/libraries/{library_id}/search http send", None);
        check("HikariProxyPreparedStatement.executeQuery", None);
        check("post /x", None);
        check("GET", None);
    }

    #[test]
    fn ids_become_lowercase_hex() {
        assert_eq!(
            normalize_id("83A9EFD15C1C98A977E0711CC93EE28B"),
            "83a9efd15c1c98a977e0711cc93ee28b"
        );
        // Base64 of the 16 bytes 00…01 and of the 8 bytes 00…02, as gogo jsonpb wrote them.
        assert_eq!(
            normalize_id("AAAAAAAAAAAAAAAAAAAAAQ=="),
            "00000000000000000000000000000001"
        );
        assert_eq!(normalize_id("AAAAAAAAAAI="), "0000000000000002");
        assert_eq!(normalize_id("not an id"), "not an id");
    }

    #[test]
    fn the_summary_finds_the_root_and_counts_child_errors() {
        let mut child = span("b", Some("a"), 150, 10);
        child.is_error = true;
        let mut root = span("a", None, 100, 100);
        root.attributes = vec![("http.status_code".into(), AttrValue::Int(500))];
        let orphan = span("c", Some("zz"), 50, 400);
        let trace = Trace {
            trace_id: "t".into(),
            spans: vec![child, orphan, root],
        };
        let s = trace.summary();
        // The true root wins over the earlier orphan; the trace spans the orphan too.
        assert_eq!(
            (s.root_operation.as_str(), s.root_service.as_str()),
            ("op-a", "svc-a")
        );
        assert_eq!((s.start_us, s.duration_us), (50, 400));
        assert_eq!(
            (s.span_count, s.error_span_count, s.http_status),
            (3, 1, Some(500))
        );
        assert!(s.has_errors());
    }

    #[test]
    fn the_summary_of_orphans_takes_the_earliest_and_reads_new_http_conventions() {
        let mut late = span("x", Some("p"), 20, 1);
        late.attributes = vec![(
            "http.response.status_code".into(),
            AttrValue::Str("404".into()),
        )];
        let mut early = span("y", Some("q"), 10, 1);
        early.attributes = vec![(
            "http.response.status_code".into(),
            AttrValue::Str("503".into()),
        )];
        let s = Trace {
            trace_id: "t".into(),
            spans: vec![late, early],
        }
        .summary();
        assert_eq!(
            (s.root_operation.as_str(), s.http_status),
            ("op-y", Some(503))
        );
        assert_eq!(Trace::default().summary().span_count, 0);
    }

    #[test]
    fn errors_come_from_tags_in_any_spelling() {
        let check = |pairs: Vec<(&str, AttrValue)>, expected: bool| {
            let attrs: Vec<_> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            assert_eq!(attributes_say_error(&attrs), expected, "{attrs:?}");
        };
        check(vec![("error", AttrValue::Bool(true))], true);
        check(vec![("error", AttrValue::Str("true".into()))], true);
        check(vec![("error", AttrValue::Bool(false))], false);
        check(
            vec![("otel.status_code", AttrValue::Str("ERROR".into()))],
            true,
        );
        check(
            vec![("otel.status_code", AttrValue::Str("OK".into()))],
            false,
        );
        check(vec![], false);
    }

    #[test]
    fn tags_match_on_any_span() {
        let mut a = span("a", None, 0, 1);
        a.attributes = vec![("http.status_code".into(), AttrValue::Int(500))];
        let mut b = span("b", Some("a"), 0, 1);
        b.attributes = vec![("error".into(), AttrValue::Bool(true))];
        let trace = Trace {
            trace_id: "t".into(),
            spans: vec![a, b],
        };
        let tags = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(trace.matches_tags(&tags(&[("error", "true"), ("http.status_code", "500")])));
        assert!(!trace.matches_tags(&tags(&[("error", "false")])));
        assert!(trace.matches_tags(&[]));
    }

    #[test]
    fn a_search_tag_matches_the_resource_of_a_span_too() {
        let mut a = span("a", None, 0, 2);
        a.resource = vec![("service.instance.id".into(), AttrValue::Str("10.0.0.2:8000".into()))];
        let trace = Trace { trace_id: "t".into(), spans: vec![a] };
        let tag = |v: &str| vec![("service.instance.id".to_owned(), v.to_owned())];
        assert!(trace.matches_tags(&tag("10.0.0.2:8000")));
        assert!(!trace.matches_tags(&tag("10.0.0.3:8000")));
    }

    #[test]
    fn attribute_values_display_and_convert() {
        let v = AttrValue::KvList(vec![
            (
                "a".into(),
                AttrValue::Array(vec![AttrValue::Int(1), AttrValue::Bool(false)]),
            ),
            ("b".into(), AttrValue::Float(72.5)),
        ]);
        assert_eq!(v.to_string(), "{a: [1, false], b: 72.5}");
        assert_eq!(AttrValue::Float(200.0).as_i64(), Some(200));
        assert_eq!(AttrValue::Float(2.5).as_i64(), None);
        assert_eq!(AttrValue::Str(" 404 ".into()).as_i64(), Some(404));
    }
}
