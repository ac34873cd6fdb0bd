//! The runtime configuration (`config.json` beside `index.html`): parsed raw with serde, then
//! validated into [`Config`] in one place, so bad input is rejected with one message naming the
//! field. One build serves every environment; only this file changes.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::core::metrics::Metric;

/// `config.json` as written: unknown keys are refused (a typo must not be silently ignored).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    prometheus: RawPrometheus,
    #[serde(default)]
    refresh_secs: Option<u64>,
    #[serde(default)]
    metrics: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrometheus {
    url: String,
    #[serde(default)]
    job: Option<String>,
    #[serde(default)]
    scrape_interval_secs: Option<u64>,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub prometheus: PrometheusConfig,
    /// Auto-refresh period; 0 turns it off.
    pub refresh_secs: u64,
    /// Metric-name overrides, keyed by [`Metric::key`]: for an exporter that names things
    /// differently.
    pub metrics: BTreeMap<String, String>,
}

/// Where Prometheus is and how arrwDB is scraped.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// Base URL without a trailing slash: absolute (`https://prom.example`) or a path served by
    /// the same origin (`/prometheus`, or `prometheus` relative to the page for sub-paths).
    pub url: String,
    /// The `job` label of arrwDB's scrape target.
    pub job: String,
    /// arrwDB's scrape interval; the floor of every query step.
    pub scrape_interval_secs: u64,
}

/// Why `config.json` was refused. `field` names the offending key path when known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("config.json: {}{problem}", field.as_deref().map(|f| format!("`{f}`: ")).unwrap_or_default())]
pub struct ConfigError {
    pub field: Option<String>,
    pub problem: String,
}

impl ConfigError {
    fn field(field: &str, problem: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            problem: problem.into(),
        }
    }
}

/// Parses and validates the text of `config.json`.
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = serde_json::from_str(text).map_err(|e| ConfigError {
        field: None,
        problem: format!("not valid: {e}"),
    })?;
    let scrape_interval_secs = raw.prometheus.scrape_interval_secs.unwrap_or(15);
    if scrape_interval_secs == 0 {
        return Err(ConfigError::field(
            "prometheus.scrape_interval_secs",
            "must be at least 1",
        ));
    }
    let job = raw.prometheus.job.unwrap_or_else(|| "arrwdb".to_owned());
    if job.is_empty() {
        return Err(ConfigError::field("prometheus.job", "must not be empty"));
    }
    for (key, name) in &raw.metrics {
        if !Metric::ALL.iter().any(|m| m.key() == key) {
            let known: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
            return Err(ConfigError::field(
                &format!("metrics.{key}"),
                format!("unknown metric; known: {}", known.join(", ")),
            ));
        }
        let valid = !name.is_empty()
            && name.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            });
        if !valid {
            return Err(ConfigError::field(
                &format!("metrics.{key}"),
                format!("`{name}` is not a metric name"),
            ));
        }
    }
    Ok(Config {
        metrics: raw.metrics,
        prometheus: PrometheusConfig {
            url: validate_url("prometheus.url", &raw.prometheus.url)?,
            job,
            scrape_interval_secs,
        },
        refresh_secs: raw.refresh_secs.unwrap_or(30),
    })
}

/// Accepts an http(s) URL or a path (absolute or relative to the page); refuses every other
/// scheme (`javascript:`, `file:`, …). Returns it without a trailing slash.
pub fn validate_url(field: &str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(ConfigError::field(field, "must not be empty"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::field(
            field,
            format!("`{url}` contains spaces or control characters"),
        ));
    }
    let scheme_end = url.find(':');
    let first_slash = url.find('/');
    let has_scheme = match (scheme_end, first_slash) {
        (Some(c), Some(s)) => c < s,
        (Some(_), None) => true,
        _ => false,
    };
    if has_scheme {
        let lower = url.to_ascii_lowercase();
        let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
            && url.len() > lower.find("//").unwrap_or(0) + 2;
        if !ok {
            return Err(ConfigError::field(
                field,
                format!("`{url}` is not an http(s) URL or a path"),
            ));
        }
    } else if url.starts_with("//") {
        return Err(ConfigError::field(
            field,
            format!("`{url}` is protocol-relative; write http:// or https://"),
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_config_gets_defaults() {
        let c = parse_config(r#"{"prometheus":{"url":"/prometheus/"}}"#).unwrap();
        assert_eq!(c.prometheus.url, "/prometheus");
        assert_eq!(c.prometheus.job, "arrwdb");
        assert_eq!(c.prometheus.scrape_interval_secs, 15);
        assert_eq!(c.refresh_secs, 30);
    }

    #[test]
    fn bad_configs_name_what_is_wrong() {
        let check = |text: &str, expected: &str| {
            let err = parse_config(text).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{text}: got {err:?}, wanted it to contain {expected:?}"
            );
        };
        check("not json", "config.json: not valid: expected ident");
        check(
            r#"{"prometheus":{"url":"/p"},"refresh":5}"#,
            "unknown field `refresh`",
        );
        check(
            r#"{"prometheus":{"url":"/p","jobb":"x"}}"#,
            "unknown field `jobb`",
        );
        check(r#"{}"#, "missing field `prometheus`");
        check(
            r#"{"prometheus":{"url":"javascript:alert(1)"}}"#,
            "`prometheus.url`: `javascript:alert(1)` is not an http(s) URL",
        );
        check(r#"{"prometheus":{"url":"ftp://x"}}"#, "`prometheus.url`");
        check(r#"{"prometheus":{"url":"http://"}}"#, "`prometheus.url`");
        check(
            r#"{"prometheus":{"url":""}}"#,
            "`prometheus.url`: must not be empty",
        );
        check(
            r#"{"prometheus":{"url":"//evil.example"}}"#,
            "protocol-relative",
        );
        check(
            r#"{"prometheus":{"url":"/p","scrape_interval_secs":0}}"#,
            "`prometheus.scrape_interval_secs`: must be at least 1",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"metrics":{"requests":"x"}}"#,
            "`metrics.requests`: unknown metric; known: requests_total",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"metrics":{"requests_total":"a b"}}"#,
            "`metrics.requests_total`: `a b` is not a metric name",
        );
    }

    #[test]
    fn urls_that_are_fine() {
        for (input, expected) in [
            ("https://prom.example:9090/", "https://prom.example:9090"),
            ("HTTP://PROM", "HTTP://PROM"),
            ("/ops/prometheus", "/ops/prometheus"),
            ("prometheus", "prometheus"),
            ("api/v1:proxy", "api/v1:proxy"),
        ] {
            assert_eq!(validate_url("f", input).as_deref(), Ok(expected));
        }
    }
}
