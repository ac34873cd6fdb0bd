//! The service dashboard in a real browser against the real Prometheus of the demo stack:
//! every panel draws, the numbers shown are Prometheus's own, zoom / refresh / permalink /
//! back work, and a Prometheus that stops and returns turns the panels to error and back.

use std::time::Duration;

use e2e::panels::{facts, legend, now_secs, prometheus_last_values};
use e2e::{env, Browser, Forwarder};
use serde_json::Value;

/// The panels the dashboard issue names, in its words (not the app's list).
const PANELS: &[&str] = &[
    "request-rate",
    "error-rate",
    "latency",
    "in-flight",
    "cpu",
    "memory",
    "disk",
    "network",
    "searches",
    "documents",
    "libraries",
    "index-size",
    "cache-hit-ratio",
    "api-keys",
    "errors-by-handler",
];

const WAIT: Duration = Duration::from_secs(e2e::WAIT_SECS);


/// Waits until every panel matches `[data-panel=…]` + `state_css`.
async fn wait_all(browser: &Browser, state_css: &str, artifact: &str) {
    for id in PANELS {
        browser
            .wait_for(&format!("[data-panel='{id}']{state_css}"), WAIT, artifact)
            .await;
    }
}

#[tokio::test]
async fn every_panel_is_drawn_from_the_real_prometheus() {
    let browser = Browser::start(1600, 1200).await;
    browser.goto(&env("ARRWDB_E2E_APP_URL")).await;
    wait_all(&browser, "[data-state='ready']", "all-ready").await;
    for id in PANELS {
        let f = facts(&browser, id).await;
        let series: usize = f[0].as_deref().unwrap_or("0").parse().unwrap();
        assert!(series > 0, "{id} shows nothing: {f:?}");
    }
    // Nothing else on the page is in error.
    let errors = browser
        .js("return document.querySelectorAll(\"[data-state='error']\").length")
        .await;
    assert_eq!(errors, Value::from(0), "{}", browser.panel_states().await);
    browser.screenshot("all-panels").await;
    browser.close().await;
}

#[tokio::test]
async fn request_rate_and_p95_shown_equal_prometheus() {
    let browser = Browser::start(1280, 900).await;
    // A settled window in the past: what Prometheus answers for it no longer changes.
    let to = now_secs() - 120;
    let url = format!("{}?from={}&to={to}", env("ARRWDB_E2E_APP_URL"), to - 3_600);
    browser.goto(&url).await;
    for id in ["request-rate", "latency"] {
        browser
            .wait_for(
                &format!("[data-panel='{id}'][data-state='ready']"),
                WAIT,
                &format!("values-{id}"),
            )
            .await;
    }

    let f = facts(&browser, "request-rate").await;
    let (query, start, end, step) = (
        f[1].clone().unwrap(),
        f[2].clone().unwrap(),
        f[3].clone().unwrap(),
        f[4].clone().unwrap(),
    );
    let expected =
        prometheus_last_values(&query, &start, &end, &step, &["method", "handler"]).await;
    let shown = legend(&browser, "request-rate").await;
    assert!(!expected.is_empty());
    assert_eq!(
        shown, expected,
        "request rate: the legend's last values are not Prometheus's"
    );

    let f = facts(&browser, "latency").await;
    let queries = f[1].clone().unwrap();
    let p95 = queries
        .lines()
        .find(|q| q.contains("histogram_quantile(0.95"))
        .expect("a p95 query");
    let expected = prometheus_last_values(
        p95,
        f[2].as_deref().unwrap(),
        f[3].as_deref().unwrap(),
        f[4].as_deref().unwrap(),
        &[],
    )
    .await;
    let expected = *expected.values().next().expect("Prometheus has a p95");
    let shown = legend(&browser, "latency").await;
    assert_eq!(shown.get("p95"), Some(&expected), "latency p95: {shown:?}");
    // And the text shown is that number, readably: e.g. 0.0812 s reads "81.2 ms".
    let text = browser
        .js("return document.querySelector(\"[data-panel='latency'] tr[data-series-name='p95'] td.num\").innerText")
        .await;
    let text = text.as_str().unwrap().to_owned();
    let (number, unit) = text.split_once(' ').unwrap();
    let factor = match unit {
        "ms" => 1e-3,
        "s" => 1.0,
        "µs" => 1e-6,
        other => panic!("unexpected unit {other} in {text}"),
    };
    let read: f64 = number.parse().unwrap();
    assert!(
        (read * factor - expected).abs() <= expected * 0.005,
        "shown {text}, Prometheus {expected}"
    );
    browser.close().await;
}

