//! The incident summary: what the dashboard knows about a window, as Markdown to paste into a
//! ticket or a chat when handing an incident over.
//!
//! [`summary`] works from plain facts ([`IncidentFacts`]) that the shell gathers from the
//! answers it already holds; it does no maths of its own beyond picking the worst replica. Every
//! value that comes from outside the dashboard (service, alert, handler, instance, objective and
//! operation names, silence authors and comments, trace ids) goes through [`crate::core::markdown`],
//! so none can add a link, an image, HTML, a table, a heading or a line. Every section is always
//! there: one without data says so in one line, so a reader can tell "nothing happened" from
//! "not looked at".

use crate::core::alertmanager::{AlertLookup, Delivery};
use crate::core::alerts::Priority;
use crate::core::drill::duration_text;
use crate::core::markdown::{inline_code, link, text};
use crate::core::prom::AlertState;
use crate::core::time::{civil_time, span_text};
use crate::core::units::{format_value, Unit};

/// Everything the summary says, as plain values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncidentFacts {
    /// The service the dashboard watches (`arrwdb`).
    pub service: String,
    pub window_start_secs: f64,
    pub window_end_secs: f64,
    /// The reader's UTC offset for the local times (the browser's at the window's start).
    pub utc_offset_secs: i64,
    /// The dashboard's permalink for the window.
    pub permalink: Option<String>,
    /// Alerts firing or pending at some time in the window.
    pub alerts: Vec<AlertFact>,
    pub error_share: Option<ErrorShare>,
    /// Handlers with errors in the window, worst first.
    pub failing_handlers: Vec<HandlerErrors>,
    pub latency: Option<LatencyPeaks>,
    pub budgets: Vec<BudgetBurned>,
    /// The error share of each replica over the window.
    pub replicas: Vec<ReplicaErrors>,
    /// The top error traces, worst first.
    pub error_traces: Vec<ErrorTrace>,
    /// Sentry's issues for the window, when Sentry is configured.
    pub sentry_url: Option<String>,
}

/// One alert of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFact {
    pub name: String,
    /// Firing or pending.
    pub state: AlertState,
    pub priority: Priority,
    /// What Alertmanager did with it; `None` when no Alertmanager was asked.
    pub alertmanager: Option<AlertLookup>,
}

/// The share of requests that failed: its peak in the window against the baseline before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorShare {
    /// 0..1.
    pub peak_ratio: f64,
    pub peak_at_secs: f64,
    /// 0..1, e.g. over the hour before the window.
    pub baseline_ratio: f64,
}

/// A handler's failed requests in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlerErrors {
    pub method: String,
    pub handler: String,
    pub errors: u64,
    pub requests: Option<u64>,
}

/// The highest latency quantiles of the window.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LatencyPeaks {
    pub p95_peak_secs: Option<f64>,
    pub p99_peak_secs: Option<f64>,
}

/// How much of an objective's error budget the window used.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetBurned {
    pub objective: String,
    /// The objective's window, e.g. 30 days.
    pub slo_window_secs: u64,
    /// 0..1 of the budget (may exceed 1).
    pub burned_fraction: f64,
}

/// One replica's error share over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaErrors {
    pub instance: String,
    /// 0..1.
    pub error_ratio: f64,
}

/// A trace with errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorTrace {
    pub trace_id: String,
    /// The root span's operation.
    pub operation: String,
    pub duration_us: i64,
    pub jaeger_url: Option<String>,
}

/// The summary as Markdown: a heading, then the window, alerts, errors, failing handlers,
/// latency, SLO budgets, replicas, error traces and Sentry, one section each.
pub fn summary(facts: &IncidentFacts) -> String {
    let mut out = String::new();
    let service = match facts.service.trim() {
        "" => "the service".to_owned(),
        name => text(name),
    };
    out.push_str(&format!("## Incident summary: {service}\n\n"));
    window_section(&mut out, facts);
    alerts_section(&mut out, &facts.alerts);
    errors_section(&mut out, facts);
    handlers_section(&mut out, &facts.failing_handlers);
    latency_section(&mut out, facts.latency);
    budgets_section(&mut out, &facts.budgets);
    replicas_section(&mut out, &facts.replicas);
    traces_section(&mut out, &facts.error_traces);
    section(&mut out, "Sentry");
    match facts
        .sentry_url
        .as_deref()
        .and_then(|url| link("Sentry issues in the window", url))
    {
        Some(sentry) => line(&mut out, &sentry),
        None => line(&mut out, "Sentry is not configured."),
    }
    out
}

