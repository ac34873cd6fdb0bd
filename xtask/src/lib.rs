//! The project's own commands (`cargo xtask demo | test`), as a library so that each piece is
//! small and testable: tool installation, the release build, and the stack of real processes
//! (the arrwDB simulator, Prometheus, nginx) that the demo and the browser tests run against.

pub mod bench_page;
pub mod imports;
pub mod nginx;
pub mod process;
pub mod shutdown;
pub mod stack;
pub mod tools;
pub mod wasm_build;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The repository's root folder (the parent of xtask/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Runs a command to completion, failing with the command line when it does not succeed. The
/// command, and whatever it starts, is stopped when xtask is asked to stop (see `process`).
pub fn run(cmd: &mut Command) -> Result<()> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let status = process::Supervised::spawn(&name, cmd, None)?.wait()?;
    if !status.success() {
        return Err(format!("{cmd:?} failed: {status}").into());
    }
    Ok(())
}

/// How long a readiness check may take (connecting, then each read): short, so that a wait
/// polling it notices a stop request or a dead child within about a second.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// A plain HTTP/1.0 GET on loopback, for readiness checks: (status code, body). Fails after
/// `PROBE_TIMEOUT` without an answer.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    http_get_with_headers(addr, path, &[])
}

/// POSTs the file at `body` to `http://addr/path` and answers the status, for imports that
/// take seconds: it gives up at once when a stop is requested (between chunks of the upload
/// and while it waits for the answer), and after `timeout`.
pub fn http_post_file(addr: &str, path: &str, body: &std::path::Path, timeout: Duration) -> Result<u16> {
    let socket: SocketAddr = addr.parse().map_err(|e| format!("{addr} is not an address: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&socket, PROBE_TIMEOUT)?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let length = std::fs::metadata(body)?.len();
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {length}\r\n\r\n"
    )?;
    let mut file = std::fs::File::open(body)?;
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        shutdown::check()?;
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        stream.write_all(&chunk[..n])?;
    }
    let deadline = std::time::Instant::now() + timeout;
    let mut raw = Vec::new();
    loop {
        shutdown::check()?;
        match stream.read_to_end(&mut raw) {
            Ok(_) => break,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if std::time::Instant::now() > deadline {
                    return Err(format!("{addr}{path} did not answer within {} s", timeout.as_secs()).into());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    status.ok_or_else(|| format!("not an HTTP answer from {addr}{path}").into())
}

/// `http_get` with more request headers (name, value).
pub fn http_get_with_headers(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String)> {
    let socket: SocketAddr = addr
        .parse()
        .map_err(|e| std::io::Error::other(format!("{addr} is not an address: {e}")))?;
    let mut stream = TcpStream::connect_timeout(&socket, PROBE_TIMEOUT)?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT))?;
    stream.set_write_timeout(Some(PROBE_TIMEOUT))?;
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer from {addr}{path}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A port that was free a moment ago on 127.0.0.1, from 20000 to 31999: below Linux's
/// ephemeral range (32768–60999). A port the kernel hands out for `:0` is ephemeral, so the
/// local end of any outgoing connection (a scrape, a health check of another stack) can take it
/// before the process it was chosen for binds it; this one cannot. Successive calls in one
/// process never answer the same port, and processes start at different places (by pid).
pub fn free_port() -> Result<u16> {
    use std::sync::atomic::{AtomicU64, Ordering};
    const FIRST: u16 = 20_000;
    const COUNT: u64 = 12_000;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = u64::from(std::process::id()).wrapping_mul(2_654_435_761);
    for _ in 0..COUNT {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // 7,919 is prime and does not divide COUNT: the steps visit every port of the range.
        let port = FIRST + ((seed.wrapping_add(n.wrapping_mul(7_919))) % COUNT) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free port on 127.0.0.1 from 20000 to 31999".into())
}
