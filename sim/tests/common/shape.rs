//! Structural comparison of JSON documents with upstream fixtures: a [`Schema`] merges the
//! references (key sets, JSON types, array elements), and [`Schema::check`] lists where a
//! document leaves it.
//!
//! Rules, at every level:
//! - the document's JSON type is one the references have there;
//! - an object's keys are keys the references have there (none unknown), and a key every
//!   reference object there has is present (optional keys are those some reference omits);
//! - every array element has the shape of the references' elements there, merged.
//!
//! [`Schema::allow`] adds shapes without making anything required: for fields of the upstream
//! types that no fixture happens to exercise (each caller says which and why).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The merged shape of the references at one path.
#[derive(Debug, Default, Clone)]
pub struct Schema {
    types: BTreeSet<&'static str>,
    /// How many (counted) reference objects were merged here.
    objects: usize,
    /// Per key: in how many of those objects it is, and its schema.
    keys: BTreeMap<String, (usize, Schema)>,
    elements: Option<Box<Schema>>,
}

/// The JSON type of a value.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Schema {
    /// The merged shape of `references`.
    pub fn of(references: &[&Value]) -> Schema {
        let mut schema = Schema::default();
        for r in references {
            schema.merge(r, true);
        }
        schema
    }

    /// Adds shapes that may occur without making any key required.
    pub fn allow(mut self, extra: &Value) -> Schema {
        self.merge(extra, false);
        self
    }

    fn merge(&mut self, value: &Value, counted: bool) {
        self.types.insert(type_name(value));
        match value {
            Value::Object(map) => {
                if counted {
                    self.objects += 1;
                }
                for (key, child) in map {
                    let entry = self.keys.entry(key.clone()).or_default();
                    if counted {
                        entry.0 += 1;
                    }
                    entry.1.merge(child, counted);
                }
            }
            Value::Array(items) => {
                let elements = self.elements.get_or_insert_with(Default::default);
                for item in items {
                    elements.merge(item, counted);
                }
            }
            _ => {}
        }
    }

    /// Where `value` leaves the shape (empty when it conforms), as `path: problem`.
    pub fn check(&self, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check_at(value, "$", &mut problems);
        problems
    }

    fn check_at(&self, value: &Value, path: &str, problems: &mut Vec<String>) {
        let kind = type_name(value);
        if !self.types.contains(kind) {
            problems.push(format!("{path}: {kind}, the references have {:?}", self.types));
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match self.keys.get(key) {
                        Some((_, schema)) => schema.check_at(child, &format!("{path}.{key}"), problems),
                        None => problems.push(format!("{path}: unexpected key {key:?}")),
                    }
                }
                for (key, (count, _)) in &self.keys {
                    if self.objects > 0 && *count == self.objects && !map.contains_key(key) {
                        problems.push(format!("{path}: missing key {key:?}"));
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    match &self.elements {
                        Some(schema) if !schema.types.is_empty() => {
                            schema.check_at(item, &format!("{path}[{i}]"), problems)
                        }
                        _ => problems.push(format!("{path}[{i}]: the references have no elements here")),
                    }
                }
            }
            _ => {}
        }
    }
}

/// Asserts that `value` conforms, listing the first problems.
pub fn assert_conforms(schema: &Schema, value: &Value, what: &str) {
    let problems = schema.check(value);
    assert!(
        problems.is_empty(),
        "{what} leaves the upstream shape:\n{}",
        problems[..problems.len().min(20)].join("\n")
    );
}
