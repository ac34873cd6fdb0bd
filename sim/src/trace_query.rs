//! Trace search, as Jaeger's storage answers it: a trace matches when one of its spans
//! satisfies every condition at once (service, operation, start-time window, duration bounds,
//! attributes), and the newest traces come first, up to a limit.
//!
//! Nothing is stored: [`find_traces`] walks the ticks of the window from the newest, draws each
//! tick's sampled requests on every replica (see `traces`), builds their traces and keeps the
//! matches, and stops
//! as soon as it has enough. Groups that cannot match (another operation, no errors, too fast),
//! requests outside the window and keys no trace has are skipped without building a trace; at
//! most [`MAX_TRACES_EXAMINED`] traces are built. A condition on a replica's own resource
//! attributes (`service.instance.id`, `host.name`) skips the other replicas.
//!
//! Attribute matching follows Jaeger's: a value matches an attribute of the span, of its event
//! or of the resource when their texts are equal (`500` matches the integer 500); the key
//! `error` is special: `true` asks for a span with status ERROR, `false` for one without.

use crate::replicas::{Deployment, Replica};
use crate::traces::{
    may_have_span, request_trace_in, request_window_ns, resource_attributes, sampled_requests, Attribute, Span,
    StatusCode, Trace, MAX_TRACE_SECS, REPLICA_RESOURCE_KEYS, REQUEST_ATTRIBUTE_KEYS, SERVICE_NAME,
};
use crate::traffic::{tick_traffic, StatusClass};

/// The number of traces a search returns when it does not say.
pub const DEFAULT_MAX_TRACES: usize = 20;
/// The most traces a search returns (larger limits are lowered to this).
pub const MAX_TRACES: usize = 1_500;
/// The most traces one search builds and tests (the bound of its work, about a second): a
/// search that has not found enough by then returns what it found, as if the older history
/// were gone. With hourly incidents that is about two days of history for a search that
/// matches nothing; a search that matches finds its newest traces long before.
pub const MAX_TRACES_EXAMINED: usize = 500_000;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// What to look for. Times are unix nanoseconds, durations nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceQuery {
    /// The service (only [`SERVICE_NAME`] has traces).
    pub service_name: String,
    /// The span name, if any.
    pub operation_name: Option<String>,
    /// Earliest span start (inclusive).
    pub start_time_min_ns: u64,
    /// Latest span start (inclusive).
    pub start_time_max_ns: u64,
    /// Shortest span duration (inclusive), if any.
    pub duration_min_ns: Option<u64>,
    /// Longest span duration (inclusive), if any.
    pub duration_max_ns: Option<u64>,
    /// Attributes the span must have, as (key, value text).
    pub attributes: Vec<(String, String)>,
    /// How many traces at most (0 for [`DEFAULT_MAX_TRACES`]; above [`MAX_TRACES`] is lowered).
    pub max_traces: usize,
}

impl TraceQuery {
    /// A query for every trace of `service_name` that starts in the window.
    pub fn new(service_name: &str, start_time_min_ns: u64, start_time_max_ns: u64) -> TraceQuery {
        TraceQuery {
            service_name: service_name.to_owned(),
            operation_name: None,
            start_time_min_ns,
            start_time_max_ns,
            duration_min_ns: None,
            duration_max_ns: None,
            attributes: Vec::new(),
            max_traces: 0,
        }
    }

    /// The limit in effect.
    pub fn effective_max_traces(&self) -> usize {
        match self.max_traces {
            0 => DEFAULT_MAX_TRACES,
            n => n.min(MAX_TRACES),
        }
    }

    /// The value asked for the `error` key: `Some(true)` for spans with status ERROR.
    fn wants_error(&self) -> Option<bool> {
        self.attributes.iter().find(|(k, _)| k == "error").map(|(_, v)| v == "true")
    }
}

/// Whether `span` (of service [`SERVICE_NAME`], with the attributes `resource`) satisfies every
/// condition of `query`.
pub fn span_matches(span: &Span, resource: &[Attribute], query: &TraceQuery) -> bool {
    if query.service_name != SERVICE_NAME {
        return false;
    }
    if query.operation_name.as_deref().is_some_and(|op| op != span.name) {
        return false;
    }
    if span.start_ns < query.start_time_min_ns || span.start_ns > query.start_time_max_ns {
        return false;
    }
    let duration_ns = span.duration_ns();
    if query.duration_min_ns.is_some_and(|d| duration_ns < d) || query.duration_max_ns.is_some_and(|d| duration_ns > d)
    {
        return false;
    }
    query.attributes.iter().all(|(key, value)| {
        if key == "error" {
            return (span.status.code == StatusCode::Error) == (value == "true");
        }
        let matches =
            |attributes: &[Attribute]| attributes.iter().any(|a| a.key == key && a.value.as_query_text() == *value);
        matches(&span.attributes) || span.events.iter().any(|e| matches(&e.attributes)) || matches(resource)
    })
}

