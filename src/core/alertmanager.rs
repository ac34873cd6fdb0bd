//! Alertmanager API v2 (api/v2/openapi.yaml of prometheus/alertmanager): request URLs, models of
//! the answers this dashboard reads, their decoders, and [`lookup`], which says what
//! Alertmanager did with one of Prometheus's alerts (delivered, silenced, inhibited, to whom).
//!
//! The three layers of the Prometheus client: the shell fetches `(http_status, body)`, a
//! `decode_*` function turns it into a model or an [`AlertmanagerError`] whose kind says what the
//! operator can do, and the views read the models. The JSON is walked with the shared readers of
//! [`crate::core::json`] (one `Value` parser, no derived deserializers: see that module for
//! why). Times stay as Unix seconds (`_unix`), `None` when absent or unreadable.

use serde_json::Value;

use crate::core::json::{
    opt_object, opt_str, read_items, read_list, required_str, str_list, str_map, str_or_empty,
    string_literal, Read,
};
use crate::core::prom::{sentence, snippet, Labels, Status};
use crate::core::time::parse_rfc3339;
use crate::core::url::with_query;

/// `<base>/api/v2/alerts`, every state included (Alertmanager's defaults: active, silenced,
/// inhibited and unprocessed), narrowed by equality matchers when `matchers` is not empty
/// (`filter=alertname="HighErrorRate"`, values quoted so that a quote or comma stays inside).
pub fn alerts_url(base_url: &str, matchers: &[(&str, &str)]) -> String {
    let filters: Vec<String> = matchers
        .iter()
        .map(|(name, value)| format!("{name}={}", string_literal(value)))
        .collect();
    let params: Vec<(&str, &str)> = filters.iter().map(|f| ("filter", f.as_str())).collect();
    with_query(base_url, "/api/v2/alerts", &params)
}

/// `<base>/api/v2/silences`: every silence Alertmanager still holds (active, pending, and
/// expired ones until their retention ends).
pub fn silences_url(base_url: &str) -> String {
    with_query(base_url, "/api/v2/silences", &[])
}

/// `<base>/api/v2/status`: version, cluster and uptime.
pub fn status_url(base_url: &str) -> String {
    with_query(base_url, "/api/v2/status", &[])
}

/// Why an Alertmanager request produced no usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(kind, url.as_deref()))]
pub struct AlertmanagerError {
    pub kind: AlertmanagerErrorKind,
    /// The URL asked, added by [`AlertmanagerError::at_url`], so that the message can say which
    /// Alertmanager failed.
    pub url: Option<String>,
}

/// What went wrong, in the terms an operator acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertmanagerErrorKind {
    /// No HTTP answer: connection refused, DNS, TLS or a CORS refusal. Built by the shell.
    Unreachable { url: String, detail: String },
    /// Cancelled because a newer request replaced it. Not an error to show.
    Aborted,
    /// A non-2xx answer that is not Alertmanager's own error (a proxy, a wrong path).
    Http { status: u16, snippet: String },
    /// Alertmanager's own error: a 4xx/5xx whose body is a JSON string (the OpenAPI
    /// `BadRequest` and `InternalServerError`) or go-swagger's `{"code", "message"}`.
    Api { status: u16, message: String },
    /// A 2xx answer that is not JSON (a login page, the UI's index.html).
    NotJson { status: u16, snippet: String },
    /// JSON, but not this endpoint's shape.
    Decode { detail: String },
}

impl AlertmanagerError {
    /// A request that got no HTTP answer.
    pub fn unreachable(url: &str, detail: &str) -> Self {
        AlertmanagerErrorKind::Unreachable {
            url: url.to_owned(),
            detail: detail.to_owned(),
        }
        .into()
    }

    /// A request cancelled because a newer one made it stale.
    pub fn aborted() -> Self {
        AlertmanagerErrorKind::Aborted.into()
    }

