//! Decoding of every control packet for MQTT 3.1.1 and 5.0, from a buffer
//! that may hold only part of a packet (then `Ok(None)`: need more bytes).
//!
//! The fixed header is checked as soon as it is complete — reserved flags,
//! QoS 3 and the Maximum Packet Size — so a stream fails early, before an
//! over-size packet has arrived. The body parsers record field spans when
//! asked, which is how [`super::fields()`] works.

use super::error::{DecodeError, DecodeErrorKind as K};
use super::primitives::Reader;
use super::properties::{decode_properties, PropertyContext};
use super::reason::{is_valid_reason, reason_text};
use super::types::*;

type Res<T> = Result<T, DecodeError>;

/// The first byte and the remaining length of a packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedHeader {
    pub(crate) packet_type: PacketType,
    pub(crate) flags: u8,
    pub(crate) remaining_length: usize,
    /// 1 + bytes of the remaining length.
    pub(crate) header_len: usize,
}

impl FixedHeader {
    /// Bytes of the whole packet.
    pub(crate) fn total_len(&self) -> usize {
        self.header_len + self.remaining_length
    }
}

/// Decodes one packet from the start of `buf`.
///
/// `Ok(None)`: `buf` holds only part of a packet. `Ok(Some((packet, n)))`: the
/// packet took the first `n` bytes. CONNECT takes its version from its own
/// protocol level byte; every other packet is read as `version`.
pub fn decode(
    buf: &[u8],
    version: ProtocolVersion,
    max_packet_size: Option<u32>,
) -> Result<Option<(Packet, usize)>, DecodeError> {
    let Some(header) = parse_fixed_header(buf, version, max_packet_size)? else {
        return Ok(None);
    };
    let Some(raw) = buf.get(..header.total_len()) else {
        return Ok(None);
    };
    let mut r = Reader::new(raw, header.header_len, false);
    let packet = parse_body(&mut r, &header, version)?;
    Ok(Some((packet, header.total_len())))
}

/// Reads and checks the fixed header; `Ok(None)` if it is not complete yet.
pub(crate) fn parse_fixed_header(
    buf: &[u8],
    version: ProtocolVersion,
    max_packet_size: Option<u32>,
) -> Res<Option<FixedHeader>> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let packet_type = packet_type(first, version)?;
    check_flags(packet_type, first & 0x0F)?;
    let Some((remaining_length, len_bytes)) = remaining_length(buf)? else {
        return Ok(None);
    };
    let header = FixedHeader {
        packet_type,
        flags: first & 0x0F,
        remaining_length,
        header_len: 1 + len_bytes,
    };
    check_size(header.total_len(), max_packet_size)?;
    Ok(Some(header))
}

fn packet_type(first: u8, version: ProtocolVersion) -> Res<PacketType> {
    let nibble = first >> 4;
    match PacketType::from_nibble(nibble) {
        Some(PacketType::Auth) if version == ProtocolVersion::V311 => {
            Err(DecodeError::new(0, K::UnknownPacketType(nibble)))
        }
        Some(t) => Ok(t),
        None => Err(DecodeError::new(0, K::UnknownPacketType(nibble))),
    }
}

/// Reserved flag values (MQTT-2.2.2-2) and PUBLISH's QoS and DUP (MQTT-3.3.1-2, -4).
fn check_flags(packet: PacketType, flags: u8) -> Res<()> {
    let expected = match packet {
        PacketType::Publish => return check_publish_flags(flags),
        PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => 0b0010,
        _ => 0,
    };
    if flags != expected {
        return Err(DecodeError::new(
            0,
            K::ReservedFlags {
                packet,
                found: flags,
                expected,
            },
        ));
    }
    Ok(())
}

fn check_publish_flags(flags: u8) -> Res<()> {
    match (flags >> 1) & 0b11 {
        3 => Err(DecodeError::new(0, K::InvalidQos { what: "PUBLISH" })),
        0 if flags & 0b1000 != 0 => Err(DecodeError::new(0, K::DupOnQos0)),
        _ => Ok(()),
    }
}

