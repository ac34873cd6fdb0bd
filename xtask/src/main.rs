//! `cargo xtask demo`  installs what is missing, builds the page and serves the whole demo.
//! `cargo xtask test`  runs every test: native, the release build with its size budget, the
//!                     shipped configs checked by their own tools, and the real-browser tests.
//! `cargo xtask serve` serves the page as last built (or another folder) with the demo's stack,
//!                     installing and building nothing (the tests of xtask start it).
//! `cargo xtask build` builds the page in release and prints its size.
//! `cargo xtask bench` measures the page in headless Chromium beside its peers (uPlot, the
//!                     Prometheus UI): prints a table and writes target/bench/bench.json.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use xtask::stack::{Backend, ExtraSite, Stack, StackOptions};
use xtask::{bench_page, free_port, repo_root, run, shutdown, tools, wasm_build, Result};

/// Libraries the test stack's first replica exports besides the simulator's eight (live data
/// only): the index-size chart has more series than it draws, so the backend's ranking and
/// count are tested.
const TEST_BULK_LIBRARIES: u32 = 200;

const USAGE: &str = "usage:
  cargo xtask demo [--port 8080] [--prometheus-site-port 8081] [--prometheus-port 9090] [--sim-port 8000] [--jaeger-port 16686]
                   [--victoria-metrics-port 8428] [--cluster-prometheus-port 9091] [--node-exporter-port 9100]
                   [--alertmanager-port 9093]
  cargo xtask serve [the demo's flags] [--dist dist] [--run-name demo]
  cargo xtask test
  cargo xtask build
  cargo xtask bench [--loads 7] [--cycles 10000] [--render-runs 21] [--moves 200] [--out target/bench/bench.json]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Before anything starts: from here on Ctrl-C and SIGTERM stop whatever is running.
    if let Err(e) = shutdown::install_handlers() {
        eprintln!("xtask: error: cannot handle SIGINT and SIGTERM: {e}");
        std::process::exit(1);
    }
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("build") => tools::ensure_all().and_then(|()| wasm_build::build_release(true)),
        _ => Err(USAGE.into()),
    };
    if let Err(e) = result {
        if shutdown::is_interrupted(e.as_ref()) {
            eprintln!("\nxtask: {e}");
            std::process::exit(shutdown::EXIT_STATUS);
        }
        eprintln!("xtask: error: {e}");
        std::process::exit(1);
    }
}

/// The value after flag `name`, if it is given.
fn flag_value<'a>(args: &'a [String], name: &str) -> Result<Option<&'a str>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => match args.get(i + 1) {
            Some(value) => Ok(Some(value)),
            None => Err(format!("{name} needs a value\n{USAGE}").into()),
        },
    }
}

fn port_flag(args: &[String], name: &str, default: u16) -> Result<u16> {
    match flag_value(args, name)? {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("{name} needs a port number\n{USAGE}").into()),
    }
}

/// Fails on a flag that is not in `known`.
fn check_flags(args: &[String], known: &[&str]) -> Result<()> {
    match args
        .iter()
        .find(|a| a.starts_with("--") && !known.contains(&a.as_str()))
    {
        Some(a) => Err(format!("unknown flag {a}\n{USAGE}").into()),
        None => Ok(()),
    }
}

const DEMO_FLAGS: &[&str] = &[
    "--port",
    "--prometheus-port",
    "--sim-port",
    "--jaeger-port",
    "--victoria-metrics-port",
    "--cluster-prometheus-port",
    "--prometheus-site-port",
    "--node-exporter-port",
    "--alertmanager-port",
];

/// The config.json of the demo's page read through VictoriaMetrics (the production shape): the
/// shipped one's settings, with the rules, rule health and alert bands coming from each
/// cluster's Prometheus (nginx proxies `prometheus-<cluster>/` to it, see `write_nginx_config`),
/// and `more_sources` after them (`, {"name": …, "url": …}` each).
fn victoriametrics_config(more_sources: &str, prometheus_ui_port: u16) -> String {
    format!(
        r#"{{
  "prometheus": {{"url": "prometheus", "job": "arrwdb", "scrape_interval_secs": 10,
                 "ui_url": "http://127.0.0.1:{prometheus_ui_port}", "ui_version": 2}},
  "jaeger": {{"url": "jaeger", "api": "auto"}},
  "refresh_secs": 30,
  "alerts": {{"sources": [
    {{"name": "eu-west", "url": "prometheus-eu-west"}},
    {{"name": "us-east", "url": "prometheus-us-east"}}{more_sources}
  ]}}
}}
"#
    )
}

