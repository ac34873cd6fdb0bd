//! The dashboard's panels as data: what each one asks Prometheus and how it shows the answer.
//! The browser shell only fetches and draws what is described here.

use crate::core::chart::{ChartSeries, Threshold};
use crate::core::metrics::{missing_message, Metric, MetricNames};
use crate::core::prom::{series_label, Series};
use crate::core::promql::{sum_rate, MatchOp, Selector};
use crate::core::state::ViewState;
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
pub enum Show {
    /// Range queries drawn as lines on a canvas.
    Chart,
    /// One instant query at the end of the range, shown as a ranked table of at most
    /// `max_rows` rows (a last row says how many more there are).
    Table { max_rows: usize },
    /// Text and tables of its own, with requests of its own.
    Text(TextPanel),
}

/// The panels whose content is markup of their own (see `core::html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPanel {
    /// Every rule with its state, priority and health.
    Alerts,
    /// The SLOs with their error budgets and burn rates.
    Slo,
    /// Each configured source: does it answer, and what to fix when it does not.
    Sources,
}

/// The clusters and replicas every panel is narrowed to (none chosen: all), by the labels
/// the configuration names.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub cluster_label: &'a str,
    pub clusters: &'a [String],
    pub instance_label: &'a str,
    pub instances: &'a [String],
}

impl Scope<'static> {
    /// Every cluster and replica, under the default label names.
    pub const ALL: Scope<'static> = Scope {
        cluster_label: "cluster",
        clusters: &[],
        instance_label: "instance",
        instances: &[],
    };
}

impl Scope<'_> {
    /// The labels that tell one replica from another: `cluster, instance` (addresses may
    /// repeat across clusters).
    pub fn replica_by(&self) -> String {
        format!("{}, {}", self.cluster_label, self.instance_label)
    }
}

/// What a panel's queries depend on: the resolved metric names and the view.
#[derive(Debug, Clone, Copy)]
pub struct QueryContext<'a> {
    pub names: &'a MetricNames,
    /// The `job` label of arrwDB's target.
    pub job: &'a str,
    pub rate_window_secs: u64,
    /// The whole range, for the table's `increase()`.
    pub range_secs: u64,
    /// Narrow the request panels to one handler.
    pub handler: Option<&'a str>,
    pub scope: Scope<'a>,
}

/// The queries of a panel, or the sentence saying which metric is missing.
pub type Queries = fn(&QueryContext) -> Result<Vec<PanelQuery>, String>;

/// A panel as data: its DOM id (`data-panel`), title, how its values read, what it offers
/// (its capabilities) and what it asks. The shell chooses every feature from these fields; a
/// new panel is one constant here and one line in [`PANELS`].
#[derive(Debug, Clone, Copy)]
pub struct PanelSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    pub show: Show,
    pub unit: Unit,
    pub y_from_zero: bool,
    /// The labels that name a series in the legend, in order.
    pub legend_labels: &'static [&'static str],
    /// Reference lines: (value, label).
    pub thresholds: &'static [(f64, &'static str)],
    /// A "stacked" toggle draws the series as stacked areas.
    pub stackable: bool,
    /// Error spikes of the overall series ([`OVERALL_ERROR_SERIES`]) are marked and open their
    /// traces.
    pub spike_markers: bool,
    /// Jaeger's error and slow traces and Prometheus's exemplars are drawn as dots.
    pub trace_scatter: bool,
    /// The metrics the panel shows: a rule whose expression reads one of them has its alert
    /// bands drawn here.
    pub reads: &'static [Metric],
    /// The guide's rules shown here by name, whatever their expression reads.
    pub alerts: &'static [&'static str],
    pub queries: Queries,
    /// The same panel one line per replica, shown instead when the view asks for it (the
    /// overview panels' "by replica" toggle, `replicas=1`).
    pub by_replica: Option<&'static PanelSpec>,
}

/// Panels are the same when their ids are (the id is unique, see the tests).
impl PartialEq for PanelSpec {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl PanelSpec {
    /// The queries of this panel in `ctx`.
    pub fn queries(&self, ctx: &QueryContext) -> Result<Vec<PanelQuery>, String> {
        (self.queries)(ctx)
    }

    pub fn is_chart(&self) -> bool {
        self.show == Show::Chart
    }

