//! The runtime configuration (`config.json` beside `index.html`): parsed once into a JSON
//! value, then read and validated into [`Config`] in one place, so bad input is rejected with
//! one message naming the field. One build serves every environment; only this file changes.

use crate::core::str_map::StrMap;

use serde_json::Value;

use crate::core::alerts::{read_priorities, PriorityOverrides};
use crate::core::flavor::Flavor;
use crate::core::jaeger::ApiVersion;
use crate::core::json::{
    only_keys, opt_object, opt_str, opt_u64, str_list, str_map, str_or_empty, Shape,
};
use crate::core::links::{LinkConfig, PrometheusUi, SentryConfig};
use crate::core::metrics::Metric;
use crate::core::slo::{default_objectives, read_objectives, Objective};

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub prometheus: PrometheusConfig,
    /// Auto-refresh period; 0 turns it off.
    pub refresh_secs: u64,
    /// Metric-name overrides, keyed by [`Metric::key`]: for an exporter that names things
    /// differently.
    pub metrics: StrMap,
    /// Where traces are; `None` hides the traces drill-down.
    pub jaeger: Option<JaegerConfig>,
    /// Where links go (Jaeger UI, Sentry); a link whose base is not configured is not shown.
    pub links: LinkConfig,
    /// The portal origins (`https://portal.example.com`) whose postMessages the page reads and
    /// to which it posts its own; none: no postMessage API.
    pub embed_origins: Vec<String>,
    /// Priorities (P1–P3) of named alert rules, over the guide's defaults.
    pub alert_priorities: PriorityOverrides,
    /// Where the alerts panel asks for rules (`alerts.sources`): one Prometheus per cluster,
    /// vmalert, a ruler; when none is configured, the query backend alone, under no name.
    pub rule_sources: Vec<RuleSource>,
    /// The SLOs: the guide's four unless `slo` says otherwise.
    pub slos: Vec<Objective>,
}

/// A server whose `/api/v1/rules` the alerts panel lists (`alerts.sources` entry).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSource {
    /// Shown beside each of its rules (`eu-west`); empty for the query backend itself.
    pub name: String,
    /// Its API root, as `prometheus.url`.
    pub url: String,
}

/// At most this many `alerts.sources`: each is one request per refresh.
const MAX_RULE_SOURCES: usize = 16;

/// `alerts.sources`: `[{"name": "eu-west", "url": "prometheus-eu-west"}, …]`, names unique and
/// not empty, URLs as `prometheus.url`; none listed: the query backend at `query_url`.
fn rule_sources(alerts: Option<&Value>, query_url: &str) -> Result<Vec<RuleSource>, ConfigError> {
    let field = "alerts.sources";
    let Some(list) = alerts.and_then(|a| a.get("sources")).filter(|l| !l.is_null()) else {
        return Ok(vec![RuleSource { name: String::new(), url: query_url.to_owned() }]);
    };
    const SHAPE: &str = "must be a list of {\"name\", \"url\"}";
    let Some(items) = list.as_array() else {
        return Err(ConfigError::field(field, SHAPE));
    };
    if items.len() > MAX_RULE_SOURCES {
        return Err(ConfigError::field(field, format!("lists more than {MAX_RULE_SOURCES} sources")));
    }
    let mut sources: Vec<RuleSource> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let in_item = |shape: Shape| ConfigError::field(&at, shape.0);
        if !item.is_object() {
            return Err(ConfigError::field(field, SHAPE));
        }
        only_keys(item, &["name", "url"]).map_err(in_item)?;
        let name = str_or_empty(item, "name").map_err(in_item)?.trim();
        if name.is_empty() {
            return Err(ConfigError::field(&format!("{at}.name"), "must not be empty"));
        }
        if sources.iter().any(|s| s.name == name) {
            return Err(ConfigError::field(&format!("{at}.name"), format!("`{name}` is listed twice")));
        }
        let url = validate_url(&format!("{at}.url"), str_or_empty(item, "url").map_err(in_item)?)?;
        sources.push(RuleSource { name: name.to_owned(), url });
    }
    Ok(sources)
}