/// The demo's stack on the ports of `args`, serving `dist`, in the run folder `name`. The page
/// at `--port` reads VictoriaMetrics; the one at `--prometheus-site-port` (the stack's app site,
/// as in the tests) reads the fleet's Prometheus.
fn demo_stack_options(args: &[String], name: &str, dist: PathBuf) -> Result<StackOptions> {
    let prometheus_port = port_flag(args, "--prometheus-port", 9090)?;
    Ok(StackOptions {
        name: name.into(),
        app_port: port_flag(args, "--prometheus-site-port", 8081)?,
        prometheus_port,
        // The replicas on the given port and the next two.
        sim_ports: {
            let first = port_flag(args, "--sim-port", 8000)?;
            let next = |n: u16| first.checked_add(n).ok_or("--sim-port is too high for three replicas");
            [first, next(1)?, next(2)?]
        },
        jaeger_port: port_flag(args, "--jaeger-port", 16686)?,
        victoria_metrics_port: port_flag(args, "--victoria-metrics-port", 8428)?,
        // One per cluster: the given port and the next.
        cluster_prometheus_ports: {
            let first = port_flag(args, "--cluster-prometheus-port", 9091)?;
            [first, first.checked_add(1).ok_or("--cluster-prometheus-port is too high for two")?]
        },
        node_exporter_port: port_flag(args, "--node-exporter-port", 9100)?,
        alertmanager_port: port_flag(args, "--alertmanager-port", 9093)?,
        bulk_libraries: 0,
        extra_sites: vec![ExtraSite {
            name: "victoriametrics".into(),
            port: port_flag(args, "--port", 8080)?,
            // "Open in Prometheus": the fleet's Prometheus UI (Debian's 2.42), the same data.
            config_json: victoriametrics_config("", prometheus_port),
            base_path: "/".into(),
            connect_src: String::new(),
            frame_ancestors: String::new(),
            page: None,
            backend: Backend::VictoriaMetrics,
        }],
        dist,
    })
}

fn demo(args: &[String]) -> Result<()> {
    check_flags(args, DEMO_FLAGS)?;
    let opts = demo_stack_options(args, "demo", wasm_build::dist_dir())?;
    tools::ensure_all()?;
    wasm_build::build_release(false)?;
    serve_until_stopped(&opts)
}

fn serve(args: &[String]) -> Result<()> {
    let known: Vec<&str> = DEMO_FLAGS
        .iter()
        .copied()
        .chain(["--dist", "--run-name"])
        .collect();
    check_flags(args, &known)?;
    let dist = match flag_value(args, "--dist")? {
        Some(dir) => PathBuf::from(dir),
        None => wasm_build::dist_dir(),
    };
    let name = flag_value(args, "--run-name")?.unwrap_or("demo");
    serve_until_stopped(&demo_stack_options(args, name, dist)?)
}

/// Starts the stack and keeps it until Ctrl-C (or SIGTERM), or until one of its processes
/// exits (an error naming it).
fn serve_until_stopped(opts: &StackOptions) -> Result<()> {
    let mut stack = Stack::start(opts)?;
    for site in &opts.extra_sites {
        println!(
            "\narrwdb-ops demo: http://127.0.0.1:{}/  (three replicas in two clusters, read through VictoriaMetrics)",
            site.port
        );
    }
    println!("  the same page on the fleet's Prometheus (rules, exemplars): {}", stack.app_url);
    println!("  Prometheus:    {}", stack.prometheus_url);
    println!("  Alertmanager:  {} (the fleet Prometheus's alerts, the guide's routes)", stack.alertmanager_url);
    println!("  VictoriaMetrics: {} (remote_write from one Prometheus per cluster)", stack.victoria_metrics_url);
    for (cluster, url) in xtask::stack::CLUSTERS.iter().zip(&stack.cluster_prometheus_urls) {
        println!("  Prometheus of {cluster}: {url}");
    }
    for (instance, cluster) in stack.instances.iter().zip(xtask::stack::REPLICA_CLUSTERS) {
        println!("  arrwDB (sim):  http://{instance}/metrics  (cluster {cluster})");
    }
    println!("  Jaeger (sim):  {}/api/v3/services", stack.jaeger_url);
    println!("Ctrl-C stops everything.");
    loop {
        stack.check_alive()?;
        if shutdown::sleep(Duration::from_millis(200)).is_err() {
            eprintln!("\nxtask: stopping the demo");
            return Ok(());
        }
    }
}

