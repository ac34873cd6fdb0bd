//! Several replicas in one deployment: they split the traffic, each incident strikes exactly
//! one of them (so a per-replica view finds it), their traces say which replica served them and
//! a search can narrow to one, and `serve --listen A,B,C` serves each on its own address.

mod common;

use std::collections::{BTreeMap, HashSet};

use arrwdb_sim::jaeger::JSON_CONTENT_TYPE;
use arrwdb_sim::{Deployment, IncidentKind, SimConfig};
use common::api::{enc, get_from, rfc3339, v3_spans};
use common::http::request;
use common::{auth_failures_per_sec, config, error_ratio, is_5xx, memory_ratio, p95_secs, scrape, Served, START_UNIX};
use serde_json::Value;

/// Incidents start 300 s after the process start.
const ANCHOR_OFFSET_SECS: u64 = 300;

fn three_replicas() -> Deployment {
    let instances = ["10.0.0.1:8000", "10.0.0.2:8000", "10.0.0.3:8000"].map(str::to_owned).to_vec();
    Deployment::new(config(42, START_UNIX, ANCHOR_OFFSET_SECS), instances).unwrap()
}

fn requests_at(c: &SimConfig, t_unix: u64) -> f64 {
    scrape(c, t_unix).sum("arrwdb_http_http_requests_total", |_| true)
}

#[test]
fn replicas_split_the_traffic() {
    let single = config(42, START_UNIX, ANCHOR_OFFSET_SECS);
    let t = START_UNIX + 3 * 3_600;
    let alone = requests_at(&single, t);
    let deployment = three_replicas();
    let shares: Vec<f64> = deployment.replicas().map(|r| requests_at(&r.config, t)).collect();
    let total: f64 = shares.iter().sum();
    assert!((total / alone - 1.0).abs() < 0.03, "{total} in all vs {alone} alone");
    // Replica 2 also takes the auth failure bursts; the others about a third each.
    for share in &shares[..2] {
        assert!((share / (alone / 3.0) - 1.0).abs() < 0.1, "{share} of {alone}");
    }
}

/// An alert expression's value on the scrapes at a moment and 5 minutes before.
type Measure = fn(&common::Scrape, &common::Scrape) -> f64;

/// What each alert expression says on each replica of `deployment` for the scrapes at `now`
/// and 5 minutes before.
fn per_replica(deployment: &Deployment, now: u64, measure: Measure) -> Vec<f64> {
    deployment.replicas().map(|r| measure(&scrape(&r.config, now), &scrape(&r.config, now - 300))).collect()
}

/// The guide's `HighErrorRate` reads the whole deployment: the spike on one replica of three
/// must still take the deployment past 5 % (its replica fails more of its searches).
#[test]
fn the_error_spike_trips_the_deployment_wide_rule() {
    let deployment = three_replicas();
    let now = START_UNIX + ANCHOR_OFFSET_SECS + 7 * 60;
    let (mut errors, mut all) = (0.0, 0.0);
    for r in deployment.replicas() {
        let (a, b) = (scrape(&r.config, now), scrape(&r.config, now - 300));
        let increase = |f: &dyn Fn(&BTreeMap<String, String>) -> bool| {
            a.sum("arrwdb_http_http_requests_total", f) - b.sum("arrwdb_http_http_requests_total", f)
        };
        errors += increase(&is_5xx);
        all += increase(&|_| true);
    }
    let single = config(42, START_UNIX, ANCHOR_OFFSET_SECS);
    let alone = error_ratio(&scrape(&single, now), &scrape(&single, now - 300));
    let ratio = errors / all;
    assert!(ratio > 0.05, "the deployment's error ratio {ratio} does not trip the rule");
    assert!((ratio / alone - 1.0).abs() < 0.2, "three replicas {ratio} vs one {alone}");
}

#[test]
fn each_incident_strikes_exactly_its_replica() {
    let deployment = three_replicas();
    let incident_start = START_UNIX + ANCHOR_OFFSET_SECS;
    let minute = |m: u64| incident_start + m * 60;
    let cases: [(IncidentKind, u64, Measure, f64); 4] = [
        (IncidentKind::ErrorSpike, minute(7), error_ratio, 0.05),
        (IncidentKind::LatencyRegression, minute(30), p95_secs, 1.0),
        (IncidentKind::AuthFailureBurst, minute(47), auth_failures_per_sec, 10.0),
        (IncidentKind::MemoryClimb, minute(50), |now, _| memory_ratio(now), 0.9),
    ];
    for (kind, now, measure, threshold) in cases {
        let values = per_replica(&deployment, now, measure);
        let sick = kind.sick_replica(3) as usize;
        assert_eq!(sick, [1, 0, 2, 2][IncidentKind::ALL.iter().position(|k| *k == kind).unwrap()]);
        for (index, value) in values.iter().enumerate() {
            assert_eq!(*value > threshold, index == sick, "{kind:?} on replica {index}: {value} ({values:?})");
        }
    }
}

