//! Replicas and clusters in the real browser against the test stack's Prometheus: three arrwDB
//! replicas in two clusters (`eu-west`: replicas 1 and 2, `us-east`: replica 3; see
//! `xtask::stack::REPLICA_CLUSTERS`). The pickers take their values from Prometheus, narrow
//! every panel, live in the URL, and the numbers shown for a replica are Prometheus's own.

use std::time::Duration;

use e2e::panels::{facts, legend, now_secs, prometheus_last_values, ARRWDB_PANELS};
use e2e::{env, Browser};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(e2e::WAIT_SECS);


/// The replicas' `instance` labels, in replica order (`ARRWDB_E2E_INSTANCES`).
fn instances() -> Vec<String> {
    env("ARRWDB_E2E_INSTANCES").split(',').map(str::to_owned).collect()
}

/// Ticks the checkbox of `value` in the picker `control` (`cluster` or `instance`), as a user
/// does: open the picker, click the box.
async fn pick(browser: &Browser, control: &str, value: &str) {
    let picker = format!("details[data-control='{control}']");
    browser.wait_for(&format!("{picker} input[value='{value}']"), WAIT, &format!("picker-{control}")).await;
    browser
        .js(&format!(
            "const d = document.querySelector(\"{picker}\"); if (!d.open) d.querySelector('summary').click(); \
             d.querySelector(\"input[value='{value}']\").click(); return true"
        ))
        .await;
}

/// Waits until a picker offers `expected`, in order (its values are asked after the charts'
/// first answers).
async fn wait_offered(browser: &Browser, control: &str, expected: &[String]) {
    let expected = serde_json::to_string(expected).unwrap();
    browser
        .wait_true(
            &format!(
                "return JSON.stringify(Array.from(document.querySelectorAll(\"details[data-control='{control}'] input\")).map(i => i.value)) === '{expected}'"
            ),
            &format!("{control}-offers-{expected}"),
        )
        .await;
}

async fn wait_ready(browser: &Browser, ids: &[&str], artifact: &str) {
    for id in ids {
        browser.wait_for(&format!("[data-panel='{id}'][data-state='ready']"), WAIT, artifact).await;
    }
}

#[tokio::test]
async fn a_replica_chosen_in_the_page_shows_prometheus_numbers_for_that_replica() {
    let browser = Browser::start(1600, 1200).await;
    // A settled window: Prometheus's answer for it no longer changes.
    let to = now_secs() - 120;
    let base = format!("{}?refresh=off&from={}&to={to}", env("ARRWDB_E2E_APP_URL"), to - 3_600);
    browser.goto(&base).await;
    wait_ready(&browser, &["cpu", "request-rate"], "replicas-first").await;
    // One line per replica, named by cluster and address.
    let all = instances();
    let shown = legend(&browser, "cpu").await;
    let mut expected_names: Vec<String> =
        ["eu-west", "eu-west", "us-east"].iter().zip(&all).map(|(c, i)| format!("{c} {i}")).collect();
    expected_names.sort();
    assert_eq!(shown.keys().cloned().collect::<Vec<_>>(), expected_names, "cpu: one line per replica");
    let mut sorted = all.clone();
    sorted.sort();
    // The replica picker lists Prometheus's replicas.
    wait_offered(&browser, "instance", &sorted).await;

    let chosen = &all[1];
    pick(&browser, "instance", chosen).await;
    browser
        .wait_true(&format!("return new URLSearchParams(location.search).getAll('instance').join() === '{chosen}'"), "instance-in-url")
        .await;
    for id in ARRWDB_PANELS {
        browser
            .wait_true(
                &format!("const p = document.querySelector(\"[data-panel='{id}']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('instance=\"{chosen}\"')"),
                &format!("narrowed-{id}"),
            )
            .await;
    }
    // The page's numbers for the replica are Prometheus's own answer for it.
    for (id, labels) in [("cpu", &["cluster", "instance"][..]), ("request-rate", &["method", "handler"][..])] {
        let f = facts(&browser, id).await;
        let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
        let expected = prometheus_last_values(&query, &start, &end, &step, labels).await;
        assert!(!expected.is_empty(), "{id}: Prometheus has data for {chosen}");
        assert_eq!(legend(&browser, id).await, expected, "{id}: the legend is not Prometheus's answer for {chosen}");
    }
    assert_eq!(legend(&browser, "cpu").await.keys().collect::<Vec<_>>(), [&format!("eu-west {chosen}")]);

    // The choice is the URL's: a reload keeps it, and Back undoes it.
    browser.goto(&browser.js("return location.href").await.as_str().unwrap().to_owned()).await;
    wait_ready(&browser, &["cpu"], "replicas-reloaded").await;
    let summary = browser.js("return document.querySelector(\"details[data-control='instance'] summary\").textContent").await;
    assert_eq!(summary.as_str(), Some(format!("Replica: {chosen}").as_str()));
    assert_eq!(legend(&browser, "cpu").await.len(), 1);
    browser.js("history.back(); return true").await;
    browser.wait_true("return !location.search.includes('instance=')", "instance-back").await;
    browser
        .wait_true("const p = document.querySelector(\"[data-panel='cpu']\"); return p.dataset.state === 'ready' && p.dataset.series === '3'", "cpu-all-again")
        .await;
    browser.close().await;
}

