//! The diagnosis of the configured sources (`data-panel="sources"`): does each one answer, which
//! version, and when it does not, whether it looks like CORS, DNS/connection or HTTP, with the
//! fix. The browser only reports what it saw ([`Seen`]); the verdict and the words are here.
//!
//! The browser never says why a `fetch` failed: a CORS refusal and a refused connection are the
//! same `TypeError`. A second request in `no-cors` mode tells them apart for a cross-origin
//! source: the server answering it (with an opaque response the page cannot read) means it is
//! up and the browser refused to let the page read its answers; no answer means DNS or the
//! connection failed.

use serde_json::Value;

use crate::core::flavor::Flavor;
use crate::core::html::Html;
use crate::core::jaeger::ApiVersion;

/// A configured source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Prometheus,
    Jaeger,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Prometheus => "Prometheus",
            Source::Jaeger => "Jaeger",
        }
    }

    /// Its key in `config.json` and in `data-source`.
    pub fn key(self) -> &'static str {
        match self {
            Source::Prometheus => "prometheus",
            Source::Jaeger => "jaeger",
        }
    }
}

/// What the browser saw when it asked a source.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// It answered as the API it should be; `version` says which (e.g. "Prometheus 2.42.0"),
    /// `flavor` which Prometheus-compatible backend (`None` for Jaeger, or when unknown).
    Answered { version: String, flavor: Option<Flavor> },
    /// No HTTP answer the page could read. `opaque_answer`: a `no-cors` request to the same URL
    /// was answered (only tried for a cross-origin source).
    NoAnswer {
        cross_origin: bool,
        opaque_answer: bool,
    },
    /// An HTTP error status that is not the API's own error.
    Http { status: u16 },
    /// An answer, but not the API's (HTML, other JSON): `detail` quotes it.
    NotTheApi { detail: String },
}

impl Seen {
    /// `configured` (config.json's `prometheus.flavor`), when it names one, as the flavor of an
    /// answer: it wins over what the answer suggests.
    pub fn with_configured_flavor(mut self, configured: Option<Flavor>) -> Seen {
        if let (Seen::Answered { flavor, .. }, Some(configured)) = (&mut self, configured) {
            *flavor = Some(configured);
        }
        self
    }

    /// The backend an answer names (`None` for no answer, or when it cannot tell).
    pub fn flavor(&self) -> Option<Flavor> {
        match self {
            Seen::Answered { flavor, .. } => *flavor,
            _ => None,
        }
    }
}

/// What the diagnosis concludes: `data-verdict` in the DOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Cors,
    Connection,
    Http,
    NotTheApi,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Cors => "cors",
            Verdict::Connection => "connection",
            Verdict::Http => "http",
            Verdict::NotTheApi => "not-the-api",
        }
    }
}

/// The URLs to ask, in order, until one answers as the API: Prometheus's build information
/// (it names the version); Jaeger's services list, of the configured API or, in auto mode,
/// api_v3 and then v1.
pub fn probe_urls(source: Source, base: &str, jaeger_api: Option<ApiVersion>) -> Vec<String> {
    match source {
        Source::Prometheus => vec![format!("{base}/api/v1/status/buildinfo")],
        Source::Jaeger => {
            let v3 = crate::core::jaeger::v3_services_url(base);
            let v1 = crate::core::jaeger::v1_services_url(base);
            match jaeger_api {
                Some(ApiVersion::V3) => vec![v3],
                Some(ApiVersion::V1) => vec![v1],
                None => vec![v3, v1],
            }
        }
    }
}

/// What one answer of a probe URL says: `Err(())` is no HTTP answer at all. A source answers as
/// its API when the body is JSON with the expected field: Prometheus's `data.version`, Jaeger
/// api_v3's `services` or v1's `data` list.
pub fn seen(source: Source, answer: Result<(u16, &str), ()>, cross_origin: bool) -> Seen {
    let Ok((status, body)) = answer else {
        return Seen::NoAnswer {
            cross_origin,
            opaque_answer: false,
        };
    };
    let json: Option<Value> = serde_json::from_str(body).ok();
    let version = json.as_ref().and_then(|v| match source {
        Source::Prometheus => prometheus_build(v),
        Source::Jaeger => {
            let (api, list) = match (&v["services"], &v["data"]) {
                (Value::Array(list), _) => ("api_v3", list),
                (_, Value::Array(list)) => ("API v1", list),
                _ => return None,
            };
            let plural = if list.len() == 1 { "" } else { "s" };
            Some(format!(
                "Jaeger query {api}, {} service{plural}",
                list.len()
            ))
        }
    });
    match version {
        Some(version) if (200..300).contains(&status) => Seen::Answered {
            version,
            flavor: json.as_ref().filter(|_| source == Source::Prometheus).and_then(Flavor::of_build),
        },
        _ if !(200..300).contains(&status) && json.is_none() => Seen::Http { status },
        _ => Seen::NotTheApi {
            detail: format!(
                "Answers HTTP {status}, but not as {}'s API: {}",
                source.name(),
                crate::core::prom::snippet(body)
            ),
        },
    }
}

