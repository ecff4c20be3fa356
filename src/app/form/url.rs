//! The broker URL as far as the app reads it: scheme, host and port, and
//! what is wrong with one that does not open.

use std::fmt;

use super::DEFAULT_BROKER_URL;
use crate::i18n::{td_string, Locale};

/// A broker URL, as far as the app needs to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// `wss://` (TLS).
    pub secure: bool,
    /// Host name or address (an IPv6 literal keeps its brackets).
    pub host: String,
    /// The port, or the scheme's default (80 for ws://, 443 for wss://).
    pub port: u16,
}

impl BrokerUrl {
    /// Reads `url`: `ws://` or `wss://`, a host, an optional port 1..=65535;
    /// otherwise says what is wrong (in English), with an example.
    pub fn parse(url: &str) -> Result<BrokerUrl, String> {
        check_broker_url(url).map_err(|e| e.to_string())
    }

    /// Whether the host is this machine (`localhost`, 127.0.0.0/8, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        let h = self.host.to_ascii_lowercase();
        h == "localhost" || h.ends_with(".localhost") || h.starts_with("127.") || h == "[::1]"
    }
}

/// What is wrong with a broker URL; in words by [`UrlError::words_in`]
/// (English by `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Nothing typed.
    Empty,
    /// Neither `ws://` nor `wss://`; `tcp` when it names a plain TCP scheme
    /// (`mqtt://`, `tcp://`), which a browser cannot open.
    NotWebSocket {
        /// `mqtt://` or `tcp://`.
        tcp: bool,
    },
    /// Whitespace inside the URL.
    Spaces,
    /// No host after the scheme.
    NoHost,
    /// A port that is not 1..=65535, as typed.
    BadPort(String),
}

impl UrlError {
    /// The problem in `locale`, with an example.
    pub fn words_in(&self, locale: Locale) -> String {
        let example = DEFAULT_BROKER_URL;
        match self {
            UrlError::Empty => td_string!(locale, client.form_error.url_empty, example).to_string(),
            UrlError::NotWebSocket { tcp: false } => {
                td_string!(locale, client.form_error.url_scheme, example).to_string()
            }
            UrlError::NotWebSocket { tcp: true } => {
                td_string!(locale, client.form_error.url_scheme_tcp, example).to_string()
            }
            UrlError::Spaces => td_string!(locale, client.form_error.url_spaces).to_string(),
            UrlError::NoHost => {
                td_string!(locale, client.form_error.url_no_host, example).to_string()
            }
            UrlError::BadPort(port) => {
                td_string!(locale, client.form_error.url_bad_port, port).to_string()
            }
        }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words_in(Locale::en))
    }
}

/// Checks a broker URL: `ws://` or `wss://`, a host, an optional port
/// 1..=65535; the problem in English.
pub fn validate_broker_url(url: &str) -> Result<(), String> {
    check_broker_url(url).map(|_| ()).map_err(|e| e.to_string())
}

/// Reads a broker URL: `ws://` or `wss://`, a host, an optional port 1..=65535.
pub fn check_broker_url(url: &str) -> Result<BrokerUrl, UrlError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(UrlError::Empty);
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("ws://") {
        (false, rest)
    } else if let Some(rest) = url.strip_prefix("wss://") {
        (true, rest)
    } else {
        let tcp = url.starts_with("mqtt://") || url.starts_with("tcp://");
        return Err(UrlError::NotWebSocket { tcp });
    };
    if url.chars().any(char::is_whitespace) {
        return Err(UrlError::Spaces);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = split_host_port(host_port);
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    let port = match port {
        Some(port) => match port.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Err(UrlError::BadPort(port.to_string())),
        },
        None if secure => 443,
        None => 80,
    };
    Ok(BrokerUrl {
        secure,
        host: host.to_string(),
        port,
    })
}

fn split_host_port(host_port: &str) -> (&str, Option<&str>) {
    // An IPv6 literal is bracketed: [::1]:9001.
    if let Some(end) = host_port.find(']') {
        let host = &host_port[..=end];
        let port = host_port[end + 1..].strip_prefix(':');
        return (host, port);
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls_with_a_host_are_accepted() {
        for url in [
            "ws://127.0.0.1:9001",
            "wss://broker.example.com/mqtt",
            "ws://[::1]:9001/",
            "ws://user@host",
            " ws://localhost ",
        ] {
            assert_eq!(validate_broker_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn a_url_without_websocket_scheme_is_refused_with_an_example() {
        let err = validate_broker_url("http://127.0.0.1:9001").unwrap_err();
        assert!(err.contains("ws:// or wss://"), "{err}");
        assert!(validate_broker_url("mqtt://host:1883")
            .unwrap_err()
            .contains("TCP"));
    }

    #[test]
    fn a_url_without_host_or_with_a_bad_port_is_refused() {
        assert!(validate_broker_url("ws://")
            .unwrap_err()
            .contains("no host"));
        assert!(validate_broker_url("ws://:9001")
            .unwrap_err()
            .contains("no host"));
        assert!(validate_broker_url("ws://h:0")
            .unwrap_err()
            .contains("Port"));
        assert!(validate_broker_url("ws://h:70000")
            .unwrap_err()
            .contains("Port"));
        assert!(validate_broker_url("ws://h: 1").is_err());
        assert!(validate_broker_url("").unwrap_err().contains("Enter"));
    }
}
