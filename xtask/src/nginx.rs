//! The shipped nginx site (deploy/nginx/arrwdb-ops.conf) rendered for a run, and the main
//! configuration that runs it as an unprivileged foreground nginx in a run folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::stack::render;
use crate::{repo_root, run, Result};

/// The shipped site template.
pub fn site_template() -> Result<String> {
    let path = repo_root().join("deploy/nginx/arrwdb-ops.conf");
    Ok(fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?)
}

/// The snippet of one `alerts.sources` location (deploy/nginx/rules-source.conf).
pub fn rules_source_template() -> Result<String> {
    let path = repo_root().join("deploy/nginx/rules-source.conf");
    Ok(fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?)
}

/// A Prometheus server or vmalert proxied at `<base>path/` for `alerts.sources`.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// The path under the site's base, without slashes (`prometheus-eu-west`).
    pub path: String,
    /// Its API root, as `prometheus_upstream`.
    pub upstream: String,
    /// `Authorization` towards it, or empty.
    pub authorization: String,
}

/// Headers the proxy adds for the upstreams (tenants, credentials); empty ones are not sent.
#[derive(Debug, Clone, Default)]
pub struct ProxyHeaders {
    /// `X-Scope-OrgID` (Mimir, Cortex).
    pub prometheus_scope_org_id: String,
    /// `THANOS-TENANT` (a Thanos querier).
    pub prometheus_thanos_tenant: String,
    /// `Authorization` towards Prometheus.
    pub prometheus_authorization: String,
    /// `x-tenant` (a multi-tenant Jaeger).
    pub jaeger_tenant: String,
    /// `Authorization` towards Jaeger.
    pub jaeger_authorization: String,
}

/// One server block of the template: the template's placeholders, named.
#[derive(Debug, Clone)]
pub struct Site {
    /// address:port
    pub listen: String,
    /// `/` or a sub-path with slashes at both ends.
    pub base_path: String,
    /// The folder of the page.
    pub root: PathBuf,
    /// Prometheus's API root, possibly with a path (`http://mimir:8080/prometheus`).
    pub prometheus_upstream: String,
    pub jaeger_upstream: String,
    pub connect_src: String,
    pub frame_ancestors: String,
    pub csp_report_log: PathBuf,
    pub proxy_headers: ProxyHeaders,
    pub rule_sources: Vec<RuleSource>,
}

/// A value nginx reads between double quotes, as is: no quote, backslash, variable or newline.
fn quoted_value<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    if let Some(c) = value
        .chars()
        .find(|c| matches!(c, '"' | '\\' | '$') || c.is_control())
    {
        return Err(format!("{name} may not contain {c:?} (nginx would not read it as is)").into());
    }
    Ok(value)
}

/// An upstream URL for `proxy_pass <upstream>/`: http(s), no query, no trailing slash.
fn upstream(name: &str, url: &str) -> Result<String> {
    let url = url.trim_end_matches('/');
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.contains(['?', '#', ';', ' ', '"', '$', '{', '}']) {
        return Err(format!(
            "{name} must be an http(s) URL without query, spaces or quotes, not {url:?}"
        )
        .into());
    }
    Ok(url.to_owned())
}

/// The locations of `site.rule_sources`, from the snippet.
fn rule_source_locations(site: &Site) -> Result<String> {
    let mut out = String::new();
    if site.rule_sources.is_empty() {
        return Ok(out);
    }
    let snippet = rules_source_template()?;
    for source in &site.rule_sources {
        let path_ok = !source.path.is_empty()
            && source.path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !path_ok {
            return Err(format!("a rule source's path must be letters, digits, `-`, `_` or `.`, not {:?}", source.path).into());
        }
        let location = render(
            &snippet,
            &[
                ("BASE_PATH", &site.base_path),
                ("SOURCE_PATH", &source.path),
                ("SOURCE_UPSTREAM", &upstream("SOURCE_UPSTREAM", &source.upstream)?),
                ("SOURCE_AUTHORIZATION", quoted_value("SOURCE_AUTHORIZATION", &source.authorization)?),
            ],
        )?;
        out.push_str(&location);
    }
    Ok(out)
}