/// "By replica" on the overview panels: one click splits request rate, error rate and
/// latency (its p95) into one line per replica, each equal to Prometheus's own answer to the panel's
/// query; the choice is the URL's, and a second click gives the overall lines back.
#[tokio::test]
async fn the_by_replica_toggle_splits_the_overview_into_prometheus_answers_per_replica() {
    let browser = Browser::start(1600, 1200).await;
    let to = now_secs() - 120;
    browser.goto(&format!("{}?refresh=off&from={}&to={to}", env("ARRWDB_E2E_APP_URL"), to - 3_600)).await;
    let overview = ["request-rate", "error-rate", "latency"];
    wait_ready(&browser, &overview, "by-replica-first").await;
    browser.js("document.querySelector(\"[data-panel='latency'] input[data-control='by-replica']\").click(); return true").await;
    browser.wait_true("return new URLSearchParams(location.search).get('replicas') === '1'", "by-replica-url").await;
    let split_queries = |id: &str| {
        format!(
            "const p = document.querySelector(\"[data-panel='{id}']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('cluster, instance) (rate(')"
        )
    };
    for id in overview {
        browser.wait_true(&split_queries(id), &format!("by-replica-{id}")).await;
    }
    let mut replicas: Vec<String> =
        ["eu-west", "eu-west", "us-east"].iter().zip(instances()).map(|(c, i)| format!("{c} {i}")).collect();
    replicas.sort();
    for id in overview {
        let f = facts(&browser, id).await;
        let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
        // The per-replica line (the error rate's second, after its overall line).
        let per_replica = query.lines().last().unwrap();
        // Latency's lines are its p95 per replica, and say so.
        let (labels, names): (&[&str], Vec<String>) = match id {
            "latency" => (&["quantile", "cluster", "instance"], replicas.iter().map(|r| format!("p95 {r}")).collect()),
            _ => (&["cluster", "instance"], replicas.clone()),
        };
        let expected = prometheus_last_values(per_replica, &start, &end, &step, labels).await;
        assert_eq!(expected.keys().cloned().collect::<Vec<_>>(), names, "{id}: Prometheus has each replica");
        let mut shown = legend(&browser, id).await;
        if id == "error-rate" {
            assert!(shown.remove("all handlers").is_some(), "the error rate keeps its overall line");
        }
        assert_eq!(shown, expected, "{id}: the legend is not Prometheus's answer per replica");
        let ticked = browser.js(&format!("return document.querySelector(\"[data-panel='{id}'] input[data-control='by-replica']\").checked")).await;
        assert_eq!(ticked, Value::Bool(true), "{id}: its toggle says so");
    }
    // The URL keeps it over a reload; a second click gives the overall lines back.
    browser.goto(&browser.js("return location.href").await.as_str().unwrap().to_owned()).await;
    browser.wait_true(&split_queries("request-rate"), "by-replica-reloaded").await;
    let checked = browser.js("return document.querySelector(\"[data-panel='error-rate'] input[data-control='by-replica']\").checked").await;
    assert_eq!(checked, Value::Bool(true));
    browser.js("document.querySelector(\"[data-panel='request-rate'] input[data-control='by-replica']\").click(); return true").await;
    browser
        .wait_true("const p = document.querySelector(\"[data-panel='request-rate']\"); return !location.search.includes('replicas=') && p.dataset.state === 'ready' && p.dataset.query.includes('sum by (method, handler)')", "by-replica-off")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_cluster_picker_narrows_every_panel_and_scopes_the_replica_picker() {
    let browser = Browser::start(1600, 1200).await;
    browser.goto(&format!("{}?refresh=off", env("ARRWDB_E2E_APP_URL"))).await;
    wait_ready(&browser, ARRWDB_PANELS, "clusters-first").await;
    wait_offered(&browser, "cluster", &["eu-west".to_owned(), "us-east".to_owned()]).await;
    pick(&browser, "cluster", "us-east").await;
    browser.wait_true("return location.search.includes('cluster=us-east')", "cluster-in-url").await;
    for id in ARRWDB_PANELS.iter().chain(&["network"]) {
        browser
            .wait_true(
                &format!("const p = document.querySelector(\"[data-panel='{id}']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('cluster=\"us-east\"')"),
                &format!("cluster-{id}"),
            )
            .await;
    }
    // The replica picker offers the chosen cluster's replicas only.
    let us_east = instances()[2].clone();
    browser
        .wait_true(
            &format!("return Array.from(document.querySelectorAll(\"details[data-control='instance'] input\")).map(i => i.value).join() === '{us_east}'"),
            "instances-of-us-east",
        )
        .await;
    let memory = legend(&browser, "memory").await;
    assert_eq!(memory.keys().collect::<Vec<_>>(), [&format!("us-east {us_east}")]);
    // Both clusters chosen: a regex of the two, every replica back.
    pick(&browser, "cluster", "eu-west").await;
    browser
        .wait_true(
            "const p = document.querySelector(\"[data-panel='cpu']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('cluster=~') && p.dataset.series === '3'",
            "two-clusters",
        )
        .await;
    assert_eq!(
        browser.js("return new URLSearchParams(location.search).getAll('cluster')").await,
        Value::from(vec!["us-east", "eu-west"])
    );
    // A replica narrows arrwDB's panels, not node-exporter's (its `instance` is a host).
    pick(&browser, "instance", &us_east).await;
    browser
        .wait_true(
            &format!("const p = document.querySelector(\"[data-panel='cpu']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('instance=\"{us_east}\"')"),
            "replica-narrows-cpu",
        )
        .await;
    browser
        .wait_true("const p = document.querySelector(\"[data-panel='network']\"); return p.dataset.state === 'ready' && p.dataset.query.includes('cluster=~') && !p.dataset.query.includes('instance=')", "network-not-by-replica")
        .await;
    browser.close().await;
}

/// The simulator's memory climb strikes the last replica (us-east): over the last three hours
/// (which hold at least two of its hourly climbs), its line is the top one of the memory panel,
/// above the 90 %-of-16-GiB alert line, while the healthy ones stay far below.
#[tokio::test]
async fn the_sick_replica_is_the_top_line_of_the_memory_panel() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}?panel=memory&range=3h&refresh=off", env("ARRWDB_E2E_APP_URL"))).await;
    wait_ready(&browser, &["memory"], "memory-ready").await;
    let max_by_series = browser
        .js("return Array.from(document.querySelectorAll(\"[data-panel='memory'] table.legend tr[data-series-name]\")) \
             .map(r => [r.dataset.seriesName, r.querySelectorAll('td.num')[2].textContent])")
        .await;
    let rows: Vec<(String, f64)> = max_by_series
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = r[1].as_str().unwrap();
            let (number, unit) = text.split_once(' ').unwrap_or((text, ""));
            let gib = match unit {
                "GiB" => 1.0,
                "MiB" => 1.0 / 1024.0,
                other => panic!("memory in {other:?}: {text}"),
            };
            (r[0].as_str().unwrap().to_owned(), number.parse::<f64>().unwrap() * gib)
        })
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let top = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!(top.0, format!("us-east {}", instances()[2]), "{rows:?}");
    assert!(top.1 > 0.9 * 16.0, "the climb passes the alert line: {rows:?}");
    for (name, max) in rows.iter().filter(|r| r.0 != top.0) {
        assert!(*max < 0.7 * 16.0, "{name} is healthy: {rows:?}");
    }
    browser.close().await;
}

