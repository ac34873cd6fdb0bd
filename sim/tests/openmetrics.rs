//! `/metrics` in OpenMetrics when the scrape asks for it: valid OpenMetrics 1.0 with the same
//! series names and values as the text format, and exemplars on the HTTP latency buckets whose
//! trace ids the Jaeger API serves.

mod common;

use std::collections::BTreeMap;

use arrwdb_sim::exemplars::{http_duration_exemplars, EXEMPLAR_LOOKBACK_TICKS};
use arrwdb_sim::traces::AttributeValue;
use arrwdb_sim::{
    accepts_openmetrics, trace_by_id, Deployment, Exposition, MetricsServer, SimConfig, Simulator, TraceId,
    OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, TICK_SECS,
};
use common::api::{get_from, NANOS};
use common::http::request_with;
use common::{config, parse, Grammar, ParsedFamily, START_UNIX};

const HTTP_BUCKET: &str = "arrwdb_http_http_request_duration_seconds_bucket";
/// Prometheus 3's Accept header with its default scrape protocols.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// Moments: quiet, in the error spike, in the latency regression, in the auth burst.
fn moments() -> [u64; 4] {
    [
        START_UNIX + 3 * 3_600 + 900,
        START_UNIX + 3_600 + 300 + 400,
        START_UNIX + 300 + 30 * 60,
        START_UNIX + 300 + 45 * 60,
    ]
}

/// Both bodies of a scrape at `t_unix`: text and OpenMetrics.
fn bodies(c: &SimConfig, t_unix: u64) -> (String, String) {
    let snapshot = Simulator::new(*c).unwrap().snapshot_at(t_unix);
    let exposition = Exposition::of(c, &snapshot);
    let exemplars = http_duration_exemplars(c, &exposition, t_unix);
    (exposition.render_text(), exposition.render_openmetrics(&exemplars))
}

/// Every sample by name and labels.
fn series(families: &[ParsedFamily]) -> BTreeMap<(String, BTreeMap<String, String>), f64> {
    families.iter().flat_map(|f| &f.samples).map(|s| ((s.name.clone(), s.labels.clone()), s.value)).collect()
}

#[test]
fn openmetrics_is_valid_and_names_the_series_as_the_text_format() {
    let c = config(42, START_UNIX, 300);
    for t in moments() {
        let (text, openmetrics) = bodies(&c, t);
        assert!(openmetrics.ends_with("\n# EOF\n"));
        let om = parse(&openmetrics, Grammar::OpenMetricsScrape).unwrap_or_else(|e| panic!("at {t}: {e}"));
        let plain = parse(&text, Grammar::Text004).unwrap();
        // The same series with the same values: what Prometheus stores does not depend on the format.
        assert_eq!(series(&om), series(&plain), "at {t}");
        for family in &om {
            assert!(!family.name.ends_with("_created"), "created samples belong to their family: {}", family.name);
            if family.kind == "counter" {
                assert!(!family.name.ends_with("_total"), "{}", family.name);
                assert!(family.samples.iter().all(
                    |s| s.name == format!("{}_total", family.name) || s.name == format!("{}_created", family.name)
                ));
            }
        }
        assert!(om.iter().any(|f| f.name == "arrwdb_http_http_requests" && f.kind == "counter"));
    }
}

/// The exemplars of a parsed OpenMetrics scrape: (labels of the bucket line, trace id, value, timestamp).
fn exemplars_of(families: &[ParsedFamily]) -> Vec<(BTreeMap<String, String>, String, f64, f64)> {
    families
        .iter()
        .flat_map(|f| &f.samples)
        .filter_map(|s| {
            let e = s.exemplar.as_ref()?;
            assert_eq!(s.name, HTTP_BUCKET, "only the HTTP latency buckets have exemplars");
            assert_eq!(e.labels.keys().collect::<Vec<_>>(), ["trace_id"]);
            Some((s.labels.clone(), e.labels["trace_id"].clone(), e.value, e.timestamp.expect("a timestamp")))
        })
        .collect()
}

