#![cfg(not(target_arch = "wasm32"))]
//! Property tests: any valid packet round-trips and its spans tile it; any
//! byte soup, and any mutation of a valid packet, decodes or fails without
//! panicking; the stream decoder agrees with one-shot decoding however the
//! bytes are split.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use qoscope::mqtt::packet::*;

const V311: ProtocolVersion = ProtocolVersion::V311;
const V5: ProtocolVersion = ProtocolVersion::V5;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _/é中-]{0,12}"
}

fn topic() -> impl Strategy<Value = String> {
    "[a-z0-9/é]{1,12}"
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..24)
}

fn qos() -> impl Strategy<Value = QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
}

fn flag() -> impl Strategy<Value = Option<u8>> {
    option::of(0u8..=1)
}

/// Where a property block sits, to keep only what the spec allows there.
#[derive(Clone, Copy)]
enum Place {
    Packet(PacketType),
    Will,
}

/// A Properties with every field random; [`keep_allowed`] trims it.
fn any_properties() -> impl Strategy<Value = Properties> {
    let publish_like = (
        flag(),
        option::of(any::<u32>()),
        option::of(text()),
        option::of(topic()),
        option::of(bytes()),
        vec(1u32..=268_435_455, 0..3),
        option::of(1u16..),
    );
    let connection = (
        option::of(any::<u32>()),
        option::of(text()),
        option::of(any::<u16>()),
        option::of(text()),
        option::of(bytes()),
        flag(),
        option::of(any::<u32>()),
        flag(),
        option::of(text()),
        option::of(text()),
        option::of(text()),
    );
    let limits = (
        option::of(1u16..),
        option::of(any::<u16>()),
        flag(),
        flag(),
        option::of(1u32..),
        flag(),
        flag(),
        flag(),
        vec((text(), text()), 0..3),
    );
    (publish_like, connection, limits).prop_map(|(a, b, c)| {
        PropertyValues {
            payload_format_indicator: a.0,
            message_expiry_interval: a.1,
            content_type: a.2,
            response_topic: a.3,
            correlation_data: a.4,
            subscription_identifiers: a.5,
            topic_alias: a.6,
            session_expiry_interval: b.0,
            assigned_client_identifier: b.1,
            server_keep_alive: b.2,
            authentication_method: b.3,
            authentication_data: b.4,
            request_problem_information: b.5,
            will_delay_interval: b.6,
            request_response_information: b.7,
            response_information: b.8,
            server_reference: b.9,
            reason_string: b.10,
            receive_maximum: c.0,
            topic_alias_maximum: c.1,
            maximum_qos: c.2,
            retain_available: c.3,
            maximum_packet_size: c.4,
            wildcard_subscription_available: c.5,
            subscription_identifier_available: c.6,
            shared_subscription_available: c.7,
            user_properties: c.8,
        }
        .into()
    })
}

/// Keeps the properties MQTT 5 allows at `place` (section 2.2.2.2).
fn keep_allowed(all: Properties, place: Place) -> Properties {
    use PacketType as T;
    let all = PropertyValues::clone(&all);
    let mut p = PropertyValues {
        user_properties: all.user_properties.clone(),
        ..Default::default()
    };
    let publish_like = |p: &mut PropertyValues| {
        p.payload_format_indicator = all.payload_format_indicator;
        p.message_expiry_interval = all.message_expiry_interval;
        p.content_type = all.content_type.clone();
        p.response_topic = all.response_topic.clone();
        p.correlation_data = all.correlation_data.clone();
    };
    match place {
        Place::Will => {
            publish_like(&mut p);
            p.will_delay_interval = all.will_delay_interval;
        }
        Place::Packet(T::Publish) => {
            publish_like(&mut p);
            p.subscription_identifiers = all.subscription_identifiers.clone();
            p.topic_alias = all.topic_alias;
        }
        Place::Packet(T::Subscribe) => {
            p.subscription_identifiers = all.subscription_identifiers.into_iter().take(1).collect()
        }
        Place::Packet(T::Connect) => {
            p.session_expiry_interval = all.session_expiry_interval;
            p.authentication_method = all.authentication_method;
            p.authentication_data = all.authentication_data;
            p.request_problem_information = all.request_problem_information;
            p.request_response_information = all.request_response_information;
            p.receive_maximum = all.receive_maximum;
            p.topic_alias_maximum = all.topic_alias_maximum;
            p.maximum_packet_size = all.maximum_packet_size;
        }
        Place::Packet(T::Connack) => {
            let user_properties = p.user_properties;
            p = PropertyValues {
                payload_format_indicator: None,
                message_expiry_interval: None,
                content_type: None,
                response_topic: None,
                correlation_data: None,
                subscription_identifiers: vec![],
                request_problem_information: None,
                will_delay_interval: None,
                request_response_information: None,
                topic_alias: None,
                user_properties,
                ..all
            };
        }
        Place::Packet(T::Disconnect) => {
            p.session_expiry_interval = all.session_expiry_interval;
            p.server_reference = all.server_reference;
            p.reason_string = all.reason_string;
        }
        Place::Packet(T::Auth) => {
            p.authentication_method = all.authentication_method;
            p.authentication_data = all.authentication_data;
            p.reason_string = all.reason_string;
        }
        Place::Packet(T::Unsubscribe) => {}
        Place::Packet(_) => p.reason_string = all.reason_string,
    }
    p.into()
}