#[tokio::test]
async fn zoom_refresh_back_and_permalink_round_trip() {
    let browser = Browser::start(1280, 900).await;
    browser
        .goto(&format!(
            "{}?range=3h&refresh=off",
            env("ARRWDB_E2E_APP_URL")
        ))
        .await;
    browser
        .wait_for(
            "[data-panel='request-rate'][data-state='ready']",
            WAIT,
            "zoom-first",
        )
        .await;
    let before = facts(&browser, "request-rate").await;
    let (start0, end0, step0): (i64, i64, i64) = (
        before[2].as_deref().unwrap().parse().unwrap(),
        before[3].as_deref().unwrap().parse().unwrap(),
        before[4].as_deref().unwrap().parse().unwrap(),
    );

    // Refresh now: every panel asks again, exactly once per query.
    wait_all(&browser, "[data-state='ready']", "zoom-all-ready").await;
    // The text panels start after the charts' first answers: their first queries must be out
    // before the mark.
    for id in ["slo", "alerts"] {
        browser.wait_for(&format!("[data-panel='{id}'][data-state='ready']"), WAIT, "zoom-text-ready").await;
    }
    // Requests count from a mark (`window.since`): one still in flight from before it (a slow
    // SLO query, say) is not this step's.
    browser.js("performance.setResourceTimingBufferSize(100000); window.since = performance.now(); return true").await;
    let queries_per_refresh = browser
        .js("return Array.from(document.querySelectorAll('[data-panel]')).map(p => (p.dataset.query || '').split('\\n').filter(q => q).length).reduce((a, b) => a + b, 0)")
        .await
        .as_u64()
        .unwrap();
    browser
        .js("document.querySelector(\"[data-control='refresh-now']\").click(); return true")
        .await;
    let count = "performance.getEntriesByType('resource').filter(e => e.startTime >= window.since && /\\/api\\/v1\\/query(_range)?\\?/.test(e.name)).length";
    browser
        .wait_true(
            &format!("return {count} >= {queries_per_refresh}"),
            "refresh-requests",
        )
        .await;
    wait_all(&browser, "[data-state='ready']", "refresh-ready").await;
    assert_eq!(
        browser.js(&format!("return {count}")).await,
        Value::from(queries_per_refresh),
        "one request per panel query"
    );

    // A change of the view that is not the range (the theme; a legend row isolating a series)
    // redraws and asks Prometheus nothing.
    browser
        .js("window.since = performance.now(); return true")
        .await;
    browser
        .js("const s = document.querySelector(\"[data-control='theme']\"); s.value = 'light'; \
             s.dispatchEvent(new Event('change', { bubbles: true })); \
             document.querySelector(\"[data-panel='request-rate'] table.legend tr[data-series-name]\").click(); return true")
        .await;
    browser
        .wait_true(
            "return document.documentElement.dataset.theme === 'light' && location.search.includes('iso.request-rate=')",
            "theme-and-isolation-applied",
        )
        .await;
    // Absence takes a moment to show: a re-query would be answered well within it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        browser.js(&format!("return {count}")).await,
        Value::from(0),
        "a theme change or an isolated series re-queried Prometheus"
    );
    browser
        .js("document.querySelector(\"[data-panel='request-rate'] table.legend tr[data-series-name]\").click(); return true")
        .await;
    browser
        .wait_true(
            "return !location.search.includes('iso.')",
            "isolation-undone",
        )
        .await;

    // Drag across the middle fifth of the request-rate chart and choose "Zoom" in the menu
    // the drag opens: the view zooms to that window.
    browser
        .js("const c = document.querySelector(\"[data-panel='request-rate'] canvas\"); const r = c.getBoundingClientRect(); \
             const y = r.top + r.height / 2; const at = f => r.left + r.width * f; \
             const ev = (type, x) => c.dispatchEvent(new PointerEvent(type, {clientX: x, clientY: y, bubbles: true})); \
             ev('pointerdown', at(0.4)); ev('pointermove', at(0.5)); ev('pointerup', at(0.6)); return true")
        .await;
    browser.wait_true("const m = document.querySelector(\"[data-panel='request-rate'] .drag-menu\"); return !!m && getComputedStyle(m).display !== 'none'",
        "zoom-menu",
    )
    .await;
    browser
        .js("document.querySelector(\"[data-panel='request-rate'] .drag-menu [data-action='zoom']\").click(); return true")
        .await;
    browser
        .wait_true(
            "return location.search.includes('from=') && location.search.includes('to=')",
            "zoom-url",
        )
        .await;
    browser.wait_true(&format!("const p = document.querySelector(\"[data-panel='request-rate']\"); return p.dataset.state === 'ready' && p.dataset.step !== '{step0}'"),
        "zoom-requery",
    )
    .await;
    let zoomed = facts(&browser, "request-rate").await;
    let (start1, end1, step1): (i64, i64, i64) = (
        zoomed[2].as_deref().unwrap().parse().unwrap(),
        zoomed[3].as_deref().unwrap().parse().unwrap(),
        zoomed[4].as_deref().unwrap().parse().unwrap(),
    );
    assert!(
        step1 < step0,
        "a zoom re-queries at a finer step: {step1} s vs {step0} s"
    );
    assert!(
        start1 >= start0 - step0 && end1 <= end0 + step0,
        "the zoom is inside the first window"
    );
    assert!(
        (end1 - start1) * 3 < (end0 - start0),
        "about a fifth of the range"
    );

    // Back returns to the 3 h view; forward to the zoom.
    browser.js("history.back(); return true").await;
    browser.wait_true(&format!("const p = document.querySelector(\"[data-panel='request-rate']\"); return !location.search.includes('from=') && p.dataset.step === '{step0}'"),
        "back",
    )
    .await;
    browser.js("history.forward(); return true").await;
    browser.wait_true(&format!("const p = document.querySelector(\"[data-panel='request-rate']\"); return p.dataset.start === '{start1}' && p.dataset.state === 'ready'"),
        "forward",
    )
    .await;

    // The permalink, opened afresh, shows the same window, step and series.
    let link = browser
        .js("return location.href")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    browser.goto("about:blank").await;
    browser.goto(&link).await;
    browser
        .wait_for(
            "[data-panel='request-rate'][data-state='ready']",
            WAIT,
            "permalink",
        )
        .await;
    let again = facts(&browser, "request-rate").await;
    assert_eq!(
        &again[0..5],
        &zoomed[0..5],
        "the permalink reproduces the view"
    );
    browser.close().await;
}

