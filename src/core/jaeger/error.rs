//! The one error type of the Jaeger client, with a `kind` the operator can act on. It has the
//! shape of [`crate::core::prom::PromError`], so the shell treats both the same way.

use crate::core::prom::{sentence, snippet, Status};

/// Why a Jaeger request produced no usable answer.
///
/// `url` is context: the base URL (or request URL) the browser shell asked, added with
/// [`JaegerError::at_url`] so that the message can say which Jaeger failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(kind, url.as_deref()))]
pub struct JaegerError {
    pub kind: JaegerErrorKind,
    pub url: Option<String>,
}

/// What went wrong, in the terms an operator acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum JaegerErrorKind {
    /// No HTTP answer at all: connection refused, DNS failure, TLS failure or a CORS refusal
    /// (the browser does not say which). Built by the browser shell, never by the decoders.
    Unreachable { url: String, detail: String },
    /// No answer within the configured timeout (`jaeger.timeout_secs`). Built by the shell.
    Timeout { url: String, secs: u32 },
    /// A stale request was cancelled because a newer one replaced it. Not an error to show.
    Aborted,
    /// Jaeger's own "no such trace" answer: v1 `404 {"errors":[{"code":404,…}]}` or api_v3
    /// `404 {"error":{"httpCode":404,"message":"No traces found"}}`. Only the by-id decoders
    /// return it; for a search it means "no match" and the search decoders answer an empty list.
    /// A 404 that is not Jaeger's JSON (a proxy, a wrong path) is [`JaegerErrorKind::Http`].
    NotFound,
    /// A non-2xx answer that is not a Jaeger error envelope: typically a proxy, a load balancer,
    /// an authentication gateway, or a Jaeger that does not serve this API version (404).
    Http { status: u16, snippet: String },
    /// A 2xx answer whose body is not JSON, e.g. the HTML login page of a proxy or the Jaeger UI's
    /// `index.html` served for an API path this Jaeger does not have.
    NotJson { status: u16, snippet: String },
    /// JSON, but not the shape this endpoint answers (wrong URL or API version).
    Decode { detail: String },
    /// Jaeger's own error envelope, whatever the HTTP status: v1 `errors[{code,msg}]` (several
    /// are joined with "; ") or api_v3 `error{httpCode,message}`. `code` is the HTTP code Jaeger
    /// put in the body (the gRPC code when only that is present, else the HTTP status).
    Api { code: i64, message: String },
}

impl JaegerError {
    /// A request that got no HTTP answer (network failure or CORS refusal).
    pub fn unreachable(url: &str, detail: &str) -> Self {
        Self {
            kind: JaegerErrorKind::Unreachable {
                url: url.to_owned(),
                detail: detail.to_owned(),
            },
            url: None,
        }
    }

    /// A request given up after `secs` seconds without an answer.
    pub fn timeout(url: &str, secs: u32) -> Self {
        JaegerErrorKind::Timeout {
            url: url.to_owned(),
            secs,
        }
        .into()
    }

    /// A request cancelled because a newer one made it stale.
    pub fn aborted() -> Self {
        JaegerErrorKind::Aborted.into()
    }

    /// The same error, saying which URL it came from.
    pub fn at_url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }

    /// True for a cancelled request, which the UI does not show as an error.
    pub fn is_aborted(&self) -> bool {
        matches!(self.kind, JaegerErrorKind::Aborted)
    }

    /// True for Jaeger's "no such trace" answer.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, JaegerErrorKind::NotFound)
    }

    pub(crate) fn not_found() -> Self {
        JaegerErrorKind::NotFound.into()
    }

    pub(crate) fn http(status: u16, body: &str) -> Self {
        JaegerErrorKind::Http {
            status,
            snippet: snippet(body),
        }
        .into()
    }

    pub(crate) fn not_json(status: u16, body: &str) -> Self {
        JaegerErrorKind::NotJson {
            status,
            snippet: snippet(body),
        }
        .into()
    }

    pub(crate) fn decode(detail: impl Into<String>) -> Self {
        JaegerErrorKind::Decode {
            detail: detail.into(),
        }
        .into()
    }

    pub(crate) fn api(code: i64, message: impl Into<String>) -> Self {
        JaegerErrorKind::Api {
            code,
            message: message.into(),
        }
        .into()
    }
}

impl From<JaegerErrorKind> for JaegerError {
    fn from(kind: JaegerErrorKind) -> Self {
        Self { kind, url: None }
    }
}

