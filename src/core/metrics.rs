//! Metric names are discovered, not assumed. A real arrwDB exports
//! `arrwdb_http_http_requests_total` where the guide writes `arrwdb_http_requests_total`
//! (prometheus-fastapi-instrumentator prepends the subsystem to its own `http_` names; see
//! shared/fixtures/arrwdb/README.md). At start the app asks Prometheus which names exist and
//! resolves each metric it needs here: the config's override first, then the known spellings.

use crate::core::str_map::StrMap;

/// A metric the dashboard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    RequestsTotal,
    RequestDurationBucket,
    RequestsInProgress,
    CpuPercent,
    MemoryBytes,
    DiskPercent,
    SearchDurationCount,
    SearchDurationBucket,
    DocumentOperationsTotal,
    ActiveLibraries,
    IndexSizeBytes,
    EmbeddingCacheTotal,
    ApiKeyValidationsTotal,
    NodeNetworkReceiveBytes,
    NodeNetworkTransmitBytes,
}

impl Metric {
    pub const ALL: &'static [Metric] = &[
        Metric::RequestsTotal,
        Metric::RequestDurationBucket,
        Metric::RequestsInProgress,
        Metric::CpuPercent,
        Metric::MemoryBytes,
        Metric::DiskPercent,
        Metric::SearchDurationCount,
        Metric::SearchDurationBucket,
        Metric::DocumentOperationsTotal,
        Metric::ActiveLibraries,
        Metric::IndexSizeBytes,
        Metric::EmbeddingCacheTotal,
        Metric::ApiKeyValidationsTotal,
        Metric::NodeNetworkReceiveBytes,
        Metric::NodeNetworkTransmitBytes,
    ];

    /// The key of this metric in config.json's `metrics` overrides.
    pub fn key(self) -> &'static str {
        match self {
            Metric::RequestsTotal => "requests_total",
            Metric::RequestDurationBucket => "request_duration_bucket",
            Metric::RequestsInProgress => "requests_in_progress",
            Metric::CpuPercent => "cpu_percent",
            Metric::MemoryBytes => "memory_bytes",
            Metric::DiskPercent => "disk_percent",
            Metric::SearchDurationCount => "search_duration_count",
            Metric::SearchDurationBucket => "search_duration_bucket",
            Metric::DocumentOperationsTotal => "document_operations_total",
            Metric::ActiveLibraries => "active_libraries",
            Metric::IndexSizeBytes => "index_size_bytes",
            Metric::EmbeddingCacheTotal => "embedding_cache_total",
            Metric::ApiKeyValidationsTotal => "api_key_validations_total",
            Metric::NodeNetworkReceiveBytes => "node_network_receive_bytes",
            Metric::NodeNetworkTransmitBytes => "node_network_transmit_bytes",
        }
    }

    /// The spellings to look for, the real exporter's first, then the guide's.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Metric::RequestsTotal => &[
                "arrwdb_http_http_requests_total",
                "arrwdb_http_requests_total",
            ],
            Metric::RequestDurationBucket => &[
                "arrwdb_http_http_request_duration_seconds_bucket",
                "arrwdb_http_request_duration_seconds_bucket",
            ],
            Metric::RequestsInProgress => &[
                "arrwdb_requests_inprogress",
                "arrwdb_http_requests_inprogress",
            ],
            Metric::CpuPercent => &["arrwdb_cpu_usage_percent"],
            Metric::MemoryBytes => &["arrwdb_memory_usage_bytes"],
            Metric::DiskPercent => &["arrwdb_disk_usage_percent"],
            Metric::SearchDurationCount => &["arrwdb_search_duration_seconds_count"],
            Metric::SearchDurationBucket => &["arrwdb_search_duration_seconds_bucket"],
            Metric::DocumentOperationsTotal => &["arrwdb_document_operations_total"],
            Metric::ActiveLibraries => {
                &["arrwdb_active_libraries_total", "arrwdb_active_libraries"]
            }
            Metric::IndexSizeBytes => &["arrwdb_vector_index_size_bytes"],
            Metric::EmbeddingCacheTotal => &["arrwdb_embedding_cache_hits_total"],
            Metric::ApiKeyValidationsTotal => &["arrwdb_api_key_validations_total"],
            Metric::NodeNetworkReceiveBytes => &["node_network_receive_bytes_total"],
            Metric::NodeNetworkTransmitBytes => &["node_network_transmit_bytes_total"],
        }
    }
}

