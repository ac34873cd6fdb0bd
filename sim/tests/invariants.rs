//! Counters behave as real counters, histograms as real histograms, and the live value at a
//! moment is the backfilled value at that moment.

mod common;

use std::collections::BTreeMap;

use arrwdb_sim::{write_openmetrics, BackfillOptions, SimConfig, Simulator};
use common::{config, parse, scrape, scrape_with, Grammar, Scrape, START_UNIX};

/// Samples that must only grow: counters, buckets, counts and sums.
fn is_cumulative(name: &str) -> bool {
    (name.ends_with("_total") && name != "arrwdb_active_libraries_total")
        || name.ends_with("_bucket")
        || name.ends_with("_count")
        || name.ends_with("_sum")
}

fn key(name: &str, labels: &BTreeMap<String, String>) -> String {
    format!("{name}{labels:?}")
}

/// Scrapes at irregular moments through a latency regression, an error spike and a restart of
/// the memory climb, by one long-lived simulator (as the server does).
fn scrapes(c: &SimConfig) -> Vec<Scrape> {
    let mut simulator = Simulator::new(*c).unwrap();
    let mut t = c.start_unix;
    let mut out = Vec::new();
    let mut i = 0u64;
    while t < c.start_unix + 2 * 3_600 {
        out.push(scrape_with(&mut simulator, t));
        i += 1;
        t += 23 + (i * 7) % 41;
    }
    out
}

#[test]
fn counters_are_monotone_and_integer() {
    for c in [config(42, START_UNIX, 0), config(7, START_UNIX + 3, 1_234)] {
        let all = scrapes(&c);
        let mut previous: BTreeMap<String, f64> = BTreeMap::new();
        for s in &all {
            for sample in s.samples().filter(|x| is_cumulative(&x.name)) {
                let k = key(&sample.name, &sample.labels);
                if let Some(before) = previous.insert(k.clone(), sample.value) {
                    assert!(sample.value >= before, "{k} fell from {before} to {} at {}", sample.value, s.t_unix);
                }
                let real_valued = sample.name.ends_with("_sum") || sample.name == "process_cpu_seconds_total";
                if !real_valued {
                    assert_eq!(sample.value.fract(), 0.0, "{k} = {}", sample.value);
                }
            }
        }
        // And they did grow: the last scrape saw traffic of every kind.
        let last = all.last().unwrap();
        for name in [
            "arrwdb_http_http_requests_total",
            "arrwdb_document_operations_total",
            "arrwdb_embedding_cache_hits_total",
            "arrwdb_api_key_validations_total",
        ] {
            assert!(last.sum(name, |_| true) > 1_000.0, "{name}");
        }
    }
}

/// (labels without `le`) -> [(le, count)] in written order, for a histogram family.
fn histograms(s: &Scrape, family: &str) -> BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> {
    let mut out: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
    for sample in s.samples().filter(|x| x.name == format!("{family}_bucket")) {
        let mut labels = sample.labels.clone();
        let le = labels.remove("le").expect("le");
        let bound = if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() };
        out.entry(labels).or_default().push((bound, sample.value));
    }
    out
}

#[test]
fn histograms_are_cumulative_and_agree_with_the_counters() {
    let c = config(42, START_UNIX, 600);
    for s in scrapes(&c).iter().step_by(15) {
        for family in ["arrwdb_http_http_request_duration_seconds", "arrwdb_search_duration_seconds"] {
            let all = histograms(s, family);
            assert!(!all.is_empty());
            for (labels, buckets) in all {
                let labels_ref: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                assert!(
                    buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
                    "{family}{labels:?}: {buckets:?}"
                );
                let (last_bound, inf) = *buckets.last().unwrap();
                assert_eq!(last_bound, f64::INFINITY);
                let count = s.value(&format!("{family}_count"), &labels_ref);
                assert_eq!(inf, count, "{family}{labels:?}");
                let sum = s.value(&format!("{family}_sum"), &labels_ref);
                // The sum lies between the lower and upper edges of the buckets.
                let (mut low, mut high, mut below, mut lower) = (0.0, 0.0, 0.0, 0.0);
                for (bound, cumulative) in &buckets {
                    let n = cumulative - below;
                    if n > 0.0 {
                        low += n * lower;
                        high += n * bound;
                    }
                    below = *cumulative;
                    lower = *bound;
                }
                assert!(
                    sum >= low * (1.0 - 1e-9) && (sum <= high * (1.0 + 1e-9) || high.is_infinite()),
                    "{family}{labels:?}: {sum} not in [{low}, {high}]"
                );
                if family.starts_with("arrwdb_http") {
                    for counter in [
                        "arrwdb_http_http_requests_total",
                        "arrwdb_http_http_request_size_bytes_count",
                        "arrwdb_http_http_response_size_bytes_count",
                    ] {
                        assert_eq!(s.value(counter, &labels_ref), count, "{counter}{labels:?}");
                    }
                }
            }
        }
        // What the handlers did is what the application counted.
        let search_ok =
            |l: &BTreeMap<String, String>| l["handler"] == "/v1/libraries/{library_id}/search" && l["status"] == "2xx";
        assert_eq!(
            s.sum("arrwdb_search_duration_seconds_count", |_| true),
            s.sum("arrwdb_http_http_requests_total", search_ok)
        );
        let create_ok = |l: &BTreeMap<String, String>| {
            l["handler"] == "/v1/libraries/{library_id}/documents" && l["status"] == "2xx"
        };
        let created =
            s.sum("arrwdb_document_operations_total", |l| l["operation"] == "create" && l["status"] == "success");
        assert_eq!(created, s.sum("arrwdb_http_http_requests_total", create_ok));
        assert_eq!(
            s.sum("arrwdb_api_key_validations_total", |_| true),
            s.sum("arrwdb_http_http_requests_total", |_| true)
        );
    }
}

