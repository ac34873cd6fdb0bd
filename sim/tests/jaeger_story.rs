//! The traces tell the metrics' story: every 5xx the counters count has an error trace, every
//! request the latency histogram counts above 1 s has a slow trace, and searches honour their
//! bounds and filters as Jaeger's do, in both parameter spellings of api_v3 and in v1.

mod common;

use std::collections::BTreeMap;

use arrwdb_sim::trace_query::{DEFAULT_MAX_TRACES, MAX_TRACES};
use arrwdb_sim::traces::{
    RequestId, BULK_TRACE_ID, BULK_TRACE_SPANS, HOSTILE_TEXTS, HOSTILE_TRACE_ID, SKEWED_TRACE_ID,
};
use arrwdb_sim::{tick_traffic, IncidentKind, SimConfig, TICK_SECS};
use common::api::{enc, get, ns, occurrence, rfc3339, v3_attribute, v3_spans, v3_trace_ids, NANOS};
use common::{config, scrape, Scrape, START_UNIX};
use serde_json::Value;

fn setup() -> (SimConfig, u64) {
    (config(42, START_UNIX, 300), START_UNIX + 6 * 3_600)
}

/// A v3 search with these extra parameters (already encoded) over `[from, to)` unix seconds.
fn v3_search(from_unix: u64, to_unix: u64, extra: &str) -> String {
    format!(
        "/api/v3/traces?query.serviceName=arrwdb&query.startTimeMin={}&query.startTimeMax={}{extra}",
        enc(&rfc3339(from_unix, 0)),
        // Inclusive upstream: the last nanosecond before `to_unix`.
        enc(&rfc3339(to_unix - 1, NANOS - 1)),
    )
}

/// The traces of a v3 answer (404 is none): per trace id, its spans.
fn v3_traces(c: &SimConfig, target: &str, now: u64) -> Vec<(String, Vec<Value>)> {
    let answer = get(c, target, now);
    if answer.status == 404 {
        assert_eq!(answer.body, "{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}\n");
        return Vec::new();
    }
    assert_eq!(answer.status, 200, "{target}: {}", answer.body);
    let body = answer.json();
    let spans = v3_spans(&body);
    v3_trace_ids(&body)
        .into_iter()
        .map(|id| {
            let mine = spans.iter().filter(|s| s["traceId"] == id.as_str()).map(|s| (*s).clone()).collect();
            (id, mine)
        })
        .collect()
}

/// The server span (the one without a parent).
fn root(spans: &[Value]) -> &Value {
    spans.iter().find(|s| s.get("parentSpanId").is_none()).expect("a root span")
}

fn is_5xx(l: &BTreeMap<String, String>) -> bool {
    l["status"] == "5xx"
}

/// Requests the counters counted in `[from, to)`, by `filter` on the labels.
fn counted(before: &Scrape, after: &Scrape, name: &str, filter: impl Fn(&BTreeMap<String, String>) -> bool) -> u64 {
    (after.sum(name, &filter) - before.sum(name, &filter)).round() as u64
}

#[test]
fn every_5xx_of_the_error_spike_has_an_error_trace_in_the_spike() {
    let (c, now) = setup();
    let (spike_from, spike_to) = occurrence(&c, IncidentKind::ErrorSpike, START_UNIX, 2);
    // Two minutes of the spike at full strength: fewer errors than the search's maximum.
    let (from, to) = (spike_from + 120, spike_from + 240);
    let errors = v3_traces(
        &c,
        &v3_search(
            from,
            to,
            &format!("&query.attributes={}&query.searchDepth={MAX_TRACES}", enc("{\"error\":\"true\"}")),
        ),
        now,
    );
    let five_xx = counted(&scrape(&c, from), &scrape(&c, to), "arrwdb_http_http_requests_total", is_5xx);
    assert!(five_xx > 100, "the spike fails searches: {five_xx}");
    assert_eq!(errors.len() as u64, five_xx, "one error trace per 5xx counted");
    for (id, spans) in &errors {
        let server = root(spans);
        let start = ns(&server["startTimeUnixNano"]);
        assert!((spike_from * NANOS..spike_to * NANOS).contains(&start), "{id} starts outside the spike");
        assert_eq!(server["status"]["code"], 2, "{id}: server span ERROR");
        assert_eq!(v3_attribute(server, "http.status_code").as_deref(), Some("500"));
        // The span where the exception was raised: ERROR with an exception event.
        let failed: Vec<&Value> =
            spans.iter().filter(|s| s.get("parentSpanId").is_some() && s["status"]["code"] == 2).collect();
        assert_eq!(failed.len(), 1, "{id}");
        assert_eq!(failed[0]["events"][0]["name"], "exception");
        assert!(v3_attribute(&failed[0]["events"][0], "exception.type").is_some());
    }
    // Most are searches (the spike is theirs).
    let searches = errors.iter().filter(|(_, s)| root(s)["name"] == "POST /v1/libraries/{library_id}/search").count();
    assert!(searches * 10 > errors.len() * 9, "{searches} of {}", errors.len());
}

