//! Turning an HTTP status and a body into an answer or a [`PromError`]: one envelope decoder,
//! the same code for every endpoint (not generic over the type of `data`), and one thin function
//! per endpoint family.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer as _};
use serde_json::error::Category;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::core::json::{
    field, items, opt_str, read_items, read_list, required_str, str_list, str_map, str_or_empty,
    string_map, strings, Read, Shape,
};

use super::error::PromError;
use super::types::{
    read_alert, read_rules, AlertmanagersData, AlertsData, BuildInfo, Exemplar, ExemplarSeries,
    MetadataData, QueryData, RulesData, RuntimeInfo, ScrapePoolsData, Series, SeriesData,
    TargetsData,
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

/// How the envelope hands its `data` over to the decoder of an endpoint.
pub(crate) enum Data<'a> {
    /// Parsed into a [`Value`], for the small answers (label values, …), then walked by the
    /// shared readers of [`crate::core::json`].
    Value(Value),
    /// A query's `data`: its `resultType`, and its `result` as raw JSON text. `result` may come
    /// before `resultType` (the OpenAPI examples do that), so it is parsed only once the type is
    /// known: by the streaming readers of [`super::sample`], never into a `Value` (a matrix can
    /// hold millions of points).
    Query(String, &'a RawValue),
    /// As raw JSON text, for [`decode_envelope`].
    Raw(&'a RawValue),
}

/// What to make of `data`: [`Data`], or nothing (to recognise an error envelope).
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Nothing,
    Value,
    Query,
    Raw,
}

/// The decoder of one endpoint's `data`; it keeps what it decoded. An error is a message without
/// a position: the envelope adds where in the body it was.
type DataDecoder<'a> = &'a mut dyn FnMut(Data<'_>) -> Result<(), String>;

/// The note of an answer VictoriaMetrics marks `"isPartial": true`.
pub const PARTIAL_NOTE: &str =
    "partial answer: some of the backend's storage nodes did not answer, so the numbers may be short";

/// The envelope's fields besides `data`, read by [`EnvelopeVisitor`].
struct Envelope {
    status: String,
    error_type: Option<String>,
    error: Option<String>,
    warnings: Vec<String>,
    infos: Vec<String>,
    has_data: bool,
}

/// `{status, data, errorType, error, warnings, infos}`, read in one pass and by one non-generic
/// visitor whatever the type of `data`: the small fields as [`Value`]s (walked by the shared
/// readers once the object is read, so that a shape error names the field), `data` handed to
/// `decode` as soon as it is read. Unknown keys are skipped.
struct EnvelopeVisitor<'a> {
    want: Want,
    decode: Option<DataDecoder<'a>>,
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `status` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Envelope, A::Error> {
        let mut fields = Map::new();
        let mut has_data = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => {
                    let data = map.next_value_seed(DataSeed(self.want))?;
                    has_data = data.is_some();
                    if let (Some(data), Some(decode)) = (data, self.decode.as_mut()) {
                        decode(data).map_err(de::Error::custom)?;
                    }
                }
                "status" | "errorType" | "error" | "warnings" | "infos" | "isPartial" => {
                    fields.insert(key, map.next_value::<Value>()?);
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let fields = Value::Object(fields);
        let read = || -> Read<Envelope> {
            let status = str_or_empty(&fields, "status")?.to_owned();
            let error_type = opt_str(&fields, "errorType")?.map(str::to_owned);
            let error = opt_str(&fields, "error")?.map(str::to_owned);
            // An error envelope is recognised whatever the rest holds.
            let is_error = status == "error";
            let notes = |key| match is_error {
                true => Ok(Vec::new()),
                false => str_list(&fields, key),
            };
            let mut warnings = notes("warnings")?;
            // VictoriaMetrics cluster's way of saying what Thanos says in a warning.
            if !is_error && fields.get("isPartial") == Some(&Value::Bool(true)) {
                warnings.push(PARTIAL_NOTE.to_owned());
            }
            Ok(Envelope {
                warnings,
                infos: notes("infos")?,
                status,
                error_type,
                error,
                has_data,
            })
        };
        match fields.get("status") {
            None => Err(de::Error::missing_field("status")),
            Some(_) => read().map_err(|shape| de::Error::custom(shape.0)),
        }
    }
}

/// Reads `data` as [`Want`] says; `None` for `null` (and for [`Want::Nothing`]).
struct DataSeed(Want);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = Option<Data<'de>>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(match self.0 {
            Want::Nothing => {
                de::IgnoredAny::deserialize(d)?;
                None
            }
            Want::Value => Some(Value::deserialize(d)?)
                .filter(|v| !v.is_null())
                .map(Data::Value),
            Want::Raw => Some(<&RawValue>::deserialize(d)?)
                .filter(|raw| raw.get() != "null")
                .map(Data::Raw),
            Want::Query => d
                .deserialize_any(QueryVisitor)?
                .map(|(result_type, result)| Data::Query(result_type, result)),
        })
    }
}

