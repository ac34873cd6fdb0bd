//! Samples as Prometheus encodes them: `[<unix seconds as a JSON number>, "<value as a string>"]`.
//!
//! Decoding is hand-written so that a matrix of hundreds of series × 11,000 points goes straight
//! from the text to `Point`s, with no `serde_json::Value` and no `String` per point.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A series' label set (`metric` in query results, `seriesLabels` in exemplars).
pub type Labels = crate::core::str_map::StrMap;

/// One float sample. `value` may be NaN or ±∞ (Prometheus's `"NaN"`, `"+Inf"`, `"-Inf"`): the
/// charts draw a non-finite value as a gap, never as zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub t_secs: f64,
    pub value: f64,
}

/// One native-histogram sample: its time, observation count and sum, and its buckets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistogramPoint {
    pub t_secs: f64,
    pub count: f64,
    pub sum: f64,
    pub buckets: Vec<HistogramBucket>,
}

/// One native-histogram bucket: `[boundary_rule, "lower", "upper", "count"]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HistogramBucket {
    /// Which bounds are inclusive: 0 = (lower, upper], 1 = [lower, upper), 2 = (lower, upper),
    /// 3 = [lower, upper] (the zero bucket).
    pub boundary_rule: u8,
    pub lower: f64,
    pub upper: f64,
    pub count: f64,
}

/// The answer of a query whose `resultType` is `"string"`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StringSample {
    pub t_secs: f64,
    pub value: String,
}

/// Parses a time as Prometheus writes it, Unix seconds with at most three decimals
/// (`1435781451.781`, `-0.001`), exactly as a correctly rounded parser would: the whole seconds
/// (up to 2^53) are exact in an `f64`, the fraction is one rounding of n/1000, and their sum rounds once more
/// to the nearest `f64` (a decimal with three places is never within that first rounding's error
/// of a tie). serde_json's float parser alone is an ulp off past 15 digits
/// (`12345678123456.555`). Other spellings go to [`parse_number`](crate::core::units::parse_number).
pub fn parse_unix_secs(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    let whole_secs = match whole.parse::<u64>() {
        _ if text.ends_with('.') => return None,
        Ok(secs) if secs <= 1 << 53 && digits(whole, 16) && digits(fraction, 3) => secs as f64,
        _ => return crate::core::units::parse_number(text),
    };
    let fraction_secs = match fraction.len() {
        0 => 0.0,
        places => f64::from(fraction.parse::<u16>().ok()?) / [10.0, 100.0, 1000.0][places - 1],
    };
    let secs = whole_secs + fraction_secs;
    Some(if negative { -secs } else { secs })
}

/// Parses a sample value as Prometheus writes it (Go's `strconv.FormatFloat`, or `%e` in alert
/// values): `"1234.5"`, `"1e+00"`, `"1.2345678e-67"`, `"NaN"`, `"+Inf"`, `"-Inf"`.
pub fn parse_sample_value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => crate::core::units::parse_number(text),
    }
}

/// A sample value: a JSON string parsed with [`parse_sample_value`]. A bare JSON number is
/// accepted too, for leniency.
pub(crate) struct SampleValue(pub f64);

