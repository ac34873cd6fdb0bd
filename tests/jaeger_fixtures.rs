//! The Jaeger decoders against upstream fixtures (shared/fixtures/jaeger, see its README): every
//! file goes through the decoder of its endpoint, and the facts an operator would read off it are
//! checked. The OTLP payloads are `TracesData`, the type of api_v3's `result`, so they are wrapped
//! as `{"result": …}`; a bare v1 `Trace` object is wrapped in the v1 envelope.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use arrwdb_ops::core::jaeger::*;
use arrwdb_ops::core::waterfall::{layout, visible_rows};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/jaeger");

/// Which decoder a fixture goes through.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    /// `GET /api/traces?service=…`.
    V1Search,
    /// `GET /api/traces/{id}`.
    V1TraceById,
    /// `GET /api/traces/{id}` for a file holding one bare `Trace` object (wrapped in the envelope).
    V1TraceObject,
    /// `GET /api/services`; also the reader for v1 error envelopes of endpoints this dashboard
    /// does not call (`/api/metrics/minstep`), since every v1 endpoint shares the envelope.
    V1Services,
    /// `GET /api/operations?service=…`.
    V1Operations,
    /// `GET /api/v3/traces?query.…`.
    V3Search,
    /// `GET /api/v3/traces/{id}`.
    V3TraceById,
    /// A bare OTLP `TracesData`, wrapped as `{"result": …}` and searched.
    OtlpPayload,
    V3Services,
    V3Operations,
    V3TraceSummaries,
}
use Endpoint::*;

