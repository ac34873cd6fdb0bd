//! With one replica the simulator's output is byte for byte what it was before replicas
//! existed: FNV-1a hashes of `/metrics` bodies and of a backfill, computed on the code before
//! the change.

mod common;

use arrwdb_sim::{write_openmetrics, BackfillOptions, Exposition, Simulator};
use common::{config, START_UNIX};

/// FNV-1a, 64 bits: a stable hash (std's hasher may change between Rust versions).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Moments of the story: before and in the error spike, in the latency regression with the
/// memory climb, in the auth burst, a day later.
const SCRAPE_OFFSETS_SECS: [u64; 6] = [0, 125, 1_345, 2_070, 2_760, 86_400 + 2_070];

const METRICS_HASHES: [u64; 6] = [
    0xcbfe_fdbf_5fcf_9fb3,
    0x75bc_5592_c434_3044,
    0x5fb7_017c_66ba_59ee,
    0xa978_5537_d2f7_3932,
    0x16c7_53e5_9c4c_2208,
    0x9747_9536_696a_2b4a,
];
const BACKFILL_HASH: u64 = 0x6263_8266_d269_eeff;

#[test]
fn metrics_bodies_are_unchanged() {
    let c = config(42, START_UNIX, 300);
    let mut simulator = Simulator::new(c).unwrap();
    let got: Vec<u64> = SCRAPE_OFFSETS_SECS
        .iter()
        .map(|offset| {
            let snapshot = simulator.snapshot_at(START_UNIX + offset);
            fnv1a_64(Exposition::of(&c, &snapshot).render_text().as_bytes())
        })
        .collect();
    assert_eq!(got, METRICS_HASHES, "{got:#x?}");
}

#[test]
fn backfill_is_unchanged() {
    let c = config(7, START_UNIX, 600);
    let mut options = BackfillOptions::new(START_UNIX, START_UNIX + 2 * 3_600);
    options.fine_span_secs = 1_800;
    options.extra_labels =
        vec![("job".to_owned(), "arrwdb".to_owned()), ("instance".to_owned(), "127.0.0.1:8000".to_owned())];
    let mut out = Vec::new();
    write_openmetrics(&c, &options, &mut out).unwrap();
    assert_eq!(fnv1a_64(&out), BACKFILL_HASH, "{:#x}", fnv1a_64(&out));
}

/// The ids (not the bodies: the resource gains the replica's attributes) of a search.
const TRACE_IDS_HASH: u64 = 0x50d3_9e9c_51a8_e371;

#[test]
fn trace_ids_are_unchanged() {
    let c = config(42, START_UNIX, 300);
    let now = START_UNIX + 2_070;
    let start_us = (START_UNIX + 1_200) * 1_000_000;
    let end_us = now * 1_000_000;
    let answer =
        common::api::get(&c, &format!("/api/traces?service=arrwdb&start={start_us}&end={end_us}&limit=200"), now);
    let ids: Vec<String> =
        answer.json()["data"].as_array().unwrap().iter().map(|t| t["traceID"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 200);
    let hash = fnv1a_64(ids.join(",").as_bytes());
    assert_eq!(hash, TRACE_IDS_HASH, "{hash:#x}");
}