#[tokio::test]
async fn prometheus_stopped_mid_session_turns_panels_to_error_and_they_recover() {
    let port: u16 = env("ARRWDB_E2E_FLAKY_PORT").parse().unwrap();
    let prometheus = env("ARRWDB_E2E_PROMETHEUS_URL");
    let up = Forwarder::start(port, &prometheus).await;
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_FLAKY_APP_URL")).await;
    wait_all(&browser, "[data-state='ready']", "flaky-ready").await;
    // This site's config.json has no `jaeger` section: the drill-down is `off`, not an error,
    // and nothing on the page counts as failed.
    let states = browser
        .js("return [document.querySelector(\"[data-panel='traces']\").dataset.state, document.querySelectorAll(\"[data-state='error']\").length]")
        .await;
    assert_eq!(states, serde_json::json!(["off", 0]), "without jaeger");

    up.stop().await;
    browser
        .js("document.querySelector(\"[data-control='refresh-now']\").click(); return true")
        .await;
    wait_all(
        &browser,
        "[data-state='error'][data-stale='failed']",
        "flaky-down",
    )
    .await;
    let text = browser
        .js("return document.querySelector(\"[data-panel='request-rate']\").innerText")
        .await;
    assert!(
        text.as_str()
            .unwrap()
            .contains("Could not reach Prometheus"),
        "{text}"
    );
    // The last chart stays under the message.
    assert_ne!(facts(&browser, "request-rate").await[0], None);

    // Redraws during the outage (a resize, an isolated series) keep the stale mark: the page
    // never claims fresh data it does not have.
    let width_before = browser
        .js("return document.querySelector(\"[data-panel='request-rate'] canvas\").width")
        .await;
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 1000, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
    browser
        .wait_true(
            &format!("return document.querySelector(\"[data-panel='request-rate'] canvas\").width !== {width_before}"),
            "flaky-resized",
        )
        .await;
    browser
        .js("document.querySelector(\"[data-panel='request-rate'] table.legend tr[data-series-name]\").click(); return true")
        .await;
    browser
        .wait_true(
            "return document.querySelector(\"[data-panel='request-rate'] table.legend tr.selected\") !== null",
            "flaky-isolated",
        )
        .await;
    let marks = browser
        .js("return Array.from(document.querySelectorAll('section.panel:not(.text)')).filter(p => p.dataset.panel !== 'traces').map(p => p.dataset.panel + ' ' + p.dataset.state + ' ' + p.dataset.stale)")
        .await;
    for mark in marks.as_array().unwrap() {
        let mark = mark.as_str().unwrap();
        assert!(mark.ends_with(" error failed"), "after a redraw during the outage: {mark}");
    }

    let _up = Forwarder::start(port, &prometheus).await;
    browser
        .js("document.querySelector(\"[data-control='refresh-now']\").click(); return true")
        .await;
    wait_all(
        &browser,
        "[data-state='ready']:not([data-stale])",
        "flaky-back",
    )
    .await;
    browser.close().await;
}