    /// The same error, saying which URL it came from.
    pub fn at_url(mut self, url: &str) -> Self {
        self.url = Some(url.to_owned());
        self
    }

    /// True for a cancelled request, which the UI does not show as an error.
    pub fn is_aborted(&self) -> bool {
        matches!(self.kind, AlertmanagerErrorKind::Aborted)
    }
}

impl From<AlertmanagerErrorKind> for AlertmanagerError {
    fn from(kind: AlertmanagerErrorKind) -> Self {
        Self { kind, url: None }
    }
}

fn render(kind: &AlertmanagerErrorKind, url: Option<&str>) -> String {
    let subject = match url {
        Some(url) => format!("Alertmanager at {url}"),
        None => "Alertmanager".to_owned(),
    };
    match kind {
        AlertmanagerErrorKind::Unreachable { url, detail } => {
            let detail = match detail.trim() {
                "" => String::new(),
                d => format!(" ({d})"),
            };
            format!(
                "Could not reach Alertmanager at {url}{detail}. Check that it is running, that \
                 the URL is right, and that it allows requests from this page (CORS)."
            )
        }
        AlertmanagerErrorKind::Aborted => {
            format!("The request to {subject} was cancelled because a newer one replaced it.")
        }
        AlertmanagerErrorKind::Http { status, snippet } if snippet.is_empty() => {
            format!("{subject} answered {} with an empty body.", Status(*status))
        }
        AlertmanagerErrorKind::Http { status, snippet } => {
            format!("{subject} answered {}: {snippet}", Status(*status))
        }
        AlertmanagerErrorKind::Api { status, message } => format!(
            "{subject} reported an error ({}): {}",
            Status(*status),
            sentence(message)
        ),
        AlertmanagerErrorKind::NotJson { status, snippet } => format!(
            "{subject} answered {} with a body that is not JSON (a login page or a proxy may be \
             in the way): {snippet}",
            Status(*status)
        ),
        AlertmanagerErrorKind::Decode { detail } => format!(
            "{subject} answered JSON that is not what this request expects ({detail}). Check \
             that the URL points at the Alertmanager API (v2)."
        ),
    }
}

/// What Alertmanager is doing with an alert (`status.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertmanagerState {
    /// Received, not yet through the pipeline (silences and inhibitions not applied yet).
    Unprocessed,
    /// Neither silenced nor inhibited: notifications go to its receivers.
    Active,
    /// Silenced, inhibited or muted by a time interval: no notification.
    Suppressed,
    /// A word this version does not know.
    #[default]
    Unknown,
}

impl AlertmanagerState {
    fn from_word(word: &str) -> Self {
        match word {
            "unprocessed" => Self::Unprocessed,
            "active" => Self::Active,
            "suppressed" => Self::Suppressed,
            _ => Self::Unknown,
        }
    }
}

/// One alert of `/api/v2/alerts` (`gettableAlert`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertmanagerAlert {
    pub fingerprint: String,
    /// Prometheus's alert labels plus its external labels.
    pub labels: Labels,
    pub annotations: Labels,
    /// Receiver names.
    pub receivers: Vec<String>,
    pub state: AlertmanagerState,
    /// Ids of the silences that silence it.
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    pub inhibited_by: Vec<String>,
    /// Names of the time intervals that mute it (newer Alertmanagers; empty before).
    pub muted_by: Vec<String>,
    pub starts_at_unix: Option<f64>,
    pub ends_at_unix: Option<f64>,
    pub generator_url: String,
}

/// A silence's state (`status.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SilenceState {
    Active,
    /// Starts in the future.
    Pending,
    Expired,
    #[default]
    Unknown,
}

/// One matcher of a silence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SilenceMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    /// `false` for `!=` and `!~`; absent means `true` (older Alertmanagers).
    pub is_equal: bool,
}

