//! Generates the `i18n` module from `locales/<locale>/<namespace>.json`
//! (leptos_i18n): one `Locale` enum and one typed accessor per key, so a key
//! the code asks for that no file has is a compile error. Keys one locale has
//! and the other lacks are reported here as warnings, and fail
//! `tests/locales.rs`.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

/// One file per part of the app, so each can be read (and translated) alone.
const NAMESPACES: [&str; 7] = [
    "common",
    "client",
    "dashboard",
    "lab",
    "visualiser",
    "presenter",
    "protocol",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Interpolated keys can also be rendered as plain strings (titles, aria
    // labels, messages built outside a view).
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("en")?
        .add_locale("zh-CN")?
        .add_namespaces(NAMESPACES)?
        .parse_options(options);
    let infos = TranslationsInfos::parse(config)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