#[test]
fn exemplars_are_well_formed_recent_and_in_their_bucket() {
    let c = config(42, START_UNIX, 300);
    let bounds: Vec<f64> = arrwdb_sim::traffic::HTTP_DURATION_BOUNDS_SECS.to_vec();
    for t in moments() {
        let (_, openmetrics) = bodies(&c, t);
        let exemplars = exemplars_of(&parse(&openmetrics, Grammar::OpenMetricsScrape).unwrap());
        assert!(exemplars.len() >= 10, "{} exemplars at {t}", exemplars.len());
        for (labels, trace_id, value, timestamp) in &exemplars {
            assert!(trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            let le = &labels["le"];
            let upper = if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() };
            let lower = bounds.iter().copied().filter(|b| *b < upper).fold(0.0, f64::max);
            assert!(*value > lower && *value <= upper, "{value} in le={le}");
            let oldest = (t - EXEMPLAR_LOOKBACK_TICKS * TICK_SECS - 60) as f64;
            assert!(*timestamp <= t as f64 && *timestamp >= oldest, "{timestamp} at {t}");
        }
    }
    // In the latency regression, the slow buckets of searches point at slow traces.
    let (_, openmetrics) = bodies(&c, moments()[2]);
    let exemplars = exemplars_of(&parse(&openmetrics, Grammar::OpenMetricsScrape).unwrap());
    assert!(exemplars.iter().any(|(labels, _, value, _)| labels["handler"].ends_with("/search") && *value > 1.0));
}

#[test]
fn exemplar_traces_are_served_by_the_jaeger_api_of_their_replica() {
    let instances = ["10.0.0.1:8000", "10.0.0.2:8000"].map(str::to_owned).to_vec();
    let deployment = Deployment::new(config(7, START_UNIX, 300), instances).unwrap();
    let mut checked = 0;
    for t in moments() {
        for replica in deployment.replicas() {
            let (_, openmetrics) = bodies(&replica.config, t);
            for (labels, trace_id, value, timestamp) in
                exemplars_of(&parse(&openmetrics, Grammar::OpenMetricsScrape).unwrap())
            {
                let id = TraceId::parse(&trace_id).unwrap();
                let trace = trace_by_id(&deployment, id, t * NANOS).unwrap_or_else(|| panic!("{trace_id} at {t}"));
                let root = trace.root();
                assert_eq!(root.attribute("http.route"), Some(&AttributeValue::Str(labels["handler"].clone())));
                let Some(AttributeValue::Int(code)) = root.attribute("http.status_code") else { panic!("no status") };
                assert_eq!(code.to_string()[..1], labels["status"][..1]);
                assert!((root.duration_ns() as f64 / 1e9 - value).abs() < 2e-6, "{} vs {value}", root.duration_ns());
                assert!((root.end_ns as f64 / 1e9 - timestamp).abs() < 1e-3);
                let host = trace.resource.iter().find(|a| a.key == "host.name").unwrap();
                assert_eq!(host.value, AttributeValue::Str(replica.host_name()));
                // And over the API, as the dashboard opens it.
                assert_eq!(get_from(&deployment, &format!("/api/v3/traces/{trace_id}"), t).status, 200);
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn the_server_answers_openmetrics_only_when_asked() {
    assert!(accepts_openmetrics(PROMETHEUS_ACCEPT));
    assert!(accepts_openmetrics("application/openmetrics-text"));
    assert!(!accepts_openmetrics("text/plain;version=0.0.4;q=0.3,*/*;q=0.2"));
    assert!(!accepts_openmetrics(""));

    let c = config(42, START_UNIX, 300);
    let scrape_unix = START_UNIX + 2_100;
    let server = MetricsServer::bind("127.0.0.1:0", c).unwrap();
    let address = server.local_addr();
    std::thread::spawn(move || server.run_with_clock(move || scrape_unix));
    let (text, openmetrics) = bodies(&c, scrape_unix);
    for (accept, content_type, body) in [
        (Some(PROMETHEUS_ACCEPT), OPENMETRICS_CONTENT_TYPE, &openmetrics),
        (Some("text/plain;version=0.0.4"), TEXT_CONTENT_TYPE, &text),
        (None, TEXT_CONTENT_TYPE, &text),
    ] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept", a)).into_iter().collect();
        let answer = request_with(address, "GET", "/metrics", "HTTP/1.1", &headers);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("Content-Type"), Some(content_type), "{accept:?}");
        assert_eq!(&answer.body, body, "{accept:?}");
    }
    assert_eq!(OPENMETRICS_CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8");
}
