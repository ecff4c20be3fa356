//! Encoding of every control packet for MQTT 3.1.1 and 5.0.
//!
//! Fields that exist only in MQTT 5 (properties, reason codes on
//! acknowledgements) are left out when encoding for 3.1.1.

use super::error::EncodeError;
use super::primitives::{put_binary, put_length_prefixed, put_str, put_u16};
use super::properties::{encode_properties, PropertyContext};
use super::types::*;

impl Packet {
    /// The encoded bytes of this packet (CONNECT uses its own `protocol`).
    pub fn to_bytes(&self, version: ProtocolVersion) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(size_hint(self));
        encode(self, version, &mut out)?;
        Ok(out)
    }
}

/// Roughly the encoded size, so `to_bytes` allocates once in the common case.
fn size_hint(packet: &Packet) -> usize {
    const OVERHEAD: usize = 16;
    let props = |p: &Properties| if p.is_empty() { 0 } else { 128 };
    match packet {
        Packet::Publish(p) => OVERHEAD + p.topic.len() + p.payload.len() + props(&p.properties),
        Packet::Puback(r) | Packet::Pubrec(r) | Packet::Pubrel(r) | Packet::Pubcomp(r) => {
            OVERHEAD + props(&r.properties)
        }
        _ => 128,
    }
}

/// Appends the encoding of `packet` for `version` to `out`.
///
/// CONNECT is encoded with its own `protocol` field whatever `version` says.
/// On error `out` is left as it was.
pub fn encode(
    packet: &Packet,
    version: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let version = match packet {
        Packet::Connect(c) => c.protocol,
        _ => version,
    };
    if version == ProtocolVersion::V311 && matches!(packet, Packet::Auth(_)) {
        return Err(EncodeError::AuthInV311);
    }
    let start = out.len();
    out.push(packet.packet_type().nibble() << 4 | fixed_header_flags(packet));
    let result = put_length_prefixed(out, |out| encode_body(packet, version, out));
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// The low nibble of the first byte (MQTT-2.2.2-1).
fn fixed_header_flags(packet: &Packet) -> u8 {
    match packet {
        Packet::Publish(p) => u8::from(p.dup) << 3 | p.qos.as_u8() << 1 | u8::from(p.retain),
        Packet::Pubrel(_) | Packet::Subscribe(_) | Packet::Unsubscribe(_) => 0b0010,
        _ => 0,
    }
}

fn encode_body(packet: &Packet, v: ProtocolVersion, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    match packet {
        Packet::Connect(c) => encode_connect(c, out),
        Packet::Connack(c) => encode_connack(c, v, out),
        Packet::Publish(p) => encode_publish(p, v, out),
        Packet::Puback(r) => encode_response(r, PacketType::Puback, v, out),
        Packet::Pubrec(r) => encode_response(r, PacketType::Pubrec, v, out),
        Packet::Pubrel(r) => encode_response(r, PacketType::Pubrel, v, out),
        Packet::Pubcomp(r) => encode_response(r, PacketType::Pubcomp, v, out),
        Packet::Subscribe(s) => encode_subscribe(s, v, out),
        Packet::Suback(s) => encode_suback(s, v, out),
        Packet::Unsubscribe(u) => encode_unsubscribe(u, v, out),
        Packet::Unsuback(u) => encode_unsuback(u, v, out),
        Packet::Pingreq | Packet::Pingresp => Ok(()),
        Packet::Disconnect(d) => {
            encode_reason_tail(d.reason, &d.properties, PacketType::Disconnect, v, out)
        }
        Packet::Auth(a) => encode_reason_tail(a.reason, &a.properties, PacketType::Auth, v, out),
    }
}

fn is_v5(v: ProtocolVersion) -> bool {
    v == ProtocolVersion::V5
}

fn props(
    p: &Properties,
    t: PacketType,
    v: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if is_v5(v) {
        encode_properties(p, PropertyContext::Packet(t), out)?;
    }
    Ok(())
}

fn packet_id(out: &mut Vec<u8>, id: PacketId, t: PacketType) -> Result<(), EncodeError> {
    if id == 0 {
        return Err(EncodeError::ZeroPacketId(t));
    }
    put_u16(out, id);
    Ok(())
}

fn connect_flags(c: &Connect) -> u8 {
    let will = c.will.as_ref();
    u8::from(c.username.is_some()) << 7
        | u8::from(c.password.is_some()) << 6
        | u8::from(will.is_some_and(|w| w.retain)) << 5
        | will.map_or(0, |w| w.qos.as_u8()) << 3
        | u8::from(will.is_some()) << 2
        | u8::from(c.clean_start) << 1
}

fn encode_connect(c: &Connect, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let v = c.protocol;
    if !is_v5(v) && c.password.is_some() && c.username.is_none() {
        return Err(EncodeError::PasswordWithoutUsername);
    }
    put_str(out, "MQTT", "protocol name")?;
    out.push(v.level());
    out.push(connect_flags(c));
    put_u16(out, c.keep_alive);
    props(&c.properties, PacketType::Connect, v, out)?;
    put_str(out, &c.client_id, "client identifier")?;
    if let Some(w) = &c.will {
        if is_v5(v) {
            encode_properties(&w.properties, PropertyContext::Will, out)?;
        }
        put_str(out, &w.topic, "will topic")?;
        put_binary(out, &w.payload, "will payload")?;
    }
    if let Some(u) = &c.username {
        put_str(out, u, "user name")?;
    }
    if let Some(p) = &c.password {
        put_binary(out, p, "password")?;
    }
    Ok(())
}

fn encode_connack(c: &Connack, v: ProtocolVersion, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    out.push(u8::from(c.session_present));
    out.push(c.code);
    props(&c.properties, PacketType::Connack, v, out)
}

fn encode_publish(p: &Publish, v: ProtocolVersion, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    put_str(out, &p.topic, "topic name")?;
    match (p.qos, p.packet_id) {
        (QoS::AtMostOnce, None) => {}
        (QoS::AtMostOnce, Some(_)) => return Err(EncodeError::PacketIdOnQos0),
        (_, None) => return Err(EncodeError::MissingPacketId),
        (_, Some(id)) => packet_id(out, id, PacketType::Publish)?,
    }
    props(&p.properties, PacketType::Publish, v, out)?;
    out.extend_from_slice(&p.payload);
    Ok(())
}

fn encode_response(
    r: &PubResponse,
    t: PacketType,
    v: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    packet_id(out, r.packet_id, t)?;
    encode_reason_tail(r.reason, &r.properties, t, v, out)
}

/// The optional reason code and properties of 5.0 PUBACK..PUBCOMP, DISCONNECT
/// and AUTH: both are left out when the reason is 0 and there are no
/// properties, the properties alone when there are none (MQTT 5 3.4.2.1).
fn encode_reason_tail(
    reason: u8,
    p: &Properties,
    t: PacketType,
    v: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if !is_v5(v) || (reason == 0 && p.is_empty()) {
        return Ok(());
    }
    out.push(reason);
    if p.is_empty() {
        return Ok(());
    }
    props(p, t, v, out)
}

fn subscription_options(f: &SubscribeFilter, v: ProtocolVersion) -> Result<u8, EncodeError> {
    if !is_v5(v) {
        return Ok(f.qos.as_u8());
    }
    if f.retain_handling > 2 {
        return Err(EncodeError::InvalidRetainHandling(f.retain_handling));
    }
    Ok(f.qos.as_u8()
        | u8::from(f.no_local) << 2
        | u8::from(f.retain_as_published) << 3
        | f.retain_handling << 4)
}

fn encode_subscribe(
    s: &Subscribe,
    v: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if s.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters(PacketType::Subscribe));
    }
    packet_id(out, s.packet_id, PacketType::Subscribe)?;
    props(&s.properties, PacketType::Subscribe, v, out)?;
    for f in &s.filters {
        put_str(out, &f.filter, "topic filter")?;
        out.push(subscription_options(f, v)?);
    }
    Ok(())
}