/// One silence of `/api/v2/silences` (`gettableSilence`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Silence {
    pub id: String,
    pub state: SilenceState,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at_unix: Option<f64>,
    pub ends_at_unix: Option<f64>,
    pub updated_at_unix: Option<f64>,
    pub created_by: String,
    pub comment: String,
}

/// `/api/v2/status`, the parts shown: version, cluster state and uptime.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertmanagerStatus {
    pub version: String,
    /// `ready`, `settling` or `disabled` (no cluster).
    pub cluster_status: String,
    pub cluster_name: String,
    /// Peer names.
    pub peers: Vec<String>,
    /// When it started.
    pub uptime_unix: Option<f64>,
}

/// `/api/v2/alerts`.
pub fn decode_alerts(
    http_status: u16,
    body: &str,
) -> Result<Vec<AlertmanagerAlert>, AlertmanagerError> {
    decode(http_status, body, |v| {
        read_items(v, "the alerts", read_alert)
    })
}

/// `/api/v2/silences`.
pub fn decode_silences(http_status: u16, body: &str) -> Result<Vec<Silence>, AlertmanagerError> {
    decode(http_status, body, |v| {
        read_items(v, "the silences", read_silence)
    })
}

/// `/api/v2/status`.
pub fn decode_status(
    http_status: u16,
    body: &str,
) -> Result<AlertmanagerStatus, AlertmanagerError> {
    decode(http_status, body, read_status)
}

/// The status and body of any endpoint, read by `read` when it is a 2xx JSON answer.
fn decode<T>(
    http_status: u16,
    body: &str,
    read: impl FnOnce(&Value) -> Read<T>,
) -> Result<T, AlertmanagerError> {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&http_status) {
        let message = match &parsed {
            Some(Value::String(message)) => Some(message.clone()),
            Some(v @ Value::Object(_)) => opt_str(v, "message").ok().flatten().map(str::to_owned),
            _ => None,
        };
        let kind = match message {
            Some(message) => AlertmanagerErrorKind::Api {
                status: http_status,
                message,
            },
            None => AlertmanagerErrorKind::Http {
                status: http_status,
                snippet: snippet(body),
            },
        };
        return Err(kind.into());
    }
    let Some(value) = parsed else {
        return Err(AlertmanagerErrorKind::NotJson {
            status: http_status,
            snippet: snippet(body),
        }
        .into());
    };
    read(&value).map_err(|shape| AlertmanagerErrorKind::Decode { detail: shape.0 }.into())
}

fn time(obj: &Value, key: &str) -> Read<Option<f64>> {
    Ok(opt_str(obj, key)?.and_then(parse_rfc3339))
}

fn read_alert(item: &Value) -> Read<AlertmanagerAlert> {
    let status = opt_object(item, "status")?;
    let from_status = |key| status.map_or(Ok(Vec::new()), |s| str_list(s, key));
    let state = match status {
        Some(s) => AlertmanagerState::from_word(str_or_empty(s, "state")?),
        None => AlertmanagerState::Unknown,
    };
    Ok(AlertmanagerAlert {
        fingerprint: str_or_empty(item, "fingerprint")?.to_owned(),
        labels: str_map(item, "labels")?,
        annotations: str_map(item, "annotations")?,
        receivers: read_list(item, "receivers", |r| {
            Ok(str_or_empty(r, "name")?.to_owned())
        })?,
        state,
        silenced_by: from_status("silencedBy")?,
        inhibited_by: from_status("inhibitedBy")?,
        muted_by: from_status("mutedBy")?,
        starts_at_unix: time(item, "startsAt")?,
        ends_at_unix: time(item, "endsAt")?,
        generator_url: str_or_empty(item, "generatorURL")?.to_owned(),
    })
}

