//! PromQL building. Every label value that reaches a query goes through [`quote`], so a value
//! holding quotes, backslashes or newlines (or `<script>`) can never change the query's shape.

use std::fmt;

/// Quotes a string as a PromQL double-quoted string literal. PromQL reads Go's escapes, of which
/// JSON's (`\"`, `\\`, `\n`, `\u0001`…) are a subset: one escaping serves both.
pub fn quote(value: &str) -> String {
    crate::core::json::string_literal(value)
}

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One `label op "value"` matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub label: String,
    pub op: MatchOp,
    pub value: String,
}

impl Matcher {
    pub fn new(label: &str, op: MatchOp, value: &str) -> Self {
        Self {
            label: label.to_owned(),
            op,
            value: value.to_owned(),
        }
    }
}

/// A series selector: a metric name and label matchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub metric: String,
    pub matchers: Vec<Matcher>,
}

impl Selector {
    pub fn new(metric: &str) -> Self {
        Self {
            metric: metric.to_owned(),
            matchers: Vec::new(),
        }
    }

    /// Adds a matcher; an empty value with `=` is kept (it means "label absent" in PromQL).
    pub fn with(mut self, label: &str, op: MatchOp, value: &str) -> Self {
        self.matchers.push(Matcher::new(label, op, value));
        self
    }

    /// Narrows `label` to any of `values`: unchanged when there are none, `=` for one, and a
    /// regex of the values taken literally ([`regex_literal`]) for several.
    pub fn with_any(self, label: &str, values: &[String]) -> Self {
        match values {
            [] => self,
            [one] => self.with(label, MatchOp::Equal, one),
            many => {
                let alternatives: Vec<String> = many.iter().map(|v| regex_literal(v)).collect();
                self.with(label, MatchOp::Regex, &alternatives.join("|"))
            }
        }
    }
}

/// `value` as a regex (RE2, Prometheus's dialect) that matches exactly it: every
/// metacharacter escaped, so `127.0.0.1:8000` does not also match `127a0b0c1:8000`.
pub fn regex_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.metric)?;
        if self.matchers.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, m) in self.matchers.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}{}{}", m.label, m.op.as_str(), quote(&m.value))?;
        }
        f.write_str("}")
    }
}

/// `sum by (labels) (rate(selector[window]))`; `by` may be empty for a single total.
pub fn sum_rate(selector: &Selector, window_secs: u64, by: &[&str]) -> String {
    let rate = format!("rate({selector}[{window_secs}s])");
    if by.is_empty() {
        format!("sum({rate})")
    } else {
        format!("sum by ({}) ({rate})", by.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_would_break_a_query() {
        let check = |raw: &str, quoted: &str| assert_eq!(quote(raw), quoted, "{raw:?}");
        check("arrwdb", r#""arrwdb""#);
        check(r#"a"b"#, r#""a\"b""#);
        check(r"C:\dir", r#""C:\\dir""#);
        check("line\nbreak", r#""line\nbreak""#);
        check(
            "<script>alert(1)</script>",
            r#""<script>alert(1)</script>""#,
        );
        check("", r#""""#);
        check("ünï/{id}", r#""ünï/{id}""#);
        check("bell\u{7}", r#""bell\u0007""#);
    }

    #[test]
    fn selectors_render_matchers_in_order() {
        let sel = Selector::new("arrwdb_http_http_requests_total")
            .with("job", MatchOp::Equal, "arrwdb")
            .with("status", MatchOp::Regex, "5..")
            .with("handler", MatchOp::NotEqual, r#"/x"y"#);
        assert_eq!(
            sel.to_string(),
            r#"arrwdb_http_http_requests_total{job="arrwdb",status=~"5..",handler!="/x\"y"}"#
        );
        assert_eq!(Selector::new("up").to_string(), "up");
    }

    #[test]
    fn a_set_of_values_is_one_exact_matcher() {
        let none = Selector::new("m").with_any("instance", &[]);
        assert_eq!(none.to_string(), "m");
        let one = Selector::new("m").with_any("instance", &["10.0.0.1:8000".to_owned()]);
        assert_eq!(one.to_string(), r#"m{instance="10.0.0.1:8000"}"#);
        let two = ["10.0.0.1:8000".to_owned(), r#"a|b"c\d"#.to_owned()];
        let many = Selector::new("m").with_any("instance", &two);
        // The regex is `10\.0\.0\.1:8000|a\|b"c\\d`, written as a PromQL string.
        assert_eq!(many.to_string(), r#"m{instance=~"10\\.0\\.0\\.1:8000|a\\|b\"c\\\\d"}"#);
        assert_eq!(regex_literal("(x)+[y]{2}^$?*"), r"\(x\)\+\[y\]\{2\}\^\$\?\*");
    }

    #[test]
    fn sum_rate_groups_when_asked() {
        let sel = Selector::new("m").with("job", MatchOp::Equal, "j");
        assert_eq!(
            sum_rate(&sel, 40, &["method", "handler"]),
            r#"sum by (method, handler) (rate(m{job="j"}[40s]))"#
        );
        assert_eq!(sum_rate(&sel, 70, &[]), r#"sum(rate(m{job="j"}[70s]))"#);
    }
}
