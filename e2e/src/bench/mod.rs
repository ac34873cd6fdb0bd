//! Pieces of `cargo xtask bench` (the program is `src/bin/bench.rs`): the scripts it puts in
//! the page, summary statistics, budgets, the wasm breakdown by crate, and a small static file
//! server for the render bench page.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Installed before the app's scripts: panel ready times, the accelerated clock, requests in
/// flight, the wasm memory.
pub const PAGE_HOOKS_JS: &str = include_str!("page_hooks.js");
/// Runs refresh cycles of the dashboard and counts their requests.
pub const CYCLES_JS: &str = include_str!("cycles.js");
/// Costs one refresh of the dashboard: bytes, series and points from the Prometheus API.
pub const REFRESH_COST_JS: &str = include_str!("refresh_cost.js");
/// Times pointer moves on the request-rate chart.
pub const POINTER_JS: &str = include_str!("pointer.js");

/// The median of `values` (the mean of the middle two for an even count); `None` when empty
/// or when a value is not finite.
pub fn median(values: &[f64]) -> Option<f64> {
    percentile(values, 50.0)
}

/// The `p`th percentile of `values`, linearly interpolated between closest ranks.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = p.clamp(0.0, 100.0) / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64))
}

/// A goal of the issue, and whether the measure meets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub measure: &'static str,
    pub goal: String,
    pub measured: String,
    pub met: bool,
}

/// The crate a (demangled) wasm function name belongs to: the first path segment, through
/// `<T as Trait>` and `&`; `None` for unnamed items (`code[12]`, `data[3]`).
pub fn crate_of(name: &str) -> Option<String> {
    let trimmed = name.trim_start_matches(['<', '&', '*', '(', ' ']);
    let trimmed = trimmed.strip_prefix("mut ").unwrap_or(trimmed);
    let segment = trimmed.split("::").next()?;
    let is_path = trimmed.contains("::")
        && !segment.is_empty()
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_path.then(|| segment.to_owned())
}

/// Sums twiggy's items (`[{"name", "shallow_size"}]`) by crate, largest first; unnamed items
/// and wasm sections go under their own name.
pub fn bytes_by_crate(items: &[Value]) -> Vec<(String, u64)> {
    let mut sums: Vec<(String, u64)> = Vec::new();
    for item in items {
        let name = item["name"].as_str().unwrap_or_default();
        let size = item["shallow_size"].as_u64().unwrap_or(0);
        let key = crate_of(name).unwrap_or_else(|| {
            if name.starts_with("code[") {
                "(unnamed code)".to_owned()
            } else if name.starts_with("data[") {
                "(data segments)".to_owned()
            } else {
                name.to_owned()
            }
        });
        match sums.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += size,
            None => sums.push((key, size)),
        }
    }
    sums.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sums
}

/// The content type of a file of the bench page, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Serves the files of `dir` (no sub-folders) on a free loopback port until the program
/// ends; answers the base URL.
pub async fn serve_dir(dir: PathBuf) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port for the bench page");
    let url = format!(
        "http://{}/",
        listener.local_addr().expect("bound").to_owned()
    );
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let dir = dir.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 8192];
                let n = stream.read(&mut head).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&head[..n]);
                let path = head.split_whitespace().nth(1).unwrap_or("/");
                let name = path
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let name = if name.is_empty() { "index.html" } else { name };
                let file = dir.join(name);
                let answer = match (name.contains(".."), std::fs::read(&file)) {
                    (false, Ok(body)) => {
                        let mut a = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                            content_type(&file),
                            body.len()
                        )
                        .into_bytes();
                        a.extend(body);
                        a
                    }
                    _ => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&answer).await;
            });
        }
    });
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 100.0), Some(5.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 25.0), Some(2.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn wasm_bytes_are_summed_by_crate() {
        for (name, expected) in [
            ("leptos::mount::mount_to", Some("leptos")),
            (
                "<plotters::style::Font as core::fmt::Debug>::fmt",
                Some("plotters"),
            ),
            ("&mut serde_json::de::Deserializer<R>", Some("serde_json")),
            ("code[12]", None),
            ("\"function names\" subsection", None),
        ] {
            assert_eq!(crate_of(name).as_deref(), expected, "{name}");
        }
        let items = [
            json!({"name": "core::fmt::write", "shallow_size": 10}),
            json!({"name": "leptos::a", "shallow_size": 5}),
            json!({"name": "<core::x as leptos::Y>::z", "shallow_size": 7}),
            json!({"name": "code[1]", "shallow_size": 3}),
        ];
        assert_eq!(
            bytes_by_crate(&items),
            [
                ("core".to_owned(), 17),
                ("leptos".to_owned(), 5),
                ("(unnamed code)".to_owned(), 3)
            ]
        );
    }
}