fn read_silence(item: &Value) -> Read<Silence> {
    let state = match opt_object(item, "status")? {
        Some(s) => match str_or_empty(s, "state")? {
            "active" => SilenceState::Active,
            "pending" => SilenceState::Pending,
            "expired" => SilenceState::Expired,
            _ => SilenceState::Unknown,
        },
        None => SilenceState::Unknown,
    };
    Ok(Silence {
        id: required_str(item, "id")?.to_owned(),
        state,
        matchers: read_list(item, "matchers", read_matcher)?,
        starts_at_unix: time(item, "startsAt")?,
        ends_at_unix: time(item, "endsAt")?,
        updated_at_unix: time(item, "updatedAt")?,
        created_by: str_or_empty(item, "createdBy")?.to_owned(),
        comment: str_or_empty(item, "comment")?.to_owned(),
    })
}

fn read_matcher(item: &Value) -> Read<SilenceMatcher> {
    use crate::core::json::opt_bool;
    Ok(SilenceMatcher {
        name: str_or_empty(item, "name")?.to_owned(),
        value: str_or_empty(item, "value")?.to_owned(),
        is_regex: opt_bool(item, "isRegex")?.unwrap_or(false),
        is_equal: opt_bool(item, "isEqual")?.unwrap_or(true),
    })
}

fn read_status(v: &Value) -> Read<AlertmanagerStatus> {
    let version = opt_object(v, "versionInfo")?
        .map(|info| str_or_empty(info, "version").map(str::to_owned))
        .transpose()?
        .unwrap_or_default();
    let (mut cluster_status, mut cluster_name, mut peers) =
        (String::new(), String::new(), Vec::new());
    if let Some(cluster) = opt_object(v, "cluster")? {
        cluster_status = str_or_empty(cluster, "status")?.to_owned();
        cluster_name = str_or_empty(cluster, "name")?.to_owned();
        peers = read_list(
            cluster,
            "peers",
            |p| Ok(str_or_empty(p, "name")?.to_owned()),
        )?;
    }
    Ok(AlertmanagerStatus {
        version,
        cluster_status,
        cluster_name,
        peers,
        uptime_unix: time(v, "uptime")?,
    })
}

/// Where one of Prometheus's alerts is in Alertmanager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Alertmanager does not hold it: Prometheus has not sent it (a pending alert, a Prometheus
    /// without Alertmanager), or it resolved and was dropped.
    NotReceived,
    Unprocessed,
    /// Notifications go to its receivers.
    Active,
    /// Silenced, inhibited or muted.
    Suppressed,
}

/// A silence that silences the alert. When the silence is not in the list of silences (fetched
/// at another moment), only `id` is known and the rest is empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SilenceRef {
    pub id: String,
    pub created_by: String,
    pub ends_at_unix: Option<f64>,
    pub comment: String,
}

/// An alert that inhibits it; `labels` is `None` when the inhibiting alert is not in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Inhibitor {
    pub fingerprint: String,
    pub labels: Option<Labels>,
}

impl Inhibitor {
    /// The inhibiting alert's `alertname`, when known.
    pub fn alertname(&self) -> Option<&str> {
        self.labels.as_ref()?.get("alertname").map(String::as_str)
    }
}

/// What Alertmanager did with one of Prometheus's alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertLookup {
    pub delivery: Delivery,
    pub silenced_by: Vec<SilenceRef>,
    pub inhibited_by: Vec<Inhibitor>,
    /// Time intervals muting it.
    pub muted_by: Vec<String>,
    pub receivers: Vec<String>,
}