/// Libraries the benchmark's second stack adds to the index-size metric: one metric with
/// 50,000 series, for what one refresh of the dashboard costs at scale.
const BENCH_BULK_LIBRARIES: u32 = 50_000;

/// A stack of its own on free ports, for the benchmark.
fn bench_stack_options(name: &str, bulk_libraries: u32) -> Result<StackOptions> {
    Ok(StackOptions {
        name: name.into(),
        app_port: free_port()?,
        prometheus_port: free_port()?,
        sim_ports: [free_port()?, free_port()?, free_port()?],
        jaeger_port: free_port()?,
        victoria_metrics_port: free_port()?,
        cluster_prometheus_ports: [free_port()?, free_port()?],
        node_exporter_port: free_port()?,
        alertmanager_port: free_port()?,
        bulk_libraries,
        extra_sites: Vec::new(),
        dist: wasm_build::dist_dir(),
    })
}

/// Every measure on a stack of its own, then what one refresh costs on a second stack whose
/// index-size metric has [`BENCH_BULK_LIBRARIES`] series more.
fn bench(args: &[String]) -> Result<()> {
    tools::ensure_all()?;
    wasm_build::build_release(false)?;
    let stack = Stack::start(&bench_stack_options("bench", 0)?)?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = run_bench(&stack, &args);
    drop(stack);
    result?;
    eprintln!("xtask: the same dashboard over {BENCH_BULK_LIBRARIES} series more in one metric");
    let stack = Stack::start(&bench_stack_options("bench-bulk", BENCH_BULK_LIBRARIES)?)?;
    let result = run_bench(&stack, &["--refresh-cost-only", "--out", "target/bench/bench-bulk.json"]);
    drop(stack);
    result
}

/// Runs the benchmark program (e2e's `bench`) against `stack`; it fails only when something
/// cannot be measured. The page must be built.
fn run_bench(stack: &Stack, args: &[&str]) -> Result<()> {
    let page_dir = bench_page::build_bench_page()?;
    let root = repo_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    eprintln!("xtask: benchmark against {}", stack.app_url);
    run(Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "e2e", "--bin", "bench", "--"])
        .args(args)
        .current_dir(&root)
        .env("PATH", tools::build_path())
        .env("ARRWDB_BENCH_APP_URL", &stack.app_url)
        .env("ARRWDB_BENCH_PROMETHEUS_URL", &stack.prometheus_url)
        .env("ARRWDB_BENCH_DIST", wasm_build::dist_dir())
        .env(
            "ARRWDB_BENCH_APP_WASM",
            target_dir.join("wasm32-unknown-unknown/release/arrwdb-ops.wasm"),
        )
        .env("ARRWDB_BENCH_PAGE_DIR", page_dir)
        .env("ARRWDB_BENCH_UPLOT_VERSION", tools::UPLOT_VERSION)
        .env("ARRWDB_E2E_ARTIFACTS", root.join("target/bench")))
}

/// A site of the browser tests whose Prometheus is whatever a test serves on
/// 127.0.0.1:`prometheus_port` (a port the test opens and closes), without Jaeger.
fn test_owned_prometheus_site(
    name: &str,
    port: u16,
    prometheus_port: u16,
    timeout_secs: u32,
    refresh_secs: u32,
) -> ExtraSite {
    let prometheus = format!("http://127.0.0.1:{prometheus_port}");
    ExtraSite {
        name: name.into(),
        port,
        config_json: format!(
            r#"{{"prometheus":{{"url":"{prometheus}","job":"arrwdb","scrape_interval_secs":10,"timeout_secs":{timeout_secs}}},"refresh_secs":{refresh_secs}}}"#
        ),
        base_path: "/".into(),
        connect_src: prometheus,
        frame_ancestors: String::new(),
        page: None,
        backend: Backend::Prometheus,
    }
}

