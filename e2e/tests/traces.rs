//! From an error spike to its traces, in a real browser against the simulator's Jaeger query
//! API (proxied by nginx like a real Jaeger): the spike marker opens the drill-down, the list is
//! exactly Jaeger's error traces of that window, a row opens its waterfall, the investigation
//! survives a reload; v1 with links to a Jaeger UI and Sentry; 10,000-span, hostile, skewed,
//! missing traces and an unreachable Jaeger.

use std::collections::BTreeSet;

use e2e::{env, http_get, prometheus_query, urlencode, Browser, HttpVersion};
use serde_json::Value;

const TRACES: &str = "[data-panel='traces']";
const SEARCH_OP: &str = "POST /v1/libraries/{library_id}/search";

async fn js_string(browser: &Browser, script: &str) -> String {
    match browser.js(script).await {
        Value::String(s) => s,
        other => panic!("`{script}` gave {other}"),
    }
}

/// The trace ids listed, in order.
async fn listed(browser: &Browser) -> Vec<String> {
    let v = browser
        .js(&format!("return Array.from(document.querySelectorAll(\"{TRACES} tr[data-trace-id]\")).map(r => r.dataset.traceId)"))
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Asks the Jaeger API directly (not through the page).
async fn jaeger(path_and_query: &str) -> Value {
    let (head, body) = http_get(
        &env("ARRWDB_E2E_JAEGER_URL"),
        path_and_query,
        HttpVersion::V10,
        &[],
    )
    .await;
    assert!(head.contains(" 200 "), "{path_and_query}: {head}");
    serde_json::from_slice(&body).unwrap()
}

/// (trace id, earliest span start in µs, error spans) of every trace of an OTLP answer.
fn otlp_traces(answer: &Value) -> Vec<(String, i64, usize)> {
    let mut out: Vec<(String, i64, usize)> = Vec::new();
    for rs in answer["result"]["resourceSpans"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
            for span in ss["spans"].as_array().into_iter().flatten() {
                let id = span["traceId"].as_str().unwrap().to_ascii_lowercase();
                let start_us = span["startTimeUnixNano"]
                    .as_str()
                    .unwrap()
                    .parse::<i64>()
                    .unwrap()
                    / 1_000;
                let error = span["status"]["code"] == Value::from(2)
                    || span["status"]["code"] == Value::from("STATUS_CODE_ERROR");
                match out.iter_mut().find(|t| t.0 == id) {
                    Some(t) => {
                        t.1 = t.1.min(start_us);
                        t.2 += usize::from(error);
                    }
                    None => out.push((id, start_us, usize::from(error))),
                }
            }
        }
    }
    out
}

/// Jaeger's RFC 3339, as the simulator writes it.
fn rfc3339(unix_secs: i64) -> String {
    arrwdb_sim::jaeger::format_rfc3339_ns(unix_secs as u64 * 1_000_000_000)
}

