#![cfg(not(target_arch = "wasm32"))]
//! What the connection error line says for each way a connection fails.

use qoscope::app::failure::{closed_before_connack, unreachable};
use qoscope::app::form::BrokerUrl;
use qoscope::app::model::{ClientModel, ConnStatus};
use qoscope::mqtt::session::{BrokerLimits, Event, EventKind};
use qoscope::net::ws::{LinkUpdate, TransportEvent};

fn transport(event: TransportEvent) -> LinkUpdate {
    LinkUpdate::Transport { at: 1, event }
}

#[test]
fn a_local_broker_that_is_not_running_is_named_with_the_listener_it_needs() {
    let text = unreachable("ws://127.0.0.1:9001", None, false);
    assert!(
        text.starts_with("Nothing accepted a WebSocket at 127.0.0.1:9001"),
        "{text}"
    );
    assert!(
        text.contains("`listener 9001`") && text.contains("make run"),
        "{text}"
    );
    assert!(
        text.contains("closed before the WebSocket handshake finished"),
        "a port that answered and then closed during the handshake fails the same way: {text}"
    );
    assert!(
        !text.contains("certificate"),
        "no TLS advice for ws://: {text}"
    );
    let text = unreachable("ws://localhost/mqtt", None, false);
    assert!(
        text.contains("localhost:80"),
        "the default port is named: {text}"
    );
}

#[test]
fn a_remote_wss_broker_gets_the_likely_causes_and_the_certificate_hint() {
    let text = unreachable("wss://broker.example.com/mqtt", None, false);
    assert!(
        text.starts_with("No WebSocket connection to broker.example.com:443."),
        "{text}"
    );
    assert!(
        text.contains("does not resolve") && text.contains("/mqtt"),
        "{text}"
    );
    assert!(
        text.contains(
            "open https://broker.example.com:443/ in a new tab once, accept the certificate"
        ),
        "{text}"
    );
    let text = unreachable("wss://[::1]:8884", None, false);
    assert!(text.contains("https://[::1]:8884/"), "{text}");
}

#[test]
fn an_https_page_is_told_it_may_open_only_wss() {
    let text = unreachable("ws://broker.example.com:8080", None, true);
    assert!(text.contains("only wss://"), "{text}");
    // wss:// from an https:// page is fine: the usual explanation follows.
    let text = unreachable("wss://broker.example.com:8884", None, true);
    assert!(text.starts_with("No WebSocket connection"), "{text}");
}

#[test]
fn the_browsers_own_refusal_is_quoted() {
    let text = unreachable(
        "ws://127.0.0.1:1",
        Some("The port 1 is not allowed."),
        false,
    );
    assert_eq!(
        text,
        "The browser would not open ws://127.0.0.1:1: The port 1 is not allowed."
    );
}

#[test]
fn a_socket_that_opened_and_closed_before_connack_is_not_called_unreachable() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://127.0.0.1:8080", &[], 0);
    model.apply(transport(TransportEvent::Open));
    model.apply(transport(TransportEvent::Lost {
        code: 1006,
        reason: String::new(),
    }));
    let error = model.error.clone().unwrap_or_default();
    assert!(
        error.starts_with("The WebSocket to ws://127.0.0.1:8080 opened, but it closed before the broker answered CONNECT"),
        "{error}"
    );
    assert!(error.contains("close code 1006"), "{error}");
    assert_eq!(model.status, ConnStatus::Disconnected);
    assert!(closed_before_connack("ws://h", "Lost.").ends_with(" Lost."));
}

#[test]
fn a_drop_after_connack_stays_a_lost_connection() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://127.0.0.1:9001", &[], 0);
    model.apply(LinkUpdate::Session(std::sync::Arc::new(Event {
        at: 2,
        kind: EventKind::Connected {
            session_present: false,
            broker: BrokerLimits::spec_defaults(60),
        },
    })));
    model.apply(transport(TransportEvent::Lost {
        code: 1006,
        reason: String::new(),
    }));
    let error = model.error.clone().unwrap_or_default();
    assert!(
        error.starts_with("The connection to ws://127.0.0.1:9001 was lost"),
        "{error}"
    );
}

#[test]
fn broker_urls_are_read_with_their_default_ports() {
    let u = BrokerUrl::parse("wss://user@broker.example.com/mqtt").expect("valid");
    assert_eq!(
        (u.secure, u.host.as_str(), u.port),
        (true, "broker.example.com", 443)
    );
    let u = BrokerUrl::parse(" ws://[::1]:9001/ ").expect("valid");
    assert_eq!((u.secure, u.host.as_str(), u.port), (false, "[::1]", 9001));
    assert!(u.is_loopback());
    assert!(!BrokerUrl::parse("ws://10.0.0.5")
        .expect("valid")
        .is_loopback());
    assert!(BrokerUrl::parse("mqtt://h").is_err());
}
