//! The Jaeger listener answers over real HTTP, in process and from the binary's
//! `--jaeger-listen`, next to `/metrics`.

mod common;

use std::process::Command;

use arrwdb_sim::jaeger::{handle, JSON_CONTENT_TYPE, TEXT_CONTENT_TYPE};
use arrwdb_sim::traces::BULK_TRACE_ID;
use arrwdb_sim::{Deployment, JaegerServer};
use common::api::{enc, rfc3339};
use common::http::request;
use common::{config, Served, START_UNIX};

#[test]
fn the_listener_answers_as_the_api_does() {
    let c = config(42, START_UNIX, 300);
    let now = START_UNIX + 3 * 3_600;
    let server = JaegerServer::bind("127.0.0.1:0", Deployment::single(c)).unwrap();
    let address = server.local_addr();
    server.spawn_at(now);
    let search = format!(
        "/api/v3/traces?query.service_name=arrwdb&query.start_time_min={}&query.start_time_max={}&query.search_depth=30",
        enc(&rfc3339(now - 3_600, 0)),
        enc(&rfc3339(now, 0))
    );
    let v1_search = format!("/api/traces?service=arrwdb&limit=12&tags={}", enc("{\"error\":\"true\"}"));
    for (target, status, content_type) in [
        ("/api/v3/services".to_owned(), 200, JSON_CONTENT_TYPE),
        ("/api/v3/operations?service=arrwdb&spanKind=server".to_owned(), 200, JSON_CONTENT_TYPE),
        (search, 200, JSON_CONTENT_TYPE),
        (format!("/api/v3/traces/{}", BULK_TRACE_ID.to_hex()), 200, JSON_CONTENT_TYPE),
        ("/api/v3/traces/0123456789abcdef0123456789abcdef".to_owned(), 404, TEXT_CONTENT_TYPE),
        ("/api/services".to_owned(), 200, JSON_CONTENT_TYPE),
        (v1_search, 200, JSON_CONTENT_TYPE),
        ("/api/traces/0123456789abcdef0123456789abcdef".to_owned(), 404, JSON_CONTENT_TYPE),
        ("/api/traces".to_owned(), 400, JSON_CONTENT_TYPE),
        ("/metrics".to_owned(), 404, TEXT_CONTENT_TYPE),
    ] {
        let answer = request(address, "GET", &target, "HTTP/1.1");
        let expected = handle(&Deployment::single(c), "GET", &target, now);
        assert_eq!((answer.status, answer.header("Content-Type")), (status, Some(content_type)), "{target}");
        assert_eq!(answer.body, expected.body, "{target}");
        assert_eq!(answer.header("Content-Length").map(|l| l.parse::<usize>().unwrap()), Some(answer.body.len()));
        if status == 404 && target.starts_with("/api/v3") {
            assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
        }
    }
    assert!(
        request(address, "GET", &format!("/api/v3/traces/{}", BULK_TRACE_ID.to_hex()), "HTTP/1.1").body.len()
            > 3_000_000
    );
    assert_eq!(request(address, "POST", "/api/v3/services", "HTTP/1.1").status, 405);
}

#[test]
fn the_binary_serves_jaeger_on_its_own_listener() {
    let now = arrwdb_sim::server::now_unix();
    let start = (now - 2 * 3_600).to_string();
    let mut served =
        Served::start(&["serve", "--listen", "127.0.0.1:0", "--jaeger-listen", "127.0.0.1:0", "--start-unix", &start]);
    let metrics = served.address_after("listening on ");
    let jaeger = served.address_after("jaeger listening on ");
    assert_ne!(metrics, jaeger);
    let services = request(jaeger, "GET", "/api/v3/services", "HTTP/1.1");
    assert_eq!((services.status, services.body.as_str()), (200, "{\"services\":[\"arrwdb\"]}"));
    let recent = request(jaeger, "GET", "/api/traces?service=arrwdb&limit=5", "HTTP/1.1");
    let body: serde_json::Value = serde_json::from_str(&recent.body).unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 5, "two hours of traces");
    assert_eq!(request(metrics, "GET", "/metrics", "HTTP/1.1").status, 200);
    assert_eq!(
        request(metrics, "GET", "/api/v3/services", "HTTP/1.1").status,
        404,
        "Jaeger is not on the metrics listener"
    );
    served.child.kill().unwrap();
    served.child.wait().unwrap();
}

#[test]
fn without_the_flag_there_is_no_jaeger_listener() {
    let output = Command::new(env!("CARGO_BIN_EXE_arrwdb-sim"))
        .args(["serve", "--start-unix", "1", "--jaeger-listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "a bad address is refused");
    assert!(String::from_utf8_lossy(&output.stderr).contains("not-an-address"));
    let help = Command::new(env!("CARGO_BIN_EXE_arrwdb-sim")).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--jaeger-listen"));
}