#[tokio::test]
async fn a_spike_marker_opens_exactly_jaegers_error_traces_of_its_window() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    browser.goto(&format!("{app}?range=1h&refresh=off")).await;
    // The simulator's error spike of this hour is marked on the error-rate chart.
    browser.wait_true("const s = document.querySelector(\"[data-panel='error-rate'] .spikes\"); return !!s && Number(s.dataset.spikes) > 0",
        "spike-marked",
    )
    .await;
    // The widest marker: the simulator's incident (stray errors are not marked, see spikes.rs).
    browser
        .js("const m = Array.from(document.querySelectorAll(\"[data-panel='error-rate'] .spike\")).sort((a, b) => (b.dataset.to - b.dataset.from) - (a.dataset.to - a.dataset.from))[0]; m.dataset.chosen = '1'; return true")
        .await;
    let from: i64 = js_string(
        &browser,
        "return document.querySelector(\"[data-panel='error-rate'] .spike[data-chosen]\").dataset.from",
    )
    .await
    .parse()
    .unwrap();
    let to: i64 = js_string(
        &browser,
        "return document.querySelector(\"[data-panel='error-rate'] .spike[data-chosen]\").dataset.to",
    )
    .await
    .parse()
    .unwrap();
    browser
        .js("document.querySelector(\"[data-panel='error-rate'] .spike[data-chosen]\").click(); return true")
        .await;
    browser.wait_true(&format!("const p = document.querySelector(\"{TRACES}\"); return !!p && p.dataset.state === 'ready' && !p.hidden"),
        "traces-ready",
    )
    .await;
    let search = js_string(&browser, "return location.search").await;
    assert!(search.contains(&format!("drill={from}-{to}")), "{search}");
    let rows = listed(&browser).await;
    assert!(!rows.is_empty(), "a spike has error traces");

    // Jaeger's own answer for the service's error traces of the window: the list is its newest
    // 100 (the narrowed search only finds traces this one has too).
    let answer = jaeger(&format!(
        "/api/v3/traces?query.service_name=arrwdb&query.start_time_min={}&query.start_time_max={}&query.attributes={}&query.search_depth=200",
        urlencode(&rfc3339(from)),
        urlencode(&rfc3339(to)),
        urlencode(r#"{"error":"true"}"#)
    ))
    .await;
    let mut expected = otlp_traces(&answer);
    assert!(expected.iter().all(|t| t.2 > 0));
    expected.sort_by(|a, b| b.1.cmp(&a.1));
    let expected: BTreeSet<String> = expected.into_iter().take(100).map(|t| t.0).collect();
    let got: BTreeSet<String> = rows.iter().cloned().collect();
    assert_eq!(
        got, expected,
        "the list is Jaeger's error traces of the window"
    );
    let errors_shown = browser
        .js(&format!("return Array.from(document.querySelectorAll(\"{TRACES} tr[data-trace-id]\")).every(r => Number(r.dataset.errors) > 0)"))
        .await;
    assert_eq!(errors_shown, Value::Bool(true));

    // A row opens its waterfall: every span of the trace, its error spans marked.
    let first = &rows[0];
    browser
        .js(&format!(
            "document.querySelector(\"{TRACES} tr[data-trace-id='{first}']\").click(); return true"
        ))
        .await;
    browser.wait_true(&format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return w.dataset.state === 'ready' && w.dataset.traceId === '{first}'"),
        "waterfall-ready",
    )
    .await;
    let by_id = otlp_traces(&jaeger(&format!("/api/v3/traces/{first}")).await);
    let spans_in_jaeger = jaeger(&format!("/api/v3/traces/{first}")).await["result"]
        ["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rs| rs["scopeSpans"].as_array().unwrap().iter())
        .map(|ss| ss["spans"].as_array().unwrap().len())
        .sum::<usize>();
    let shown_spans = js_string(
        &browser,
        &format!("return document.querySelector(\"{TRACES} .waterfall\").dataset.spans"),
    )
    .await;
    assert_eq!(shown_spans, spans_in_jaeger.to_string());
    let error_rows = browser
        .js(&format!(
            "return document.querySelectorAll(\"{TRACES} .wf-row.error\").length"
        ))
        .await;
    assert_eq!(
        error_rows,
        Value::from(by_id[0].2),
        "error spans are marked"
    );
    // An error span shows its status and attributes.
    browser
        .js(&format!(
            "document.querySelector(\"{TRACES} .wf-row.error .wf-name\").click(); return true"
        ))
        .await;
    browser.wait_true(&format!("const d = document.querySelector(\"{TRACES} .span-detail\"); return !d.hidden && d.textContent.includes('ERROR') && d.textContent.includes(' = ')"),
        "span-detail",
    )
    .await;
    browser.screenshot("traces-waterfall").await;

    // The investigation is in the URL: a reload reopens the same list and trace.
    let url = js_string(&browser, "return location.href").await;
    assert!(url.contains(&format!("trace={first}")), "{url}");
    browser.goto(&url).await;
    browser.wait_true(&format!("const p = document.querySelector(\"{TRACES}\"); const w = p && p.querySelector('.waterfall'); return !!w && p.dataset.state === 'ready' && w.dataset.state === 'ready' && w.dataset.traceId === '{first}'"),
        "permalink",
    )
    .await;
    let again: BTreeSet<String> = listed(&browser).await.into_iter().collect();
    assert_eq!(again, got);

    // Closing leaves the window.
    browser
        .js("document.querySelector(\"[data-control='close-traces']\").click(); return true")
        .await;
    browser.wait_true(&format!("return document.querySelector(\"{TRACES}\").hidden && !location.search.includes('drill=')"),
        "closed",
    )
    .await;
    browser.close().await;
}

#[tokio::test]
async fn a_drag_on_a_handler_series_lists_its_traces_over_v1_with_links() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_LINKS_APP_URL");
    browser
        .goto(&format!(
            "{app}?range=1h&iso.request-rate={}",
            urlencode(SEARCH_OP)
        ))
        .await;
    browser.wait_true("const p = document.querySelector(\"[data-panel='request-rate']\"); return p.dataset.state === 'ready' && p.dataset.series === '1'",
        "isolated",
    )
    .await;
    browser
        .js("performance.setResourceTimingBufferSize(100000); return true")
        .await;
    // Drag the last fifth of the chart and choose "Traces".
    browser
        .js("const c = document.querySelector(\"[data-panel='request-rate'] canvas\"); const r = c.getBoundingClientRect(); \
             const y = r.top + r.height / 2; const at = f => r.left + r.width * f; \
             const ev = (type, x) => c.dispatchEvent(new PointerEvent(type, {clientX: x, clientY: y, bubbles: true})); \
             ev('pointerdown', at(0.78)); ev('pointermove', at(0.9)); ev('pointerup', at(0.99)); \
             document.querySelector(\"[data-panel='request-rate'] .drag-menu [data-action='traces']\").click(); return true")
        .await;
    browser.wait_true(&format!("const p = document.querySelector(\"{TRACES}\"); return !!p && ['ready', 'empty'].includes(p.dataset.state)"),
        "narrowed",
    )
    .await;
    let search = js_string(&browser, "return decodeURIComponent(location.search)").await;
    assert!(search.contains(&format!("op={SEARCH_OP}")), "{search}");
    // All traces of that handler, not only errors.
    browser
        .js("const s = document.querySelector(\"[data-control='trace-filter']\"); s.value = 'all'; s.dispatchEvent(new Event('change')); return true")
        .await;
    browser.wait_true(&format!("const p = document.querySelector(\"{TRACES}\"); return location.search.includes('traces=all') && p.dataset.state === 'ready'"),
        "all-traces",
    )
    .await;
    let roots = browser
        .js(&format!("return Array.from(document.querySelectorAll(\"{TRACES} tr[data-trace-id] td:nth-child(2)\")).map(td => td.textContent)"))
        .await;
    let roots = roots.as_array().unwrap();
    assert!(!roots.is_empty());
    assert!(roots.iter().all(|r| r == SEARCH_OP), "{roots:?}");
    // Over the v1 API, as configured.
    let apis = js_string(&browser, "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/jaeger/')).join(' ')").await;
    assert!(apis.contains("/jaeger/api/traces?"), "{apis}");
    assert!(!apis.contains("/api/v3/"), "{apis}");

    // Links to the Jaeger UI and Sentry for the window, opening in a new tab.
    let link = |kind: &str| {
        format!("const a = document.querySelector(\"{TRACES} a[data-link='{kind}']\"); return a ? [a.href, a.target, a.rel].join(' ') : 'none'")
    };
    let search_link = js_string(&browser, &link("jaeger-search")).await;
    assert!(
        search_link.starts_with("https://jaeger.example.com/search?service=arrwdb&operation=POST%20%2Fv1%2Flibraries%2F%7Blibrary_id%7D%2Fsearch&start="),
        "{search_link}"
    );
    assert!(
        search_link.contains("&lookback=custom&limit=200"),
        "{search_link}"
    );
    assert!(
        search_link.ends_with(" _blank noopener noreferrer"),
        "{search_link}"
    );
    let sentry = js_string(&browser, &link("sentry")).await;
    assert!(
        sentry.starts_with("https://sentry.example.com/organizations/acme/issues/?project=42&environment=demo&start="),
        "{sentry}"
    );
    assert!(sentry.contains("&utc=true"), "{sentry}");
    let first = listed(&browser).await[0].clone();
    browser
        .js(&format!(
            "document.querySelector(\"{TRACES} tr[data-trace-id='{first}']\").click(); return true"
        ))
        .await;
    browser
        .wait_true(
            &format!(
                "return document.querySelector(\"{TRACES} .waterfall\").dataset.state === 'ready'"
            ),
            "v1-waterfall",
        )
        .await;
    let trace_link = js_string(&browser, &link("jaeger-trace")).await;
    assert_eq!(
        trace_link,
        format!("https://jaeger.example.com/trace/{first} _blank noopener noreferrer")
    );
    let sentry_trace = js_string(&browser, &link("sentry-trace")).await;
    assert!(
        sentry_trace.contains(&format!("&query=trace%3A{first}")),
        "{sentry_trace}"
    );
    browser.close().await;
}