/// A query's `data`: `{resultType, result}`, or `[resultType, result]` as serde's derived structs
/// also accepted; `None` for `null`. `result` is kept as raw JSON text.
struct QueryVisitor;

impl<'de> Visitor<'de> for QueryVisitor {
    type Value = Option<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a query result {\"resultType\", \"result\"}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut result_type, mut result) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resultType" => result_type = Some(map.next_value()?),
                "result" => result = Some(map.next_value()?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let result_type = result_type.ok_or_else(|| de::Error::missing_field("resultType"))?;
        let result = result.ok_or_else(|| de::Error::missing_field("result"))?;
        Ok(Some((result_type, result)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let result_type = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let result = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(Some((result_type, result)))
    }
}

/// Reads the envelope of `body`: `Ok` when the body is one JSON object with a readable `status`
/// and `decode` took its `data` (when there was some).
fn read_envelope(
    body: &str,
    want: Want,
    decode: Option<DataDecoder<'_>>,
) -> Result<Envelope, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let envelope = deserializer.deserialize_map(EnvelopeVisitor { want, decode })?;
    deserializer.end()?;
    Ok(envelope)
}

/// Decodes any Prometheus API answer, its `data` handed to `decode` as `want` says. The checks,
/// in order:
/// 1. a Prometheus envelope with `"status":"error"` → `Api`, whatever the HTTP status;
/// 2. a status that is not 2xx → `Http`;
/// 3. a body that is not JSON (or is empty) → `NotJson`;
/// 4. JSON that does not have the expected shape, that is cut off, or whose `status` is not
///    `"success"` → `Decode`.
///
/// Not generic: one copy in the wasm build serves every endpoint. It returns the warnings and
/// infos; the data is where `decode` put it.
fn decode_answer(
    http_status: u16,
    body: &str,
    want: Want,
    decode: DataDecoder<'_>,
) -> Result<(Vec<String>, Vec<String>), PromError> {
    let as_error = || match read_envelope(body, Want::Nothing, None) {
        Ok(e) if e.status == "error" => Some(PromError::api(e.error_type, e.error)),
        _ => None,
    };
    if !(200..300).contains(&http_status) {
        return Err(as_error().unwrap_or_else(|| PromError::http(http_status, body)));
    }
    // The common case costs one pass over the body; the fallbacks run only on failure.
    match read_envelope(body, want, Some(decode)) {
        Ok(envelope) => match (envelope.status.as_str(), envelope.has_data) {
            ("error", _) => Err(PromError::api(envelope.error_type, envelope.error)),
            ("success", true) => Ok((envelope.warnings, envelope.infos)),
            ("success", false) => Err(PromError::decode("the answer has no `data`")),
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

/// [`decode_answer`] with `data` read by `read` into an [`Answer`]. Generic, but only this thin
/// wrapper is copied per data type.
fn answer<T>(
    http_status: u16,
    body: &str,
    want: Want,
    read: fn(Data<'_>) -> Result<T, String>,
) -> Result<Answer<T>, PromError> {
    let mut data = None;
    let (warnings, infos) = decode_answer(http_status, body, want, &mut |raw| {
        data = Some(read(raw)?);
        Ok(())
    })?;
    match data {
        Some(data) => Ok(Answer {
            data,
            warnings,
            infos,
        }),
        None => Err(PromError::decode("the answer has no `data`")),
    }
}

/// Decodes any Prometheus API answer whose `data` serde can decode as `T` (see [`decode_answer`]
/// for how errors are classified). The endpoints' own decoders below are not generic.
pub fn decode_envelope<T: DeserializeOwned>(
    http_status: u16,
    body: &str,
) -> Result<Answer<T>, PromError> {
    answer(http_status, body, Want::Raw, |data| match data {
        Data::Raw(raw) => serde_json::from_str(raw.get()).map_err(|e| e.to_string()),
        _ => Err("unexpected data".to_owned()),
    })
}

/// `/api/v1/query`: an instant query, any result type.
pub fn decode_query(http_status: u16, body: &str) -> Result<Answer<QueryData>, PromError> {
    answer(http_status, body, Want::Query, |data| match data {
        Data::Query(result_type, result) => QueryData::read(&result_type, result),
        _ => Err("unexpected data".to_owned()),
    })
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
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(list) => strings(&list, "`data`").map_err(|shape| shape.0),
        _ => Err("unexpected data".to_owned()),
    })
}

/// `/api/v1/series`: a list of label sets, walked as a [`Value`].
pub fn decode_series(http_status: u16, body: &str) -> Result<Answer<SeriesData>, PromError> {
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(list) => label_sets(&list).map_err(|shape| shape.0),
        _ => Err("unexpected data".to_owned()),
    })
}

fn label_sets(list: &Value) -> Read<SeriesData> {
    let sets = items(list, "`data`")?;
    let mut out = Vec::with_capacity(sets.len());
    for (i, set) in sets.iter().enumerate() {
        out.push(string_map(set, &format!("data[{i}]"))?);
    }
    Ok(out)
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
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(list) => exemplar_series(&list).map_err(|shape| shape.0),
        _ => Err("unexpected data".to_owned()),
    })
}