/// Which Jaeger query API to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JaegerApi {
    /// Probe api_v3 once, fall back to v1.
    Auto,
    Fixed(ApiVersion),
}

/// Jaeger's query service.
#[derive(Debug, Clone, PartialEq)]
pub struct JaegerConfig {
    /// Base URL without a trailing slash (absolute, or a same-origin path such as `/jaeger`).
    pub url: String,
    pub api: JaegerApi,
    /// The service whose traces are searched (arrwDB's `service.name`).
    pub service: String,
    /// The resource attribute of a span naming its replica by the value of
    /// `prometheus.instance_label` (`instance_attribute`, default `service.instance.id`): the
    /// drill-down of a page narrowed to one replica searches its traces only.
    pub instance_attribute: String,
    /// How long a request may take before it is given up as a timeout (`timeout_secs`).
    pub timeout_secs: u32,
}

/// Where Prometheus is and how arrwDB is scraped.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// Base URL without a trailing slash: absolute (`https://prom.example`) or a path served by
    /// the same origin (`/prometheus`, or `prometheus` relative to the page for sub-paths).
    pub url: String,
    /// The `job` label of arrwDB's scrape target.
    pub job: String,
    /// The label naming a cluster (`cluster_label`, default `cluster`): the cluster picker's.
    pub cluster_label: String,
    /// The label naming a replica (`instance_label`, default `instance`): the replica
    /// picker's, and the one the per-replica panels draw a line for.
    pub instance_label: String,
    /// arrwDB's scrape interval; the floor of every query step.
    pub scrape_interval_secs: u64,
    /// Added to every request's query string (`query_params`): a backend's own switches, such
    /// as Thanos's `dedup` and `partial_response` or VictoriaMetrics's `nocache`. Not for
    /// secrets: config.json is public (credentials go in the proxy).
    pub query_params: Vec<(String, String)>,
    /// How long a request may take before it is given up as a timeout (`timeout_secs`).
    pub timeout_secs: u32,
    /// Which backend answers (`flavor`); `None` (`"auto"`): found from its build information.
    pub flavor: Option<Flavor>,
    /// The Prometheus UI a panel's "Open in Prometheus" opens (`ui_url`, absolute http(s)) and
    /// its version (`ui_version`: 2 or 3, the default); none: no such link.
    pub ui: Option<(String, PrometheusUi)>,
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

/// The sections of `config.json` and their keys: any other key is refused (a typo must not be
/// silently ignored).
const TOP_KEYS: &[&str] = &[
    "prometheus",
    "refresh_secs",
    "metrics",
    "jaeger",
    "sentry",
    "embedding",
    "alerts",
    "slo",
];
const EMBEDDING_KEYS: &[&str] = &["allowed_origins"];
const PROMETHEUS_KEYS: &[&str] = &[
    "url",
    "job",
    "scrape_interval_secs",
    "timeout_secs",
    "cluster_label",
    "instance_label",
    "query_params",
    "flavor",
    "ui_url",
    "ui_version",
];
const JAEGER_KEYS: &[&str] = &["url", "api", "service", "ui_url", "timeout_secs", "instance_attribute"];

/// A request's timeout when config.json names none.
pub const DEFAULT_TIMEOUT_SECS: u32 = 30;

/// `<section>.timeout_secs`: 1 to 600 seconds, [`DEFAULT_TIMEOUT_SECS`] when absent.
fn timeout_secs(section: &Value, name: &str) -> Result<u32, ConfigError> {
    let field = format!("{name}.timeout_secs");
    match opt_u64(section, "timeout_secs").map_err(in_section(Some(name)))? {
        None => Ok(DEFAULT_TIMEOUT_SECS),
        Some(secs @ 1..=600) => Ok(secs as u32),
        Some(_) => Err(ConfigError::field(&field, "must be from 1 to 600 seconds")),
    }
}
const SENTRY_KEYS: &[&str] = &["base_url", "organization", "project_id", "environment"];

