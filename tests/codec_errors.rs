#![cfg(not(target_arch = "wasm32"))]
//! Malformed and forbidden packets fail with the right kind, at the right
//! byte, with a message a user can act on; bad packets refuse to encode.

use qoscope::mqtt::packet::*;
use DecodeErrorKind as K;
use ProtocolVersion::{V311, V5};

fn decode_error(bytes: &[u8], version: ProtocolVersion) -> DecodeError {
    match decode(bytes, version, None) {
        Err(e) => e,
        Ok(r) => panic!("{bytes:02x?} decoded as {r:?}"),
    }
}

/// Asserts the error message, which includes the offset.
fn fails_with(bytes: &[u8], version: ProtocolVersion, message: &str) -> DecodeError {
    let e = decode_error(bytes, version);
    assert_eq!(e.to_string(), message, "{:?}", e.kind);
    e
}

#[test]
fn a_remaining_length_of_five_bytes_is_rejected_at_byte_1() {
    fails_with(
        &[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        V311,
        "byte 1: remaining length uses more than 4 bytes",
    );
    // Known as soon as the fourth length byte says "more follows".
    fails_with(
        &[0x30, 0xFF, 0xFF, 0xFF, 0xFF],
        V5,
        "byte 1: remaining length uses more than 4 bytes",
    );
}

#[test]
fn invalid_utf8_in_a_topic_is_reported_at_the_bad_byte() {
    let bytes = [0x30, 8, 0, 6, b'a', b'b', b'c', b'd', b'e', 0xFF];
    fails_with(&bytes, V311, "byte 9: topic name is not valid UTF-8");
}

#[test]
fn reserved_flags_on_puback_are_rejected_at_byte_0() {
    fails_with(
        &[0x41, 2, 0, 1],
        V311,
        "byte 0: reserved flags 0b0001 set on PUBACK (must be 0b0000)",
    );
    // PUBREL, SUBSCRIBE and UNSUBSCRIBE must carry 0b0010 (MQTT-3.6.1-1, 3.8.1-1, 3.10.1-1).
    fails_with(
        &[0x60, 2, 0, 1],
        V5,
        "byte 0: reserved flags 0b0000 set on PUBREL (must be 0b0010)",
    );
}

#[test]
fn an_oversize_packet_is_refused_from_its_fixed_header_alone() {
    // PUBLISH with remaining length 297 (0xA9 0x02): 300 bytes in all, only 3 have arrived.
    let e = decode(&[0x30, 0xA9, 0x02], V5, Some(256)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "packet of 300 bytes exceeds the maximum packet size of 256"
    );
    assert_eq!(
        e.kind,
        K::PacketTooLarge {
            size: 300,
            max: 256
        }
    );
    // Exactly at the limit is fine (and, here, incomplete).
    assert_eq!(decode(&[0x30, 0xFD, 0x01], V5, Some(256)), Ok(None));
}

#[test]
fn a_property_not_allowed_on_subscribe_is_reported_at_its_identifier() {
    let bytes = [
        0x82, 17, 0, 1, // SUBSCRIBE id 1
        10, 0x26, 0, 1, b'a', 0, 1, b'b', // property length 10, user property a=b
        0x23, 0, 1, // topic alias 1, at byte 12
        0, 1, b't', 0,
    ];
    fails_with(
        &bytes,
        V5,
        "byte 12: property 0x23 Topic Alias is not allowed on SUBSCRIBE",
    );
}

#[test]
fn a_duplicated_single_use_property_is_rejected_but_user_properties_may_repeat() {
    let dup = [0x30, 14, 0, 1, b't', 10, 0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2];
    fails_with(
        &dup,
        V5,
        "byte 11: property 0x02 Message Expiry Interval appears more than once",
    );
    let users = [
        0x30, 17, 0, 1, b't', 13, 0x26, 0, 1, b'k', 0, 0, 0x26, 0, 1, b'k', 0, 1, b'v',
    ];
    let (p, _) = decode(&users, V5, None).unwrap().unwrap();
    let Packet::Publish(p) = p else {
        panic!("{p:?}")
    };
    assert_eq!(
        p.properties.user_properties,
        [("k".into(), "".into()), ("k".into(), "v".into())]
    );
}

#[test]
fn qos_3_is_not_a_qos_level() {
    fails_with(
        &[0x36, 3, 0, 1, b't'],
        V311,
        "byte 0: QoS 3 in PUBLISH is not a valid QoS level",
    );
    let connect_will_qos_3 = [0x10, 10, 0, 4, b'M', b'Q', b'T', b'T', 4, 0b0001_1100, 0, 0];
    assert_eq!(decode_error(&connect_will_qos_3, V311).offset, 9);
}

#[test]
fn missing_and_zero_packet_ids_are_rejected() {
    fails_with(
        &[0x40, 0],
        V311,
        "byte 2: PUBACK is missing its packet identifier",
    );
    fails_with(
        &[0x50, 2, 0, 0],
        V5,
        "byte 2: packet identifier 0 on PUBREC (must be 1..=65535)",
    );
    fails_with(
        &[0x32, 5, 0, 1, b't', 0, 0],
        V311,
        "byte 5: packet identifier 0 on PUBLISH (must be 1..=65535)",
    );
    fails_with(
        &[0x34, 4, 0, 1, b't', 0],
        V311,
        "byte 5: PUBLISH is missing its packet identifier",
    );
}

#[test]
fn packet_type_0_and_auth_in_3_1_1_are_unknown() {
    fails_with(&[0x00, 0], V5, "byte 0: unknown packet type 0");
    fails_with(
        &[0xF0, 0],
        V311,
        "byte 0: packet type 15 (AUTH) does not exist in MQTT 3.1.1",
    );
    assert_eq!(
        decode(&[0xF0, 0], V5, None).unwrap().unwrap().0,
        Packet::Auth(Auth::default())
    );
}

#[test]
fn a_field_beyond_the_remaining_length_is_truncated() {
    fails_with(
        &[0x30, 3, 0, 5, b't'],
        V311,
        "byte 4: packet ends before the topic name (remaining length too short)",
    );
    fails_with(
        &[0x40, 3, 0, 1, 0],
        V311,
        "byte 4: 1 unexpected byte(s) after the last field",
    );
    // A property length that runs past the packet.
    assert_eq!(decode_error(&[0x40, 4, 0, 1, 0x10, 9], V5).offset, 5);
}

#[test]
fn unknown_properties_and_reason_codes_are_rejected() {
    fails_with(
        &[0x40, 6, 0, 1, 0, 2, 0x07, 0],
        V5,
        "byte 6: unknown property identifier 0x07",
    );
    fails_with(
        &[0x40, 3, 0, 1, 0x92],
        V5,
        "byte 4: reason code 0x92 is not defined for PUBACK",
    );
    fails_with(
        &[0x20, 2, 0, 6],
        V311,
        "byte 3: reason code 0x06 is not defined for CONNACK",
    );
    fails_with(
        &[0x90, 3, 0, 1, 3],
        V311,
        "byte 4: reason code 0x03 is not defined for SUBACK",
    );
    fails_with(
        &[0x20, 2, 2, 0],
        V311,
        "byte 2: reserved acknowledge flags 0b00000010 set on CONNACK (only bit 0 may be set)",
    );
}

#[test]
fn out_of_range_property_values_are_rejected() {
    // Receive Maximum 0 is a protocol error (MQTT 5 3.1.2.11.3).
    let connack = [0x20, 6, 0, 0, 3, 0x21, 0, 0];
    fails_with(
        &connack,
        V5,
        "byte 5: property 0x21 Receive Maximum has invalid value 0",
    );
    // A Subscription Identifier 0 on SUBSCRIBE.
    let subscribe = [0x82, 9, 0, 1, 2, 0x0B, 0, 0, 1, b't', 0];
    fails_with(
        &subscribe,
        V5,
        "byte 5: property 0x0b Subscription Identifier has invalid value 0",
    );
}

#[test]
fn connect_checks_protocol_name_level_and_flags() {
    let connect = |name: &[u8; 4], level: u8, flags: u8| {
        let mut b = vec![0x10, 12, 0, 4];
        b.extend_from_slice(name);
        b.extend_from_slice(&[level, flags, 0, 0, 0, 0]);
        b
    };
    fails_with(
        &connect(b"MQIs", 4, 2),
        V5,
        "byte 2: protocol name \"MQIs\" is not \"MQTT\"",
    );
    fails_with(
        &connect(b"MQTT", 3, 2),
        V5,
        "byte 8: protocol level 3 is not supported (4 = 3.1.1, 5 = 5.0)",
    );
    fails_with(
        &connect(b"MQTT", 4, 3),
        V311,
        "byte 9: reserved connect flag (bit 0) is set (must be 0)",
    );
    fails_with(
        &connect(b"MQTT", 4, 0x20),
        V311,
        "byte 9: will QoS or will retain set without the will flag",
    );
    fails_with(
        &connect(b"MQTT", 4, 0x40),
        V311,
        "byte 9: password flag set without the user name flag (not allowed in 3.1.1)",
    );
}

#[test]
fn subscribe_and_unsubscribe_need_a_filter_and_valid_options() {
    fails_with(
        &[0x82, 2, 0, 1],
        V311,
        "byte 4: SUBSCRIBE carries no topic filter",
    );
    fails_with(
        &[0xA2, 3, 0, 1, 0],
        V5,
        "byte 5: UNSUBSCRIBE carries no topic filter",
    );
    fails_with(
        &[0x82, 6, 0, 1, 0, 1, b't', 4],
        V311,
        "byte 7: reserved bits set in subscription options 0b00000100",
    );
    fails_with(
        &[0x82, 7, 0, 1, 0, 0, 1, b't', 0x30],
        V5,
        "byte 8: retain handling 3 is not defined (must be 0, 1 or 2)",
    );
    fails_with(
        &[0x90, 2, 0, 1],
        V311,
        "byte 4: SUBACK carries no reason code",
    );
}

#[test]
fn publish_topic_names_follow_the_topic_rules() {
    fails_with(
        &[0x30, 3, 0, 1, b'#'],
        V311,
        "byte 2: topic name contains a wildcard (+ or #)",
    );
    fails_with(&[0x30, 2, 0, 0], V311, "byte 2: topic name is empty");
    fails_with(&[0x30, 3, 0, 0, 0], V5, "byte 2: topic name is empty");
    fails_with(
        &[0x30, 3, 0, 1, 0],
        V311,
        "byte 4: topic name contains the null character U+0000",
    );
    fails_with(
        &[0x38, 3, 0, 1, b't'],
        V311,
        "byte 0: DUP is set on a QoS 0 PUBLISH (must be 0, MQTT-3.3.1-2)",
    );
}

#[test]
fn decode_errors_are_std_errors() {
    let e: Box<dyn std::error::Error> = Box::new(decode_error(&[0x00, 0], V5));
    assert_eq!(e.to_string(), "byte 0: unknown packet type 0");
}

#[test]
fn packets_that_cannot_be_expressed_refuse_to_encode() {
    let publish = |qos, packet_id| {
        Packet::Publish(Publish {
            qos,
            packet_id,
            topic: "t".into(),
            ..Default::default()
        })
    };
    assert_eq!(
        publish(QoS::ExactlyOnce, None).to_bytes(V5),
        Err(EncodeError::MissingPacketId)
    );
    assert_eq!(
        publish(QoS::AtMostOnce, Some(1)).to_bytes(V5),
        Err(EncodeError::PacketIdOnQos0)
    );
    assert_eq!(
        publish(QoS::AtLeastOnce, Some(0)).to_bytes(V5),
        Err(EncodeError::ZeroPacketId(PacketType::Publish))
    );
    assert_eq!(
        Packet::Auth(Auth::default()).to_bytes(V311),
        Err(EncodeError::AuthInV311)
    );
    let long = Packet::Publish(Publish {
        topic: "x".repeat(65_536),
        ..Default::default()
    });
    assert_eq!(
        long.to_bytes(V311),
        Err(EncodeError::StringTooLong {
            what: "topic name",
            len: 65_536
        })
    );
    let alias_on_subscribe = Packet::Subscribe(Subscribe {
        packet_id: 1,
        filters: vec![SubscribeFilter {
            filter: "t".into(),
            ..Default::default()
        }],
        properties: PropertyValues {
            topic_alias: Some(1),
            ..Default::default()
        }
        .into(),
    });
    let e = alias_on_subscribe.to_bytes(V5).unwrap_err();
    assert_eq!(
        e.to_string(),
        "property 0x23 Topic Alias is not allowed on SUBSCRIBE"
    );
    assert_eq!(
        Packet::Subscribe(Subscribe {
            packet_id: 1,
            ..Default::default()
        })
        .to_bytes(V311),
        Err(EncodeError::NoTopicFilters(PacketType::Subscribe))
    );
}

#[test]
fn each_error_maps_to_the_reason_code_a_receiver_sends() {
    let code = |bytes: &[u8]| decode_error(bytes, V5).kind.reason_code();
    assert_eq!(code(&[0x41, 2, 0, 1]), 0x81, "malformed: reserved flags");
    assert_eq!(
        code(&[0x30, 14, 0, 1, b't', 10, 0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2]),
        0x82,
        "protocol error: duplicate"
    );
    assert_eq!(code(&[0x30, 3, 0, 1, b'+']), 0x90, "topic name invalid");
    let level_3 = [0x10, 12, 0, 4, b'M', b'Q', b'T', b'T', 3, 2, 0, 0, 0, 0];
    assert_eq!(code(&level_3), 0x84, "unsupported protocol version");
    let too_large = decode(&[0x30, 0x7F], V5, Some(10)).unwrap_err();
    assert_eq!(too_large.kind.reason_code(), 0x95);
}

#[test]
fn a_3_1_1_only_broker_refusing_a_5_0_connect_reads_as_unsupported_protocol_version() {
    // aedes and other 3.1.1-only brokers answer a 5.0 CONNECT in their own
    // format: return code 1, no properties (MQTT 5 3.1.2.2 allows it).
    let (packet, used) = decode(&[0x20, 0x02, 0x00, 0x01], V5, None)
        .unwrap()
        .unwrap();
    assert_eq!(used, 4);
    match packet {
        Packet::Connack(c) => {
            assert_eq!(c.code, 0x84, "Unsupported Protocol Version");
            assert!(!c.session_present);
        }
        other => panic!("{other:?}"),
    }
    for (legacy, reason) in [(2, 0x85), (3, 0x88), (4, 0x86), (5, 0x87)] {
        let (packet, _) = decode(&[0x20, 0x02, 0x00, legacy], V5, None)
            .unwrap()
            .unwrap();
        assert!(matches!(packet, Packet::Connack(c) if c.code == reason));
    }
    assert!(
        decode(&[0x20, 0x02, 0x00, 0x06], V5, None).is_err(),
        "not a 3.1.1 return code either"
    );
}
