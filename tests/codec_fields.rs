#![cfg(not(target_arch = "wasm32"))]
//! Field spans for the byte-level inspector tile each packet exactly and
//! name each field in the protocol's words.

mod codec_samples;

use codec_samples::all_packets;
use qoscope::mqtt::packet::*;

/// Asserts the spans start at 0, follow each other without gap or overlap,
/// are never empty and end at the last byte.
fn assert_tiles(fields: &[Field], len: usize) {
    let mut next = 0;
    for f in fields {
        assert_eq!(f.start, next, "gap or overlap before {f:?}");
        assert!(f.end > f.start, "empty span {f:?}");
        next = f.end;
    }
    assert_eq!(next, len, "spans end at the last byte");
}

#[test]
fn spans_tile_every_sample_packet_exactly_in_both_versions() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        for p in all_packets(version) {
            let bytes = p.to_bytes(version).unwrap();
            let version = match &p {
                Packet::Connect(c) => c.protocol,
                _ => version,
            };
            assert_tiles(&fields(&bytes, version).unwrap(), bytes.len());
        }
    }
}

fn names_and_values(raw: &[u8], version: ProtocolVersion) -> Vec<(String, String)> {
    let fields = fields(raw, version).unwrap();
    assert_tiles(&fields, raw.len());
    fields.into_iter().map(|f| (f.name, f.value)).collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_qos_2_publish_shows_its_flags_topic_id_properties_and_payload() {
    let publish = Packet::Publish(Publish {
        dup: true,
        qos: QoS::ExactlyOnce,
        topic: "alarm/fire".into(),
        packet_id: Some(7),
        payload: b"smoke".to_vec(),
        properties: PropertyValues {
            topic_alias: Some(2),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    });
    let raw = publish.to_bytes(ProtocolVersion::V5).unwrap();
    assert_eq!(
        names_and_values(&raw, ProtocolVersion::V5),
        pairs(&[
            ("Fixed header", "PUBLISH, DUP=1 QoS=2 RETAIN=0"),
            ("Remaining length", "23 bytes"),
            ("Topic name", "\"alarm/fire\""),
            ("Packet identifier", "7"),
            ("Property length", "3 bytes"),
            ("Property 0x23 Topic Alias", "2"),
            ("Payload", "5 bytes: \"smoke\""),
        ])
    );
}

#[test]
fn a_3_1_1_connect_shows_protocol_flags_and_keep_alive() {
    let connect = Packet::Connect(Connect {
        clean_start: true,
        keep_alive: 60,
        client_id: "c1".into(),
        username: Some("u".into()),
        ..Default::default()
    });
    let raw = connect.to_bytes(ProtocolVersion::V311).unwrap();
    assert_eq!(
        names_and_values(&raw, ProtocolVersion::V311),
        pairs(&[
            ("Fixed header", "CONNECT, flags 0b0000"),
            ("Remaining length", "17 bytes"),
            ("Protocol name", "\"MQTT\""),
            ("Protocol level", "4 (MQTT 3.1.1)"),
            (
                "Connect flags",
                "0b10000010: will QoS 0, user name, clean start"
            ),
            ("Keep alive", "60 s"),
            ("Client identifier", "\"c1\""),
            ("User name", "\"u\""),
        ])
    );
}

#[test]
fn subscribe_shows_each_filter_with_its_options_and_suback_each_reason() {
    let subscribe = Packet::Subscribe(Subscribe {
        packet_id: 3,
        filters: vec![SubscribeFilter {
            filter: "a/+".into(),
            qos: QoS::AtLeastOnce,
            no_local: true,
            ..Default::default()
        }],
        properties: Properties::default(),
    });
    let raw = subscribe.to_bytes(ProtocolVersion::V5).unwrap();
    let fields = names_and_values(&raw, ProtocolVersion::V5);
    assert_eq!(fields[0].1, "SUBSCRIBE, flags 0b0010");
    assert_eq!(
        fields[4],
        ("Topic filter".to_string(), "\"a/+\"".to_string())
    );
    assert_eq!(
        fields[5].1,
        "maximum QoS 1, No Local=1 Retain As Published=0 Retain Handling=0"
    );
    let suback = Packet::Suback(Suback {
        packet_id: 3,
        codes: vec![1, 0x80],
        ..Default::default()
    });
    let raw = suback.to_bytes(ProtocolVersion::V311).unwrap();
    let fields = names_and_values(&raw, ProtocolVersion::V311);
    assert_eq!(
        fields[3],
        ("Return code".to_string(), "0x01 Granted QoS 1".to_string())
    );
    assert_eq!(
        fields[4],
        ("Return code".to_string(), "0x80 Failure".to_string())
    );
}

#[test]
fn fields_of_a_malformed_or_partial_packet_is_an_error() {
    assert!(fields(&[0x40, 2, 0], ProtocolVersion::V311).is_err());
    assert!(fields(&[0x40, 2, 0, 1, 9], ProtocolVersion::V311).is_err());
    assert!(fields(&[0x41, 2, 0, 1], ProtocolVersion::V311).is_err());
    assert!(fields(&[], ProtocolVersion::V311).is_err());
}

#[test]
fn fields_serialize_for_the_inspector() {
    let raw = Packet::Pingreq.to_bytes(ProtocolVersion::V5).unwrap();
    let json = serde_json::to_string(&fields(&raw, ProtocolVersion::V5).unwrap()).unwrap();
    assert_eq!(
        json,
        r#"[{"start":0,"end":1,"name":"Fixed header","value":"PINGREQ, flags 0b0000"},{"start":1,"end":2,"name":"Remaining length","value":"0 bytes"}]"#
    );
}

#[test]
fn reason_codes_read_as_words() {
    use PacketType::*;
    use ProtocolVersion::{V311, V5};
    assert_eq!(
        reason_text(Connack, V311, 4),
        "Connection refused: bad user name or password"
    );
    assert_eq!(
        reason_text(Connack, V311, 1),
        "Connection refused: unacceptable protocol version"
    );
    assert_eq!(reason_text(Connack, V5, 0x86), "Bad User Name or Password");
    assert_eq!(reason_text(Puback, V5, 0x10), "No matching subscribers");
    assert_eq!(reason_text(Pubrel, V5, 0x92), "Packet Identifier not found");
    assert_eq!(reason_text(Suback, V311, 2), "Granted QoS 2");
    assert_eq!(reason_text(Suback, V311, 0x80), "Failure");
    assert_eq!(reason_text(Suback, V5, 0x80), "Unspecified error");
    assert_eq!(reason_text(Disconnect, V5, 0), "Normal disconnection");
    assert_eq!(reason_text(Auth, V5, 0x18), "Continue authentication");
    assert_eq!(
        reason_text(Puback, V5, 0x92),
        "Not a reason code of this packet"
    );
}