/// Hovers the request-rate chart at `fraction` of its canvas's width and answers the tooltip's
/// lines after the time: `series: value`.
async fn tooltip_at(browser: &Browser, fraction: f64, artifact: &str) -> Vec<String> {
    browser
        .js(&format!(
            "const c = document.querySelector(\"[data-panel='request-rate'] canvas\");
             const r = c.getBoundingClientRect();
             c.dispatchEvent(new PointerEvent('pointermove', {{bubbles: true, clientX: r.left + r.width * {fraction}, clientY: r.top + r.height / 2}}));
             return true"
        ))
        .await;
    let tip = "document.querySelector(\"[data-panel='request-rate'] .tooltip\").textContent";
    browser.wait_true(&format!("return {tip}.includes(': ')"), artifact).await;
    let text = browser.js(&format!("return {tip}")).await;
    text.as_str().unwrap().lines().skip(1).map(str::to_owned).collect()
}

/// Over a stretch of the range where Prometheus has no sample (before the backfilled day), the
/// tooltip says "–" for every series instead of the nearest value, however far; over the data,
/// it gives values.
#[tokio::test]
async fn the_tooltip_shows_no_value_where_there_is_no_data() {
    let now = now_secs();
    let browser = Browser::start(1280, 900).await;
    // Two days: the first has no sample (the demo backfills 24 h).
    let url = format!("{}?panel=request-rate&refresh=off&from={}&to={now}", env("ARRWDB_E2E_APP_URL"), now - 48 * 3_600);
    browser.goto(&url).await;
    browser
        .wait_for("[data-panel='request-rate'][data-state='ready'][data-series]", WAIT, "tooltip-ready")
        .await;
    let empty = tooltip_at(&browser, 0.3, "tooltip-empty-stretch").await;
    assert!(!empty.is_empty(), "no series in the tooltip");
    for line in &empty {
        assert!(line.ends_with(": –"), "a value where Prometheus has none: {line:?} in {empty:?}");
    }
    let full = tooltip_at(&browser, 0.9, "tooltip-data").await;
    assert!(
        full.iter().any(|line| !line.ends_with(": –")),
        "no value over the data: {full:?}"
    );
    browser.close().await;
}