/// The errors table names the replica of each row: the simulator's error spike (under way when
/// the stack starts) strikes replica 2, so over the last hour the largest 5xx row is its own.
#[tokio::test]
async fn the_errors_table_names_the_replica() {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}?panel=errors-by-handler&refresh=off", env("ARRWDB_E2E_APP_URL"))).await;
    wait_ready(&browser, &["errors-by-handler"], "errors-table").await;
    let header = browser
        .js("return Array.from(document.querySelectorAll(\"[data-panel='errors-by-handler'] thead th\")).map(t => t.textContent)")
        .await;
    assert_eq!(header, Value::from(vec!["handler", "status", "replica", "errors"]));
    let rows = browser
        .js("return Array.from(document.querySelectorAll(\"[data-panel='errors-by-handler'] tbody tr:not(.more)\")) \
             .map(r => Array.from(r.querySelectorAll('td')).map(t => t.textContent))")
        .await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
    assert!(rows.iter().all(|r| r.len() == 4), "{rows:?}");
    // Rows are ranked: the first 5xx one is the largest.
    let first_5xx = rows.iter().find(|r| r[1].starts_with('5')).unwrap_or_else(|| panic!("no 5xx row: {rows:?}"));
    assert_eq!(first_5xx[2], format!("eu-west {}", instances()[1]), "{rows:?}");
    browser.close().await;
}

