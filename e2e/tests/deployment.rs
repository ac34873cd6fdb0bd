//! The shipped nginx site as a browser and a client see it: security and caching headers, the
//! page under its Content-Security-Policy with no violation reported (and a real violation
//! reported, so the check can fail), and the same build served under a sub-path.

use e2e::{env, http_get, Browser, HttpVersion};

/// The head of a GET, lower-cased, and the body as text.
async fn get(base: &str, path: &str) -> (String, String) {
    let (head, body) = http_get(base, path, HttpVersion::V10, &[]).await;
    (
        head.to_ascii_lowercase(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} header in:\n{head}"))
        .trim()
}

/// The app site's policy (no other origin may frame it).
fn csp() -> String {
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ; frame-ancestors 'self' ; base-uri 'self'; form-action 'none'; object-src 'none'; report-uri /csp-report".to_owned()
}

#[tokio::test]
async fn the_shipped_site_sends_security_and_caching_headers() {
    let app = env("ARRWDB_E2E_APP_URL");
    let (head, html) = get(&app, "/").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(header(&head, "content-security-policy"), csp());
    assert_eq!(header(&head, "x-content-type-options"), "nosniff");
    assert_eq!(header(&head, "referrer-policy"), "no-referrer");
    assert_eq!(header(&head, "cache-control"), "no-cache");
    // No inline script: the loader is a file of its own.
    assert!(!html.contains("<script type=\"module\">"), "{html}");
    let loader = html
        .split("<script type=\"module\" src=\"./")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no loader script in {html}"));
    assert!(
        loader.starts_with("start-") && loader.ends_with(".js"),
        "{loader}"
    );

    let (head, _) = get(&app, "/config.json").await;
    assert_eq!(header(&head, "cache-control"), "no-cache");
    assert_eq!(header(&head, "content-type"), "application/json");

    // Hashed files never change: cached for a year.
    let wasm = html
        .split("href=\"./")
        .filter_map(|rest| rest.split('"').next())
        .find(|name| name.ends_with("_bg.wasm"))
        .unwrap_or_else(|| panic!("no wasm preload in {html}"))
        .to_owned();
    for file in [loader.to_owned(), wasm] {
        let (head, _) = get(&app, &format!("/{file}")).await;
        assert!(head.starts_with("http/1.1 200"), "{file}: {head}");
        assert_eq!(
            header(&head, "cache-control"),
            "public, max-age=31536000, immutable",
            "{file}"
        );
        assert_eq!(header(&head, "content-security-policy"), csp(), "{file}");
    }
}

/// The lines nginx has logged for CSP violation reports so far.
fn csp_reports() -> Vec<String> {
    std::fs::read_to_string(env("ARRWDB_E2E_CSP_LOG"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_its_drill_down_run_under_the_csp_without_a_violation() {
    let before = csp_reports().len();
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    // Every panel, and a trace in the drill-down (its waterfall is positioned by styles).
    browser
        .goto(&format!(
            "{app}?range=1h&refresh=off&trace=00000000000000000000000000020000"
        ))
        .await;
    browser
        .wait_true(
            "const ps = document.querySelectorAll(\"[data-panel]:not([data-panel='traces'])\"); return ps.length > 10 && Array.from(ps).every(p => ['ready', 'empty'].includes(p.dataset.state)) && document.querySelector(\"[data-panel='traces'] .waterfall\").dataset.state === 'ready'",
            "csp-all-ready",
        )
        .await;
    // Reports are sent asynchronously: make one on purpose and wait for it, then nothing else
    // may have been reported.
    browser
        .js("const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.append(s); return true")
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while csp_reports().len() == before && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let new: Vec<String> = csp_reports().split_off(before);
    assert_eq!(
        new.len(),
        1,
        "exactly the injected inline script is reported: {new:?}"
    );
    assert!(
        new[0].contains("\"POST /csp-report HTTP/1.1\" 204"),
        "{new:?}"
    );
    assert_eq!(
        browser.js("return window.injected === undefined").await,
        serde_json::Value::Bool(true),
        "the inline script did not run"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_same_build_works_under_a_sub_path() {
    let app = env("ARRWDB_E2E_SUBPATH_APP_URL");
    assert!(app.ends_with("/ops/arrwdb/"), "{app}");
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{app}?range=1h&refresh=off")).await;
    browser
        .wait_true(
            "const p = document.querySelector(\"[data-panel='request-rate']\"); return p.dataset.state === 'ready' && Number(p.dataset.series) > 0",
            "subpath-ready",
        )
        .await;
    // Everything came from under the sub-path: the page, its files, Prometheus.
    let outside = browser
        .js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => !p.startsWith('/ops/arrwdb/'))")
        .await;
    assert_eq!(
        outside,
        serde_json::json!([]),
        "requests outside the sub-path"
    );
    let via_proxy = browser
        .js("return performance.getEntriesByType('resource').some(e => new URL(e.name).pathname.startsWith('/ops/arrwdb/prometheus/api/v1/query_range'))")
        .await;
    assert_eq!(via_proxy, serde_json::Value::Bool(true));
    // config.json is asked once, by index.html's preload (in parallel with the wasm), and the
    // page's own fetch took that answer instead of asking again.
    let config_requests = browser
        .js("return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname.endsWith('/config.json')).map(e => e.initiatorType)")
        .await;
    assert_eq!(config_requests, serde_json::json!(["link"]), "config.json requests by initiator");
    browser.close().await;
}

#[tokio::test]
async fn a_broken_config_json_shows_the_configuration_error_screen() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_BROKEN_APP_URL")).await;
    browser
        .wait_true(
            "const s = document.querySelector(\"[data-screen='config-error']\"); return !!s && s.textContent.includes('prometheus.url') && s.textContent.includes('javascript:alert(1)')",
            "config-error",
        )
        .await;
    // Nothing else runs: no panel, no request to a "Prometheus".
    let facts = browser
        .js("return [document.querySelectorAll('[data-panel]').length, performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/')).length]")
        .await;
    assert_eq!(facts, serde_json::json!([0, 0]));
    browser.close().await;
}