fn render(kind: &JaegerErrorKind, url: Option<&str>) -> String {
    let subject = match url {
        Some(url) => format!("Jaeger at {url}"),
        None => "Jaeger".to_owned(),
    };
    match kind {
        JaegerErrorKind::Timeout { url, secs } => format!(
            "Jaeger at {url} did not answer within {secs} s: the search may be too wide (try a \
             shorter window), or the query service is overloaded."
        ),
        JaegerErrorKind::Unreachable { url, detail } => {
            let detail = if detail.trim().is_empty() {
                String::new()
            } else {
                format!(" ({})", detail.trim())
            };
            format!(
                "Could not reach Jaeger at {url}{detail}. Check that the Jaeger query service is \
                 running, that the URL is right (its HTTP API is usually on port 16686), and that \
                 it allows requests from this page (CORS)."
            )
        }
        JaegerErrorKind::Aborted => {
            format!("The request to {subject} was cancelled because a newer one replaced it.")
        }
        JaegerErrorKind::NotFound => format!(
            "{subject} has no trace with this ID. Jaeger keeps traces only for its storage \
             retention, and a trace appears a few seconds after its spans end: check the ID, or \
             try again in a moment."
        ),
        JaegerErrorKind::Http { status, snippet } => {
            let hint = if *status == 404 {
                " This Jaeger may not serve this API version: try the other one (v1 `/api/…` or \
                 api_v3 `/api/v3/…`), and check the URL's path prefix."
            } else {
                ""
            };
            if snippet.is_empty() {
                format!(
                    "{subject} answered {} with an empty body.{hint}",
                    Status(*status)
                )
            } else {
                format!(
                    "{subject} answered {}: {}{hint}",
                    Status(*status),
                    sentence(snippet)
                )
            }
        }
        JaegerErrorKind::NotJson { status, snippet } if snippet.is_empty() => format!(
            "{subject} answered {} with an empty body instead of JSON.",
            Status(*status)
        ),
        JaegerErrorKind::NotJson { status, snippet } => format!(
            "{subject} answered {} with a body that is not JSON (a login page, a proxy, or the \
             Jaeger UI page for an API path this Jaeger does not have): {snippet}",
            Status(*status)
        ),
        JaegerErrorKind::Decode { detail } => format!(
            "{subject} answered JSON that is not what this request expects ({detail}). Check that \
             the URL points at the Jaeger query service and that the API version (v1 or api_v3) \
             matches it."
        ),
        JaegerErrorKind::Api { code, message } => {
            let message = if message.trim().is_empty() {
                "no detail".to_owned()
            } else {
                message.trim().to_owned()
            };
            let hint = match code {
                501 => " This feature is not enabled on this Jaeger.",
                500 | 502..=504 => {
                    " Its storage may be unavailable or overloaded; retry in a moment."
                }
                _ => "",
            };
            format!(
                "{subject} reported an error (code {code}): {}{hint}",
                sentence(&message)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_its_own_sentence() {
        let e = JaegerError::timeout("/jaeger", 12);
        assert!(!e.is_aborted() && !e.is_not_found());
        assert!(e.to_string().starts_with("Jaeger at /jaeger did not answer within 12 s: "), "{e}");
    }

    #[test]
    fn messages_are_sentences_with_context() {
        let check = |e: JaegerError, expected: &str| assert_eq!(e.to_string(), expected);
        check(
            JaegerError::api(400, "parameter 'service' is required").at_url("http://j:16686"),
            "Jaeger at http://j:16686 reported an error (code 400): parameter 'service' is required.",
        );
        check(
            JaegerError::api(500, "archive span storage was not configured"),
            "Jaeger reported an error (code 500): archive span storage was not configured. Its \
             storage may be unavailable or overloaded; retry in a moment.",
        );
        check(
            JaegerError::http(502, "<html>\n<body>Bad gateway</body></html>"),
            "Jaeger answered HTTP 502 Bad Gateway: <html> <body>Bad gateway</body></html>.",
        );
        check(
            JaegerError::http(404, "404 page not found\n"),
            "Jaeger answered HTTP 404 Not Found: 404 page not found. This Jaeger may not serve \
             this API version: try the other one (v1 `/api/…` or api_v3 `/api/v3/…`), and check \
             the URL's path prefix.",
        );
        check(
            JaegerError::not_json(200, ""),
            "Jaeger answered HTTP 200 OK with an empty body instead of JSON.",
        );
        check(
            JaegerError::unreachable("http://j:16686", "TypeError: Failed to fetch"),
            "Could not reach Jaeger at http://j:16686 (TypeError: Failed to fetch). Check that the \
             Jaeger query service is running, that the URL is right (its HTTP API is usually on \
             port 16686), and that it allows requests from this page (CORS).",
        );
        assert!(JaegerError::not_found()
            .to_string()
            .starts_with("Jaeger has no trace with this ID."));
    }

    #[test]
    fn aborted_is_recognised_and_not_found_too() {
        assert!(JaegerError::aborted().is_aborted());
        assert!(!JaegerError::not_found().is_aborted());
        assert!(JaegerError::not_found().is_not_found());
        assert!(JaegerError::aborted().at_url("x").is_aborted());
    }

    #[test]
    fn snippets_are_cut_at_200_chars_on_a_char_boundary() {
        let JaegerErrorKind::Http { snippet, .. } = JaegerError::http(500, &"é".repeat(300)).kind
        else {
            panic!("not Http")
        };
        assert_eq!(snippet.chars().count(), 201);
        assert!(snippet.ends_with('…'));
    }
}
