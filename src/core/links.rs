//! Links out of the dashboard, into the Jaeger UI and Sentry, as exact strings.
//!
//! Every link is `None` when its base URL is not configured or is not an http(s) URL (a
//! `javascript:` base must never become a link), and every interpolated value is
//! percent-encoded. Trace ids must be hex: a hostile id gives no link rather than an escaped one.

use serde::Deserialize;

use crate::core::jaeger::tags_json;
use crate::core::time::civil_time;
use crate::core::url::encode_component;

/// Where the links go.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct LinkConfig {
    /// The Jaeger UI, e.g. `https://jaeger.example.com` or `https://ops.example.com/jaeger`.
    pub jaeger_ui_url: Option<String>,
    pub sentry: Option<SentryConfig>,
}

/// A Sentry project.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SentryConfig {
    /// `https://sentry.io` or a self-hosted Sentry.
    pub base_url: String,
    /// The organization slug.
    pub organization: String,
    /// The numeric project id (Sentry's `project=` filter takes the id, not the slug).
    pub project_id: String,
    pub environment: Option<String>,
}

/// The base URL without trailing slashes, if it is an absolute http(s) URL with a host and
/// nothing that would change the meaning of what is appended (no query, fragment, whitespace,
/// quotes or angle brackets).
fn http_base(base: &str) -> Option<&str> {
    let base = base.trim().trim_end_matches('/');
    let lower = base.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host_ok = !rest.is_empty() && !rest.starts_with('/');
    let chars_ok = !base.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '"' | '\'' | '<' | '>' | '\\' | '`' | '?' | '#' | '{' | '}' | '|' | '^'
            )
    });
    (host_ok && chars_ok).then_some(base)
}

/// A trace id as 1 to 32 hex digits.
pub(crate) fn hex_id(id: &str) -> Option<&str> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// `<jaeger-ui>/trace/<id>`.
pub fn jaeger_trace_link(cfg: &LinkConfig, trace_id: &str) -> Option<String> {
    let base = http_base(cfg.jaeger_ui_url.as_deref()?)?;
    Some(format!("{base}/trace/{}", hex_id(trace_id)?))
}

/// `<jaeger-ui>/search?service=&operation=&start=<µs>&end=<µs>&lookback=custom&limit=&tags=<json>`,
/// the Jaeger UI's own search URL; `operation` and `tags` are left out when absent.
pub fn jaeger_search_link(
    cfg: &LinkConfig,
    service: &str,
    operation: Option<&str>,
    start_us: i64,
    end_us: i64,
    limit: u32,
    tags: &[(String, String)],
) -> Option<String> {
    let base = http_base(cfg.jaeger_ui_url.as_deref()?)?;
    let mut url = format!("{base}/search?service={}", encode_component(service));
    if let Some(op) = operation.filter(|o| !o.is_empty()) {
        url.push_str(&format!("&operation={}", encode_component(op)));
    }
    url.push_str(&format!(
        "&start={start_us}&end={end_us}&lookback=custom&limit={limit}"
    ));
    if !tags.is_empty() {
        url.push_str(&format!("&tags={}", encode_component(&tags_json(tags))));
    }
    Some(url)
}

/// A time as Sentry writes it in its own URLs: ISO 8601 without an offset
/// (`2026-11-24T16:33:53`), made UTC by the `utc=true` beside it. `None` if not finite.
fn sentry_time(unix_secs: f64) -> Option<String> {
    unix_secs.is_finite().then(|| {
        let c = civil_time(unix_secs, 0);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    })
}

/// `<sentry>/organizations/<org>/issues/?project=<id>&environment=<env>&start=<ISO>&end=<ISO>&utc=true&query=<q>`;
/// `environment` and `query` are left out when absent.
pub fn sentry_issues_link(
    cfg: &LinkConfig,
    start_secs: f64,
    end_secs: f64,
    query: Option<&str>,
) -> Option<String> {
    let sentry = cfg.sentry.as_ref()?;
    let base = http_base(&sentry.base_url)?;
    if sentry.organization.trim().is_empty() {
        return None;
    }
    let mut url = format!(
        "{base}/organizations/{}/issues/?project={}",
        encode_component(sentry.organization.trim()),
        encode_component(sentry.project_id.trim())
    );
    if let Some(env) = sentry.environment.as_deref().filter(|e| !e.is_empty()) {
        url.push_str(&format!("&environment={}", encode_component(env)));
    }
    url.push_str(&format!(
        "&start={}&end={}&utc=true",
        encode_component(&sentry_time(start_secs)?),
        encode_component(&sentry_time(end_secs)?)
    ));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.push_str(&format!("&query={}", encode_component(q)));
    }
    Some(url)
}

