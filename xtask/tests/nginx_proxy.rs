//! The shipped nginx site (deploy/nginx/arrwdb-ops.conf) with Debian's nginx, against upstreams
//! that record what reaches them: the proxied path keeps the upstream's own path and the query
//! string, the page works under a sub-path, and the tenant and credential headers are sent
//! exactly when configured, whatever the browser sends under their names.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xtask::nginx::{self, ProxyHeaders, Site};
use xtask::process::Supervised;
use xtask::{http_get, http_get_with_headers};

/// What an upstream received: the request line and the headers (names lowercased; every value
/// of a name, in order).
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    headers: HashMap<String, Vec<String>>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&[String]> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(Vec::as_slice)
    }
}

/// A TCP listener that answers every request `200 ok` and keeps what it received.
struct RecordingUpstream {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl RecordingUpstream {
    fn start() -> RecordingUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the upstream");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut headers: HashMap<String, Vec<String>> = HashMap::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.trim_end().split_once(':') {
                        headers
                            .entry(name.trim().to_ascii_lowercase())
                            .or_default()
                            .push(value.trim().to_owned());
                    }
                }
                log.lock().unwrap().push(Received {
                    request_line: request_line.trim_end().to_owned(),
                    headers,
                });
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            }
        });
        RecordingUpstream { port, received }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The one request it received since the last call.
    fn take_one(&self) -> Received {
        let mut received = self.received.lock().unwrap();
        assert_eq!(received.len(), 1, "requests received: {received:?}");
        received.pop().unwrap()
    }
}

/// Headers a browser (or anyone) might send, which must not choose the tenant or credentials.
const BROWSER_HEADERS: &[(&str, &str)] = &[
    ("X-Scope-OrgID", "someone-else"),
    ("THANOS-TENANT", "someone-else"),
    ("x-tenant", "someone-else"),
    ("Authorization", "Basic YnJvd3Nlcjpzb3VyY2U="),
];

/// A free port for nginx below Linux's ephemeral range (see `xtask::free_port`): no listener
/// this test binds to port 0 (the upstreams) can be handed the same port before nginx binds it.
fn nginx_port() -> u16 {
    xtask::free_port().unwrap()
}