fn section(out: &mut String, title: &str) {
    out.push_str(&format!("\n### {title}\n\n"));
}

fn line(out: &mut String, item: &str) {
    out.push_str("- ");
    out.push_str(item);
    out.push('\n');
}

/// `2026-11-24 16:33:53` at a UTC offset.
fn clock(unix_secs: f64, utc_offset_secs: i64) -> String {
    let c = civil_time(unix_secs, utc_offset_secs);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `UTC+01:00`, `UTC-05:30`, `UTC`.
fn offset_text(utc_offset_secs: i64) -> String {
    if utc_offset_secs == 0 {
        return "UTC".to_owned();
    }
    let sign = if utc_offset_secs < 0 { '-' } else { '+' };
    let minutes = utc_offset_secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn window_section(out: &mut String, facts: &IncidentFacts) {
    let (start, end, offset) = (
        facts.window_start_secs,
        facts.window_end_secs,
        facts.utc_offset_secs,
    );
    if !(start.is_finite() && end.is_finite()) {
        line(out, "**Window:** unknown.");
    } else {
        line(
            out,
            &format!(
                "**Window:** {} – {} UTC ({})",
                clock(start, 0),
                clock(end, 0),
                span_text(end - start)
            ),
        );
        if offset != 0 {
            line(
                out,
                &format!(
                    "**Local:** {} – {} ({})",
                    clock(start, offset),
                    clock(end, offset),
                    offset_text(offset)
                ),
            );
        }
    }
    match facts
        .permalink
        .as_deref()
        .and_then(|url| link("this window on the dashboard", url))
    {
        Some(permalink) => line(out, &format!("**Permalink:** {permalink}")),
        None => line(out, "**Permalink:** none."),
    }
}

fn alerts_section(out: &mut String, alerts: &[AlertFact]) {
    section(out, "Alerts");
    if alerts.is_empty() {
        line(out, "No alert was firing or pending in the window.");
    }
    for alert in alerts {
        let state = match alert.state {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
            AlertState::Unknown => "in an unknown state",
        };
        let mut item = format!(
            "{} {state}, {} ({})",
            inline_code(&alert.name),
            alert.priority.label(),
            alert.priority.meaning()
        );
        item.push_str("; ");
        item.push_str(&alertmanager_text(alert.alertmanager.as_ref()));
        line(out, &item);
    }
}

/// What Alertmanager did, in one clause.
fn alertmanager_text(lookup: Option<&AlertLookup>) -> String {
    let Some(lookup) = lookup else {
        return "Alertmanager not asked.".to_owned();
    };
    let receivers = || match lookup.receivers.as_slice() {
        [] => String::new(),
        names => format!(
            " (receivers: {})",
            names
                .iter()
                .map(|n| inline_code(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    match lookup.delivery {
        Delivery::NotReceived => "not in Alertmanager.".to_owned(),
        Delivery::Unprocessed => "received by Alertmanager, not yet processed.".to_owned(),
        Delivery::Active => format!("not silenced, notifying{}.", receivers()),
        Delivery::Suppressed => {
            let mut parts = Vec::new();
            for s in &lookup.silenced_by {
                let mut who = format!("silence {}", inline_code(&s.id));
                if !s.created_by.is_empty() {
                    who.push_str(&format!(" by {}", text(&s.created_by)));
                }
                if let Some(ends) = s.ends_at_unix {
                    who.push_str(&format!(" until {} UTC", clock(ends, 0)));
                }
                if !s.comment.is_empty() {
                    who.push_str(&format!(": “{}”", text(&s.comment)));
                }
                parts.push(who);
            }
            for i in &lookup.inhibited_by {
                parts.push(match i.alertname() {
                    Some(name) => format!("inhibited by {}", inline_code(name)),
                    None => format!("inhibited by alert {}", inline_code(&i.fingerprint)),
                });
            }
            for m in &lookup.muted_by {
                parts.push(format!("muted by time interval {}", inline_code(m)));
            }
            match parts.is_empty() {
                true => "suppressed by Alertmanager.".to_owned(),
                false => format!("suppressed: {}.", parts.join("; ")),
            }
        }
    }
}

fn errors_section(out: &mut String, facts: &IncidentFacts) {
    section(out, "Errors");
    match facts.error_share {
        Some(e) if e.peak_ratio.is_finite() => line(
            out,
            &format!(
                "Error share peaked at {} at {} UTC, against a baseline of {}.",
                format_value(e.peak_ratio, Unit::Ratio),
                clock(e.peak_at_secs, 0),
                format_value(e.baseline_ratio, Unit::Ratio)
            ),
        ),
        _ => line(out, "No error-share data for the window."),
    }
}

fn handlers_section(out: &mut String, handlers: &[HandlerErrors]) {
    section(out, "Failing handlers");
    if handlers.is_empty() {
        line(out, "No handler failed in the window.");
    }
    for h in handlers {
        let name = format!("{} {}", h.method, h.handler);
        let of = match h.requests {
            Some(requests) => format!(" of {requests} requests"),
            None => String::new(),
        };
        let noun = if h.errors == 1 { "error" } else { "errors" };
        line(
            out,
            &format!("{}: {} {noun}{of}", inline_code(name.trim()), h.errors),
        );
    }
}

fn latency_section(out: &mut String, latency: Option<LatencyPeaks>) {
    section(out, "Latency");
    let peaks: Vec<String> = latency
        .into_iter()
        .flat_map(|l| [("p95", l.p95_peak_secs), ("p99", l.p99_peak_secs)])
        .filter_map(|(name, secs)| {
            let secs = secs.filter(|s| s.is_finite())?;
            Some(format!("{name} peak {}", format_value(secs, Unit::Seconds)))
        })
        .collect();
    match peaks.is_empty() {
        true => line(out, "No latency data for the window."),
        false => line(out, &format!("{}.", peaks.join(", "))),
    }
}

fn budgets_section(out: &mut String, budgets: &[BudgetBurned]) {
    section(out, "SLO budget");
    if budgets.is_empty() {
        line(out, "No SLO data for the window.");
    }
    for b in budgets {
        line(
            out,
            &format!(
                "{}: {} of the {} error budget burned in the window.",
                text(&b.objective),
                format_value(b.burned_fraction, Unit::Ratio),
                span_text(b.slo_window_secs as f64)
            ),
        );
    }
}

fn replicas_section(out: &mut String, replicas: &[ReplicaErrors]) {
    section(out, "Replicas");
    let worst = replicas
        .iter()
        .filter(|r| r.error_ratio.is_finite())
        .max_by(|a, b| a.error_ratio.total_cmp(&b.error_ratio));
    match (replicas.len(), worst) {
        (0, _) | (_, None) => line(out, "No per-replica data for the window."),
        (1, _) => line(out, "One replica: nothing to compare."),
        (n, Some(w)) => line(
            out,
            &format!(
                "Worst of {n} replicas: {} with {} errors.",
                inline_code(&w.instance),
                format_value(w.error_ratio, Unit::Ratio)
            ),
        ),
    }
}

fn traces_section(out: &mut String, traces: &[ErrorTrace]) {
    section(out, "Error traces");
    if traces.is_empty() {
        line(out, "No error trace found in the window.");
    }
    for t in traces {
        let id = t.trace_id.trim();
        let short: String = id.chars().take(12).collect();
        let shown = match t.jaeger_url.as_deref().and_then(|url| link(&short, url)) {
            Some(linked) => linked,
            None => inline_code(&short),
        };
        line(
            out,
            &format!(
                "{shown} {} ({})",
                inline_code(&t.operation),
                duration_text(t.duration_us)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alertmanager::{Inhibitor, SilenceRef};

    // 2026-11-24T16:33:53Z .. 16:48:53Z
    const START: f64 = 1_795_538_033.0;
    const END: f64 = 1_795_538_933.0;

    fn facts() -> IncidentFacts {
        IncidentFacts {
            service: "arrwdb".into(),
            window_start_secs: START,
            window_end_secs: END,
            utc_offset_secs: 3_600,
            permalink: Some("https://ops.example.com/?from=1795538033&to=1795538933".into()),
            alerts: vec![
                AlertFact {
                    name: "HighErrorRate".into(),
                    state: AlertState::Firing,
                    priority: Priority::P1,
                    alertmanager: Some(AlertLookup {
                        delivery: Delivery::Suppressed,
                        silenced_by: vec![SilenceRef {
                            id: "s1".into(),
                            created_by: "ana".into(),
                            ends_at_unix: Some(END + 3_600.0),
                            comment: "deploy".into(),
                        }],
                        inhibited_by: vec![Inhibitor {
                            fingerprint: "f0".into(),
                            labels: None,
                        }],
                        muted_by: vec![],
                        receivers: vec!["pager".into()],
                    }),
                },
                AlertFact {
                    name: "HighLatency".into(),
                    state: AlertState::Pending,
                    priority: Priority::P3,
                    alertmanager: None,
                },
            ],
            error_share: Some(ErrorShare {
                peak_ratio: 0.123,
                peak_at_secs: START + 420.0,
                baseline_ratio: 0.005,
            }),
            failing_handlers: vec![HandlerErrors {
                method: "POST".into(),
                handler: "/v1/libraries/{library_id}/search".into(),
                errors: 42,
                requests: Some(1_000),
            }],
            latency: Some(LatencyPeaks {
                p95_peak_secs: Some(0.25),
                p99_peak_secs: Some(1.5),
            }),
            budgets: vec![BudgetBurned {
                objective: "availability".into(),
                slo_window_secs: 30 * 86_400,
                burned_fraction: 0.12,
            }],
            replicas: vec![
                ReplicaErrors {
                    instance: "10.0.0.1:8000".into(),
                    error_ratio: 0.02,
                },
                ReplicaErrors {
                    instance: "10.0.0.2:8000".into(),
                    error_ratio: 0.2,
                },
            ],
            error_traces: vec![ErrorTrace {
                trace_id: "4766f1209f70a5e2e55417fc296fd101".into(),
                operation: "POST /v1/libraries/{library_id}/search".into(),
                duration_us: 1_500_000,
                jaeger_url: Some(
                    "https://jaeger.example.com/trace/4766f1209f70a5e2e55417fc296fd101".into(),
                ),
            }],
            sentry_url: Some(
                "https://sentry.example.com/organizations/acme/issues/?project=42".into(),
            ),
        }
    }

    #[test]
    fn a_full_summary() {
        assert_eq!(
            summary(&facts()),
            "## Incident summary: arrwdb\n\
             \n\
             - **Window:** 2026-11-24 16:33:53 – 2026-11-24 16:48:53 UTC (15 min)\n\
             - **Local:** 2026-11-24 17:33:53 – 2026-11-24 17:48:53 (UTC+01:00)\n\
             - **Permalink:** [this window on the dashboard](https://ops.example.com/?from=1795538033&to=1795538933)\n\
             \n### Alerts\n\n\
             - `HighErrorRate` firing, P1 (page immediately); suppressed: silence `s1` by ana until 2026-11-24 17:48:53 UTC: “deploy”; inhibited by alert `f0`.\n\
             - `HighLatency` pending, P3 (ticket only); Alertmanager not asked.\n\
             \n### Errors\n\n\
             - Error share peaked at 12.3 % at 2026-11-24 16:40:53 UTC, against a baseline of 0.5 %.\n\
             \n### Failing handlers\n\n\
             - `POST /v1/libraries/{library_id}/search`: 42 errors of 1000 requests\n\
             \n### Latency\n\n\
             - p95 peak 250 ms, p99 peak 1.5 s.\n\
             \n### SLO budget\n\n\
             - availability: 12 % of the 30 d error budget burned in the window.\n\
             \n### Replicas\n\n\
             - Worst of 2 replicas: `10.0.0.2:8000` with 20 % errors.\n\
             \n### Error traces\n\n\
             - [4766f1209f70](https://jaeger.example.com/trace/4766f1209f70a5e2e55417fc296fd101) `POST /v1/libraries/{library_id}/search` (1.5 s)\n\
             \n### Sentry\n\n\
             - [Sentry issues in the window](https://sentry.example.com/organizations/acme/issues/?project=42)\n"
        );
    }

    #[test]
    fn empty_sections_say_so() {
        let empty = IncidentFacts {
            window_start_secs: START,
            window_end_secs: END,
            ..IncidentFacts::default()
        };
        let text = summary(&empty);
        for expected in [
            "## Incident summary: the service\n",
            "- **Permalink:** none.\n",
            "- No alert was firing or pending in the window.\n",
            "- No error-share data for the window.\n",
            "- No handler failed in the window.\n",
            "- No latency data for the window.\n",
            "- No SLO data for the window.\n",
            "- No per-replica data for the window.\n",
            "- No error trace found in the window.\n",
            "- Sentry is not configured.\n",
        ] {
            assert!(text.contains(expected), "{expected:?} in\n{text}");
        }
        assert!(!text.contains("**Local:**"), "no local line at UTC");
        let mut one = empty.clone();
        one.replicas = vec![ReplicaErrors {
            instance: "a".into(),
            error_ratio: 0.1,
        }];
        one.latency = Some(LatencyPeaks {
            p95_peak_secs: Some(f64::NAN),
            p99_peak_secs: None,
        });
        let text = summary(&one);
        assert!(
            text.contains("- One replica: nothing to compare.\n"),
            "{text}"
        );
        assert!(
            text.contains("- No latency data for the window.\n"),
            "{text}"
        );
    }

    #[test]
    fn offsets_read_as_utc_plus_or_minus() {
        assert_eq!(offset_text(3_600), "UTC+01:00");
        assert_eq!(offset_text(-19_800), "UTC-05:30");
        assert_eq!(offset_text(0), "UTC");
    }

    #[test]
    fn hostile_values_stay_text() {
        let evil = "x](javascript:alert(1)) <script>|`\n# h";
        let mut f = facts();
        f.service = evil.into();
        f.permalink = Some("javascript:alert(1)".into());
        f.alerts[0].name = evil.into();
        if let Some(lookup) = f.alerts[0].alertmanager.as_mut() {
            lookup.silenced_by[0].created_by = evil.into();
            lookup.silenced_by[0].comment = "![img](https://e/x.png)\n\n| a | b |".into();
        }
        f.failing_handlers[0].handler = evil.into();
        f.budgets[0].objective = evil.into();
        f.replicas[1].instance = evil.into();
        f.error_traces[0].operation = evil.into();
        f.error_traces[0].jaeger_url = Some("javascript:alert(1)".into());
        f.sentry_url = Some("data:text/html,<script>alert(1)</script>".into());
        let text = summary(&f);
        // Outside code spans (literal text) and backslash escapes, nothing can start a link,
        // an image, HTML or a table cell: none of the facts' links was safe.
        let markup = unescaped_outside_code(&text);
        for c in ['[', ']', '<', '>', '|', '!', '`'] {
            assert!(!markup.contains(c), "{c:?} in {markup}");
        }
        assert!(!text.contains("data:"), "{text}");
        for l in text.lines() {
            assert!(
                l.is_empty()
                    || l.starts_with("- ")
                    || l.starts_with("## Incident summary")
                    || l.starts_with("### "),
                "{l:?}"
            );
        }
        assert_eq!(text.lines().filter(|l| l.starts_with("### ")).count(), 8);
        assert!(text.contains("## Incident summary: x\\]\\(javascript\\:alert\\(1\\)\\) \\<script\\>\\|\\` \\# h\n"), "{text}");
        assert!(text.contains("- **Permalink:** none.\n"));
        assert!(text.contains("- Sentry is not configured.\n"));
        assert!(
            text.contains("- `4766f1209f70` ``"),
            "unlinked id as code: {text}"
        );
    }

    /// `markdown` without its code spans and backslash-escaped characters.
    fn unescaped_outside_code(markdown: &str) -> String {
        let chars: Vec<char> = markdown.chars().collect();
        let (mut out, mut i) = (String::new(), 0);
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 2,
                '`' => {
                    let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                    let mut j = i + run;
                    loop {
                        let close = chars[j..].iter().take_while(|&&c| c == '`').count();
                        if close == run {
                            break;
                        }
                        assert!(j < chars.len(), "unclosed code span");
                        j += close.max(1);
                    }
                    i = j + run;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }
}
