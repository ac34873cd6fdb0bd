//! The postMessage API between the page in an iframe and its host (a portal): what the host may
//! ask and what the page tells it, as JSON text. The browser shell only moves these texts
//! between `window.postMessage` and the view state; the origins are checked against config's
//! `embedding.allowed_origins`, exactly.
//!
//! From the host: `{"type": "arrwdb-ops:set", "query": "range=6h&refresh=off&theme=dark"}`: URL
//! parameters of the view (see the README), merged into the current ones and validated as if
//! they had been in the URL.
//! To the host: `{"type": "arrwdb-ops:ready", "query": …}` once the page runs,
//! `{"type": "arrwdb-ops:height", "height": <CSS px>}` whenever its content height changes,
//! `{"type": "arrwdb-ops:view", "query": …}` whenever the view changes (a drill-down opened or
//! closed, a range chosen), and `{"type": "arrwdb-ops:link", "href": …}` when the user follows a
//! link (the portal may open it its own way; the page follows it too).

use serde_json::Value;

use crate::core::url::decode_component;

/// The prefix of every message type.
pub const PREFIX: &str = "arrwdb-ops:";

/// Whether a message from `origin` may be read (and messages be posted to it).
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a == origin)
}

/// The URL parameters a host asks for, from a message's JSON text; `None` for any other message
/// (another type, another app's message, not JSON).
pub fn host_query(message_json: &str) -> Option<String> {
    let value: Value = serde_json::from_str(message_json).ok()?;
    let is_set = value.get("type")?.as_str()? == "arrwdb-ops:set";
    is_set
        .then(|| value.get("query")?.as_str().map(str::to_owned))
        .flatten()
}

/// `current` with the parameters of `patch` put in: every parameter named in `patch` replaces
/// all of its occurrences in `current`; the others stay, in order. Both are query strings
/// without `?` (one is allowed).
pub fn merge_query(current: &str, patch: &str) -> String {
    let key = |pair: &str| decode_component(pair.split('=').next().unwrap_or_default());
    let pairs = |q: &str| -> Vec<String> {
        q.trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let patched = pairs(patch);
    let patched_keys: Vec<String> = patched.iter().map(|p| key(p)).collect();
    let mut out: Vec<String> = pairs(current)
        .into_iter()
        .filter(|p| !patched_keys.contains(&key(p)))
        .collect();
    out.extend(patched);
    out.join("&")
}

/// A message to the host: `{"type": "arrwdb-ops:<kind>", "<field>": <value>}` with `value`
/// already JSON.
fn message(kind: &str, field: &str, value_json: &str) -> String {
    format!(
        "{{\"type\":{},{}:{value_json}}}",
        json_string(&format!("{PREFIX}{kind}")),
        json_string(field)
    )
}

fn json_string(text: &str) -> String {
    crate::core::json::string_literal(text)
}

/// The page runs; its view is `query`.
pub fn ready_message(query: &str) -> String {
    message("ready", "query", &json_string(query))
}

/// The page's content is `height_px` CSS pixels high.
pub fn height_message(height_px: u32) -> String {
    message("height", "height", &height_px.to_string())
}

/// The view changed to `query` (a drill-down opened or closed, a range chosen, …).
pub fn view_message(query: &str) -> String {
    message("view", "query", &json_string(query))
}

/// The user follows a link to `href`.
pub fn link_message(href: &str) -> String {
    message("link", "href", &json_string(href))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_exactly() {
        let allowed = vec!["https://portal.example.com".to_owned()];
        assert!(origin_allowed("https://portal.example.com", &allowed));
        for other in [
            "https://portal.example.com.evil.io",
            "http://portal.example.com",
            "https://portal.example.com:8443",
            "null",
            "",
        ] {
            assert!(!origin_allowed(other, &allowed), "{other}");
        }
        assert!(!origin_allowed("https://portal.example.com", &[]));
    }

    #[test]
    fn the_host_sets_url_parameters() {
        assert_eq!(
            host_query(r#"{"type":"arrwdb-ops:set","query":"range=6h&theme=dark"}"#).as_deref(),
            Some("range=6h&theme=dark")
        );
        for other in [
            r#"{"type":"arrwdb-ops:ready","query":"range=6h"}"#,
            r#"{"type":"arrwdb-ops:set","query":6}"#,
            r#"{"type":"arrwdb-ops:set"}"#,
            r#"{"query":"range=6h"}"#,
            r#""arrwdb-ops:set""#,
            "not json",
        ] {
            assert_eq!(host_query(other), None, "{other}");
        }
    }

    #[test]
    fn a_patch_replaces_what_it_names_and_keeps_the_rest() {
        assert_eq!(
            merge_query(
                "range=1h&kiosk&panel=latency&iso.latency=p95",
                "range=6h&theme=dark"
            ),
            "kiosk&panel=latency&iso.latency=p95&range=6h&theme=dark"
        );
        // Every occurrence goes; encoded keys compare decoded; `?` is allowed.
        assert_eq!(
            merge_query(
                "?range=1h&range=2h&iso.request-rate=a",
                "?iso%2Erequest-rate=b&range=3h"
            ),
            "iso%2Erequest-rate=b&range=3h"
        );
        assert_eq!(merge_query("", "panel=cpu"), "panel=cpu");
        assert_eq!(merge_query("range=1h", ""), "range=1h");
    }

    #[test]
    fn messages_to_the_host_are_json() {
        let parse = |text: String| serde_json::from_str::<Value>(&text).unwrap();
        assert_eq!(
            parse(ready_message("range=1h&kiosk")),
            serde_json::json!({"type": "arrwdb-ops:ready", "query": "range=1h&kiosk"})
        );
        assert_eq!(
            parse(height_message(1234)),
            serde_json::json!({"type": "arrwdb-ops:height", "height": 1234})
        );
        assert_eq!(
            parse(view_message("drill=1-2")),
            serde_json::json!({"type": "arrwdb-ops:view", "query": "drill=1-2"})
        );
        // Quotes and markup stay data.
        assert_eq!(
            parse(link_message("https://x/?q=\"<script>\"")),
            serde_json::json!({"type": "arrwdb-ops:link", "href": "https://x/?q=\"<script>\""})
        );
    }
}
