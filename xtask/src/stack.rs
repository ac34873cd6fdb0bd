//! The stack of real processes the demo and the browser tests run against, all on loopback:
//! the arrwDB simulator (`/metrics`, and Jaeger's query API for its traces), Debian's node-exporter, Debian's Prometheus scraping both (with 24 hours of history
//! backfilled by promtool and the alert rules loaded), Debian's VictoriaMetrics receiving
//! Prometheus's `remote_write` (with the same history imported), and nginx serving the built
//! page with Prometheus (or VictoriaMetrics, for the sites that read it) proxied under the same
//! origin.
//!
//! Invariant: every process the stack starts is stopped when the `Stack` is dropped (on
//! success, on an error and on a stop request alike), and dies with xtask if xtask itself is
//! killed (PR_SET_PDEATHSIG); nothing is left running. Every wait of the start-up gives up as
//! soon as a stop is requested (SIGINT, SIGTERM) or one of the processes exits.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::process::Supervised;
use crate::{http_get, nginx, repo_root, run, shutdown, Result};

/// How much history the stack backfills.
pub const BACKFILL_SECS: u64 = 24 * 3_600;
/// The simulator's incidents repeat with this period.
pub const INCIDENT_PERIOD_SECS: u64 = 3_600;
/// Scrape interval of the arrwdb job (deploy/prometheus/prometheus.yml).
pub const SCRAPE_INTERVAL_SECS: u64 = 10;
/// The cluster of each arrwDB replica, in replica order (deploy/prometheus/prometheus.yml's
/// target groups): two in one cluster, one in the other.
pub const REPLICA_CLUSTERS: [&str; 3] = ["eu-west", "eu-west", "us-east"];
/// The clusters, each with a Prometheus of its own that writes to VictoriaMetrics.
pub const CLUSTERS: [&str; 2] = ["eu-west", "us-east"];

/// A second site served by the same nginx: the same page with another config.json (tests use
/// it for an unreachable Prometheus or a broken configuration), at `base_path`.
#[derive(Debug, Clone)]
pub struct ExtraSite {
    pub name: String,
    pub port: u16,
    pub config_json: String,
    /// `/`, or a sub-path such as `/ops/arrwdb/`.
    pub base_path: String,
    /// Origins its config.json points at besides its own (the CSP's `connect-src`).
    pub connect_src: String,
    /// Portal origins allowed to frame it (the CSP's `frame-ancestors`), space-separated.
    pub frame_ancestors: String,
    /// Instead of the app, this one page as `index.html`, served plainly (a portal that embeds
    /// the app, for the embedding tests).
    pub page: Option<String>,
    /// What its `/prometheus/` proxies to.
    pub backend: Backend,
}

/// The Prometheus-compatible API a site's nginx proxies `/prometheus/` to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The stack's Prometheus, at the root of its port.
    Prometheus,
    /// The stack's VictoriaMetrics under its `/prometheus` path: an upstream with a path, as
    /// Mimir's or VictoriaMetrics cluster's.
    VictoriaMetrics,
}

/// The file where nginx logs the browser's CSP violation reports for the site named `site`
/// (`app` for the main one) of a stack's run folder.
pub fn csp_report_log(run_dir: &Path, site: &str) -> PathBuf {
    run_dir.join(format!("csp-reports-{site}.log"))
}

/// Where each part listens.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// A name for the run folder (target/stack/<name>).
    pub name: String,
    pub app_port: u16,
    pub prometheus_port: u16,
    /// The arrwDB replicas' ports, one per [`REPLICA_CLUSTERS`] entry.
    pub sim_ports: [u16; 3],
    /// The simulator's Jaeger query API (Jaeger's own port in the demo: 16686).
    pub jaeger_port: u16,
    /// VictoriaMetrics (its own default in the demo: 8428).
    pub victoria_metrics_port: u16,
    /// The per-cluster Prometheus servers, one per [`CLUSTERS`] entry.
    pub cluster_prometheus_ports: [u16; 2],
    pub node_exporter_port: u16,
    /// Alertmanager, which the fleet's Prometheus sends its alerts to (its own default: 9093).
    pub alertmanager_port: u16,
    /// Libraries of constant size the first replica exports besides the model's (not
    /// backfilled): 0, or the benchmark's metric with very many series.
    pub bulk_libraries: u32,
    pub extra_sites: Vec<ExtraSite>,
    /// The built page nginx serves (`wasm_build::dist_dir()`).
    pub dist: PathBuf,
}

