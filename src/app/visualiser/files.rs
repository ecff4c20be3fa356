//! Files of recordings: their names. Reading a chosen file and downloading
//! one are browser glue ([`crate::net::page`]); the formats live in
//! [`super::export`] and [`super::model::Recording`].

pub use crate::net::page::read_chosen_file;

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
