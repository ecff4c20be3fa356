//! Why a connection failed, in the words a user can act on.
//!
//! A browser tells a page almost nothing about a WebSocket that did not open:
//! close code 1006 whether the name did not resolve, the port was closed, the
//! TLS certificate was refused or the server declined the upgrade (the real
//! cause goes to the console only). What the page can know, it says: the URL
//! it tried, whether the page's own https:// forbids a ws:// URL, whether the
//! broker is this machine, and whether the WebSocket opened but MQTT then
//! failed. For wss:// it says how to accept a private certificate.

use super::form::BrokerUrl;
use crate::i18n::{td_string, Locale};

/// What goes between two sentences: a space in English, nothing in Chinese.
fn gap(locale: Locale) -> &'static str {
    if locale == Locale::en {
        " "
    } else {
        ""
    }
}

/// The socket never opened. `detail` is the browser's own message, when the
/// WebSocket constructor gave one; `page_secure` is true on an https:// page.
pub fn unreachable(url: &str, detail: Option<&str>, page_secure: bool) -> String {
    unreachable_in(url, detail, page_secure, Locale::en)
}

/// [`unreachable`] in `locale`.
pub fn unreachable_in(
    url: &str,
    detail: Option<&str>,
    page_secure: bool,
    locale: Locale,
) -> String {
    let Ok(target) = BrokerUrl::parse(url) else {
        return td_string!(locale, protocol.failure.not_a_ws_url, url = url).to_string();
    };
    if page_secure && !target.secure {
        return td_string!(locale, protocol.failure.mixed_content, url = url).to_string();
    }
    if let Some(detail) = detail {
        return td_string!(
            locale,
            protocol.failure.browser_said,
            url = url,
            detail = detail
        )
        .to_string();
    }
    let place = format!("{}:{}", target.host, target.port);
    let mut text = if target.is_loopback() {
        td_string!(
            locale,
            protocol.failure.loopback,
            place = &place,
            port = target.port
        )
        .to_string()
    } else {
        td_string!(locale, protocol.failure.remote, place = &place).to_string()
    };
    if target.secure {
        text.push_str(gap(locale));
        text.push_str(
            &td_string!(locale, protocol.failure.private_certificate, place = &place).to_string(),
        );
    }
    text
}

/// What to do about a CONNACK refusal `code`, when there is something the
/// form can change (a leading space included), else nothing.
pub fn refusal_hint(code: u8) -> String {
    refusal_hint_in(code, Locale::en)
}

/// [`refusal_hint`] in `locale` (led by what goes between two sentences).
pub fn refusal_hint_in(code: u8, locale: Locale) -> String {
    let hint = match code {
        // 5.0's Unsupported Protocol Version; a 3.1.1-only broker's return code 1 reads as it.
        0x84 => td_string!(locale, protocol.failure.hint_use_v311),
        // 3.1.1's "unacceptable protocol version".
        0x01 => td_string!(locale, protocol.failure.hint_use_v5),
        0x04 | 0x86 => td_string!(locale, protocol.failure.hint_credentials),
        0x02 | 0x85 => td_string!(locale, protocol.failure.hint_client_id),
        _ => return String::new(),
    };
    format!("{}{hint}", gap(locale))
}

/// The WebSocket opened but closed before a CONNACK came; `lost` says how it closed.
pub fn closed_before_connack(url: &str, lost: &str) -> String {
    closed_before_connack_in(url, lost, Locale::en)
}

/// [`closed_before_connack`] in `locale`.
pub fn closed_before_connack_in(url: &str, lost: &str, locale: Locale) -> String {
    td_string!(
        locale,
        protocol.failure.closed_before_connack,
        url = url,
        lost = lost
    )
    .to_string()
}
