//! `mosquitto_pub -d` log lines and one-line event descriptions.
#![cfg(not(target_arch = "wasm32"))]

use qoscope::mqtt::packet::{
    Connack, Packet, PubResponse, Publish, QoS, Subscribe, SubscribeFilter,
};
use qoscope::mqtt::session::{log_line, EventKind, FlowDirection, FlowState};

fn id(packet_id: u16) -> PubResponse {
    PubResponse {
        packet_id,
        ..Default::default()
    }
}

#[test]
fn log_lines_have_libmosquitto_shapes() {
    let publish = Packet::Publish(Publish {
        qos: QoS::ExactlyOnce,
        topic: "qos2/test".into(),
        packet_id: Some(1),
        payload: b"test".to_vec(),
        ..Default::default()
    });
    let c = "qoscope-1";
    assert_eq!(
        log_line(c, true, &Packet::Connect(Default::default())),
        "Client qoscope-1 sending CONNECT"
    );
    assert_eq!(
        log_line(c, false, &Packet::Connack(Connack::default())),
        "Client qoscope-1 received CONNACK (0)"
    );
    assert_eq!(
        log_line(c, true, &publish),
        "Client qoscope-1 sending PUBLISH (d0, q2, r0, m1, 'qos2/test', ... (4 bytes))"
    );
    assert_eq!(
        log_line(c, false, &Packet::Pubrec(id(1))),
        "Client qoscope-1 received PUBREC (Mid: 1)"
    );
    assert_eq!(
        log_line(c, true, &Packet::Pubrel(id(1))),
        "Client qoscope-1 sending PUBREL (m1)"
    );
    assert_eq!(
        log_line(c, false, &Packet::Pubcomp(id(1))),
        "Client qoscope-1 received PUBCOMP (Mid: 1, RC:0)"
    );
    assert_eq!(
        log_line(c, false, &Packet::Puback(id(3))),
        "Client qoscope-1 received PUBACK (Mid: 3, RC:0)"
    );
    assert_eq!(
        log_line(c, true, &Packet::Puback(id(3))),
        "Client qoscope-1 sending PUBACK (m3, rc0)"
    );
    assert_eq!(
        log_line(c, true, &Packet::Pingreq),
        "Client qoscope-1 sending PINGREQ"
    );
    assert_eq!(
        log_line(c, false, &Packet::Pingresp),
        "Client qoscope-1 received PINGRESP"
    );
    assert_eq!(
        log_line(c, true, &Packet::Disconnect(Default::default())),
        "Client qoscope-1 sending DISCONNECT"
    );
    assert_eq!(
        log_line(c, false, &Packet::Suback(Default::default())),
        "Client qoscope-1 received SUBACK"
    );
    let subscribe = Packet::Subscribe(Subscribe {
        packet_id: 2,
        filters: vec![SubscribeFilter {
            filter: "alarms/#".into(),
            qos: QoS::AtLeastOnce,
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_eq!(
        log_line(c, true, &subscribe),
        "Client qoscope-1 sending SUBSCRIBE (Mid: 2, Topic: alarms/#, QoS: 1, Options: 0x00)"
    );
}

#[test]
fn flow_event_describes_the_transition() {
    let kind = EventKind::Flow {
        packet_id: 7,
        direction: FlowDirection::Outgoing,
        qos: QoS::ExactlyOnce,
        from: FlowState::AwaitingPubrec,
        to: FlowState::AwaitingPubcomp,
    };
    assert!(kind
        .describe()
        .starts_with("id 7: AwaitingPubrec → AwaitingPubcomp"));
}
