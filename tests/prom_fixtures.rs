//! The Prometheus decoders against upstream fixtures (shared/fixtures/prometheus, see its
//! README) and against inline bodies for the cases upstream has no literal for.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use arrwdb_ops::core::prom::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/prometheus");

/// Which decoder a fixture goes through: the one of its endpoint.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Query,
    QueryRange,
    LabelValues,
    /// `/api/v1/series`.
    FindSeries,
    Metadata,
    Exemplars,
    Targets,
    ScrapePools,
    Rules,
    Alerts,
    Alertmanagers,
    BuildInfo,
    RuntimeInfo,
    /// The codec tests' envelope whose `data` is one bare `[t, "v"]`.
    CodecPoint,
}
use Endpoint::*;

/// Every fixture: file (relative to FIXTURES), the HTTP status it comes with, its decoder, and
/// the facts expected of the decoded answer (see `summary`).
const TABLE: &[(&str, u16, Endpoint, &str)] = &[
    // Queries.
    ("query_instant_vector.docs.json", 200, Query,
     "vector n=2 first={__name__=up,instance=localhost:9090,job=prometheus} 1@1435781451.781"),
    ("query_instant_vector.openapi.json", 200, Query,
     "vector n=2 first={__name__=up,instance=demo.prometheus.io:9090,job=prometheus} 1@1767436620"),
    ("query_instant_vector_native_histogram.openapi.json", 200, Query,
     "vector n=1 first={__name__=http_request_duration_seconds,instance=demo.prometheus.io:9090,job=prometheus} NaN@1767436620 histogram count=12.5 sum=42.1 buckets=2 first_bucket=0(0.7071067811865475,1]=5"),
    ("query_instant_matrix_range_selector.openapi.json", 200, Query,
     "matrix series=1 points=2 histograms=0 first={__name__=up,instance=demo.prometheus.io:9090,job=prometheus} 1@1767436320"),
    ("query_instant_scalar.openapi.json", 200, Query, "scalar 42@1767436620"),
    ("query_range_matrix.docs.json", 200, QueryRange,
     "matrix series=2 points=6 histograms=0 first={__name__=up,instance=localhost:9090,job=prometheus} 1@1435781430.781"),
    ("query_range_matrix.openapi.json", 200, QueryRange,
     "matrix series=1 points=3 histograms=0 first={__name__=up,instance=demo.prometheus.io:9090,job=prometheus} 1@1767433020"),
    ("query_range_native_histogram.openapi.json", 200, QueryRange,
     "matrix series=1 points=0 histograms=1 first={__name__=http_request_duration_seconds,instance=demo.prometheus.io:9090,job=prometheus} histogram count=12.5 sum=42.1 buckets=2@1767433020"),
    ("codec/vector.json", 200, Query, "vector n=2 first={__name__=foo} 1@1"),
    ("codec/matrix.json", 200, QueryRange, "matrix series=2 points=2 histograms=0 first={__name__=foo} 1@1"),
    ("codec/matrix_native_histogram.json", 200, QueryRange,
     "matrix series=1 points=0 histograms=1 first={__name__=foo} histogram count=10 sum=20 buckets=8@1"),
    // Codec points: the value and timestamp encodings.
    ("codec/point_nan.json", 200, CodecPoint, "NaN@0"),
    ("codec/point_pos_inf.json", 200, CodecPoint, "inf@0"),
    ("codec/point_neg_inf.json", 200, CodecPoint, "-inf@0"),
    ("codec/point_zero.json", 200, CodecPoint, "0@0"),
    ("codec/point_ts_1ms.json", 200, CodecPoint, "20@0.001"),
    ("codec/point_ts_10ms.json", 200, CodecPoint, "20@0.01"),
    ("codec/point_ts_large_ms_precision.json", 200, CodecPoint, "20@12345678123456.555"),
    ("codec/point_ts_negative.json", 200, CodecPoint, "20@-0.001"),
    ("codec/point_value_1234567.8.json", 200, CodecPoint, "1234567.8@0"),
    ("codec/point_value_small_decimal.json", 200, CodecPoint, "0.0000012345678@0"),
    ("codec/point_value_exponent.json", 200, CodecPoint,
     "0.00000000000000000000000000000000000000000000000000000000000000000012345678@0"),
    // Labels, series, metadata.
    ("labels.docs.json", 200, LabelValues, "n=21 first=__name__ last=version"),
    ("labels.codemirror-promql.json", 200, LabelValues, "n=5 first=__name__ last=state"),
    ("label_values.docs.json", 200, LabelValues, "n=2 first=200 last=504"),
    ("label_values_utf8_escaped_name.docs.json", 200, LabelValues, "n=2 first=200 last=404"),
    ("label_values_env_escaped.codemirror-promql.json", 200, LabelValues, r#"n=3 first=demo last=quoted"value"#),
    ("label_values___name__.codemirror-promql.json", 200, LabelValues,
     "n=17 first=ALERTS last=alertmanager_http_request_duration_seconds_sum"),
    ("series.docs.json", 200, FindSeries,
     "n=3 first={__name__=up,instance=localhost:9090,job=prometheus} last={__name__=process_start_time_seconds,instance=localhost:9090,job=prometheus}"),
    ("series.codemirror-promql.json", 200, FindSeries,
     "n=2 first={__name__=alertmanager_alerts,env=demo,instance=demo.do.prometheus.io:9093,job=alertmanager,state=active} last={__name__=alertmanager_alerts,env=demo,instance=demo.do.prometheus.io:9093,job=alertmanager,state=suppressed}"),
    ("metadata.docs.json", 200, Metadata,
     "metrics=2 entries=3 first=cortex_ring_tokens Gauge unit='' help='Number of tokens in the ring'"),
    ("metadata.codemirror-promql.json", 200, Metadata,
     "metrics=12 entries=12 first=alertmanager_alerts Gauge unit='' help='How many alerts by state.'"),
    // Exemplars.
    ("query_exemplars.docs.json", 200, Exemplars,
     "series=2 exemplars=3 first={__name__=test_exemplar_metric_total,instance=localhost:8090,job=prometheus,service=bar} {trace_id=EpTxMJ40fUus7aGY} 6@1600096945.479"),
    ("query_exemplars.openapi.json", 200, Exemplars,
     "series=1 exemplars=1 first={__name__=http_requests_total,job=api-server,method=GET} {traceID=abc123def456} 1.5@1689956451.781"),
    ("codec/exemplars.json", 200, Exemplars, "series=1 exemplars=1 first={foo=bar} {trace_id=abc} 100.123@1.234"),
    ("codec/exemplars_pos_inf.json", 200, Exemplars, "series=1 exemplars=1 first={foo=bar} {trace_id=abc} inf@1.234"),
    // Status and configuration.
    ("targets.docs.json", 200, Targets,
     "active=1 dropped=1 counts=- first=prometheus Up http://127.0.0.1:9090/metrics every 1m took 0.050688943s error=''"),
    ("targets.openapi.json", 200, Targets,
     "active=1 dropped=0 counts=8 first=alertmanager Up http://demo.prometheus.io:9093/metrics every 15s took 0.006576866s error=''"),
    ("scrape_pools.docs.json", 200, ScrapePools, "prometheus,node_exporter,blackbox"),
    // 2018-07-04T20:27:12.60602144+02:00 is 1530728832.60602144 Unix seconds.
    ("rules.docs.json", 200, Rules,
     "rules=2 | Alerting example/HighRequestLatency Ok state=Unknown for=600s severity=page summary='High request latency' \
      alerts=[HighRequestLatency Firing 1 since 1530728832.6060214] | \
      Recording example/job:http_inprogress_requests:sum Ok state=Unknown for=0s severity= summary='' alerts=[]"),
    ("rules.openapi.json", 200, Rules,
     "rules=1 | Alerting ansible managed alert rules/Watchdog Ok state=Firing for=600s severity=warning \
      summary='Ensure entire alerting pipeline is functional' alerts=[]"),
    ("alerts.docs.json", 200, Alerts, "n=1 first=my-alert Firing 1 since 1530728832.6060214"),
    // 2026-01-02T13:30:00.000Z.
    ("alerts.openapi.json", 200, Alerts, "n=1 first=Watchdog Firing 1 since 1767360600"),
    ("alertmanagers.docs.json", 200, Alertmanagers,
     "active=http://127.0.0.1:9090/api/v1/alerts dropped=http://127.0.0.1:9093/api/v1/alerts"),
    ("status_buildinfo.docs.json", 200, BuildInfo, "2.13.1 master cb7cbad5f9a2823a622aaa668833ca04f50a0ea7 go1.13.1"),
    ("status_buildinfo.openapi.json", 200, BuildInfo, "3.7.3 HEAD 0a41f0000705c69ab8e0f9a723fc73e39ed62b07 go1.25.3"),
    ("status_runtimeinfo.docs.json", 200, RuntimeInfo,
     "DESKTOP-717H17Q since 2019-11-02T17:23:59.301361365+01:00 reload=true series=873 retention=15d"),
    // Errors: Prometheus's own envelope, whatever the HTTP status and whatever the endpoint.
    ("error_timeout_503.json", 503, Query, "error Api timeout: message"),
    ("error_not_acceptable_406.json", 406, Query,
     "error Api not_acceptable: cannot encode response as application/default-format"),
    ("error_internal_tsdb_not_ready.openapi.json", 500, QueryRange, "error Api internal: TSDB not ready"),
];

fn fixture(name: &str) -> String {
    let path = Path::new(FIXTURES).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn labels(l: &Labels) -> String {
    let pairs: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(","))
}

fn point(p: &Point) -> String {
    format!("{}@{}", p.value, p.t_secs)
}

fn kind(e: &PromError) -> String {
    match &e.kind {
        PromErrorKind::Unreachable { url, detail } => format!("Unreachable {url}: {detail}"),
        PromErrorKind::Timeout { url, secs } => format!("Timeout {url}: {secs} s"),
        PromErrorKind::Aborted => "Aborted".to_owned(),
        PromErrorKind::Http {
            status,
            body_snippet,
        } => format!("Http {status}: {body_snippet}"),
        PromErrorKind::NotJson { status, snippet } => format!("NotJson {status}: {snippet}"),
        PromErrorKind::Decode { detail } => format!("Decode: {detail}"),
        PromErrorKind::Api { error_type, error } => format!("Api {error_type}: {error}"),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("-".to_owned(), |v| v.to_string())
}

fn query_summary(data: &QueryData) -> String {
    match data {
        QueryData::Vector(samples) => {
            let first = &samples[0];
            let histogram = first.histogram.as_ref().map_or(String::new(), |h| {
                let b = &h.buckets[0];
                format!(
                    " histogram count={} sum={} buckets={} first_bucket={}({},{}]={}",
                    h.count,
                    h.sum,
                    h.buckets.len(),
                    b.boundary_rule,
                    b.lower,
                    b.upper,
                    b.count
                )
            });
            format!(
                "vector n={} first={} {}{histogram}",
                samples.len(),
                labels(&first.labels),
                point(&first.point)
            )
        }
        QueryData::Matrix(series) => matrix_summary(series),
        QueryData::Scalar(p) => format!("scalar {}", point(p)),
        QueryData::String(s) => format!("string {}@{}", s.value, s.t_secs),
    }
}

fn matrix_summary(series: &[Series]) -> String {
    let first = &series[0];
    let first_sample = match (first.points.first(), first.histograms.first()) {
        (Some(p), _) => point(p),
        (None, Some(h)) => format!(
            "histogram count={} sum={} buckets={}@{}",
            h.count,
            h.sum,
            h.buckets.len(),
            h.t_secs
        ),
        (None, None) => "empty".to_owned(),
    };
    format!(
        "matrix series={} points={} histograms={} first={} {first_sample}",
        series.len(),
        series.iter().map(|s| s.points.len()).sum::<usize>(),
        series.iter().map(|s| s.histograms.len()).sum::<usize>(),
        labels(&first.labels),
    )
}

fn rule_summary(rule: &Rule) -> String {
    let alerts: Vec<String> = rule
        .alerts
        .iter()
        .map(|a| {
            format!(
                "{} {:?} {} since {}",
                a.labels["alertname"],
                a.state,
                a.value,
                opt(a.active_at_unix)
            )
        })
        .collect();
    format!(
        "{:?} {}/{} {:?} state={:?} for={}s severity={} summary='{}' alerts=[{}]",
        rule.kind,
        rule.group,
        rule.name,
        rule.health,
        rule.state,
        rule.for_secs,
        rule.severity,
        rule.summary,
        alerts.join(", ")
    )
}

/// Decodes `body` with the decoder of `endpoint` and describes the answer, or the error, in one
/// line.
fn summary(endpoint: Endpoint, http_status: u16, body: &str) -> String {
    let describe = || -> Result<String, PromError> {
        Ok(match endpoint {
            Query => query_summary(&decode_query(http_status, body)?.data),
            QueryRange => matrix_summary(&decode_query_range(http_status, body)?.data),
            CodecPoint => point(&decode_envelope::<Point>(http_status, body)?.data),
            LabelValues => {
                let v = decode_label_values(http_status, body)?.data;
                format!("n={} first={} last={}", v.len(), v[0], v[v.len() - 1])
            }
            FindSeries => {
                let v = decode_series(http_status, body)?.data;
                format!(
                    "n={} first={} last={}",
                    v.len(),
                    labels(&v[0]),
                    labels(&v[v.len() - 1])
                )
            }
            Metadata => {
                let m = decode_metadata(http_status, body)?.data;
                let (name, entries) = m.iter().next().unwrap();
                format!(
                    "metrics={} entries={} first={name} {:?} unit='{}' help='{}'",
                    m.len(),
                    m.values().map(Vec::len).sum::<usize>(),
                    entries[0].metric_type,
                    entries[0].unit,
                    entries[0].help
                )
            }
            Exemplars => {
                let v = decode_exemplars(http_status, body)?.data;
                let e = &v[0].exemplars[0];
                format!(
                    "series={} exemplars={} first={} {} {}@{}",
                    v.len(),
                    v.iter().map(|s| s.exemplars.len()).sum::<usize>(),
                    labels(&v[0].series_labels),
                    labels(&e.labels),
                    e.value,
                    e.t_secs
                )
            }
            Targets => {
                let t = decode_targets(http_status, body)?.data;
                let a = &t.active_targets[0];
                format!(
                    "active={} dropped={} counts={} first={} {:?} {} every {} took {}s error='{}'",
                    t.active_targets.len(),
                    t.dropped_targets.len(),
                    opt(t.dropped_target_counts.map(|c| c.len())),
                    a.scrape_pool,
                    a.health,
                    a.scrape_url,
                    a.scrape_interval,
                    a.last_scrape_duration_secs,
                    a.last_error
                )
            }
            ScrapePools => decode_scrape_pools(http_status, body)?
                .data
                .scrape_pools
                .join(","),
            Rules => {
                let r = decode_rules(http_status, body)?.data;
                let rules: Vec<String> = r.rules.iter().map(rule_summary).collect();
                format!("rules={} | {}", r.rules.len(), rules.join(" | "))
            }
            Alerts => {
                let a = decode_alerts(http_status, body)?.data.alerts;
                format!(
                    "n={} first={} {:?} {} since {}",
                    a.len(),
                    a[0].labels["alertname"],
                    a[0].state,
                    a[0].value,
                    opt(a[0].active_at_unix)
                )
            }
            Alertmanagers => {
                let a = decode_alertmanagers(http_status, body)?.data;
                let urls = |v: &[AlertmanagerTarget]| {
                    v.iter()
                        .map(|t| t.url.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                format!(
                    "active={} dropped={}",
                    urls(&a.active_alertmanagers),
                    urls(&a.dropped_alertmanagers)
                )
            }
            BuildInfo => {
                let b = decode_buildinfo(http_status, body)?.data;
                format!("{} {} {} {}", b.version, b.branch, b.revision, b.go_version)
            }
            RuntimeInfo => {
                let r = decode_runtimeinfo(http_status, body)?.data;
                format!(
                    "{} since {} reload={} series={} retention={}",
                    r.hostname,
                    r.start_time,
                    r.reload_config_success,
                    opt(r.time_series_count),
                    r.storage_retention
                )
            }
        })
    };
    describe().unwrap_or_else(|e| format!("error {}", kind(&e)))
}

#[test]
fn every_fixture_decodes_with_the_decoder_of_its_endpoint() {
    let mut failures = Vec::new();
    for &(file, http_status, endpoint, expected) in TABLE {
        let got = summary(endpoint, http_status, &fixture(file));
        if got != expected {
            failures.push(format!("{file} ({endpoint:?}, HTTP {http_status}):\n  expected {expected}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn the_table_names_every_fixture() {
    let mut files = Vec::new();
    json_files(Path::new(FIXTURES), &mut files);
    let on_disk: BTreeSet<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(FIXTURES)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let named: BTreeSet<String> = TABLE.iter().map(|row| row.0.to_owned()).collect();
    assert_eq!(named.len(), TABLE.len(), "a fixture is named twice");
    let untested: Vec<&String> = on_disk.difference(&named).collect();
    let missing: Vec<&String> = named.difference(&on_disk).collect();
    assert!(
        untested.is_empty(),
        "fixtures without a row in TABLE: {untested:?}"
    );
    assert!(
        missing.is_empty(),
        "rows in TABLE without a fixture: {missing:?}"
    );
}

/// Compares floats bit for bit, except that every NaN equals every NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn codec_points_decode_exactly_and_keep_non_finite_values() {
    let check = |file: &str, t_secs: f64, value: f64| {
        let p = decode_envelope::<Point>(200, &fixture(file)).unwrap().data;
        assert!(
            same(p.t_secs, t_secs) && same(p.value, value),
            "{file}: got {p:?}, expected {value}@{t_secs}"
        );
    };
    check("codec/point_nan.json", 0.0, f64::NAN);
    check("codec/point_pos_inf.json", 0.0, f64::INFINITY);
    check("codec/point_neg_inf.json", 0.0, f64::NEG_INFINITY);
    check("codec/point_zero.json", 0.0, 0.0);
    check("codec/point_ts_1ms.json", 0.001, 20.0);
    check("codec/point_ts_10ms.json", 0.010, 20.0);
    check(
        "codec/point_ts_large_ms_precision.json",
        12345678123456.555,
        20.0,
    );
    check("codec/point_ts_negative.json", -0.001, 20.0);
    check("codec/point_value_1234567.8.json", 0.0, 1234567.8);
    check("codec/point_value_small_decimal.json", 0.0, 0.0000012345678);
    check("codec/point_value_exponent.json", 0.0, 1.2345678e-67);

    let exemplar = decode_exemplars(200, &fixture("codec/exemplars_pos_inf.json"))
        .unwrap()
        .data;
    assert_eq!(exemplar[0].exemplars[0].value, f64::INFINITY);
}

#[test]
fn non_finite_values_are_never_zero_wherever_the_pair_appears() {
    // The same pair encoding is used in a vector's `value`, a matrix's `values` and a scalar.
    let check = |body: &str, expected: &[f64]| {
        let values: Vec<f64> = match decode_query(200, body).unwrap().data {
            QueryData::Vector(v) => v.iter().map(|s| s.point.value).collect(),
            QueryData::Matrix(m) => m
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.value))
                .collect(),
            QueryData::Scalar(p) => vec![p.value],
            QueryData::String(s) => panic!("unexpected string {s:?}"),
        };
        assert_eq!(values.len(), expected.len(), "{body}");
        for (got, want) in values.iter().zip(expected) {
            assert!(same(*got, *want), "{body}: got {got}, expected {want}");
        }
    };
    check(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]},{"metric":{"a":"b"},"value":[1,"+Inf"]}]}}"#,
        &[f64::NAN, f64::INFINITY],
    );
    check(
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"NaN"],[3,"-Inf"],[4,"+Inf"],[5,"0"]]}]}}"#,
        &[1.0, f64::NAN, f64::NEG_INFINITY, f64::INFINITY, 0.0],
    );
    check(
        r#"{"status":"success","data":{"resultType":"scalar","result":[1,"-Inf"]}}"#,
        &[f64::NEG_INFINITY],
    );
    // `result` before `resultType`, as in the OpenAPI examples (alphabetical keys).
    check(
        r#"{"data":{"result":[1,"NaN"],"resultType":"scalar"},"status":"success"}"#,
        &[f64::NAN],
    );
}