/// Who answers Prometheus's build information: `Prometheus 3.7.3`, or the `application` a
/// compatible backend names (`Grafana Mimir 2.14.0`); one that answers the API with no version
/// at all is VictoriaMetrics's way (`{"status":"success","data":{}}`).
fn prometheus_build(v: &Value) -> Option<String> {
    let data = &v["data"];
    match (data["application"].as_str(), data["version"].as_str()) {
        (app, Some(version)) => Some(format!("{} {version}", app.unwrap_or("Prometheus"))),
        (_, None) if v["status"] == "success" && data.is_object() => {
            Some("a Prometheus-compatible API that names no version (as VictoriaMetrics answers)".to_owned())
        }
        _ => None,
    }
}

/// What a source's row says after one more probe URL: an answer wins; otherwise the first
/// probe's failure is the one to explain (in auto mode, api_v3's, not the v1 fallback's).
pub fn keep(kept: Option<Seen>, next: Seen) -> Seen {
    match (kept, next) {
        (_, answered @ Seen::Answered { .. }) => answered,
        (Some(first), _) => first,
        (None, next) => next,
    }
}

/// Whether `url` (absolute, or a path served by the page's own origin) is on another origin
/// than `page_origin` (`http://host:port`).
pub fn is_cross_origin(url: &str, page_origin: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
    else {
        return false;
    };
    let scheme_len = lower.len() - rest.len();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    lower[..scheme_len + authority_end] != page_origin.to_ascii_lowercase()
}

/// The verdict, what it means, and the fix, for `source` configured at `url`.
pub fn diagnose(source: Source, url: &str, seen: &Seen) -> (Verdict, String, String) {
    let name = source.name();
    let key = source.key();
    match seen {
        // What the page calls that this backend does not serve, said where its answers are.
        Seen::Answered { version, flavor } => (
            Verdict::Ok,
            format!("Answers: {version}."),
            flavor.and_then(Flavor::limits).unwrap_or_default().to_owned(),
        ),
        Seen::NoAnswer {
            cross_origin: true,
            opaque_answer: true,
        } => (
            Verdict::Cors,
            "Reachable, but the browser does not let this page read its answers: it sends no \
             CORS header allowing this page's origin."
                .to_owned(),
            match source {
                Source::Prometheus => format!(
                    "Serve it under this page's origin (deploy/nginx/arrwdb-ops.conf proxies \
                     /prometheus/) and set `{key}.url` to \"prometheus\", or start Prometheus \
                     with --web.cors.origin matching this page's origin."
                ),
                Source::Jaeger => format!(
                    "Jaeger's query service sends no CORS headers: serve it under this page's \
                     origin (deploy/nginx/arrwdb-ops.conf proxies /jaeger/) and set `{key}.url` \
                     to \"jaeger\"."
                ),
            },
        ),
        Seen::NoAnswer { cross_origin, .. } => (
            Verdict::Connection,
            format!(
                "No answer at all from {url}: the name does not resolve, or the connection is \
                 refused or cut."
            ),
            if *cross_origin {
                format!(
                    "Check `{key}.url` in config.json and that {name} runs and listens there \
                     (from this machine: curl {url})."
                )
            } else {
                format!(
                    "This page's own server does not answer for it: check that the proxy for \
                     `{key}.url` is set up (deploy/nginx/arrwdb-ops.conf)."
                )
            },
        ),
        Seen::Http { status } => (
            Verdict::Http,
            format!("Answers HTTP {status} instead of {name}'s API."),
            match status {
                401 | 403 => format!(
                    "It wants credentials the dashboard does not send: let this page's origin \
                     through the authenticating proxy, or serve {name} under this page's origin."
                ),
                404 => format!(
                    "Nothing there: `{key}.url` must be the URL under which {name}'s API \
                     answers (a proxy path prefix missing or extra?)."
                ),
                502..=504 => format!(
                    "The proxy in front of {name} cannot reach it: check the upstream address \
                     in the nginx config and that {name} runs."
                ),
                _ => format!("Check `{key}.url` and {name}'s logs."),
            },
        ),
        Seen::NotTheApi { detail } => (
            Verdict::NotTheApi,
            detail.clone(),
            format!(
                "`{key}.url` should point at {name}'s API, not at a web UI, a login page or \
                 another service."
            ),
        ),
    }
}

/// One row of the sources panel: a source, its configured URL and what was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub source: Source,
    pub url: String,
    /// `None` while it is being asked.
    pub seen: Option<Seen>,
}