/// A v1 search for the last 30 minutes' 60 newest traces (`filter`: more parameters).
fn v1_search(deployment: &Deployment, now: u64, filter: &str) -> Vec<Value> {
    v1_search_up_to(deployment, now, 60, filter)
}

fn v1_search_up_to(deployment: &Deployment, now: u64, limit: usize, filter: &str) -> Vec<Value> {
    let target = format!(
        "/api/traces?service=arrwdb&start={}&end={}&limit={limit}{filter}",
        (now - 1_800) * 1_000_000,
        now * 1_000_000
    );
    let answer = get_from(deployment, &target, now);
    assert_eq!((answer.status, answer.content_type), (200, JSON_CONTENT_TYPE), "{}", answer.body);
    answer.json()["data"].as_array().unwrap().clone()
}

/// The value of process tag `key` of a v1 trace.
fn process_tag(trace: &Value, key: &str) -> String {
    let tags = trace["processes"]["p1"]["tags"].as_array().unwrap();
    tags.iter().find(|t| t["key"] == key).unwrap_or_else(|| panic!("no {key}"))["value"].as_str().unwrap().to_owned()
}

#[test]
fn traces_name_their_replica_and_a_tag_narrows_to_it() {
    let deployment = three_replicas();
    let now = START_UNIX + 3 * 3_600;
    let all = v1_search(&deployment, now, "");
    assert_eq!(all.len(), 60);
    let hosts: HashSet<String> = all.iter().map(|t| process_tag(t, "host.name")).collect();
    assert_eq!(hosts.len(), 3, "an unfiltered search sees every replica: {hosts:?}");
    for trace in &all {
        let host = process_tag(trace, "host.name");
        let index: usize = host.strip_prefix("arrwdb-").unwrap().parse::<usize>().unwrap() - 1;
        assert_eq!(process_tag(trace, "service.instance.id"), deployment.replica(index).unwrap().instance);
    }

    for replica in deployment.replicas() {
        let host = replica.host_name();
        for filter in [
            format!("&tags={}", enc(&format!("{{\"host.name\":\"{host}\"}}"))),
            format!("&tag={}", enc(&format!("host.name:{host}"))),
            format!("&tag={}", enc(&format!("service.instance.id:{}", replica.instance))),
        ] {
            let found = v1_search(&deployment, now, &filter);
            assert_eq!(found.len(), 60, "{filter}");
            assert!(found.iter().all(|t| process_tag(t, "host.name") == host), "{filter}");
        }
        // v3: query.attributes.
        let target = format!(
            "/api/v3/traces?query.service_name=arrwdb&query.start_time_min={}&query.start_time_max={}&query.search_depth=25&query.attributes={}",
            enc(&rfc3339(now - 1_800, 0)),
            enc(&rfc3339(now, 0)),
            enc(&format!("{{\"service.instance.id\":\"{}\"}}", replica.instance))
        );
        let body = get_from(&deployment, &target, now).json();
        let resources = body["result"]["resourceSpans"].as_array().unwrap();
        assert!(!v3_spans(&body).is_empty());
        for resource in resources {
            let attributes = resource["resource"]["attributes"].as_array().unwrap();
            let value = |key: &str| {
                attributes.iter().find(|a| a["key"] == key).unwrap()["value"]["stringValue"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            assert_eq!((value("service.instance.id"), value("host.name")), (replica.instance.to_owned(), host.clone()));
        }
    }
    assert!(v1_search(&deployment, now, &format!("&tag={}", enc("host.name:arrwdb-4"))).is_empty());
}

#[test]
fn trace_ids_are_unique_across_replicas_and_resolve() {
    let deployment = three_replicas();
    let now = START_UNIX + 3 * 3_600;
    let mut ids = HashSet::new();
    for trace in v1_search_up_to(&deployment, now, 600, "") {
        let id = trace["traceID"].as_str().unwrap().to_owned();
        let by_id = get_from(&deployment, &format!("/api/traces/{id}"), now).json();
        assert_eq!(by_id["data"][0]["spans"], trace["spans"], "{id}");
        assert_eq!(process_tag(&by_id["data"][0], "host.name"), process_tag(&trace, "host.name"));
        assert!(ids.insert(id.clone()), "{id} twice");
    }
    assert!(ids.len() > 100);
}

#[test]
fn the_error_spike_traces_come_from_the_sick_replica() {
    let deployment = three_replicas();
    let now = START_UNIX + ANCHOR_OFFSET_SECS + 7 * 60;
    let failed = v1_search(&deployment, now, &format!("&tag={}", enc("error:true")));
    assert!(failed.len() >= 50, "{}", failed.len());
    let sick = arrwdb_sim::replicas::host_name(IncidentKind::ErrorSpike.sick_replica(3));
    let from_sick = failed.iter().filter(|t| process_tag(t, "host.name") == sick).count();
    assert!(from_sick * 10 >= failed.len() * 9, "{from_sick} of {} from {sick}", failed.len());
}

#[test]
fn the_binary_serves_one_replica_per_address() {
    let now = arrwdb_sim::server::now_unix();
    let start = (now - 3_600).to_string();
    let mut served = Served::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0,127.0.0.1:0,127.0.0.1:0",
        "--jaeger-listen",
        "127.0.0.1:0",
        "--start-unix",
        &start,
    ]);
    let metrics: Vec<_> = (0..3).map(|_| served.address_after("listening on ")).collect();
    let jaeger = served.address_after("jaeger listening on ");
    let bodies: Vec<String> = metrics
        .iter()
        .map(|address| {
            let answer = request(*address, "GET", "/metrics", "HTTP/1.1");
            assert_eq!(answer.status, 200);
            assert_eq!(request(*address, "GET", "/health", "HTTP/1.1").status, 200);
            answer.body
        })
        .collect();
    assert!(bodies[0] != bodies[1] && bodies[1] != bodies[2], "each replica has its own counters");
    let third =
        format!("/api/traces?service=arrwdb&limit=5&tag={}", enc(&format!("service.instance.id:{}", metrics[2])));
    let body: Value = serde_json::from_str(&request(jaeger, "GET", &third, "HTTP/1.1").body).unwrap();
    let traces = body["data"].as_array().unwrap();
    assert_eq!(traces.len(), 5);
    assert!(traces.iter().all(|t| process_tag(t, "host.name") == "arrwdb-3"));
    served.child.kill().unwrap();
    served.child.wait().unwrap();

    let mut too_many = Served::start(&["serve", "--listen", &vec!["127.0.0.1:0"; 17].join(","), "--start-unix", "0"]);
    assert_eq!(too_many.child.wait().unwrap().code(), Some(2));
}