#[test]
fn a_quiet_window_has_few_error_traces_and_they_match_the_counters() {
    let (c, now) = setup();
    let (spike_from, spike_to) = occurrence(&c, IncidentKind::ErrorSpike, START_UNIX, 2);
    let quiet_from = spike_to + 180; // 11 minutes into the period, before the regression
    let (quiet_to, spike_length) = (quiet_from + (spike_to - spike_from), spike_to - spike_from);
    let errors_in = |from: u64, to: u64| {
        let target = v3_search(
            from,
            to,
            &format!("&query.attributes={}&query.searchDepth={MAX_TRACES}", enc("{\"error\":\"true\"}")),
        );
        v3_traces(&c, &target, now).len() as u64
    };
    let quiet = errors_in(quiet_from, quiet_to);
    assert_eq!(
        quiet,
        counted(&scrape(&c, quiet_from), &scrape(&c, quiet_to), "arrwdb_http_http_requests_total", is_5xx)
    );
    let spike = errors_in(spike_from, spike_to);
    assert_eq!(spike as usize, MAX_TRACES, "more errors in {spike_length} s of spike than the maximum");
    assert!(quiet * 30 < spike, "quiet {quiet} vs spike {spike}");
}

#[test]
fn every_request_the_histogram_counts_above_one_second_has_a_slow_trace() {
    let (c, now) = setup();
    let (from_regression, _) = occurrence(&c, IncidentKind::LatencyRegression, START_UNIX, 1);
    let (from, to) = (from_regression + 300, from_regression + 360);
    let slow =
        v3_traces(&c, &v3_search(from, to, &format!("&query.durationMin=1s&query.searchDepth={MAX_TRACES}")), now);
    let (before, after) = (scrape(&c, from), scrape(&c, to));
    let all = counted(&before, &after, "arrwdb_http_http_request_duration_seconds_count", |_| true);
    let fast = counted(&before, &after, "arrwdb_http_http_request_duration_seconds_bucket", |l| l["le"] == "1.0");
    assert!(all - fast > 100, "the regression is slow: {}", all - fast);
    assert_eq!(slow.len() as u64, all - fast, "one trace per request above le=1.0");
    for (id, spans) in &slow {
        let server = root(spans);
        let duration = ns(&server["endTimeUnixNano"]) - ns(&server["startTimeUnixNano"]);
        assert!(duration >= NANOS, "{id}: {duration} ns");
        for span in spans {
            assert!(ns(&span["startTimeUnixNano"]) >= ns(&server["startTimeUnixNano"]));
            assert!(ns(&span["endTimeUnixNano"]) <= ns(&server["endTimeUnixNano"]), "{id}: child inside the request");
        }
    }
    // Outside the regression, nothing is that slow.
    let (quiet_from, quiet_to) = (from_regression - 600, from_regression - 300);
    assert!(v3_traces(&c, &v3_search(quiet_from, quiet_to, "&query.durationMin=1s"), now).is_empty());
}