/// Every sample of a scrape by (name, labels), `_created` left out.
fn values(s: &Scrape) -> BTreeMap<String, f64> {
    s.samples().filter(|x| !x.name.ends_with("_created")).map(|x| (key(&x.name, &x.labels), x.value)).collect()
}

#[test]
fn live_values_equal_backfilled_values() {
    let c = config(42, START_UNIX, 1_300);
    let mut options = BackfillOptions::new(START_UNIX + 1_000, START_UNIX + 4_000);
    options.fine_span_secs = 1_200;
    let mut file = Vec::new();
    let summary = write_openmetrics(&c, &options, &mut file).unwrap();
    let text = String::from_utf8(file).unwrap();
    let families = parse(&text, Grammar::OpenMetrics).expect("the backfill parses as OpenMetrics");

    // Regroup the file by timestamp.
    let mut by_time: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    for family in &families {
        assert!(!family.name.ends_with("_created"), "{}", family.name);
        for s in &family.samples {
            by_time.entry(s.timestamp.unwrap()).or_default().insert(key(&s.name, &s.labels), s.value);
        }
    }
    let times: Vec<u64> = by_time.keys().map(|t| *t as u64).collect();
    assert_eq!(times, options.sample_times_unix(&c));
    assert_eq!(summary.timestamps, times.len());
    assert_eq!(summary.samples, text.lines().filter(|l| !l.starts_with('#')).count());

    // A server that has been scraped at other moments and a fresh one both agree with the file.
    let mut long_lived = Simulator::new(c).unwrap();
    scrape_with(&mut long_lived, START_UNIX + 777);
    for t in [times[0], times[1], times[times.len() / 2], START_UNIX + 2_800, times[times.len() - 1]] {
        let backfilled = &by_time[&(t as i64)];
        assert_eq!(&values(&scrape(&c, t)), backfilled, "fresh simulator at {t}");
        assert_eq!(&values(&scrape_with(&mut long_lived, t)), backfilled, "long-lived simulator at {t}");
    }
}

#[test]
fn backfill_labels_every_sample_with_job_and_instance() {
    let c = config(5, START_UNIX, 0);
    let mut options = BackfillOptions::new(START_UNIX, START_UNIX + 60);
    options.extra_labels = vec![("job".into(), "arrwdb".into()), ("instance".into(), "127.0.0.1:8000".into())];
    let mut file = Vec::new();
    write_openmetrics(&c, &options, &mut file).unwrap();
    let families = parse(&String::from_utf8(file).unwrap(), Grammar::OpenMetrics).unwrap();
    let samples: Vec<&common::Sample> = families.iter().flat_map(|f| &f.samples).collect();
    assert!(samples.len() > 500);
    for s in samples {
        assert_eq!(s.labels.get("job").map(String::as_str), Some("arrwdb"), "{}", s.name);
        assert_eq!(s.labels.get("instance").map(String::as_str), Some("127.0.0.1:8000"), "{}", s.name);
    }
    // Counter families are named without _total in OpenMetrics.
    assert!(families.iter().any(|f| f.name == "arrwdb_http_http_requests" && f.kind == "counter"));
}

#[test]
fn backfill_keeps_each_series_in_time_order() {
    let c = config(6, START_UNIX, 0);
    let mut options = BackfillOptions::new(START_UNIX, START_UNIX + 600);
    options.fine_span_secs = 200;
    let mut file = Vec::new();
    write_openmetrics(&c, &options, &mut file).unwrap();
    let families = parse(&String::from_utf8(file).unwrap(), Grammar::OpenMetrics).unwrap();
    for family in families {
        // Each series' samples are contiguous and ascending in time.
        let mut seen: BTreeMap<String, (usize, i64)> = BTreeMap::new();
        for (i, s) in family.samples.iter().enumerate() {
            let k = key(&s.name, &s.labels);
            if let Some((last_index, last_ts)) = seen.get(&k) {
                assert!(s.timestamp.unwrap() > *last_ts, "{k} goes back in time");
                // The series' previous point is within one metric point (<= 14 samples) of this one.
                assert!(i - last_index <= 14, "{k} is interleaved");
            }
            seen.insert(k, (i, s.timestamp.unwrap()));
        }
    }
}