/// `[{seriesLabels, exemplars: [{labels, value: "<sample value>", timestamp: <unix secs>}]}]`:
/// small answers, walked as a [`Value`].
fn exemplar_series(list: &Value) -> Read<Vec<ExemplarSeries>> {
    read_items(list, "`data`", |s| {
        Ok(ExemplarSeries {
            series_labels: str_map(s, "seriesLabels")?,
            exemplars: read_list(s, "exemplars", exemplar)?,
        })
    })
}

fn exemplar(e: &Value) -> Read<Exemplar> {
    let value = required_str(e, "value")?;
    Ok(Exemplar {
        labels: str_map(e, "labels")?,
        value: super::sample::parse_sample_value(value)
            .ok_or_else(|| Shape("`value` is not a sample value".to_owned()))?,
        t_secs: match field(e, "timestamp")? {
            Some(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
        .ok_or_else(|| Shape("`timestamp` is not a number".to_owned()))?,
    })
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

/// `/api/v1/rules`, flattened into one list of rules (see [`RulesData`]).
pub fn decode_rules(http_status: u16, body: &str) -> Result<Answer<RulesData>, PromError> {
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(data) => read_rules(&data).map_err(|shape| shape.0),
        _ => Err("unexpected data".to_owned()),
    })
}

/// `/api/v1/alerts`. The alerts view does not need it: `/api/v1/rules` carries each rule's
/// alerts.
pub fn decode_alerts(http_status: u16, body: &str) -> Result<Answer<AlertsData>, PromError> {
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(data) => Ok(AlertsData {
            alerts: read_list(&data, "alerts", read_alert).map_err(|shape| shape.0)?,
        }),
        _ => Err("unexpected data".to_owned()),
    })
}

/// `/api/v1/alertmanagers`.
pub fn decode_alertmanagers(
    http_status: u16,
    body: &str,
) -> Result<Answer<AlertmanagersData>, PromError> {
    decode_envelope(http_status, body)
}

/// `/api/v1/status/buildinfo`: a small object, walked as a [`Value`] (the sources panel asks it
/// in the browser, where a derived deserializer would cost more than these lines).
pub fn decode_buildinfo(http_status: u16, body: &str) -> Result<Answer<BuildInfo>, PromError> {
    answer(http_status, body, Want::Value, |data| match data {
        Data::Value(v) => build_info(&v).map_err(|shape| shape.0),
        _ => Err("unexpected data".to_owned()),
    })
}