#[test]
fn searches_honour_bounds_limits_and_filters() {
    let (c, now) = setup();
    let (spike_from, _) = occurrence(&c, IncidentKind::ErrorSpike, START_UNIX, 3);
    let (from, to) = (spike_from + 60, spike_from + 180);
    let in_window =
        |spans: &[Value]| spans.iter().any(|s| (from * NANOS..to * NANOS).contains(&ns(&s["startTimeUnixNano"])));
    let has =
        |spans: &[Value], key: &str, value: &str| spans.iter().any(|s| v3_attribute(s, key).as_deref() == Some(value));
    // (extra parameters, how many at most, how many at least, what every trace satisfies)
    let cases: Vec<(String, usize, usize, Box<dyn Fn(&[Value]) -> bool>)> = vec![
        (String::new(), DEFAULT_MAX_TRACES, DEFAULT_MAX_TRACES, Box::new(|_: &[Value]| true)),
        ("&query.searchDepth=5".into(), 5, 5, Box::new(|_: &[Value]| true)),
        ("&query.searchDepth=5000".into(), MAX_TRACES, 200, Box::new(|_: &[Value]| true)),
        (
            format!("&query.operationName={}&query.searchDepth=200", enc("GET /v1/documents/{doc_id}")),
            200,
            1,
            Box::new(|s: &[Value]| s.iter().any(|x| x["name"] == "GET /v1/documents/{doc_id}")),
        ),
        (
            "&query.operationName=vector_search&query.searchDepth=200".into(),
            200,
            20,
            Box::new(|s: &[Value]| s.iter().any(|x| x["name"] == "vector_search")),
        ),
        (
            format!(
                "&query.attributes={}&query.searchDepth=300",
                enc("{\"http.status_code\":\"500\",\"error\":\"true\"}")
            ),
            300,
            100,
            Box::new(move |s: &[Value]| {
                has(s, "http.status_code", "500") && s.iter().any(|x| x["status"]["code"] == 2)
            }),
        ),
        (
            format!("&query.attributes={}&query.searchDepth=300", enc("{\"library.id\":\"lib1\"}")),
            300,
            5,
            Box::new(move |s: &[Value]| has(s, "library.id", "lib1")),
        ),
        (
            format!(
                "&query.attributes={}&query.searchDepth=100",
                enc("{\"exception.type\":\"arrwdb.errors.IndexUnavailableError\"}")
            ),
            100,
            100,
            Box::new(|s: &[Value]| s.iter().any(|x| x["events"][0]["name"] == "exception")),
        ),
        (
            "&query.durationMax=5ms&query.searchDepth=100".into(),
            100,
            100,
            Box::new(|s: &[Value]| {
                s.iter().any(|x| ns(&x["endTimeUnixNano"]) - ns(&x["startTimeUnixNano"]) <= 5_000_000)
            }),
        ),
        (
            format!("&query.attributes={}&query.searchDepth=100", enc("{\"telemetry.sdk.language\":\"python\"}")),
            100,
            100,
            Box::new(|_: &[Value]| true),
        ),
        (format!("&query.attributes={}", enc("{\"library.id\":\"lib404\"}")), 0, 0, Box::new(|_: &[Value]| true)),
        (format!("&query.attributes={}", enc("{\"no.such.key\":\"1\"}")), 0, 0, Box::new(|_: &[Value]| true)),
        ("&query.operationName=no-such-operation".into(), 0, 0, Box::new(|_: &[Value]| true)),
        ("&query.durationMin=30s".into(), 0, 0, Box::new(|_: &[Value]| true)),
    ];
    for (extra, at_most, at_least, each) in cases {
        let traces = v3_traces(&c, &v3_search(from, to, &extra), now);
        assert!((at_least..=at_most).contains(&traces.len()), "{extra}: {} traces", traces.len());
        let starts: Vec<u64> = traces.iter().map(|(_, s)| ns(&root(s)["startTimeUnixNano"])).collect();
        assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{extra}: newest first");
        for (id, spans) in &traces {
            assert!(in_window(spans), "{extra}: {id} has no span in the window");
            assert!(each(spans), "{extra}: {id} does not match");
            assert!(spans.iter().all(|s| s["traceId"] == id.as_str()));
        }
        // The same search again is the same answer.
        assert_eq!(get(&c, &v3_search(from, to, &extra), now).body, get(&c, &v3_search(from, to, &extra), now).body);
    }
    // Other services have no traces; a window before the process start or after now neither.
    assert_eq!(get(&c, &v3_search(from, to, "").replace("arrwdb", "other"), now).status, 404);
    assert_eq!(get(&c, &v3_search(START_UNIX - 600, START_UNIX, ""), now).status, 404);
    assert_eq!(get(&c, &v3_search(now + 10, now + 600, ""), now).status, 404);
    // The newest traces end by now.
    let newest = v3_traces(&c, &v3_search(now - 600, now + 60, "&query.searchDepth=50"), now);
    assert_eq!(newest.len(), 50);
    assert!(newest.iter().all(|(_, s)| ns(&root(s)["endTimeUnixNano"]) <= now * NANOS));
}

