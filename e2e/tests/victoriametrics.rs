//! The page read through VictoriaMetrics (Debian's, single-node), which the test stack's
//! Prometheus remote-writes to and which holds the same imported history: nginx proxies the
//! site's `prometheus` to VictoriaMetrics's `/prometheus` path (an upstream with a path, as for
//! Mimir). Every panel is drawn, the numbers are VictoriaMetrics's own answers, the pickers
//! work, what VictoriaMetrics does not serve (a version) is said as such, and the rules come
//! from each cluster's Prometheus (`alerts.sources`).

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::panels::{backend_last_values, facts, legend, now_secs, ARRWDB_PANELS};
use e2e::{env, prometheus_query, Browser};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(e2e::WAIT_SECS);


/// VictoriaMetrics's Prometheus API.
fn vm_api() -> String {
    format!("{}/prometheus", env("ARRWDB_E2E_VM_URL"))
}

#[tokio::test]
async fn every_panel_reads_victoriametrics_and_shows_its_numbers() {
    let browser = Browser::start(1600, 1200).await;
    // A settled window of the imported history: VictoriaMetrics's answer no longer changes.
    let to = now_secs() - 3_600;
    browser.goto(&format!("{}?refresh=off&from={}&to={to}", env("ARRWDB_E2E_VM_APP_URL"), to - 3_600)).await;
    for id in ARRWDB_PANELS {
        browser.wait_for(&format!("[data-panel='{id}'][data-state='ready']"), WAIT, &format!("vm-{id}")).await;
    }
    for (id, labels) in [("request-rate", &["method", "handler"][..]), ("cpu", &["cluster", "instance"][..])] {
        let f = facts(&browser, id).await;
        let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
        let expected = backend_last_values(&vm_api(), &query, &start, &end, &step, labels).await;
        assert!(!expected.is_empty(), "{id}: VictoriaMetrics has the imported history");
        assert_eq!(legend(&browser, id).await, expected, "{id}: the legend is not VictoriaMetrics's answer");
    }
    assert_eq!(legend(&browser, "cpu").await.len(), 3, "one line per replica");
    browser.close().await;
}

#[tokio::test]
async fn the_pickers_take_victoriametrics_values_and_narrow_its_queries() {
    let browser = Browser::start(1600, 1200).await;
    browser.goto(&format!("{}?refresh=off&range=3h", env("ARRWDB_E2E_VM_APP_URL"))).await;
    let clusters = "details[data-control='cluster'] input";
    browser
        .wait_true(&format!("return Array.from(document.querySelectorAll(\"{clusters}\")).map(i => i.value).join() === 'eu-west,us-east'"), "vm-clusters")
        .await;
    browser
        .js(&format!("document.querySelector(\"{clusters}[value='us-east']\").click(); return true"))
        .await;
    let us_east = env("ARRWDB_E2E_INSTANCES").split(',').nth(2).unwrap().to_owned();
    browser
        .wait_true(
            &format!("const p = document.querySelector(\"[data-panel='memory']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('cluster=\"us-east\"') && p.dataset.series === '1'"),
            "vm-memory-us-east",
        )
        .await;
    assert_eq!(legend(&browser, "memory").await.keys().collect::<Vec<_>>(), [&format!("us-east {us_east}")]);
    browser
        .wait_true(
            &format!("return Array.from(document.querySelectorAll(\"details[data-control='instance'] input\")).map(i => i.value).join() === '{us_east}'"),
            "vm-instances-of-us-east",
        )
        .await;
    browser.close().await;
}

/// What VictoriaMetrics does not serve: a version of its own (said as such), and rules, which
/// come from each cluster's Prometheus (`alerts.sources`), each row named by its source; the
/// source that never answers is named in place and the others' rules are still shown.
#[tokio::test]
async fn what_victoriametrics_does_not_serve_is_said_or_comes_from_the_rule_sources() {
    let browser = Browser::start(1280, 1600).await;
    browser.goto(&format!("{}?refresh=off", env("ARRWDB_E2E_VM_APP_URL"))).await;
    // The sources panel: the API answers, with no version of its own.
    let row = "[data-panel='sources'] tr[data-source='prometheus']";
    browser.wait_for(&format!("{row}[data-verdict='ok']"), WAIT, "vm-sources").await;
    let version = browser.js(&format!("return document.querySelector(\"{row}\").dataset.version")).await;
    assert!(version.as_str().unwrap().contains("VictoriaMetrics"), "{version}");

    browser.wait_for("[data-panel='alerts'][data-state='ready']", WAIT, "vm-alerts").await;
    let mut expected = BTreeSet::new();
    for (cluster, url) in ["eu-west", "us-east"].iter().zip(env("ARRWDB_E2E_CLUSTER_PROMETHEUS_URLS").split(',')) {
        let answer = prometheus_query(url, "/api/v1/rules").await;
        for group in answer["data"]["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                expected.insert(format!("{cluster} {}", rule["name"].as_str().unwrap()));
            }
        }
    }
    assert!(expected.len() > 2, "each cluster's Prometheus has rules: {expected:?}");
    let shown = browser
        .js("return Array.from(document.querySelectorAll(\"[data-panel='alerts'] tr[data-rule]\")).map(r => r.dataset.source + ' ' + r.dataset.rule)")
        .await;
    let shown: BTreeSet<String> = shown.as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    assert_eq!(shown, expected, "the alerts panel lists each cluster's rules under its name");
    let warnings = browser
        .js("return Array.from(document.querySelectorAll(\"[data-panel='alerts'] p.notes\")).map(p => p.textContent)")
        .await;
    let warnings = warnings.as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // Named by its own address (`http://127.0.0.1:<dead port>`), not the query backend's
    // (`prometheus`, relative).
    let sentence = warnings[0].as_str().unwrap();
    assert!(sentence.starts_with("gone: ") && sentence.contains("http://127.0.0.1:"), "the dead source is named: {warnings:?}");
    browser.close().await;
}

