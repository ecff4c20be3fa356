//! Small page-level browser helpers: theme, downloads, the address's fragment.

use wasm_bindgen::JsCast;

/// True when the page itself was loaded over https:// (it may then open only wss://).
pub fn is_https() -> bool {
    web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:")
}

/// True when the system prefers a dark colour scheme.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// Sets `data-theme` on `<html>`, which the stylesheet keys its colours on.
pub fn apply_theme(theme: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// Sets `lang` on `<html>` (a BCP 47 tag), for screen readers, fonts and hyphenation.
pub fn set_lang(tag: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Presenter mode on the whole page: full screen (where the browser allows
/// it: a refusal only leaves the window as it is) and `class="presenting"`
/// on `<html>`, which the style sheets enlarge for a projector.
pub fn set_presenting(on: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.class_list().toggle_with_force("presenting", on);
        if on && document.fullscreen_element().is_none() {
            let _ = root.request_fullscreen();
        }
    }
    if !on && document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    }
}

/// Offers `text` as a download called `file_name` of type `mime` (a charset
/// is added for text types); returns a message on failure.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |_| "The browser refused to create the download.".to_string();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document to download from.")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&format!("{mime};charset=utf-8"));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let anchor = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "The browser refused to create the download.".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The download reads the URL after this turn (freeing it at once can
    // cancel it in some browsers); free it a little later.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Offers plain `text` as a download called `file_name`.
pub fn download_text(file_name: &str, text: &str) -> Result<(), String> {
    download(file_name, "text/plain", text)
}

/// The address's fragment without its `#` ("dashboard" for `…/#dashboard`).
pub fn location_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|hash| hash.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// Puts `fragment` in the address without a new history entry, so a reload
/// (or a bookmark) comes back to the same place.
pub fn replace_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{fragment}")),
        );
    }
}

/// Whether the page is hidden (another tab in front, a minimised window):
/// animation frames stop there, so what cannot wait must not wait for one.
pub fn page_hidden() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        false
    }
}

/// The document's title now.
pub fn document_title() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.title())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// Sets the document's title.
pub fn set_document_title(title: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = title;
}

/// Read the first file chosen in `input` as text and hand it to `done`.
pub fn read_chosen_file(
    input: &web_sys::HtmlInputElement,
    done: impl FnOnce(String) + 'static,
) -> Result<(), wasm_bindgen::JsValue> {
    let Some(file) = input.files().and_then(|list| list.get(0)) else {
        return Ok(());
    };
    let reader = web_sys::FileReader::new()?;
    let reader_in_handler = reader.clone();
    let on_load = wasm_bindgen::closure::Closure::once(move || {
        if let Some(text) = reader_in_handler.result().ok().and_then(|r| r.as_string()) {
            done(text);
        }
    });
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    // The reader owns the only reference to the handler; leak it to it.
    on_load.forget();
    reader.read_as_text(&file)
}
