//! The dashboard's panels as data: what each one asks Prometheus and how it shows the answer.
//! The browser shell only fetches and draws what is described here.

use crate::core::chart::{ChartSeries, Threshold};
use crate::core::metrics::{missing_message, Metric, MetricNames};
use crate::core::prom::{series_label, Series};
use crate::core::promql::{quote, sum_rate, MatchOp, Selector};
use crate::core::units::Unit;

/// Where a panel sits on the page (the guide's "Key Dashboards").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Service,
    Resources,
    Business,
    Errors,
    /// Alerts, rule health and SLOs.
    Health,
    /// Where the data comes from, and whether it answers.
    Sources,
}

impl Group {
    pub const ALL: &'static [Group] = &[
        Group::Service,
        Group::Health,
        Group::Errors,
        Group::Resources,
        Group::Business,
        Group::Sources,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Service => "Service overview",
            Group::Resources => "Resources",
            Group::Business => "Business",
            Group::Errors => "Error analysis",
            Group::Health => "Alerts and SLOs",
            Group::Sources => "Sources",
        }
    }
}

/// How a panel shows its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// Range queries drawn as lines.
    TimeSeries,
    /// One instant query at the end of the range, shown as a ranked table.
    Table,
    /// Text and tables of its own (alerts, SLOs, sources): no chart, its own requests.
    Text,
}

/// A panel: its DOM id (`data-panel`), title and how its values read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    pub kind: PanelKind,
    pub unit: Unit,
    pub y_from_zero: bool,
    /// The labels that name a series in the legend, in order.
    pub legend_labels: &'static [&'static str],
    /// Reference lines: (value, label).
    pub thresholds: &'static [(f64, &'static str)],
}

const GIB: f64 = 1_073_741_824.0;

const fn series_panel(
    id: &'static str,
    title: &'static str,
    group: Group,
    unit: Unit,
    legend_labels: &'static [&'static str],
) -> PanelSpec {
    PanelSpec {
        id,
        title,
        group,
        kind: PanelKind::TimeSeries,
        unit,
        y_from_zero: true,
        legend_labels,
        thresholds: &[],
    }
}

pub const REQUEST_RATE: PanelSpec = series_panel(
    "request-rate",
    "Request rate by handler",
    Group::Service,
    Unit::PerSecond,
    &["method", "handler"],
);
/// The names of the error-rate panel's overall series: over all handlers, or over the one the
/// handler filter chose. Error spikes are detected on it.
pub const OVERALL_ERROR_SERIES: [&str; 2] = ["all handlers", "this handler"];

pub const ERROR_RATE: PanelSpec = PanelSpec {
    thresholds: &[(0.001, "SLO 0.1 %"), (0.05, "alert 5 %")],
    ..series_panel(
        "error-rate",
        "Error rate (5xx share)",
        Group::Service,
        Unit::Ratio,
        &["handler"],
    )
};
pub const LATENCY: PanelSpec = PanelSpec {
    thresholds: &[(0.5, "SLO p95 500 ms"), (2.0, "SLO p99 2 s")],
    ..series_panel(
        "latency",
        "Latency p50 / p95 / p99",
        Group::Service,
        Unit::Seconds,
        &[],
    )
};
pub const IN_FLIGHT: PanelSpec = series_panel(
    "in-flight",
    "Requests in flight",
    Group::Service,
    Unit::Count,
    &["method", "handler"],
);
pub const ERRORS_BY_HANDLER: PanelSpec = PanelSpec {
    kind: PanelKind::Table,
    ..series_panel(
        "errors-by-handler",
        "Errors by handler and status (whole range)",
        Group::Errors,
        Unit::Count,
        &["handler", "status"],
    )
};
pub const CPU: PanelSpec = PanelSpec {
    thresholds: &[(80.0, "P3 80 %")],
    ..series_panel("cpu", "CPU", Group::Resources, Unit::Percent, &[])
};
pub const MEMORY: PanelSpec = PanelSpec {
    thresholds: &[(0.9 * 16.0 * GIB, "alert 90 % of 16 GiB")],
    ..series_panel("memory", "Memory", Group::Resources, Unit::Bytes, &[])
};
pub const DISK: PanelSpec = PanelSpec {
    thresholds: &[(85.0, "P2 85 %")],
    ..series_panel("disk", "Disk usage", Group::Resources, Unit::Percent, &[])
};
pub const NETWORK: PanelSpec = series_panel(
    "network",
    "Network throughput (node-exporter)",
    Group::Resources,
    Unit::BytesPerSecond,
    &["direction"],
);
pub const SEARCHES: PanelSpec = series_panel(
    "searches",
    "Searches per minute by index type",
    Group::Business,
    Unit::PerMinute,
    &["index_type"],
);
pub const DOCUMENTS: PanelSpec = series_panel(
    "documents",
    "Document operations per minute",
    Group::Business,
    Unit::PerMinute,
    &["operation", "status"],
);
pub const LIBRARIES: PanelSpec = series_panel(
    "libraries",
    "Active libraries",
    Group::Business,
    Unit::Count,
    &[],
);
pub const INDEX_SIZE: PanelSpec = series_panel(
    "index-size",
    "Vector index size by library",
    Group::Business,
    Unit::Bytes,
    &["library_id"],
);
pub const CACHE_HIT_RATIO: PanelSpec = series_panel(
    "cache-hit-ratio",
    "Embedding cache hit ratio",
    Group::Business,
    Unit::Ratio,
    &[],
);
pub const API_KEYS: PanelSpec = PanelSpec {
    thresholds: &[(10.0, "auth failure alert 10/s")],
    ..series_panel(
        "api-keys",
        "API key validations by status",
        Group::Business,
        Unit::PerSecond,
        &["status"],
    )
};