/// The remaining length and how many bytes it used; `None` if cut off.
fn remaining_length(buf: &[u8]) -> Res<Option<(usize, usize)>> {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&byte) = buf.get(1 + i) else {
            return Ok(None);
        };
        value |= usize::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    Err(DecodeError::new(1, K::RemainingLengthTooLong))
}

fn check_size(total: usize, max: Option<u32>) -> Res<()> {
    match max {
        Some(max) if total > max as usize => Err(DecodeError::new(
            0,
            K::PacketTooLarge {
                size: total as u64,
                max,
            },
        )),
        _ => Ok(()),
    }
}

/// Parses everything after the fixed header and checks nothing is left over.
pub(crate) fn parse_body(r: &mut Reader<'_>, h: &FixedHeader, v: ProtocolVersion) -> Res<Packet> {
    use PacketType as T;
    let packet = match h.packet_type {
        T::Connect => Packet::Connect(parse_connect(r)?),
        T::Connack => Packet::Connack(parse_connack(r, v)?),
        T::Publish => Packet::Publish(parse_publish(r, h.flags, v)?),
        T::Puback => Packet::Puback(parse_response(r, T::Puback, v)?),
        T::Pubrec => Packet::Pubrec(parse_response(r, T::Pubrec, v)?),
        T::Pubrel => Packet::Pubrel(parse_response(r, T::Pubrel, v)?),
        T::Pubcomp => Packet::Pubcomp(parse_response(r, T::Pubcomp, v)?),
        T::Subscribe => Packet::Subscribe(parse_subscribe(r, v)?),
        T::Suback => Packet::Suback(parse_suback(r, v)?),
        T::Unsubscribe => Packet::Unsubscribe(parse_unsubscribe(r, v)?),
        T::Unsuback => Packet::Unsuback(parse_unsuback(r, v)?),
        T::Pingreq => Packet::Pingreq,
        T::Pingresp => Packet::Pingresp,
        T::Disconnect => {
            let (reason, properties) = parse_reason_tail(r, T::Disconnect, v)?;
            Packet::Disconnect(Disconnect { reason, properties })
        }
        T::Auth => {
            let (reason, properties) = parse_reason_tail(r, T::Auth, v)?;
            Packet::Auth(Auth { reason, properties })
        }
    };
    r.expect_end()?;
    Ok(packet)
}

fn is_v5(v: ProtocolVersion) -> bool {
    v == ProtocolVersion::V5
}

fn props(r: &mut Reader<'_>, t: PacketType, v: ProtocolVersion) -> Res<Properties> {
    if is_v5(v) {
        decode_properties(r, PropertyContext::Packet(t))
    } else {
        Ok(Properties::default())
    }
}

/// A string field, recorded as `name` with its quoted value.
fn string_field(r: &mut Reader<'_>, what: &'static str, name: &str) -> Res<String> {
    let s = r.utf8(what)?;
    r.field(name, || format!("{s:?}"));
    Ok(s.to_string())
}

fn binary_field(r: &mut Reader<'_>, what: &'static str, name: &str) -> Res<Vec<u8>> {
    let b = r.binary(what)?;
    r.field(name, || super::fields::describe_bytes(b));
    Ok(b.to_vec())
}

/// Reads one reason code, checks it is defined for `t`, records it.
fn reason_code(r: &mut Reader<'_>, t: PacketType, v: ProtocolVersion) -> Res<u8> {
    let at = r.pos();
    let code = r.u8("reason code")?;
    if !is_valid_reason(t, v, code) {
        return Err(r.error(at, K::InvalidReasonCode { packet: t, code }));
    }
    let label = if v == ProtocolVersion::V311 {
        "Return code"
    } else {
        "Reason code"
    };
    r.field(label, || format!("{code:#04x} {}", reason_text(t, v, code)));
    Ok(code)
}

