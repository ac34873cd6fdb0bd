//! The foundation in a real browser: the page mounts, asks the real Prometheus, draws the
//! request-rate chart; an unreachable Prometheus is reported in place and the page stays alive.

use std::time::Duration;

use e2e::{env, http_get, prometheus_query, urlencode, Browser, HttpVersion};

const PANEL: &str = "[data-panel='request-rate']";

#[tokio::test]
async fn request_rate_panel_draws_what_prometheus_answers() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_APP_URL")).await;
    browser
        .wait_for(
            &format!("{PANEL}[data-state='ready']"),
            Duration::from_secs(30),
            "request-rate-ready",
        )
        .await;

    // The panel says how many series it drew and which query it asked.
    let facts = browser
        .js(&format!(
            "const p = document.querySelector(\"{PANEL}\"); \
             return [p.dataset.series, p.dataset.query, p.dataset.start, p.dataset.end, p.dataset.step];"
        ))
        .await;
    let series: usize = facts[0].as_str().unwrap().parse().unwrap();
    let query = facts[1].as_str().unwrap().to_owned();
    assert!(series > 0, "the chart drew no series");
    assert!(
        query.contains("arrwdb_http_http_requests_total"),
        "query: {query}"
    );

    // Prometheus, asked the same query over the same window, has the same number of series.
    let answer = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!(
            "/api/v1/query_range?query={}&start={}&end={}&step={}",
            urlencode(&query),
            facts[2].as_str().unwrap(),
            facts[3].as_str().unwrap(),
            facts[4].as_str().unwrap()
        ),
    )
    .await;
    // Every line, not the count a ranked query adds for the legend's "N hidden".
    let expected = answer["data"]["result"]
        .as_array()
        .expect("a matrix")
        .iter()
        .filter(|s| s["metric"].get("arrwdb_ops_series_count").is_none())
        .count();
    assert_eq!(
        series, expected,
        "the page drew {series} series, Prometheus has {expected}"
    );

    // The pixels are really there: the canvas holds many colours, not a blank rectangle.
    let colours = browser
        .js(&format!(
            "const c = document.querySelector(\"{PANEL} canvas\"); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i+1] << 8 | d[i+2]); \
             return seen.size;"
        ))
        .await
        .as_u64()
        .unwrap();
    assert!(
        colours > 20,
        "the canvas holds only {colours} colours: nothing was drawn"
    );
    browser.screenshot("dashboard").await;
    browser.close().await;
}

#[tokio::test]
async fn unreachable_prometheus_is_reported_in_place() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_UNREACHABLE_APP_URL")).await;
    browser
        .wait_for(
            &format!("{PANEL}[data-state='error']"),
            Duration::from_secs(30),
            "unreachable-error",
        )
        .await;
    let text = browser
        .js(&format!(
            "return document.querySelector(\"{PANEL}\").innerText"
        ))
        .await;
    let text = text.as_str().unwrap();
    let dead = env("ARRWDB_E2E_UNREACHABLE_PROMETHEUS_URL");
    assert!(
        text.contains(&dead),
        "the message names the URL that failed: {text}"
    );
    assert!(
        text.contains("Could not reach Prometheus"),
        "the message says what failed: {text}"
    );
    // The page is alive: the header is there and no panic screen is shown.
    let alive = browser
        .js("return !!document.querySelector('header') && !document.querySelector('#panic:not([hidden])')")
        .await;
    assert_eq!(alive, serde_json::Value::Bool(true));
    browser.close().await;
}

/// What the size budget counts is what a browser downloads: nginx serves the build's own `.gz`
/// files (zopfli) byte for byte, not a gzip of its own.
#[tokio::test]
async fn nginx_serves_the_precompressed_page() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    let wasm = std::fs::read_dir(&dist)
        .expect("the page is built")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("_bg.wasm"))
        .expect("the build has a wasm module");
    let expected = std::fs::read(dist.join(format!("{wasm}.gz"))).expect("the .gz is beside it");
    let app = env("ARRWDB_E2E_APP_URL");
    let path = format!("/{}{wasm}", app.splitn(4, '/').nth(3).unwrap_or_default());
    let (head, body) = http_get(
        &app,
        &path,
        HttpVersion::V11,
        &[("Accept-Encoding", "gzip")],
    )
    .await;
    let lower = head.to_ascii_lowercase();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(lower.contains("content-encoding: gzip"), "{head}");
    assert!(lower.contains("content-type: application/wasm"), "{head}");
    assert!(
        body == expected,
        "nginx served {} bytes, the build's .gz has {}",
        body.len(),
        expected.len()
    );
}