/// Every panel, in page order.
pub const PANELS: &[PanelSpec] = &[
    REQUEST_RATE,
    ERROR_RATE,
    LATENCY,
    IN_FLIGHT,
    ERRORS_BY_HANDLER,
    CPU,
    MEMORY,
    DISK,
    NETWORK,
    SEARCHES,
    DOCUMENTS,
    LIBRARIES,
    INDEX_SIZE,
    CACHE_HIT_RATIO,
    API_KEYS,
    ALERTS,
    SLO,
    SOURCES,
];

/// A panel of [`PanelKind::Text`].
const fn text_panel(id: &'static str, title: &'static str, group: Group) -> PanelSpec {
    PanelSpec {
        kind: PanelKind::Text,
        ..series_panel(id, title, group, Unit::Count, &[])
    }
}

/// Every rule with its state, priority and health.
pub const ALERTS: PanelSpec = text_panel("alerts", "Alerts and rule health", Group::Health);
/// The SLOs with their error budgets and burn rates.
pub const SLO: PanelSpec = text_panel("slo", "SLOs and error budgets", Group::Health);
/// Each configured source: does it answer, which version, and what to fix when it does not.
pub const SOURCES: PanelSpec = text_panel("sources", "Sources", Group::Sources);

/// The panel with this DOM id.
pub fn panel(id: &str) -> Option<&'static PanelSpec> {
    PANELS.iter().find(|p| p.id == id)
}

impl PanelSpec {
    /// The reference lines as the chart draws them.
    pub fn threshold_lines(&self) -> Vec<Threshold> {
        self.thresholds
            .iter()
            .map(|&(value, label)| Threshold {
                value,
                label: label.to_owned(),
            })
            .collect()
    }
}

/// What a query is for within its panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// Drawn as lines; `legend` names the series when the query returns a single one.
    Lines { legend: &'static str },
    /// Not drawn: its last value is shown beside the title (e.g. the search p95).
    Headline { label: &'static str, unit: Unit },
}

/// One PromQL query of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    pub role: Role,
    pub promql: String,
}

/// What the queries depend on besides the panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryContext<'a> {
    /// The `job` label of arrwDB's target.
    pub job: &'a str,
    pub rate_window_secs: u64,
    /// The whole range, for the table's `increase()`.
    pub range_secs: u64,
    /// Narrow error rate and latency to one handler.
    pub handler: Option<&'a str>,
}

fn lines(legend: &'static str, promql: String) -> PanelQuery {
    PanelQuery {
        role: Role::Lines { legend },
        promql,
    }
}