/// A Prometheus slower than the refresh (answers 12 s late, a refresh every 5 s): a refresh
/// that comes due while the answer is on its way does not abort it; the panel is marked late,
/// and the data arrives.
#[tokio::test]
async fn answers_slower_than_the_refresh_still_arrive() {
    let port: u16 = env("ARRWDB_E2E_SLOW_PORT").parse().unwrap();
    let slow = Forwarder::start_delayed(port, &env("ARRWDB_E2E_PROMETHEUS_URL"), Duration::from_secs(12)).await;
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}?panel=request-rate", env("ARRWDB_E2E_SLOW_APP_URL"))).await;
    let panel = "[data-panel='request-rate']";
    // The metric names take 12 s, then the panel's query 12 s, over two refreshes.
    browser
        .wait_for(&format!("{panel}[data-stale='late']"), Duration::from_secs(60), "slow-late")
        .await;
    browser
        .wait_for(&format!("{panel}[data-state='ready'][data-series]"), Duration::from_secs(60), "slow-ready")
        .await;
    slow.stop().await;
    browser.close().await;
}

/// A portal's URL (kiosk, one panel, parameters of its own) is put in canonical form in place:
/// no history entry is added on load or on back/forward, unknown parameters stay, Back and
/// Forward move between the user's own changes, and Back from the first one leaves the page.
#[tokio::test]
async fn a_portal_url_keeps_its_parameters_and_back_and_forward_work() {
    let browser = Browser::start(1280, 900).await;
    let app = env("ARRWDB_E2E_APP_URL");
    // The portal's own page before it, to come back to.
    browser.goto(&format!("{app}config.json")).await;
    browser
        .goto(&format!("{app}?kiosk&panel=latency&range=1h&refresh=off&foo=bar"))
        .await;
    let canonical = "?refresh=off&panel=latency&kiosk&foo=bar";
    let changed = "?range=6h&refresh=off&panel=latency&kiosk&foo=bar";
    browser
        .wait_true(
            "const p = document.querySelector(\"[data-panel='latency']\"); return !!p && p.dataset.state === 'ready'",
            "portal-url-ready",
        )
        .await;
    let first = browser.js("return [location.search, history.length]").await;
    assert_eq!(first[0], canonical, "canonical, foo kept");
    let entries = first[1].as_i64().unwrap();
    let step_1h = facts(&browser, "latency").await[4].clone().unwrap_or_default();
    let on = |search: &str, step_test: &str| {
        format!(
            "const p = document.querySelector(\"[data-panel='latency']\"); \
             return location.search === '{search}' && p.dataset.state === 'ready' && p.dataset.step {step_test} '{step_1h}'"
        )
    };
    let history_length = || async { browser.js("return history.length").await.as_i64().unwrap() };

    // A change the user makes is one new entry.
    browser
        .js("const s = document.querySelector(\"[data-control='range']\"); s.value = '6h'; s.dispatchEvent(new Event('change')); return true")
        .await;
    browser.wait_true(&on(changed, "!=="), "portal-url-6h").await;
    assert_eq!(history_length().await, entries + 1);

    // Back returns to the first state and adds nothing; Forward goes to the change again.
    browser.js("history.back(); return true").await;
    browser.wait_true(&on(canonical, "==="), "portal-url-back").await;
    assert_eq!(history_length().await, entries + 1);
    browser.js("history.forward(); return true").await;
    browser.wait_true(&on(changed, "!=="), "portal-url-forward").await;
    assert_eq!(history_length().await, entries + 1);

    // Two Backs leave the page: its load added no entry to come back through.
    browser.js("history.back(); return true").await;
    browser.wait_true(&on(canonical, "==="), "portal-url-back-again").await;
    browser.js("history.back(); return true").await;
    browser
        .wait_true("return location.pathname.endsWith('/config.json')", "portal-url-left")
        .await;
    browser.close().await;
}