#[tokio::test]
async fn big_hostile_skewed_and_missing_traces_by_permalink() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    let open = |id: &str| format!("{app}?range=1h&refresh=off&trace={id}");
    let ready = format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return !!w && w.dataset.state === 'ready'");

    // 10,000 spans: all laid out, only the rows in view in the DOM, the end reachable.
    browser
        .goto(&open("00000000000000000000000000010000"))
        .await;
    browser.wait_true(&ready, "bulk").await;
    let spans = js_string(
        &browser,
        &format!("return document.querySelector(\"{TRACES} .waterfall\").dataset.spans"),
    )
    .await;
    assert_eq!(spans, "10000");
    let in_dom = browser
        .js(&format!(
            "return document.querySelectorAll(\"{TRACES} .wf-row\").length"
        ))
        .await
        .as_u64()
        .unwrap();
    assert!((20..200).contains(&in_dom), "{in_dom} rows in the DOM");
    browser
        .js(&format!("const s = document.querySelector(\"{TRACES} .wf-scroll\"); s.scrollTop = s.scrollHeight; s.dispatchEvent(new Event('scroll')); return true"))
        .await;
    browser.wait_true(&format!("return Array.from(document.querySelectorAll(\"{TRACES} .wf-row\")).some(r => r.style.top === (9999 * 22) + 'px')"),
        "bulk-end",
    )
    .await;

    // Hostile names and values are text: no element, no link, no script from them.
    browser
        .goto(&open("00000000000000000000000000030000"))
        .await;
    browser.wait_true(&ready, "hostile").await;
    browser
        .js(&format!("document.querySelectorAll(\"{TRACES} .wf-row .wf-name\").forEach(n => n.click()); return true"))
        .await;
    let facts = browser
        .js(&format!("const p = document.querySelector(\"{TRACES}\"); return [p.querySelectorAll('script, img').length, document.querySelectorAll('a[href^=\"javascript\"]').length, p.textContent.includes('<script>alert(1)</script>')]"))
        .await;
    assert_eq!(facts, serde_json::json!([0, 0, true]));

    // Clock skew and a missing parent are shown, not hidden.
    browser
        .goto(&open("00000000000000000000000000020000"))
        .await;
    browser.wait_true(&ready, "skewed").await;
    let text = js_string(
        &browser,
        &format!("return document.querySelector(\"{TRACES} .waterfall\").textContent"),
    )
    .await;
    assert!(
        text.contains("(parent missing)") && text.contains("(clock skew)"),
        "{text}"
    );

    // A trace Jaeger does not have.
    browser.goto(&open("abcdef0123456789")).await;
    browser.wait_true(&format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return !!w && w.dataset.state === 'error' && w.textContent.includes('Jaeger has no trace abcdef0123456789')"),
        "missing",
    )
    .await;

    // An unreachable Jaeger is said in place; the page lives on.
    browser
        .goto(&format!(
            "{}?trace=abcdef",
            env("ARRWDB_E2E_UNREACHABLE_APP_URL")
        ))
        .await;
    browser.wait_true(&format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return !!w && w.dataset.state === 'error' && w.textContent.includes('Could not reach Jaeger')"),
        "jaeger-down",
    )
    .await;
    let alive = browser
        .js("return !!document.querySelector('header') && !document.querySelector('#panic:not([hidden])')")
        .await;
    assert_eq!(alive, Value::Bool(true));
    browser.close().await;
}

