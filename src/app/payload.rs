//! Payloads in and out: what the user types into bytes, and bytes into
//! something a person can read.
//!
//! Payloads from the broker are untrusted. This module only produces plain
//! strings; the view puts them into text nodes, never into HTML.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};

/// How the publish payload field is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PayloadFormat {
    /// UTF-8 text, sent as typed.
    #[default]
    Text,
    /// JSON, checked before sending, sent as typed.
    Json,
    /// Hexadecimal bytes, whitespace ignored ("de ad be ef").
    Hex,
}

impl PayloadFormat {
    /// The value used in the `<select>`.
    pub fn key(self) -> &'static str {
        match self {
            PayloadFormat::Text => "text",
            PayloadFormat::Json => "json",
            PayloadFormat::Hex => "hex",
        }
    }

    /// The format for a `<select>` value; unknown values mean text.
    pub fn from_key(key: &str) -> Self {
        match key {
            "json" => PayloadFormat::Json,
            "hex" => PayloadFormat::Hex,
            _ => PayloadFormat::Text,
        }
    }
}

/// What is wrong with a payload the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// JSON format, but the text does not parse.
    NotJson {
        /// serde_json's own words for it (English).
        error: String,
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
    },
    /// Hex format, and a character is not a hexadecimal digit.
    NotHexDigit {
        /// The character.
        c: char,
        /// Its position, from 1.
        position: usize,
    },
    /// Hex format, and the digits do not pair up.
    OddHexDigits {
        /// How many digits there are.
        count: usize,
    },
}

impl PayloadError {
    /// The message in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            PayloadError::NotJson {
                error,
                line,
                column,
            } => td_string!(
                locale,
                protocol.payload.not_json,
                error = error,
                line = line,
                column = column
            )
            .to_string(),
            PayloadError::NotHexDigit { c, position } => td_string!(
                locale,
                protocol.payload.not_hex_digit,
                char = c,
                position = position
            )
            .to_string(),
            PayloadError::OddHexDigits { count } => {
                td_string!(locale, protocol.payload.odd_hex_digits, count = count).to_string()
            }
        }
    }
}

/// The bytes to publish for `input` read as `format`, or a message saying what is wrong.
pub fn encode_payload(format: PayloadFormat, input: &str) -> Result<Vec<u8>, String> {
    encode_payload_in(format, input, Locale::en)
}

/// [`encode_payload`], the message in `locale`.
pub fn encode_payload_in(
    format: PayloadFormat,
    input: &str,
    locale: Locale,
) -> Result<Vec<u8>, String> {
    try_encode_payload(format, input).map_err(|e| e.words_in(locale))
}

/// The bytes to publish for `input` read as `format`, or what is wrong.
pub fn try_encode_payload(format: PayloadFormat, input: &str) -> Result<Vec<u8>, PayloadError> {
    match format {
        PayloadFormat::Text => Ok(input.as_bytes().to_vec()),
        PayloadFormat::Json => match serde_json::from_str::<serde_json::Value>(input) {
            Ok(_) => Ok(input.as_bytes().to_vec()),
            Err(e) => Err(PayloadError::NotJson {
                error: json_error_words(&e),
                line: e.line(),
                column: e.column(),
            }),
        },
        PayloadFormat::Hex => try_parse_hex(input),
    }
}