/// A Prometheus that takes connections and never answers: every panel gives up after the
/// configured timeout (`prometheus.timeout_secs`, 5 s on this site) with its own sentence,
/// instead of "Loading…" for ever, and recovers when Prometheus answers again.
#[tokio::test]
async fn a_prometheus_that_never_answers_times_out_with_its_own_sentence() {
    let port: u16 = env("ARRWDB_E2E_FLAKY_PORT").parse().unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    // Holds every connection open, reading nothing and answering nothing.
    let hang = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let browser = Browser::start(1280, 900).await;
    browser.goto(&env("ARRWDB_E2E_FLAKY_APP_URL")).await;
    let panel = "[data-panel='request-rate']";
    browser
        .wait_true(
            &format!("const p = document.querySelector(\"{panel}\"); return !!p && p.dataset.state === 'error'"),
            "timed-out",
        )
        .await;
    let text = browser
        .js(&format!("return document.querySelector(\"{panel}\").innerText"))
        .await;
    assert!(
        text.as_str().unwrap().contains("did not answer within 5 s"),
        "{text}"
    );
    hang.abort();
    let _ = hang.await;

    let _up = Forwarder::start(port, &env("ARRWDB_E2E_PROMETHEUS_URL")).await;
    browser
        .js("document.querySelector(\"[data-control='refresh-now']\").click(); return true")
        .await;
    browser
        .wait_true(
            &format!("const p = document.querySelector(\"{panel}\"); return p.dataset.state === 'ready' && !p.dataset.stale"),
            "timed-out-back",
        )
        .await;
    browser.close().await;
}

/// One CSV field list per line of `csv` (RFC 4180: quoted fields, doubled quotes, CRLF).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    rows
}

/// Inspect's "Download CSV" of the request-rate chart: one column per series Prometheus answered
/// to the panel's query (its own text for every value, a gap empty), one row per timestamp, in
/// RFC 3339 and Unix seconds.
#[tokio::test]
async fn the_request_rate_csv_is_prometheus_s_answer_to_the_panel_s_query() {
    let browser = Browser::start(1280, 1000).await;
    let downloads = std::path::PathBuf::from(env("ARRWDB_E2E_ARTIFACTS")).join("downloads");
    let _ = std::fs::remove_dir_all(&downloads);
    std::fs::create_dir_all(&downloads).unwrap();
    browser
        .cdp("Browser.setDownloadBehavior", serde_json::json!({"behavior": "allow", "downloadPath": downloads.to_str().unwrap()}))
        .await;
    let to = now_secs() - 600;
    browser.goto(&format!("{}?refresh=off&from={}&to={to}&panel=request-rate", env("ARRWDB_E2E_APP_URL"), to - 3_600)).await;
    browser.wait_for("[data-panel='request-rate'][data-state='ready']", WAIT, "csv-ready").await;
    let f = facts(&browser, "request-rate").await;
    let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
    browser
        .js("const i = document.querySelector(\"[data-panel='request-rate'] details.inspect\"); i.open = true; return true")
        .await;
    browser
        .wait_true("const b = document.querySelector(\"[data-panel='request-rate'] button[data-action='download-csv']\"); if (!b) return false; if (b.textContent === 'Download CSV') b.click(); return b.textContent === 'Downloaded'", "csv-downloaded")
        .await;
    let file = downloads.join("request-rate.csv");
    let mut csv = String::new();
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(&file) {
            csv = text;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!csv.is_empty(), "no {}", file.display());
    let answer = e2e::prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!("/api/v1/query_range?query={}&start={start}&end={end}&step={step}", e2e::urlencode(&query)),
    )
    .await;
    let rows = csv_rows(&csv);
    assert_eq!(rows[0][..2], ["time_rfc3339", "time_unix"]);
    let drawn: Vec<&Value> = answer["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["metric"].get("arrwdb_ops_series_count").is_none())
        .collect();
    assert_eq!(rows[0].len(), 2 + drawn.len(), "a column per series: {:?}", rows[0]);
    for series in drawn {
        let labels: arrwdb_ops::core::prom::Labels = series["metric"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let name = arrwdb_ops::core::export::series_column_name(&labels);
        let column = rows[0].iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", rows[0]));
        let values = series["values"].as_array().unwrap();
        for row in &rows[1..] {
            let at = values.iter().find(|p| p[0].as_f64().unwrap().to_string() == row[1]);
            let expected = at.map(|p| p[1].as_str().unwrap()).unwrap_or("");
            assert_eq!(row[column], expected, "{name} at {}", row[1]);
        }
        for p in values {
            assert!(rows.iter().any(|r| r[1] == p[0].as_f64().unwrap().to_string()), "a row for {}", p[0]);
        }
    }
    browser.close().await;
}