struct ConnectFlags {
    username: bool,
    password: bool,
    will: Option<(QoS, bool)>,
    clean_start: bool,
}

fn parse_connect(r: &mut Reader<'_>) -> Res<Connect> {
    let (name_at, name) = (r.pos(), r.utf8("protocol name")?);
    if name != "MQTT" {
        return Err(r.error(name_at, K::UnknownProtocolName(name.to_string())));
    }
    r.field("Protocol name", || format!("{name:?}"));
    let level_at = r.pos();
    let level = r.u8("protocol level")?;
    let v = ProtocolVersion::from_level(level)
        .ok_or_else(|| r.error(level_at, K::UnsupportedProtocolLevel(level)))?;
    r.field("Protocol level", || format!("{level} (MQTT {})", v.label()));
    let flags = connect_flags(r, v)?;
    let keep_alive = r.u16("keep alive")?;
    r.field("Keep alive", || format!("{keep_alive} s"));
    let properties = props(r, PacketType::Connect, v)?;
    let client_id = string_field(r, "client identifier", "Client identifier")?;
    let will = match flags.will {
        Some((qos, retain)) => Some(parse_will(r, v, qos, retain)?),
        None => None,
    };
    let username = if flags.username {
        Some(string_field(r, "user name", "User name")?)
    } else {
        None
    };
    let password = if flags.password {
        Some(binary_field(r, "password", "Password")?)
    } else {
        None
    };
    let clean_start = flags.clean_start;
    Ok(Connect {
        protocol: v,
        clean_start,
        keep_alive,
        client_id,
        will,
        username,
        password,
        properties,
    })
}

