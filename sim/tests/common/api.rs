//! Calling the simulator's Jaeger API in process, and the moments of its story.

use arrwdb_sim::jaeger::{format_rfc3339_ns, handle, ApiResponse};
use arrwdb_sim::{incidents_between, Deployment, IncidentKind, SimConfig};
use serde_json::Value;

pub const NANOS: u64 = 1_000_000_000;

/// One answer, its body parsed when it is JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &self.body[..self.body.len().min(300)]))
    }
}

/// `GET target` at `now_unix`, of a single replica.
pub fn get(config: &SimConfig, target: &str, now_unix: u64) -> Answer {
    get_from(&Deployment::single(*config), target, now_unix)
}

/// `GET target` at `now_unix`, of the replicas of `deployment`.
pub fn get_from(deployment: &Deployment, target: &str, now_unix: u64) -> Answer {
    let ApiResponse { status, content_type, body, .. } = handle(deployment, "GET", target, now_unix);
    Answer { status, content_type, body }
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 3339 of unix seconds (+ nanoseconds).
pub fn rfc3339(t_unix: u64, plus_ns: u64) -> String {
    format_rfc3339_ns(t_unix * NANOS + plus_ns)
}

/// The `n`-th occurrence (from 0) of `kind` after `from_unix`: `[start, end)`.
pub fn occurrence(config: &SimConfig, kind: IncidentKind, from_unix: u64, n: usize) -> (u64, u64) {
    let all: Vec<_> = incidents_between(config, from_unix, from_unix + 48 * 3_600)
        .into_iter()
        .filter(|i| i.kind == kind && i.started_unix >= from_unix)
        .collect();
    (all[n].started_unix, all[n].ends_unix)
}

/// The v3 spans of a `{"result":{"resourceSpans":[...]}}` answer.
pub fn v3_spans(body: &Value) -> Vec<&Value> {
    body["result"]["resourceSpans"]
        .as_array()
        .expect("resourceSpans")
        .iter()
        .flat_map(|rs| rs["scopeSpans"].as_array().expect("scopeSpans"))
        .flat_map(|ss| ss["spans"].as_array().expect("spans"))
        .collect()
}

/// The trace ids of a v3 answer, in order of first appearance.
pub fn v3_trace_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for span in v3_spans(body) {
        let id = span["traceId"].as_str().expect("traceId").to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// A nanosecond timestamp of OTLP-JSON (a decimal string).
pub fn ns(value: &Value) -> u64 {
    value.as_str().expect("nanoseconds as a string").parse().expect("decimal nanoseconds")
}

/// The value of attribute `key` of an OTLP-JSON span or event, as text.
pub fn v3_attribute(span: &Value, key: &str) -> Option<String> {
    span["attributes"].as_array()?.iter().find(|a| a["key"] == key).map(|a| {
        let v = a["value"].as_object().expect("value object");
        let (_, inner) = v.iter().next().expect("one variant");
        match inner {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    })
}