fn props_for(place: Place, version: ProtocolVersion) -> BoxedStrategy<Properties> {
    match version {
        V5 => any_properties()
            .prop_map(move |p| keep_allowed(p, place))
            .boxed(),
        _ => Just(Properties::default()).boxed(),
    }
}

/// A reason code defined for `t` in `version` (0 for packets without one in 3.1.1).
fn reason(t: PacketType, version: ProtocolVersion) -> BoxedStrategy<u8> {
    let codes: Vec<u8> = (0..=255u8)
        .filter(|&c| is_valid_reason(t, version, c))
        .collect();
    if codes.is_empty() {
        Just(0).boxed()
    } else {
        proptest::sample::select(codes).boxed()
    }
}

fn will(version: ProtocolVersion) -> impl Strategy<Value = LastWill> {
    (
        topic(),
        bytes(),
        qos(),
        any::<bool>(),
        props_for(Place::Will, version),
    )
        .prop_map(|(topic, payload, qos, retain, properties)| LastWill {
            topic,
            payload,
            qos,
            retain,
            properties,
        })
}

fn connect(version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    let fields = (
        any::<bool>(),
        any::<u16>(),
        text(),
        option::of(will(version)),
    );
    let credentials = (option::of(text()), option::of(bytes()));
    (
        fields,
        credentials,
        props_for(Place::Packet(PacketType::Connect), version),
    )
        .prop_map(
            move |(
                (clean_start, keep_alive, client_id, will),
                (username, password),
                properties,
            )| {
                // 3.1.1 allows a password only with a user name (MQTT-3.1.2-22).
                let username = match (version, &password) {
                    (V311, Some(_)) => username.or(Some(String::new())),
                    _ => username,
                };
                Packet::Connect(Connect {
                    protocol: version,
                    clean_start,
                    keep_alive,
                    client_id,
                    will,
                    username,
                    password,
                    properties,
                })
            },
        )
}

fn publish(version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    let head = (any::<bool>(), qos(), any::<bool>(), topic(), 1u16..);
    (
        head,
        vec(any::<u8>(), 0..300),
        props_for(Place::Packet(PacketType::Publish), version),
    )
        .prop_map(|((dup, qos, retain, topic, id), payload, properties)| {
            let packet_id = (qos != QoS::AtMostOnce).then_some(id);
            let dup = dup && packet_id.is_some();
            Packet::Publish(Publish {
                dup,
                qos,
                retain,
                topic,
                packet_id,
                payload,
                properties,
            })
        })
}

fn response(t: PacketType, version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    (
        1u16..,
        reason(t, version),
        props_for(Place::Packet(t), version),
    )
        .prop_map(move |(packet_id, reason, properties)| {
            let r = PubResponse {
                packet_id,
                reason,
                properties,
            };
            match t {
                PacketType::Puback => Packet::Puback(r),
                PacketType::Pubrec => Packet::Pubrec(r),
                PacketType::Pubrel => Packet::Pubrel(r),
                _ => Packet::Pubcomp(r),
            }
        })
}

fn subscribe_filter(version: ProtocolVersion) -> impl Strategy<Value = SubscribeFilter> {
    (
        "[a-z/+#]{1,8}",
        qos(),
        any::<bool>(),
        any::<bool>(),
        0u8..=2,
    )
        .prop_map(
            move |(filter, qos, no_local, retain_as_published, retain_handling)| match version {
                V5 => SubscribeFilter {
                    filter,
                    qos,
                    no_local,
                    retain_as_published,
                    retain_handling,
                },
                _ => SubscribeFilter {
                    filter,
                    qos,
                    ..Default::default()
                },
            },
        )
}

fn subscriptions(version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    let sub = (
        1u16..,
        vec(subscribe_filter(version), 1..4),
        props_for(Place::Packet(PacketType::Subscribe), version),
    )
        .prop_map(|(packet_id, filters, properties)| {
            Packet::Subscribe(Subscribe {
                packet_id,
                filters,
                properties,
            })
        });
    let suback = (
        1u16..,
        vec(reason(PacketType::Suback, version), 1..4),
        props_for(Place::Packet(PacketType::Suback), version),
    )
        .prop_map(|(packet_id, codes, properties)| {
            Packet::Suback(Suback {
                packet_id,
                codes,
                properties,
            })
        });
    let unsub = (
        1u16..,
        vec(topic(), 1..4),
        props_for(Place::Packet(PacketType::Unsubscribe), version),
    )
        .prop_map(|(packet_id, filters, properties)| {
            Packet::Unsubscribe(Unsubscribe {
                packet_id,
                filters,
                properties,
            })
        });
    let n_codes = if version == V5 { 1..4 } else { 0..1 };
    let unsuback = (
        1u16..,
        vec(reason(PacketType::Unsuback, V5), n_codes),
        props_for(Place::Packet(PacketType::Unsuback), version),
    )
        .prop_map(|(packet_id, codes, properties)| {
            Packet::Unsuback(Unsuback {
                packet_id,
                codes,
                properties,
            })
        });
    prop_oneof![sub, suback, unsub, unsuback]
}