/// The running stack. Dropping it stops every process.
pub struct Stack {
    procs: Vec<Supervised>,
    pub run_dir: PathBuf,
    pub app_url: String,
    pub prometheus_url: String,
    /// VictoriaMetrics's root (its Prometheus API is also under `/prometheus`).
    pub victoria_metrics_url: String,
    /// The per-cluster Prometheus servers, in [`CLUSTERS`] order.
    pub cluster_prometheus_urls: Vec<String>,
    pub alertmanager_url: String,
    /// The first replica's address (`http://…`), and every replica's `instance`.
    pub sim_url: String,
    pub instances: Vec<String>,
    pub jaeger_url: String,
    /// Timing of the simulator, for tests that need to know where the incidents are.
    pub sim_start_unix: u64,
    pub incident_anchor_unix: u64,
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Fills `@NAME@` placeholders outside comments (comments name them, and a value may span
/// lines); fails if one is left, so a template change cannot go unnoticed.
pub fn render(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let mut line = line.to_owned();
        for (name, value) in values {
            line = line.replace(&format!("@{name}@"), value);
        }
        out.push_str(&line);
    }
    let leftover = out
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find(|l| {
            l.matches('@').count() >= 2
                && l.split('@').nth(1).is_some_and(|w| {
                    !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                })
        });
    if let Some(line) = leftover {
        return Err(format!("a placeholder was not filled: {line}").into());
    }
    Ok(out)
}

/// Starts one process of the stack, its stdout and stderr in `<run_dir>/<name>.log`.
fn spawn(name: &str, cmd: &mut Command, run_dir: &Path) -> Result<Supervised> {
    let log = run_dir.join(format!("{name}.log"));
    let file = fs::File::create(&log)?;
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    Supervised::spawn(name, cmd, Some(&log))
}

/// The last lines a process wrote, introduced with where its whole log is.
fn last_output(proc: &Supervised) -> String {
    let Some(log) = &proc.log else {
        return "its output went to the terminal".into();
    };
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "its last output lines ({}):\n{}",
        log.display(),
        lines[lines.len().saturating_sub(15)..].join("\n")
    )
}

/// When the stack is being waited for.
const DURING_START_UP: &str = "during start-up";

