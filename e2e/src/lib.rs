//! The browser-test harness: a headless Debian Chromium per test, driven through chromedriver,
//! against the stack that `cargo xtask test` started (its URLs come in environment variables).
//! Waits are on DOM state, never on sleeps.

pub mod bench;
pub mod panels;

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

/// How long a test waits for the page to reach a state.
pub const WAIT_SECS: u64 = 45;

/// An environment variable that `cargo xtask test` sets; a missing one fails the test loudly.
pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: the browser tests run against the stack that `cargo xtask test` starts; run that command")
    })
}

/// A browser session; dropping it does not wait, so call `close()` at the end of a test.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver must be installed (cargo xtask test installs Debian's chromium-driver)");
        // A profile no other Chromium ever had: one named by a reused port could still be
        // locked by a Chromium that is shutting down, and the new one would exit at start.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let profile = std::env::temp_dir().join(format!(
            "arrwdb-e2e-profile-{}-{port}-{nanos}",
            std::process::id()
        ));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last_err = String::new();
        for _ in 0..100 {
            match ClientBuilder::rustls()
                .expect("rustls")
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver,
                        profile,
                    }
                }
                Err(e) => {
                    last_err = e.to_string();
                    // chromedriver is still starting: retry its port.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("could not start a Chromium session through chromedriver on {url}: {last_err}");
    }

    /// Waits until an element matching `css` exists, up to `timeout`; on failure saves a
    /// screenshot under target/e2e and panics with the panel states seen.
    pub async fn wait_for(&self, css: &str, timeout: Duration, artifact: &str) {
        let found = self
            .client
            .wait()
            .at_most(timeout)
            .every(Duration::from_millis(100))
            .for_element(Locator::Css(css))
            .await;
        if found.is_err() {
            self.screenshot(artifact).await;
            let states = self.panel_states().await;
            panic!("no element matched {css} within {timeout:?}; panels: {states}");
        }
    }

    /// Polls `script` (returning a boolean) until it is true: DOM state, never a sleep. A
    /// script that throws (an element not built yet) counts as false. After `WAIT_SECS` it saves
    /// a screenshot named `what` and fails with the last answer and every panel's state.
    pub async fn wait_true(&self, script: &str, what: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(WAIT_SECS);
        let guarded = format!("try {{ {script} }} catch (e) {{ return 'threw: ' + e; }}");
        loop {
            let answer = self.js(&guarded).await;
            if answer == Value::Bool(true) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                self.screenshot(what).await;
                panic!(
                    "{what}: `{script}` stayed false (last: {answer}); panels: {}",
                    self.panel_states().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every panel's id, state and message, for failure reports.
    pub async fn panel_states(&self) -> String {
        self.js(
            "return Array.from(document.querySelectorAll('[data-panel]')).map(p => \
             p.dataset.panel + '=' + p.dataset.state + ' (' + p.innerText.slice(0, 200) + ')').join('; ')",
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    /// Opens `url` in the browser.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{url} opens: {e}"));
    }

    /// Sends a Chrome DevTools Protocol command to the page through chromedriver
    /// (`goog/cdp/execute`) and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(CdpCommand {
                cmd: cmd.to_owned(),
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("the DevTools command {cmd} runs: {e}"))
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let dir = std::path::PathBuf::from(env("ARRWDB_E2E_ARTIFACTS"));
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A Chrome DevTools Protocol command, as chromedriver's `goog/cdp/execute` takes it.
#[derive(Debug)]
struct CdpCommand {
    cmd: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// The HTTP version of a request: 1.1 as browsers speak it (nginx gzips only 1.1 answers by
/// default); 1.0 where the answer must not be chunked (the client reads it to the end as is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpVersion {
    V10,
    V11,
}

/// One GET on loopback, one request per connection: the response head (status line and headers) and the body.
/// A tiny client is enough here and keeps the harness free of another HTTP stack.
pub async fn http_get(
    base: &str,
    path_and_query: &str,
    version: HttpVersion,
    headers: &[(&str, &str)],
) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{addr} answers: {e}"));
    let version = match version {
        HttpVersion::V10 => "1.0",
        HttpVersion::V11 => "1.1",
    };
    let mut req =
        format!("GET {path_and_query} HTTP/{version}\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    (head, body)
}

/// One request on loopback (`addr` is `host:port`) with an optional JSON body: the status
/// code and the body.
pub async fn http_send(addr: &str, method: &str, path: &str, json_body: Option<&str>) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{addr} answers: {e}"));
    let body = json_body.unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Asks Prometheus directly (not through the page): the reference every number is held to.
pub async fn prometheus_query(base: &str, path_and_query: &str) -> Value {
    let (_, body) = http_get(base, path_and_query, HttpVersion::V10, &[]).await;
    let body = String::from_utf8_lossy(&body);
    serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("Prometheus's answer is not JSON ({e}): {body}"))
}

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A TCP forwarder standing in for "Prometheus is up" on a fixed port: while it runs, every
/// connection to `listen_port` is relayed to the real Prometheus; [`Forwarder::stop`] closes
/// the port and every open connection (keep-alive ones included), so the page sees exactly what
/// it sees when Prometheus goes down.
pub struct Forwarder {
    task: tokio::task::JoinHandle<()>,
}

impl Forwarder {
    /// Forwards every connection to `target` as it is.
    pub async fn start(listen_port: u16, target: &str) -> Forwarder {
        Forwarder::spawn(listen_port, target, None).await
    }

    /// Forwards every connection to `target`, each piece of a request `delay` late: every
    /// answer comes at least `delay` after its request (a slow Prometheus).
    pub async fn start_delayed(listen_port: u16, target: &str, delay: Duration) -> Forwarder {
        Forwarder::spawn(listen_port, target, Some(delay)).await
    }

    async fn spawn(listen_port: u16, target: &str, delay: Option<Duration>) -> Forwarder {
        let target = target
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", listen_port))
            .await
            .expect("the forwarder's port is free");
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let target = target.clone();
                connections.spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    match delay {
                        None => {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                        Some(delay) => forward_late(inbound, outbound, delay).await,
                    }
                });
            }
        });
        Forwarder { task }
    }

    /// Closes the port and every connection (the `JoinSet` aborts them when dropped).
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// Copies `inbound` to `outbound` `delay` after each read, and the answers back as they come.
async fn forward_late(inbound: tokio::net::TcpStream, outbound: tokio::net::TcpStream, delay: Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut in_read, mut in_write) = inbound.into_split();
    let (mut out_read, mut out_write) = outbound.into_split();
    let requests = async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = in_read.read(&mut buf).await {
            tokio::time::sleep(delay).await;
            if out_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = out_write.shutdown().await;
    };
    let answers = async move {
        let _ = tokio::io::copy(&mut out_read, &mut in_write).await;
        let _ = in_write.shutdown().await;
    };
    tokio::join!(requests, answers);
}
