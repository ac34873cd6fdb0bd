//! Markup for the text panels (alerts, SLOs, sources), built as one string and set with one
//! `innerHTML`: in the wasm build a string costs a few bytes per element where the same tree
//! made by DOM calls costs an import and a call site per element, and the markup can be
//! checked by native tests.
//!
//! Safe by construction: tag and attribute names are `&'static str` (never data), and every
//! text and attribute value goes through [`escape_into`]. There is no way to append raw markup,
//! so a rule annotation or label value such as `<script>` is shown as text, never run.

/// A fragment of HTML under construction.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Html(String);

impl Html {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<tag a="v" …>`; attributes whose value is `None` are left out, `Some("")` is a boolean
    /// attribute.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, Option<&str>)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            if let Some(value) = value {
                self.0.push(' ');
                self.0.push_str(name);
                self.0.push_str("=\"");
                escape_into(&mut self.0, value);
                self.0.push('"');
            }
        }
        self.0.push('>');
        self
    }

    /// `<tag class="class">` (no class attribute when `class` is empty).
    pub fn open_class(&mut self, tag: &'static str, class: &str) -> &mut Self {
        self.open(tag, &[("class", Some(class).filter(|c| !c.is_empty()))])
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.0, text);
        self
    }

    /// `<tag class="class">text</tag>`.
    pub fn elem(&mut self, tag: &'static str, class: &str, text: &str) -> &mut Self {
        self.open_class(tag, class).text(text).close(tag)
    }

    /// `<code>text</code>`, for PromQL and metric names inside a sentence.
    pub fn code(&mut self, text: &str) -> &mut Self {
        self.elem("code", "", text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The `<option>`s of a `<select>`: (value, text) pairs, the one whose value is `chosen`
/// selected. Set as the select's markup, so that a new choice (from the URL, say) rebuilds
/// them with the right one selected.
pub fn options_html(options: &[(String, String)], chosen: &str) -> String {
    let mut h = Html::new();
    for (value, text) in options {
        h.open("option", &[("value", Some(value)), ("selected", (value == chosen).then_some(""))]);
        h.text(text).close("option");
    }
    h.into_string()
}

/// The checkboxes of a multi-value picker: one per value, the `chosen` ones checked. A chosen
/// value the backend did not list comes first, so that a URL's choice stays visible and can be
/// unchecked.
pub fn checks_html(values: &[String], chosen: &[String]) -> String {
    let mut h = Html::new();
    let unlisted = chosen.iter().filter(|c| !values.contains(c));
    for value in unlisted.chain(values) {
        h.open("label", &[]);
        h.open("input", &[("type", Some("checkbox")), ("value", Some(value)), ("checked", chosen.contains(value).then_some(""))]);
        h.text(value).close("label");
    }
    h.into_string()
}

/// What a multi-value picker says it holds: `all`, the one chosen, or how many.
pub fn chosen_summary(chosen: &[String]) -> String {
    match chosen {
        [] => "all".to_owned(),
        [one] => one.clone(),
        many => format!("{} chosen", many.len()),
    }
}

/// Appends `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in text and in quoted
/// attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn checkboxes_check_the_chosen_and_keep_the_unlisted() {
        let values = ["10.0.0.1:8000".to_owned(), "<b>".to_owned()];
        assert_eq!(
            checks_html(&values, &["<b>".to_owned(), "gone:1".to_owned()]),
            "<label><input type=\"checkbox\" value=\"gone:1\" checked=\"\">gone:1</label>\
             <label><input type=\"checkbox\" value=\"10.0.0.1:8000\">10.0.0.1:8000</label>\
             <label><input type=\"checkbox\" value=\"&lt;b&gt;\" checked=\"\">&lt;b&gt;</label>"
        );
        assert_eq!(chosen_summary(&[]), "all");
        assert_eq!(chosen_summary(&values[..1]), "10.0.0.1:8000");
        assert_eq!(chosen_summary(&values), "2 chosen");
    }

    use super::*;

    #[test]
    fn text_and_attribute_values_are_escaped() {
        let mut h = Html::new();
        h.open(
            "tr",
            &[
                ("data-rule", Some("a\"><script>x</script>")),
                ("hidden", None),
            ],
        )
        .elem("td", "name", "<b>Tom & 'Jerry'</b>")
        .close("tr");
        assert_eq!(
            h.as_str(),
            "<tr data-rule=\"a&quot;&gt;&lt;script&gt;x&lt;/script&gt;\">\
             <td class=\"name\">&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;</td></tr>"
        );
    }

    #[test]
    fn empty_class_and_boolean_attributes() {
        let mut h = Html::new();
        h.open_class("p", "")
            .open("i", &[("data-x", Some(""))])
            .close("i")
            .code("up{job=\"a\"}");
        assert_eq!(
            h.into_string(),
            "<p><i data-x=\"\"></i><code>up{job=&quot;a&quot;}</code>"
        );
    }

    #[test]
    fn options_mark_the_chosen_one() {
        let options = [("".to_owned(), "all handlers".to_owned()), ("/a\"b".to_owned(), "/a\"b".to_owned())];
        assert_eq!(
            options_html(&options, "/a\"b"),
            "<option value=\"\">all handlers</option><option value=\"/a&quot;b\" selected=\"\">/a&quot;b</option>"
        );
        assert!(options_html(&options, "").starts_with("<option value=\"\" selected=\"\">"));
    }
}