/// Runs nginx on `sites` (server blocks) in a fresh folder; stopped when dropped.
fn start_nginx(name: &str, servers: &str, ports: &[u16]) -> Supervised {
    let run_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&run_dir);
    std::fs::create_dir_all(&run_dir).unwrap();
    let conf = run_dir.join("nginx.conf");
    std::fs::write(&conf, nginx::main_config(&run_dir, servers).unwrap()).unwrap();
    nginx::check_config(&conf).expect("nginx -t accepts the rendered site");
    let log = run_dir.join("nginx.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut cmd = nginx::command(&conf);
    cmd.stdout(file.try_clone().unwrap()).stderr(file);
    let mut proc = Supervised::spawn("nginx", &mut cmd, Some(&log)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    for port in ports {
        while http_get(&format!("127.0.0.1:{port}"), "/").is_err() {
            assert!(
                proc.exited().unwrap().is_none(),
                "nginx exited: see {}",
                log.display()
            );
            assert!(Instant::now() < deadline, "nginx does not answer on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    proc
}

fn page_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-page"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><title>arrwdb-ops</title>",
    )
    .unwrap();
    dir
}

fn site(port: u16, base_path: &str, root: &Path, prometheus: String, jaeger: String) -> Site {
    Site {
        listen: format!("127.0.0.1:{port}"),
        base_path: base_path.into(),
        root: root.to_path_buf(),
        prometheus_upstream: prometheus,
        jaeger_upstream: jaeger,
        connect_src: String::new(),
        frame_ancestors: String::new(),
        csp_report_log: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("csp-{port}.log")),
        proxy_headers: ProxyHeaders::default(),
        rule_sources: Vec::new(),
    }
}

fn get(port: u16, path: &str) -> (u16, String) {
    http_get_with_headers(&format!("127.0.0.1:{port}"), path, BROWSER_HEADERS)
        .unwrap_or_else(|e| panic!("GET {path} on port {port}: {e}"))
}

fn assert_absent(received: &Received, names: &[&str]) {
    for name in names {
        assert_eq!(
            received.header(name),
            None,
            "{name} reached the upstream: {received:?}"
        );
    }
}

fn assert_only(received: &Received, name: &str, value: &str) {
    assert_eq!(
        received.header(name),
        Some(&[value.to_owned()][..]),
        "{name} at the upstream: {received:?}"
    );
}

#[test]
fn proxied_requests_keep_the_upstream_path_the_query_and_only_the_configured_headers() {
    let template = nginx::site_template().unwrap();
    let root = page_dir("nginx-proxy");

    // Prometheus at the root of its host, the page at the root of the site, no header set.
    let plain_prometheus = RecordingUpstream::start();
    let plain_jaeger = RecordingUpstream::start();
    let plain_port = nginx_port();
    let plain = site(
        plain_port,
        "/",
        &root,
        plain_prometheus.url(""),
        plain_jaeger.url(""),
    );

    // Mimir (`/prometheus`) and a Jaeger under a path, the page under `/ops/`, with tenants and
    // credentials set. The trailing slash an operator may write is tolerated.
    let mimir = RecordingUpstream::start();
    let tenant_jaeger = RecordingUpstream::start();
    let mimir_port = nginx_port();
    let mut tenants = site(
        mimir_port,
        "/ops/",
        &root,
        mimir.url("/prometheus/"),
        tenant_jaeger.url("/jaeger-query"),
    );
    tenants.proxy_headers = ProxyHeaders {
        prometheus_scope_org_id: "tenant-a".into(),
        prometheus_thanos_tenant: "team-b".into(),
        prometheus_authorization: "Bearer prom-token.with/+=chars".into(),
        jaeger_tenant: "traces-c".into(),
        jaeger_authorization: "Basic amFlZ2VyOnNlY3JldA==".into(),
    };

    // A VictoriaMetrics cluster (`/select/0/prometheus`), the page two levels deep.
    let victoria = RecordingUpstream::start();
    let victoria_port = nginx_port();
    let mut deep = site(
        victoria_port,
        "/ops/arrwdb/",
        &root,
        victoria.url("/select/0/prometheus"),
        plain_jaeger.url(""),
    );
    // Its rules from a cluster's Prometheus (`alerts.sources`), with credentials of their own.
    let cluster_prometheus = RecordingUpstream::start();
    deep.rule_sources = vec![nginx::RuleSource {
        path: "prometheus-eu-west".into(),
        upstream: cluster_prometheus.url(""),
        authorization: "Bearer rules-token".into(),
    }];

    let servers: String = [&plain, &tenants, &deep]
        .iter()
        .map(|s| nginx::render_site(&template, s).unwrap())
        .collect();
    let _nginx = start_nginx(
        "nginx-proxy",
        &servers,
        &[plain_port, mimir_port, victoria_port],
    );
    let all_headers = [
        "X-Scope-OrgID",
        "THANOS-TENANT",
        "x-tenant",
        "Authorization",
    ];

    // Plain upstream: the prefix is replaced by the upstream's root; nothing is added, and the
    // browser's own tenant and credentials are dropped.
    assert_eq!(
        get(plain_port, "/prometheus/api/v1/query?query=up"),
        (200, "ok".into())
    );
    let at_plain = plain_prometheus.take_one();
    assert_eq!(at_plain.request_line, "GET /api/v1/query?query=up HTTP/1.0");
    assert_absent(&at_plain, &all_headers);
    get(plain_port, "/jaeger/api/v3/services");
    let at_plain_jaeger = plain_jaeger.take_one();
    assert_eq!(
        at_plain_jaeger.request_line,
        "GET /api/v3/services HTTP/1.0"
    );
    assert_absent(&at_plain_jaeger, &all_headers);

    // Path-prefixed upstreams under a sub-path: the upstream's path stays, the query too, and
    // each upstream gets its configured headers, once, and not the other's.
    assert_eq!(
        get(mimir_port, "/ops/prometheus/api/v1/query?query=up"),
        (200, "ok".into())
    );
    let at_mimir = mimir.take_one();
    assert_eq!(
        at_mimir.request_line,
        "GET /prometheus/api/v1/query?query=up HTTP/1.0"
    );
    assert_only(&at_mimir, "X-Scope-OrgID", "tenant-a");
    assert_only(&at_mimir, "THANOS-TENANT", "team-b");
    assert_only(&at_mimir, "Authorization", "Bearer prom-token.with/+=chars");
    assert_absent(&at_mimir, &["x-tenant"]);
    get(
        mimir_port,
        "/ops/jaeger/api/v3/traces?query.service_name=arrwdb&query.num_traces=100",
    );
    let at_jaeger = tenant_jaeger.take_one();
    assert_eq!(
        at_jaeger.request_line,
        "GET /jaeger-query/api/v3/traces?query.service_name=arrwdb&query.num_traces=100 HTTP/1.0"
    );
    assert_only(&at_jaeger, "x-tenant", "traces-c");
    assert_only(&at_jaeger, "Authorization", "Basic amFlZ2VyOnNlY3JldA==");
    assert_absent(&at_jaeger, &["X-Scope-OrgID", "THANOS-TENANT"]);

    // VictoriaMetrics: an encoded query string arrives byte for byte.
    let query =
        "/api/v1/query_range?query=sum%20by%20(handler)%20(rate(x%5B5m%5D))&start=1&end=2&step=15";
    assert_eq!(
        get(victoria_port, &format!("/ops/arrwdb/prometheus{query}")),
        (200, "ok".into())
    );
    let at_victoria = victoria.take_one();
    assert_eq!(
        at_victoria.request_line,
        format!("GET /select/0/prometheus{query} HTTP/1.0")
    );
    assert_absent(&at_victoria, &all_headers);

    // A rule source: its own path, its own credentials, none of the browser's tenants.
    assert_eq!(
        get(victoria_port, "/ops/arrwdb/prometheus-eu-west/api/v1/rules"),
        (200, "ok".into())
    );
    let at_source = cluster_prometheus.take_one();
    assert_eq!(at_source.request_line, "GET /api/v1/rules HTTP/1.0");
    assert_only(&at_source, "Authorization", "Bearer rules-token");
    assert_absent(&at_source, &["X-Scope-OrgID", "THANOS-TENANT", "x-tenant"]);

    // The page itself under each base path.
    for (port, base) in [
        (plain_port, "/"),
        (mimir_port, "/ops/"),
        (victoria_port, "/ops/arrwdb/"),
    ] {
        let (status, body) = get(port, base);
        assert_eq!(status, 200, "the page at {base}");
        assert!(body.contains("<title>arrwdb-ops</title>"), "{body}");
    }
}

#[test]
fn the_renderer_refuses_values_nginx_would_not_read_as_given() {
    let template = nginx::site_template().unwrap();
    let root = page_dir("nginx-refusals");
    let good = site(
        1,
        "/",
        &root,
        "http://h:9090".into(),
        "http://h:16686".into(),
    );
    assert!(nginx::render_site(&template, &good).is_ok());

    let mut quote = good.clone();
    quote.proxy_headers.prometheus_authorization = "Bearer a\"b".into();
    let mut variable = good.clone();
    variable.proxy_headers.jaeger_tenant = "$remote_user".into();
    let mut newline = good.clone();
    newline.proxy_headers.prometheus_scope_org_id = "a\nb".into();
    let mut query = good.clone();
    query.prometheus_upstream = "http://h:9090/prometheus?x=1".into();
    let mut scheme = good.clone();
    scheme.jaeger_upstream = "h:16686".into();
    let source = |path: &str, authorization: &str| {
        let mut site = good.clone();
        site.rule_sources = vec![nginx::RuleSource {
            path: path.into(),
            upstream: "http://h:9091".into(),
            authorization: authorization.into(),
        }];
        site
    };
    assert!(nginx::render_site(&template, &source("prometheus-eu-west", "")).is_ok());
    for (case, site) in [
        ("a quote", quote),
        ("a variable", variable),
        ("a newline", newline),
        ("a query in the upstream", query),
        ("an upstream without scheme", scheme),
        ("a rule source path with a slash", source("a/b", "")),
        ("an empty rule source path", source("", "")),
        ("a rule source credential with a variable", source("p", "$http_x")),
    ] {
        assert!(
            nginx::render_site(&template, &site).is_err(),
            "{case} was accepted"
        );
    }
}