/// A replica that goes down is named under the in-flight chart (last in this file, by name: the
/// others see every replica up): the test makes the us-east replica answer 503 for 150 s (the
/// simulator's `POST /outage`, for the tests), waits until Prometheus has scraped it as
/// `up == 0`, and opens the window that ends in the outage. Then its ServiceDown alert fires
/// and reaches Alertmanager (see `the_alert_reaches_alertmanager`).
#[tokio::test]
async fn when_a_replica_goes_down_it_is_named_at_the_end_of_the_range() {
    let down = instances()[2].clone();
    // Long enough for ServiceDown (`for: 1m`) to fire and reach Alertmanager.
    let (status, _) = e2e::http_send(&down, "POST", "/outage?secs=150", None).await;
    assert_eq!(status, 200);
    let prometheus = env("ARRWDB_E2E_PROMETHEUS_URL");
    // The first sample of the outage, from Prometheus's own `up`.
    let selector = format!("up{{job=\"arrwdb\",instance=\"{down}\"}}");
    let mut down_at = None;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let answer = e2e::prometheus_query(&prometheus, &format!("/api/v1/query?query={}", e2e::urlencode(&format!("{selector}[40s]")))).await;
        let samples = answer["data"]["result"][0]["values"].as_array().cloned().unwrap_or_default();
        down_at = samples.iter().find(|s| s[1] == "0").and_then(|s| s[0].as_f64());
        if down_at.is_some() {
            break;
        }
    }
    let down_at = down_at.expect("Prometheus scraped the replica as down within a minute") as u64;
    let browser = Browser::start(1280, 900).await;
    browser
        .goto(&format!(
            "{}?panel=in-flight&refresh=off&from={}&to={}",
            env("ARRWDB_E2E_APP_URL"),
            down_at - 900,
            down_at + 15
        ))
        .await;
    browser.wait_for("[data-panel='in-flight'][data-state='ready']", WAIT, "down-in-flight").await;
    let notes = browser
        .js("return document.querySelector(\"[data-panel='in-flight'] .notes\").textContent")
        .await;
    assert_eq!(
        notes.as_str().unwrap(),
        format!("Replica us-east {down} is down at the end of the range (up = 0)."),
        "only the replica that is down is named"
    );
    // Before the outage, nobody is named.
    browser
        .goto(&format!("{}?panel=in-flight&refresh=off&from={}&to={}", env("ARRWDB_E2E_APP_URL"), down_at - 900, down_at - 30))
        .await;
    browser.wait_for("[data-panel='in-flight'][data-state='ready']", WAIT, "up-in-flight").await;
    let notes = browser
        .js("const n = document.querySelector(\"[data-panel='in-flight'] .notes\"); return n ? n.textContent : ''")
        .await;
    assert_eq!(notes.as_str().unwrap(), "", "every replica up before the outage");
    browser.close().await;
    the_alert_reaches_alertmanager(&prometheus, &down).await;
}