/// The sources panel's table.
pub fn sources_html(rows: &[SourceRow]) -> String {
    let mut h = Html::new();
    h.open_class("table", "sources").open("tbody", &[]);
    for row in rows {
        let diagnosis = row
            .seen
            .as_ref()
            .map(|seen| diagnose(row.source, &row.url, seen));
        let verdict = diagnosis.as_ref().map(|d| d.0.key());
        h.open(
            "tr",
            &[
                ("data-source", Some(row.source.key())),
                ("data-verdict", verdict),
                (
                    "data-version",
                    match &row.seen {
                        Some(Seen::Answered { version, .. }) => Some(version),
                        _ => None,
                    },
                ),
            ],
        )
        .elem("th", "", row.source.name())
        .open("td", &[])
        .code(&row.url)
        .close("td");
        match &diagnosis {
            None => {
                h.elem("td", "", "Asking…");
            }
            Some((verdict, what, fix)) => {
                h.open_class("td", if *verdict == Verdict::Ok { "ok" } else { "bad" })
                    .text(what);
                if !fix.is_empty() {
                    h.elem("p", "fix", fix);
                }
                h.close("td");
            }
        }
        h.close("tr");
    }
    h.close("tbody").close("table");
    h.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Not;

    fn verdict(seen: Seen) -> Verdict {
        diagnose(Source::Prometheus, "http://prom:9090", &seen).0
    }

    #[test]
    fn no_answer_is_cors_only_when_the_no_cors_probe_was_answered() {
        let cors = Seen::NoAnswer {
            cross_origin: true,
            opaque_answer: true,
        };
        assert_eq!(verdict(cors.clone()), Verdict::Cors);
        let (_, what, fix) = diagnose(Source::Jaeger, "http://j:16686", &cors);
        assert!(what.contains("CORS"), "{what}");
        assert!(
            fix.contains("/jaeger/") && fix.contains("`jaeger.url`"),
            "{fix}"
        );
        let dead = Seen::NoAnswer {
            cross_origin: true,
            opaque_answer: false,
        };
        assert_eq!(verdict(dead.clone()), Verdict::Connection);
        let (_, what, fix) = diagnose(Source::Prometheus, "http://prom:9090", &dead);
        assert!(what.contains("http://prom:9090") && fix.contains("curl http://prom:9090"));
        // Same origin: the page's own server does not answer for the proxied path.
        let (v, _, fix) = diagnose(
            Source::Prometheus,
            "prometheus",
            &Seen::NoAnswer {
                cross_origin: false,
                opaque_answer: false,
            },
        );
        assert_eq!(v, Verdict::Connection);
        assert!(fix.contains("proxy"), "{fix}");
    }

    #[test]
    fn http_statuses_get_their_fix() {
        let fix = |status| diagnose(Source::Prometheus, "p", &Seen::Http { status }).2;
        assert!(fix(404).contains("path prefix"));
        assert!(fix(502).contains("upstream"));
        assert!(fix(403).contains("credentials"));
        assert!(fix(500).contains("logs"));
    }

    #[test]
    fn the_configured_flavor_wins_over_what_the_answer_suggests() {
        let vm = seen(Source::Prometheus, Ok((200, r#"{"status":"success","data":{}}"#)), false);
        assert_eq!(vm.flavor(), Some(Flavor::VictoriaMetrics));
        assert_eq!(vm.clone().with_configured_flavor(None).flavor(), Some(Flavor::VictoriaMetrics));
        assert_eq!(vm.with_configured_flavor(Some(Flavor::Promxy)).flavor(), Some(Flavor::Promxy));
        let dead = seen(Source::Prometheus, Err(()), false);
        assert_eq!(dead.clone().with_configured_flavor(Some(Flavor::Mimir)), dead, "no answer stays no answer");
        assert_eq!(dead.flavor(), None);
    }

    #[test]
    fn answers_are_read_as_the_api_or_not() {
        let build =
            include_str!("../../../shared/fixtures/prometheus/status_buildinfo.openapi.json");
        assert_eq!(
            seen(Source::Prometheus, Ok((200, build)), false),
            Seen::Answered {
                version: "Prometheus 3.7.3".into(),
                flavor: Some(Flavor::Prometheus),
            }
        );
        // VictoriaMetrics 1.79 (as Debian ships it) and Mimir answer the API in their own way.
        let vm = r#"{"status":"success","data":{}}"#;
        assert!(matches!(
            seen(Source::Prometheus, Ok((200, vm)), false),
            Seen::Answered { version, flavor: Some(Flavor::VictoriaMetrics) } if version.contains("VictoriaMetrics")
        ));
        let mimir = r#"{"status":"success","data":{"application":"Grafana Mimir","version":"2.14.0","revision":"x"}}"#;
        assert_eq!(
            seen(Source::Prometheus, Ok((200, mimir)), false),
            Seen::Answered { version: "Grafana Mimir 2.14.0".into(), flavor: Some(Flavor::Mimir) }
        );
        let v3 = include_str!("../../../shared/fixtures/jaeger/v3_services.json");
        assert!(matches!(
            seen(Source::Jaeger, Ok((200, v3)), false),
            Seen::Answered { version, flavor: None } if version.starts_with("Jaeger query api_v3, ")
        ));
        assert_eq!(
            seen(Source::Jaeger, Ok((200, r#"{"data":["arrwdb"]}"#)), false),
            Seen::Answered {
                version: "Jaeger query API v1, 1 service".into(),
                flavor: None,
            }
        );
        assert_eq!(
            seen(Source::Prometheus, Err(()), true),
            Seen::NoAnswer {
                cross_origin: true,
                opaque_answer: false
            }
        );
        // A login page, a proxy's error page, another service's JSON, Prometheus's own error.
        assert!(matches!(
            seen(Source::Prometheus, Ok((200, "<html>login</html>")), false),
            Seen::NotTheApi { detail } if detail.contains("&lt;").not() && detail.contains("<html>login")
        ));
        assert_eq!(
            seen(Source::Prometheus, Ok((502, "Bad Gateway")), false),
            Seen::Http { status: 502 }
        );
        assert!(matches!(
            seen(Source::Jaeger, Ok((200, "{\"a\":1}")), false),
            Seen::NotTheApi { .. }
        ));
        let api_error = r#"{"status":"error","errorType":"unavailable","error":"starting"}"#;
        assert!(matches!(
            seen(Source::Prometheus, Ok((503, api_error)), false),
            Seen::NotTheApi { detail } if detail.contains("503") && detail.contains("starting")
        ));
    }

    #[test]
    fn probes_follow_the_configured_jaeger_api() {
        assert_eq!(
            probe_urls(Source::Prometheus, "prometheus", None),
            ["prometheus/api/v1/status/buildinfo"]
        );
        assert_eq!(
            probe_urls(Source::Jaeger, "jaeger", None),
            ["jaeger/api/v3/services", "jaeger/api/services"]
        );
        assert_eq!(
            probe_urls(Source::Jaeger, "jaeger", Some(ApiVersion::V1)),
            ["jaeger/api/services"]
        );
    }

    #[test]
    fn an_answer_wins_else_the_first_failure_is_explained() {
        let v3_missing = Seen::Http { status: 404 };
        let v1 = Seen::Answered {
            version: "Jaeger query API v1, 1 service".into(),
            flavor: None,
        };
        assert_eq!(keep(Some(v3_missing.clone()), v1.clone()), v1);
        let dead = Seen::NoAnswer {
            cross_origin: true,
            opaque_answer: false,
        };
        assert_eq!(keep(Some(v3_missing.clone()), dead.clone()), v3_missing);
        assert_eq!(keep(None, dead.clone()), dead);
    }

    #[test]
    fn origins() {
        let page = "http://127.0.0.1:8080";
        assert!(!is_cross_origin("prometheus", page));
        assert!(!is_cross_origin("/ops/prometheus", page));
        assert!(!is_cross_origin("HTTP://127.0.0.1:8080/prometheus", page));
        assert!(is_cross_origin("http://127.0.0.1:9090", page));
        assert!(is_cross_origin("https://127.0.0.1:8080/p", page));
        assert!(is_cross_origin("http://127.0.0.1:80801", page));
    }

    #[test]
    fn the_table_escapes_what_it_quotes() {
        let rows = [
            SourceRow {
                source: Source::Prometheus,
                url: "prometheus".into(),
                seen: Some(Seen::Answered {
                    version: "Prometheus 2.42.0".into(),
                    flavor: Some(Flavor::Prometheus),
                }),
            },
            SourceRow {
                source: Source::Jaeger,
                url: "http://j/<script>".into(),
                seen: Some(Seen::NotTheApi {
                    detail: "<script>alert(1)</script>".into(),
                }),
            },
        ];
        let html = sources_html(&rows);
        assert!(html.contains(
            "<tr data-source=\"prometheus\" data-verdict=\"ok\" data-version=\"Prometheus 2.42.0\">"
        ));
        assert!(html.contains("data-verdict=\"not-the-api\""));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)"));
        // A backend that lacks what the page calls says so on its row.
        let vm = SourceRow {
            source: Source::Prometheus,
            url: "prometheus".into(),
            seen: Some(Seen::Answered { version: "VictoriaMetrics".into(), flavor: Some(Flavor::VictoriaMetrics) }),
        };
        let html = sources_html(&[vm]);
        assert!(html.contains("data-verdict=\"ok\""), "{html}");
        assert!(html.contains("<p class=\"fix\">VictoriaMetrics serves no exemplars"), "{html}");
    }
}
