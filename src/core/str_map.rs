//! [`StrMap`]: a small map from strings to strings (a series' labels, the isolated series of the
//! view state, metric-name overrides), kept as one sorted `Vec`.
//!
//! Why not `BTreeMap<String, String>`: these maps hold a handful of entries, and in the wasm
//! build every B-tree operation the app uses (insert, search, remove, clone, iterate, drop) is
//! its own generic instantiation, several KB in all. A sorted `Vec` gives the same behaviour
//! (keys unique, iterated in key order, a later insert replaces the value) with the slice code
//! the app already carries.

use std::fmt;

/// A map from strings to strings, iterated in key order (byte order of the keys, as
/// `BTreeMap<String, String>` does).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct StrMap {
    /// Sorted by key, keys unique.
    entries: Vec<(String, String)>,
}

impl StrMap {
    pub fn new() -> Self {
        StrMap::default()
    }

    /// Where `key` is (`Ok`), or where it would go (`Err`).
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        let i = self.position(key).ok()?;
        Some(&self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets the value of `key`; answers the value it replaces.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; answers its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.position(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }
}

/// The iterator of [`StrMap::iter`].
pub type Iter<'a> = std::iter::Map<
    std::slice::Iter<'a, (String, String)>,
    fn(&'a (String, String)) -> (&'a String, &'a String),
>;

impl<'a> IntoIterator for &'a StrMap {
    type Item = (&'a String, &'a String);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Later pairs replace earlier ones with the same key, as when collecting into a `BTreeMap`.
impl FromIterator<(String, String)> for StrMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut map = StrMap::new();
        for (key, value) in pairs {
            map.insert(key, value);
        }
        map
    }
}

/// `map["key"]`; panics when the key is missing, as `BTreeMap`'s does.
impl std::ops::Index<&str> for StrMap {
    type Output = String;

    fn index(&self, key: &str) -> &String {
        self.get(key).expect("no entry for this key")
    }
}

/// `{"key": "value", …}`, as `BTreeMap`'s.
impl fmt::Debug for StrMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A JSON object whose values are all strings (for the serde-derived answer types; the decoders
/// the page uses read label sets with [`crate::core::json::str_map`]).
impl<'de> serde::Deserialize<'de> for StrMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = StrMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<StrMap, A::Error> {
                let mut out = StrMap::new();
                while let Some((key, value)) = map.next_entry()? {
                    out.insert(key, value);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_sorted_map() {
        let mut map: StrMap = [("b", "2"), ("a", "1"), ("c", "3"), ("a", "x")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(map.len(), 3);
        assert_eq!(map.get("a").map(String::as_str), Some("x"));
        assert_eq!(&map["b"], "2");
        assert_eq!(map.get("z"), None);
        assert!(map.contains_key("c") && !map.contains_key(""));
        assert_eq!(map.keys().next_back().map(String::as_str), Some("c"));
        assert_eq!(map.insert("b".into(), "two".into()), Some("2".into()));
        assert_eq!(map.insert("".into(), "empty".into()), None);
        assert_eq!(map.remove("c"), Some("3".into()));
        assert_eq!(map.remove("c"), None);
        let pairs: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("", "empty"), ("a", "x"), ("b", "two")]);
        assert_eq!(format!("{map:?}"), r#"{"": "empty", "a": "x", "b": "two"}"#);
        assert_eq!(map.clone(), map);
        assert!(StrMap::new().is_empty());
    }
}
