//! Small readers over a parsed [`serde_json::Value`], shared by the decoders of the core: Jaeger's
//! v1 and api_v3 answers, Prometheus's small answers and envelope, and `config.json`.
//!
//! Why the decoders walk a `Value` instead of deriving `Deserialize` for types that mirror the
//! JSON: each body is parsed once, by serde_json's one `Value` parser, and the v1 and v3 shapes
//! are then read by plain functions that build the common model directly. Derived deserializers
//! are generic code, instantiated per struct, per field type and per `Option`/`Vec` wrapper; in
//! the wasm build they cost tens of KB gzip (the page has a hard size budget), these readers a few.
//!
//! The rules, the same for every field read: a missing key reads as the field's default (`""`,
//! `0`, an empty list, `None`); JSON `null` reads as missing for a list, an object or an optional
//! value, and is of the wrong type for a string or an integer with a default (as it was for the
//! serde-derived structs this replaced). A value of another JSON type, or a field read on
//! something that is not an object, is a shape error ([`Shape`]), which each decoder turns into
//! its own error. Fields the decoders do not use are not looked at.

use serde_json::Value;

use crate::core::str_map::StrMap;

/// A shape error: what in the JSON is not as expected. It is one `String` wide so that the many
/// `?` of the readers stay cheap; a decoder turns it into its own error (Jaeger's and
/// Prometheus's `Decode` kind, a config error).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape(pub String);

/// A read that fails with a shape error.
pub(crate) type Read<T> = Result<T, Shape>;

/// The value under `key` of the object `obj`, `null` included; `None` when the key is missing.
fn raw<'a>(obj: &'a Value, key: &str) -> Read<Option<&'a Value>> {
    match obj {
        Value::Object(map) => Ok(map.get(key)),
        _ => Err(Shape(format!(
            "expected an object with `{key}`, found {}",
            type_name(obj)
        ))),
    }
}

/// An optional value of any type (a number or a string, depending on the gateway); `None` when
/// missing or `null`.
pub(crate) fn field<'a>(obj: &'a Value, key: &str) -> Read<Option<&'a Value>> {
    Ok(raw(obj, key)?.filter(|v| !v.is_null()))
}

/// The value under `key`, which must pass `is` unless it is missing. `null` is missing for an
/// optional field and of the wrong type for a field with a default.
fn checked<'a>(
    obj: &'a Value,
    key: &str,
    expected: &str,
    is: fn(&Value) -> bool,
    optional: bool,
) -> Read<Option<&'a Value>> {
    match raw(obj, key)? {
        Some(Value::Null) if optional => Ok(None),
        Some(v) if !is(v) => Err(Shape(format!(
            "`{key}` is {}, not {expected}",
            type_name(v)
        ))),
        v => Ok(v),
    }
}

/// An optional string field; `None` when missing or `null`.
pub(crate) fn opt_str<'a>(obj: &'a Value, key: &str) -> Read<Option<&'a str>> {
    Ok(checked(obj, key, "a string", Value::is_string, true)?.and_then(Value::as_str))
}

/// A string field; `""` when missing.
pub(crate) fn str_or_empty<'a>(obj: &'a Value, key: &str) -> Read<&'a str> {
    let s = checked(obj, key, "a string", Value::is_string, false)?.and_then(Value::as_str);
    Ok(s.unwrap_or_default())
}

/// A string field that must be there (an id, a tag key).
pub(crate) fn required_str<'a>(obj: &'a Value, key: &str) -> Read<&'a str> {
    let s = checked(obj, key, "a string", Value::is_string, false)?.and_then(Value::as_str);
    s.ok_or_else(|| Shape(format!("`{key}` is missing")))
}

/// An optional integer field that fits `i64`; `None` when missing or `null`.
pub(crate) fn opt_int(obj: &Value, key: &str) -> Read<Option<i64>> {
    Ok(checked(obj, key, "an integer", is_i64, true)?.and_then(Value::as_i64))
}

/// An integer field that fits `i64`; `0` when missing.
pub(crate) fn int_or_zero(obj: &Value, key: &str) -> Read<i64> {
    let i = checked(obj, key, "an integer", is_i64, false)?.and_then(Value::as_i64);
    Ok(i.unwrap_or(0))
}

