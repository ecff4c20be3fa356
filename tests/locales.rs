//! Coverage of the translations in `locales/`: both locales have the same
//! keys with the same placeholders, every Chinese text is Chinese (or only
//! protocol names and numbers), and every key is used by the code.
//!
//! A key the code uses that no file has fails the build already (leptos_i18n
//! generates one accessor per key); these tests catch the other directions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LOCALES: [&str; 2] = ["en", "zh-CN"];

/// Words that stay as the protocol (or the file format) spells them.
const PROTOCOL_WORDS: &[&str] = &[
    "MQTT",
    "QoS",
    "PUBLISH",
    "PUBACK",
    "PUBREC",
    "PUBREL",
    "PUBCOMP",
    "CONNECT",
    "CONNACK",
    "SUBSCRIBE",
    "SUBACK",
    "UNSUBSCRIBE",
    "UNSUBACK",
    "PINGREQ",
    "PINGRESP",
    "DISCONNECT",
    "AUTH",
    "DUP",
    "RETAIN",
    "JSON",
    "CSV",
    "SVG",
    "URL",
    "ID",
    "TCP",
    "WebSocket",
    "ws",
    "wss",
    "p50",
    "p95",
    "p99",
    "ms",
    "KB",
    "MB",
    "B",
    "s",
    "v5",
    "EN",
    "Mosquitto",
    "QoScope",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every key of every namespace ("common.tagline", "lab.form.title"), with its text.
fn load(locale: &str) -> BTreeMap<String, String> {
    let dir = root().join("locales").join(locale);
    let mut keys = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let ns = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let text = std::fs::read_to_string(&file).expect("read");
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        flatten(&ns, &value, &mut keys);
    }
    keys
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: expected text, found {other}"),
    }
}

/// The `{{ name }}` placeholders and `<tag>` components of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        found.insert(rest[start + 2..start + len].trim().to_string());
        rest = &rest[start + len + 2..];
    }
    found
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// True when `text` holds nothing a reader would need translated: protocol
/// names, placeholders, numbers and punctuation.
fn only_protocol_words(text: &str) -> bool {
    let mut stripped = text.to_string();
    for p in placeholders(text) {
        stripped = stripped.replace(&format!("{{{{ {p} }}}}"), " ");
    }
    stripped
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .all(|w| PROTOCOL_WORDS.contains(&w) || w.chars().all(|c| c.is_ascii_uppercase()))
}

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push_str(&std::fs::read_to_string(&path).expect("read"));
            out.push('\n');
        }
    }
}

#[test]
fn both_locales_have_the_same_keys() {
    let en = load("en");
    let zh = load("zh-CN");
    assert!(en.len() > 10, "only {} English keys", en.len());
    let missing: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let extra: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing.is_empty(), "zh-CN lacks {missing:?}");
    assert!(extra.is_empty(), "zh-CN has keys English lacks: {extra:?}");
}

#[test]
fn placeholders_match_between_locales() {
    let en = load("en");
    let zh = load("zh-CN");
    for (key, text) in &en {
        let Some(other) = zh.get(key) else { continue };
        assert_eq!(
            placeholders(text),
            placeholders(other),
            "{key}: {text:?} / {other:?}"
        );
    }
}

#[test]
fn every_text_is_written_and_chinese_is_chinese() {
    for locale in LOCALES {
        for (key, text) in load(locale) {
            assert!(!text.trim().is_empty(), "{locale} {key} is empty");
        }
    }
    // The English page shows no Chinese: two health texts once quoted the
    // Chinese best-practice notes they came from.
    let chinese_in_english: Vec<_> = load("en")
        .into_iter()
        .filter(|(_, text)| text.chars().any(is_cjk))
        .collect();
    assert!(
        chinese_in_english.is_empty(),
        "en texts with Chinese in them: {chinese_in_english:#?}"
    );
    let untranslated: Vec<_> = load("zh-CN")
        .into_iter()
        .filter(|(_, text)| !text.chars().any(is_cjk) && !only_protocol_words(text))
        .collect();
    assert!(
        untranslated.is_empty(),
        "zh-CN texts with English left in them: {untranslated:#?}"
    );
}

#[test]
fn every_key_is_used_by_the_code() {
    let mut code = String::new();
    sources(&root().join("src"), &mut code);
    let unused: Vec<_> = load("en")
        .into_keys()
        .filter(|key| {
            !code.match_indices(key.as_str()).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = code[at + key.len()..].chars().next();
                let ident = |c: Option<char>| {
                    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                };
                !ident(before) && !ident(after)
            })
        })
        .collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:#?}");
}

#[test]
fn the_checks_themselves_work() {
    assert_eq!(
        placeholders("{{ secs }} 秒后重连（第 {{ attempt }} 次）"),
        BTreeSet::from(["secs".to_string(), "attempt".to_string()])
    );
    assert!(only_protocol_words("PUBREC · QoS 2 · {{ n }} ms"));
    assert!(!only_protocol_words("Connected"));
    assert!(is_cjk('连'));
}