fn json_error_words(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the caller says that in its own words.
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Bytes from hexadecimal digits; whitespace between digits is ignored.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, String> {
    try_parse_hex(input).map_err(|e| e.words_in(Locale::en))
}

/// [`parse_hex`], saying what is wrong as a [`PayloadError`].
pub fn try_parse_hex(input: &str) -> Result<Vec<u8>, PayloadError> {
    let mut digits = Vec::with_capacity(input.len());
    for (position, c) in input.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        match c.to_digit(16) {
            Some(d) => digits.push(d as u8),
            None => {
                return Err(PayloadError::NotHexDigit {
                    c,
                    position: position + 1,
                })
            }
        }
    }
    if digits.len() % 2 == 1 {
        return Err(PayloadError::OddHexDigits {
            count: digits.len(),
        });
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Bytes as space-separated lower-case hex pairs.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// How a received payload is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadView {
    /// Zero bytes.
    Empty,
    /// UTF-8 text, as received.
    Text(String),
    /// A JSON object or array, pretty-printed.
    Json(String),
    /// Not text: hex pairs.
    Binary(String),
}

impl PayloadView {
    /// A short label for the kind ("text", "JSON", "binary", "empty").
    pub fn kind(&self) -> &'static str {
        match self {
            PayloadView::Empty => "empty",
            PayloadView::Text(_) => "text",
            PayloadView::Json(_) => "JSON",
            PayloadView::Binary(_) => "binary",
        }
    }

    /// [`PayloadView::kind`] in `locale`.
    pub fn kind_in(&self, locale: Locale) -> &'static str {
        match self {
            PayloadView::Empty => td_string!(locale, protocol.payload.kind_empty),
            PayloadView::Text(_) => td_string!(locale, protocol.payload.kind_text),
            PayloadView::Json(_) => td_string!(locale, protocol.payload.kind_json),
            PayloadView::Binary(_) => td_string!(locale, protocol.payload.kind_binary),
        }
    }

    /// The text to put into the view (a text node).
    pub fn text(&self) -> &str {
        match self {
            PayloadView::Empty => "(empty payload)",
            PayloadView::Text(s) | PayloadView::Json(s) | PayloadView::Binary(s) => s,
        }
    }

    /// The text in `locale`, for a payload of `size` bytes: the empty
    /// payload and the note on a cut one are said in `locale`; the payload
    /// itself is as received.
    pub fn text_in(&self, size: usize, locale: Locale) -> String {
        match self {
            PayloadView::Empty => td_string!(locale, protocol.payload.empty).into(),
            PayloadView::Json(s) => s.clone(),
            PayloadView::Text(s) | PayloadView::Binary(s) => {
                if size <= RENDER_LIMIT || locale == Locale::en {
                    return s.clone();
                }
                let rest = size - RENDER_LIMIT;
                let english = format!(" {}", more_bytes(rest, size, Locale::en));
                match s.strip_suffix(&english) {
                    Some(shown) => format!("{shown} {}", more_bytes(rest, size, locale)),
                    None => s.clone(),
                }
            }
        }
    }
}

/// The note on a cut payload: how many bytes are not shown, of how many.
fn more_bytes(rest: usize, total: usize, locale: Locale) -> String {
    td_string!(
        locale,
        protocol.payload.more_bytes,
        rest = rest,
        total = total
    )
    .to_string()
}

/// At most this many bytes are rendered; the rest is summarised, so a huge
/// payload cannot freeze the page.
pub const RENDER_LIMIT: usize = 16 * 1024;

/// How to show `bytes`: JSON objects/arrays pretty-printed, other UTF-8 text
/// as is, anything else as hex.
pub fn render_payload(bytes: &[u8]) -> PayloadView {
    if bytes.is_empty() {
        return PayloadView::Empty;
    }
    let shown = &bytes[..bytes.len().min(RENDER_LIMIT)];
    let rest = bytes.len() - shown.len();
    let suffix = if rest > 0 {
        format!(" {}", more_bytes(rest, bytes.len(), Locale::en))
    } else {
        String::new()
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        if rest == 0 {
            if let Some(pretty) = pretty_json(text) {
                return PayloadView::Json(pretty);
            }
        }
        if is_printable(text) {
            let cut = cut_at_char_boundary(text, RENDER_LIMIT);
            return PayloadView::Text(format!("{cut}{suffix}"));
        }
    }
    PayloadView::Binary(format!("{}{suffix}", to_hex(shown)))
}

fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    // Validate with serde_json, but lay out the original text: serde_json's
    // map would sort the keys, and an operator must see them as published.
    serde_json::from_str::<serde::de::IgnoredAny>(trimmed).ok()?;
    Some(indent_json(trimmed))
}