/// The queries of a panel, or the sentence saying which metric is missing.
pub fn panel_queries(
    spec: &PanelSpec,
    names: &MetricNames,
    ctx: &QueryContext,
) -> Result<Vec<PanelQuery>, String> {
    let name = |m: Metric| names.get(m).map(str::to_owned).map_err(missing_message);
    let sel = |m: Metric| -> Result<Selector, String> {
        Ok(Selector::new(&name(m)?).with("job", MatchOp::Equal, ctx.job))
    };
    let with_handler = |s: Selector| match ctx.handler {
        Some(h) => s.with("handler", MatchOp::Equal, h),
        None => s,
    };
    let w = ctx.rate_window_secs;
    let queries = match spec.id {
        "request-rate" => vec![lines(
            "",
            sum_rate(&sel(Metric::RequestsTotal)?, w, &["method", "handler"]),
        )],
        "error-rate" => {
            let all = with_handler(sel(Metric::RequestsTotal)?);
            let errors = all.clone().with("status", MatchOp::Regex, "5..");
            let overall = format!("{} / {}", sum_rate(&errors, w, &[]), sum_rate(&all, w, &[]));
            let per_handler = format!(
                "{} / {}",
                sum_rate(&errors, w, &["handler"]),
                sum_rate(&all, w, &["handler"])
            );
            let label = OVERALL_ERROR_SERIES[usize::from(ctx.handler.is_some())];
            if ctx.handler.is_some() {
                vec![lines(label, overall)]
            } else {
                vec![lines(label, overall), lines("", per_handler)]
            }
        }
        "latency" => {
            let buckets = with_handler(sel(Metric::RequestDurationBucket)?);
            let by_le = sum_rate(&buckets, w, &["le"]);
            [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
                .into_iter()
                .map(|(legend, q)| lines(legend, format!("histogram_quantile({q}, {by_le})")))
                .collect()
        }
        "in-flight" => vec![lines(
            "",
            format!(
                "sum by (method, handler) ({})",
                sel(Metric::RequestsInProgress)?
            ),
        )],
        "errors-by-handler" => {
            let errors = sel(Metric::RequestsTotal)?.with("status", MatchOp::Regex, "[45]..");
            vec![lines(
                "",
                format!(
                    "sort_desc(sum by (handler, status) (increase({errors}[{}s])) > 0)",
                    ctx.range_secs.max(1)
                ),
            )]
        }
        "cpu" => vec![lines("cpu", format!("max({})", sel(Metric::CpuPercent)?))],
        "memory" => vec![lines(
            "memory",
            format!("max({})", sel(Metric::MemoryBytes)?),
        )],
        "disk" => vec![lines("disk", format!("max({})", sel(Metric::DiskPercent)?))],
        "network" => {
            // node-exporter is its own job: no job matcher, loopback left out.
            let rx = Selector::new(&name(Metric::NodeNetworkReceiveBytes)?).with(
                "device",
                MatchOp::NotEqual,
                "lo",
            );
            let tx = Selector::new(&name(Metric::NodeNetworkTransmitBytes)?).with(
                "device",
                MatchOp::NotEqual,
                "lo",
            );
            vec![
                lines("receive", sum_rate(&rx, w, &[])),
                lines("transmit", sum_rate(&tx, w, &[])),
            ]
        }
        "searches" => vec![
            lines(
                "",
                format!(
                    "{} * 60",
                    sum_rate(&sel(Metric::SearchDurationCount)?, w, &["index_type"])
                ),
            ),
            PanelQuery {
                role: Role::Headline {
                    label: "search p95",
                    unit: Unit::Seconds,
                },
                promql: format!(
                    "histogram_quantile(0.95, {})",
                    sum_rate(&sel(Metric::SearchDurationBucket)?, w, &["le"])
                ),
            },
        ],
        "documents" => {
            vec![lines(
                "",
                format!(
                    "{} * 60",
                    sum_rate(
                        &sel(Metric::DocumentOperationsTotal)?,
                        w,
                        &["operation", "status"]
                    )
                ),
            )]
        }
        "libraries" => vec![lines(
            "libraries",
            format!("max({})", sel(Metric::ActiveLibraries)?),
        )],
        "index-size" => vec![lines(
            "",
            format!("sum by (library_id) ({})", sel(Metric::IndexSizeBytes)?),
        )],
        "cache-hit-ratio" => {
            let all = sel(Metric::EmbeddingCacheTotal)?;
            let hits = all.clone().with("status", MatchOp::Equal, "hit");
            vec![lines(
                "hit ratio",
                format!("{} / {}", sum_rate(&hits, w, &[]), sum_rate(&all, w, &[])),
            )]
        }
        "api-keys" => vec![lines(
            "",
            sum_rate(&sel(Metric::ApiKeyValidationsTotal)?, w, &["status"]),
        )],
        other => return Err(format!("unknown panel {}", quote(other))),
    };
    Ok(queries)
}

/// A series' legend name from the panel's legend labels (missing ones are skipped; a series
/// with none of them takes the query's legend, or is named by all its labels, or "total").
pub fn series_name(series: &Series, legend_labels: &[&str], query_legend: &str) -> String {
    let name = series_label(&series.labels, legend_labels);
    if !name.is_empty() {
        return name;
    }
    if !query_legend.is_empty() {
        return query_legend.to_owned();
    }
    if series.labels.is_empty() {
        return "total".to_owned();
    }
    series
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns a panel's matrices (one per `Lines` query, in order) into named chart series, sorted
/// by name so colours are stable across refreshes (the single-series legends of the queries
/// keep the order the panel gave them: p50, p95, p99).
pub fn chart_series(
    spec: &PanelSpec,
    answers: Vec<(&'static str, Vec<Series>)>,
) -> Vec<ChartSeries> {
    let mut out = Vec::new();
    for (legend, matrix) in answers {
        let mut named: Vec<ChartSeries> = matrix
            .into_iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| ChartSeries {
                name: series_name(&s, spec.legend_labels, legend),
                points: s.points,
                color: 0,
            })
            .collect();
        crate::core::order::sort_by(&mut named, |a, b| a.name.cmp(&b.name));
        out.extend(named);
    }
    for (i, s) in out.iter_mut().enumerate() {
        s.color = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(handler: Option<&str>) -> QueryContext<'_> {
        QueryContext {
            job: "arrwdb",
            rate_window_secs: 40,
            range_secs: 3_600,
            handler,
        }
    }

    fn queries(id: &str, handler: Option<&str>) -> Vec<String> {
        panel_queries(panel(id).unwrap(), &MetricNames::assumed(), &ctx(handler))
            .unwrap()
            .into_iter()
            .map(|q| q.promql)
            .collect()
    }

    #[test]
    fn every_panel_has_queries_and_a_unique_id() {
        let mut ids: Vec<&str> = PANELS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PANELS.len());
        for p in PANELS.iter().filter(|p| p.kind != PanelKind::Text) {
            assert!(!queries(p.id, None).is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn service_queries_are_exact() {
        let r = "arrwdb_http_http_requests_total";
        assert_eq!(
            queries("request-rate", None),
            [format!(
                r#"sum by (method, handler) (rate({r}{{job="arrwdb"}}[40s]))"#
            )]
        );
        assert_eq!(
            queries("error-rate", None),
            [
                format!(
                    r#"sum(rate({r}{{job="arrwdb",status=~"5.."}}[40s])) / sum(rate({r}{{job="arrwdb"}}[40s]))"#
                ),
                format!(
                    r#"sum by (handler) (rate({r}{{job="arrwdb",status=~"5.."}}[40s])) / sum by (handler) (rate({r}{{job="arrwdb"}}[40s]))"#
                ),
            ]
        );
        assert_eq!(
            queries("latency", Some(r#"/v1/"x""#))[1],
            r#"histogram_quantile(0.95, sum by (le) (rate(arrwdb_http_http_request_duration_seconds_bucket{job="arrwdb",handler="/v1/\"x\""}[40s])))"#
        );
        assert_eq!(
            queries("errors-by-handler", None),
            [format!(
                r#"sort_desc(sum by (handler, status) (increase({r}{{job="arrwdb",status=~"[45].."}}[3600s])) > 0)"#
            )]
        );
    }

    #[test]
    fn a_missing_metric_is_a_sentence_not_a_query() {
        let names = crate::core::metrics::resolve(&["up".to_owned()], &Default::default());
        let err = panel_queries(&NETWORK, &names, &ctx(None)).unwrap_err();
        assert!(err.contains("node_network_receive_bytes_total"), "{err}");
    }

    #[test]
    fn series_are_named_by_their_legend_labels() {
        let series = |pairs: &[(&str, &str)]| Series {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let check = |pairs: &[(&str, &str)], legend: &str, expected: &str| {
            assert_eq!(
                series_name(&series(pairs), REQUEST_RATE.legend_labels, legend),
                expected
            );
        };
        check(
            &[("handler", "/v1/libraries"), ("method", "GET")],
            "",
            "GET /v1/libraries",
        );
        check(&[("handler", "/v1/libraries")], "", "/v1/libraries");
        check(&[], "p95", "p95");
        check(&[], "", "total");
        check(&[("status", "5xx")], "", "status=5xx");
    }
}