fn encode_suback(s: &Suback, v: ProtocolVersion, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if s.codes.is_empty() {
        return Err(EncodeError::NoReasonCodes(PacketType::Suback));
    }
    packet_id(out, s.packet_id, PacketType::Suback)?;
    props(&s.properties, PacketType::Suback, v, out)?;
    out.extend_from_slice(&s.codes);
    Ok(())
}

fn encode_unsubscribe(
    u: &Unsubscribe,
    v: ProtocolVersion,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if u.filters.is_empty() {
        return Err(EncodeError::NoTopicFilters(PacketType::Unsubscribe));
    }
    packet_id(out, u.packet_id, PacketType::Unsubscribe)?;
    props(&u.properties, PacketType::Unsubscribe, v, out)?;
    for f in &u.filters {
        put_str(out, f, "topic filter")?;
    }
    Ok(())
}

fn encode_unsuback(u: &Unsuback, v: ProtocolVersion, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    packet_id(out, u.packet_id, PacketType::Unsuback)?;
    if !is_v5(v) {
        return Ok(());
    }
    if u.codes.is_empty() {
        return Err(EncodeError::NoReasonCodes(PacketType::Unsuback));
    }
    props(&u.properties, PacketType::Unsuback, v, out)?;
    out.extend_from_slice(&u.codes);
    Ok(())
}