impl<'de> Deserialize<'de> for SampleValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SampleValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sample value as a string (\"1.5\", \"NaN\", \"+Inf\", \"-Inf\")")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SampleValue, E> {
                parse_sample_value(v)
                    .map(SampleValue)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<SampleValue, E> {
                Ok(SampleValue(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SampleValue, E> {
                Ok(SampleValue(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SampleValue, E> {
                Ok(SampleValue(v as f64))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `#[serde(deserialize_with)]` for a sample value field.
pub(crate) fn de_sample_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    SampleValue::deserialize(deserializer).map(|v| v.0)
}

/// What the second element of a `[t, x]` pair is.
#[derive(Clone, Copy)]
enum Second {
    /// A sample value, `"1.5"`.
    Value,
    /// A string, the value of a `"string"` result.
    Text,
    /// A native histogram, `{count, sum, buckets}`.
    Histogram,
}

/// The second element of a pair, as [`Second`] said.
enum Item {
    Value(f64),
    Text(String),
    Histogram(f64, f64, Vec<HistogramBucket>),
}

impl<'de> DeserializeSeed<'de> for Second {
    type Value = Item;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Item, D::Error> {
        Ok(match self {
            Second::Value => Item::Value(SampleValue::deserialize(deserializer)?.0),
            Second::Text => Item::Text(String::deserialize(deserializer)?),
            Second::Histogram => deserializer.deserialize_map(HistogramVisitor)?,
        })
    }
}

/// Reads a `[t, x]` pair, where `x` is what `second` says. One visitor for every kind of pair
/// (not generic over `x`), so that the wasm build holds one copy of it.
fn deserialize_pair<'de, D: Deserializer<'de>>(
    deserializer: D,
    second: Second,
) -> Result<(f64, Item), D::Error> {
    struct PairVisitor(Second);
    impl<'de> Visitor<'de> for PairVisitor {
        type Value = (f64, Item);
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(match self.0 {
                Second::Value => "a sample [<unix seconds>, \"<value>\"]",
                Second::Text => "a string sample [<unix seconds>, \"<string>\"]",
                Second::Histogram => {
                    "a histogram sample [<unix seconds>, {\"count\", \"sum\", \"buckets\"}]"
                }
            })
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(f64, Item), A::Error> {
            let t_text: &serde_json::value::RawValue = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(0, &self))?;
            let t_secs = parse_unix_secs(t_text.get()).ok_or_else(|| {
                de::Error::invalid_value(
                    de::Unexpected::Other(t_text.get()),
                    &"a time in unix seconds",
                )
            })?;
            let x = seq
                .next_element_seed(self.0)?
                .ok_or_else(|| de::Error::invalid_length(1, &self))?;
            if seq.next_element::<de::IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(3, &self));
            }
            Ok((t_secs, x))
        }
    }
    deserializer.deserialize_seq(PairVisitor(second))
}

/// A list of pairs read straight into `points` (`values` of a series) or into `histograms`: one
/// visitor for both lists, so that the wasm build holds one copy of the list reading.
pub(crate) struct PairList<'a> {
    second: Second,
    points: Option<&'a mut Vec<Point>>,
    histograms: Option<&'a mut Vec<HistogramPoint>>,
}

impl<'a> PairList<'a> {
    /// `[[t, "value"], …]` into `points`.
    pub(crate) fn points(points: &'a mut Vec<Point>) -> Self {
        PairList {
            second: Second::Value,
            points: Some(points),
            histograms: None,
        }
    }

    /// `[[t, {count, sum, buckets}], …]` into `histograms`.
    pub(crate) fn histograms(histograms: &'a mut Vec<HistogramPoint>) -> Self {
        PairList {
            second: Second::Histogram,
            points: None,
            histograms: Some(histograms),
        }
    }
}

impl<'de> DeserializeSeed<'de> for PairList<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PairList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of samples")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(pair) = seq.next_element_seed(PairSeed(self.second))? {
            match (pair, &mut self.points, &mut self.histograms) {
                ((t_secs, Item::Value(value)), Some(points), _) => {
                    points.push(Point { t_secs, value })
                }
                ((t_secs, Item::Histogram(count, sum, buckets)), _, Some(histograms)) => histograms
                    .push(HistogramPoint {
                        t_secs,
                        count,
                        sum,
                        buckets,
                    }),
                _ => return Err(wrong_item()),
            }
        }
        Ok(())
    }
}

/// A `[t, x]` pair as a seed, `x` as [`Second`] says.
struct PairSeed(Second);

impl<'de> DeserializeSeed<'de> for PairSeed {
    type Value = (f64, Item);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(f64, Item), D::Error> {
        deserialize_pair(deserializer, self.0)
    }
}

/// The error for an [`Item`] of another kind than asked for, which cannot happen.
fn wrong_item<E: de::Error>() -> E {
    E::custom("a sample of another kind")
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserialize_pair(deserializer, Second::Value)? {
            (t_secs, Item::Value(value)) => Ok(Point { t_secs, value }),
            _ => Err(wrong_item()),
        }
    }
}

impl<'de> Deserialize<'de> for StringSample {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserialize_pair(deserializer, Second::Text)? {
            (t_secs, Item::Text(value)) => Ok(StringSample { t_secs, value }),
            _ => Err(wrong_item()),
        }
    }
}

impl<'de> Deserialize<'de> for HistogramPoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserialize_pair(deserializer, Second::Histogram)? {
            (t_secs, Item::Histogram(count, sum, buckets)) => Ok(HistogramPoint {
                t_secs,
                count,
                sum,
                buckets,
            }),
            _ => Err(wrong_item()),
        }
    }
}