/// Re-indents valid JSON two spaces per level, keeping key order and string contents.
fn indent_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|n| *n == '}' || *n == ']') {
                    // An empty object or array stays on one line.
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn is_printable(text: &str) -> bool {
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input_ignores_spaces_and_accepts_both_cases() {
        assert_eq!(parse_hex("de AD be\nef"), Ok(vec![0xde, 0xad, 0xbe, 0xef]));
        assert_eq!(parse_hex(""), Ok(vec![]));
    }

    #[test]
    fn hex_input_with_a_bad_digit_names_it() {
        let err = parse_hex("0g").unwrap_err();
        assert!(err.contains("'g'"), "{err}");
        assert!(err.contains("character 2"), "{err}");
    }

    #[test]
    fn hex_input_with_an_odd_digit_count_is_refused() {
        assert!(parse_hex("abc").unwrap_err().contains("Odd number"));
    }

    #[test]
    fn json_payload_must_parse_and_is_sent_as_typed() {
        assert_eq!(
            encode_payload(PayloadFormat::Json, "{\"a\": 1}"),
            Ok(b"{\"a\": 1}".to_vec())
        );
        let err = encode_payload(PayloadFormat::Json, "{\"a\": }").unwrap_err();
        assert!(err.starts_with("Not valid JSON"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn text_payload_is_its_utf8_bytes() {
        assert_eq!(
            encode_payload(PayloadFormat::Text, "温度 21"),
            Ok("温度 21".as_bytes().to_vec())
        );
    }

    #[test]
    fn a_json_object_is_shown_pretty_printed() {
        let view = render_payload(br#"{"temp":21,"unit":"C"}"#);
        assert_eq!(view.kind(), "JSON");
        assert!(view.text().contains("\n  \"temp\": 21"), "{}", view.text());
    }

    #[test]
    fn pretty_json_keeps_the_published_key_order_and_string_contents() {
        let view = render_payload(
            br#"{"sku":"1042","count":57,"note":"a, b: {c}","tags":[],"nested":{"x":[1,2]}}"#,
        );
        assert_eq!(
            view.text(),
            "{\n  \"sku\": \"1042\",\n  \"count\": 57,\n  \"note\": \"a, b: {c}\",\n  \"tags\": [],\n  \"nested\": {\n    \"x\": [\n      1,\n      2\n    ]\n  }\n}"
        );
    }

    #[test]
    fn escaped_quotes_inside_json_strings_do_not_confuse_the_layout() {
        let view = render_payload(br#"{"a":"say \"hi\", ok"}"#);
        assert_eq!(view.text(), "{\n  \"a\": \"say \\\"hi\\\", ok\"\n}");
    }

    #[test]
    fn a_bare_number_is_shown_as_text() {
        assert_eq!(render_payload(b"42"), PayloadView::Text("42".into()));
    }

    #[test]
    fn markup_in_a_payload_stays_text() {
        let payload = b"<img src=x onerror=alert(1)>";
        assert_eq!(
            render_payload(payload),
            PayloadView::Text("<img src=x onerror=alert(1)>".into())
        );
    }

    #[test]
    fn binary_payload_is_shown_as_hex() {
        assert_eq!(
            render_payload(&[0x00, 0xff, 0x10]),
            PayloadView::Binary("00 ff 10".into())
        );
    }

    #[test]
    fn an_empty_payload_says_so() {
        assert_eq!(render_payload(b"").text(), "(empty payload)");
    }

    #[test]
    fn a_huge_payload_is_cut_and_says_how_much_is_missing() {
        let big = vec![b'a'; RENDER_LIMIT + 10];
        let view = render_payload(&big);
        assert!(view.text().ends_with("(10 more bytes, 16394 in total)"));
    }

    #[test]
    fn payload_messages_follow_the_language() {
        let err = encode_payload_in(PayloadFormat::Hex, "0g", Locale::zh_CN).unwrap_err();
        assert!(err.contains("“g”") && err.contains("第 2 个字符"), "{err}");
        let err = encode_payload_in(PayloadFormat::Json, "{\"a\": }", Locale::zh_CN).unwrap_err();
        assert!(
            err.starts_with("不是有效的 JSON") && err.contains("第 1 行"),
            "{err}"
        );
        assert_eq!(render_payload(b"").text_in(0, Locale::zh_CN), "（空负载）");
        assert_eq!(render_payload(b"").kind_in(Locale::zh_CN), "空");
    }

    #[test]
    fn a_cut_payload_says_what_is_missing_in_the_language() {
        let big = vec![b'a'; RENDER_LIMIT + 10];
        let view = render_payload(&big);
        assert_eq!(view.text_in(big.len(), Locale::en), view.text());
        let zh = view.text_in(big.len(), Locale::zh_CN);
        assert!(
            zh.ends_with("…（还有 10 字节，共 16394 字节）"),
            "{}",
            &zh[zh.len() - 60..]
        );
        assert!(zh.starts_with("aaa"));
    }

    #[test]
    fn format_keys_round_trip() {
        for f in [PayloadFormat::Text, PayloadFormat::Json, PayloadFormat::Hex] {
            assert_eq!(PayloadFormat::from_key(f.key()), f);
        }
    }
}
