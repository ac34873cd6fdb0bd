//! The sources panel (`?panel=sources`) against real sources: the demo's Prometheus (its version
//! as its own build information says), our Jaeger stand-in, a port where nothing listens, and a
//! Jaeger on another origin that sends no CORS headers.

use e2e::{env, prometheus_query, Browser};
use serde_json::Value;

/// (data-verdict, data-version, text) of each row of the sources panel at `app`, once it is
/// ready.
async fn sources(browser: &Browser, app: &str) -> Value {
    browser.goto(&format!("{app}?panel=sources")).await;
    browser
        .wait_true(
            "return document.querySelector('[data-panel=sources]').dataset.state === 'ready'",
            "the sources panel is ready",
        )
        .await;
    browser
        .js(
            "const out = {}; \
             for (const tr of document.querySelectorAll('[data-panel=sources] tr[data-source]')) \
               out[tr.dataset.source] = [tr.dataset.verdict, tr.dataset.version || null, tr.textContent]; \
             return out;",
        )
        .await
}

#[tokio::test]
async fn the_demo_sources_answer_with_their_versions() {
    let browser = Browser::start(1280, 900).await;
    let rows = sources(&browser, &env("ARRWDB_E2E_APP_URL")).await;
    let build = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        "/api/v1/status/buildinfo",
    )
    .await;
    let version = build["data"]["version"].as_str().expect("a version");
    assert_eq!(rows["prometheus"][0], "ok", "{rows}");
    assert_eq!(
        rows["prometheus"][1],
        format!("Prometheus {version}"),
        "{rows}"
    );
    assert_eq!(rows["jaeger"][0], "ok", "{rows}");
    let jaeger = rows["jaeger"][1].as_str().unwrap_or_default();
    assert!(jaeger.starts_with("Jaeger query api_v3, "), "{rows}");
    browser.close().await;
}

#[tokio::test]
async fn a_dead_host_and_a_cors_refusal_are_told_apart_with_their_fix() {
    let browser = Browser::start(1280, 900).await;
    let dead = sources(&browser, &env("ARRWDB_E2E_UNREACHABLE_APP_URL")).await;
    for source in ["prometheus", "jaeger"] {
        assert_eq!(dead[source][0], "connection", "{dead}");
        let text = dead[source][2].as_str().unwrap_or_default();
        assert!(
            text.contains("No answer at all") && text.contains("curl http://127.0.0.1:"),
            "{text}"
        );
    }

    let direct = sources(&browser, &env("ARRWDB_E2E_DIRECT_APP_URL")).await;
    // Prometheus allows cross-origin reads; Jaeger's query service answers, but sends no CORS
    // header: reachable, refused by the browser.
    assert_eq!(direct["prometheus"][0], "ok", "{direct}");
    assert_eq!(direct["jaeger"][0], "cors", "{direct}");
    let text = direct["jaeger"][2].as_str().unwrap_or_default();
    assert!(text.contains("CORS") && text.contains("/jaeger/"), "{text}");
    browser.screenshot("sources-cors").await;
    browser.close().await;
}