impl Stack {
    /// Builds the simulator, backfills Prometheus and starts everything; returns once each part
    /// answers. The page must already be built (`dist/`).
    pub fn start(opts: &StackOptions) -> Result<Stack> {
        let root = repo_root();
        let run_dir = root.join("target/stack").join(&opts.name);
        if run_dir.exists() {
            fs::remove_dir_all(&run_dir)?;
        }
        fs::create_dir_all(&run_dir)?;
        let dist = &opts.dist;
        if !dist.join("index.html").exists() {
            return Err(format!(
                "{}/index.html is missing: build the page first",
                dist.display()
            )
            .into());
        }

        eprintln!("xtask: building the simulator");
        run(Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--release", "-p", "arrwdb-sim"])
            .current_dir(&root))?;
        let sim_bin = root.join("target/release/arrwdb-sim");

        let now = now_unix();
        let live_start = now - now % SCRAPE_INTERVAL_SECS;
        // The simulated arrwDB process started a little over a day ago; the error spike of the
        // current incident period began two minutes ago, so a fresh stack has one in progress.
        let sim_start_unix = live_start - BACKFILL_SECS - 600;
        let incident_anchor_unix = live_start - 120;
        let sim_args = |cmd: &mut Command| {
            cmd.arg("--start-unix")
                .arg(sim_start_unix.to_string())
                .arg("--seed")
                .arg("42")
                .arg("--incident-anchor-unix")
                .arg(incident_anchor_unix.to_string())
                .arg("--incident-period-secs")
                .arg(INCIDENT_PERIOD_SECS.to_string());
        };

        eprintln!(
            "xtask: backfilling {} hours of history of {} replicas",
            BACKFILL_SECS / 3_600,
            REPLICA_CLUSTERS.len()
        );
        let started = Instant::now();
        let vm_addr = format!("127.0.0.1:{}", opts.victoria_metrics_port);
        let instances: Vec<String> = opts.sim_ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let mut stack = Stack {
            procs: Vec::new(),
            run_dir: run_dir.clone(),
            app_url: format!("http://127.0.0.1:{}/", opts.app_port),
            prometheus_url: format!("http://127.0.0.1:{}", opts.prometheus_port),
            victoria_metrics_url: format!("http://{vm_addr}"),
            cluster_prometheus_urls: opts.cluster_prometheus_ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect(),
            alertmanager_url: format!("http://127.0.0.1:{}", opts.alertmanager_port),
            sim_url: format!("http://{}", instances[0]),
            instances: instances.clone(),
            jaeger_url: format!("http://127.0.0.1:{}", opts.jaeger_port),
            sim_start_unix,
            incident_anchor_unix,
        };

        // VictoriaMetrics first: each replica's history is imported into it as well.
        stack.procs.push(spawn(
            "victoria-metrics",
            Command::new("victoria-metrics")
                .arg(format!("-storageDataPath={}", run_dir.join("victoria-metrics-data").display()))
                .arg(format!("-httpListenAddr={vm_addr}"))
                .arg("-retentionPeriod=1y"),
            &run_dir,
        )?
        // Its data goes with the run folder; a flush on SIGTERM takes seconds.
        .disposable());
        stack.wait_http("victoria-metrics", &vm_addr, "/health")?;
        let openmetrics = run_dir.join("backfill.om");
        let data_dir = run_dir.join("prometheus-data");
        for (replica, (instance, cluster)) in instances.iter().zip(REPLICA_CLUSTERS).enumerate() {
            let mut backfill = Command::new(&sim_bin);
            backfill.arg("backfill");
            sim_args(&mut backfill);
            backfill
                .arg("--from")
                .arg((live_start - BACKFILL_SECS).to_string())
                .arg("--to")
                .arg(live_start.to_string())
                .arg("--out")
                .arg(&openmetrics)
                .args(["--replicas", &REPLICA_CLUSTERS.len().to_string(), "--replica", &replica.to_string()])
                // The history must carry the labels Prometheus gives live scrapes, or it would
                // be a separate set of series.
                .args(["--job", "arrwdb", "--instance", instance, "--cluster", cluster]);
            run(&mut backfill)?;
            // One set of blocks per replica: Prometheus reads overlapping blocks.
            run(Command::new("promtool")
                // Larger blocks: promtool re-reads the file once per block (7 s instead of 20 s).
                .args([
                    "tsdb",
                    "create-blocks-from",
                    "openmetrics",
                    "--max-block-duration=24h",
                ])
                .arg(&openmetrics)
                .arg(&data_dir)
                .stdout(Stdio::null()))?;
            // VictoriaMetrics reads the same OpenMetrics file (its timestamps in seconds).
            let status = crate::http_post_file(&vm_addr, "/api/v1/import/prometheus", &openmetrics, Duration::from_secs(600))?;
            if status != 204 {
                return Err(format!("VictoriaMetrics refused the history of {instance}: HTTP {status}").into());
            }
            fs::remove_file(&openmetrics)?;
        }
        // What was imported is searchable at once.
        crate::http_get(&vm_addr, "/internal/force_flush")?;
        eprintln!(
            "xtask: backfill done in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        let mut serve = Command::new(&sim_bin);
        let jaeger_addr = format!("127.0.0.1:{}", opts.jaeger_port);
        serve
            .arg("serve")
            .arg("--listen")
            .arg(instances.join(","))
            .arg("--jaeger-listen")
            .arg(&jaeger_addr)
            .arg("--bulk-libraries")
            .arg(opts.bulk_libraries.to_string());
        sim_args(&mut serve);
        stack.procs.push(spawn("arrwdb-sim", &mut serve, &run_dir)?);
        for instance in &instances {
            stack.wait_http("arrwdb-sim", instance, "/metrics")?;
        }
        stack.wait_http("arrwdb-sim", &jaeger_addr, "/api/v3/services")?;

        let node_addr = format!("127.0.0.1:{}", opts.node_exporter_port);
        stack.procs.push(spawn(
            "node-exporter",
            Command::new("prometheus-node-exporter")
                .arg(format!("--web.listen-address={node_addr}")),
            &run_dir,
        )?);
        stack.wait_http("node-exporter", &node_addr, "/metrics")?;

        // Alertmanager before the Prometheus that sends it alerts; no cluster of Alertmanagers
        // (no gossip port).
        let alertmanager_addr = format!("127.0.0.1:{}", opts.alertmanager_port);
        stack.procs.push(spawn(
            "alertmanager",
            Command::new("prometheus-alertmanager")
                .arg(format!("--config.file={}", root.join("deploy/alertmanager/alertmanager.yml").display()))
                .arg(format!("--storage.path={}", run_dir.join("alertmanager-data").display()))
                .arg(format!("--web.listen-address={alertmanager_addr}"))
                .arg("--cluster.listen-address="),
            &run_dir,
        )?);
        stack.wait_http("alertmanager", &alertmanager_addr, "/-/ready")?;

        let rules = run_dir.join("alerts.yml");
        fs::copy(root.join("deploy/prometheus/alerts.yml"), &rules)?;
        let demo_rules = run_dir.join("guide-as-printed.yml");
        fs::copy(root.join("xtask/demo/guide-as-printed.yml"), &demo_rules)?;
        let prom_yml = render(
            &fs::read_to_string(root.join("deploy/prometheus/prometheus.yml"))?,
            &[
                ("RULES_FILE", &rules.to_string_lossy()),
                ("DEMO_RULES_FILE", &demo_rules.to_string_lossy()),
                ("SIM_ADDR_1", &instances[0]),
                ("SIM_ADDR_2", &instances[1]),
                ("SIM_ADDR_3", &instances[2]),
                ("NODE_ADDR", &node_addr),
                ("ALERTMANAGER_ADDR", &alertmanager_addr),
            ],
        )?;
        let prom_config = run_dir.join("prometheus.yml");
        fs::write(&prom_config, prom_yml)?;
        let prom_addr = format!("127.0.0.1:{}", opts.prometheus_port);
        stack.procs.push(spawn(
            "prometheus",
            Command::new("prometheus")
                .arg(format!("--config.file={}", prom_config.display()))
                .arg(format!("--storage.tsdb.path={}", data_dir.display()))
                .arg(format!("--web.listen-address={prom_addr}"))
                .arg("--storage.tsdb.retention.time=30d")
                .arg("--enable-feature=exemplar-storage")
                // A stop must not wait for the remote-write queue (a minute by default).
                .arg("--storage.remote.flush-deadline=0s"),
            &run_dir,
        )?);
        stack.wait_http("prometheus", &prom_addr, "/-/ready")?;

        // One Prometheus per cluster, writing to VictoriaMetrics (its history was imported).
        let cluster_template = fs::read_to_string(root.join("deploy/prometheus/prometheus-cluster.yml"))?;
        for (cluster, port) in CLUSTERS.iter().zip(opts.cluster_prometheus_ports) {
            let targets: Vec<String> = instances
                .iter()
                .zip(REPLICA_CLUSTERS)
                .filter(|(_, c)| c == cluster)
                .map(|(i, _)| format!("'{i}'"))
                .collect();
            let yml = render(
                &cluster_template,
                &[
                    ("CLUSTER", cluster),
                    ("RULES_FILE", &rules.to_string_lossy()),
                    ("VM_ADDR", &vm_addr),
                    ("SIM_TARGETS", &targets.join(", ")),
                    ("NODE_ADDR", &node_addr),
                ],
            )?;
            let config = run_dir.join(format!("prometheus-{cluster}.yml"));
            fs::write(&config, yml)?;
            let name = format!("prometheus-{cluster}");
            let addr = format!("127.0.0.1:{port}");
            stack.procs.push(spawn(
                &name,
                Command::new("prometheus")
                    .arg(format!("--config.file={}", config.display()))
                    .arg(format!("--storage.tsdb.path={}", run_dir.join(format!("prometheus-{cluster}-data")).display()))
                    .arg(format!("--web.listen-address={addr}"))
                    .arg("--storage.tsdb.retention.time=1d")
                    .arg("--storage.remote.flush-deadline=0s"),
                &run_dir,
            )?);
            stack.wait_http(&name, &addr, "/-/ready")?;
        }

        let nginx_conf = write_nginx_config(&run_dir, dist, opts)?;
        nginx::check_config(&nginx_conf)?;
        stack
            .procs
            .push(spawn("nginx", &mut nginx::command(&nginx_conf), &run_dir)?);
        stack.wait_http("nginx", &format!("127.0.0.1:{}", opts.app_port), "/")?;
        stack.wait_two_scrapes(&prom_addr)?;
        Ok(stack)
    }

    /// Waits until every target has two scrapes inside the newest point of a 30 s step grid:
    /// the browser tests' 3 h range has a 30 s step and a 40 s rate window, with its end floored
    /// to the step. The network panel's data is live only (node metrics have no backfill), so
    /// until then its newest point, and so the panel, would be empty.
    fn wait_two_scrapes(&mut self, prom_addr: &str) -> Result<()> {
        eprintln!("xtask: waiting for two scrapes of every target on the 30 s grid");
        const GRID_SECS: u64 = 30;
        self.wait_until(
            "Prometheus to scrape every target twice on the 30 s grid",
            "prometheus",
            Duration::from_secs(120),
            Duration::from_millis(500),
            || {
                let at = now_unix() / GRID_SECS * GRID_SECS;
                let path = format!(
                    "/api/v1/query?time={at}&query=count(count_over_time(up%5B40s%5D)%20%3E%3D%202)%20%3D%3D%20count(up)"
                );
                matches!(http_get(prom_addr, &path), Ok((200, body)) if body.contains("\"result\":[{"))
            },
        )
    }

    /// Polls `path` until it answers 200.
    fn wait_http(&mut self, name: &str, addr: &str, path: &str) -> Result<()> {
        self.wait_until(
            &format!("{name} to answer on http://{addr}{path}"),
            name,
            Duration::from_secs(60),
            Duration::from_millis(100),
            || matches!(http_get(addr, path), Ok((200, _))),
        )
    }

    /// The one wait of the start-up: polls `ready` every `interval` until it holds, and fails
    /// as soon as a stop is requested or any process of the stack exits, or after `timeout`
    /// (with the output of `blamed`, the process that should have made it hold).
    fn wait_until(
        &mut self,
        what: &str,
        blamed: &str,
        timeout: Duration,
        interval: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            shutdown::check()?;
            self.ensure_alive(DURING_START_UP)?;
            if ready() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let output = self
                    .procs
                    .iter()
                    .find(|p| p.name == blamed)
                    .map(last_output)
                    .unwrap_or_default();
                return Err(format!(
                    "waited {} s for {what}, in vain; {output}",
                    timeout.as_secs()
                )
                .into());
            }
            shutdown::sleep(interval)?;
        }
    }

    /// Stops one process by name (tests use it to take Prometheus away mid-session).
    pub fn stop_process(&mut self, name: &str) {
        for p in self.procs.iter_mut().filter(|p| p.name == name) {
            p.stop();
        }
    }

    /// Checks that every process is still running.
    pub fn check_alive(&mut self) -> Result<()> {
        self.ensure_alive("while the stack was running")
    }

    /// Fails, naming the first process that exited `when`, with its last output.
    fn ensure_alive(&mut self, when: &str) -> Result<()> {
        for p in &mut self.procs {
            if let Some(status) = p.exited()? {
                return Err(
                    format!("{} exited ({status}) {when}; {}", p.name, last_output(p)).into(),
                );
            }
        }
        Ok(())
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // All at once, so stopping takes as long as the slowest process, not their sum; then
        // each is waited for (and killed if it takes too long) as it is dropped.
        for p in &mut self.procs {
            p.begin_termination();
        }
    }
}