/// Every fixture: file, the HTTP status it comes with, its decoder, and the facts expected of the
/// decoded answer (see `describe`).
#[rustfmt::skip]
const TABLE: &[(&str, u16, Endpoint, &str)] = &[
    // v1.
    ("v1_traces_envelope_from_transform.json", 200, V1Search,
     "traces=1 | 83a9efd15c1c98a977e0711cc93ee28b spans=2 errors=0 services=[telemetrygen] \
      root=telemetrygen:okey-dokey-0 start_us=1706678909209712 dur_us=123 http=None \
      | first e127af99e3b3e074 okey-dokey-0 kind=server parent=909541b92cf05311 start_us=1706678909209712 dur_us=123 attrs=4 events=0"),
    ("v1_trace_ui_model.json", 200, V1TraceObject,
     "traces=1 | 0000000000000001 spans=5 errors=1 services=[service-x,service-y] \
      root=service-x:test-general-conversion start_us=1485467191639875 dur_us=5 http=None \
      | first 0000000000000002 test-general-conversion kind=None parent=None start_us=1485467191639875 dur_us=5 attrs=0 events=2"),
    ("v1_trace_ui_model_petclinic.json", 200, V1TraceObject,
     "traces=1 | 4766f1209f70a5e2e55417fc296fd101 spans=5 errors=0 services=[api-gateway,customers-service] \
      root=api-gateway:GET /api/customer/owners/8/pets/10 start_us=1579070675083000 dur_us=4902 http=None \
      | first 622a5079b565623e HikariProxyPreparedStatement.executeQuery kind=None parent=e821b549888cbc3b start_us=1579070675085840 dur_us=52 attrs=2 events=0"),
    ("v1_operations_with_spankind.json", 200, V1Operations,
     "operations=[UserService::getExtendedUser/server,UserService::getUserProfile/server]"),
    ("v1_error_trace_not_found_404.json", 404, V1TraceById, "error NotFound"),
    ("v1_error_archive_not_configured_500.json", 500, V1TraceById,
     "error Api 500 archive span storage was not configured"),
    ("v1_error_search_missing_service_400.json", 400, V1Search,
     "error Api 400 parameter 'service' is required"),
    ("v1_error_metrics_disabled_501.json", 501, V1Services,
     "error Api 501 trace metrics are currently disabled - no metrics backend configured"),
    // api_v3.
    ("v3_services.json", 200, V3Services, "services=[foo]"),
    ("v3_operations.json", 200, V3Operations, "operations=[get_users/server]"),
    ("v3_get_trace.json", 200, V3TraceById,
     "traces=1 | 00000000000000000000000000000001 spans=1 errors=1 services=[] \
      root=:foobar start_us=0 dur_us=0 http=None \
      | first 0000000000000002 foobar kind=server parent=None start_us=0 dur_us=0 attrs=3 events=0"),
    ("v3_find_traces.json", 200, V3Search,
     "traces=1 | 00000000000000000000000000000001 spans=1 errors=1 services=[] \
      root=:foobar start_us=0 dur_us=0 http=None \
      | first 0000000000000002 foobar kind=server parent=None start_us=0 dur_us=0 attrs=3 events=0"),
    ("v3_trace_summaries.json", 200, V3TraceSummaries,
     "summaries=1 | 00000000000000000000000000000001 frontend:HTTP GET / start_us=1000000000 dur_us=1000000 spans=2 errors=1"),
    // OTLP payloads.
    ("otlp_transform_input_same_trace.json", 200, OtlpPayload,
     "traces=1 | 83a9efd15c1c98a977e0711cc93ee28b spans=2 errors=0 services=[telemetrygen] \
      root=telemetrygen:okey-dokey-0 start_us=1706678909209712 dur_us=123 http=None \
      | first e127af99e3b3e074 okey-dokey-0 kind=server parent=909541b92cf05311 start_us=1706678909209712 dur_us=123 attrs=4 events=0"),
    ("otlp_payload_example_trace.json", 200, OtlpPayload,
     "traces=1 | 00000000000000000000000000000011 spans=5 errors=0 \
      services=[example-service-1,example-service-2,example-service-3] \
      root=example-service-2:example-operation-2 start_us=1485449191639875 dur_us=100 http=None \
      | first 0000000000000004 example-operation-2 kind=None parent=None start_us=1485449191639875 dur_us=100 attrs=0 events=2"),
    ("otlp_payload_span_tags_trace.json", 200, OtlpPayload,
     "traces=1 | 00000000000000000000000000000001 spans=1 errors=0 services=[query01-service] \
      root=query01-service:some-operation start_us=1485449191639875 dur_us=7 http=None \
      | first 0000000000000002 some-operation kind=None parent=None start_us=1485449191639875 dur_us=7 attrs=5 events=0"),
    ("otlp_payload_link_attributes_trace.json", 200, OtlpPayload,
     "traces=1 | 00000000000000000000000000000226 spans=1 errors=0 services=[query25-service] \
      root=query25-service:query25-operation start_us=1485449191639875 dur_us=2 http=None \
      | first 0000000000000004 query25-operation kind=None parent=None start_us=1485449191639875 dur_us=2 attrs=1 events=0"),
    ("otlp_payload_log_tags_trace.json", 200, OtlpPayload,
     "traces=1 | 00000000000000000000000000000002 spans=1 errors=0 services=[query02-service] \
      root=query02-service:placeholder start_us=1485449191639875 dur_us=5 http=None \
      | first 0000000000000001 placeholder kind=None parent=None start_us=1485449191639875 dur_us=5 attrs=0 events=2"),
];

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn v1_envelope(trace_object: &str) -> String {
    format!(r#"{{"data":[{trace_object}],"total":0,"limit":0,"offset":0,"errors":null}}"#)
}

fn otlp_result(traces_data: &str) -> String {
    format!(r#"{{"result":{traces_data}}}"#)
}

fn describe_error(e: &JaegerError) -> String {
    match &e.kind {
        JaegerErrorKind::Api { code, message } => format!("error Api {code} {message}"),
        other => format!("error {other:?}"),
    }
}

fn describe_traces(traces: &[Trace]) -> String {
    let mut out = format!("traces={}", traces.len());
    for t in traces {
        let s = t.summary();
        let services: BTreeSet<&str> = t
            .spans
            .iter()
            .map(|s| s.service.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        out.push_str(&format!(
            " | {} spans={} errors={} services=[{}] root={}:{} start_us={} dur_us={} http={:?}",
            t.trace_id,
            s.span_count,
            s.error_span_count,
            services.into_iter().collect::<Vec<_>>().join(","),
            s.root_service,
            s.root_operation,
            s.start_us,
            s.duration_us,
            s.http_status
        ));
        if let Some(f) = t.spans.first() {
            out.push_str(&format!(
                " | first {} {} kind={} parent={} start_us={} dur_us={} attrs={} events={}",
                f.span_id,
                f.operation,
                f.kind.as_deref().unwrap_or("None"),
                f.parent_id.as_deref().unwrap_or("None"),
                f.start_us,
                f.duration_us,
                f.attributes.len(),
                f.events.len()
            ));
        }
    }
    out
}

fn describe(file: &str, status: u16, endpoint: Endpoint) -> String {
    let body = read(file);
    let traces = |r: Result<Vec<Trace>, JaegerError>| {
        r.map_or_else(|e| describe_error(&e), |t| describe_traces(&t))
    };
    let one = |r: Result<Trace, JaegerError>| {
        r.map_or_else(|e| describe_error(&e), |t| describe_traces(&[t]))
    };
    let names = |key: &str, r: Result<Vec<String>, JaegerError>| {
        r.map_or_else(
            |e| describe_error(&e),
            |v| format!("{key}=[{}]", v.join(",")),
        )
    };
    let operations = |r: Result<Vec<Operation>, JaegerError>| {
        names(
            "operations",
            r.map(|ops| {
                ops.iter()
                    .map(|o| format!("{}/{}", o.name, o.span_kind.as_deref().unwrap_or("None")))
                    .collect()
            }),
        )
    };
    match endpoint {
        V1Search => traces(decode_v1_traces(status, &body)),
        V1TraceById => one(decode_v1_trace(status, &body)),
        V1TraceObject => one(decode_v1_trace(status, &v1_envelope(&body))),
        V1Services => names("services", decode_v1_services(status, &body)),
        V1Operations => operations(decode_v1_operations(status, &body)),
        V3Search => traces(decode_v3_traces(status, &body)),
        V3TraceById => one(decode_v3_trace(status, &body)),
        OtlpPayload => traces(decode_v3_traces(status, &otlp_result(&body))),
        V3Services => names("services", decode_v3_services(status, &body)),
        V3Operations => operations(decode_v3_operations(status, &body)),
        V3TraceSummaries => decode_v3_trace_summaries(status, &body).map_or_else(
            |e| describe_error(&e),
            |summaries| {
                let mut out = format!("summaries={}", summaries.len());
                for s in summaries {
                    out.push_str(&format!(
                        " | {} {}:{} start_us={} dur_us={} spans={} errors={}",
                        s.trace_id,
                        s.root_service,
                        s.root_operation,
                        s.start_us,
                        s.duration_us,
                        s.span_count,
                        s.error_span_count
                    ));
                }
                out
            },
        ),
    }
}

/// Collapses the runs of spaces that the line continuations in TABLE leave.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_fixture_decodes_to_its_expected_facts() {
    let mut failures = Vec::new();
    for &(file, status, endpoint, expected) in TABLE {
        let got = squeeze(&describe(file, status, endpoint));
        if got != squeeze(expected) {
            failures.push(format!(
                "{file} ({endpoint:?}, HTTP {status}):\n  expected {}\n       got {got}",
                squeeze(expected)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_file_is_in_the_table() {
    let named: HashSet<&str> = TABLE.iter().map(|(file, ..)| *file).collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("{FIXTURES}: {e}"))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let missing: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !named.contains(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures without an entry in TABLE: {missing:?}"
    );
    assert_eq!(
        named.len(),
        TABLE.len(),
        "a fixture is named twice in TABLE"
    );
    assert_eq!(
        files.len(),
        TABLE.len(),
        "TABLE names a file that does not exist"
    );
}

#[test]
fn the_same_trace_reads_the_same_through_v1_and_otlp() {
    // Jaeger's own transform test: this OTLP input produces this v1 envelope.
    let v1 = decode_v1_traces(200, &read("v1_traces_envelope_from_transform.json")).unwrap();
    let v3 = decode_v3_traces(
        200,
        &otlp_result(&read("otlp_transform_input_same_trace.json")),
    )
    .unwrap();
    assert_eq!(v1, v3);
}

#[test]
fn v1_tag_types_errors_references_and_logs() {
    let trace = decode_v1_trace(200, &v1_envelope(&read("v1_trace_ui_model.json"))).unwrap();
    let s = &trace.spans[1];
    assert_eq!(s.service, "service-x");
    assert_eq!(s.attribute("peer.ipv4"), Some(&AttrValue::Int(23456)));
    // An int64 above 2^53, sent as a string, stays exact.
    assert_eq!(
        s.attribute("javascript_limit"),
        Some(&AttrValue::Int(9_223_372_036_854_775_222))
    );
    assert_eq!(s.attribute("temperature"), Some(&AttrValue::Float(72.5)));
    assert_eq!(
        s.attribute("blob"),
        Some(&AttrValue::Bytes("AAAwOQ==".into()))
    );
    assert!(s.is_error, "the bool tag error=true");
    // The reference into another trace is skipped; the first CHILD_OF into this one is the parent.
    assert_eq!(
        trace.spans[3].parent_id.as_deref(),
        Some("0000000000000002")
    );
    assert_eq!(
        trace.spans[4].parent_id.as_deref(),
        Some("0000000000000004")
    );
    let events = &trace.spans[0].events;
    assert_eq!(
        (events[0].t_us, events[0].name.as_str()),
        (1_485_467_191_639_875, "some-event")
    );
    assert_eq!(
        events[1].attributes,
        vec![("x".to_owned(), AttrValue::Str("y".into()))]
    );
}

#[test]
fn v3_error_status_and_attribute_variants() {
    let trace = decode_v3_trace(200, &read("v3_get_trace.json")).unwrap();
    assert!(trace.spans[0].is_error, "status code 2 is ERROR");
    assert_eq!(trace.summary().error_span_count, 1);

    let traces = decode_v3_traces(
        200,
        &otlp_result(&read("otlp_payload_span_tags_trace.json")),
    )
    .unwrap();
    let s = &traces[0].spans[0];
    assert_eq!(
        s.attributes,
        vec![
            (
                "sameplacetag1".to_owned(),
                AttrValue::Str("sameplacevalue".into())
            ),
            ("sameplacetag2".to_owned(), AttrValue::Int(123)),
            ("sameplacetag4".to_owned(), AttrValue::Bool(true)),
            ("sameplacetag3".to_owned(), AttrValue::Float(72.5)),
            ("blob".to_owned(), AttrValue::Bytes("AAAwOQ==".into())),
        ]
    );

    let traces =
        decode_v3_traces(200, &otlp_result(&read("otlp_payload_log_tags_trace.json"))).unwrap();
    let events = &traces[0].spans[0].events;
    assert_eq!(events[0].t_us, 1_485_449_191_639_875);
    assert_eq!(events[0].attributes.len(), 5);
    assert_eq!(
        events[0].attributes[1],
        ("sameplacetag2".to_owned(), AttrValue::Int(123))
    );
}

#[test]
fn the_service_comes_from_each_resource() {
    let traces =
        decode_v3_traces(200, &otlp_result(&read("otlp_payload_example_trace.json"))).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = traces[0]
        .spans
        .iter()
        .map(|s| (s.service.as_str(), s.operation.as_str(), s.kind.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("example-service-2", "example-operation-2", None),
            ("example-service-3", "example-operation-1", None),
            ("example-service-1", "example-operation-1", None),
            ("example-service-1", "example-operation-3", Some("server")),
            ("example-service-1", "example-operation-4", Some("client")),
        ]
    );
}

#[test]
fn the_petclinic_trace_lays_out_as_the_jaeger_ui_shows_it() {
    let trace =
        decode_v1_trace(200, &v1_envelope(&read("v1_trace_ui_model_petclinic.json"))).unwrap();
    let rows = layout(&trace);
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            let s = &trace.spans[r.span_index];
            format!(
                "{}{} {} +{}/{}",
                "  ".repeat(r.depth),
                s.service,
                s.operation,
                r.offset_us,
                r.duration_us
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "api-gateway GET /api/customer/owners/8/pets/10 +0/4902",
            "  api-gateway GET /owners/8/pets/10 +820/2499",
            "    customers-service GET /owners/8/pets/10 +1200/1739",
            "      customers-service HikariProxyPreparedStatement.executeQuery +2059/21",
            "      customers-service HikariProxyPreparedStatement.executeQuery +2840/52",
        ]
    );
    assert!(rows.iter().all(|r| !r.skewed && !r.orphan));
    let collapsed: HashSet<String> = [rows[1].span_id.clone()].into();
    assert_eq!(visible_rows(&rows, &collapsed).len(), 2);
}
