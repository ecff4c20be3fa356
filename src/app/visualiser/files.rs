//! Loading: a file input for importing a recording (downloads go through
//! [`crate::net::page::download`]). Browser-only glue; the formats live in
//! [`super::export`] and [`super::model::Recording`].

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{FileReader, HtmlInputElement};

/// Read the first file chosen in `input` as text and hand it to `done`.
pub fn read_chosen_file(
    input: &HtmlInputElement,
    done: impl FnOnce(String) + 'static,
) -> Result<(), JsValue> {
    let Some(file) = input.files().and_then(|list| list.get(0)) else {
        return Ok(());
    };
    let reader = FileReader::new()?;
    let reader_in_handler = reader.clone();
    let on_load = Closure::once(move || {
        if let Some(text) = reader_in_handler.result().ok().and_then(|r| r.as_string()) {
            done(text);
        }
    });
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    // The reader owns the only reference to the handler; leak it to it.
    on_load.forget();
    reader.read_as_text(&file)
}

/// A file name made from a title: "QoS 2 with PUBREC lost" → "qos-2-with-pubrec-lost".
pub fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "qoscope".to_string()
    } else {
        stem
    }
}