#[tokio::test]
async fn the_latency_chart_scatters_error_and_slow_traces_and_a_dot_opens_its_trace() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    browser.goto(&format!("{app}?range=1h&refresh=off")).await;
    let dots = "document.querySelector(\"[data-panel='latency'] .dots\")";
    browser.wait_true(&format!("const d = {dots}; return !!d && Number(d.dataset.dots) > 0 && !!d.querySelector('.dot.error')"),
        "scatter",
    )
    .await;
    // Every dot is a trace Jaeger has; an error dot's trace has an error span.
    let id = js_string(
        &browser,
        &format!("return {dots}.querySelector('.dot.error').dataset.traceId"),
    )
    .await;
    let spans = otlp_traces(&jaeger(&format!("/api/v3/traces/{id}")).await);
    assert_eq!(spans.len(), 1, "{id}");
    assert!(spans[0].2 > 0, "an error dot's trace has an error span");
    let title = js_string(
        &browser,
        &format!("return {dots}.querySelector('.dot.error').title"),
    )
    .await;
    assert!(
        title.contains(&id) && title.contains("with errors"),
        "{title}"
    );

    // A click opens its waterfall, and the URL keeps it.
    browser
        .js(&format!(
            "{dots}.querySelector(\"[data-trace-id='{id}']\").click(); return true"
        ))
        .await;
    browser.wait_true(&format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return !!w && w.dataset.state === 'ready' && w.dataset.traceId === '{id}' && location.search.includes('trace={id}')"),
        "dot-opens",
    )
    .await;
    browser.screenshot("latency-scatter").await;
    browser.close().await;
}