#[test]
fn both_spellings_of_v3_and_v1_give_the_same_traces() {
    let (c, now) = setup();
    let (from_regression, _) = occurrence(&c, IncidentKind::LatencyRegression, START_UNIX, 2);
    let (from, to) = (from_regression + 200, from_regression + 500);
    let (min, max) = (enc(&rfc3339(from, 0)), enc(&rfc3339(to, 0)));
    let operation = enc("POST /v1/libraries/{library_id}/search");
    let attributes = enc("{\"library.id\":\"lib0\"}");
    // (camelCase, snake_case, v1): the same search three ways.
    let cases = [
        (
            format!("query.serviceName=arrwdb&query.startTimeMin={min}&query.startTimeMax={max}&query.searchDepth=30"),
            format!("query.service_name=arrwdb&query.start_time_min={min}&query.start_time_max={max}&query.search_depth=30"),
            format!("service=arrwdb&start={}&end={}&limit=30", from * 1_000_000, to * 1_000_000),
        ),
        (
            format!("query.serviceName=arrwdb&query.operationName={operation}&query.startTimeMin={min}&query.startTimeMax={max}&query.durationMin=1.5s&query.durationMax=4s&query.searchDepth=40&query.attributes={attributes}"),
            format!("query.service_name=arrwdb&query.operation_name={operation}&query.start_time_min={min}&query.start_time_max={max}&query.duration_min=1500ms&query.duration_max=4s&query.num_traces=40&query.attributes={attributes}"),
            format!("service=arrwdb&operation={operation}&start={}&end={}&minDuration=1.5s&maxDuration=4000ms&limit=40&tags={attributes}", from * 1_000_000, to * 1_000_000),
        ),
        (
            format!("query.serviceName=arrwdb&query.startTimeMin={min}&query.startTimeMax={max}&query.durationMin=500ms&query.searchDepth=25"),
            format!("query.service_name=arrwdb&query.start_time_min={min}&query.start_time_max={max}&query.duration_min=0.5s&query.search_depth=25"),
            format!("service=arrwdb&start={}&end={}&minDuration=500ms&limit=25&tag=service.name:arrwdb", from * 1_000_000, to * 1_000_000),
        ),
    ];
    for (camel, snake, v1) in cases {
        let a = get(&c, &format!("/api/v3/traces?{camel}"), now);
        let b = get(&c, &format!("/api/v3/traces?{snake}"), now);
        assert_eq!(a.status, 200, "{camel}: {}", a.body);
        assert_eq!(a.body, b.body, "{camel} vs {snake}");
        let v3_ids = v3_trace_ids(&a.json());
        assert!(v3_ids.len() >= 10, "{camel}: {}", v3_ids.len());
        let v1 = get(&c, &format!("/api/traces?{v1}"), now).json();
        let v1_ids: Vec<&str> = v1["data"].as_array().unwrap().iter().map(|t| t["traceID"].as_str().unwrap()).collect();
        assert_eq!(v1_ids, v3_ids, "{v1}");
    }
    // camelCase wins when both are given.
    let both = get(&c, &format!("/api/v3/traces?query.serviceName=arrwdb&query.service_name=other&query.startTimeMin={min}&query.startTimeMax={max}"), now);
    assert_eq!(both.status, 200);
}

#[test]
fn v1_answers_no_match_with_an_empty_200_where_v3_says_404() {
    let (c, now) = setup();
    let (from, to) = (START_UNIX + 3_600, START_UNIX + 3_660);
    for (v3, v1) in [
        (
            v3_search(from, to, "&query.operationName=nothing"),
            format!("/api/traces?service=arrwdb&operation=nothing&start={}&end={}", from * 1_000_000, to * 1_000_000),
        ),
        (
            v3_search(from, to, "").replace("=arrwdb", "=somebody"),
            format!("/api/traces?service=somebody&start={}&end={}", from * 1_000_000, to * 1_000_000),
        ),
    ] {
        assert_eq!(get(&c, &v3, now).status, 404, "{v3}");
        let answer = get(&c, &v1, now);
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, "{\"data\":[],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}")
        );
    }
    // Without start and end, v1 looks back from now.
    let recent = get(&c, "/api/traces?service=arrwdb&limit=7", now).json();
    assert_eq!(recent["data"].as_array().unwrap().len(), 7);
}