/// Whether one of the trace's spans matches.
pub fn trace_matches(trace: &Trace, query: &TraceQuery) -> bool {
    trace.spans.iter().any(|s| span_matches(s, &trace.resource, query))
}

/// Whether traces of `replica` can match `query`: not when it asks for another replica's
/// address or host name (attributes only the resource has).
fn replica_may_match(replica: &Replica, query: &TraceQuery) -> bool {
    let resource = resource_attributes(replica);
    query
        .attributes
        .iter()
        .filter(|(key, _)| REPLICA_RESOURCE_KEYS.contains(&key.as_str()))
        .all(|(key, value)| resource.iter().any(|a| a.key == key && a.value.as_query_text() == *value))
}

/// The traces of `deployment` that match `query` and exist at `now_ns` (unix nanoseconds),
/// newest first (by the server span's start), at most [`TraceQuery::effective_max_traces`].
pub fn find_traces(deployment: &Deployment, query: &TraceQuery, now_ns: u64) -> Vec<Trace> {
    let config = deployment.config();
    let replicas: Vec<Replica> = deployment.replicas().filter(|r| replica_may_match(r, query)).collect();
    let limit = query.effective_max_traces();
    let mut out = Vec::new();
    let process_start_ns = config.start_unix.saturating_mul(NANOS_PER_SEC);
    let latest_ns = query.start_time_max_ns.min(now_ns);
    if query.service_name != SERVICE_NAME || latest_ns < process_start_ns || latest_ns < query.start_time_min_ns {
        return out;
    }
    // A key no request's trace has matches nothing.
    if query.attributes.iter().any(|(key, _)| key != "error" && !REQUEST_ATTRIBUTE_KEYS.contains(&key.as_str())) {
        return out;
    }
    // A span can start up to MAX_TRACE_SECS after its request's tick begins.
    let earliest_unix = (query.start_time_min_ns / NANOS_PER_SEC).saturating_sub(MAX_TRACE_SECS);
    let first_tick = config.ticks_completed_at(earliest_unix);
    let last_tick = config.ticks_completed_at(latest_ns / NANOS_PER_SEC);
    let wants_error = query.wants_error();
    let status_code_prefix = query.attributes.iter().find(|(k, _)| k == "http.status_code").map(|(_, v)| v.clone());
    let mut examined = 0;

    for tick in (first_tick..=last_tick).rev() {
        let mut found = Vec::new();
        for replica in &replicas {
            let traffic = tick_traffic(&replica.config, tick);
            let candidates = sampled_requests(&replica.config, &traffic, |handler, status, group, request_group| {
                if let Some(op) = &query.operation_name {
                    if !may_have_span(handler, status, group, op) {
                        return None;
                    }
                }
                let class = StatusClass::ALL[status];
                // Only 5xx traces have spans with status ERROR.
                if wants_error == Some(true) && class != StatusClass::ServerError {
                    return None;
                }
                // The server span carries the status code, and it is of the group's class.
                if let Some(code) = &status_code_prefix {
                    if !code.starts_with(&class.label()[..1]) {
                        return None;
                    }
                }
                // No span is longer than its request: skip the requests faster than the minimum
                // (less one, for rounding).
                match query.duration_min_ns {
                    Some(min_ns) => Some(request_group.count_at_or_below(min_ns as f64 / 1e9).saturating_sub(1)),
                    None => Some(0),
                }
            });
            for id in &candidates {
                // Every span lies in the server span's window, which must have ended by now.
                let Some((start_ns, end_ns)) = request_window_ns(&replica.config, &traffic, id) else { continue };
                if end_ns > now_ns || end_ns < query.start_time_min_ns || start_ns > query.start_time_max_ns {
                    continue;
                }
                if examined == MAX_TRACES_EXAMINED {
                    return finish(out, found, limit);
                }
                examined += 1;
                found.extend(
                    request_trace_in(replica, &traffic, id, (start_ns, end_ns)).filter(|t| trace_matches(t, query)),
                );
            }
        }
        out = finish(out, found, limit);
        if out.len() == limit {
            break;
        }
    }
    out
}

/// Adds a tick's matches to the result, newest first, up to the limit.
fn finish(mut out: Vec<Trace>, mut found: Vec<Trace>, limit: usize) -> Vec<Trace> {
    found.sort_by(|a, b| b.root().start_ns.cmp(&a.root().start_ns).then(a.trace_id.cmp(&b.trace_id)));
    out.extend(found.into_iter().take(limit - out.len()));
    out
}