/// A shape error in `section` (`None` for the top level) as a config error naming it.
fn in_section(section: Option<&str>) -> impl Fn(Shape) -> ConfigError + '_ {
    move |shape| ConfigError {
        field: section.map(str::to_owned),
        problem: shape.0,
    }
}

/// The object under `key` of `root` whose keys must all be in `known`; `None` when missing or
/// `null`.
fn section<'a>(
    root: &'a Value,
    key: &str,
    known: &[&str],
) -> Result<Option<&'a Value>, ConfigError> {
    let Some(section) = opt_object(root, key).map_err(in_section(None))? else {
        return Ok(None);
    };
    only_keys(section, known).map_err(in_section(Some(key)))?;
    Ok(Some(section))
}

/// A string that must be there.
fn required<'a>(obj: &'a Value, section: &str, key: &str) -> Result<&'a str, ConfigError> {
    match obj.get(key) {
        None => Err(ConfigError::field(
            section,
            format!("missing field `{key}`"),
        )),
        Some(_) => str_or_empty(obj, key).map_err(in_section(Some(section))),
    }
}

/// Parses and validates the text of `config.json`: parsed once into a [`Value`], then read by the
/// shared readers of [`crate::core::json`] (serde-derived structs would cost several KB of wasm).
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ConfigError {
        field: None,
        problem: format!("not valid: {e}"),
    })?;
    only_keys(&root, TOP_KEYS).map_err(in_section(None))?;
    let Some(prometheus) = section(&root, "prometheus", PROMETHEUS_KEYS)? else {
        return Err(ConfigError {
            field: None,
            problem: "missing field `prometheus`".to_owned(),
        });
    };
    let top = in_section(None);
    let prom = in_section(Some("prometheus"));
    let prometheus_url = required(prometheus, "prometheus", "url")?;
    let scrape_interval_secs = opt_u64(prometheus, "scrape_interval_secs")
        .map_err(&prom)?
        .unwrap_or(15);
    if scrape_interval_secs == 0 {
        return Err(ConfigError::field(
            "prometheus.scrape_interval_secs",
            "must be at least 1",
        ));
    }
    let job = opt_str(prometheus, "job")
        .map_err(&prom)?
        .unwrap_or("arrwdb")
        .to_owned();
    if job.is_empty() {
        return Err(ConfigError::field("prometheus.job", "must not be empty"));
    }
    let label = |key: &str, default: &str| -> Result<String, ConfigError> {
        let name = opt_str(prometheus, key).map_err(&prom)?.unwrap_or(default);
        if !is_name(name, false) {
            return Err(ConfigError::field(
                &format!("prometheus.{key}"),
                format!("`{name}` is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"),
            ));
        }
        Ok(name.to_owned())
    };
    let cluster_label = label("cluster_label", "cluster")?;
    let instance_label = label("instance_label", "instance")?;
    let query_params: Vec<(String, String)> = str_map(prometheus, "query_params")
        .map_err(&prom)?
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    // The page's own parameters cannot be replaced: the answer would not be the one asked for.
    if let Some((own, _)) = query_params.iter().find(|(k, _)| PAGE_PARAMS.contains(&k.as_str()) || k.is_empty()) {
        return Err(ConfigError::field(
            &format!("prometheus.query_params.{own}"),
            format!("is one of the page's own parameters ({}) or empty", PAGE_PARAMS.join(", ")),
        ));
    }
    let flavor = match opt_str(prometheus, "flavor").map_err(&prom)?.unwrap_or("auto") {
        "auto" => None,
        key => Some(Flavor::from_key(key).ok_or_else(|| {
            let known: Vec<&str> = Flavor::ALL.iter().map(|f| f.key()).collect();
            ConfigError::field("prometheus.flavor", format!("must be \"auto\" or one of {}", known.join(", ")))
        })?),
    };
    let ui = match opt_str(prometheus, "ui_url").map_err(&prom)? {
        None => None,
        Some(url) => Some((
            absolute_url("prometheus.ui_url", url)?,
            match opt_u64(prometheus, "ui_version").map_err(&prom)? {
                None | Some(3) => PrometheusUi::V3,
                Some(2) => PrometheusUi::V2,
                Some(_) => return Err(ConfigError::field("prometheus.ui_version", "must be 2 or 3")),
            },
        )),
    };
    let metrics = str_map(&root, "metrics").map_err(&top)?;
    for (key, name) in &metrics {
        if !Metric::ALL.iter().any(|m| m.key() == key) {
            let known: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
            return Err(ConfigError::field(
                &format!("metrics.{key}"),
                format!("unknown metric; known: {}", known.join(", ")),
            ));
        }
        if !is_name(name, true) {
            return Err(ConfigError::field(
                &format!("metrics.{key}"),
                format!("`{name}` is not a metric name"),
            ));
        }
    }
    let raw_jaeger = section(&root, "jaeger", JAEGER_KEYS)?;
    let in_jaeger = in_section(Some("jaeger"));
    let jaeger = match raw_jaeger {
        None => None,
        Some(j) => Some(JaegerConfig {
            url: validate_url("jaeger.url", required(j, "jaeger", "url")?)?,
            api: match opt_str(j, "api").map_err(&in_jaeger)?.unwrap_or("auto") {
                "auto" => JaegerApi::Auto,
                "v3" => JaegerApi::Fixed(ApiVersion::V3),
                "v1" => JaegerApi::Fixed(ApiVersion::V1),
                other => {
                    return Err(ConfigError::field(
                        "jaeger.api",
                        format!("`{other}` is not auto, v3 or v1"),
                    ))
                }
            },
            timeout_secs: timeout_secs(j, "jaeger")?,
            service: match opt_str(j, "service").map_err(&in_jaeger)?.map(str::trim) {
                None => "arrwdb".to_owned(),
                Some("") => return Err(ConfigError::field("jaeger.service", "must not be empty")),
                Some(s) => s.to_owned(),
            },
            instance_attribute: match opt_str(j, "instance_attribute").map_err(&in_jaeger)?.map(str::trim) {
                None => "service.instance.id".to_owned(),
                Some("") => return Err(ConfigError::field("jaeger.instance_attribute", "must not be empty")),
                Some(key) => key.to_owned(),
            },
        }),
    };
    let links = LinkConfig {
        jaeger_ui_url: match raw_jaeger.map(|j| opt_str(j, "ui_url")).transpose() {
            Err(shape) => return Err(in_jaeger(shape)),
            Ok(None | Some(None)) => None,
            Ok(Some(Some(url))) => Some(absolute_url("jaeger.ui_url", url)?),
        },
        sentry: match section(&root, "sentry", SENTRY_KEYS)? {
            None => None,
            Some(s) => {
                let base_url = required(s, "sentry", "base_url")?;
                let organization = required(s, "sentry", "organization")?;
                let project_id = required(s, "sentry", "project_id")?;
                let environment = opt_str(s, "environment").map_err(in_section(Some("sentry")))?;
                let base_url = absolute_url("sentry.base_url", base_url)?;
                for (field, value) in [
                    ("sentry.organization", organization),
                    ("sentry.project_id", project_id),
                ] {
                    if value.trim().is_empty() {
                        return Err(ConfigError::field(field, "must not be empty"));
                    }
                }
                Some(SentryConfig {
                    base_url,
                    organization: organization.to_owned(),
                    project_id: project_id.to_owned(),
                    environment: environment
                        .filter(|e| !e.trim().is_empty())
                        .map(str::to_owned),
                })
            }
        },
    };
    let embed_origins = match section(&root, "embedding", EMBEDDING_KEYS)? {
        None => Vec::new(),
        Some(e) => {
            let listed = str_list(e, "allowed_origins").map_err(in_section(Some("embedding")))?;
            let mut origins = Vec::with_capacity(listed.len());
            for o in &listed {
                origins.push(origin("embedding.allowed_origins", o)?);
            }
            origins
        }
    };
    let pair = |(field, problem): (String, String)| ConfigError {
        field: Some(field),
        problem,
    };
    let alerts = opt_object(&root, "alerts").map_err(&top)?;
    let alert_priorities = match alerts {
        None => Vec::new(),
        Some(a) => read_priorities(a).map_err(pair)?,
    };
    let url = validate_url("prometheus.url", prometheus_url)?;
    let rule_sources = rule_sources(alerts, &url)?;
    let slos = match opt_object(&root, "slo").map_err(&top)? {
        None => default_objectives(),
        Some(s) => read_objectives(s).map_err(pair)?,
    };
    Ok(Config {
        alert_priorities,
        rule_sources,
        slos,
        embed_origins,
        jaeger,
        links,
        metrics,
        prometheus: PrometheusConfig {
            url,
            job,
            cluster_label,
            instance_label,
            query_params,
            scrape_interval_secs,
            timeout_secs: timeout_secs(prometheus, "prometheus")?,
            flavor,
            ui,
        },
        refresh_secs: opt_u64(&root, "refresh_secs").map_err(&top)?.unwrap_or(30),
    })
}