/// The exemplar requests a change of range brings, once the sources panel has found (or not)
/// which backend answers.
async fn exemplar_requests_after_a_range_change(browser: &Browser, app: &str) -> u64 {
    browser.goto(&format!("{app}?refresh=off&range=1h")).await;
    browser.wait_for("[data-panel='sources'] tr[data-source='prometheus'][data-verdict='ok']", WAIT, "flavor-probe").await;
    browser.wait_for("[data-panel='latency'][data-state='ready']", WAIT, "flavor-latency").await;
    browser.js("performance.setResourceTimingBufferSize(100000); window.since = performance.now(); const s = document.querySelector(\"[data-control='range']\"); s.value = '3h'; s.dispatchEvent(new Event('change')); return true").await;
    browser
        .wait_true("const p = document.querySelector(\"[data-panel='latency']\"); return p.dataset.state === 'ready' && p.dataset.query && document.querySelector(\"[data-control='range']\").value === '3h'", "flavor-3h")
        .await;
    // The scatter asks Jaeger, then Prometheus: give it the time to.
    tokio::time::sleep(Duration::from_secs(3)).await;
    browser
        .js("return performance.getEntriesByType('resource').filter(e => e.startTime >= window.since && e.name.includes('/api/v1/query_exemplars')).length")
        .await
        .as_u64()
        .unwrap()
}

/// VictoriaMetrics asked for what it does not serve, with no `alerts.sources` and no
/// `prometheus.flavor`: the page finds which backend it is from its build information, says
/// on the sources panel what it lacks and on the alerts panel why there are no rules (not the
/// general advice), and stops asking it for exemplars, which a Prometheus page does ask for.
#[tokio::test]
async fn victoriametrics_found_by_its_answer_is_told_apart_from_prometheus() {
    let browser = Browser::start(1280, 1600).await;
    let bare = env("ARRWDB_E2E_VM_BARE_APP_URL");
    assert_eq!(exemplar_requests_after_a_range_change(&browser, &bare).await, 0, "VictoriaMetrics is not asked for exemplars");
    let fix = browser
        .js("return document.querySelector(\"[data-panel='sources'] tr[data-source='prometheus'] p.fix\").textContent")
        .await;
    assert!(fix.as_str().unwrap().starts_with("VictoriaMetrics serves no exemplars"), "{fix}");
    browser.wait_for("[data-panel='alerts'][data-state='ready']", WAIT, "bare-alerts").await;
    let empty = browser.js("return document.querySelector(\"[data-panel='alerts'] p.empty\").textContent").await;
    assert!(empty.as_str().unwrap().starts_with("Rules are not served by VictoriaMetrics without vmalert"), "{empty}");
    // Alone on its page (`?panel=`, as embedded, no sources panel), the alerts panel knows too:
    // the dashboard probes the backend, not the sources panel.
    browser.goto(&format!("{bare}?refresh=off&panel=alerts")).await;
    browser
        .wait_true(
            "const p = document.querySelector(\"[data-panel='alerts'] p.empty\"); return !!p && p.textContent.startsWith('Rules are not served by VictoriaMetrics without vmalert')",
            "alone-alerts",
        )
        .await;
    // The same steps on the Prometheus page do ask for exemplars, and name no limit.
    let asked = exemplar_requests_after_a_range_change(&browser, &env("ARRWDB_E2E_APP_URL")).await;
    assert!(asked >= 1, "a Prometheus is asked for exemplars: {asked}");
    let fixes = browser.js("return document.querySelectorAll(\"[data-panel='sources'] tr[data-source='prometheus'] p.fix\").length").await;
    assert_eq!(fixes, serde_json::json!(0));
    browser.close().await;
}