/// Looks up a Prometheus alert, by its labels, among Alertmanager's alerts. An Alertmanager
/// alert is the same alert when it holds every one of the Prometheus alert's labels with the
/// same value (Alertmanager's also carry Prometheus's external labels). When several match
/// (several Prometheus replicas with different external labels), their silences, inhibitors,
/// mutes and receivers are merged (each once, in the order first seen) and the delivery is the
/// most visible one: active over suppressed over unprocessed, since one active copy notifies.
pub fn lookup(
    prometheus_labels: &Labels,
    alerts: &[AlertmanagerAlert],
    silences: &[Silence],
) -> AlertLookup {
    let mut found = AlertLookup {
        delivery: Delivery::NotReceived,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        muted_by: Vec::new(),
        receivers: Vec::new(),
    };
    let same_alert = |a: &&AlertmanagerAlert| {
        prometheus_labels
            .iter()
            .all(|(k, v)| a.labels.get(k) == Some(v))
    };
    for alert in alerts.iter().filter(same_alert) {
        let delivery = match alert.state {
            AlertmanagerState::Active => Delivery::Active,
            AlertmanagerState::Suppressed => Delivery::Suppressed,
            AlertmanagerState::Unprocessed | AlertmanagerState::Unknown => Delivery::Unprocessed,
        };
        found.delivery = match (found.delivery, delivery) {
            (Delivery::Active, _) | (_, Delivery::Active) => Delivery::Active,
            (Delivery::Suppressed, _) | (_, Delivery::Suppressed) => Delivery::Suppressed,
            _ => Delivery::Unprocessed,
        };
        for id in &alert.silenced_by {
            if found.silenced_by.iter().all(|s| &s.id != id) {
                found.silenced_by.push(silence_ref(id, silences));
            }
        }
        for fingerprint in &alert.inhibited_by {
            if found
                .inhibited_by
                .iter()
                .all(|i| &i.fingerprint != fingerprint)
            {
                let labels = alerts
                    .iter()
                    .find(|a| &a.fingerprint == fingerprint)
                    .map(|a| a.labels.clone());
                found.inhibited_by.push(Inhibitor {
                    fingerprint: fingerprint.clone(),
                    labels,
                });
            }
        }
        push_new(&mut found.muted_by, &alert.muted_by);
        push_new(&mut found.receivers, &alert.receivers);
    }
    found
}

fn silence_ref(id: &str, silences: &[Silence]) -> SilenceRef {
    match silences.iter().find(|s| s.id == id) {
        Some(s) => SilenceRef {
            id: s.id.clone(),
            created_by: s.created_by.clone(),
            ends_at_unix: s.ends_at_unix,
            comment: s.comment.clone(),
        },
        None => SilenceRef {
            id: id.to_owned(),
            ..SilenceRef::default()
        },
    }
}

