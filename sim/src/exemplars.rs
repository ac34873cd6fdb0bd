//! Exemplars for a live OpenMetrics scrape: each bucket of the HTTP latency histogram points at
//! the newest traced request it counted, so a dashboard can open the trace behind a latency.
//!
//! A bucket's exemplar is a sampled request (see `traces`) of the same (handler, status) series,
//! whose latency falls in the bucket as the histogram counts it, that ended at the latest by the
//! scrape and in the last [`EXEMPLAR_LOOKBACK_TICKS`] ticks counted; a bucket with none has no
//! exemplar. Its trace id is the trace's, which the Jaeger API serves from that moment on.

use std::collections::BTreeMap;

use crate::config::SimConfig;
use crate::exposition::{Exemplar, Exemplars, Exposition};
use crate::traces::{request_window_ns, sampled_requests};
use crate::traffic::{tick_traffic, StatusClass, HTTP_DURATION_BOUNDS_SECS};

/// How many of the last counted ticks an exemplar can come from (5 minutes).
pub const EXEMPLAR_LOOKBACK_TICKS: u64 = 30;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The exemplars of the buckets of `exposition`'s HTTP latency histograms, for a scrape at
/// `t_unix` of the replica of `config`.
pub fn http_duration_exemplars(config: &SimConfig, exposition: &Exposition, t_unix: u64) -> Exemplars {
    let now_ns = t_unix.saturating_mul(NANOS_PER_SEC);
    let counted_ticks = config.ticks_completed_at(t_unix);
    // The newest request per (handler, status, bucket).
    let mut newest: BTreeMap<(usize, usize, usize), Exemplar> = BTreeMap::new();
    for tick in (counted_ticks.saturating_sub(EXEMPLAR_LOOKBACK_TICKS)..counted_ticks).rev() {
        let traffic = tick_traffic(config, tick);
        for id in sampled_requests(config, &traffic, |_, _, _, _| Some(0)) {
            let (Some((_, end_ns)), Some(group), Some(trace_id)) =
                (request_window_ns(config, &traffic, &id), id.group_in(&traffic), id.trace_id(config.draw_seed()))
            else {
                continue;
            };
            if end_ns > now_ns {
                continue;
            }
            let latency_secs = group.latency_secs(id.index);
            let bucket = HTTP_DURATION_BOUNDS_SECS
                .iter()
                .position(|bound| latency_secs <= *bound)
                .unwrap_or(HTTP_DURATION_BOUNDS_SECS.len());
            let key = (id.handler, id.status, bucket);
            if newest.get(&key).is_some_and(|e| e.timestamp_ns >= end_ns) {
                continue;
            }
            newest.insert(
                key,
                Exemplar { trace_id_hex: trace_id.to_hex(), value_secs: latency_secs, timestamp_ns: end_ns },
            );
        }
    }
    newest
        .into_iter()
        .filter_map(|((handler, status, bucket), exemplar)| {
            Some((exposition.http_duration_bucket_index(handler, StatusClass::ALL[status], bucket)?, exemplar))
        })
        .collect()
}
