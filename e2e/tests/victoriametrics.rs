//! The page read through VictoriaMetrics (Debian's, single-node), which the test stack's
//! Prometheus remote-writes to and which holds the same imported history: nginx proxies the
//! site's `prometheus` to VictoriaMetrics's `/prometheus` path (an upstream with a path, as for
//! Mimir). Every panel is drawn, the numbers are VictoriaMetrics's own answers, the pickers
//! work, and what VictoriaMetrics does not serve (rules, a version) is said as such.

use std::time::Duration;

use e2e::panels::{backend_last_values, facts, legend, now_secs, ARRWDB_PANELS};
use e2e::{env, Browser};

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

#[tokio::test]
async fn what_victoriametrics_does_not_serve_is_said_as_such() {
    let browser = Browser::start(1280, 1600).await;
    browser.goto(&format!("{}?refresh=off", env("ARRWDB_E2E_VM_APP_URL"))).await;
    // The sources panel: the API answers, with no version of its own.
    let row = "[data-panel='sources'] tr[data-source='prometheus']";
    browser.wait_for(&format!("{row}[data-verdict='ok']"), WAIT, "vm-sources").await;
    let version = browser.js(&format!("return document.querySelector(\"{row}\").dataset.version")).await;
    assert!(version.as_str().unwrap().contains("VictoriaMetrics"), "{version}");
    // The alerts panel: no rules, and where they would come from.
    browser.wait_for("[data-panel='alerts'][data-state='ready']", WAIT, "vm-alerts").await;
    let text = browser.js("return document.querySelector(\"[data-panel='alerts']\").innerText").await;
    let text = text.as_str().unwrap();
    assert!(text.contains("no rules loaded") && text.contains("vmalert"), "{text}");
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