fn push_new(into: &mut Vec<String>, items: &[String]) {
    for item in items {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls() {
        assert_eq!(
            alerts_url("http://am:9093", &[]),
            "http://am:9093/api/v2/alerts"
        );
        assert_eq!(
            alerts_url("/alertmanager", &[("alertname", "High\"ErrorRate,x")]),
            "/alertmanager/api/v2/alerts?filter=alertname%3D%22High%5C%22ErrorRate%2Cx%22"
        );
        assert_eq!(
            alerts_url("/am", &[("a", "1"), ("b", "2")]),
            "/am/api/v2/alerts?filter=a%3D%221%22&filter=b%3D%222%22"
        );
        assert_eq!(silences_url("/am"), "/am/api/v2/silences");
        assert_eq!(status_url("/am"), "/am/api/v2/status");
    }

    /// Shaped as api/v2/openapi.yaml's `gettableAlerts`.
    const ALERTS: &str = r#"[
      {"annotations": {"summary": "5xx > 5 %"},
       "endsAt": "2026-11-24T17:00:00.000Z", "fingerprint": "a1",
       "receivers": [{"name": "pager"}, {"name": "chat"}],
       "startsAt": "2026-11-24T16:30:00.000Z",
       "status": {"inhibitedBy": ["b2"], "silencedBy": ["s1", "gone"], "state": "suppressed"},
       "updatedAt": "2026-11-24T16:45:00.000Z", "generatorURL": "http://prom/graph?g0.expr=x",
       "labels": {"alertname": "HighErrorRate", "severity": "critical", "replica": "a"}},
      {"annotations": {}, "endsAt": "2026-11-24T17:00:00Z", "fingerprint": "b2",
       "receivers": [{"name": "pager"}], "startsAt": "2026-11-24T16:00:00Z",
       "status": {"inhibitedBy": [], "silencedBy": [], "state": "active", "mutedBy": []},
       "updatedAt": "2026-11-24T16:45:00Z", "labels": {"alertname": "ServiceDown"}}
    ]"#;

    const SILENCES: &str = r#"[
      {"id": "s1", "status": {"state": "active"}, "updatedAt": "2026-11-24T16:31:00Z",
       "matchers": [{"name": "alertname", "value": "HighErrorRate", "isRegex": false, "isEqual": true},
                    {"name": "replica", "value": "a|b", "isRegex": true}],
       "startsAt": "2026-11-24T16:31:00Z", "endsAt": "2026-11-24T18:31:00Z",
       "createdBy": "ana", "comment": "deploy in progress"}
    ]"#;

    use crate::core::prom::test_labels as labels;

    #[test]
    fn alerts_and_silences_decode_from_the_documented_shape() {
        let alerts = decode_alerts(200, ALERTS).unwrap();
        assert_eq!(alerts.len(), 2);
        let a = &alerts[0];
        assert_eq!(a.fingerprint, "a1");
        assert_eq!(a.state, AlertmanagerState::Suppressed);
        assert_eq!(a.receivers, ["pager", "chat"]);
        assert_eq!(a.silenced_by, ["s1", "gone"]);
        assert_eq!(a.inhibited_by, ["b2"]);
        assert!(a.muted_by.is_empty());
        assert_eq!(a.starts_at_unix, Some(1_795_537_800.0));
        assert_eq!(
            a.annotations.get("summary").map(String::as_str),
            Some("5xx > 5 %")
        );
        let silences = decode_silences(200, SILENCES).unwrap();
        assert_eq!(silences[0].state, SilenceState::Active);
        assert_eq!(
            silences[0].matchers[1],
            SilenceMatcher {
                name: "replica".into(),
                value: "a|b".into(),
                is_regex: true,
                is_equal: true
            }
        );
        assert_eq!(silences[0].ends_at_unix, Some(1_795_545_060.0));
        assert_eq!(decode_silences(200, "[]"), Ok(vec![]));
    }

    #[test]
    fn status_decodes() {
        let body = r#"{"cluster": {"name": "01H", "status": "ready", "peers": [{"name": "01H", "address": "10.0.0.1:9094"}]},
                       "versionInfo": {"version": "0.28.1", "revision": "x", "branch": "HEAD", "buildUser": "u", "buildDate": "d", "goVersion": "go1.23"},
                       "config": {"original": "global: {}"}, "uptime": "2026-11-24T16:00:00.000Z"}"#;
        assert_eq!(
            decode_status(200, body),
            Ok(AlertmanagerStatus {
                version: "0.28.1".into(),
                cluster_status: "ready".into(),
                cluster_name: "01H".into(),
                peers: vec!["01H".into()],
                uptime_unix: Some(1_795_536_000.0),
            })
        );
    }

    #[test]
    fn errors_come_in_kinds() {
        let kind = |status, body| decode_silences(status, body).unwrap_err().kind;
        assert_eq!(
            kind(400, r#""bad matcher format: {""#),
            AlertmanagerErrorKind::Api {
                status: 400,
                message: "bad matcher format: {".into()
            }
        );
        assert_eq!(
            kind(422, r#"{"code": 602, "message": "endsAt in the past"}"#),
            AlertmanagerErrorKind::Api {
                status: 422,
                message: "endsAt in the past".into()
            }
        );
        assert_eq!(
            kind(502, "<html>Bad Gateway</html>"),
            AlertmanagerErrorKind::Http {
                status: 502,
                snippet: "<html>Bad Gateway</html>".into()
            }
        );
        assert_eq!(
            kind(200, "<!doctype html><title>Alertmanager</title>"),
            AlertmanagerErrorKind::NotJson {
                status: 200,
                snippet: "<!doctype html><title>Alertmanager</title>".into()
            }
        );
        assert!(matches!(
            kind(200, r#"{"data": []}"#),
            AlertmanagerErrorKind::Decode { .. }
        ));
        assert!(
            matches!(
                kind(200, r#"[{"status": {}}]"#),
                AlertmanagerErrorKind::Decode { .. }
            ),
            "no id"
        );
        let message = decode_alerts(503, "")
            .unwrap_err()
            .at_url("http://am:9093")
            .to_string();
        assert_eq!(message, "Alertmanager at http://am:9093 answered HTTP 503 Service Unavailable with an empty body.");
        assert!(AlertmanagerError::aborted().is_aborted());
        assert!(AlertmanagerError::unreachable("http://am", "")
            .to_string()
            .contains("CORS"));
    }

    #[test]
    fn lookup_says_what_alertmanager_did() {
        let alerts = decode_alerts(200, ALERTS).unwrap();
        let silences = decode_silences(200, SILENCES).unwrap();
        let found = lookup(
            &labels(&[("alertname", "HighErrorRate"), ("severity", "critical")]),
            &alerts,
            &silences,
        );
        assert_eq!(found.delivery, Delivery::Suppressed);
        assert_eq!(
            found.silenced_by,
            [
                SilenceRef {
                    id: "s1".into(),
                    created_by: "ana".into(),
                    ends_at_unix: Some(1_795_545_060.0),
                    comment: "deploy in progress".into()
                },
                SilenceRef {
                    id: "gone".into(),
                    ..SilenceRef::default()
                },
            ]
        );
        assert_eq!(found.inhibited_by.len(), 1);
        assert_eq!(found.inhibited_by[0].alertname(), Some("ServiceDown"));
        assert_eq!(found.receivers, ["pager", "chat"]);

        let down = lookup(&labels(&[("alertname", "ServiceDown")]), &alerts, &silences);
        assert_eq!(
            (down.delivery, down.receivers.as_slice()),
            (Delivery::Active, &["pager".to_owned()][..])
        );
        assert!(down.silenced_by.is_empty() && down.inhibited_by.is_empty());

        let pending = lookup(&labels(&[("alertname", "HighLatency")]), &alerts, &silences);
        assert_eq!(pending.delivery, Delivery::NotReceived);
        // A label the Alertmanager copy does not have, or has with another value: not the same alert.
        let other = lookup(
            &labels(&[("alertname", "HighErrorRate"), ("severity", "warning")]),
            &alerts,
            &silences,
        );
        assert_eq!(other.delivery, Delivery::NotReceived);
    }

    #[test]
    fn replicas_merge_and_one_active_copy_wins() {
        let copy = |fingerprint: &str, replica: &str, state, silenced: &[&str]| AlertmanagerAlert {
            fingerprint: fingerprint.into(),
            labels: labels(&[("alertname", "X"), ("replica", replica)]),
            state,
            silenced_by: silenced.iter().map(|s| s.to_string()).collect(),
            receivers: vec!["pager".into()],
            ..AlertmanagerAlert::default()
        };
        let alerts = [
            copy("1", "a", AlertmanagerState::Suppressed, &["s"]),
            copy("2", "b", AlertmanagerState::Active, &[]),
            copy("3", "c", AlertmanagerState::Suppressed, &["s"]),
        ];
        let found = lookup(&labels(&[("alertname", "X")]), &alerts, &[]);
        assert_eq!(found.delivery, Delivery::Active);
        assert_eq!(found.silenced_by.len(), 1);
        assert_eq!(found.receivers, ["pager"]);
        let unprocessed = [copy("4", "a", AlertmanagerState::Unprocessed, &[])];
        assert_eq!(
            lookup(&Labels::new(), &unprocessed, &[]).delivery,
            Delivery::Unprocessed
        );
    }
}
