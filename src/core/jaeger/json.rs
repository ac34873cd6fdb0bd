//! The Jaeger-only readers, on top of the shared ones of [`crate::core::json`] (re-exported here
//! for the v1 and api_v3 decoders): attributes from untyped JSON, and values kept as text.

use serde_json::Value;

pub(crate) use crate::core::json::*;

use super::error::JaegerError;
use super::model::AttrValue;

impl From<Shape> for JaegerError {
    fn from(shape: Shape) -> Self {
        JaegerError::decode(shape.0)
    }
}

/// An attribute from untyped JSON (a v1 tag without a known type).
pub(crate) fn json_to_attr(value: &Value) -> AttrValue {
    match value {
        Value::Bool(b) => AttrValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => AttrValue::Str(s.clone()),
        Value::Null => AttrValue::Str(String::new()),
        Value::Array(values) => AttrValue::Array(values.iter().map(json_to_attr).collect()),
        Value::Object(map) => AttrValue::KvList(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_attr(v)))
                .collect(),
        ),
    }
}

/// A value kept as text (one that does not fit its declared type): a string as it is, a number
/// as the JSON wrote it, `true`, `false` or `null`; a list or an object as [`AttrValue`] displays
/// it (`[1, 2]`, `{k: v}`): writing it back as JSON would take serde_json's serializer, several
/// KB of wasm for values no Jaeger sends.
pub(crate) fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        // serde_json's own `Number` display would add its float printer (with a 10 KB table).
        Value::Number(n) => match n.as_u64() {
            Some(u) => u.to_string(),
            None => json_to_attr(value).to_string(),
        },
        Value::Null => "null".to_owned(),
        other => json_to_attr(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_kept_as_text_and_shape_errors_as_decode_errors() {
        let text = |json: &str| json_text(&serde_json::from_str(json).unwrap());
        assert_eq!(
            [
                text(r#""s""#),
                text("-5"),
                text("1.5e300"),
                text("true"),
                text("null")
            ],
            ["s", "-5", "1.5e300", "true", "null"]
        );
        assert_eq!(text(r#"[1,{"a":"b"}]"#), "[1, {a: b}]");
        assert!(matches!(
            JaegerError::from(Shape("x".into())).kind,
            super::super::JaegerErrorKind::Decode { .. }
        ));
    }
}