#[test]
fn every_id_a_search_returns_can_be_fetched_and_forged_ones_cannot() {
    let (c, now) = setup();
    let mut ids = Vec::new();
    for (kind, extra) in [
        (IncidentKind::ErrorSpike, format!("&query.attributes={}&query.searchDepth=40", enc("{\"error\":\"true\"}"))),
        (IncidentKind::LatencyRegression, "&query.durationMin=1s&query.searchDepth=40".to_owned()),
        (
            IncidentKind::AuthFailureBurst,
            format!("&query.attributes={}&query.searchDepth=40", enc("{\"http.status_code\":\"401\"}")),
        ),
        (IncidentKind::MemoryClimb, "&query.searchDepth=60".to_owned()),
    ] {
        let (from, _) = occurrence(&c, kind, START_UNIX, 1);
        let body = get(&c, &v3_search(from + 100, from + 400, &extra), now).json();
        let found = v3_trace_ids(&body);
        assert!(found.len() >= 40, "{kind:?}: {}", found.len());
        for id in &found {
            // The search's spans of this trace, as the by-id answer has them.
            let spans: Vec<&Value> = v3_spans(&body).into_iter().filter(|s| s["traceId"] == id.as_str()).collect();
            let by_id = get(&c, &format!("/api/v3/traces/{id}"), now);
            assert_eq!(by_id.status, 200, "{id}");
            assert_eq!(v3_spans(&by_id.json()), spans, "{id}");
            let v1 = get(&c, &format!("/api/traces/{id}"), now).json();
            assert_eq!(v1["data"][0]["traceID"], id.as_str());
            assert_eq!(v1["data"][0]["spans"].as_array().unwrap().len(), spans.len());
            ids.push(id.clone());
        }
    }
    // v1's search by ids.
    let query: String = ids.iter().take(5).map(|id| format!("&traceID={id}")).collect();
    let by_ids = get(&c, &format!("/api/traces?{}", &query[1..]), now).json();
    assert_eq!(by_ids["data"].as_array().unwrap().len(), 5);
    // Forged ids: one bit off anywhere, or unsampled requests, or not yet happened.
    for id in ids.iter().take(20) {
        let value = u128::from_str_radix(id, 16).unwrap();
        for bit in [0, 17, 63, 64, 100, 127] {
            let forged = format!("{:032x}", value ^ (1u128 << bit));
            assert_eq!(get(&c, &format!("/api/v3/traces/{forged}"), now).status, 404, "{forged}");
            assert_eq!(get(&c, &format!("/api/traces/{forged}"), now).status, 404, "{forged}");
        }
        let earlier = get(&c, &format!("/api/v3/traces/{id}"), START_UNIX + 60);
        assert_eq!(earlier.status, 404, "{id} before it happened");
    }
    let tick = (now - START_UNIX) / TICK_SECS - 100;
    let traffic = tick_traffic(&c, tick);
    let mut unsampled = 0;
    for index in 0..traffic.http[0][0].groups[0].count {
        let id = RequestId { tick, handler: 0, status: 0, group: 0, index }.trace_id(c.seed).unwrap();
        let status = get(&c, &format!("/api/v3/traces/{}", id.to_hex()), now).status;
        unsampled += usize::from(status == 404);
        assert!(status == 200 || status == 404);
    }
    let total = traffic.http[0][0].groups[0].count as usize;
    assert!(unsampled > total * 9 / 10 && unsampled < total, "{unsampled} of {total} unsampled");
}

