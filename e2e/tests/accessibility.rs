//! axe-core (from the npm registry, installed by xtask) run in Chromium on the whole dashboard
//! and on an open drill-down: no violation of serious or critical impact, and none of the
//! landmark and table-header rules, whatever their impact.

use e2e::{env, Browser};
use serde_json::Value;

/// Rules checked whatever the impact axe gives them.
const ALWAYS: &[&str] = &[
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "region",
    "empty-table-header",
];

/// axe's violations on the current page: (rule, impact, how many nodes, the first targets).
async fn violations(browser: &Browser) -> Vec<Value> {
    let source = std::fs::read_to_string(env("ARRWDB_E2E_AXE_JS")).expect("axe-core is installed");
    browser.js(&format!("{source}\n;return true")).await;
    let found = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }) \
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, \
                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })))) \
               .catch(e => done([{ id: 'axe-error', impact: 'critical', nodes: 0, targets: [String(e)] }]));",
            vec![],
        )
        .await
        .expect("axe ran");
    found.as_array().cloned().unwrap_or_default()
}

fn failing(found: &[Value]) -> Vec<&Value> {
    found
        .iter()
        .filter(|v| {
            matches!(v["impact"].as_str(), Some("serious" | "critical"))
                || ALWAYS.contains(&v["id"].as_str().unwrap_or_default())
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_a_drill_down_pass_axe() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    browser.goto(&format!("{app}?refresh=off&theme=light")).await;
    browser
        .wait_true(
            "const ps = Array.from(document.querySelectorAll('[data-panel]:not([data-panel=traces])')); \
             return ps.length > 10 && ps.every(p => ['ready', 'empty'].includes(p.dataset.state))",
            "a11y-ready",
        )
        .await;
    let found = violations(&browser).await;
    assert!(failing(&found).is_empty(), "the dashboard: {found:#?}");

    // The drill-down of the first trace window of the error-rate chart, with a trace open.
    browser
        .wait_true(
            "const s = document.querySelector(\"[data-panel='error-rate'] .spike\"); if (s) s.click(); \
             const p = document.querySelector(\"[data-panel='traces']\"); return !!p && !p.hidden && p.dataset.state === 'ready'",
            "a11y-drill",
        )
        .await;
    browser
        .js("document.querySelector(\"[data-panel='traces'] tr[data-trace-id]\").click(); return true")
        .await;
    browser
        .wait_true(
            "const w = document.querySelector(\"[data-panel='traces'] .waterfall\"); return !!w && w.dataset.state === 'ready'",
            "a11y-waterfall",
        )
        .await;
    let found = violations(&browser).await;
    assert!(failing(&found).is_empty(), "the drill-down: {found:#?}");

    // Keyboard only: Enter on a legend row isolates its series.
    browser
        .js("const r = document.querySelector(\"[data-panel='request-rate'] table.legend tr[data-series-name]\"); r.focus(); \
             r.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); return true")
        .await;
    browser
        .wait_true("return location.search.includes('iso.request-rate=')", "a11y-keyboard-isolation")
        .await;

    // The same page, drill-down open, in the dark theme.
    browser
        .js("const s = document.querySelector(\"[data-control='theme']\"); s.value = 'dark'; \
             s.dispatchEvent(new Event('change')); return true")
        .await;
    browser
        .wait_true("return document.documentElement.dataset.theme === 'dark'", "a11y-dark")
        .await;
    let found = violations(&browser).await;
    assert!(failing(&found).is_empty(), "the dark theme: {found:#?}");
    browser.close().await;
}