/// What was found for one metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(String),
    /// None of the names exists; `similar` lists existing names that look related, so the
    /// panel can say "looked for X, found Y instead".
    Missing {
        looked_for: Vec<String>,
        similar: Vec<String>,
    },
}

/// The metric names the dashboard will use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetricNames {
    /// In `Metric::ALL` order (a short list: a map would cost more wasm than it saves).
    resolved: Vec<(Metric, Resolution)>,
}

impl MetricNames {
    /// The name to query, or why there is none.
    pub fn get(&self, metric: Metric) -> Result<&str, &Resolution> {
        match self
            .resolved
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, r)| r)
        {
            Some(Resolution::Found(name)) => Ok(name),
            Some(missing) => Err(missing),
            None => Err(&UNRESOLVED),
        }
    }

    /// Every metric as the first candidate, without asking Prometheus (for tests and when the
    /// name list cannot be fetched: the panels then query and say what they get).
    pub fn assumed() -> Self {
        Self::expected(&StrMap::default())
    }

    /// The names to ask before Prometheus has said which exist: config.json's override of a
    /// metric, else its first spelling (the real arrwDB's). The panels ask these at once and
    /// again only if [`resolve`] finds others.
    pub fn expected(overrides: &StrMap) -> Self {
        let resolved = Metric::ALL
            .iter()
            .map(|&m| {
                let name = overrides.get(m.key()).map_or(m.candidates()[0], String::as_str);
                (m, Resolution::Found(name.to_owned()))
            })
            .collect();
        Self { resolved }
    }
}

static UNRESOLVED: Resolution = Resolution::Missing {
    looked_for: Vec::new(),
    similar: Vec::new(),
};

/// The last words of a name (`_requests_total`), used to find look-alikes.
fn stem(name: &str) -> &str {
    let last_underscore = |s: &str| s.bytes().rposition(|b| b == b'_');
    let second_to_last = last_underscore(name).and_then(|last| last_underscore(&name[..last]));
    second_to_last.map_or(name, |i| &name[i..])
}

/// The existing names most like one of `looked_for`, at most five, sorted: what to suggest when
/// a name does not exist. A look-alike ends like it (the same last two words, `_requests_total`);
/// among those, only the ones sharing the longest start with it are kept, so that
/// `arrwdb_http_http_requests_total` is offered for `arrwdb_http_requests_total`, and
/// `node_disk_flush_requests_total` is not.
pub fn similar_names(looked_for: &[String], existing: &[String]) -> Vec<String> {
    let shared_start = |e: &str| {
        looked_for
            .iter()
            .filter(|n| e.ends_with(stem(n)))
            .map(|n| n.bytes().zip(e.bytes()).take_while(|(a, b)| a == b).count())
            .max()
    };
    let best = existing.iter().filter_map(|e| shared_start(e)).max();
    let mut similar: Vec<String> = existing
        .iter()
        .filter(|e| best.is_some() && shared_start(e) == best)
        .take(5)
        .cloned()
        .collect();
    crate::core::order::sort(&mut similar);
    similar
}

/// Resolves every metric against the names Prometheus has (`/api/v1/label/__name__/values`).
/// An override in config.json wins, but only if it exists; otherwise it is reported missing.
pub fn resolve(existing: &[String], overrides: &StrMap) -> MetricNames {
    // A linear scan: a few dozen candidates against a few thousand names is instant, and a set
    // would add its own code to the wasm.
    let has = |name: &str| existing.iter().any(|e| e == name);
    let mut resolved = Vec::with_capacity(Metric::ALL.len());
    for &metric in Metric::ALL {
        let looked_for: Vec<String> = match overrides.get(metric.key()) {
            Some(name) => vec![name.clone()],
            None => metric
                .candidates()
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        };
        let resolution = match looked_for.iter().find(|n| has(n)) {
            Some(name) => Resolution::Found(name.clone()),
            None => Resolution::Missing {
                similar: similar_names(&looked_for, existing),
                looked_for,
            },
        };
        resolved.push((metric, resolution));
    }
    MetricNames { resolved }
}