#[test]
fn each_replica_backfills_what_it_serves() {
    let deployment = three_replicas();
    let c = deployment.config();
    let replica = deployment.replica(1).unwrap();
    let out = std::env::temp_dir().join(format!("arrwdb-sim-replica-backfill-{}.om", std::process::id()));
    let (from, to) = (START_UNIX + 1_200, START_UNIX + 1_800);
    let numbers = [c.start_unix, c.seed, c.incident_anchor_unix, from, to].map(|n| n.to_string());
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_arrwdb-sim"))
        .args(["backfill", "--start-unix", &numbers[0], "--seed", &numbers[1], "--incident-anchor-unix", &numbers[2]])
        .args(["--from", &numbers[3], "--to", &numbers[4], "--out", out.to_str().unwrap()])
        .args(["--replicas", "3", "--replica", "1", "--instance", replica.instance])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let families = common::parse(&text, common::Grammar::OpenMetrics).unwrap();
    let live = scrape(&replica.config, to);
    let mut compared = 0;
    for sample in families.iter().flat_map(|f| &f.samples).filter(|s| s.timestamp == Some(to as i64)) {
        assert_eq!(sample.labels["instance"], replica.instance);
        let mut labels = sample.labels.clone();
        labels.remove("instance");
        labels.remove("job");
        let pairs: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(sample.value, live.value(&sample.name, &pairs), "{} {labels:?}", sample.name);
        compared += 1;
    }
    assert!(compared > 500, "{compared}");
    // Another replica's history differs.
    assert_ne!(
        live.sum("arrwdb_http_http_requests_total", |_| true),
        scrape(&deployment.replica(0).unwrap().config, to).sum("arrwdb_http_http_requests_total", |_| true)
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_arrwdb-sim"))
        .args(["backfill", "--start-unix", "0", "--from", "0", "--to", "10", "--out", "/dev/null"])
        .args(["--replicas", "3", "--replica", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(bad.code(), Some(2));
}