/// Writes nginx's main configuration for the stack: the shipped site (deploy/nginx) rendered
/// for the app, plus one copy of it per extra site, each with its own config.json.
fn write_nginx_config(run_dir: &Path, dist: &Path, opts: &StackOptions) -> Result<PathBuf> {
    let site_template = nginx::site_template()?;
    let mut sites = String::new();
    let mut add_site = |name: &str,
                        port: u16,
                        root: &Path,
                        base_path: &str,
                        connect_src: &str,
                        frame_ancestors: &str,
                        backend: Backend|
     -> Result<()> {
        let site = nginx::Site {
            listen: format!("127.0.0.1:{port}"),
            base_path: base_path.to_owned(),
            root: root.to_path_buf(),
            prometheus_upstream: match backend {
                Backend::Prometheus => format!("http://127.0.0.1:{}", opts.prometheus_port),
                Backend::VictoriaMetrics => format!("http://127.0.0.1:{}/prometheus", opts.victoria_metrics_port),
            },
            jaeger_upstream: format!("http://127.0.0.1:{}", opts.jaeger_port),
            connect_src: connect_src.to_owned(),
            frame_ancestors: frame_ancestors.to_owned(),
            csp_report_log: csp_report_log(run_dir, name),
            proxy_headers: nginx::ProxyHeaders::default(),
            // Each cluster's Prometheus, for `alerts.sources` (the demo's VictoriaMetrics page).
            rule_sources: CLUSTERS
                .iter()
                .zip(opts.cluster_prometheus_ports)
                .map(|(cluster, port)| nginx::RuleSource {
                    path: format!("prometheus-{cluster}"),
                    upstream: format!("http://127.0.0.1:{port}"),
                    authorization: String::new(),
                })
                .collect(),
        };
        sites.push_str(&nginx::render_site(&site_template, &site)?);
        Ok(())
    };
    add_site("app", opts.app_port, dist, "/", "", "", Backend::Prometheus)?;
    let mut plain_sites = String::new();
    for site in &opts.extra_sites {
        let root = run_dir.join(format!("site-{}", site.name));
        fs::create_dir_all(&root)?;
        if let Some(page) = &site.page {
            fs::write(root.join("index.html"), page)?;
            plain_sites.push_str(&format!(
                "server {{\n  listen 127.0.0.1:{};\n  root {};\n  index index.html;\n}}\n",
                site.port,
                root.display()
            ));
            continue;
        }
        for entry in fs::read_dir(dist)? {
            let path = entry?.path();
            if path.is_file() {
                fs::copy(&path, root.join(path.file_name().unwrap_or_default()))?;
            }
        }
        let _ = fs::remove_file(root.join("config.json.gz"));
        fs::write(root.join("config.json"), &site.config_json)?;
        add_site(
            &site.name,
            site.port,
            &root,
            &site.base_path,
            &site.connect_src,
            &site.frame_ancestors,
            site.backend,
        )?;
    }
    let main = nginx::main_config(run_dir, &format!("{sites}{plain_sites}"))?;
    let path = run_dir.join("nginx.conf");
    fs::write(&path, main)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_fills_placeholders_and_refuses_leftovers() {
        assert_eq!(
            render("listen @LISTEN@;", &[("LISTEN", "1.2.3.4:5")]).unwrap(),
            "listen 1.2.3.4:5;"
        );
        assert!(render("root @ROOT@;", &[("LISTEN", "x")]).is_err());
        // Comments may mention placeholders, and are left as they are; an e-mail-like string
        // is not one.
        assert!(render("# @ROOT@ is the folder\nmail a@b.c;", &[]).is_ok());
        assert_eq!(
            render("  # @LOCS@ go here\n  @LOCS@\n", &[("LOCS", "a {\n}")]).unwrap(),
            "  # @LOCS@ go here\n  a {\n}\n"
        );
    }

    /// The whole configuration of a stack, the app and every kind of extra site (a sub-path,
    /// a portal page), passes `nginx -t`.
    #[test]
    fn the_stack_nginx_configuration_passes_nginx_t() {
        let run_dir = std::env::temp_dir().join(format!("xtask-nginx-t-{}", std::process::id()));
        let dist = run_dir.join("dist");
        fs::create_dir_all(&dist).unwrap();
        fs::write(dist.join("index.html"), "<!DOCTYPE html>").unwrap();
        let extra = |name: &str, base_path: &str, page: Option<&str>| ExtraSite {
            name: name.into(),
            port: crate::free_port().unwrap(),
            config_json: "{}".into(),
            base_path: base_path.into(),
            connect_src: "http://127.0.0.1:1".into(),
            frame_ancestors: "http://127.0.0.1:2".into(),
            page: page.map(str::to_owned),
            backend: Backend::Prometheus,
        };
        let opts = StackOptions {
            name: "nginx-t".into(),
            app_port: crate::free_port().unwrap(),
            prometheus_port: 9090,
            sim_ports: [8000, 8001, 8002],
            jaeger_port: 16686,
            victoria_metrics_port: 8428,
            cluster_prometheus_ports: [9091, 9092],
            node_exporter_port: 9100,
            alertmanager_port: 9093,
            bulk_libraries: 0,
            extra_sites: vec![
                extra("subpath", "/ops/arrwdb/", None),
                extra("portal", "/", Some("<!DOCTYPE html>")),
            ],
            dist: dist.clone(),
        };
        let conf = write_nginx_config(&run_dir, &dist, &opts).unwrap();
        let checked = nginx::check_config(&conf);
        let _ = fs::remove_dir_all(&run_dir);
        checked.unwrap();
    }
}