/// The sentence a panel shows when its metric is missing.
pub fn missing_message(resolution: &Resolution) -> String {
    match resolution {
        Resolution::Found(name) => format!("{name} exists"),
        Resolution::Missing {
            looked_for,
            similar,
        } => {
            let looked = quoted_names(looked_for, " or ");
            if similar.is_empty() {
                format!("Prometheus has no metric {looked}; nothing similar is scraped.")
            } else {
                let found = quoted_names(similar, ", ");
                format!("Prometheus has no metric {looked}; it has {found} instead (set it in config.json `metrics`).")
            }
        }
    }
}

/// `names` in backticks, joined by `separator`: `` `a` or `b` ``.
fn quoted_names(names: &[String], separator: &str) -> String {
    let mut out = String::new();
    for name in names {
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_real_spelling_is_found_and_the_guides_too() {
        let real = resolve(
            &names(&["arrwdb_http_http_requests_total", "up"]),
            &StrMap::new(),
        );
        assert_eq!(
            real.get(Metric::RequestsTotal),
            Ok("arrwdb_http_http_requests_total")
        );
        let guide = resolve(&names(&["arrwdb_http_requests_total"]), &StrMap::new());
        assert_eq!(
            guide.get(Metric::RequestsTotal),
            Ok("arrwdb_http_requests_total")
        );
    }

    #[test]
    fn before_prometheus_answers_the_override_or_the_real_spelling_is_expected() {
        let overrides: StrMap = [("requests_total".to_owned(), "my_requests_total".to_owned())].into_iter().collect();
        let expected = MetricNames::expected(&overrides);
        assert_eq!(expected.get(Metric::RequestsTotal), Ok("my_requests_total"));
        assert_eq!(expected.get(Metric::CpuPercent), Ok(Metric::CpuPercent.candidates()[0]));
        // Where the real arrwDB's names exist, the resolved names are the expected ones: the
        // panels asked the right queries before Prometheus said so, and are not asked again.
        let real: Vec<String> = Metric::ALL.iter().map(|m| m.candidates()[0].to_owned()).collect();
        assert_eq!(resolve(&real, &StrMap::new()), MetricNames::assumed());
    }

    #[test]
    fn an_override_wins_only_if_it_exists() {
        let existing = names(&["arrwdb_http_http_requests_total", "my_requests_total"]);
        let overrides: StrMap = [("requests_total".to_owned(), "my_requests_total".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(
            resolve(&existing, &overrides).get(Metric::RequestsTotal),
            Ok("my_requests_total")
        );
        let overrides: StrMap = [("requests_total".to_owned(), "typo_total".to_owned())]
            .into_iter()
            .collect();
        let got = resolve(&existing, &overrides);
        let missing = got.get(Metric::RequestsTotal).unwrap_err();
        assert_eq!(
            missing_message(missing),
            "Prometheus has no metric `typo_total`; nothing similar is scraped."
        );
    }

    #[test]
    fn a_missing_metric_says_what_exists_instead() {
        let existing = names(&["other_http_requests_total", "up"]);
        let got = resolve(&existing, &StrMap::new());
        assert_eq!(
            missing_message(got.get(Metric::RequestsTotal).unwrap_err()),
            "Prometheus has no metric `arrwdb_http_http_requests_total` or `arrwdb_http_requests_total`; \
             it has `other_http_requests_total` instead (set it in config.json `metrics`)."
        );
        assert!(got.get(Metric::NodeNetworkReceiveBytes).is_err());
    }

    #[test]
    fn only_the_closest_look_alikes_are_offered() {
        let existing = names(&[
            "node_disk_flush_requests_total",
            "arrwdb_http_http_requests_total",
            "promhttp_metric_handler_requests_total",
            "up",
        ]);
        let looked_for = names(&["arrwdb_http_requests_total"]);
        // `arrwdb_http_` in common beats nothing in common; the stem rules out `up`.
        assert_eq!(
            similar_names(&looked_for, &existing),
            ["arrwdb_http_http_requests_total"]
        );
        // Equally close names are all offered, sorted.
        let existing = names(&["y_requests_total", "x_requests_total", "up"]);
        assert_eq!(
            similar_names(&looked_for, &existing),
            ["x_requests_total", "y_requests_total"]
        );
        assert!(similar_names(&looked_for, &names(&["up"])).is_empty());
    }

    #[test]
    fn stems_are_the_last_two_words() {
        assert_eq!(stem("arrwdb_http_http_requests_total"), "_requests_total");
        assert_eq!(stem("up"), "up");
        assert_eq!(stem("a_b"), "a_b");
        assert_eq!(stem("a__b"), "__b");
    }
}
