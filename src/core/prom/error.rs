//! The one error type of the Prometheus client, with a `kind` the user can act on.

use std::fmt;

/// How many characters of a response body an error message quotes.
pub const SNIPPET_CHARS: usize = 200;

/// Why a Prometheus request produced no usable answer.
///
/// `url` is context: the base URL (or request URL) the browser shell asked, added with
/// [`PromError::at_url`] so that the message can say which Prometheus failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(kind, url.as_deref()))]
pub struct PromError {
    pub kind: PromErrorKind,
    pub url: Option<String>,
}

/// What went wrong, in the terms an operator acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum PromErrorKind {
    /// No HTTP answer at all: connection refused, DNS failure, TLS failure or a CORS refusal
    /// (the browser does not say which). Built by the browser shell, never by the decoders.
    Unreachable { url: String, detail: String },
    /// No answer within the configured timeout (`prometheus.timeout_secs`). Built by the
    /// browser shell.
    Timeout { url: String, secs: u32 },
    /// A stale request was cancelled because a newer one replaced it. Not an error to show.
    Aborted,
    /// A non-2xx answer that is not a Prometheus error envelope: typically a proxy, a load
    /// balancer or an authentication gateway answering instead of Prometheus.
    Http { status: u16, body_snippet: String },
    /// A 2xx answer whose body is not JSON, e.g. the HTML login page of a proxy.
    NotJson { status: u16, snippet: String },
    /// JSON, but not the shape this endpoint answers (wrong URL, incompatible server, or a
    /// range query that did not answer a matrix).
    Decode { detail: String },
    /// Prometheus's own error envelope (`"status":"error"`), whatever the HTTP status:
    /// `bad_data` (400), `execution` (422), `timeout`/`unavailable` (503), `internal` (500),
    /// `canceled`, `not_found`, `not_acceptable` (406).
    Api { error_type: String, error: String },
}

impl PromError {
    /// A request that got no HTTP answer (network failure or CORS refusal).
    pub fn unreachable(url: &str, detail: &str) -> Self {
        Self {
            kind: PromErrorKind::Unreachable {
                url: url.to_owned(),
                detail: detail.to_owned(),
            },
            url: None,
        }
    }

    /// A request given up after `secs` seconds without an answer.
    pub fn timeout(url: &str, secs: u32) -> Self {
        PromErrorKind::Timeout {
            url: url.to_owned(),
            secs,
        }
        .into()
    }

    /// A request cancelled because a newer one made it stale.
    pub fn aborted() -> Self {
        PromErrorKind::Aborted.into()
    }

    /// The same error, saying which URL it came from.
    pub fn at_url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }

    /// True for a cancelled request, which the UI does not show as an error.
    pub fn is_aborted(&self) -> bool {
        matches!(self.kind, PromErrorKind::Aborted)
    }

    pub(crate) fn http(status: u16, body: &str) -> Self {
        PromErrorKind::Http {
            status,
            body_snippet: snippet(body),
        }
        .into()
    }

    pub(crate) fn not_json(status: u16, body: &str) -> Self {
        PromErrorKind::NotJson {
            status,
            snippet: snippet(body),
        }
        .into()
    }

    pub(crate) fn decode(detail: impl Into<String>) -> Self {
        PromErrorKind::Decode {
            detail: detail.into(),
        }
        .into()
    }

    pub(crate) fn api(error_type: Option<String>, error: Option<String>) -> Self {
        PromErrorKind::Api {
            error_type: error_type.unwrap_or_default(),
            error: error.unwrap_or_default(),
        }
        .into()
    }
}

impl From<PromErrorKind> for PromError {
    fn from(kind: PromErrorKind) -> Self {
        Self { kind, url: None }
    }
}