fn session_end(version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    let connack = (
        any::<bool>(),
        reason(PacketType::Connack, version),
        props_for(Place::Packet(PacketType::Connack), version),
    )
        .prop_map(|(session_present, code, properties)| {
            Packet::Connack(Connack {
                session_present,
                code,
                properties,
            })
        });
    let disconnect = (
        reason(PacketType::Disconnect, version),
        props_for(Place::Packet(PacketType::Disconnect), version),
    )
        .prop_map(|(reason, properties)| Packet::Disconnect(Disconnect { reason, properties }));
    let auth = (
        reason(PacketType::Auth, V5),
        props_for(Place::Packet(PacketType::Auth), V5),
    )
        .prop_map(|(reason, properties)| Packet::Auth(Auth { reason, properties }));
    let auth = if version == V5 {
        auth.boxed()
    } else {
        Just(Packet::Pingreq).boxed()
    };
    prop_oneof![
        connack,
        disconnect,
        auth,
        Just(Packet::Pingreq),
        Just(Packet::Pingresp)
    ]
}

/// Any valid packet of `version`.
fn packet(version: ProtocolVersion) -> impl Strategy<Value = Packet> {
    use PacketType as T;
    prop_oneof![
        connect(version),
        publish(version),
        response(T::Puback, version),
        response(T::Pubrec, version),
        response(T::Pubrel, version),
        response(T::Pubcomp, version),
        subscriptions(version),
        session_end(version),
    ]
}

fn version() -> impl Strategy<Value = ProtocolVersion> {
    prop_oneof![Just(V311), Just(V5)]
}

fn versioned_packet() -> impl Strategy<Value = (ProtocolVersion, Packet)> {
    version().prop_flat_map(|v| packet(v).prop_map(move |p| (v, p)))
}

/// Decodes, takes the fields of and stream-decodes `bytes`: nothing panics,
/// and whatever is accepted tiles into fields and re-encodes to itself.
fn exercise(bytes: &[u8], version: ProtocolVersion) {
    let _ = decode(bytes, version, Some(1 << 16));
    let _ = fields(bytes, version);
    let mut decoder = Decoder::new(version, None);
    decoder.feed(bytes);
    while let Ok(Some((packet, raw))) = decoder.next_packet() {
        let spans = fields(&raw, version).expect("fields of an accepted packet");
        assert_eq!(spans.last().map(|f| f.end), Some(raw.len()));
        let again = packet
            .to_bytes(version)
            .expect("an accepted packet re-encodes");
        assert_eq!(
            decode(&again, version, None).unwrap().map(|(p, _)| p),
            Some(packet)
        );
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

proptest! {
    // 1024 cases by default; PROPTEST_CASES=100000 for a longer soak.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_valid_packet_round_trips((version, packet) in versioned_packet()) {
        let bytes = packet.to_bytes(version).unwrap();
        prop_assert_eq!(decode(&bytes, version, None).unwrap(), Some((packet, bytes.len())));
    }

    #[test]
    fn spans_of_any_valid_packet_tile_it((version, packet) in versioned_packet()) {
        let bytes = packet.to_bytes(version).unwrap();
        let spans = fields(&bytes, version).unwrap();
        let mut next = 0;
        for f in &spans {
            prop_assert_eq!(f.start, next);
            prop_assert!(f.end > f.start);
            next = f.end;
        }
        prop_assert_eq!(next, bytes.len());
    }

    #[test]
    fn the_stream_decoder_agrees_however_the_bytes_are_split(
        (version, packets) in version().prop_flat_map(|v| (Just(v), vec(packet(v), 1..6))),
        cuts in vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let raws: Vec<Vec<u8>> = packets.iter().map(|p| p.to_bytes(version).unwrap()).collect();
        let stream = raws.concat();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.extend([0, stream.len()]);
        cuts.sort_unstable();
        let mut decoder = Decoder::new(version, None);
        let mut got = Vec::new();
        for pair in cuts.windows(2) {
            decoder.feed(&stream[pair[0]..pair[1]]);
            while let Some(item) = decoder.next_packet().unwrap() {
                got.push(item);
            }
        }
        prop_assert_eq!(got, packets.into_iter().zip(raws).collect::<Vec<_>>());
    }

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..64), version in version()) {
        exercise(&bytes, version);
    }

    #[test]
    fn random_bytes_after_a_plausible_header_never_panic(
        first in any::<u8>(), body in vec(any::<u8>(), 0..64), version in version(),
    ) {
        let mut bytes = vec![first, body.len() as u8];
        bytes.extend(body);
        exercise(&bytes, version);
    }

    #[test]
    fn mutated_valid_packets_never_panic(
        (version, packet) in versioned_packet(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut bytes = packet.to_bytes(version).unwrap();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len() + 1);
            match how {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => bytes.truncate(i),
            }
        }
        exercise(&bytes, version);
    }
}
