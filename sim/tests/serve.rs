//! `serve` answers like arrwDB: `/metrics` in the text format with prometheus_client's
//! Content-Type, `/health`, and nothing else; the binary says where it listens and stops on
//! SIGTERM.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use arrwdb_sim::{Exposition, MetricsServer, Simulator, TEXT_CONTENT_TYPE};
use common::http::request;
use common::{config, parse, Grammar, Served, START_UNIX};

#[test]
fn metrics_health_and_errors_in_process() {
    let c = config(42, START_UNIX, 300);
    let scrape_unix = START_UNIX + 5_432;
    let server = MetricsServer::bind("127.0.0.1:0", c).unwrap();
    let address = server.local_addr();
    std::thread::spawn(move || server.run_with_clock(move || scrape_unix));

    let expected = Exposition::of(&c, &Simulator::new(c).unwrap().snapshot_at(scrape_unix)).render_text();
    for version in ["HTTP/1.1", "HTTP/1.0"] {
        let answer = request(address, "GET", "/metrics", version);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("Content-Type"), Some(TEXT_CONTENT_TYPE));
        assert_eq!(TEXT_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        assert_eq!(answer.header("Content-Length").map(|l| l.parse::<usize>().unwrap()), Some(answer.body.len()));
        assert_eq!(answer.body, expected);
        parse(&answer.body, Grammar::Text004).unwrap();
    }
    let health = request(address, "GET", "/health", "HTTP/1.1");
    assert_eq!((health.status, health.body.as_str()), (200, "{\"status\":\"healthy\"}"));
    for (method, path, status) in [("GET", "/nope", 404), ("POST", "/metrics", 405), ("GET", "/metrics/x", 404)] {
        assert_eq!(request(address, method, path, "HTTP/1.1").status, status, "{method} {path}");
    }
}

/// `POST /outage?secs=N` (for the tests): the replica answers 503 to scrapes and health
/// checks for N seconds of its clock, then as before; a bad N is refused.
#[test]
fn an_outage_answers_503_for_its_seconds() {
    let c = config(42, START_UNIX, 300);
    let clock = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(START_UNIX + 100));
    let server = MetricsServer::bind("127.0.0.1:0", c).unwrap();
    let address = server.local_addr();
    let shared = clock.clone();
    std::thread::spawn(move || server.run_with_clock(move || shared.load(std::sync::atomic::Ordering::SeqCst)));
    for bad in ["/outage", "/outage?secs=x", "/outage?secs=601"] {
        assert_eq!(request(address, "POST", bad, "HTTP/1.1").status, 400, "{bad}");
    }
    assert_eq!(request(address, "POST", "/outage?secs=20", "HTTP/1.1").status, 200);
    for path in ["/metrics", "/health"] {
        assert_eq!(request(address, "GET", path, "HTTP/1.1").status, 503, "{path} during the outage");
    }
    clock.store(START_UNIX + 120, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(request(address, "GET", "/metrics", "HTTP/1.1").status, 200, "after it");
}

#[test]
fn the_binary_listens_answers_and_stops_on_sigterm() {
    let now = arrwdb_sim::server::now_unix();
    let start = (now - 3 * 3_600).to_string();
    let mut served = Served::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--start-unix",
        &start,
        "--seed",
        "42",
        "--incident-anchor-unix",
        &start,
        "--incident-period-secs",
        "3600",
    ]);
    let address = served.address_after("listening on ");
    let child = &mut served.child;

    let answer = request(address, "GET", "/metrics", "HTTP/1.1");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("Content-Type"), Some(TEXT_CONTENT_TYPE));
    let families = parse(&answer.body, Grammar::Text004).unwrap();
    let requests: f64 = families
        .iter()
        .filter(|f| f.name == "arrwdb_http_http_requests_total")
        .flat_map(|f| &f.samples)
        .map(|s| s.value)
        .sum();
    assert!(requests > 100_000.0, "three hours of traffic: {requests}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(15), "ended by SIGTERM: {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_binary_rejects_bad_flags() {
    for args in [
        vec!["serve"],
        vec!["serve", "--start-unix", "x"],
        vec!["serve", "--start-unix", "1", "--bogus", "2"],
        vec!["serve", "--start-unix", "1", "--incident-period-secs", "60"],
        vec!["backfill", "--start-unix", "1", "--from", "5", "--to", "1", "--out", "/dev/null"],
        vec!["frobnicate"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_arrwdb-sim")).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"), "{args:?}");
    }
}
