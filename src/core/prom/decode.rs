//! Turning an HTTP status and a body into an answer or a [`PromError`]: one generic envelope
//! decoder, and one thin function per endpoint family.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;

use super::error::PromError;
use super::sample::Labels;
use super::types::{
    AlertmanagersData, AlertsData, BuildInfo, ExemplarSeries, MetadataData, QueryData, RulesData,
    RuntimeInfo, ScrapePoolsData, Series, SeriesData, TargetsData,
};

/// A successful answer: the data, and the annotations Prometheus returned beside it. Warnings
/// and infos (e.g. `PromQL info: metric might not be a counter, …`) are shown next to the data;
/// they do not make it an error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer<T> {
    pub data: T,
    pub warnings: Vec<String>,
    pub infos: Vec<String>,
}

impl<T> Answer<T> {
    /// The same annotations around other data.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Answer<U> {
        Answer {
            data: f(self.data),
            warnings: self.warnings,
            infos: self.infos,
        }
    }
}

/// `{status, data, errorType, error, warnings, infos}`, decoded in one pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    warnings: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    infos: Vec<String>,
}

/// The envelope without its data, to recognise an error whose `data` has another shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorEnvelope {
    status: String,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Decodes any Prometheus API answer. The checks, in order:
/// 1. a Prometheus envelope with `"status":"error"` → `Api`, whatever the HTTP status;
/// 2. a status that is not 2xx → `Http`;
/// 3. a body that is not JSON (or is empty) → `NotJson`;
/// 4. JSON that does not have the expected shape, that is cut off, or whose `status` is not
///    `"success"` → `Decode`.
pub fn decode_envelope<T: DeserializeOwned>(
    http_status: u16,
    body: &str,
) -> Result<Answer<T>, PromError> {
    let as_error = || match serde_json::from_str::<ErrorEnvelope>(body) {
        Ok(e) if e.status == "error" => Some(PromError::api(e.error_type, e.error)),
        _ => None,
    };
    if !(200..300).contains(&http_status) {
        return Err(as_error().unwrap_or_else(|| PromError::http(http_status, body)));
    }
    // The common case costs one pass over the body; the fallbacks run only on failure.
    match serde_json::from_str::<Envelope<T>>(body) {
        Ok(envelope) => match (envelope.status.as_str(), envelope.data) {
            ("error", _) => Err(PromError::api(envelope.error_type, envelope.error)),
            ("success", Some(data)) => Ok(Answer {
                data,
                warnings: envelope.warnings,
                infos: envelope.infos,
            }),
            ("success", None) => Err(PromError::decode("the answer has no `data`")),
            (other, _) => Err(PromError::decode(format!("unexpected status \"{other}\""))),
        },
        Err(shape) => Err(as_error().unwrap_or_else(|| match shape.classify() {
            _ if body.trim().is_empty() => PromError::not_json(http_status, body),
            Category::Syntax | Category::Io => PromError::not_json(http_status, body),
            Category::Eof => PromError::decode(format!(
                "the JSON ends early, as if the answer was cut off: {shape}"
            )),
            Category::Data if !body.trim_start().starts_with('{') => {
                PromError::decode("the body is JSON, but not an object with `status` and `data`")
            }
            Category::Data => PromError::decode(shape.to_string()),
        })),
    }
}

/// `/api/v1/query`: an instant query, any result type.
pub fn decode_query(http_status: u16, body: &str) -> Result<Answer<QueryData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/query_range`: must be a matrix; any other result type is a `Decode` error.
pub fn decode_query_range(http_status: u16, body: &str) -> Result<Answer<Vec<Series>>, PromError> {
    let Answer {
        data,
        warnings,
        infos,
    } = decode_query(http_status, body)?;
    match data {
        QueryData::Matrix(series) => Ok(Answer {
            data: series,
            warnings,
            infos,
        }),
        other => Err(PromError::decode(format!(
            "a range query must answer a matrix, but this one answered a {}",
            other.result_type()
        ))),
    }
}

/// `/api/v1/labels` (label names) and `/api/v1/label/<name>/values` (label values; with
/// `__name__`, the metric names).
pub fn decode_label_values(http_status: u16, body: &str) -> Result<Answer<Vec<String>>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/series`.
pub fn decode_series(http_status: u16, body: &str) -> Result<Answer<SeriesData>, PromError> {
    decode_envelope::<Vec<Labels>>(http_status, body)
}

/// `/api/v1/metadata`.
pub fn decode_metadata(http_status: u16, body: &str) -> Result<Answer<MetadataData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/query_exemplars`.
pub fn decode_exemplars(
    http_status: u16,
    body: &str,
) -> Result<Answer<Vec<ExemplarSeries>>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/targets`.
pub fn decode_targets(http_status: u16, body: &str) -> Result<Answer<TargetsData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/scrape_pools`.
pub fn decode_scrape_pools(
    http_status: u16,
    body: &str,
) -> Result<Answer<ScrapePoolsData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/rules`.
pub fn decode_rules(http_status: u16, body: &str) -> Result<Answer<RulesData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/alerts`.
pub fn decode_alerts(http_status: u16, body: &str) -> Result<Answer<AlertsData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/alertmanagers`.
pub fn decode_alertmanagers(
    http_status: u16,
    body: &str,
) -> Result<Answer<AlertmanagersData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/status/buildinfo`.
pub fn decode_buildinfo(http_status: u16, body: &str) -> Result<Answer<BuildInfo>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/status/runtimeinfo`.
pub fn decode_runtimeinfo(http_status: u16, body: &str) -> Result<Answer<RuntimeInfo>, PromError> {
    decode_envelope(http_status, body)
}
