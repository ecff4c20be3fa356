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

/// The socket never opened. `detail` is the browser's own message, when the
/// WebSocket constructor gave one; `page_secure` is true on an https:// page.
pub fn unreachable(url: &str, detail: Option<&str>, page_secure: bool) -> String {
    let Ok(target) = BrokerUrl::parse(url) else {
        return format!("Could not open {url}: it is not a ws:// or wss:// URL.");
    };
    if page_secure && !target.secure {
        return format!(
            "Could not open {url}: this page was loaded over https://, and browsers let such a \
             page open only wss:// connections. Use the broker's wss:// listener, or open QoScope \
             over http://."
        );
    }
    if let Some(detail) = detail {
        return format!("The browser would not open {url}: {detail}");
    }
    let place = format!("{}:{}", target.host, target.port);
    let mut text = if target.is_loopback() {
        format!(
            "Nothing accepted a WebSocket at {place}, or the connection closed before the \
             WebSocket handshake finished (the browser does not say which). Is the broker running \
             here, with a WebSocket listener on port {}? (Mosquitto: `listener {}` then \
             `protocol websockets`; `make run` starts one on port 9001.)",
            target.port, target.port
        )
    } else {
        format!(
            "No WebSocket connection to {place}. The browser does not say why; the usual causes: \
             the name does not resolve, the port is closed or firewalled, the server refused \
             the upgrade (a wrong path: many brokers listen on /mqtt), or the connection closed \
             during the WebSocket handshake."
        )
    };
    if target.secure {
        text.push_str(&format!(
            " For wss:// with a self-signed or private certificate: open https://{place}/ in a \
             new tab once, accept the certificate, then Connect again."
        ));
    }
    text
}

/// What to do about a CONNACK refusal `code`, when there is something the
/// form can change (a leading space included), else nothing.
pub fn refusal_hint(code: u8) -> &'static str {
    match code {
        // 5.0's Unsupported Protocol Version; a 3.1.1-only broker's return code 1 reads as it.
        0x84 => " This broker does not speak MQTT 5.0: choose 3.1.1 as the protocol version and connect again.",
        // 3.1.1's "unacceptable protocol version".
        0x01 => " This broker does not accept MQTT 3.1.1: choose 5.0 as the protocol version and connect again.",
        0x04 | 0x86 => " Check the user name and password.",
        0x02 | 0x85 => " Try another client ID (or the generated one).",
        _ => "",
    }
}

/// The WebSocket opened but closed before a CONNACK came; `lost` says how it closed.
pub fn closed_before_connack(url: &str, lost: &str) -> String {
    format!(
        "The WebSocket to {url} opened, but it closed before the broker answered CONNECT. The \
         server may not be an MQTT broker, or it refused this connection without a CONNACK (an \
         MQTT version it does not speak, a client id or credentials it rejects: 3.1.1 brokers may \
         just close). {lost}"
    )
}