/// The start of a body for a message: whitespace runs (HTML indentation, newlines) collapsed to
/// one space, cut after [`SNIPPET_CHARS`] characters (on a character boundary) with "…".
pub fn snippet(body: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in body.split_whitespace() {
        for c in (!out.is_empty())
            .then_some(' ')
            .into_iter()
            .chain(word.chars())
        {
            if chars == SNIPPET_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// The standard reason phrase of the error statuses a dashboard meets, so a message reads
/// "HTTP 502 Bad Gateway" rather than a bare number: the ones a GET without a body and without
/// content negotiation can meet, and 200 (an answer that is not the API's: a login page). Other
/// successes are named by their number alone; `fetch` follows redirects, so they are not met.
pub fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// `HTTP 503 Service Unavailable`, or `HTTP 599` for a status without a known reason.
pub(crate) struct Status(pub(crate) u16);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reason_phrase(self.0) {
            Some(reason) => write!(f, "HTTP {} {reason}", self.0),
            None => write!(f, "HTTP {}", self.0),
        }
    }
}

/// Ends `text` with a full stop unless it already ends a sentence.
pub(crate) fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?', '…']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

fn render(kind: &PromErrorKind, url: Option<&str>) -> String {
    let subject = match url {
        Some(url) => format!("Prometheus at {url}"),
        None => "Prometheus".to_owned(),
    };
    match kind {
        PromErrorKind::Unreachable { url, detail } => {
            let detail = if detail.trim().is_empty() {
                String::new()
            } else {
                format!(" ({})", detail.trim())
            };
            format!(
                "Could not reach Prometheus at {url}{detail}. Check that it is running, that the \
                 URL is right, and that it allows requests from this page (CORS)."
            )
        }
        PromErrorKind::Timeout { url, secs } => format!(
            "Prometheus at {url} did not answer within {secs} s: the query may be too heavy for \
             this range (try a shorter one), or Prometheus is overloaded."
        ),
        PromErrorKind::Aborted => {
            format!("The request to {subject} was cancelled because a newer one replaced it.")
        }
        PromErrorKind::Http {
            status,
            body_snippet,
        } if body_snippet.is_empty() => {
            format!("{subject} answered {} with an empty body.", Status(*status))
        }
        PromErrorKind::Http {
            status,
            body_snippet,
        } => {
            format!("{subject} answered {}: {body_snippet}", Status(*status))
        }
        PromErrorKind::NotJson { status, snippet } if snippet.is_empty() => {
            format!(
                "{subject} answered {} with an empty body instead of JSON.",
                Status(*status)
            )
        }
        PromErrorKind::NotJson { status, snippet } => format!(
            "{subject} answered {} with a body that is not JSON (a login page or a proxy may be \
             in the way): {snippet}",
            Status(*status)
        ),
        PromErrorKind::Decode { detail } => format!(
            "{subject} answered JSON that is not what this request expects ({detail}). Check \
             that the URL points at the Prometheus HTTP API."
        ),
        PromErrorKind::Api { error_type, error } => {
            let what = match error_type.as_str() {
                "" => "an error".to_owned(),
                t if t.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {t} error"),
                t => format!("a {t} error"),
            };
            let hint = match error_type.as_str() {
                "timeout" => " Try a shorter time range or a simpler query.",
                "internal" | "unavailable" => {
                    " It may be starting up or overloaded; retry in a moment."
                }
                _ => "",
            };
            let error = if error.trim().is_empty() {
                "no detail".to_owned()
            } else {
                error.trim().to_owned()
            };
            format!("{subject} reported {what}: {}{hint}", sentence(&error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_its_own_sentence() {
        let e = PromError::timeout("/prometheus", 30);
        assert!(!e.is_aborted());
        assert_eq!(
            e.to_string(),
            "Prometheus at /prometheus did not answer within 30 s: the query may be too heavy for \
             this range (try a shorter one), or Prometheus is overloaded."
        );
    }

    #[test]
    fn snippets_collapse_whitespace_and_cut_on_a_char_boundary() {
        let check = |body: &str, expected: &str| assert_eq!(snippet(body), expected);
        check("", "");
        check("  \n ", "");
        check(
            "<html>\n  <body>\tLogin</body>\n</html>\n",
            "<html> <body> Login</body> </html>",
        );
        check(&"é".repeat(SNIPPET_CHARS), &"é".repeat(SNIPPET_CHARS));
        check(
            &"é".repeat(SNIPPET_CHARS + 1),
            &format!("{}…", "é".repeat(SNIPPET_CHARS)),
        );
        check(
            &format!("{} b", "a".repeat(SNIPPET_CHARS - 1)),
            &format!("{} …", "a".repeat(SNIPPET_CHARS - 1)),
        );
    }

    #[test]
    fn statuses_read_with_their_reason() {
        let check = |status: u16, expected: &str| assert_eq!(Status(status).to_string(), expected);
        check(502, "HTTP 502 Bad Gateway");
        check(404, "HTTP 404 Not Found");
        check(599, "HTTP 599");
    }
}
