//! Every endpoint of the simulated Jaeger answers with the structure of the upstream fixtures
//! (shared/fixtures/jaeger, see its README): same keys at each level, same JSON types, array
//! elements shaped like the fixtures' elements (see `common::shape`).

mod common;

use std::path::Path;

use arrwdb_sim::jaeger::{JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE};
use arrwdb_sim::traces::{BULK_TRACE_ID, HOSTILE_TRACE_ID, SKEWED_TRACE_ID};
use arrwdb_sim::{IncidentKind, SimConfig};
use common::api::{enc, get, occurrence, rfc3339, v3_spans};
use common::shape::{assert_conforms, Schema};
use common::{config, START_UNIX};
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/jaeger");

fn fixture(name: &str) -> Value {
    let path = Path::new(FIXTURES).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap().trim_end().to_owned()
}

/// The OTLP payloads are `TracesData`, the type of api_v3's `result`.
const OTLP_PAYLOADS: [&str; 5] = [
    "otlp_payload_example_trace.json",
    "otlp_payload_span_tags_trace.json",
    "otlp_payload_link_attributes_trace.json",
    "otlp_payload_log_tags_trace.json",
    "otlp_transform_input_same_trace.json",
];

/// The shape of a v3 trace answer: the GetTrace and FindTraces snapshots, and the OTLP payloads
/// as `result`. Allowed besides: `Status.message` and `Span.Event.name` of
/// opentelemetry-proto's trace.proto, which no fixture happens to set.
fn v3_traces_schema() -> Schema {
    let mut references = vec![fixture("v3_get_trace.json"), fixture("v3_find_traces.json")];
    references.extend(OTLP_PAYLOADS.iter().map(|name| json!({ "result": fixture(name) })));
    let refs: Vec<&Value> = references.iter().collect();
    Schema::of(&refs).allow(&json!({"result": {"resourceSpans": [{"scopeSpans": [{"spans": [
        {"status": {"message": "IndexUnavailableError: ..."}, "events": [{"name": "exception"}]}
    ]}]}]}}))
}

/// The shape of a v1 trace answer: the envelope of `/api/transform` and the two `Trace` objects
/// in it. Allowed besides: process tags, which are `KeyValue`s as span tags are (jaeger-idl
/// `model.Process.Tags`) but are empty in every fixture.
fn v1_traces_schema() -> Schema {
    let envelope = |trace: Value| json!({"data": [trace], "total": 0, "limit": 0, "offset": 0, "errors": null});
    let references = [
        fixture("v1_traces_envelope_from_transform.json"),
        envelope(fixture("v1_trace_ui_model_petclinic.json")),
        envelope(fixture("v1_trace_ui_model.json")),
    ];
    let refs: Vec<&Value> = references.iter().collect();
    Schema::of(&refs).allow(&json!({"data": [{"processes": {"p1": {"tags": [
        {"key": "telemetry.sdk.language", "type": "string", "value": "python"}
    ]}}}]}))
}

/// The v3 error body, from `apiv3/http_gateway.go` (`GRPCGatewayError`) as the fixtures' README
/// documents it: no fixture file exists.
const V3_ERROR_404: &str = "{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}";

fn v3_error_schema() -> Schema {
    Schema::of(&[&serde_json::from_str(V3_ERROR_404).unwrap()])
}