fn build_info(v: &Value) -> Read<BuildInfo> {
    let s = |key: &str| str_or_empty(v, key).map(str::to_owned);
    Ok(BuildInfo {
        version: s("version")?,
        revision: s("revision")?,
        branch: s("branch")?,
        build_user: s("buildUser")?,
        build_date: s("buildDate")?,
        go_version: s("goVersion")?,
    })
}

/// `/api/v1/status/runtimeinfo`.
pub fn decode_runtimeinfo(http_status: u16, body: &str) -> Result<Answer<RuntimeInfo>, PromError> {
    decode_envelope(http_status, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::prom::PromErrorKind;

    fn detail(result: Result<Answer<impl fmt::Debug>, PromError>) -> String {
        match result.unwrap_err().kind {
            PromErrorKind::Decode { detail } => detail,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn envelope_fields_of_the_wrong_type_are_decode_errors_naming_the_field() {
        let body = r#"{"status":"success","data":["up"],"warnings":[1]}"#;
        assert!(detail(decode_label_values(200, body)).starts_with("`warnings` holds a number"));
        let body = r#"{"status":"success","data":["up"],"infos":"x"}"#;
        assert!(
            detail(decode_label_values(200, body)).starts_with("`infos` is a string, not a list")
        );
        let body = r#"{"status":5,"data":["up"]}"#;
        assert!(detail(decode_label_values(200, body)).starts_with("`status` is a number"));
        let body = r#"{"status":"success","data":["up",2]}"#;
        assert!(detail(decode_label_values(200, body)).starts_with("`data` holds a number"));
        let body = r#"{"status":"success","data":{"resultType":"matrix"}}"#;
        assert!(detail(decode_query(200, body)).starts_with("missing field `result`"));
        let body = r#"{"status":"success","data":[{"a":"b"},{"a":1}]}"#;
        assert!(detail(decode_series(200, body)).starts_with("`data[1].a` is a number"));
        let body = r#"{"status":"success","data":[{"a":"b"},"x"]}"#;
        assert!(detail(decode_series(200, body)).starts_with("`data[1]` is a string"));
        // `null` notes are none; an error envelope wins whatever its other fields hold.
        let body = r#"{"status":"success","data":["up"],"warnings":null,"extra":{"a":[1]}}"#;
        assert_eq!(decode_label_values(200, body).unwrap().data, ["up"]);
        let body = r#"{"status":"error","errorType":"bad_data","error":"e","warnings":5,"data":7}"#;
        assert!(matches!(
            decode_query(400, body).unwrap_err().kind,
            PromErrorKind::Api { .. }
        ));
        assert!(matches!(
            decode_query(200, body).unwrap_err().kind,
            PromErrorKind::Api { .. }
        ));
    }

    #[test]
    fn a_partial_answer_is_a_warning_beside_its_data() {
        // VictoriaMetrics cluster, some vmstorage nodes down.
        let body = r#"{"status":"success","isPartial":true,"data":{"resultType":"vector","result":[]},"warnings":["w"]}"#;
        let answer = decode_query(200, body).unwrap();
        assert_eq!(answer.warnings, ["w", PARTIAL_NOTE]);
        let whole = r#"{"status":"success","isPartial":false,"data":{"resultType":"vector","result":[]}}"#;
        assert!(decode_query(200, whole).unwrap().warnings.is_empty());
    }

    #[test]
    fn query_results_are_read_whatever_the_order_of_their_fields() {
        let body = r#"{"data":{"result":[{"value":[1,"2"],"metric":{"a":"b"}}],"resultType":"vector"},"status":"success"}"#;
        let QueryData::Vector(samples) = decode_query(200, body).unwrap().data else {
            panic!()
        };
        assert_eq!(samples[0].point.value, 2.0);
        assert_eq!(samples[0].labels.get("a").map(String::as_str), Some("b"));
        let body =
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#;
        assert!(detail(decode_query(200, body)).contains("neither `value` nor `histogram`"));
        let body =
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1}}]}}"#;
        assert!(detail(decode_query(200, body)).contains("`metric.a` is a number"));
    }
}
