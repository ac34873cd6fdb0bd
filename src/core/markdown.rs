//! Markdown for text that leaves the dashboard (the incident summary pasted into a ticket or a
//! chat), built so that untrusted values stay text.
//!
//! Label values, span names, rule annotations and Sentry titles come from whoever can write a
//! metric, a span or a rule. Pasted into CommonMark / GitHub Flavored Markdown they must not
//! become links, images, raw HTML, table cells, code spans, emphasis, headings, list items or
//! new lines. Every such value goes through one of three doors:
//!
//! - [`text`]: a backslash before every character that could start markup, and every line break
//!   or control character turned into a space (so a value never ends the line it is on);
//! - [`inline_code`]: a code span whose backtick fence is longer than any run inside;
//! - [`link`]: a link whose URL must be an absolute http(s) URL and whose text goes through
//!   [`text`].
//!
//! Why backslash escapes rather than HTML entities: GitHub, GitLab, Slack-style renderers and a
//! plain-text reader all read `\[` as `[`, and entities only work where HTML is allowed.

/// ASCII punctuation that starts or ends inline markup anywhere on a line: code (`` ` ``),
/// emphasis and strike-through (`*` `_` `~`), links and images (`[` `]` `(` `)` `!`), HTML and
/// autolinks (`<` `>`), entities (`&`), table cells (`|`), headings (`#`), the escape itself
/// (`\`), and GitHub's extended autolinks (`:` of `https://`, `@` of an e-mail address).
const ALWAYS_ESCAPED: &[char] = &[
    '\\', '`', '*', '_', '~', '[', ']', '(', ')', '!', '<', '>', '&', '|', '#', ':', '@',
];

/// Appends `value` as Markdown text that renders exactly as `value` (with line breaks and
/// control characters shown as spaces) and starts no markup.
pub fn text_into(out: &mut String, value: &str) {
    let mut at_start = true;
    let mut leading_digits = false;
    // The last three characters written, lowercased, to catch GitHub's `www.` autolink.
    let mut recent: [char; 3] = [' '; 3];
    for c in value.chars() {
        let c = if is_line_break_or_control(c) { ' ' } else { c };
        // Block markers only mean something at the start of a line; a value may be put there
        // (a list item, a table cell), so they are escaped when the value starts with them.
        let block_marker =
            at_start && matches!(c, '-' | '+' | '=') || leading_digits && matches!(c, '.' | ')');
        let www_dot = c == '.' && recent == ['w', 'w', 'w'];
        if ALWAYS_ESCAPED.contains(&c) || block_marker || www_dot {
            out.push('\\');
        }
        out.push(c);
        leading_digits = (at_start || leading_digits) && c.is_ascii_digit();
        at_start = false;
        recent = [recent[1], recent[2], c.to_ascii_lowercase()];
    }
}

/// `value` as Markdown text (see [`text_into`]).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    text_into(&mut out, value);
    out
}

/// Line endings (CR, LF, NEL, U+2028, U+2029), tabs and other control characters: anything that
/// could end a line, or that a renderer might drop or show oddly.
fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `value` as a code span: a fence of one backtick more than the longest run of backticks in
/// it, with a space inside each fence when the value starts or ends with a backtick or a space
/// (CommonMark strips exactly one such space on each side). Line breaks become spaces, so the
/// span cannot be cut by a blank line. An empty value gives an empty string (an empty code
/// span is not valid Markdown).
///
/// In prose only: inside a GFM table cell use [`table_code`], since a `|` ends the cell even in
/// a code span.
pub fn inline_code(value: &str) -> String {
    code_span(value, false)
}

/// [`inline_code`] for a GFM table cell: each `|` written as `\|`, which the table reads as a
/// `|` of the cell's content (the escape is removed before the code span is read).
pub fn table_code(value: &str) -> String {
    code_span(value, true)
}

fn code_span(value: &str, in_table: bool) -> String {
    let value: String = value
        .chars()
        .map(|c| if is_line_break_or_control(c) { ' ' } else { c })
        .collect();
    if value.is_empty() {
        return String::new();
    }
    let longest_run = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = value.starts_with(['`', ' ']) || value.ends_with(['`', ' ']);
    let body = if in_table {
        value.replace('|', "\\|")
    } else {
        value
    };
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{body}{space}{fence}")
}