/// The histogram object inside `[t, {count, sum, buckets}]`: `count` and `sum` must be there,
/// `buckets` may be left out; other keys are skipped.
struct HistogramVisitor;

impl<'de> Visitor<'de> for HistogramVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a histogram {\"count\", \"sum\", \"buckets\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let (mut count, mut sum, mut buckets) = (None, None, Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "count" => count = Some(map.next_value::<SampleValue>()?.0),
                "sum" => sum = Some(map.next_value::<SampleValue>()?.0),
                "buckets" => buckets = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(Item::Histogram(
            count.ok_or_else(|| de::Error::missing_field("count"))?,
            sum.ok_or_else(|| de::Error::missing_field("sum"))?,
            buckets,
        ))
    }
}

impl<'de> Deserialize<'de> for HistogramBucket {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw(u8, SampleValue, SampleValue, SampleValue);
        let Raw(boundary_rule, lower, upper, count) = Raw::deserialize(deserializer)?;
        Ok(HistogramBucket {
            boundary_rule,
            lower: lower.0,
            upper: upper.0,
            count: count.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_exactly_as_rusts_correctly_rounded_parser_does() {
        let exact = |text: &str| {
            assert_eq!(
                parse_unix_secs(text).map(f64::to_bits),
                Some(text.parse::<f64>().unwrap().to_bits()),
                "{text}"
            )
        };
        for text in [
            "0",
            "-0.001",
            "0.001",
            "0.01",
            "12345678123456.555",
            "1435781451.781",
        ] {
            exact(text);
        }
        // Many times of every size and number of places, from a fixed pseudo-random sequence.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let whole = (state >> 11) >> (state % 40);
            let places = (state >> 5) % 4;
            let text = match places {
                0 => format!("{whole}"),
                p => format!(
                    "{whole}.{:0width$}",
                    (state >> 20) % 10u64.pow(p as u32),
                    width = p as usize
                ),
            };
            exact(&text);
        }
        // Other spellings go to the general parser; garbage is refused.
        exact("1.5e3");
        exact("0.0001");
        for bad in ["", "-", ".5", "5.", "1.2.3", "abc", "NaN"] {
            assert_eq!(parse_unix_secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn sample_values_keep_non_finite_values() {
        let check = |text: &str, expected: f64| {
            let got = parse_sample_value(text).unwrap();
            assert!(
                got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()),
                "{text} → {got}"
            );
        };
        check("NaN", f64::NAN);
        check("+Inf", f64::INFINITY);
        check("-Inf", f64::NEG_INFINITY);
        check("1e+00", 1.0);
        check("-0", -0.0);
        check("1.2345678e-67", 1.2345678e-67);
        assert_eq!(parse_sample_value("twelve"), None);
        assert_eq!(parse_sample_value(""), None);
    }

    #[test]
    fn a_point_is_exactly_two_elements() {
        let check = |json: &str, ok: bool| {
            assert_eq!(serde_json::from_str::<Point>(json).is_ok(), ok, "{json}")
        };
        check(r#"[1.5, "2"]"#, true);
        check(r#"[1.5]"#, false);
        check(r#"[1.5, "2", 3]"#, false);
        check(r#"["1.5", "2"]"#, false);
        check(r#"[1.5, "two"]"#, false);
        check(r#"{"t": 1}"#, false);
    }

    #[test]
    fn histogram_and_string_pairs() {
        let h: HistogramPoint = serde_json::from_str(
            r#"[2.5, {"count": "3", "sum": "4.5", "extra": 1, "buckets": [[0, "1", "2", "3"]]}]"#,
        )
        .unwrap();
        assert_eq!(
            (h.t_secs, h.count, h.sum, h.buckets.len()),
            (2.5, 3.0, 4.5, 1)
        );
        assert_eq!(h.buckets[0].upper, 2.0);
        let no_count = serde_json::from_str::<HistogramPoint>(r#"[1, {"sum": "1"}]"#);
        assert!(no_count
            .unwrap_err()
            .to_string()
            .contains("missing field `count`"));
        assert!(serde_json::from_str::<HistogramPoint>(r#"[1, "2"]"#).is_err());
        let s: StringSample = serde_json::from_str(r#"[1.5, "text"]"#).unwrap();
        assert_eq!((s.t_secs, s.value.as_str()), (1.5, "text"));
        assert!(serde_json::from_str::<StringSample>(r#"[1.5, 2]"#).is_err());
    }
}