fn connect_flags(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<ConnectFlags> {
    let at = r.pos();
    let b = r.u8("connect flags")?;
    let will_qos = (b >> 3) & 0b11;
    let will_flag = b & 0b100 != 0;
    let kind = match () {
        _ if b & 1 != 0 => Some(K::ReservedConnectFlag),
        _ if will_qos == 3 => Some(K::InvalidQos { what: "the will" }),
        _ if !will_flag && b & 0b0011_1000 != 0 => Some(K::WillFlagsWithoutWill),
        _ if !is_v5(v) && b & 0b1100_0000 == 0b0100_0000 => Some(K::PasswordWithoutUsername),
        _ => None,
    };
    if let Some(kind) = kind {
        return Err(r.error(at, kind));
    }
    r.field("Connect flags", || describe_connect_flags(b));
    let will = will_flag.then(|| {
        (
            QoS::from_u8(will_qos).unwrap_or_default(),
            b & 0b10_0000 != 0,
        )
    });
    Ok(ConnectFlags {
        username: b & 0x80 != 0,
        password: b & 0x40 != 0,
        will,
        clean_start: b & 0b10 != 0,
    })
}

fn describe_connect_flags(b: u8) -> String {
    let names = [
        (0x80, "user name"),
        (0x40, "password"),
        (0x20, "will retain"),
        (0x04, "will"),
        (0x02, "clean start"),
    ];
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| b & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    format!(
        "{b:#010b}: will QoS {}, {}",
        (b >> 3) & 0b11,
        if set.is_empty() {
            "no flags".into()
        } else {
            set.join(", ")
        }
    )
}

fn parse_will(r: &mut Reader<'_>, v: ProtocolVersion, qos: QoS, retain: bool) -> Res<LastWill> {
    let properties = if is_v5(v) {
        decode_properties(r, PropertyContext::Will)?
    } else {
        Properties::default()
    };
    let topic = string_field(r, "will topic", "Will topic")?;
    let payload = binary_field(r, "will payload", "Will payload")?;
    Ok(LastWill {
        topic,
        payload,
        qos,
        retain,
        properties,
    })
}

fn parse_connack(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<Connack> {
    let at = r.pos();
    let flags = r.u8("acknowledge flags")?;
    if flags & 0xFE != 0 {
        return Err(r.error(at, K::ReservedConnackFlags(flags)));
    }
    r.field("Acknowledge flags", || {
        format!("session present = {}", flags & 1)
    });
    if v == ProtocolVersion::V5 && r.remaining() == 1 {
        // A 3.1.1-only broker refuses our 5.0 CONNECT in its own format: a
        // 3.1.1 return code and no properties (MQTT 5 3.1.2.2 lets it). Read
        // as the 5.0 reason it means, so the user learns to pick 3.1.1.
        let at = r.pos();
        let legacy = r.u8("return code")?;
        let code = match legacy {
            0x01 => 0x84, // unacceptable protocol version
            0x02 => 0x85, // identifier rejected
            0x03 => 0x88, // server unavailable
            0x04 => 0x86, // bad user name or password
            0x05 => 0x87, // not authorized
            code => {
                return Err(r.error(
                    at,
                    K::InvalidReasonCode {
                        packet: PacketType::Connack,
                        code,
                    },
                ))
            }
        };
        r.field("Return code (3.1.1 format)", || {
            format!("{legacy:#04x}, read as MQTT 5 reason {code:#04x}")
        });
        return Ok(Connack {
            session_present: flags == 1,
            code,
            properties: Properties::default(),
        });
    }
    let code = reason_code(r, PacketType::Connack, v)?;
    let properties = props(r, PacketType::Connack, v)?;
    Ok(Connack {
        session_present: flags == 1,
        code,
        properties,
    })
}

fn parse_publish(r: &mut Reader<'_>, flags: u8, v: ProtocolVersion) -> Res<Publish> {
    let qos = QoS::from_u8((flags >> 1) & 0b11).unwrap_or_default();
    let topic_at = r.pos();
    let topic = string_field(r, "topic name", "Topic name")?;
    if topic.contains(['+', '#']) {
        return Err(r.error(topic_at, K::WildcardInTopicName));
    }
    let packet_id = match qos {
        QoS::AtMostOnce => None,
        _ => Some(r.packet_id(PacketType::Publish)?),
    };
    let properties = props(r, PacketType::Publish, v)?;
    // An empty topic is only allowed with a Topic Alias (MQTT-3.3.2-1, MQTT 5 3.3.2.3.4).
    if topic.is_empty() && properties.topic_alias.is_none() {
        return Err(r.error(topic_at, K::EmptyTopicName));
    }
    let payload = r.rest();
    r.field("Payload", || super::fields::describe_bytes(payload));
    let (dup, retain) = (flags & 0b1000 != 0, flags & 1 != 0);
    Ok(Publish {
        dup,
        qos,
        retain,
        topic,
        packet_id,
        payload: payload.to_vec(),
        properties,
    })
}

fn parse_response(r: &mut Reader<'_>, t: PacketType, v: ProtocolVersion) -> Res<PubResponse> {
    let packet_id = r.packet_id(t)?;
    let (reason, properties) = parse_reason_tail(r, t, v)?;
    Ok(PubResponse {
        packet_id,
        reason,
        properties,
    })
}

/// 5.0's optional reason code and properties (absent reason = 0, MQTT 5 3.4.2.1).
fn parse_reason_tail(
    r: &mut Reader<'_>,
    t: PacketType,
    v: ProtocolVersion,
) -> Res<(u8, Properties)> {
    if !is_v5(v) || r.remaining() == 0 {
        return Ok((0, Properties::default()));
    }
    let reason = reason_code(r, t, v)?;
    if r.remaining() == 0 {
        return Ok((reason, Properties::default()));
    }
    Ok((reason, props(r, t, v)?))
}

fn parse_subscribe(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<Subscribe> {
    let packet_id = r.packet_id(PacketType::Subscribe)?;
    let properties = props(r, PacketType::Subscribe, v)?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        let filter = string_field(r, "topic filter", "Topic filter")?;
        filters.push(subscription_options(r, filter, v)?);
    }
    if filters.is_empty() {
        return Err(r.error(
            r.pos(),
            K::NoTopicFilters {
                packet: PacketType::Subscribe,
            },
        ));
    }
    Ok(Subscribe {
        packet_id,
        filters,
        properties,
    })
}

/// The options byte after a topic filter (MQTT-3.8.3-4 in 3.1.1, MQTT-3.8.3-5 in 5.0).
fn subscription_options(
    r: &mut Reader<'_>,
    filter: String,
    v: ProtocolVersion,
) -> Res<SubscribeFilter> {
    let at = r.pos();
    let b = r.u8("subscription options")?;
    let reserved = if is_v5(v) { 0b1100_0000 } else { 0b1111_1100 };
    let kind = match () {
        _ if b & reserved != 0 => Some(K::ReservedSubscriptionOptions(b)),
        _ if b & 0b11 == 3 => Some(K::InvalidQos {
            what: "subscription options",
        }),
        _ if (b >> 4) & 0b11 == 3 => Some(K::InvalidRetainHandling),
        _ => None,
    };
    if let Some(kind) = kind {
        return Err(r.error(at, kind));
    }
    let f = SubscribeFilter {
        filter,
        qos: QoS::from_u8(b & 0b11).unwrap_or_default(),
        no_local: b & 0b100 != 0,
        retain_as_published: b & 0b1000 != 0,
        retain_handling: (b >> 4) & 0b11,
    };
    r.field("Subscription options", || describe_options(&f, v));
    Ok(f)
}

fn describe_options(f: &SubscribeFilter, v: ProtocolVersion) -> String {
    let qos = f.qos.as_u8();
    if !is_v5(v) {
        return format!("maximum QoS {qos}");
    }
    let (nl, rap, rh) = (
        u8::from(f.no_local),
        u8::from(f.retain_as_published),
        f.retain_handling,
    );
    format!("maximum QoS {qos}, No Local={nl} Retain As Published={rap} Retain Handling={rh}")
}

/// One or more reason codes filling the rest of a SUBACK / UNSUBACK.
fn reason_codes(r: &mut Reader<'_>, t: PacketType, v: ProtocolVersion) -> Res<Vec<u8>> {
    let mut codes = Vec::new();
    while r.remaining() > 0 {
        codes.push(reason_code(r, t, v)?);
    }
    if codes.is_empty() {
        return Err(r.error(r.pos(), K::NoReasonCodes { packet: t }));
    }
    Ok(codes)
}

fn parse_suback(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<Suback> {
    let packet_id = r.packet_id(PacketType::Suback)?;
    let properties = props(r, PacketType::Suback, v)?;
    let codes = reason_codes(r, PacketType::Suback, v)?;
    Ok(Suback {
        packet_id,
        codes,
        properties,
    })
}

fn parse_unsubscribe(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<Unsubscribe> {
    let packet_id = r.packet_id(PacketType::Unsubscribe)?;
    let properties = props(r, PacketType::Unsubscribe, v)?;
    let mut filters = Vec::new();
    while r.remaining() > 0 {
        filters.push(string_field(r, "topic filter", "Topic filter")?);
    }
    if filters.is_empty() {
        return Err(r.error(
            r.pos(),
            K::NoTopicFilters {
                packet: PacketType::Unsubscribe,
            },
        ));
    }
    Ok(Unsubscribe {
        packet_id,
        filters,
        properties,
    })
}

fn parse_unsuback(r: &mut Reader<'_>, v: ProtocolVersion) -> Res<Unsuback> {
    let packet_id = r.packet_id(PacketType::Unsuback)?;
    if !is_v5(v) {
        return Ok(Unsuback {
            packet_id,
            codes: Vec::new(),
            properties: Properties::default(),
        });
    }
    let properties = props(r, PacketType::Unsuback, v)?;
    let codes = reason_codes(r, PacketType::Unsuback, v)?;
    Ok(Unsuback {
        packet_id,
        codes,
        properties,
    })
}
