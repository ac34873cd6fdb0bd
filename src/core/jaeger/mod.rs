//! Jaeger query APIs, v1 (`/api/…`, the UI model) and api_v3 (`/api/v3/…`, OTLP-JSON), decoded
//! into one trace model.
//!
//! The browser shell builds a URL ([`v3_search_url`], [`v1_trace_url`], …), fetches it and hands
//! over `(http_status, body)`; the `decode_*` function of the endpoint answers a [`Trace`] list,
//! services or operations, or a [`JaegerError`] whose kind says what the operator can do. Units
//! are converted here, once: v1 microseconds stay microseconds, v3 nanosecond strings become
//! microseconds. No IO here.
//!
//! A search with no match is an empty list on both APIs (api_v3 answers it with 404 "No traces
//! found"); only a fetch by id answers [`JaegerErrorKind::NotFound`].

mod decode;
mod error;
mod json;
mod model;
#[cfg(test)]
pub(crate) use model::test_span;
mod request;
mod v1;
mod v3;

pub use decode::{
    decode_v1_operations, decode_v1_services, decode_v1_trace, decode_v1_traces,
    decode_v3_operations, decode_v3_services, decode_v3_trace, decode_v3_trace_summaries,
    decode_v3_traces,
};
pub use error::{JaegerError, JaegerErrorKind};
pub use model::{
    handler_to_operation, normalize_id, operation_to_handler, summarize, AttrValue, Event,
    Operation, Span, Trace, TraceSummary,
};
pub use request::{
    go_duration, rfc3339_micros_utc, tags_json, v1_operations_url, v1_search_url, v1_services_url,
    v1_trace_url, v3_operations_url, v3_search_url, v3_services_url, v3_trace_summaries_url,
    v3_trace_url, SearchParams,
};

/// Which query API a Jaeger speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// `/api/traces`, `/api/services`, …: every Jaeger up to v2.20; its search endpoints are
    /// removed on Jaeger `main` after v2.20.
    V1,
    /// `/api/v3/…`: Jaeger v1.35+ and v2, and the only search API of Jaeger after v2.20.
    V3,
}

/// "auto" mode: the API to use, from the answer to `GET {base}/api/v3/services` decoded with
/// [`decode_v3_services`]. A list, or an api_v3 error envelope, means api_v3 is there. Any other
/// HTTP answer (404 text, the UI's HTML, a v1-shaped body) means it is not: use v1. No answer at
/// all (unreachable, aborted) decides nothing: `None`, show that error.
pub fn choose_api_version(v3_services: &Result<Vec<String>, JaegerError>) -> Option<ApiVersion> {
    match v3_services {
        Ok(_) => Some(ApiVersion::V3),
        Err(e) => match e.kind {
            JaegerErrorKind::Api { .. } | JaegerErrorKind::NotFound => Some(ApiVersion::V3),
            JaegerErrorKind::Http { .. }
            | JaegerErrorKind::NotJson { .. }
            | JaegerErrorKind::Decode { .. } => Some(ApiVersion::V1),
            JaegerErrorKind::Unreachable { .. } | JaegerErrorKind::Aborted => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_mode_reads_the_v3_services_probe() {
        let check = |status: u16, body: &str, expected: Option<ApiVersion>| {
            assert_eq!(
                choose_api_version(&decode_v3_services(status, body)),
                expected,
                "{status} {body}"
            );
        };
        check(200, r#"{"services":["arrwdb"]}"#, Some(ApiVersion::V3));
        check(200, "{}", Some(ApiVersion::V3));
        check(
            500,
            r#"{"error":{"httpCode":500,"message":"storage down"}}"#,
            Some(ApiVersion::V3),
        );
        check(404, "404 page not found\n", Some(ApiVersion::V1));
        check(
            200,
            "<!doctype html><html>Jaeger UI</html>",
            Some(ApiVersion::V1),
        );
        check(
            200,
            r#"{"data":["arrwdb"],"total":1,"limit":0,"offset":0,"errors":null}"#,
            Some(ApiVersion::V1),
        );
        assert_eq!(
            choose_api_version(&Err(JaegerError::unreachable("http://j", "refused"))),
            None
        );
        assert_eq!(choose_api_version(&Err(JaegerError::aborted())), None);
    }
}
