//! Alerts, rule health and SLOs in a real browser against the demo's real Prometheus. The stack
//! starts while the simulator's scheduled error spike is under way (its incidents are anchored two
//! minutes before the live data begins), so the guide's `HighErrorRate` goes pending, then firing,
//! in the first minutes; this file's name sorts first, so it runs while that lasts.

use std::time::Duration;

use e2e::{env, prometheus_query, urlencode, Browser};
use serde_json::Value;

/// How long the incident may take to show: Prometheus evaluates the rules every 30 s, the page
/// refreshes every 5 s.
const INCIDENT_WAIT: Duration = Duration::from_secs(150);

/// `(data-state, data-health, text)` of every row of the alerts panel, keyed `group/rule`.
const ROWS: &str = "const out = {}; \
     for (const tr of document.querySelectorAll('[data-panel=alerts] tr[data-rule]')) \
       out[tr.dataset.group + '/' + tr.dataset.rule] = [tr.dataset.state, tr.dataset.health, tr.textContent]; \
     return out;";

async fn alerts_ready(browser: &Browser) {
    browser
        .wait_true(
            "return document.querySelector('[data-panel=alerts]').dataset.state === 'ready'",
            "the alerts panel is ready",
        )
        .await;
}

/// Prometheus's own state of the alert `name` in `group` (`inactive` when it has no alert).
async fn prometheus_state(group: &str, name: &str) -> String {
    let rules = prometheus_query(&env("ARRWDB_E2E_PROMETHEUS_URL"), "/api/v1/rules").await;
    rules["data"]["groups"]
        .as_array()
        .expect("rule groups")
        .iter()
        .filter(|g| g["name"] == group)
        .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
        .find(|r| r["name"] == name)
        .and_then(|r| r["state"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("Prometheus has no rule {group}/{name}: {rules}"))
}

#[tokio::test]
async fn the_incident_shows_as_a_pending_or_firing_rule_with_its_band_on_the_error_rate_chart() {
    let browser = Browser::start(1280, 2400).await;
    browser
        .goto(&format!("{}?refresh=5s", env("ARRWDB_E2E_APP_URL")))
        .await;
    alerts_ready(&browser).await;
    let deadline = tokio::time::Instant::now() + INCIDENT_WAIT;
    let row = loop {
        let rows = browser.js(ROWS).await;
        let row = rows["arrwdb_alerts/HighErrorRate"].clone();
        if matches!(row[0].as_str(), Some("pending" | "firing")) {
            break row;
        }
        if tokio::time::Instant::now() > deadline {
            browser.screenshot("alerts-no-incident").await;
            panic!(
                "HighErrorRate never went pending or firing on the page: {rows}; Prometheus says {}",
                prometheus_state("arrwdb_alerts", "HighErrorRate").await
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    // Prometheus agrees (the state may have moved on from pending to firing meanwhile).
    let theirs = prometheus_state("arrwdb_alerts", "HighErrorRate").await;
    assert!(
        matches!(theirs.as_str(), "pending" | "firing"),
        "Prometheus: {theirs}, page: {row}"
    );
    let text = row[2].as_str().unwrap_or_default();
    assert!(
        text.contains("P1"),
        "the guide's priority of a critical error-rate page: {text}"
    );
    assert!(text.contains("High HTTP error rate detected"), "{text}");
    // The annotation's template is expanded by Prometheus and shown as text.
    assert!(
        text.contains("Error rate is ") && !text.contains("{{"),
        "{text}"
    );

    // Firing rows come before pending ones, pending before the rest.
    let order = browser
        .js(
            "return Array.from(document.querySelectorAll('[data-panel=alerts] tr[data-rule]'))\
             .map(tr => tr.dataset.state);",
        )
        .await;
    let rank = |s: &Value| match s.as_str() {
        Some("firing") => 0,
        Some("pending") => 1,
        _ => 2,
    };
    let ranks: Vec<u8> = order.as_array().unwrap().iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{order}");

    // The band: on the error-rate chart, named after the rule; not on charts the rule does not
    // concern.
    // Prometheus writes the `ALERTS` series from a rule evaluation after the alert became
    // pending, so the band can lag the panel's state by an evaluation interval (30 s) and a
    // refresh: wait as long as for the incident itself.
    let band = "document.querySelector(\"[data-panel='error-rate'] .bands [data-alert=HighErrorRate]\") !== null";
    let deadline = tokio::time::Instant::now() + INCIDENT_WAIT;
    while browser.js(&format!("return {band}")).await != Value::Bool(true) {
        if tokio::time::Instant::now() > deadline {
            browser.screenshot("alerts-no-band").await;
            panic!(
                "no HighErrorRate band on the error-rate chart; Prometheus's ALERTS: {}",
                prometheus_query(
                    &env("ARRWDB_E2E_PROMETHEUS_URL"),
                    &format!("/api/v1/query?query={}", urlencode("ALERTS"))
                )
                .await
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let band = browser
        .js(
            "const b = document.querySelector(\"[data-panel='error-rate'] .bands [data-alert=HighErrorRate]\"); \
             return [b.className, b.dataset.from, b.dataset.to, b.querySelector('span').title];",
        )
        .await;
    assert!(
        matches!(band[0].as_str(), Some("pending" | "firing")),
        "{band}"
    );
    assert!(
        band[3]
            .as_str()
            .unwrap_or_default()
            .starts_with("HighErrorRate "),
        "{band}"
    );
    // Its start is when Prometheus's own ALERTS series for the rule begins (within a step).
    let (from, to): (i64, i64) = (
        band[1].as_str().unwrap().parse().unwrap(),
        band[2].as_str().unwrap().parse().unwrap(),
    );
    let facts = browser
        .js("const d = document.querySelector(\"[data-panel='error-rate']\").dataset; return [d.start, d.end, d.step];")
        .await;
    let num = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let (start, end, step) = (num(&facts[0]), num(&facts[1]), num(&facts[2]));
    let alerts = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!(
            "/api/v1/query_range?query={}&start={start}&end={end}&step={step}",
            urlencode(r#"ALERTS{alertname="HighErrorRate",alertstate=~"pending|firing"}"#)
        ),
    )
    .await;
    let first = alerts["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["metric"]["alertgroup"] != "guide_as_printed")
        .filter_map(|s| s["values"][0][0].as_f64())
        .fold(f64::INFINITY, f64::min);
    assert!(
        first.is_finite(),
        "Prometheus has no ALERTS for HighErrorRate: {alerts}"
    );
    assert!(
        (from as f64 - first).abs() <= step.max(30.0) && from < to,
        "band {from}–{to}, Prometheus's ALERTS begin at {first} (step {step})"
    );
    for other in ["memory", "cpu", "api-keys"] {
        let n = browser
            .js(&format!(
                "return document.querySelectorAll(\"[data-panel='{other}'] .bands [data-alert=HighErrorRate]\").length;"
            ))
            .await;
        assert_eq!(n, 0, "a HighErrorRate band on {other}");
    }
    browser.screenshot("alerts-incident").await;
    browser.close().await;
}

#[tokio::test]
async fn rule_health_flags_the_guide_rule_written_with_the_wrong_metric_name() {
    let browser = Browser::start(1280, 1600).await;
    browser
        .goto(&format!("{}?panel=alerts", env("ARRWDB_E2E_APP_URL")))
        .await;
    alerts_ready(&browser).await;
    // The rules show first; their health follows once every selector has been asked.
    browser
        .wait_true(
            "return !document.querySelector('[data-panel=alerts] .summary').textContent.includes('checking')",
            "rule health checked",
        )
        .await;
    let rows = browser.js(ROWS).await;
    let printed = &rows["guide_as_printed/HighErrorRate"];
    assert_eq!(printed[1], "problem", "{rows}");
    let text = printed[2].as_str().unwrap_or_default();
    assert!(
        text.contains(
            "HighErrorRate selects no series: `arrwdb_http_requests_total` does not exist; \
             `arrwdb_http_http_requests_total` does"
        ),
        "{text}"
    );
    // The same rule with the real names is healthy, and so is every other rule of the guide.
    for rule in [
        "HighErrorRate",
        "HighLatency",
        "HighMemoryUsage",
        "HighAuthFailureRate",
    ] {
        assert_eq!(
            rows[format!("arrwdb_alerts/{rule}")][1],
            "ok",
            "{rule}: {rows}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_slo_table_agrees_with_prometheus() {
    let browser = Browser::start(1280, 1200).await;
    browser
        .goto(&format!("{}?panel=slo", env("ARRWDB_E2E_APP_URL")))
        .await;
    browser
        .wait_true(
            "return document.querySelector('[data-panel=slo]').dataset.state === 'ready'",
            "the SLO panel is ready",
        )
        .await;
    let rows = browser
        .js(
            "const out = {}; \
             for (const tr of document.querySelectorAll('[data-panel=slo] tr[data-slo]')) \
               out[tr.dataset.slo] = [tr.dataset.state, tr.dataset.sli || null, tr.dataset.expr || null, \
                 tr.dataset.time, tr.querySelector('[data-burn-alert]').dataset.burnAlert, \
                 tr.querySelectorAll('td.num').length, tr.textContent]; \
             return out;",
        )
        .await;
    for key in ["availability", "latency_p95", "latency_p99", "error_rate"] {
        let row = &rows[key];
        assert!(
            matches!(row[0].as_str(), Some("met" | "missed")),
            "{key} is measured: {rows}"
        );
        assert!(
            matches!(row[4].as_str(), Some("ok" | "page" | "ticket")),
            "{key}: {rows}"
        );
        // SLI, allowed bad, bad, budget left and four burn rates.
        assert_eq!(row[5], 8, "{key}: {rows}");
        // The SLI is Prometheus's own answer to the expression the row names, at its time.
        let expr = row[2].as_str().expect("data-expr");
        let time = row[3].as_str().expect("data-time");
        let answer = prometheus_query(
            &env("ARRWDB_E2E_PROMETHEUS_URL"),
            &format!("/api/v1/query?query={}&time={time}", urlencode(expr)),
        )
        .await;
        let theirs: f64 = answer["data"]["result"][0]["value"][1]
            .as_str()
            .unwrap_or_else(|| panic!("{key}: no answer to {expr}: {answer}"))
            .parse()
            .unwrap();
        let ours: f64 = row[1].as_str().expect("data-sli").parse().unwrap();
        assert_eq!(
            ours, theirs,
            "{key}: page {ours}, Prometheus {theirs} for {expr} at {time}"
        );
    }
    // Only the buckets the SLOs count with are read (p95 under 500 ms: 0.5; p99 under 2 s: the
    // nearest bound below, 1.0; and +Inf), from the bounds Prometheus named, asked once.
    let query = browser.js("return document.querySelector('[data-panel=slo]').dataset.query").await;
    assert!(query.as_str().unwrap().contains(r#"le=~"\\+Inf|0\\.5|1\\.0""#), "{query}");
    let asked = browser
        .js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/label/le/values?')).length")
        .await;
    assert_eq!(asked, 1, "the bounds are asked once");
    // The window as the guide sets it by default.
    let text = rows["availability"][6].as_str().unwrap_or_default();
    assert!(text.contains("over 30 d"), "{text}");
    browser.screenshot("slo").await;
    browser.close().await;
}