/// The Sentry issues of one trace (`query=trace:<id>`) in a window around it.
pub fn sentry_trace_link(
    cfg: &LinkConfig,
    trace_id: &str,
    start_secs: f64,
    end_secs: f64,
) -> Option<String> {
    let id = hex_id(trace_id)?;
    sentry_issues_link(cfg, start_secs, end_secs, Some(&format!("trace:{id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LinkConfig {
        LinkConfig {
            jaeger_ui_url: Some("https://jaeger.example.com/".into()),
            sentry: Some(SentryConfig {
                base_url: "https://sentry.example.com".into(),
                organization: "acme ops".into(),
                project_id: "42".into(),
                environment: Some("prod".into()),
            }),
        }
    }

    const TRACE: &str = "4766f1209f70a5e2e55417fc296fd101";

    #[test]
    fn jaeger_links() {
        assert_eq!(
            jaeger_trace_link(&cfg(), TRACE).as_deref(),
            Some("https://jaeger.example.com/trace/4766f1209f70a5e2e55417fc296fd101")
        );
        let tags = vec![("error".to_owned(), "true".to_owned())];
        assert_eq!(
            jaeger_search_link(&cfg(), "arrwdb", Some("POST /v1/libraries/{library_id}/search"), 1_000_000, 2_000_000, 20, &tags).as_deref(),
            Some(
                "https://jaeger.example.com/search?service=arrwdb\
                 &operation=POST%20%2Fv1%2Flibraries%2F%7Blibrary_id%7D%2Fsearch\
                 &start=1000000&end=2000000&lookback=custom&limit=20&tags=%7B%22error%22%3A%22true%22%7D"
            )
        );
        assert_eq!(
            jaeger_search_link(&cfg(), "a&b", None, 1, 2, 5, &[]).as_deref(),
            Some("https://jaeger.example.com/search?service=a%26b&start=1&end=2&lookback=custom&limit=5")
        );
    }

    #[test]
    fn sentry_links() {
        // 2026-11-24T16:33:53Z .. 16:48:53Z
        assert_eq!(
            sentry_issues_link(&cfg(), 1_795_538_033.6, 1_795_538_933.0, Some("is:unresolved level:error")).as_deref(),
            Some(
                "https://sentry.example.com/organizations/acme%20ops/issues/?project=42&environment=prod\
                 &start=2026-11-24T16%3A33%3A53&end=2026-11-24T16%3A48%3A53&utc=true\
                 &query=is%3Aunresolved%20level%3Aerror"
            )
        );
        let mut no_env = cfg();
        no_env.sentry.as_mut().unwrap().environment = None;
        assert_eq!(
            sentry_trace_link(&no_env, TRACE, 1_795_538_033.0, 1_795_538_933.0).as_deref(),
            Some(
                "https://sentry.example.com/organizations/acme%20ops/issues/?project=42\
                 &start=2026-11-24T16%3A33%3A53&end=2026-11-24T16%3A48%3A53&utc=true\
                 &query=trace%3A4766f1209f70a5e2e55417fc296fd101"
            )
        );
        assert_eq!(sentry_issues_link(&cfg(), f64::NAN, 1.0, None), None);
    }

    #[test]
    fn no_link_without_a_safe_base_or_with_a_hostile_id() {
        assert_eq!(jaeger_trace_link(&LinkConfig::default(), TRACE), None);
        assert_eq!(
            sentry_issues_link(&LinkConfig::default(), 0.0, 1.0, None),
            None
        );
        let with_base = |base: &str| LinkConfig {
            jaeger_ui_url: Some(base.into()),
            sentry: None,
        };
        for base in [
            "javascript:alert(1)//",
            "JavaScript://x",
            "data:text/html,x",
            "//jaeger",
            "https://",
            "https:///x",
            "ftp://jaeger",
            "https://j/x?a=b",
            "https://j\"onmouseover=x",
            "https://j x",
            "",
        ] {
            assert_eq!(jaeger_trace_link(&with_base(base), TRACE), None, "{base}");
        }
        assert!(jaeger_trace_link(&with_base("HTTP://Jaeger:16686"), TRACE).is_some());
        for id in [
            "",
            "../admin",
            "abc\"><script>",
            "g123",
            &"a".repeat(33),
            "12 34",
        ] {
            assert_eq!(jaeger_trace_link(&cfg(), id), None, "{id}");
            assert_eq!(sentry_trace_link(&cfg(), id, 0.0, 1.0), None, "{id}");
        }
    }
}