#[test]
fn string_results_decode() {
    let answer = decode_query(
        200,
        r#"{"status":"success","data":{"resultType":"string","result":[1.5,"hello"]}}"#,
    );
    assert_eq!(
        answer.unwrap().data,
        QueryData::String(StringSample {
            t_secs: 1.5,
            value: "hello".to_owned()
        })
    );
}

#[test]
fn a_large_matrix_decodes_point_for_point() {
    let series_count = 20;
    let points_per_series = 11_000;
    let mut body = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for s in 0..series_count {
        if s > 0 {
            body.push(',');
        }
        body.push_str(&format!(r#"{{"metric":{{"handler":"/h{s}"}},"values":["#));
        for i in 0..points_per_series {
            if i > 0 {
                body.push(',');
            }
            let value = if i == 500 {
                "NaN".to_owned()
            } else {
                format!("{}.25", i + s)
            };
            body.push_str(&format!(r#"[{}.5,"{value}"]"#, 1_700_000_000 + i * 15));
        }
        body.push_str("]}");
    }
    body.push_str("]}}");
    let matrix = decode_query_range(200, &body).unwrap().data;
    assert_eq!(matrix.len(), series_count);
    for (s, series) in matrix.iter().enumerate() {
        assert_eq!(series.points.len(), points_per_series);
        assert_eq!(
            series.points[3],
            Point {
                t_secs: 1_700_000_045.5,
                value: (3 + s) as f64 + 0.25
            }
        );
        assert!(series.points[500].value.is_nan());
    }
}

const BAD_DATA_400: &str = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:21: parse error: unclosed left parenthesis"}"#;
const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head><title>Sign in · Example SSO</title></head>\n  <body><form method=\"post\" action=\"/oauth2/start\"></form></body>\n</html>\n";

#[test]
fn errors_are_classified_into_kinds_the_user_can_act_on() {
    let check = |http_status: u16, body: &str, expected: &str| {
        let got = summary(QueryRange, http_status, body);
        assert_eq!(got, expected, "HTTP {http_status} {body:?}");
    };
    // Prometheus's own envelope wins, whatever the status.
    check(
        400,
        BAD_DATA_400,
        r#"error Api bad_data: invalid parameter "query": 1:21: parse error: unclosed left parenthesis"#,
    );
    check(
        422,
        r#"{"status":"error","errorType":"execution","error":"found duplicate series for the match group"}"#,
        "error Api execution: found duplicate series for the match group",
    );
    check(
        200,
        &fixture("error_timeout_503.json"),
        "error Api timeout: message",
    );
    check(
        503,
        &fixture("error_timeout_503.json"),
        "error Api timeout: message",
    );
    // Not 2xx and no envelope: a proxy or gateway answered.
    check(
        502,
        "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
        "error Http 502: upstream connect error or disconnect/reset before headers. reset reason: connection failure",
    );
    check(502, "", "error Http 502: ");
    check(
        503,
        r#"{"message":"no healthy upstream"}"#,
        r#"error Http 503: {"message":"no healthy upstream"}"#,
    );
    check(
        404,
        LOGIN_PAGE,
        r#"error Http 404: <!DOCTYPE html> <html lang="en"> <head><title>Sign in · Example SSO</title></head> <body><form method="post" action="/oauth2/start"></form></body> </html>"#,
    );
    check(
        401,
        r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        r#"error Http 401: {"status":"success","data":{"resultType":"matrix","result":[]}}"#,
    );
    // 2xx but not JSON: a login page in the way, or nothing at all.
    check(
        200,
        LOGIN_PAGE,
        r#"error NotJson 200: <!DOCTYPE html> <html lang="en"> <head><title>Sign in · Example SSO</title></head> <body><form method="post" action="/oauth2/start"></form></body> </html>"#,
    );
    check(204, "", "error NotJson 204: ");
    check(200, " \n", "error NotJson 200: ");
    // JSON of the wrong shape.
    check(
        200,
        r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        "error Decode: a range query must answer a matrix, but this one answered a vector",
    );
    check(
        200,
        r#"{"status":"success","data":["a","b"]}"#,
        "error Decode: unknown resultType \"a\" at line 1 column 37",
    );
    check(
        200,
        "[1,2,3]",
        "error Decode: the body is JSON, but not an object with `status` and `data`",
    );
    check(
        200,
        r#"{"status":"success"}"#,
        "error Decode: the answer has no `data`",
    );
    check(
        200,
        r#"{"message":"ok"}"#,
        "error Decode: missing field `status` at line 1 column 16",
    );
    check(
        200,
        r#"{"status":"warning","data":{"resultType":"matrix","result":[]}}"#,
        r#"error Decode: unexpected status "warning""#,
    );
    check(
        200,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"one"]]}]}}"#,
        r#"error Decode: invalid value: string "one", expected a sample value as a string ("1.5", "NaN", "+Inf", "-Inf") at line 1 column 32"#,
    );
    check(
        200,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],"#,
        "error Decode: the JSON ends early, as if the answer was cut off: EOF while parsing a value at line 1 column 91",
    );
}

