//! The live exposition looks like a real arrwDB's: the fixture's families, types, labels,
//! order and number formatting.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use arrwdb_sim::format_float_like_prometheus_client;
use common::{config, parse, scrape, Grammar, ParsedFamily, START_UNIX};

fn fixture() -> Vec<ParsedFamily> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/arrwdb/metrics_exposition.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read the fixture {path}: {e}"));
    parse(&text, Grammar::Text004).expect("the fixture parses")
}

/// (family, TYPE, label names) of every family, in order.
fn shape(families: &[ParsedFamily]) -> Vec<(String, String, BTreeSet<String>)> {
    families
        .iter()
        .map(|f| (f.name.clone(), f.kind.clone(), f.samples.iter().flat_map(|s| s.labels.keys().cloned()).collect()))
        .collect()
}

#[test]
fn families_types_and_labels_are_the_fixtures() {
    let expected = shape(&fixture());
    assert!(
        expected.iter().filter(|f| f.0.starts_with("arrwdb_")).count() >= 20,
        "the fixture has the arrwdb families"
    );
    // At the start, an hour in, and in the middle of each incident.
    for t in [
        START_UNIX + 10,
        START_UNIX + 3_600,
        START_UNIX + 300,
        START_UNIX + 1_500,
        START_UNIX + 2_500,
        START_UNIX + 3_400,
    ] {
        let got = shape(&scrape(&config(42, START_UNIX, 0), t).families);
        let arrwdb = |v: &[(String, String, BTreeSet<String>)]| {
            v.iter().filter(|f| f.0.starts_with("arrwdb_")).cloned().collect::<Vec<_>>()
        };
        assert_eq!(arrwdb(&got), arrwdb(&expected), "arrwdb_* families at t = start + {}", t - START_UNIX);
        // The default collectors too, and the order of everything.
        assert_eq!(got, expected, "all families at t = start + {}", t - START_UNIX);
    }
}

#[test]
fn help_texts_are_the_fixtures() {
    let expected: Vec<(String, String)> = fixture().into_iter().map(|f| (f.name, f.help)).collect();
    let got: Vec<(String, String)> =
        scrape(&config(1, START_UNIX, 0), START_UNIX + 600).families.into_iter().map(|f| (f.name, f.help)).collect();
    assert_eq!(got, expected);
}

#[test]
fn labels_are_written_sorted_as_prometheus_client_does() {
    for family in fixture().iter().chain(&scrape(&config(3, START_UNIX, 0), START_UNIX + 900).families) {
        for s in &family.samples {
            let mut sorted = s.label_order.clone();
            sorted.sort();
            assert_eq!(s.label_order, sorted, "{}", s.name);
        }
    }
}

#[test]
fn label_values_are_the_real_ones() {
    let s = scrape(&config(42, START_UNIX, 0), START_UNIX + 7_200);
    let values = |label: &str| -> BTreeSet<String> {
        s.samples()
            .filter(|x| x.name.starts_with("arrwdb_http_http_"))
            .filter_map(|x| x.labels.get(label).cloned())
            .collect()
    };
    let set = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(values("status"), set(&["2xx", "4xx", "5xx"]));
    assert_eq!(
        values("handler"),
        set(&[
            "/v1/libraries/{library_id}/search",
            "/v1/libraries/{library_id}/documents",
            "/v1/documents/{doc_id}",
            "/v1/libraries"
        ])
    );
    assert_eq!(values("method"), set(&["POST", "GET", "DELETE"]));
    // Every handler has all three status series, so a 5xx series exists before the first 5xx.
    let pairs: BTreeSet<(String, String, String)> = s
        .samples()
        .filter(|x| x.name == "arrwdb_http_http_requests_total")
        .map(|x| (x.labels["handler"].clone(), x.labels["method"].clone(), x.labels["status"].clone()))
        .collect();
    assert_eq!(pairs.len(), 6 * 3);
    let api_keys: BTreeSet<String> = s
        .samples()
        .filter(|x| x.name == "arrwdb_api_key_validations_total")
        .map(|x| x.labels["status"].clone())
        .collect();
    assert_eq!(api_keys, set(&["valid", "invalid", "expired"]));
    let cache: BTreeSet<String> = s
        .samples()
        .filter(|x| x.name == "arrwdb_embedding_cache_hits_total")
        .map(|x| x.labels["status"].clone())
        .collect();
    assert_eq!(cache, set(&["hit", "miss"]));
}

#[test]
fn every_fixture_number_is_formatted_as_prometheus_client_does() {
    let mut checked = 0;
    for family in fixture() {
        for s in family.samples {
            assert_eq!(format_float_like_prometheus_client(s.value), s.value_text, "{}", s.name);
            if let Some(le) = s.labels.get("le") {
                let bound: f64 = if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() };
                assert_eq!(&format_float_like_prometheus_client(bound), le);
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} samples");
}

#[test]
fn created_and_start_time_are_the_process_start() {
    let c = config(9, START_UNIX + 7, 0);
    let s = scrape(&c, START_UNIX + 5_000);
    assert_eq!(s.value("process_start_time_seconds", &[]), c.start_unix as f64);
    let created: Vec<&common::Sample> = s.samples().filter(|x| x.name.ends_with("_created")).collect();
    // One _created per counter, histogram and summary series of arrwDB.
    let owners: usize = s
        .families
        .iter()
        .filter(|f| f.name.starts_with("arrwdb_") && !f.name.ends_with("_created") && f.kind != "gauge")
        .map(|f| {
            let mut label_sets: Vec<BTreeMap<String, String>> = f
                .samples
                .iter()
                .map(|x| x.labels.iter().filter(|(k, _)| *k != "le").map(|(k, v)| (k.clone(), v.clone())).collect())
                .collect();
            label_sets.sort();
            label_sets.dedup();
            label_sets.len()
        })
        .sum();
    assert_eq!(created.len(), owners);
    assert!(created.iter().all(|x| x.value == c.start_unix as f64));
}

#[test]
fn before_and_at_the_start_counters_are_zero() {
    let c = config(4, START_UNIX, 0);
    for t in [START_UNIX - 100, START_UNIX, START_UNIX + 9] {
        let s = scrape(&c, t);
        for family in s.families.iter().filter(|f| f.kind == "counter" && f.name.starts_with("arrwdb_")) {
            assert!(family.samples.iter().all(|x| x.value == 0.0), "{} at {t}", family.name);
        }
        assert_eq!(s.sum("arrwdb_http_http_request_duration_seconds_count", |_| true), 0.0);
    }
    assert!(scrape(&c, START_UNIX + 10).sum("arrwdb_http_http_requests_total", |_| true) > 0.0);
}