fn v1_error_schema() -> Schema {
    let references: Vec<Value> = [
        "v1_error_trace_not_found_404.json",
        "v1_error_archive_not_configured_500.json",
        "v1_error_search_missing_service_400.json",
        "v1_error_metrics_disabled_501.json",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect();
    Schema::of(&references.iter().collect::<Vec<_>>())
}

/// The legacy `/api/services` and `/api/services/{s}/operations`: no fixture exists; the README
/// says they use the envelope of `v1_operations_with_spankind.json` with names as `data`, so
/// the reference is that file with each operation replaced by its name.
fn v1_names_schema() -> Schema {
    let mut reference = fixture("v1_operations_with_spankind.json");
    let names: Vec<Value> = reference["data"].as_array().unwrap().iter().map(|o| o["name"].clone()).collect();
    reference["data"] = Value::Array(names);
    Schema::of(&[&reference])
}

/// The story's configuration and a moment when a few hours of it have passed.
fn setup() -> (SimConfig, u64) {
    let c = config(42, START_UNIX, 300);
    (c, START_UNIX + 5 * 3_600)
}

/// A v3 search over the first error spike, which returns errors, slow and plain traces.
fn v3_search_target(c: &SimConfig) -> String {
    let (from, _) = occurrence(c, IncidentKind::ErrorSpike, START_UNIX, 1);
    format!(
        "/api/v3/traces?query.serviceName=arrwdb&query.startTimeMin={}&query.startTimeMax={}&query.searchDepth=60",
        enc(&rfc3339(from + 60, 0)),
        enc(&rfc3339(from + 90, 0))
    )
}

fn v1_search_target(c: &SimConfig) -> String {
    let (from, _) = occurrence(c, IncidentKind::ErrorSpike, START_UNIX, 1);
    format!("/api/traces?service=arrwdb&start={}&end={}&limit=60", (from + 60) * 1_000_000, (from + 90) * 1_000_000)
}

#[test]
fn the_comparison_can_fail() {
    let schema = Schema::of(&[&json!({"a": [{"b": 1, "c": "x"}], "d": null}), &json!({"a": [{"b": 2}], "d": [1]})]);
    assert!(schema.check(&json!({"a": [{"b": 3}], "d": null})).is_empty());
    assert!(schema.check(&json!({"a": [{"b": 3, "c": "y"}], "d": [2]})).is_empty());
    for (bad, problem) in [
        (json!({"a": [{"b": "3"}], "d": null}), "$.a[0].b: string"),
        (json!({"a": [{"c": "y"}], "d": null}), "$.a[0]: missing key \"b\""),
        (json!({"a": [{"b": 1, "e": 1}], "d": null}), "$.a[0]: unexpected key \"e\""),
        (json!({"a": [], "d": null, "z": 0}), "$: unexpected key \"z\""),
        (json!({"a": [{"b": 1}]}), "$: missing key \"d\""),
        (json!({"a": [{"b": 1}], "d": ["s"]}), "$.d[0]: string"),
        (json!([]), "$: array"),
    ] {
        let problems = schema.check(&bad);
        assert!(problems.iter().any(|p| p.starts_with(problem)), "{bad}: {problems:?}");
    }
    let empty_arrays = Schema::of(&[&json!({"tags": []})]);
    assert!(!empty_arrays.check(&json!({"tags": [{"k": 1}]})).is_empty(), "elements need a reference");
}

/// (what, target, status, content type, schema).
fn endpoints(c: &SimConfig) -> Vec<(&'static str, String, u16, &'static str, Schema)> {
    let v3_ops = || Schema::of(&[&fixture("v3_operations.json")]);
    let bulk = BULK_TRACE_ID.to_hex();
    let skewed = SKEWED_TRACE_ID.to_hex();
    let hostile = HOSTILE_TRACE_ID.to_hex();
    let v3_search = v3_search_target(c);
    let first_id = {
        let (_, now) = setup();
        get(c, &v3_search, now).json()["result"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    vec![
        ("v3 services", "/api/v3/services".into(), 200, JSON_CONTENT_TYPE, Schema::of(&[&fixture("v3_services.json")])),
        ("v3 operations", "/api/v3/operations?service=arrwdb".into(), 200, JSON_CONTENT_TYPE, v3_ops()),
        ("v3 server operations", "/api/v3/operations?service=arrwdb&spanKind=server".into(), 200, JSON_CONTENT_TYPE, v3_ops()),
        ("v3 search", v3_search, 200, JSON_CONTENT_TYPE, v3_traces_schema()),
        ("v3 trace", format!("/api/v3/traces/{first_id}"), 200, JSON_CONTENT_TYPE, v3_traces_schema()),
        ("v3 bulk trace", format!("/api/v3/traces/{bulk}"), 200, JSON_CONTENT_TYPE, v3_traces_schema()),
        ("v3 skewed trace", format!("/api/v3/traces/{skewed}"), 200, JSON_CONTENT_TYPE, v3_traces_schema()),
        ("v3 hostile trace", format!("/api/v3/traces/{hostile}"), 200, JSON_CONTENT_TYPE, v3_traces_schema()),
        ("v3 unknown trace", "/api/v3/traces/0123456789abcdef0123456789abcdef".into(), 404, TEXT_CONTENT_TYPE, v3_error_schema()),
        ("v3 malformed trace id", "/api/v3/traces/xyz".into(), 400, TEXT_CONTENT_TYPE, v3_error_schema()),
        ("v3 search without service", format!("/api/v3/traces?query.startTimeMin={0}&query.startTimeMax={0}", rfc3339(START_UNIX, 0)), 400, TEXT_CONTENT_TYPE, v3_error_schema()),
        ("v3 search without times", "/api/v3/traces?query.serviceName=arrwdb".into(), 400, TEXT_CONTENT_TYPE, v3_error_schema()),
        ("v3 search bad duration", format!("/api/v3/traces?query.serviceName=arrwdb&query.startTimeMin={0}&query.startTimeMax={0}&query.durationMin=1x", rfc3339(START_UNIX, 0)), 400, TEXT_CONTENT_TYPE, v3_error_schema()),
        ("v1 services", "/api/services".into(), 200, JSON_CONTENT_TYPE, v1_names_schema()),
        ("v1 service operations", "/api/services/arrwdb/operations".into(), 200, JSON_CONTENT_TYPE, v1_names_schema()),
        ("v1 operations", "/api/operations?service=arrwdb&spanKind=server".into(), 200, JSON_CONTENT_TYPE, Schema::of(&[&fixture("v1_operations_with_spankind.json")])),
        ("v1 search", v1_search_target(c), 200, JSON_CONTENT_TYPE, v1_traces_schema()),
        ("v1 trace", format!("/api/traces/{first_id}"), 200, JSON_CONTENT_TYPE, v1_traces_schema()),
        ("v1 bulk trace", format!("/api/traces/{bulk}"), 200, JSON_CONTENT_TYPE, v1_traces_schema()),
        ("v1 skewed trace", format!("/api/traces/{skewed}"), 200, JSON_CONTENT_TYPE, v1_traces_schema()),
        ("v1 hostile trace", format!("/api/traces/{hostile}"), 200, JSON_CONTENT_TYPE, v1_traces_schema()),
        ("v1 unknown trace", "/api/traces/0123456789abcdef0123456789abcdef".into(), 404, JSON_CONTENT_TYPE, v1_error_schema()),
        ("v1 malformed trace id", "/api/traces/xyz".into(), 400, JSON_CONTENT_TYPE, v1_error_schema()),
        ("v1 search without service", "/api/traces?limit=3".into(), 400, JSON_CONTENT_TYPE, v1_error_schema()),
        ("v1 search bad limit", "/api/traces?service=arrwdb&limit=x".into(), 400, JSON_CONTENT_TYPE, v1_error_schema()),
        ("v1 operations without service", "/api/operations".into(), 400, JSON_CONTENT_TYPE, v1_error_schema()),
    ]
}

#[test]
fn every_endpoint_has_the_upstream_shape() {
    let (c, now) = setup();
    for (what, target, status, content_type, schema) in endpoints(&c) {
        let answer = get(&c, &target, now);
        assert_eq!((answer.status, answer.content_type), (status, content_type), "{what}: {target}\n{}", answer.body);
        assert_conforms(&schema, &answer.json(), &format!("{what} ({target})"));
    }
}

#[test]
fn errors_are_upstream_bytes() {
    let (c, now) = setup();
    for (target, status, body) in [
        ("/api/traces?limit=3".to_owned(), 400, fixture_text("v1_error_search_missing_service_400.json")),
        (
            "/api/traces/0123456789abcdef0123456789abcdef".to_owned(),
            404,
            fixture_text("v1_error_trace_not_found_404.json"),
        ),
        ("/api/v3/traces/0123456789abcdef0123456789abcdef".to_owned(), 404, format!("{V3_ERROR_404}\n")),
        (
            format!(
                "/api/v3/traces?query.serviceName=nobody&query.startTimeMin={}&query.startTimeMax={}",
                rfc3339(START_UNIX, 0),
                rfc3339(now, 0)
            ),
            404,
            format!("{V3_ERROR_404}\n"),
        ),
    ] {
        let answer = get(&c, &target, now);
        assert_eq!((answer.status, answer.body.as_str()), (status, body.as_str()), "{target}");
    }
}

#[test]
fn v3_spans_carry_every_field_of_the_snapshots_and_the_payloads() {
    let (c, now) = setup();
    let body = get(&c, &v3_search_target(&c), now).json();
    let spans = v3_spans(&body);
    assert!(spans.len() > 60, "{} spans", spans.len());
    let snapshot = fixture("v3_get_trace.json");
    let snapshot_span =
        snapshot["result"]["resourceSpans"][0]["scopeSpans"][0]["spans"][0].as_object().unwrap().clone();
    for span in &spans {
        // The snapshot's keys (its `status.code` is left out when unset, as in the payloads)
        // and the payloads' timestamps.
        for key in snapshot_span.keys().map(String::as_str).chain(["startTimeUnixNano", "endTimeUnixNano"]) {
            assert!(span.get(key).is_some(), "no {key} in {span}");
        }
        assert!(span["kind"].is_u64());
        assert_eq!(span["traceId"].as_str().unwrap().len(), 32);
        assert_eq!(span["spanId"].as_str().unwrap().len(), 16);
        for stamp in ["startTimeUnixNano", "endTimeUnixNano"] {
            let text = span[stamp].as_str().unwrap();
            assert!(text.len() == 19 && text.bytes().all(|b| b.is_ascii_digit()), "{stamp} {text}");
        }
    }
    let kinds: Vec<&str> = spans
        .iter()
        .flat_map(|s| s["attributes"].as_array().into_iter().flatten())
        .map(|a| a["value"].as_object().unwrap().keys().next().unwrap().as_str())
        .collect();
    for variant in ["stringValue", "intValue", "boolValue"] {
        assert!(kinds.contains(&variant), "{variant} never used");
    }
    assert!(spans.iter().any(|s| s["status"]["code"] == 2) && spans.iter().any(|s| s.get("parentSpanId").is_some()));
    assert!(spans.iter().any(|s| s["events"][0]["name"] == "exception"));
}