#[test]
fn long_bodies_are_cut_to_a_snippet() {
    let body = format!("<html>{}</html>", "é".repeat(1_000));
    let error = decode_query(200, &body).unwrap_err();
    let PromErrorKind::NotJson {
        status: 200,
        snippet,
    } = &error.kind
    else {
        panic!("{error:?}")
    };
    assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
    assert!(
        snippet.starts_with("<html>éé") && snippet.ends_with("é…"),
        "{snippet}"
    );
}

#[test]
fn warnings_and_infos_are_carried_beside_the_data() {
    let body = r#"{
        "status": "success",
        "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1767436620, "3"]}]},
        "warnings": ["PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" (1:25)"],
        "infos": ["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"series\" (1:6)"]
    }"#;
    let answer = decode_query(200, body).unwrap();
    assert_eq!(
        answer.warnings,
        [r#"PromQL warning: bucket label "le" is missing or has a malformed value of "" (1:25)"#]
    );
    assert_eq!(
        answer.infos,
        [
            r#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "series" (1:6)"#
        ]
    );
    assert_eq!(
        query_summary(&answer.data),
        "vector n=1 first={} 3@1767436620"
    );

    // The same through the range decoder, and an answer without them.
    let range = body.replace(
        r#""resultType": "vector", "result": [{"metric": {}, "value": [1767436620, "3"]}]"#,
        r#""resultType": "matrix", "result": []"#,
    );
    let answer = decode_query_range(200, &range).unwrap();
    assert_eq!((answer.warnings.len(), answer.infos.len()), (1, 1));
    let plain = decode_query_range(200, &fixture("codec/matrix.json")).unwrap();
    assert!(plain.warnings.is_empty() && plain.infos.is_empty());
}

#[test]
fn messages_are_sentences_an_operator_can_act_on() {
    let check = |error: PromError, expected: &str| assert_eq!(error.to_string(), expected);
    let url = "http://prometheus:9090";
    check(
        decode_query_range(502, "upstream connect error or disconnect/reset before headers. reset reason: connection failure")
            .unwrap_err()
            .at_url(url),
        "Prometheus at http://prometheus:9090 answered HTTP 502 Bad Gateway: upstream connect error or \
         disconnect/reset before headers. reset reason: connection failure",
    );
    check(
        decode_query_range(504, "").unwrap_err(),
        "Prometheus answered HTTP 504 Gateway Timeout with an empty body.",
    );
    check(
        decode_query_range(200, "<html><body>Please sign in</body></html>").unwrap_err(),
        "Prometheus answered HTTP 200 OK with a body that is not JSON (a login page or a proxy may be in the \
         way): <html><body>Please sign in</body></html>",
    );
    check(
        decode_query_range(400, BAD_DATA_400).unwrap_err().at_url(url),
        "Prometheus at http://prometheus:9090 reported a bad_data error: invalid parameter \"query\": 1:21: \
         parse error: unclosed left parenthesis.",
    );
    check(
        decode_query(503, &fixture("error_timeout_503.json")).unwrap_err(),
        "Prometheus reported a timeout error: message. Try a shorter time range or a simpler query.",
    );
    check(
        decode_query(500, &fixture("error_internal_tsdb_not_ready.openapi.json")).unwrap_err(),
        "Prometheus reported an internal error: TSDB not ready. It may be starting up or overloaded; retry in a moment.",
    );
    check(
        decode_query_range(200, &fixture("query_instant_vector.docs.json")).unwrap_err(),
        "Prometheus answered JSON that is not what this request expects (a range query must answer a matrix, \
         but this one answered a vector). Check that the URL points at the Prometheus HTTP API.",
    );
    check(
        PromError::unreachable(url, "TypeError: Failed to fetch"),
        "Could not reach Prometheus at http://prometheus:9090 (TypeError: Failed to fetch). Check that it is \
         running, that the URL is right, and that it allows requests from this page (CORS).",
    );
    check(
        PromError::aborted(),
        "The request to Prometheus was cancelled because a newer one replaced it.",
    );
    assert!(PromError::aborted().at_url(url).is_aborted());
    assert!(!PromError::unreachable(url, "").is_aborted());
}

#[test]
fn rules_expose_their_health_and_last_error() {
    let rules = decode_rules(200, &fixture("rules.docs.json")).unwrap().data;
    let names: Vec<(&str, RuleKind, RuleHealth, Option<&str>)> = rules
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.kind, r.health, r.last_error.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "HighRequestLatency",
                RuleKind::Alerting,
                RuleHealth::Ok,
                None
            ),
            (
                "job:http_inprogress_requests:sum",
                RuleKind::Recording,
                RuleHealth::Ok,
                None
            )
        ]
    );
    let failing = r#"{"status":"success","data":{"groups":[{"name":"g","file":"f","interval":30,"rules":[
        {"type":"recording","name":"r","query":"sum(x)","health":"err","lastError":"many-to-many matching not allowed"},
        {"type":"alerting","name":"a","query":"x","health":"ok","lastError":"","state":"pending"}]},
        {"name":"h","rules":null}]}}"#;
    let rules = decode_rules(200, failing).unwrap().data.rules;
    assert_eq!(rules[0].health, RuleHealth::Err);
    assert_eq!(
        rules[0].last_error.as_deref(),
        Some("many-to-many matching not allowed")
    );
    assert_eq!(
        (rules[1].last_error.as_deref(), rules[1].state),
        (None, AlertState::Pending)
    );
    assert_eq!(rules.len(), 2);
}

#[test]
fn malformed_rules_are_decode_errors_naming_the_field() {
    let check = |data: &str, expected: &str| {
        let body = format!(r#"{{"status":"success","data":{data}}}"#);
        match decode_rules(200, &body).unwrap_err().kind {
            PromErrorKind::Decode { detail } => assert!(detail.contains(expected), "{detail}"),
            other => panic!("{other:?}"),
        }
    };
    check(
        r#"{"groups":[{"name":"g","rules":[{"name":"r"}]}]}"#,
        "`type` is missing",
    );
    check(
        r#"{"groups":[{"name":"g","rules":[{"type":"x"}]}]}"#,
        "unknown rule type \"x\"",
    );
    check(
        r#"{"groups":[{"rules":[{"type":"alerting","duration":"5m"}]}]}"#,
        "`duration` is a string",
    );
    check(
        r#"{"groups":[{"rules":[{"type":"alerting","labels":{"severity":1}}]}]}"#,
        "`severity` is a number",
    );
    check(
        r#"{"groups":[{"rules":[{"type":"alerting","alerts":[{"value":"x"}]}]}]}"#,
        "`value` is not a sample value",
    );
    check(r#"{"groups":5}"#, "`groups` is a number");
}
