//! Links out of the dashboard, into the Jaeger UI, Sentry, the Prometheus UI and the
//! Alertmanager UI, as exact strings.
//!
//! Every link is `None` when its base URL is not configured or is not an http(s) URL (a
//! `javascript:` base must never become a link), and every interpolated value is
//! percent-encoded. Trace ids must be hex: a hostile id gives no link rather than an escaped one.

use serde::Deserialize;

use crate::core::jaeger::tags_json;
use crate::core::json::string_literal;
use crate::core::prom::Labels;
use crate::core::state::format_duration;
use crate::core::time::{civil_time, Step};
use crate::core::url::{encode_component, with_query};

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
    unix_secs.is_finite().then(|| utc_text(unix_secs, 'T'))
}

/// `2026-11-24<between>16:33:53`: a time in UTC to the second.
fn utc_text(unix_secs: f64, between: char) -> String {
    let c = civil_time(unix_secs, 0);
    format!(
        "{:04}-{:02}-{:02}{between}{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
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

/// Which Prometheus UI a link opens: their graph pages read different URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrometheusUi {
    /// The React UI of Prometheus 2.x (web/ui/react-app): `/graph`, `tab=0` for the graph,
    /// `step_input` in whole seconds.
    V2,
    /// The Mantine UI of Prometheus 3.x (web/ui/mantine-ui): `/query`, `tab=graph`, the step as
    /// `res_type=custom&res_step=<seconds>` (`step_input` is only read as a legacy fallback).
    #[default]
    V3,
}

/// A time as both Prometheus UIs write `end_input` (`formatTime`): `2026-11-24 16:33:53`, UTC.
fn prometheus_ui_time(unix_secs: f64) -> String {
    utc_text(unix_secs, ' ')
}

/// "Open in Prometheus": the graph page of the Prometheus UI at `ui_url` showing `expr` over
/// the `range_secs` seconds before `end_secs`, at `step`, as that UI version writes its own
/// URLs. The range is written in one unit (`1h`, `90m`, `3700s`), which both UIs' duration
/// parsers read. `None` when `ui_url` is not a safe http(s) base, the range is zero or the end
/// is not finite.
pub fn prometheus_graph_link(
    ui_url: &str,
    ui: PrometheusUi,
    expr: &str,
    end_secs: f64,
    range_secs: u64,
    step: Step,
) -> Option<String> {
    let base = http_base(ui_url)?;
    if range_secs == 0 || !end_secs.is_finite() {
        return None;
    }
    let range = format_duration(range_secs);
    let end = prometheus_ui_time(end_secs);
    let step_secs = step.secs().to_string();
    let url = match ui {
        PrometheusUi::V2 => with_query(
            base,
            "/graph",
            &[
                ("g0.expr", expr),
                ("g0.tab", "0"),
                ("g0.stacked", "0"),
                ("g0.range_input", &range),
                ("g0.end_input", &end),
                ("g0.moment_input", &end),
                ("g0.step_input", &step_secs),
            ],
        ),
        PrometheusUi::V3 => with_query(
            base,
            "/query",
            &[
                ("g0.expr", expr),
                ("g0.tab", "graph"),
                ("g0.range_input", &range),
                ("g0.end_input", &end),
                ("g0.moment_input", &end),
                ("g0.res_type", "custom"),
                ("g0.res_step", &step_secs),
                ("g0.display_mode", "lines"),
            ],
        ),
    };
    Some(url)
}

/// A link to the Alertmanager UI's new-silence form, and the labels it could not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceLink {
    pub url: String,
    /// Label names left out because the UI's matcher syntax cannot hold them (see
    /// [`alertmanager_silence_link`]); the operator adds those matchers by hand.
    pub left_out: Vec<String>,
}

/// The Alertmanager UI's new-silence form, `<ui>/#/silences/new?filter={a="b", c="d"}`, with
/// one equality matcher per label, written as the UI writes them (`stringifyFilter` in
/// ui/app/src/Utils/Filter.elm): each value a JSON string literal, so a quote, backslash, brace
/// or newline in it stays inside the value. A label name holding a character the UI's parser
/// reserves (whitespace, `{ } ! = ~ , \ " ' ` `) or an empty name cannot be written; such labels
/// are left out and named in [`SilenceLink::left_out`]. `None` when `ui_base` is not a safe
/// http(s) base or no label can be written.
pub fn alertmanager_silence_link(ui_base: &str, labels: &Labels) -> Option<SilenceLink> {
    let base = http_base(ui_base)?;
    let mut matchers = Vec::new();
    let mut left_out = Vec::new();
    for (name, value) in labels.iter() {
        if is_alertmanager_ui_label_name(name) {
            matchers.push(format!("{name}={}", string_literal(value)));
        } else {
            left_out.push(name.clone());
        }
    }
    if matchers.is_empty() {
        return None;
    }
    let filter = format!("{{{}}}", matchers.join(", "));
    Some(SilenceLink {
        url: format!("{base}/#/silences/new?filter={}", encode_component(&filter)),
        left_out,
    })
}

