//! URL building for the APIs and links: percent-encoding done once, here.

/// Percent-encodes a query-string component (RFC 3986 unreserved characters pass as they are).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `base` + `path` + `?k=v&…`, with the values encoded. `base` has no trailing slash (the config
/// guarantees it) and `path` starts with one.
pub fn with_query(base: &str, path: &str, params: &[(&str, &str)]) -> String {
    let mut url = format!("{base}{path}");
    for (i, (k, v)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode_component(k));
        url.push('=');
        url.push_str(&encode_component(v));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query("/prometheus", "/api/v1/query_range", &[("query", r#"sum by (handler) (rate(m{job="a b"}[40s]))"#), ("step", "10")]),
            "/prometheus/api/v1/query_range?query=sum%20by%20%28handler%29%20%28rate%28m%7Bjob%3D%22a%20b%22%7D%5B40s%5D%29%29&step=10"
        );
        assert_eq!(encode_component("ü&=+/"), "%C3%BC%26%3D%2B%2F");
        assert_eq!(with_query("http://p", "/x", &[]), "http://p/x");
    }
}
