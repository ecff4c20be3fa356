//! The interface language: English or Simplified Chinese.
//!
//! The words live in `locales/<locale>/<namespace>.json`; `build.rs` turns
//! them into the typed [`crate::i18n`] module (leptos_i18n), so a missing key
//! is a compile error and `tests/locales.rs` checks that both locales have
//! every key. Views read the reader's choice from the [`I18nContext`]
//! (`use_i18n()`) and re-render when it changes; code outside a view takes a
//! [`Locale`] and returns the words for it.
//!
//! The first visit follows the browser's languages (leptos_i18n matches
//! `navigator.languages` against the locales). A choice the reader makes in
//! the switch is kept in localStorage ([`storage::LOCALE_KEY`]) and wins from
//! then on; `<html lang>` follows the locale shown. Protocol names (PUBLISH,
//! PUBREC, QoS, packet id) stay as MQTT spells them in both.
//!
//! The context is made here rather than by the generated
//! `I18nContextProvider`: that one keeps the choice in a cookie (the cookie
//! and date crates behind it cost 37 KB gzip of wasm) and sets `lang` through
//! leptos_meta, which nothing else here needs.

use leptos::prelude::*;
// `Locale::as_str`, the BCP 47 tag.
pub use leptos_i18n::Locale as _;

pub use crate::i18n::Locale;
use crate::net::{page, storage};
use leptos_i18n::I18nContext;

/// Every locale, in the order the switch shows them, with its own name.
pub const LOCALES: [(Locale, &str); 2] = [(Locale::en, "English"), (Locale::zh_CN, "中文")];

/// The locale a BCP 47 tag names ("zh-CN"), if it is one of ours.
pub fn from_tag(tag: &str) -> Option<Locale> {
    LOCALES
        .iter()
        .map(|&(locale, _)| locale)
        .find(|locale| locale.as_str().eq_ignore_ascii_case(tag))
}

/// Provides the language context to `children`: the stored choice, or the
/// browser's languages when the reader never chose.
#[component]
pub fn LocaleProvider(children: Children) -> impl IntoView {
    // A context of its own with the stored choice as its start (leptos_i18n's
    // "subcontext" without a parent): the browser's languages only when there
    // is none, and no second render from the browser's language first.
    let chosen = storage::get(storage::LOCALE_KEY).and_then(|t| from_tag(&t));
    let i18n = leptos_i18n::context::init_i18n_subcontext::<Locale>(chosen.map(Signal::stored));
    provide_context(i18n);
    Effect::new(move |_| page::set_lang(i18n.get_locale().as_str()));
    children()
}

/// The language context of the view being built: the app's, or, for a view
/// mounted alone (the component tests), one that stays English. Use it, not
/// the generated `crate::i18n::use_i18n`, which panics without a provider.
pub fn use_i18n() -> I18nContext<Locale> {
    use_context::<I18nContext<Locale>>().unwrap_or_else(|| {
        let i18n =
            leptos_i18n::context::init_i18n_subcontext::<Locale>(Some(Signal::stored(Locale::en)));
        provide_context(i18n);
        i18n
    })
}

/// The reader's language as a signal: the app's choice, or English where no
/// language context exists (a view mounted alone, as the component tests do).
pub fn reader() -> Signal<Locale> {
    match use_context::<I18nContext<Locale>>() {
        Some(i18n) => Signal::derive(move || i18n.get_locale()),
        None => Signal::stored(Locale::en),
    }
}

/// The locale the reader chose, read without subscribing (for code that
/// builds words once, outside a view). English when no context exists.
pub fn current() -> Locale {
    use_context::<I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale_untracked())
        .unwrap_or_default()
}

/// The header's language switch: one button per language, the chosen one
/// pressed. Switching re-renders the words in place: connections, scenarios
/// and lab runs carry on.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |(locale, name): (Locale, &'static str)| {
        view! {
            <button
                type="button"
                class="lang-option"
                lang=locale.as_str()
                data-locale=locale.as_str()
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| {
                    i18n.set_locale(locale);
                    // Not being able to remember it is no reason to bother the reader.
                    let _ = storage::set(storage::LOCALE_KEY, locale.as_str());
                }
            >
                {name}
            </button>
        }
    };
    view! {
        <div
            class="lang-switch"
            id="lang-switch"
            role="group"
            aria-label=move || crate::i18n::t_string!(i18n, common.language_label)
            title=move || crate::i18n::t_string!(i18n, common.language_title)
        >
            {LOCALES.map(button)}
        </div>
    }
}

/// `n` with a comma every three digits, as both locales group digits.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The date and time of `at_ms` (Unix milliseconds) as the locale writes them
/// ("Dec 6, 2026, 15:28" / "2026年12月6日 15:28"). Natively, seconds since the epoch.
pub fn date_time(at_ms: u64, locale: Locale) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
        let options = js_sys::Object::new();
        // 24-hour, as every other time on the page.
        for (key, value) in [
            ("dateStyle", "medium"),
            ("timeStyle", "short"),
            ("hourCycle", "h23"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        if let Some(s) = date.to_locale_string(locale.as_str(), &options).as_string() {
            return s;
        }
    }
    let _ = locale;
    format!("{} s", at_ms / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_like_both_locales() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(20_000), "20,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn tags_name_our_locales_only() {
        assert_eq!(from_tag("zh-CN"), Some(Locale::zh_CN));
        assert_eq!(from_tag("zh-cn"), Some(Locale::zh_CN));
        assert_eq!(from_tag("en"), Some(Locale::en));
        assert_eq!(from_tag("fr"), None);
    }
}