/// Refreshing the scatter asks Jaeger for the new tail only (issue 17: at most two requests a
/// refresh, not the twelve of the whole plan), and keeps the dots it had.
#[tokio::test]
async fn a_refresh_asks_jaeger_for_the_scatter_s_new_tail_only() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    browser.goto(&format!("{app}?range=1h&refresh=off")).await;
    let dots = "document.querySelector(\"[data-panel='latency'] .dots\")";
    browser.wait_true(&format!("const d = {dots}; return !!d && Number(d.dataset.dots) > 0"), "scatter").await;
    let searches = "performance.getEntriesByType('resource').filter(e => e.startTime >= window.since && e.name.includes('/jaeger/api/v3/traces?')).map(e => new URL(e.name).searchParams)";
    browser.js("performance.setResourceTimingBufferSize(100000); window.since = 0; return true").await;
    let first = browser.js(&format!("return {searches}.length")).await.as_u64().unwrap();
    assert!(first >= 12, "the first load asks the whole plan (six slices, errors and slow traces): {first}");
    let before = browser.js(&format!("return Number({dots}.dataset.dots)")).await.as_u64().unwrap();

    // Refresh now until the chart's window moves (it is on the step's grid), once.
    browser.js("window.since = performance.now(); return true").await;
    browser
        .wait_true(
            &format!("if ({searches}.length > 0) return true; document.querySelector(\"[data-control='refresh-now']\").click(); return false"),
            "tail-asked",
        )
        .await;
    browser
        .wait_true(&format!("return document.querySelector(\"[data-panel='latency']\").dataset.state === 'ready' && {dots}.dataset.dots !== undefined"), "latency-ready")
        .await;
    // Nothing else comes after the dots are drawn again.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let tail = browser
        .js(&format!("return {searches}.map(p => [Date.parse(p.get('query.start_time_min')), Date.parse(p.get('query.start_time_max')), p.get('query.attributes') || '', p.get('query.duration_min') || ''])"))
        .await;
    let tail = tail.as_array().unwrap();
    assert_eq!(tail.len(), 2, "one refresh, two searches: {tail:?}");
    for search in tail {
        let (min_ms, max_ms) = (search[0].as_f64().unwrap(), search[1].as_f64().unwrap());
        // From a minute before the end of what it had: a minute and the seconds since.
        assert!(max_ms - min_ms < 300_000.0, "the tail, not a slice of ten minutes: {search:?}");
    }
    assert!(tail.iter().any(|s| s[2].as_str().unwrap().contains("\"error\":\"true\"")), "{tail:?}");
    assert!(tail.iter().any(|s| !s[3].as_str().unwrap().is_empty()), "the slow traces: {tail:?}");
    let after = browser.js(&format!("return Number({dots}.dataset.dots)")).await.as_u64().unwrap();
    assert!(after * 10 >= before * 9, "the dots are kept: {before} before, {after} after");
    browser.close().await;
}