/// A panel's Inspect says exactly what it asked and what came back: each query as sent (the
/// panel's `data-query`), its window and step; the series count is the backend's own answer's;
/// "Open in Prometheus" is the graph URL of Prometheus 2.x for that query, window and step
/// (the fleet Prometheus's UI answers it); "Copy PromQL" puts the queries on the clipboard.
#[tokio::test]
async fn inspect_shows_what_the_panel_asked_and_opens_it_in_prometheus() {
    let browser = Browser::start(1280, 1600).await;
    let to = now_secs() - 600;
    browser.goto(&format!("{}?refresh=off&from={}&to={to}", env("ARRWDB_E2E_VM_APP_URL"), to - 3_600)).await;
    browser.wait_for("[data-panel='request-rate'][data-state='ready']", WAIT, "inspect-ready").await;
    browser.js("document.querySelector(\"[data-panel='request-rate'] details.inspect summary\").click(); return true").await;
    let f = facts(&browser, "request-rate").await;
    let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
    let shown = browser
        .js("const i = document.querySelector(\"[data-panel='request-rate'] details.inspect\"); return [i.open, Array.from(i.querySelectorAll('pre.promql')).map(p => p.textContent).join('\\n'), Array.from(i.querySelectorAll('dd')).map(d => d.textContent), Array.from(i.querySelectorAll(\"a[data-link='prometheus']\")).map(a => a.href)]")
        .await;
    assert_eq!(shown[0], Value::Bool(true));
    assert_eq!(shown[1].as_str(), Some(query.as_str()), "the queries as sent");
    let dd: Vec<&str> = shown[2].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    let step_secs: u64 = step.parse().unwrap();
    assert_eq!(dd[1], arrwdb_ops::core::state::format_duration(step_secs), "{dd:?}");
    let answer = prometheus_query(&vm_api(), &format!("/api/v1/query_range?query={}&start={start}&end={end}&step={step}", e2e::urlencode(&query))).await;
    let drawn_lines = answer["data"]["result"].as_array().unwrap().iter().filter(|s| s["metric"].get("arrwdb_ops_series_count").is_none()).count();
    assert!(dd[3].starts_with(&format!("{drawn_lines} series, ")), "the backend's series: {dd:?}");
    let expected = arrwdb_ops::core::links::prometheus_graph_link(
        env("ARRWDB_E2E_PROMETHEUS_URL").trim_end_matches('/'),
        arrwdb_ops::core::links::PrometheusUi::V2,
        &query,
        end.parse().unwrap(),
        (end.parse::<f64>().unwrap() - start.parse::<f64>().unwrap()).round() as u64,
        arrwdb_ops::core::time::Step::from_secs(step_secs).unwrap(),
    )
    .unwrap();
    assert_eq!(shown[3], serde_json::json!([expected]), "Open in Prometheus");
    // The Prometheus UI answers the link, as a browser follows it (Debian's 2.42, which has no
    // React UI, redirects `/graph?…` to `/graph/?…` and then to `/classic/graph?…`, the query
    // kept).
    let prometheus_ui = env("ARRWDB_E2E_PROMETHEUS_URL");
    let mut path = expected[expected.find("/graph").unwrap()..].to_owned();
    let mut redirects = 0;
    let head = loop {
        let (head, _) = e2e::http_get(&prometheus_ui, &path, e2e::HttpVersion::V10, &[]).await;
        redirects += 1;
        assert!(redirects <= 5, "redirected in circles: {head}");
        let location = head.lines().find_map(|l| l.strip_prefix("Location: ")).map(str::to_owned);
        match location {
            Some(next) if (head.contains(" 301 ") || head.contains(" 302 ")) && next != path => {
                assert!(next.ends_with(&path[path.find('?').unwrap()..]), "the redirect keeps the query: {next}");
                path = next;
            }
            _ => break head,
        }
    };
    assert!(head.contains(" 200 "), "the Prometheus UI answers the link: {head}");
    // Copy PromQL, with the clipboard allowed as a user's click allows it.
    browser.cdp("Browser.grantPermissions", serde_json::json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})).await;
    browser.js("document.querySelector(\"[data-panel='request-rate'] button[data-action='copy-promql']\").click(); return true").await;
    browser
        .wait_true("return document.querySelector(\"[data-panel='request-rate'] button[data-action='copy-promql']\").textContent === 'Copied'", "inspect-copied")
        .await;
    let copied = browser.js("return navigator.clipboard.readText()").await;
    assert_eq!(copied.as_str(), Some(query.as_str()));
    browser.close().await;
}

/// The live data reaches VictoriaMetrics from one Prometheus per cluster, which names its
/// cluster in `external_labels`: over the last two minutes (after the imported history), the
/// CPU panel still has one line per replica, each under its cluster.
#[tokio::test]
async fn live_data_comes_from_the_per_cluster_prometheus_servers() {
    let browser = Browser::start(1280, 900).await;
    let now = now_secs();
    browser
        .goto(&format!("{}?panel=cpu&refresh=off&from={}&to={}", env("ARRWDB_E2E_VM_APP_URL"), now - 150, now - 30))
        .await;
    browser.wait_for("[data-panel='cpu'][data-state='ready']", WAIT, "vm-live-cpu").await;
    let all = env("ARRWDB_E2E_INSTANCES");
    let all: Vec<&str> = all.split(',').collect();
    let mut expected: Vec<String> =
        ["eu-west", "eu-west", "us-east"].iter().zip(&all).map(|(c, i)| format!("{c} {i}")).collect();
    expected.sort();
    assert_eq!(legend(&browser, "cpu").await.into_keys().collect::<Vec<_>>(), expected);
    browser.close().await;
}