/// The template rendered for `site`.
pub fn render_site(template: &str, site: &Site) -> Result<String> {
    let headers = &site.proxy_headers;
    let root = site.root.to_string_lossy();
    let rule_sources = rule_source_locations(site)?;
    render(
        template,
        &[
            ("RULE_SOURCES", &rule_sources),
            ("LISTEN", &site.listen),
            ("BASE_PATH", &site.base_path),
            ("ROOT", root.trim_end_matches('/')),
            (
                "PROMETHEUS_UPSTREAM",
                &upstream("PROMETHEUS_UPSTREAM", &site.prometheus_upstream)?,
            ),
            (
                "JAEGER_UPSTREAM",
                &upstream("JAEGER_UPSTREAM", &site.jaeger_upstream)?,
            ),
            ("CONNECT_SRC", &site.connect_src),
            ("FRAME_ANCESTORS", &site.frame_ancestors),
            ("CSP_REPORT_LOG", &site.csp_report_log.to_string_lossy()),
            (
                "PROMETHEUS_SCOPE_ORG_ID",
                quoted_value("PROMETHEUS_SCOPE_ORG_ID", &headers.prometheus_scope_org_id)?,
            ),
            (
                "PROMETHEUS_THANOS_TENANT",
                quoted_value(
                    "PROMETHEUS_THANOS_TENANT",
                    &headers.prometheus_thanos_tenant,
                )?,
            ),
            (
                "PROMETHEUS_AUTHORIZATION",
                quoted_value(
                    "PROMETHEUS_AUTHORIZATION",
                    &headers.prometheus_authorization,
                )?,
            ),
            (
                "JAEGER_TENANT",
                quoted_value("JAEGER_TENANT", &headers.jaeger_tenant)?,
            ),
            (
                "JAEGER_AUTHORIZATION",
                quoted_value("JAEGER_AUTHORIZATION", &headers.jaeger_authorization)?,
            ),
        ],
    )
}

/// nginx's main configuration for a run: in the foreground, its pid, logs and temporary files
/// in `run_dir`, serving `servers` (server blocks).
pub fn main_config(run_dir: &Path, servers: &str) -> Result<String> {
    let tmp = run_dir.join("nginx-tmp");
    fs::create_dir_all(&tmp)?;
    // SAFETY: a plain syscall without arguments.
    let user = if unsafe { libc::geteuid() } == 0 {
        "user root;\n"
    } else {
        ""
    };
    let t = tmp.display();
    Ok(format!(
        "# Generated by xtask for this run; the site blocks come from deploy/nginx/arrwdb-ops.conf.\n\
         daemon off;\nmaster_process on;\nworker_processes 1;\n{user}\
         pid {run}/nginx.pid;\nerror_log {run}/nginx-error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log {run}/nginx-access.log;\n  default_type application/octet-stream;\n\
           client_body_temp_path {t}/body;\n  proxy_temp_path {t}/proxy;\n  fastcgi_temp_path {t}/fastcgi;\n\
           uwsgi_temp_path {t}/uwsgi;\n  scgi_temp_path {t}/scgi;\n{servers}}}\n",
        run = run_dir.display(),
    ))
}

/// `nginx -t` on a main configuration: fails with nginx's own complaint.
pub fn check_config(conf: &Path) -> Result<()> {
    run(Command::new("nginx")
        .arg("-t")
        .arg("-q")
        .arg("-c")
        .arg(conf)
        .stderr(Stdio::inherit()))
}

/// The command that runs nginx on a main configuration (in the foreground: `daemon off`).
pub fn command(conf: &Path) -> Command {
    let mut cmd = Command::new("nginx");
    cmd.arg("-c").arg(conf);
    cmd
}
