//! `arrwdb-sim serve`: one replica's `GET /metrics` (text format 0.0.4, or OpenMetrics with
//! exemplars when the `Accept` header asks for it, the values at the moment of the scrape) and
//! `GET /health`, one request at a time, per replica; and, on a listener of its own, Jaeger's
//! query API over the traces of every replica ([`JaegerServer`], see `jaeger`).
//!
//! For the tests, not a part of arrwDB: `POST /outage?secs=N` makes the replica answer every
//! scrape and health check with `503 Service Unavailable` for the next N seconds (at most
//! [`MAX_OUTAGE_SECS`]), as a replica that is down does for Prometheus (`up == 0`).

use std::fmt;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use tiny_http::{Header, Method, Request, Response, Server};

use crate::config::{ConfigError, SimConfig};
use crate::exemplars::http_duration_exemplars;
use crate::exposition::{accepts_openmetrics, Exposition, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE};
use crate::jaeger;
use crate::replicas::Deployment;
use crate::state::Simulator;

/// The body of `GET /health` (arrwDB's health answer).
pub const HEALTH_BODY: &str = "{\"status\":\"healthy\"}";

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The simulation's configuration is invalid.
    Config(ConfigError),
    /// The address could not be bound.
    Bind {
        /// The address asked for.
        address: String,
        /// What went wrong.
        reason: String,
    },
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Config(e) => write!(f, "invalid simulation: {e}"),
            ServeError::Bind { address, reason } => write!(f, "cannot listen on {address}: {reason}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// The current time in unix seconds.
pub fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The longest outage `POST /outage` starts.
pub const MAX_OUTAGE_SECS: u64 = 600;

/// A bound server with its simulator.
pub struct MetricsServer {
    http: Server,
    address: SocketAddr,
    simulator: Simulator,
    /// Until when (unix seconds) the replica plays dead: see `POST /outage`.
    down_until_unix: u64,
}

/// Binds an HTTP listener on `address` and says where it really listens (port 0 picks one).
fn bind_http(address: &str) -> Result<(Server, SocketAddr), ServeError> {
    let bind_error = |reason: String| ServeError::Bind { address: address.to_owned(), reason };
    let http = Server::http(address).map_err(|e| bind_error(e.to_string()))?;
    let local = http.server_addr().to_ip().ok_or_else(|| bind_error("not an IP address".to_owned()))?;
    Ok((http, local))
}

impl MetricsServer {
    /// Binds `address` (`host:port`; port 0 picks a free one).
    pub fn bind(address: &str, config: SimConfig) -> Result<MetricsServer, ServeError> {
        let simulator = Simulator::new(config).map_err(ServeError::Config)?;
        let (http, address) = bind_http(address)?;
        Ok(MetricsServer { http, address, simulator, down_until_unix: 0 })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Brings the cached counters up to `t_unix` (after a long uptime, the first scrape would
    /// otherwise do this work).
    pub fn warm_up(&mut self, t_unix: u64) {
        self.simulator.totals_at(t_unix);
    }

    /// Serves forever with the system clock.
    pub fn run(self) {
        self.run_with_clock(now_unix)
    }

    /// Serves forever, taking the time of each scrape from `clock` (unix seconds).
    pub fn run_with_clock(mut self, mut clock: impl FnMut() -> u64) {
        while let Ok(request) = self.http.recv() {
            let t_unix = clock();
            self.answer(request, t_unix);
        }
    }

    fn answer(&mut self, request: Request, t_unix: u64) {
        let path = request.url().split('?').next().unwrap_or("");
        let readable = matches!(request.method(), Method::Get | Method::Head);
        let down = t_unix < self.down_until_unix;
        let response = match (path, readable) {
            ("/outage", false) if *request.method() == Method::Post => {
                let secs = request.url().split_once("?secs=").and_then(|(_, n)| n.parse::<u64>().ok());
                match secs {
                    Some(secs) if secs <= MAX_OUTAGE_SECS => {
                        self.down_until_unix = t_unix + secs;
                        Response::from_string(format!("down for {secs} s\n"))
                    }
                    _ => Response::from_string(format!("POST /outage?secs=N, N from 0 to {MAX_OUTAGE_SECS}\n"))
                        .with_status_code(400),
                }
            }
            ("/metrics" | "/health", true) if down => {
                Response::from_string("Service Unavailable\n").with_status_code(503)
            }
            ("/metrics", true) => {
                let openmetrics =
                    request.headers().iter().any(|h| h.field.equiv("Accept") && accepts_openmetrics(h.value.as_str()));
                let snapshot = self.simulator.snapshot_at(t_unix);
                let config = self.simulator.config();
                let exposition = Exposition::of(config, &snapshot);
                let (body, content_type) = if openmetrics {
                    let exemplars = http_duration_exemplars(config, &exposition, t_unix);
                    (exposition.render_openmetrics(&exemplars), OPENMETRICS_CONTENT_TYPE)
                } else {
                    (exposition.render_text(), TEXT_CONTENT_TYPE)
                };
                // With a Content-Length, as uvicorn answers, rather than chunked.
                Response::from_string(body)
                    .with_header(header("Content-Type", content_type))
                    .with_chunked_threshold(usize::MAX)
            }
            ("/health", true) => {
                Response::from_string(HEALTH_BODY).with_header(header("Content-Type", "application/json"))
            }
            ("/metrics" | "/health", false) => Response::from_string("Method Not Allowed\n").with_status_code(405),
            _ => Response::from_string("Not Found\n").with_status_code(404),
        };
        // A client that went away is not the server's problem.
        let _ = request.respond(response);
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// How many requests the Jaeger listener answers at once (a long search does not hold up the
/// others; the metrics listener is separate anyway).
pub const JAEGER_WORKERS: usize = 2;

/// A bound Jaeger query API (see `jaeger`) over the traces of every replica: stateless, so its
/// workers share only the deployment.
pub struct JaegerServer {
    http: Server,
    address: SocketAddr,
    deployment: Deployment,
}

impl JaegerServer {
    /// Binds `address` (`host:port`; port 0 picks a free one).
    pub fn bind(address: &str, deployment: Deployment) -> Result<JaegerServer, ServeError> {
        deployment.config().validate().map_err(ServeError::Config)?;
        let (http, address) = bind_http(address)?;
        Ok(JaegerServer { http, address, deployment })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Serves forever with the system clock, on [`JAEGER_WORKERS`] threads.
    pub fn run(self) {
        self.run_with_clock(now_unix)
    }

    /// Serves forever, taking the time of each request from `clock` (unix seconds), on
    /// [`JAEGER_WORKERS`] threads.
    pub fn run_with_clock(self, clock: fn() -> u64) {
        let server = std::sync::Arc::new(self);
        let workers: Vec<_> = (1..JAEGER_WORKERS)
            .map(|_| {
                let server = server.clone();
                std::thread::spawn(move || server.serve(clock))
            })
            .collect();
        server.serve(clock);
        for worker in workers {
            let _ = worker.join();
        }
    }

    /// Serves on a thread of its own with a fixed time (for tests).
    pub fn spawn_at(self, t_unix: u64) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            while let Ok(request) = self.http.recv() {
                self.answer(request, t_unix);
            }
        })
    }

    fn serve(&self, clock: fn() -> u64) {
        while let Ok(request) = self.http.recv() {
            self.answer(request, clock());
        }
    }

    fn answer(&self, request: Request, t_unix: u64) {
        let method = request.method().as_str().to_owned();
        let answer = jaeger::handle(&self.deployment, &method, request.url(), t_unix);
        let mut response = Response::from_string(answer.body)
            .with_status_code(answer.status)
            .with_header(header("Content-Type", answer.content_type))
            .with_chunked_threshold(usize::MAX);
        for (name, value) in answer.headers {
            response.add_header(header(name, value));
        }
        let _ = request.respond(response);
    }
}