/// The query parameters the page sets itself on Prometheus requests.
const PAGE_PARAMS: &[&str] = &["query", "time", "start", "end", "step", "match[]", "limit"];

/// A Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`), or with `metric`, a metric name (`:`
/// allowed too).
fn is_name(name: &str, metric: bool) -> bool {
    let word = |c: char| c.is_ascii_alphabetic() || c == '_' || (metric && c == ':');
    let mut chars = name.chars();
    chars.next().is_some_and(word) && chars.all(|c| word(c) || c.is_ascii_digit())
}

/// An absolute http(s) URL, for links that open in a new tab.
fn absolute_url(field: &str, url: &str) -> Result<String, ConfigError> {
    let url = validate_url(field, url)?;
    if url.to_ascii_lowercase().starts_with("http") {
        Ok(url)
    } else {
        Err(ConfigError::field(
            field,
            format!("`{url}` must be an absolute http(s) URL"),
        ))
    }
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

/// An origin as browsers write it in `MessageEvent.origin`: `http(s)://host[:port]`, nothing
/// after (a trailing slash or a path would never match).
fn origin(field: &str, text: &str) -> Result<String, ConfigError> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '@', ' ']) => {
            Ok(text.to_owned())
        }
        _ => Err(ConfigError::field(
            field,
            format!("`{text}` is not an origin such as https://portal.example.com (scheme and host, no path)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedding_origins_are_exact_origins() {
        let with = |origins: &str| {
            parse_config(&format!(
                r#"{{"prometheus":{{"url":"/p"}},"embedding":{{"allowed_origins":{origins}}}}}"#
            ))
        };
        assert_eq!(
            with(r#"["https://portal.example.com","http://127.0.0.1:8081"]"#)
                .unwrap()
                .embed_origins,
            ["https://portal.example.com", "http://127.0.0.1:8081"]
        );
        assert!(parse_config(r#"{"prometheus":{"url":"/p"}}"#)
            .unwrap()
            .embed_origins
            .is_empty());
        for bad in [
            r#"["https://portal.example.com/"]"#,
            r#"["portal.example.com"]"#,
            r#"["javascript:alert(1)"]"#,
            r#"["https://"]"#,
            r#""https://portal.example.com""#,
        ] {
            let e = with(bad).unwrap_err();
            assert!(
                e.field
                    .as_deref()
                    .is_some_and(|f| f.starts_with("embedding")),
                "{bad}: {e:?}"
            );
        }
        let e =
            parse_config(r#"{"prometheus":{"url":"/p"},"embedding":{"origins":[]}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("embedding"), "{e:?}");
    }

    #[test]
    fn alert_sources_are_read_and_checked() {
        let parse = |alerts: &str| parse_config(&format!(r#"{{"prometheus":{{"url":"prometheus"}},"alerts":{alerts}}}"#));
        let c = parse(
            r#"{"sources":[{"name":" eu-west ","url":"prometheus-eu-west/"},{"name":"us-east","url":"https://p.us/api"}]}"#,
        )
        .unwrap();
        let source = |name: &str, url: &str| RuleSource { name: name.to_owned(), url: url.to_owned() };
        assert_eq!(c.rule_sources, [source("eu-west", "prometheus-eu-west"), source("us-east", "https://p.us/api")]);
        // None listed: the query backend's own rules, under no name.
        let plain = parse(r#"{"sources":null}"#).unwrap();
        assert_eq!(plain.rule_sources, [source("", "prometheus")]);
        assert_eq!(parse("{}").unwrap().rule_sources, [source("", "prometheus")]);
        for (alerts, expected) in [
            (r#"{"sources":"eu"}"#, "`alerts.sources`: must be a list"),
            (r#"{"sources":["eu"]}"#, "`alerts.sources`: must be a list of {\"name\", \"url\"}"),
            (r#"{"sources":[{"name":"","url":"/p"}]}"#, "`alerts.sources[0].name`: must not be empty"),
            (r#"{"sources":[{"name":"a","url":"/p"},{"name":"a","url":"/q"}]}"#, "`alerts.sources[1].name`: `a` is listed twice"),
            (r#"{"sources":[{"name":"a","url":"javascript:x"}]}"#, "`alerts.sources[0].url`: "),
            (r#"{"sources":[{"name":"a"}]}"#, "`alerts.sources[0].url`: must not be empty"),
            (r#"{"sources":[{"name":"a","url":"/p","tenant":"t"}]}"#, "`alerts.sources[0]`: unknown field `tenant`"),
            (r#"{"sources":[{"name":1,"url":"/p"}]}"#, "`alerts.sources[0]`: "),
        ] {
            let err = parse(alerts).unwrap_err().to_string();
            assert!(err.contains(expected), "{alerts}: {err}");
        }
        let many = vec![r#"{"name":"n","url":"/p"}"#; MAX_RULE_SOURCES + 1].join(",");
        assert!(parse(&format!(r#"{{"sources":[{many}]}}"#)).unwrap_err().to_string().contains("more than 16"));
    }

    #[test]
    fn alert_priorities_and_slos_are_read_and_checked() {
        let c = parse_config(
            r#"{"prometheus":{"url":"/p"},"alerts":{"priorities":{"HighLatency":"P2"}},
                "slo":{"availability":{"target":0.995,"window_days":7}}}"#,
        )
        .unwrap();
        assert_eq!(
            c.alert_priorities,
            [("HighLatency".to_owned(), crate::core::alerts::Priority::P2)]
        );
        let availability = c.slos.iter().find(|o| o.key == "availability").unwrap();
        assert_eq!(
            (availability.target, availability.window_secs),
            (0.995, 7 * 86_400)
        );
        let defaults = parse_config(r#"{"prometheus":{"url":"/p"}}"#).unwrap();
        assert_eq!(defaults.slos, crate::core::slo::default_objectives());
        for (text, expected) in [
            (
                r#""alerts":{"priorities":{"X":"P4"}}"#,
                "config.json: `alerts.priorities.X`: ",
            ),
            (
                r#""slo":{"availability":{"target":1.5}}"#,
                "config.json: `slo.availability.target`: ",
            ),
            (r#""slo":[]"#, "`slo`"),
        ] {
            let err = parse_config(&format!(r#"{{"prometheus":{{"url":"/p"}},{text}}}"#))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn a_minimal_config_gets_defaults() {
        let c = parse_config(r#"{"prometheus":{"url":"/prometheus/"}}"#).unwrap();
        assert_eq!(c.prometheus.url, "/prometheus");
        assert_eq!(c.prometheus.job, "arrwdb");
        assert_eq!((c.prometheus.cluster_label.as_str(), c.prometheus.instance_label.as_str()), ("cluster", "instance"));
        let thanos = parse_config(r#"{"prometheus":{"url":"/p","query_params":{"dedup":"true","partial_response":"false"}}}"#).unwrap();
        assert_eq!(thanos.prometheus.query_params, [("dedup".to_owned(), "true".to_owned()), ("partial_response".to_owned(), "false".to_owned())]);
        let k8s = parse_config(r#"{"prometheus":{"url":"/p","cluster_label":"k8s_cluster","instance_label":"pod"}}"#).unwrap();
        assert_eq!((k8s.prometheus.cluster_label.as_str(), k8s.prometheus.instance_label.as_str()), ("k8s_cluster", "pod"));
        assert_eq!(c.prometheus.scrape_interval_secs, 15);
        assert_eq!(c.refresh_secs, 30);
        assert_eq!((c.jaeger, c.links), (None, LinkConfig::default()));
    }

    #[test]
    fn the_backend_flavor_is_auto_or_named() {
        let flavor = |text: &str| parse_config(&format!(r#"{{"prometheus":{{"url":"/p"{text}}}}}"#)).map(|c| c.prometheus.flavor);
        assert_eq!(flavor(""), Ok(None));
        assert_eq!(flavor(r#","flavor":"auto""#), Ok(None));
        assert_eq!(flavor(r#","flavor":"victoriametrics""#), Ok(Some(Flavor::VictoriaMetrics)));
        assert_eq!(flavor(r#","flavor":"mimir""#), Ok(Some(Flavor::Mimir)));
        let err = flavor(r#","flavor":"cortex""#).unwrap_err().to_string();
        assert!(err.contains("`prometheus.flavor`: must be \"auto\" or one of prometheus, victoriametrics"), "{err}");
        assert!(flavor(r#","flavor":1"#).unwrap_err().to_string().contains("`prometheus`"));
    }

    #[test]
    fn the_prometheus_ui_is_absolute_and_of_version_2_or_3() {
        let ui = |text: &str| parse_config(&format!(r#"{{"prometheus":{{"url":"/p"{text}}}}}"#)).map(|c| c.prometheus.ui);
        assert_eq!(ui(""), Ok(None));
        assert_eq!(ui(r#","ui_url":"https://prom.example/""#), Ok(Some(("https://prom.example".into(), PrometheusUi::V3))));
        assert_eq!(ui(r#","ui_url":"http://p:9090","ui_version":2"#), Ok(Some(("http://p:9090".into(), PrometheusUi::V2))));
        assert!(ui(r#","ui_url":"/prometheus""#).unwrap_err().to_string().contains("`prometheus.ui_url`"));
        assert!(ui(r#","ui_url":"http://p","ui_version":4"#).unwrap_err().to_string().contains("must be 2 or 3"));
    }

    #[test]
    fn timeouts_have_a_default_and_a_range() {
        let c = parse_config(r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"/j","timeout_secs":5}}"#).unwrap();
        assert_eq!(c.prometheus.timeout_secs, DEFAULT_TIMEOUT_SECS);
        assert_eq!(c.jaeger.unwrap().timeout_secs, 5);
        for bad in ["0", "601", "-1", "\"30\""] {
            let err = parse_config(&format!(r#"{{"prometheus":{{"url":"/p","timeout_secs":{bad}}}}}"#)).unwrap_err();
            assert!(err.to_string().contains("timeout_secs"), "{bad}: {err}");
        }
    }

    #[test]
    fn traces_and_links() {
        let c = parse_config(
            r#"{"prometheus":{"url":"/p"},
                "jaeger":{"url":"/jaeger/","api":"v1","ui_url":"https://jaeger.example/"},
                "sentry":{"base_url":"https://sentry.example","organization":"acme","project_id":"42","environment":""}}"#,
        )
        .unwrap();
        assert_eq!(
            c.jaeger,
            Some(JaegerConfig {
                url: "/jaeger".into(),
                api: JaegerApi::Fixed(ApiVersion::V1),
                service: "arrwdb".into(),
                instance_attribute: "service.instance.id".into(),
                timeout_secs: DEFAULT_TIMEOUT_SECS,
            })
        );
        assert_eq!(
            c.links.jaeger_ui_url.as_deref(),
            Some("https://jaeger.example")
        );
        let sentry = c.links.sentry.unwrap();
        assert_eq!(
            (
                sentry.base_url.as_str(),
                sentry.project_id.as_str(),
                sentry.environment
            ),
            ("https://sentry.example", "42", None)
        );
        let c = parse_config(r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"http://j:16686","instance_attribute":"host.name"}}"#)
            .unwrap();
        assert_eq!(c.jaeger.as_ref().unwrap().instance_attribute, "host.name");
        assert_eq!(c.jaeger.unwrap().api, JaegerApi::Auto);
        assert_eq!(c.links.jaeger_ui_url, None);
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
            r#"{"prometheus":{"url":"/p","instance_label":"pod-name"}}"#,
            "`prometheus.instance_label`: `pod-name` is not a label name",
        );
        check(r#"{"prometheus":{"url":"/p","cluster_label":""}}"#, "`prometheus.cluster_label`");
        check(r#"{"prometheus":{"url":"/p","query_params":{"step":"1"}}}"#, "`prometheus.query_params.step`: is one of the page's own");
        check(r#"{"prometheus":{"url":"/p","query_params":{"dedup":true}}}"#, "`prometheus`");
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
        check(
            r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"/j","api":"v2"}}"#,
            "`jaeger.api`: `v2` is not auto, v3 or v1",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"javascript:x"}}"#,
            "`jaeger.url`",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"/j","ui_url":"/jaeger"}}"#,
            "`jaeger.ui_url`: `/jaeger` must be an absolute http(s) URL",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"sentry":{"base_url":"https://s","organization":" ","project_id":"1"}}"#,
            "`sentry.organization`: must not be empty",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"sentry":{"base_url":"https://s","organization":"o"}}"#,
            "missing field `project_id`",
        );
        // Values of the wrong type name their field.
        check(
            r#"{"prometheus":{"url":5}}"#,
            "`prometheus`: `url` is a number, not a string",
        );
        check(
            r#"{"prometheus":{"url":"/p","scrape_interval_secs":-1}}"#,
            "`scrape_interval_secs` is a number, not a non-negative integer",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"refresh_secs":"30"}"#,
            "`refresh_secs` is a string, not a non-negative integer",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"jaeger":[]}"#,
            "`jaeger` is a list, not an object",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"jaeger":{"url":"/j","api":3}}"#,
            "`jaeger`: `api` is a number, not a string",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"metrics":{"requests_total":1}}"#,
            "`metrics.requests_total` is a number, not a string",
        );
        check(
            r#"{"prometheus":{"url":"/p"},"sentry":{"base_url":"https://s","organization":"o","project_id":"1","env":"x"}}"#,
            "`sentry`: unknown field `env`",
        );
        check("[]", "config.json: expected an object, found a list");
    }

    #[test]
    fn null_reads_as_absent_for_optional_keys() {
        let c = parse_config(
            r#"{"prometheus":{"url":"/p","job":null,"scrape_interval_secs":null},"refresh_secs":null,
                "jaeger":{"url":"/j","api":null,"service":null,"ui_url":null},"sentry":null}"#,
        )
        .unwrap();
        assert_eq!(
            (c.prometheus.job.as_str(), c.prometheus.scrape_interval_secs),
            ("arrwdb", 15)
        );
        assert_eq!(c.refresh_secs, 30);
        assert_eq!(c.jaeger.unwrap().api, JaegerApi::Auto);
        assert_eq!(c.links, LinkConfig::default());
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