/// An optional non-negative integer field that fits `u64`; `None` when missing or `null`.
pub(crate) fn opt_u64(obj: &Value, key: &str) -> Read<Option<u64>> {
    let is_u64 = |v: &Value| v.as_u64().is_some();
    Ok(checked(obj, key, "a non-negative integer", is_u64, true)?.and_then(Value::as_u64))
}

/// An optional number field as `f64`; `None` when missing or `null`.
pub(crate) fn opt_f64(obj: &Value, key: &str) -> Read<Option<f64>> {
    Ok(checked(obj, key, "a number", Value::is_number, true)?.and_then(Value::as_f64))
}

/// Checks that `obj` is an object whose keys are all in `known` (for input where a typo must
/// not be silently ignored).
pub(crate) fn only_keys(obj: &Value, known: &[&str]) -> Read<()> {
    let Value::Object(map) = obj else {
        return Err(Shape(format!(
            "expected an object, found {}",
            type_name(obj)
        )));
    };
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(Shape(format!(
            "unknown field `{key}`, expected one of `{}`",
            known.join("`, `")
        ))),
    }
}

fn is_i64(v: &Value) -> bool {
    v.as_i64().is_some()
}

/// An optional boolean field; `None` when missing or `null`.
pub(crate) fn opt_bool(obj: &Value, key: &str) -> Read<Option<bool>> {
    Ok(checked(obj, key, "a boolean", Value::is_boolean, true)?.and_then(Value::as_bool))
}

/// A list field; empty when missing or `null` (proto3 JSON leaves empty lists out; Go writes
/// `null`).
pub(crate) fn list_or_empty<'a>(obj: &'a Value, key: &str) -> Read<&'a [Value]> {
    let list = checked(obj, key, "a list", Value::is_array, true)?.and_then(Value::as_array);
    Ok(list.map_or(&[][..], Vec::as_slice))
}

/// An optional object field; `None` when missing or `null`.
pub(crate) fn opt_object<'a>(obj: &'a Value, key: &str) -> Read<Option<&'a Value>> {
    checked(obj, key, "an object", Value::is_object, true)
}

/// Every item of a list field through `read`; empty when missing.
pub(crate) fn read_list<T>(obj: &Value, key: &str, read: fn(&Value) -> Read<T>) -> Read<Vec<T>> {
    read_each(list_or_empty(obj, key)?, read)
}

/// Every item of the list `list` through `read`; `what` names the list in a shape error.
pub(crate) fn read_items<T>(list: &Value, what: &str, read: fn(&Value) -> Read<T>) -> Read<Vec<T>> {
    read_each(items(list, what)?, read)
}

fn read_each<T>(items: &[Value], read: fn(&Value) -> Read<T>) -> Read<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(item)?);
    }
    Ok(out)
}

/// A list of strings; `what` names it in a shape error.
pub(crate) fn strings(list: &Value, what: &str) -> Read<Vec<String>> {
    let items = items(list, what)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str() {
            Some(s) => out.push(s.to_owned()),
            None => {
                return Err(Shape(format!(
                    "{what} holds {}, not only strings",
                    type_name(item)
                )))
            }
        }
    }
    Ok(out)
}

/// A list field of strings; empty when missing or `null`.
pub(crate) fn str_list(obj: &Value, key: &str) -> Read<Vec<String>> {
    match checked(obj, key, "a list", Value::is_array, true)? {
        Some(list) => strings(list, &format!("`{key}`")),
        None => Ok(Vec::new()),
    }
}

/// An object field whose values are all strings (a label set); empty when missing or `null`.
pub(crate) fn str_map(obj: &Value, key: &str) -> Read<StrMap> {
    match checked(obj, key, "an object", Value::is_object, true)? {
        Some(map) => string_map(map, key),
        None => Ok(StrMap::new()),
    }
}

/// An object whose values are all strings (a label set); `what` names it in a shape error.
pub(crate) fn string_map(obj: &Value, what: &str) -> Read<StrMap> {
    let Value::Object(map) = obj else {
        return Err(Shape(format!(
            "`{what}` is {}, not an object",
            type_name(obj)
        )));
    };
    let mut out = StrMap::new();
    for (name, value) in map {
        let Some(value) = value.as_str() else {
            return Err(Shape(format!(
                "`{what}.{name}` is {}, not a string",
                type_name(value)
            )));
        };
        out.insert(name.clone(), value.to_owned());
    }
    Ok(out)
}

