//! A metric with more series than a chart draws: the test stack's first replica exports 200
//! libraries besides the simulator's eight (`--bulk-libraries`, live data only). The backend
//! ranks and counts them (`topk`, `count` in the panel's query): the page downloads the ten it
//! draws, they are Prometheus's busiest, and the legend says how many more there are.

use std::time::Duration;

use e2e::panels::{facts, legend, now_secs, prometheus_last_values};
use e2e::{env, prometheus_query, urlencode, Browser};

const WAIT: Duration = Duration::from_secs(e2e::WAIT_SECS);

#[tokio::test]
async fn the_backend_ranks_a_metric_with_many_series_and_the_page_draws_its_busiest() {
    let browser = Browser::start(1280, 900).await;
    // The last minutes, where the bulk libraries exist.
    let now = now_secs();
    let (from, to) = (now - 600, now - 30);
    browser
        .goto(&format!("{}?panel=index-size&refresh=off&from={from}&to={to}", env("ARRWDB_E2E_APP_URL")))
        .await;
    browser.wait_for("[data-panel='index-size'][data-state='ready']", WAIT, "scale-index-size").await;
    let f = facts(&browser, "index-size").await;
    let (query, start, end, step) = (f[1].clone().unwrap(), f[2].clone().unwrap(), f[3].clone().unwrap(), f[4].clone().unwrap());
    assert_eq!(f[0].as_deref(), Some("10"), "ten series drawn: {f:?}");

    // What Prometheus answers to the page's query: the ten and the count, nothing more.
    let answer = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!("/api/v1/query_range?query={}&start={start}&end={end}&step={step}", urlencode(&query)),
    )
    .await;
    let result = answer["data"]["result"].as_array().expect("a matrix");
    assert_eq!(result.len(), 11, "the backend sends the busiest ten and one count: {query}");
    let expected = prometheus_last_values(&query, &start, &end, &step, &["library_id"]).await;
    assert_eq!(legend(&browser, "index-size").await, expected, "the legend is Prometheus's top ten");

    // Prometheus's own ranking of every library by its mean over the window (sampled as the page
    // ranks, about sixty times): the same ten.
    let range_secs = (end.parse::<f64>().unwrap() - start.parse::<f64>().unwrap()).round() as u64;
    let rank_secs = arrwdb_ops::core::panel_view::ranking_step_secs(range_secs, step.parse().unwrap());
    let inner = "sum by (library_id) (arrwdb_vector_index_size_bytes{job=\"arrwdb\"})";
    let all = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!(
            "/api/v1/query?query={}&time={end}",
            urlencode(&format!("topk(10, avg_over_time(({inner})[{range_secs}s:{rank_secs}s]))"))
        ),
    )
    .await;
    let mut busiest: Vec<String> = all["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["metric"]["library_id"].as_str().unwrap().to_owned())
        .collect();
    busiest.sort();
    assert_eq!(expected.keys().cloned().collect::<Vec<_>>(), busiest);

    // How many are hidden: every library of the window, less the ten.
    let count = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!(
            "/api/v1/query?query={}&time={end}",
            urlencode(&format!("count(last_over_time(({inner})[{range_secs}s:{rank_secs}s]))"))
        ),
    )
    .await;
    let count: usize = count["data"]["result"][0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!(count >= 208, "the bulk libraries are scraped: {count}");
    let note = browser
        .js("return document.querySelector(\"[data-panel='index-size'] [data-hidden-series]\").textContent")
        .await;
    assert_eq!(note.as_str().unwrap(), format!("{} series hidden (showing the 10 busiest)", count - 10));
    browser.close().await;
}