/// `[text](url)`: `None` unless `url` is an absolute http(s) URL with a host and no whitespace,
/// control characters, quotes, backslashes or angle brackets. Parentheses and `|` in the URL are
/// percent-encoded (they would end the destination or a table cell); the text goes through
/// [`text`].
pub fn link(link_text: &str, url: &str) -> Option<String> {
    let url = safe_url(url)?;
    Some(format!("[{}]({url})", text(link_text)))
}

/// An absolute http(s) URL made safe for a Markdown link destination, or `None`.
fn safe_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host_ok = !rest.is_empty() && !rest.starts_with(['/', '?', '#']);
    let chars_ok = !url.chars().any(|c| {
        is_line_break_or_control(c)
            || c.is_whitespace()
            || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    });
    if !(host_ok && chars_ok) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '|' => out.push_str("%7C"),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_every_markup_start() {
        let check = |value: &str, expected: &str| assert_eq!(text(value), expected, "{value:?}");
        check("plain words 42", "plain words 42");
        check("POST /v1/search", "POST /v1/search");
        check("a|b", "a\\|b");
        check("`rm -rf`", "\\`rm -rf\\`");
        check(
            "](javascript:alert(1))",
            "\\]\\(javascript\\:alert\\(1\\)\\)",
        );
        check("![x](https://e/x.png)", "\\!\\[x\\]\\(https\\://e/x.png\\)");
        check(
            "<script>alert(1)</script>",
            "\\<script\\>alert\\(1\\)\\</script\\>",
        );
        check("&lt;b&gt;", "\\&lt;b\\&gt;");
        check("*bold* _it_ ~~s~~", "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~");
        check("# heading", "\\# heading");
        check("a\\b", "a\\\\b");
        check("line\nnext\r\n# two", "line next  \\# two");
        check("tab\there\u{2028}x\u{85}y", "tab here x y");
        check("- item", "\\- item");
        check("+ item", "\\+ item");
        check("=====", "\\=====");
        check("1. first", "1\\. first");
        check("12) first", "12\\) first");
        check("p95 - 1.5 s", "p95 - 1.5 s");
        check("see www.evil.example", "see www\\.evil.example");
        check("WWW.evil.example", "WWW\\.evil.example");
        check("mail me@evil.example", "mail me\\@evil.example");
        check("https://evil.example", "https\\://evil.example");
        check("", "");
        check("é😀", "é😀");
    }

    #[test]
    fn code_spans_use_a_longer_fence() {
        let check =
            |value: &str, expected: &str| assert_eq!(inline_code(value), expected, "{value:?}");
        check("up{job=\"a\"}", "`up{job=\"a\"}`");
        check("a`b", "``a`b``");
        check("x ``` y", "````x ``` y````");
        check("`start", "`` `start ``");
        check("end`", "`` end` ``");
        check(" both ", "`  both  `");
        check("a\nb", "`a b`");
        check("a|b", "`a|b`");
        check("", "");
        assert_eq!(table_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn links_need_an_http_url_and_escape_their_text() {
        assert_eq!(
            link("trace 4766f1", "https://jaeger.example.com/trace/4766f1").as_deref(),
            Some("[trace 4766f1](https://jaeger.example.com/trace/4766f1)")
        );
        assert_eq!(
            link("x](javascript:alert(1))", "https://e.example/a(b)|c").as_deref(),
            Some("[x\\]\\(javascript\\:alert\\(1\\)\\)](https://e.example/a%28b%29%7Cc)")
        );
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT://x%0aalert(1)",
            "data:text/html,<script>",
            "//evil.example",
            "https://",
            "https:///path",
            "https://e.example/a b",
            "https://e.example/\nx",
            "https://e.example/\"onclick",
            "https://e.example/<x>",
            "ftp://e.example",
            "",
        ] {
            assert_eq!(link("t", url), None, "{url:?}");
        }
        assert!(link("t", "HTTP://Host:9090/graph?g0.expr=up#x").is_some());
    }
}