/// The items of a list; `what` names it in a shape error.
pub(crate) fn items<'a>(list: &'a Value, what: &str) -> Read<&'a [Value]> {
    match list {
        Value::Array(items) => Ok(items),
        _ => Err(Shape(format!("{what} is {}, not a list", type_name(list)))),
    }
}

/// A list item that is a name (a service, a v1 operation).
pub(crate) fn name(item: &Value) -> Read<String> {
    item.as_str()
        .map(str::to_owned)
        .ok_or_else(|| Shape(format!("a name is {}, not a string", type_name(item))))
}

/// `None` for an empty string (a field Jaeger left empty).
pub(crate) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// `text` as a JSON string literal, escaped as serde_json writes it (`"`, `\\` and control
/// characters; `\u00XX` in lowercase hex for those without a short escape). Written here rather
/// than with serde_json's serializer, whose code the page would carry for these few strings.
pub(crate) fn string_literal(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let byte = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON type of `v`, for shape errors.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_read_as_defaults_and_other_types_are_shape_errors() {
        let v: Value =
            serde_json::from_str(r#"{"s":"x","n":null,"i":-3,"l":[1],"o":{},"big":1e30}"#).unwrap();
        assert_eq!(str_or_empty(&v, "s"), Ok("x"));
        assert_eq!(opt_str(&v, "n"), Ok(None));
        assert!(str_or_empty(&v, "n").is_err());
        assert_eq!(str_or_empty(&v, "absent"), Ok(""));
        assert_eq!(int_or_zero(&v, "i"), Ok(-3));
        assert_eq!(int_or_zero(&v, "absent"), Ok(0));
        assert_eq!(opt_f64(&v, "big"), Ok(Some(1e30)));
        assert_eq!(opt_f64(&v, "n"), Ok(None));
        assert!(opt_f64(&v, "s").is_err());
        assert_eq!(opt_int(&v, "n"), Ok(None));
        assert_eq!(list_or_empty(&v, "l").map(<[Value]>::len), Ok(1));
        assert_eq!(list_or_empty(&v, "n").map(<[Value]>::len), Ok(0));
        assert!(opt_object(&v, "o").unwrap().is_some());
        assert!(str_or_empty(&v, "i").is_err());
        assert!(int_or_zero(&v, "big").is_err());
        assert!(list_or_empty(&v, "o").is_err());
        assert!(required_str(&v, "n").is_err());
        assert!(field(&Value::from(5), "k").is_err());
        assert!(name(&Value::from(5)).is_err());
    }

    #[test]
    fn string_literals_are_escaped_as_serde_json_escapes_them() {
        let mut every_control: String = (0u8..0x20).map(char::from).collect();
        every_control.push_str("\u{7f}é\u{2028}😀/<>'");
        for text in ["", "plain", "a\"b\\c", "tab\tnew\nline\r", &every_control] {
            assert_eq!(
                string_literal(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn string_lists_and_maps_name_the_field_of_a_wrong_item() {
        let v: Value = serde_json::from_str(
            r#"{"l":["a","b"],"bad":["a",1],"m":{"k":"v"},"badm":{"k":2},"n":null}"#,
        )
        .unwrap();
        assert_eq!(str_list(&v, "l"), Ok(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(str_list(&v, "n"), Ok(vec![]));
        assert_eq!(str_list(&v, "absent"), Ok(vec![]));
        assert_eq!(
            str_list(&v, "bad"),
            Err(Shape("`bad` holds a number, not only strings".into()))
        );
        assert_eq!(
            str_list(&v, "m"),
            Err(Shape("`m` is an object, not a list".into()))
        );
        assert_eq!(
            strings(&Value::from("x"), "`data`"),
            Err(Shape("`data` is a string, not a list".into()))
        );
        let m = str_map(&v, "m").unwrap();
        assert_eq!(m.get("k").map(String::as_str), Some("v"));
        assert!(str_map(&v, "n").unwrap().is_empty());
        assert_eq!(
            str_map(&v, "badm"),
            Err(Shape("`badm.k` is a number, not a string".into()))
        );
        assert!(str_map(&v, "l").is_err());
    }
}