/// ServiceDown of the replica that is down, as Prometheus fires it, is in Alertmanager (Debian's,
/// with the guide's routes: deploy/alertmanager/alertmanager.yml), read with the page's own
/// decoders and lookup (`core::alertmanager`): active, routed to `pagerduty` (critical). A
/// silence made through Alertmanager's API then suppresses it, and the lookup names its author,
/// end and comment; the silence is expired afterwards.
async fn the_alert_reaches_alertmanager(prometheus: &str, down: &str) {
    use arrwdb_ops::core::alertmanager::{alerts_url, decode_alerts, decode_silences, lookup, silences_url, Delivery};
    use arrwdb_ops::core::time::rfc3339_utc;
    let firing = format!("ALERTS{{alertname=\"ServiceDown\",alertstate=\"firing\",instance=\"{down}\"}}");
    let mut labels = None;
    for _ in 0..60 {
        let answer = e2e::prometheus_query(prometheus, &format!("/api/v1/query?query={}", e2e::urlencode(&firing))).await;
        if let Some(metric) = answer["data"]["result"][0]["metric"].as_object() {
            labels = Some(metric.clone());
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let labels = labels.expect("ServiceDown fires within two minutes of the outage");
    // Prometheus's alert labels: the series' labels without the ALERTS bookkeeping.
    let mut prometheus_labels = arrwdb_ops::core::prom::Labels::default();
    for (k, v) in &labels {
        if k != "__name__" && k != "alertstate" {
            prometheus_labels.insert(k.clone(), v.as_str().unwrap().to_owned());
        }
    }
    let am = env("ARRWDB_E2E_ALERTMANAGER_URL");
    let am_addr = am.trim_start_matches("http://").to_owned();
    let path = |url: String| url.trim_start_matches(am.as_str()).to_owned();
    let ask = |url: String| {
        let addr = am_addr.clone();
        async move { e2e::http_send(&addr, "GET", &url, None).await }
    };
    let mut found = None;
    for _ in 0..30 {
        let (status, body) = ask(path(alerts_url(&am, &[]))).await;
        let alerts = decode_alerts(status, &body).unwrap_or_else(|e| panic!("{e}"));
        let seen = lookup(&prometheus_labels, &alerts, &[]);
        if seen.delivery == Delivery::Active {
            found = Some(seen);
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let seen = found.expect("Alertmanager holds the alert, active");
    assert_eq!(seen.receivers, ["pagerduty"], "critical alerts page (the guide's route)");

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let silence = format!(
        r#"{{"matchers":[{{"name":"alertname","value":"ServiceDown","isRegex":false,"isEqual":true}},{{"name":"instance","value":"{down}","isRegex":false,"isEqual":true}}],"startsAt":"{}","endsAt":"{}","createdBy":"e2e-oncall","comment":"replica drill <b>"}}"#,
        rfc3339_utc((now - 5) as f64),
        rfc3339_utc((now + 3_600) as f64)
    );
    let (status, created) = e2e::http_send(&am_addr, "POST", "/api/v2/silences", Some(&silence)).await;
    assert_eq!(status, 200, "{created}");
    let id = serde_json::from_str::<Value>(&created).unwrap()["silenceID"].as_str().unwrap().to_owned();
    let mut suppressed = None;
    for _ in 0..30 {
        let (status, body) = ask(path(alerts_url(&am, &[]))).await;
        let alerts = decode_alerts(status, &body).unwrap();
        let (status, body) = ask(path(silences_url(&am))).await;
        let silences = decode_silences(status, &body).unwrap();
        let seen = lookup(&prometheus_labels, &alerts, &silences);
        if seen.delivery == Delivery::Suppressed {
            suppressed = Some(seen);
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let seen = suppressed.expect("the silence suppresses the alert");
    assert_eq!(seen.silenced_by.len(), 1, "{seen:?}");
    let by = &seen.silenced_by[0];
    assert_eq!((by.id.as_str(), by.created_by.as_str(), by.comment.as_str()), (id.as_str(), "e2e-oncall", "replica drill <b>"));
    assert_eq!(by.ends_at_unix.map(|t| t.round() as u64), Some(now + 3_600));
    let (status, _) = e2e::http_send(&am_addr, "DELETE", &format!("/api/v2/silence/{id}"), None).await;
    assert_eq!(status, 200);
}

/// The pickers' values are of the range shown: a range the user chooses asks them again over it;
/// a refresh does not.
#[tokio::test]
async fn the_pickers_ask_their_values_again_over_a_range_the_user_chooses() {
    let browser = Browser::start(1600, 1200).await;
    browser.goto(&format!("{}?refresh=off&range=1h", env("ARRWDB_E2E_APP_URL"))).await;
    wait_offered(&browser, "cluster", &["eu-west".to_owned(), "us-east".to_owned()]).await;
    let starts = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/label/cluster/values?')).map(e => Number(new URL(e.name).searchParams.get('start')))";
    let asked = browser.js(starts).await;
    assert_eq!(asked.as_array().unwrap().len(), 1, "{asked}");
    browser.js("document.querySelector(\"[data-control='refresh-now']\").click(); return true").await;
    wait_ready(&browser, &["request-rate"], "pickers-refreshed").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(browser.js(starts).await.as_array().unwrap().len(), 1, "a refresh does not ask them again");
    browser
        .js("const s = document.querySelector(\"[data-control='range']\"); s.value = '6h'; s.dispatchEvent(new Event('change')); return true")
        .await;
    browser.wait_true(&format!("{starts}.length === 2"), "pickers-6h").await;
    let asked = browser.js(starts).await;
    let second = asked[1].as_f64().unwrap();
    let six_hours_ago = now_secs() as f64 - 6.0 * 3_600.0;
    assert!((second - six_hours_ago).abs() < 120.0, "asked over the 6 h chosen: {asked}");
    wait_offered(&browser, "cluster", &["eu-west".to_owned(), "us-east".to_owned()]).await;
    browser.close().await;
}