/// The simulator exposes exemplars on the latency histogram (OpenMetrics, as prometheus_client
/// does), Prometheus stores them, and the latency chart draws them: an exemplar dot's trace id is
/// one Prometheus returns for the panel's query and window, Jaeger has that trace, and a click
/// opens it.
#[tokio::test]
async fn an_exemplar_dot_is_prometheus_s_exemplar_and_opens_its_trace() {
    let browser = Browser::start(1280, 1000).await;
    let app = env("ARRWDB_E2E_APP_URL");
    browser.goto(&format!("{app}?range=1h&refresh=off")).await;
    let dots = "document.querySelector(\"[data-panel='latency'] .dots\")";
    browser
        .wait_true(
            &format!("const d = {dots}; return !!d && !!d.querySelector('.dot.exemplar')"),
            "exemplar-dots",
        )
        .await;
    let facts = browser
        .js("const p = document.querySelector(\"[data-panel='latency']\").dataset; return [p.query.split('\\n')[0], p.start, p.end]")
        .await;
    let text = |i: usize| facts[i].as_str().unwrap().to_owned();
    let answer = prometheus_query(
        &env("ARRWDB_E2E_PROMETHEUS_URL"),
        &format!(
            "/api/v1/query_exemplars?query={}&start={}&end={}",
            urlencode(&text(0)),
            text(1),
            text(2)
        ),
    )
    .await;
    let theirs: Vec<String> = answer["data"]
        .as_array()
        .expect("exemplar series")
        .iter()
        .flat_map(|s| s["exemplars"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["labels"]["trace_id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    assert!(!theirs.is_empty(), "Prometheus stores no exemplar: {answer}");
    let ours = browser
        .js(&format!("return Array.from({dots}.querySelectorAll('.dot.exemplar')).map(d => d.dataset.traceId)"))
        .await;
    let ours: Vec<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for id in &ours {
        assert!(theirs.contains(id), "the dot {id} is not an exemplar Prometheus returns: {theirs:?}");
    }
    let id = ours[0].clone();
    let spans = otlp_traces(&jaeger(&format!("/api/v3/traces/{id}")).await);
    assert_eq!(spans.len(), 1, "Jaeger has the exemplar's trace {id}");

    browser
        .js(&format!(
            "{dots}.querySelector(\".dot.exemplar[data-trace-id='{id}']\").click(); return true"
        ))
        .await;
    browser
        .wait_true(
            &format!("const w = document.querySelector(\"{TRACES} .waterfall\"); return !!w && w.dataset.state === 'ready' && w.dataset.traceId === '{id}'"),
            "exemplar-opens",
        )
        .await;
    browser.close().await;
}

/// The page narrowed to one replica (the replica picker, `instance=`): its drill-down lists that
/// replica's traces only. Every Jaeger search asks for the replica's resource attribute
/// (`service.instance.id`, as the simulator's spans carry it), every trace listed is one
/// Jaeger says came from that replica, and the heading names it.
#[tokio::test]
async fn a_drill_down_of_a_page_narrowed_to_one_replica_lists_that_replica_s_traces() {
    let browser = Browser::start(1280, 1000).await;
    let instance = env("ARRWDB_E2E_INSTANCES").split(',').nth(1).unwrap().to_owned();
    let to = e2e::panels::now_secs() - 300;
    let app = env("ARRWDB_E2E_APP_URL");
    browser
        .goto(&format!("{app}?range=1h&refresh=off&instance={}&drill={}-{to}&traces=all", urlencode(&instance), to - 600))
        .await;
    browser
        .wait_true(&format!("return document.querySelectorAll(\"{TRACES} tr[data-trace-id]\").length > 0"), "replica-traces")
        .await;
    let heading = js_string(&browser, &format!("return document.querySelector(\"{TRACES} h2 .sub\").textContent")).await;
    assert!(heading.contains(&format!(" on {instance} · ")), "{heading}");
    let searches = browser
        .js("return performance.getEntriesByType('resource').map(e => decodeURIComponent(e.name)).filter(n => n.includes('/jaeger/api/v3/traces?'))")
        .await;
    let searches = searches.as_array().unwrap();
    assert!(!searches.is_empty(), "the drill-down asked Jaeger");
    for search in searches {
        assert!(search.as_str().unwrap().contains(&format!("\"service.instance.id\":\"{instance}\"")), "{search}");
    }
    let ids = listed(&browser).await;
    for id in &ids {
        let trace = jaeger(&format!("/api/v3/traces/{id}")).await;
        for rs in trace["result"]["resourceSpans"].as_array().unwrap() {
            let of_replica = rs["resource"]["attributes"].as_array().unwrap().iter().any(|a| {
                a["key"] == "service.instance.id" && a["value"]["stringValue"].as_str() == Some(instance.as_str())
            });
            assert!(of_replica, "trace {id} is not {instance}'s: {}", rs["resource"]);
        }
    }
    // The same window over every replica lists traces of the others too: the narrowing did it.
    browser.goto(&format!("{app}?range=1h&refresh=off&drill={}-{to}&traces=all", to - 600)).await;
    browser
        .wait_true(&format!("return document.querySelectorAll(\"{TRACES} tr[data-trace-id]\").length > 0"), "all-traces")
        .await;
    let everyone = listed(&browser).await;
    assert!(everyone.iter().any(|id| !ids.contains(id)), "other replicas' traces are listed without the narrowing");
    browser.close().await;
}