fn test() -> Result<()> {
    tools::ensure_all()?;
    let root = repo_root();
    let cargo = env!("CARGO");

    eprintln!("xtask: native tests (core, simulator, xtask)");
    run(Command::new(cargo)
        .args(["test", "--workspace", "--exclude", "e2e"])
        .current_dir(&root))?;

    eprintln!("xtask: checking the shipped alert rules (and the demo's) with promtool");
    run(Command::new("promtool")
        .args(["check", "rules"])
        .arg(root.join("deploy/prometheus/alerts.yml"))
        .arg(root.join("xtask/demo/guide-as-printed.yml")))?;
    eprintln!("xtask: checking the shipped Alertmanager configuration with amtool");
    run(Command::new("amtool")
        .args(["check-config"])
        .arg(root.join("deploy/alertmanager/alertmanager.yml")))?;

    wasm_build::build_release(false)?;

    // The browser tests run against the same stack as the demo, on free ports, plus a site
    // whose config.json points at a Prometheus that does not answer, and one whose Prometheus
    // is reached through a port the tests open and close (a Prometheus that stops and returns).
    let dead_port = free_port()?;
    let flaky_port = free_port()?;
    // A site whose Prometheus (through a port the tests open) answers slower than the refresh.
    let (slow_port, slow_app_port) = (free_port()?, free_port()?);
    // Two portals on other origins embed the page in an iframe: the "embedded" site lets the
    // first frame it (frame-ancestors) and talk to it (postMessage), not the second.
    let (portal_port, stranger_port, embedded_port) = (free_port()?, free_port()?, free_port()?);
    let broken_port = free_port()?;
    let vm_app_port = free_port()?;
    let vm_bare_app_port = free_port()?;
    let outsider_port = free_port()?;
    let portal_origin = format!("http://127.0.0.1:{portal_port}");
    // The portal records every message it gets (the tests read `window.received`).
    let portal_page = format!(
        "<!DOCTYPE html><html><head><title>portal</title><script>window.received = []; \
         addEventListener('message', e => window.received.push({{origin: e.origin, data: e.data}}));\
         </script></head><body><h1>Portal</h1>\
         <iframe id=\"dash\" width=\"900\" height=\"480\" \
         src=\"http://127.0.0.1:{embedded_port}/?kiosk&amp;panel=request-rate&amp;range=1h&amp;refresh=off\"></iframe>\
         <iframe id=\"outsider\" width=\"200\" height=\"100\" src=\"http://127.0.0.1:{outsider_port}/\"></iframe>\
         </body></html>"
    );
    let shipped_config = std::fs::read_to_string(root.join("config.json"))?;
    // The shipped config.json, with the portal allowed to talk to the page.
    let embedded_config = format!(
        "{},\n  \"embedding\": {{ \"allowed_origins\": [\"{portal_origin}\"] }}\n}}\n",
        shipped_config
            .trim_end()
            .strip_suffix('}')
            .ok_or("config.json does not end with }")?
            .trim_end()
    );
    let (prometheus_port, jaeger_port) = (free_port()?, free_port()?);
    let direct_port = free_port()?;
    let opts = StackOptions {
        name: "test".into(),
        app_port: free_port()?,
        prometheus_port,
        sim_ports: [free_port()?, free_port()?, free_port()?],
        jaeger_port,
        victoria_metrics_port: free_port()?,
        cluster_prometheus_ports: [free_port()?, free_port()?],
        node_exporter_port: free_port()?,
        alertmanager_port: free_port()?,
        // The index-size metric with more series than a chart draws: the backend ranks them.
        bulk_libraries: TEST_BULK_LIBRARIES,
        extra_sites: vec![
            ExtraSite {
                name: "unreachable".into(),
                port: free_port()?,
                config_json: format!(
                    r#"{{"prometheus":{{"url":"http://127.0.0.1:{dead_port}","job":"arrwdb","scrape_interval_secs":10}},"jaeger":{{"url":"http://127.0.0.1:{dead_port}"}}}}"#
                ),
                base_path: "/".into(),
                connect_src: format!("http://127.0.0.1:{dead_port}"),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::Prometheus,
            },
            test_owned_prometheus_site("flaky", free_port()?, flaky_port, 5, 0),
            // The Jaeger v1 API, and links to a Jaeger UI and a Sentry.
            ExtraSite {
                name: "links".into(),
                port: free_port()?,
                config_json: r#"{"prometheus":{"url":"/prometheus","job":"arrwdb","scrape_interval_secs":10},"refresh_secs":0,
                    "jaeger":{"url":"/jaeger","api":"v1","ui_url":"https://jaeger.example.com"},
                    "sentry":{"base_url":"https://sentry.example.com","organization":"acme","project_id":"42","environment":"demo"}}"#
                    .into(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::Prometheus,
            },
            // The shipped page and config.json as they are, served under a sub-path.
            ExtraSite {
                name: "subpath".into(),
                port: free_port()?,
                config_json: std::fs::read_to_string(root.join("config.json"))?,
                base_path: "/ops/arrwdb/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::Prometheus,
            },
            // A config.json that must be refused, naming its field.
            ExtraSite {
                name: "broken".into(),
                port: broken_port,
                config_json: r#"{"prometheus":{"url":"javascript:alert(1)"}}"#.into(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::Prometheus,
            },
            ExtraSite {
                name: "embedded".into(),
                port: embedded_port,
                config_json: embedded_config,
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: portal_origin.clone(),
                page: None,
                backend: Backend::Prometheus,
            },
            ExtraSite {
                name: "portal".into(),
                port: portal_port,
                config_json: String::new(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: Some(portal_page.clone()),
                backend: Backend::Prometheus,
            },
            // A page of another origin inside the portal, whose messages the page must ignore.
            ExtraSite {
                name: "outsider".into(),
                port: outsider_port,
                config_json: String::new(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: Some("<!DOCTYPE html><html><body>outsider</body></html>".into()),
                backend: Backend::Prometheus,
            },
            // Prometheus and Jaeger named by their own origins, not proxied: Prometheus allows
            // cross-origin reads, Jaeger's query service (our simulator, as the real one) does
            // not. The sources panel must tell the CORS refusal from a dead host.
            ExtraSite {
                name: "direct".into(),
                port: direct_port,
                config_json: format!(
                    r#"{{"prometheus":{{"url":"http://127.0.0.1:{prometheus_port}","job":"arrwdb","scrape_interval_secs":10}},"jaeger":{{"url":"http://127.0.0.1:{jaeger_port}"}},"refresh_secs":0}}"#
                ),
                base_path: "/".into(),
                connect_src: format!("http://127.0.0.1:{prometheus_port} http://127.0.0.1:{jaeger_port}"),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::Prometheus,
            },
            ExtraSite {
                name: "stranger".into(),
                port: stranger_port,
                config_json: String::new(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: Some(portal_page),
                backend: Backend::Prometheus,
            },
            test_owned_prometheus_site("slow", slow_app_port, slow_port, 30, 5),
            // The demo's page on VictoriaMetrics: its `prometheus` proxied to VictoriaMetrics's
            // `/prometheus` (an upstream with a path), which the per-cluster Prometheus servers
            // remote-write to, its rules from those servers, plus a source that never answers.
            ExtraSite {
                name: "victoriametrics".into(),
                port: vm_app_port,
                config_json: victoriametrics_config(
                    &format!(r#", {{"name": "gone", "url": "http://127.0.0.1:{dead_port}"}}"#),
                    prometheus_port,
                ),
                base_path: "/".into(),
                connect_src: format!("http://127.0.0.1:{dead_port}"),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::VictoriaMetrics,
            },
            // VictoriaMetrics asked for rules itself (no `alerts.sources`, the flavor found
            // from its answers): the page must say why there are none.
            ExtraSite {
                name: "victoriametrics-bare".into(),
                port: vm_bare_app_port,
                config_json: r#"{"prometheus": {"url": "prometheus", "job": "arrwdb", "scrape_interval_secs": 10}, "jaeger": {"url": "jaeger"}}"#.into(),
                base_path: "/".into(),
                connect_src: String::new(),
                frame_ancestors: String::new(),
                page: None,
                backend: Backend::VictoriaMetrics,
            },
        ],
        dist: wasm_build::dist_dir(),
    };
    let stack = Stack::start(&opts)?;
    eprintln!("xtask: browser tests against {}", stack.app_url);
    let result = run(Command::new(cargo)
        .args(["test", "-p", "e2e", "--", "--test-threads=1"])
        .current_dir(&root)
        .env("ARRWDB_E2E_APP_URL", &stack.app_url)
        .env("ARRWDB_E2E_PROMETHEUS_URL", &stack.prometheus_url)
        .env("ARRWDB_E2E_INSTANCES", stack.instances.join(","))
        .env("ARRWDB_E2E_VM_URL", &stack.victoria_metrics_url)
        .env("ARRWDB_E2E_VM_APP_URL", format!("http://127.0.0.1:{vm_app_port}/"))
        .env("ARRWDB_E2E_VM_BARE_APP_URL", format!("http://127.0.0.1:{vm_bare_app_port}/"))
        .env("ARRWDB_E2E_CLUSTER_PROMETHEUS_URLS", stack.cluster_prometheus_urls.join(","))
        .env("ARRWDB_E2E_ALERTMANAGER_URL", &stack.alertmanager_url)
        .env(
            "ARRWDB_E2E_UNREACHABLE_APP_URL",
            format!("http://127.0.0.1:{}/", opts.extra_sites[0].port),
        )
        .env(
            "ARRWDB_E2E_UNREACHABLE_PROMETHEUS_URL",
            format!("http://127.0.0.1:{dead_port}"),
        )
        .env(
            "ARRWDB_E2E_FLAKY_APP_URL",
            format!("http://127.0.0.1:{}/", opts.extra_sites[1].port),
        )
        .env("ARRWDB_E2E_FLAKY_PORT", flaky_port.to_string())
        .env(
            "ARRWDB_E2E_SLOW_APP_URL",
            format!("http://127.0.0.1:{slow_app_port}/"),
        )
        .env("ARRWDB_E2E_SLOW_PORT", slow_port.to_string())
        .env(
            "ARRWDB_E2E_LINKS_APP_URL",
            format!("http://127.0.0.1:{}/", opts.extra_sites[2].port),
        )
        .env("ARRWDB_E2E_JAEGER_URL", &stack.jaeger_url)
        .env(
            "ARRWDB_E2E_AXE_JS",
            tools::npm_package_dir("axe-core").join("axe.min.js"),
        )
        .env(
            "ARRWDB_E2E_SUBPATH_APP_URL",
            format!("http://127.0.0.1:{}/ops/arrwdb/", opts.extra_sites[3].port),
        )
        .env("ARRWDB_E2E_PORTAL_URL", format!("{portal_origin}/"))
        .env(
            "ARRWDB_E2E_BROKEN_APP_URL",
            format!("http://127.0.0.1:{broken_port}/"),
        )
        .env(
            "ARRWDB_E2E_DIRECT_APP_URL",
            format!("http://127.0.0.1:{direct_port}/"),
        )
        .env(
            "ARRWDB_E2E_STRANGER_PORTAL_URL",
            format!("http://127.0.0.1:{stranger_port}/"),
        )
        .env(
            "ARRWDB_E2E_CSP_LOG",
            xtask::stack::csp_report_log(&stack.run_dir, "app"),
        )
        .env("ARRWDB_E2E_ARTIFACTS", root.join("target/e2e")));
    // The benchmark's harness, small: it fails if it cannot measure, never on a goal.
    let result = result.and_then(|()| {
        // 200 cycles (about a minute here) rather than 500: the test must stay short.
        eprintln!("xtask: the benchmark, small (3 loads, 200 refresh cycles)");
        run_bench(
            &stack,
            &[
                "--loads",
                "3",
                "--cycles",
                "200",
                "--render-runs",
                "3",
                "--moves",
                "50",
                "--out",
                "target/bench/bench-small.json",
            ],
        )
    });
    drop(stack);
    result
}
