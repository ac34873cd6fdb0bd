//! URL building for the APIs and links: percent-encoding done once, here.

/// Percent-encodes a query-string component (RFC 3986 unreserved characters pass as they are).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes one query-string component: `+` is a space, `%XX` is a byte, and the bytes are read
/// as UTF-8 with invalid sequences replaced by U+FFFD. A `%` not followed by two hex digits is
/// kept as it is. The inverse of [`encode_component`].
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(hex_value),
                bytes.get(i + 2).and_then(hex_value),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: &u8) -> Option<u8> {
    (*byte as char).to_digit(16).map(|d| d as u8)
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

/// `url` with `params` (configured, e.g. `dedup=true`) added after its own, encoded.
pub fn with_params(url: &str, params: &[(String, String)]) -> String {
    let mut out = url.to_owned();
    for (k, v) in params {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&encode_component(k));
        out.push('=');
        out.push_str(&encode_component(v));
    }
    out
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
        let extra = [("dedup".to_owned(), "true".to_owned()), ("max_source_resolution".to_owned(), "a b".to_owned())];
        assert_eq!(with_params("/p/api/v1/query?query=up", &extra), "/p/api/v1/query?query=up&dedup=true&max_source_resolution=a%20b");
        assert_eq!(with_params("/p/api/v1/rules", &extra[..1]), "/p/api/v1/rules?dedup=true");
        assert_eq!(with_params("/p/x", &[]), "/p/x");
    }
}