/// True for a label name the Alertmanager UI's filter parser reads as a name: not empty, and
/// none of its reserved characters (Go's `unicode.IsSpace` for Latin-1 plus the matcher syntax).
fn is_alertmanager_ui_label_name(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '{' | '}' | '!' | '=' | '~' | ',' | '\\' | '"' | '\'' | '`'
                )
        })
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

    fn step(secs: u64) -> Step {
        Step::from_secs(secs).unwrap()
    }

    const EXPR: &str = r#"sum by (handler) (rate(arrwdb_http_requests_total{status=~"5.."}[1m]))"#;
    const EXPR_ENCODED: &str = "sum%20by%20%28handler%29%20%28rate%28arrwdb_http_requests_total\
        %7Bstatus%3D~%225..%22%7D%5B1m%5D%29%29";

    #[test]
    fn prometheus_links_follow_each_ui_version() {
        // 2026-11-24T16:48:53Z, one hour, 15 s.
        let end = 1_795_538_933.0;
        assert_eq!(
            prometheus_graph_link(
                "https://prom.example.com/",
                PrometheusUi::V2,
                EXPR,
                end,
                3_600,
                step(15)
            ),
            Some(format!(
                "https://prom.example.com/graph?g0.expr={EXPR_ENCODED}&g0.tab=0&g0.stacked=0\
                 &g0.range_input=1h&g0.end_input=2026-11-24%2016%3A48%3A53\
                 &g0.moment_input=2026-11-24%2016%3A48%3A53&g0.step_input=15"
            ))
        );
        assert_eq!(
            prometheus_graph_link(
                "https://ops.example.com/prometheus",
                PrometheusUi::V3,
                EXPR,
                end + 0.9,
                5_400,
                step(30)
            ),
            Some(format!(
                "https://ops.example.com/prometheus/query?g0.expr={EXPR_ENCODED}&g0.tab=graph\
                 &g0.range_input=90m&g0.end_input=2026-11-24%2016%3A48%3A53\
                 &g0.moment_input=2026-11-24%2016%3A48%3A53&g0.res_type=custom&g0.res_step=30\
                 &g0.display_mode=lines"
            ))
        );
        let hostile = "up\"}&g1.expr=x#frag\n";
        let link =
            prometheus_graph_link("http://p:9090", PrometheusUi::V3, hostile, end, 60, step(1))
                .unwrap();
        assert!(
            link.starts_with("http://p:9090/query?g0.expr=up%22%7D%26g1.expr%3Dx%23frag%0A&"),
            "{link}"
        );
        assert_eq!(
            prometheus_graph_link(
                "javascript:alert(1)//",
                PrometheusUi::V2,
                EXPR,
                end,
                60,
                step(1)
            ),
            None
        );
        assert_eq!(
            prometheus_graph_link("https://p", PrometheusUi::V2, EXPR, end, 0, step(1)),
            None
        );
        assert_eq!(
            prometheus_graph_link("https://p", PrometheusUi::V3, EXPR, f64::NAN, 60, step(1)),
            None
        );
    }

    use crate::core::prom::test_labels as labels;

    #[test]
    fn silence_links_carry_the_labels_as_matchers() {
        let link = alertmanager_silence_link(
            "https://am.example.com/",
            &labels(&[("alertname", "HighErrorRate"), ("severity", "critical")]),
        )
        .unwrap();
        assert_eq!(
            link.url,
            "https://am.example.com/#/silences/new?filter=\
             %7Balertname%3D%22HighErrorRate%22%2C%20severity%3D%22critical%22%7D"
        );
        assert!(link.left_out.is_empty());
    }

    #[test]
    fn hostile_label_values_stay_inside_their_matcher() {
        let link = alertmanager_silence_link(
            "https://am.example.com",
            &labels(&[
                ("alertname", "x\", severity=~\".*"),
                ("handler", "a}\\\n<script>"),
                ("bad name", "v"),
                ("a=b", "v"),
                ("", "v"),
            ]),
        )
        .unwrap();
        let filter = crate::core::url::decode_component(link.url.split_once("filter=").unwrap().1);
        assert_eq!(
            filter,
            r#"{alertname="x\", severity=~\".*", handler="a}\\\n<script>"}"#
        );
        assert_eq!(link.left_out, ["", "a=b", "bad name"]);
        assert_eq!(
            alertmanager_silence_link("https://am", &labels(&[("a b", "v")])),
            None
        );
        assert_eq!(
            alertmanager_silence_link("https://am", &Labels::new()),
            None
        );
        assert_eq!(
            alertmanager_silence_link("javascript:x", &labels(&[("a", "v")])),
            None
        );
        assert_eq!(
            alertmanager_silence_link("https://am/#/x", &labels(&[("a", "v")])),
            None
        );
    }
}
