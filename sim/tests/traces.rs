//! The traces drawn from the traffic: their structure is what the FastAPI instrumentation and
//! arrwDB's spans record, they agree with the request they stand for, their ids carry the
//! request, and the sampling keeps what it says.

mod common;

use std::collections::HashSet;

use arrwdb_sim::traces::{
    may_have_span, request_trace, request_window_ns, sampled_requests, trace_by_id, AttributeValue, GroupSampling,
    RequestId, SpanKind, StatusCode, TraceId, REQUEST_ATTRIBUTE_KEYS, SAMPLE_SHARE, SERVER_SPAN_NAMES,
    SLOW_THRESHOLD_SECS, SPECIAL_TRACE_IDS,
};
use arrwdb_sim::traffic::{StatusClass, HANDLERS};
use arrwdb_sim::{tick_traffic, Deployment, SimConfig, TICK_SECS};
use common::{config, START_UNIX};

const NANOS: u64 = 1_000_000_000;

#[test]
fn server_spans_hold_their_request_and_children_as_instrumented() {
    let mut checked = 0;
    for seed in [42, 7] {
        let c: SimConfig = config(seed, START_UNIX, 300);
        let deployment = Deployment::single(c);
        let replica = deployment.replica(0).unwrap();
        let now_ns = (START_UNIX + 2 * 86_400) * NANOS;
        for tick in (0..8_640).step_by(37) {
            let traffic = tick_traffic(&c, tick);
            for id in sampled_requests(&c, &traffic, |_, _, _, _| Some(0)) {
                let trace = request_trace(&replica, &traffic, &id).expect("a sampled request has a trace");
                let group = id.group_in(&traffic).unwrap();
                let root = trace.root();
                let what = format!("{id:?}");
                // The server span: the request, in its tick.
                assert_eq!(
                    (root.kind, root.parent_span_id, root.name.as_str()),
                    (SpanKind::Server, None, SERVER_SPAN_NAMES[id.handler]),
                    "{what}"
                );
                assert_eq!(root.name, format!("{} {}", HANDLERS[id.handler].method, HANDLERS[id.handler].route));
                assert_eq!(
                    root.duration_ns(),
                    ((group.latency_secs(id.index) * 1e9).round() as u64).max(1_000),
                    "{what}"
                );
                let tick_ns = traffic.start_unix * NANOS;
                assert!((tick_ns..tick_ns + TICK_SECS * NANOS).contains(&root.start_ns), "{what}");
                assert_eq!(request_window_ns(&c, &traffic, &id), Some((root.start_ns, root.end_ns)));
                let route = root.attribute("http.route");
                assert_eq!(route, Some(&AttributeValue::Str(HANDLERS[id.handler].route.to_owned())), "{what}");
                let Some(AttributeValue::Int(code)) = root.attribute("http.status_code") else {
                    panic!("{what}: status code")
                };
                let class = StatusClass::ALL[id.status];
                assert_eq!(&class.label()[..1], &code.to_string()[..1], "{what}");
                let Some(AttributeValue::Str(target)) = root.attribute("http.target") else { panic!("{what}: target") };
                assert!(target.starts_with("/v1/") && !target.contains('{'), "{what}: {target}");
                // Children: inside the request, named as the handler's spans, with known keys.
                let ids: HashSet<u64> = trace.spans.iter().map(|s| s.span_id.0).collect();
                assert_eq!(ids.len(), trace.spans.len(), "{what}: unique span ids");
                assert!(!ids.contains(&0));
                for span in &trace.spans[1..] {
                    assert_eq!(span.parent_span_id, Some(root.span_id), "{what}");
                    assert_eq!(span.kind, SpanKind::Internal);
                    assert!(may_have_span(id.handler, id.status, id.group, &span.name), "{what}: {}", span.name);
                    assert!(
                        span.start_ns >= root.start_ns && span.end_ns <= root.end_ns,
                        "{what}: {} outside",
                        span.name
                    );
                }
                for span in &trace.spans {
                    let keys =
                        span.attributes.iter().chain(span.events.iter().flat_map(|e| &e.attributes)).map(|a| a.key);
                    for key in keys {
                        assert!(REQUEST_ATTRIBUTE_KEYS.contains(&key), "{what}: key {key}");
                    }
                }
                // Errors: the server span and the span that raised, which has the exception.
                let failed: Vec<_> = trace.spans.iter().filter(|s| s.status.code == StatusCode::Error).collect();
                if class == StatusClass::ServerError {
                    assert_eq!(*code, 500);
                    assert_eq!(failed.len(), 2, "{what}");
                    assert_eq!(failed[0].span_id, root.span_id);
                    assert_eq!(failed[1].events.len(), 1);
                    assert_eq!(failed[1].events[0].name, "exception");
                    assert!(!failed[1].status.message.is_empty());
                } else {
                    assert!(failed.is_empty(), "{what}");
                    assert!(trace.spans.iter().all(|s| s.events.is_empty()));
                }
                if class == StatusClass::ClientError && id.group == 1 {
                    assert_eq!(*code, 401, "{what}: rejected API key");
                }
                // The id carries the request.
                assert_eq!(RequestId::from_trace_id(c.seed, trace.trace_id), Some(id));
                assert_ne!(trace.trace_id.0 >> 64, 0);
                if root.end_ns <= now_ns {
                    assert_eq!(trace_by_id(&deployment, trace.trace_id, now_ns).as_ref(), Some(&trace));
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 2_000, "{checked} traces");
}

#[test]
fn sampling_keeps_every_error_every_slow_request_and_one_percent_of_the_rest() {
    let c = config(42, START_UNIX, 300);
    let (mut plain, mut plain_kept, mut slow, mut errors) = (0u64, 0u64, 0u64, 0u64);
    for tick in (0..4_000).step_by(3) {
        let traffic = tick_traffic(&c, tick);
        for (handler, series) in traffic.http.iter().enumerate() {
            for (status, series_tick) in series.iter().enumerate() {
                for (group_index, group) in series_tick.groups.iter().enumerate() {
                    let sampling = GroupSampling::of(c.seed, group, status);
                    for index in 0..group.count {
                        let id = RequestId { tick, handler, status, group: group_index, index };
                        let kept = sampling.is_sampled(&id);
                        if StatusClass::ALL[status] == StatusClass::ServerError {
                            assert!(kept);
                            errors += 1;
                        } else if group.latency_secs(index) > SLOW_THRESHOLD_SECS {
                            assert!(kept, "{id:?}");
                            slow += 1;
                        } else {
                            plain += 1;
                            plain_kept += u64::from(kept);
                        }
                    }
                    assert!(!sampling.is_sampled(&RequestId {
                        tick,
                        handler,
                        status,
                        group: group_index,
                        index: group.count
                    }));
                }
            }
        }
    }
    let share = plain_kept as f64 / plain as f64;
    let tolerance = 4.0 * (SAMPLE_SHARE / plain as f64).sqrt();
    assert!((share - SAMPLE_SHARE).abs() < tolerance, "kept {share} of {plain}");
    assert!(slow > 1_000 && errors > 1_000, "slow {slow}, errors {errors}");
}

#[test]
fn ids_are_unique_random_looking_and_only_decode_with_their_seed() {
    let c = config(42, START_UNIX, 300);
    let mut seen = HashSet::new();
    let mut high_bits = 0u32;
    for tick in [0, 1, 99, 4_321, 1 << 30] {
        for handler in 0..6 {
            for index in 0..50 {
                let id = RequestId { tick, handler, status: 0, group: 0, index };
                let trace_id = id.trace_id(c.seed).unwrap();
                assert!(seen.insert(trace_id), "{id:?}");
                assert_eq!(RequestId::from_trace_id(c.seed, trace_id), Some(id));
                assert_eq!(RequestId::from_trace_id(c.seed + 1, trace_id), None);
                assert_eq!(TraceId::parse(&trace_id.to_hex()), Ok(trace_id));
                high_bits += (trace_id.0 >> 127) as u32;
            }
        }
    }
    let n = seen.len() as u32;
    assert!(high_bits > n / 3 && high_bits < 2 * n / 3, "{high_bits} of {n} with the top bit");
    for special in SPECIAL_TRACE_IDS {
        assert_eq!(RequestId::from_trace_id(c.seed, special), None);
        assert!(trace_by_id(&Deployment::single(c), special, 0).is_some(), "special traces exist whatever the time");
    }
    for bad in ["", "g", "0123456789abcdef0123456789abcdef0", " 1"] {
        assert!(TraceId::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(TraceId::parse("10000"), Ok(TraceId(0x10000)));
    assert_eq!(TraceId::parse("ABCDEF"), Ok(TraceId(0xabcdef)));
}