    /// This panel as `view` shows it: its by-replica form when the view asks for one and it
    /// has one.
    pub fn in_view(&'static self, view: &ViewState) -> &'static PanelSpec {
        match self.by_replica {
            Some(split) if view.by_replica => split,
            _ => self,
        }
    }
}

/// The guide's rules drawn on every chart: nothing is measured while the service is down.
pub const EVERY_PANEL_ALERTS: &[&str] = &["ServiceDown"];

const GIB: f64 = 1_073_741_824.0;

/// A chart with no capability beyond lines and a legend.
const fn chart(
    id: &'static str,
    title: &'static str,
    group: Group,
    unit: Unit,
    legend_labels: &'static [&'static str],
    reads: &'static [Metric],
    queries: Queries,
) -> PanelSpec {
    PanelSpec {
        id,
        title,
        group,
        show: Show::Chart,
        unit,
        y_from_zero: true,
        legend_labels,
        thresholds: &[],
        stackable: false,
        spike_markers: false,
        trace_scatter: false,
        reads,
        alerts: &[],
        queries,
        by_replica: None,
    }
}

/// The selector of arrwDB metric `m` in `ctx`: its `job`, narrowed to the chosen clusters
/// and replicas.
fn selector(ctx: &QueryContext, m: Metric) -> Result<Selector, String> {
    Ok(scoped(ctx, ctx.names.get(m).map_err(missing_message)?))
}

/// `metric` of arrwDB's `job`, narrowed to the chosen clusters and replicas.
fn scoped(ctx: &QueryContext, metric: &str) -> Selector {
    let scope = &ctx.scope;
    Selector::new(metric)
        .with("job", MatchOp::Equal, ctx.job)
        .with_any(scope.cluster_label, scope.clusters)
        .with_any(scope.instance_label, scope.instances)
}

/// The same selector narrowed to the chosen handler, if any.
fn with_handler(ctx: &QueryContext, s: Selector) -> Selector {
    match ctx.handler {
        Some(h) => s.with("handler", MatchOp::Equal, h),
        None => s,
    }
}

/// `max` of a gauge arrwDB exports once per process, drawn as one line named `legend`.
fn max_gauge(ctx: &QueryContext, m: Metric, legend: &'static str) -> Result<Vec<PanelQuery>, String> {
    Ok(vec![lines(legend, format!("max({})", selector(ctx, m)?))])
}

/// A gauge arrwDB exports once per process, one line per replica (the sick one stands out).
fn per_replica(ctx: &QueryContext, m: Metric, how: &str) -> Result<Vec<PanelQuery>, String> {
    Ok(vec![lines("", format!("{how} by ({}) ({})", ctx.scope.replica_by(), selector(ctx, m)?))])
}

/// How a per-replica line is named: its cluster and address (the default label names; a
/// configured other label names itself, `pod=…`).
const REPLICA_LEGEND: &[&str] = &["cluster", "instance"];

/// `sum by (<cluster>, <instance>) (rate(<s>[<w>s]))`: one rate per replica.
/// The 5xx requests, all requests (of the chosen handler, if any) and the error rate's overall
/// line: their share.
fn error_share(ctx: &QueryContext) -> Result<(Selector, Selector, PanelQuery), String> {
    let w = ctx.rate_window_secs;
    let all = with_handler(ctx, selector(ctx, Metric::RequestsTotal)?);
    let errors = all.clone().with("status", MatchOp::Regex, "5..");
    let overall = format!("{} / {}", sum_rate(&errors, w, &[]), sum_rate(&all, w, &[]));
    let label = OVERALL_ERROR_SERIES[usize::from(ctx.handler.is_some())];
    Ok((errors, all, lines(label, overall)))
}

fn replica_rate(ctx: &QueryContext, s: &Selector) -> String {
    format!("sum by ({}) (rate({s}[{}s]))", ctx.scope.replica_by(), ctx.rate_window_secs)
}

pub const REQUEST_RATE: PanelSpec = PanelSpec {
    stackable: true,
    by_replica: Some(&REQUEST_RATE_BY_REPLICA),
    ..chart(
        "request-rate",
        "Request rate by handler",
        Group::Service,
        Unit::PerSecond,
        &["method", "handler"],
        &[Metric::RequestsTotal],
        |ctx| {
            let s = selector(ctx, Metric::RequestsTotal)?;
            Ok(vec![lines("", sum_rate(&s, ctx.rate_window_secs, &["method", "handler"]))])
        },
    )
};
/// The names of the error-rate panel's overall series: over all handlers, or over the one the
/// handler filter chose. Error spikes are detected on it.
pub const OVERALL_ERROR_SERIES: [&str; 2] = ["all handlers", "this handler"];

pub const REQUEST_RATE_BY_REPLICA: PanelSpec = PanelSpec {
    stackable: true,
    ..chart(
        "request-rate",
        "Request rate by replica",
        Group::Service,
        Unit::PerSecond,
        REPLICA_LEGEND,
        &[Metric::RequestsTotal],
        |ctx| Ok(vec![lines("", replica_rate(ctx, &selector(ctx, Metric::RequestsTotal)?))]),
    )
};

pub const ERROR_RATE: PanelSpec = PanelSpec {
    by_replica: Some(&ERROR_RATE_BY_REPLICA),
    thresholds: &[(0.001, "SLO 0.1 %"), (0.05, "alert 5 %")],
    spike_markers: true,
    alerts: &["HighErrorRate"],
    ..chart(
        "error-rate",
        "Error rate (5xx share)",
        Group::Service,
        Unit::Ratio,
        &["handler"],
        &[Metric::RequestsTotal],
        |ctx| {
            let (errors, all, overall) = error_share(ctx)?;
            if ctx.handler.is_some() {
                return Ok(vec![overall]);
            }
            let w = ctx.rate_window_secs;
            let per_handler = format!(
                "{} / {}",
                sum_rate(&errors, w, &["handler"]),
                sum_rate(&all, w, &["handler"])
            );
            Ok(vec![overall, lines("", per_handler)])
        },
    )
};
/// The error rate's overall line (the spikes are found on it) and one line per replica.
pub const ERROR_RATE_BY_REPLICA: PanelSpec = PanelSpec {
    thresholds: &[(0.001, "SLO 0.1 %"), (0.05, "alert 5 %")],
    spike_markers: true,
    alerts: &["HighErrorRate"],
    ..chart(
        "error-rate",
        "Error rate (5xx share) by replica",
        Group::Service,
        Unit::Ratio,
        REPLICA_LEGEND,
        &[Metric::RequestsTotal],
        |ctx| {
            let (errors, all, overall) = error_share(ctx)?;
            let per_replica = format!("{} / {}", replica_rate(ctx, &errors), replica_rate(ctx, &all));
            Ok(vec![overall, lines("", per_replica)])
        },
    )
};

pub const LATENCY: PanelSpec = PanelSpec {
    by_replica: Some(&LATENCY_BY_REPLICA),
    thresholds: &[(0.5, "SLO p95 500 ms"), (2.0, "SLO p99 2 s")],
    trace_scatter: true,
    alerts: &["HighLatency"],
    ..chart(
        "latency",
        "Latency p50 / p95 / p99",
        Group::Service,
        Unit::Seconds,
        &[],
        &[Metric::RequestDurationBucket],
        |ctx| {
            let buckets = with_handler(ctx, selector(ctx, Metric::RequestDurationBucket)?);
            let by_le = sum_rate(&buckets, ctx.rate_window_secs, &["le"]);
            Ok([("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
                .into_iter()
                .map(|(legend, q)| lines(legend, format!("histogram_quantile({q}, {by_le})")))
                .collect())
        },
    )
};
/// The latency's p95 per replica (three quantiles of every replica would be unreadable),
/// each line named `p95 <cluster> <instance>`.
pub const LATENCY_BY_REPLICA: PanelSpec = PanelSpec {
    thresholds: &[(0.5, "SLO p95 500 ms")],
    trace_scatter: true,
    alerts: &["HighLatency"],
    ..chart(
        "latency",
        "Latency p95 by replica",
        Group::Service,
        Unit::Seconds,
        &["quantile", "cluster", "instance"],
        &[Metric::RequestDurationBucket],
        |ctx| {
            let buckets = with_handler(ctx, selector(ctx, Metric::RequestDurationBucket)?);
            let by = format!("le, {}", ctx.scope.replica_by());
            let rate = format!("rate({buckets}[{}s])", ctx.rate_window_secs);
            let p95 = format!("histogram_quantile(0.95, sum by ({by}) ({rate}))");
            Ok(vec![lines("", format!(r#"label_replace({p95}, "quantile", "p95", "", "")"#))])
        },
    )
};

pub const IN_FLIGHT: PanelSpec = chart(
    "in-flight",
    "Requests in flight by replica",
    Group::Service,
    Unit::Count,
    REPLICA_LEGEND,
    &[Metric::RequestsInProgress],
    |ctx| {
        let mut queries = per_replica(ctx, Metric::RequestsInProgress, "sum")?;
        queries.push(PanelQuery { role: Role::Down, promql: down_replicas(ctx) });
        Ok(queries)
    },
);

/// The replicas (of the chosen clusters and replicas) that are not up at the end of the range:
/// scraped and failing (`up == 0`), or scraped earlier in the range and no longer (a replica
/// gone, its target removed). Prometheus's own `up`, not an arrwDB metric.
pub fn down_replicas(ctx: &QueryContext) -> String {
    let up = scoped(ctx, "up");
    format!("({up} == 0) or (last_over_time({up}[{}s]) unless {up})", ctx.range_secs.max(1))
}

/// Rows shown by the errors-by-handler table; the rest are counted in its last row.
pub const ERRORS_TABLE_ROWS: usize = 20;

pub const ERRORS_BY_HANDLER: PanelSpec = PanelSpec {
    show: Show::Table {
        max_rows: ERRORS_TABLE_ROWS,
    },
    ..chart(
        "errors-by-handler",
        "Errors by handler, status and replica (whole range)",
        Group::Errors,
        Unit::Count,
        &["handler", "status", "cluster", "instance"],
        &[Metric::RequestsTotal],
        |ctx| {
            let errors = selector(ctx, Metric::RequestsTotal)?.with("status", MatchOp::Regex, "[45]..");
            Ok(vec![lines(
                "",
                format!(
                    "sort_desc(sum by (handler, status, {}) (increase({errors}[{}s])) > 0)",
                    ctx.scope.replica_by(),
                    ctx.range_secs.max(1)
                ),
            )])
        },
    )
};
pub const CPU: PanelSpec = PanelSpec {
    thresholds: &[(80.0, "P3 80 %")],
    ..chart("cpu", "CPU by replica", Group::Resources, Unit::Percent, REPLICA_LEGEND, &[Metric::CpuPercent], |ctx| {
        per_replica(ctx, Metric::CpuPercent, "max")
    })
};
pub const MEMORY: PanelSpec = PanelSpec {
    thresholds: &[(0.9 * 16.0 * GIB, "alert 90 % of 16 GiB")],
    alerts: &["HighMemoryUsage"],
    ..chart("memory", "Memory by replica", Group::Resources, Unit::Bytes, REPLICA_LEGEND, &[Metric::MemoryBytes], |ctx| {
        per_replica(ctx, Metric::MemoryBytes, "max")
    })
};
pub const DISK: PanelSpec = PanelSpec {
    thresholds: &[(85.0, "P2 85 %")],
    ..chart("disk", "Disk usage by replica", Group::Resources, Unit::Percent, REPLICA_LEGEND, &[Metric::DiskPercent], |ctx| {
        per_replica(ctx, Metric::DiskPercent, "max")
    })
};
pub const NETWORK: PanelSpec = chart(
    "network",
    "Network throughput (node-exporter)",
    Group::Resources,
    Unit::BytesPerSecond,
    &["direction"],
    &[Metric::NodeNetworkReceiveBytes, Metric::NodeNetworkTransmitBytes],
    |ctx| {
        // node-exporter is its own job: no job or replica matcher, loopback left out; the
        // chosen clusters apply (their hosts).
        let device = |m: Metric| -> Result<Selector, String> {
            let name = ctx.names.get(m).map_err(missing_message)?;
            Ok(Selector::new(name)
                .with("device", MatchOp::NotEqual, "lo")
                .with_any(ctx.scope.cluster_label, ctx.scope.clusters))
        };
        let w = ctx.rate_window_secs;
        Ok(vec![
            lines("receive", sum_rate(&device(Metric::NodeNetworkReceiveBytes)?, w, &[])),
            lines("transmit", sum_rate(&device(Metric::NodeNetworkTransmitBytes)?, w, &[])),
        ])
    },
);
pub const SEARCHES: PanelSpec = chart(
    "searches",
    "Searches per minute by index type",
    Group::Business,
    Unit::PerMinute,
    &["index_type"],
    &[Metric::SearchDurationCount, Metric::SearchDurationBucket],
    |ctx| {
        let w = ctx.rate_window_secs;
        let count = selector(ctx, Metric::SearchDurationCount)?;
        let buckets = selector(ctx, Metric::SearchDurationBucket)?;
        Ok(vec![
            lines("", format!("{} * 60", sum_rate(&count, w, &["index_type"]))),
            PanelQuery {
                role: Role::Headline {
                    label: "search p95",
                    unit: Unit::Seconds,
                },
                promql: format!("histogram_quantile(0.95, {})", sum_rate(&buckets, w, &["le"])),
            },
        ])
    },
);
pub const DOCUMENTS: PanelSpec = chart(
    "documents",
    "Document operations per minute",
    Group::Business,
    Unit::PerMinute,
    &["operation", "status"],
    &[Metric::DocumentOperationsTotal],
    |ctx| {
        let s = selector(ctx, Metric::DocumentOperationsTotal)?;
        let rate = sum_rate(&s, ctx.rate_window_secs, &["operation", "status"]);
        Ok(vec![lines("", format!("{rate} * 60"))])
    },
);
pub const LIBRARIES: PanelSpec = chart(
    "libraries",
    "Active libraries",
    Group::Business,
    Unit::Count,
    &[],
    &[Metric::ActiveLibraries],
    |ctx| max_gauge(ctx, Metric::ActiveLibraries, "libraries"),
);
pub const INDEX_SIZE: PanelSpec = chart(
    "index-size",
    "Vector index size by library",
    Group::Business,
    Unit::Bytes,
    &["library_id"],
    &[Metric::IndexSizeBytes],
    |ctx| {
        let s = selector(ctx, Metric::IndexSizeBytes)?;
        Ok(vec![lines("", format!("sum by (library_id) ({s})"))])
    },
);
pub const CACHE_HIT_RATIO: PanelSpec = chart(
    "cache-hit-ratio",
    "Embedding cache hit ratio",
    Group::Business,
    Unit::Ratio,
    &[],
    &[Metric::EmbeddingCacheTotal],
    |ctx| {
        let w = ctx.rate_window_secs;
        let all = selector(ctx, Metric::EmbeddingCacheTotal)?;
        let hits = all.clone().with("status", MatchOp::Equal, "hit");
        Ok(vec![lines(
            "hit ratio",
            format!("{} / {}", sum_rate(&hits, w, &[]), sum_rate(&all, w, &[])),
        )])
    },
);
pub const API_KEYS: PanelSpec = PanelSpec {
    thresholds: &[(10.0, "auth failure alert 10/s")],
    alerts: &["HighAuthFailureRate"],
    ..chart(
        "api-keys",
        "API key validations by status",
        Group::Business,
        Unit::PerSecond,
        &["status"],
        &[Metric::ApiKeyValidationsTotal],
        |ctx| {
            let s = selector(ctx, Metric::ApiKeyValidationsTotal)?;
            Ok(vec![lines("", sum_rate(&s, ctx.rate_window_secs, &["status"]))])
        },
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

/// A panel of [`Show::Text`]: it asks what it needs itself.
const fn text_panel(id: &'static str, title: &'static str, group: Group, text: TextPanel) -> PanelSpec {
    PanelSpec {
        show: Show::Text(text),
        ..chart(id, title, group, Unit::Count, &[], &[], |_| Ok(Vec::new()))
    }
}

pub const ALERTS: PanelSpec = text_panel("alerts", "Alerts and rule health", Group::Health, TextPanel::Alerts);
pub const SLO: PanelSpec = text_panel("slo", "SLOs and error budgets", Group::Health, TextPanel::Slo);
pub const SOURCES: PanelSpec = text_panel("sources", "Sources", Group::Sources, TextPanel::Sources);

/// The panel with this DOM id.
pub fn panel(id: &str) -> Option<&'static PanelSpec> {
    PANELS.iter().find(|p| p.id == id)
}

impl Group {
    /// The panels of this group, in page order.
    pub fn panels(self) -> impl Iterator<Item = &'static PanelSpec> {
        PANELS.iter().filter(move |p| p.group == self)
    }
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
    /// Not drawn: each sample is a replica that is not up at the end of the range, named in a
    /// note under the chart (see [`down_replicas`]).
    Down,
}

/// One PromQL query of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    pub role: Role,
    pub promql: String,
}

fn lines(legend: &'static str, promql: String) -> PanelQuery {
    PanelQuery {
        role: Role::Lines { legend },
        promql,
    }
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

    fn ctx<'a>(names: &'a MetricNames, handler: Option<&'a str>) -> QueryContext<'a> {
        QueryContext {
            names,
            job: "arrwdb",
            rate_window_secs: 40,
            range_secs: 3_600,
            handler,
            scope: Scope::ALL,
        }
    }

    fn queries(id: &str, handler: Option<&str>) -> Vec<String> {
        let names = MetricNames::assumed();
        panel(id)
            .unwrap()
            .queries(&ctx(&names, handler))
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
        for p in PANELS {
            let asks = !queries(p.id, None).is_empty();
            assert_eq!(asks, !matches!(p.show, Show::Text(_)), "{}", p.id);
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
                r#"sort_desc(sum by (handler, status, cluster, instance) (increase({r}{{job="arrwdb",status=~"[45].."}}[3600s])) > 0)"#
            )]
        );
    }

    #[test]
    fn the_chosen_clusters_and_replicas_narrow_every_query() {
        let names = MetricNames::assumed();
        let (clusters, instances) = (["eu-west".to_owned()], ["10.0.0.1:8000".to_owned(), "10.0.0.2:8000".to_owned()]);
        let scoped = QueryContext {
            scope: Scope { cluster_label: "k8s_cluster", clusters: &clusters, instance_label: "pod", instances: &instances },
            ..ctx(&names, None)
        };
        for p in PANELS.iter().filter(|p| !matches!(p.show, Show::Text(_))) {
            for q in p.queries(&scoped).unwrap() {
                assert!(q.promql.contains(r#"k8s_cluster="eu-west""#), "{}: {}", p.id, q.promql);
                let replicas = q.promql.contains(r#"pod=~"10\\.0\\.0\\.1:8000|10\\.0\\.0\\.2:8000""#);
                // The network panel reads node-exporter, whose instances are hosts, not replicas.
                assert_eq!(replicas, p.id != "network", "{}: {}", p.id, q.promql);
            }
        }
        assert_eq!(
            CPU.queries(&scoped).unwrap()[0].promql,
            r#"max by (k8s_cluster, pod) (arrwdb_cpu_usage_percent{job="arrwdb",k8s_cluster="eu-west",pod=~"10\\.0\\.0\\.1:8000|10\\.0\\.0\\.2:8000"})"#
        );
        assert_eq!(
            queries("in-flight", None),
            [
                r#"sum by (cluster, instance) (arrwdb_requests_inprogress{job="arrwdb"})"#,
                r#"(up{job="arrwdb"} == 0) or (last_over_time(up{job="arrwdb"}[3600s]) unless up{job="arrwdb"})"#
            ]
        );
    }

    #[test]
    fn a_missing_metric_is_a_sentence_not_a_query() {
        let names = crate::core::metrics::resolve(&["up".to_owned()], &Default::default());
        let err = NETWORK.queries(&ctx(&names, None)).unwrap_err();
        assert!(err.contains("node_network_receive_bytes_total"), "{err}");
    }

    #[test]
    fn every_chart_reads_the_metrics_it_asks_for() {
        let names = MetricNames::assumed();
        for p in PANELS.iter().filter(|p| p.show != Show::Text(TextPanel::Alerts)) {
            // The down replicas are read from Prometheus's own `up`.
            for q in p.queries(&ctx(&names, None)).unwrap().into_iter().filter(|q| q.role != Role::Down) {
                let read = p.reads.iter().any(|m| q.promql.contains(names.get(*m).unwrap()));
                assert!(read, "{}: {} reads none of {:?}", p.id, q.promql, p.reads);
            }
        }
    }

    #[test]
    fn capabilities_sit_on_the_panels_the_guide_gives_them() {
        let with = |f: fn(&PanelSpec) -> bool| -> Vec<&str> {
            PANELS.iter().filter(|p| f(p)).map(|p| p.id).collect()
        };
        assert_eq!(with(|p| p.stackable), ["request-rate"]);
        assert_eq!(with(|p| p.spike_markers), ["error-rate"]);
        assert_eq!(with(|p| p.trace_scatter), ["latency"]);
        assert_eq!(with(|p| !p.is_chart()), ["errors-by-handler", "alerts", "slo", "sources"]);
        assert_eq!(Group::Health.panels().map(|p| p.id).collect::<Vec<_>>(), ["alerts", "slo"]);
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