#[test]
fn the_special_traces() {
    let (c, now) = setup();
    let bulk = get(&c, &format!("/api/v3/traces/{}", BULK_TRACE_ID.to_hex()), now).json();
    let spans = v3_spans(&bulk);
    assert_eq!(spans.len(), BULK_TRACE_SPANS);
    assert_eq!(BULK_TRACE_SPANS, 10_000);
    assert_eq!(spans.iter().filter(|s| s["name"] == "insert_document").count(), BULK_TRACE_SPANS - 1);
    let v1 = get(&c, "/api/traces/10000", now).json();
    assert_eq!(v1["data"][0]["spans"].as_array().unwrap().len(), BULK_TRACE_SPANS, "short ids are left-padded");
    assert_eq!(v1["data"][0]["traceID"], "00000000000000000000000000010000");

    let skewed = get(&c, &format!("/api/v3/traces/{}", SKEWED_TRACE_ID.to_hex()), now).json();
    let spans = v3_spans(&skewed);
    let ids: Vec<&str> = spans.iter().map(|s| s["spanId"].as_str().unwrap()).collect();
    let server = root(&spans.iter().map(|s| (*s).clone()).collect::<Vec<_>>()).clone();
    assert!(spans.iter().any(|s| s["parentSpanId"].as_str().is_some_and(|p| !ids.contains(&p))), "an orphan");
    assert!(
        spans.iter().any(|s| ns(&s["startTimeUnixNano"]) < ns(&server["startTimeUnixNano"])),
        "a child before its parent"
    );
    let v1 = get(&c, &format!("/api/traces/{}", SKEWED_TRACE_ID.to_hex()), now).json();
    assert!(v1["data"][0]["spans"].as_array().unwrap().iter().any(|s| s["warnings"].is_array()));

    for target in
        [format!("/api/v3/traces/{}", HOSTILE_TRACE_ID.to_hex()), format!("/api/traces/{}", HOSTILE_TRACE_ID.to_hex())]
    {
        let answer = get(&c, &target, now);
        let body = answer.json();
        let text = body.to_string();
        for hostile in HOSTILE_TEXTS {
            let escaped = serde_json::to_string(hostile).unwrap();
            assert!(text.contains(&escaped[1..escaped.len() - 1]), "{target}: {hostile}");
        }
        assert_eq!(answer.status, 200);
    }
    let hostile = get(&c, &format!("/api/v3/traces/{}", HOSTILE_TRACE_ID.to_hex()), now).json();
    let names: Vec<&str> = v3_spans(&hostile).iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"<script>alert(1)</script>") && names.contains(&"javascript:alert(1)"));
    // Special traces are found by id only.
    let all = get(&c, &v3_search(START_UNIX, START_UNIX + 600, "&query.searchDepth=1500"), now).json();
    assert!(!v3_trace_ids(&all).iter().any(|id| id.starts_with("000000000000000000000000")));
}

#[test]
fn services_and_operations() {
    let (c, now) = setup();
    assert_eq!(get(&c, "/api/v3/services", now).body, "{\"services\":[\"arrwdb\"]}");
    assert_eq!(
        get(&c, "/api/services", now).body,
        "{\"data\":[\"arrwdb\"],\"total\":1,\"limit\":0,\"offset\":0,\"errors\":null}"
    );
    let operations = get(&c, "/api/v3/operations?service=arrwdb", now).json();
    let all: Vec<(&str, &str)> = operations["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["spanKind"].as_str().unwrap()))
        .collect();
    for expected in [
        ("POST /v1/libraries/{library_id}/search", "server"),
        ("generate_embedding", "internal"),
        ("vector_search", "internal"),
        ("insert_document", "internal"),
        ("db.get", "internal"),
    ] {
        assert!(all.contains(&expected), "{expected:?} in {all:?}");
    }
    for (target, kind) in [
        ("/api/v3/operations?service=arrwdb&spanKind=server", "server"),
        ("/api/v3/operations?service=arrwdb&span_kind=internal", "internal"),
    ] {
        let some = get(&c, target, now).json();
        let listed = some["operations"].as_array().unwrap();
        assert!(!listed.is_empty() && listed.iter().all(|o| o["spanKind"] == kind), "{target}");
    }
    assert_eq!(get(&c, "/api/v3/operations?service=nobody", now).body, "{}", "jsonpb leaves the empty list out");
    let names = get(&c, "/api/services/arrwdb/operations", now).json();
    assert_eq!(names["total"].as_u64().unwrap() as usize, all.len());
    assert_eq!(names["data"].as_array().unwrap().len(), all.len());
    // Every operation a search finds is listed.
    let (from, _) = occurrence(&c, IncidentKind::ErrorSpike, START_UNIX, 1);
    let found = get(&c, &v3_search(from, from + 300, "&query.searchDepth=1500"), now).json();
    for span in v3_spans(&found) {
        assert!(all.iter().any(|(n, _)| *n == span["name"].as_str().unwrap()), "{}", span["name"]);
    }
    // Other routes and methods.
    assert_eq!(get(&c, "/api/v3/nothing", now).status, 404);
    assert_eq!(
        arrwdb_sim::jaeger::handle(&arrwdb_sim::Deployment::single(c), "POST", "/api/v3/services", now).status,
        405
    );
}
