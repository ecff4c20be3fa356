//! MQTT 5 properties (section 2.2.2): the table of identifiers, their value
//! types and the packets each one may appear on, plus their encoding and
//! decoding with the rules on duplicates and value ranges.

use std::fmt;

use super::error::{DecodeErrorKind, EncodeError};
use super::primitives::{
    put_binary, put_length_prefixed, put_str, put_u16, put_u32, put_varint, Reader,
};
use super::types::{PacketType, Properties, PropertyValues};
use super::DecodeError;

/// Where a property block sits: on a packet, or in CONNECT's will.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PropertyContext {
    /// The packet's own properties.
    Packet(PacketType),
    /// CONNECT's will properties.
    Will,
}

impl PropertyContext {
    fn bit(self) -> u16 {
        match self {
            PropertyContext::Packet(t) => 1 << t.nibble(),
            PropertyContext::Will => 1,
        }
    }

    fn label(self) -> &'static str {
        match self {
            PropertyContext::Packet(t) => t.name(),
            PropertyContext::Will => "will properties",
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Byte,
    U16,
    U32,
    VarInt,
    Utf8,
    Binary,
    Pair,
}

/// A decoded property value, borrowed from the packet.
enum Value<'a> {
    Int(u32),
    Str(&'a str),
    Bin(&'a [u8]),
    Pair(&'a str, &'a str),
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bin(b) => write!(f, "{} bytes: {}", b.len(), super::fields::hex(b)),
            Value::Pair(k, v) => write!(f, "{k:?} = {v:?}"),
        }
    }
}

// Bits: 0 = will properties, n = packet type n.
const WILL: u16 = 1;
const CONNECT: u16 = 1 << 1;
const CONNACK: u16 = 1 << 2;
const PUBLISH: u16 = 1 << 3;
const PUBACK: u16 = 1 << 4;
const PUBREC: u16 = 1 << 5;
const PUBREL: u16 = 1 << 6;
const PUBCOMP: u16 = 1 << 7;
const SUBSCRIBE: u16 = 1 << 8;
const SUBACK: u16 = 1 << 9;
const UNSUBSCRIBE: u16 = 1 << 10;
const UNSUBACK: u16 = 1 << 11;
const DISCONNECT: u16 = 1 << 14;
const AUTH: u16 = 1 << 15;
const ACKS: u16 = PUBACK | PUBREC | PUBREL | PUBCOMP | SUBACK | UNSUBACK;
const ALL: u16 =
    WILL | CONNECT | CONNACK | PUBLISH | ACKS | SUBSCRIBE | UNSUBSCRIBE | DISCONNECT | AUTH;

/// (identifier, name, value type, where allowed) — MQTT 5 table 2-4.
const TABLE: &[(u8, &str, Kind, u16)] = &[
    (0x01, "Payload Format Indicator", Kind::Byte, PUBLISH | WILL),
    (0x02, "Message Expiry Interval", Kind::U32, PUBLISH | WILL),
    (0x03, "Content Type", Kind::Utf8, PUBLISH | WILL),
    (0x08, "Response Topic", Kind::Utf8, PUBLISH | WILL),
    (0x09, "Correlation Data", Kind::Binary, PUBLISH | WILL),
    (
        0x0B,
        "Subscription Identifier",
        Kind::VarInt,
        PUBLISH | SUBSCRIBE,
    ),
    (
        0x11,
        "Session Expiry Interval",
        Kind::U32,
        CONNECT | CONNACK | DISCONNECT,
    ),
    (0x12, "Assigned Client Identifier", Kind::Utf8, CONNACK),
    (0x13, "Server Keep Alive", Kind::U16, CONNACK),
    (
        0x15,
        "Authentication Method",
        Kind::Utf8,
        CONNECT | CONNACK | AUTH,
    ),
    (
        0x16,
        "Authentication Data",
        Kind::Binary,
        CONNECT | CONNACK | AUTH,
    ),
    (0x17, "Request Problem Information", Kind::Byte, CONNECT),
    (0x18, "Will Delay Interval", Kind::U32, WILL),
    (0x19, "Request Response Information", Kind::Byte, CONNECT),
    (0x1A, "Response Information", Kind::Utf8, CONNACK),
    (0x1C, "Server Reference", Kind::Utf8, CONNACK | DISCONNECT),
    (
        0x1F,
        "Reason String",
        Kind::Utf8,
        CONNACK | ACKS | DISCONNECT | AUTH,
    ),
    (0x21, "Receive Maximum", Kind::U16, CONNECT | CONNACK),
    (0x22, "Topic Alias Maximum", Kind::U16, CONNECT | CONNACK),
    (0x23, "Topic Alias", Kind::U16, PUBLISH),
    (0x24, "Maximum QoS", Kind::Byte, CONNACK),
    (0x25, "Retain Available", Kind::Byte, CONNACK),
    (0x26, "User Property", Kind::Pair, ALL),
    (0x27, "Maximum Packet Size", Kind::U32, CONNECT | CONNACK),
    (0x28, "Wildcard Subscription Available", Kind::Byte, CONNACK),
    (
        0x29,
        "Subscription Identifier Available",
        Kind::Byte,
        CONNACK,
    ),
    (0x2A, "Shared Subscription Available", Kind::Byte, CONNACK),
];

fn lookup(id: u8) -> Option<(&'static str, Kind, u16)> {
    TABLE
        .iter()
        .find(|e| e.0 == id)
        .map(|&(_, name, kind, allowed)| (name, kind, allowed))
}

/// The spec's name of property `id` ("Topic Alias"), if it is defined.
pub fn property_name(id: u8) -> Option<&'static str> {
    lookup(id).map(|(name, _, _)| name)
}

/// Decodes a property length and the properties it covers.
pub(crate) fn decode_properties(
    r: &mut Reader<'_>,
    ctx: PropertyContext,
) -> Result<Properties, DecodeError> {
    let at = r.pos();
    let len = r.varint("property length")?;
    let label = if ctx == PropertyContext::Will {
        "Will property length"
    } else {
        "Property length"
    };
    r.field(label, || format!("{len} bytes"));
    // Blame the length itself when it runs past the packet.
    let old_end = r
        .narrow(len as usize, "properties (property length too long)")
        .map_err(|e| DecodeError::new(at, e.kind))?;
    // Most packets carry none: then nothing is allocated.
    if len == 0 {
        r.widen(old_end);
        return Ok(Properties::default());
    }
    let mut props = PropertyValues::default();
    while r.remaining() > 0 {
        decode_property(r, ctx, &mut props)?;
    }
    r.widen(old_end);
    Ok(props.into())
}

fn decode_property(
    r: &mut Reader<'_>,
    ctx: PropertyContext,
    props: &mut PropertyValues,
) -> Result<(), DecodeError> {
    let at = r.pos();
    let id = r.u8("property identifier")?;
    let (name, kind, allowed) =
        lookup(id).ok_or_else(|| r.error(at, DecodeErrorKind::UnknownProperty(id)))?;
    if allowed & ctx.bit() == 0 {
        return Err(r.error(
            at,
            DecodeErrorKind::PropertyNotAllowed {
                id,
                on: ctx.label(),
            },
        ));
    }
    let value = read_value(r, kind, name)?;
    store(props, id, &value, ctx).map_err(|kind| r.error(at, kind))?;
    let prefix = if ctx == PropertyContext::Will {
        "Will property"
    } else {
        "Property"
    };
    r.field_with(|| (format!("{prefix} {id:#04x} {name}"), value.to_string()));
    Ok(())
}

fn read_value<'a>(
    r: &mut Reader<'a>,
    kind: Kind,
    what: &'static str,
) -> Result<Value<'a>, DecodeError> {
    Ok(match kind {
        Kind::Byte => Value::Int(r.u8(what)?.into()),
        Kind::U16 => Value::Int(r.u16(what)?.into()),
        Kind::U32 => Value::Int(r.u32(what)?),
        Kind::VarInt => Value::Int(r.varint(what)?),
        Kind::Utf8 => Value::Str(r.utf8(what)?),
        Kind::Binary => Value::Bin(r.binary(what)?),
        Kind::Pair => Value::Pair(
            r.utf8("user property name")?,
            r.utf8("user property value")?,
        ),
    })
}

/// Sets `slot`, refusing a second occurrence.
fn once<T>(slot: &mut Option<T>, id: u8, v: T) -> Result<(), DecodeErrorKind> {
    if slot.is_some() {
        return Err(DecodeErrorKind::DuplicateProperty(id));
    }
    *slot = Some(v);
    Ok(())
}

/// A byte property that only may be 0 or 1.
fn flag(slot: &mut Option<u8>, id: u8, v: u32) -> Result<(), DecodeErrorKind> {
    if v > 1 {
        return Err(DecodeErrorKind::InvalidPropertyValue { id, value: v });
    }
    once(slot, id, v as u8)
}

/// A two-byte property that must not be 0 (Receive Maximum, Topic Alias).
fn non_zero_u16(slot: &mut Option<u16>, id: u8, v: u32) -> Result<(), DecodeErrorKind> {
    if v == 0 {
        return Err(DecodeErrorKind::InvalidPropertyValue { id, value: v });
    }
    once(slot, id, v as u16)
}

fn store(
    p: &mut PropertyValues,
    id: u8,
    value: &Value<'_>,
    ctx: PropertyContext,
) -> Result<(), DecodeErrorKind> {
    match *value {
        Value::Int(v) => store_int(p, id, v, ctx),
        Value::Str(s) => store_str(p, id, s.to_string()),
        Value::Bin(b) => match id {
            0x09 => once(&mut p.correlation_data, id, b.to_vec()),
            _ => once(&mut p.authentication_data, id, b.to_vec()),
        },
        Value::Pair(k, v) => {
            p.user_properties.push((k.to_string(), v.to_string()));
            Ok(())
        }
    }
}

fn store_int(
    p: &mut PropertyValues,
    id: u8,
    v: u32,
    ctx: PropertyContext,
) -> Result<(), DecodeErrorKind> {
    match id {
        0x01 => flag(&mut p.payload_format_indicator, id, v),
        0x02 => once(&mut p.message_expiry_interval, id, v),
        0x0B => store_subscription_identifier(p, v, ctx),
        0x11 => once(&mut p.session_expiry_interval, id, v),
        0x13 => once(&mut p.server_keep_alive, id, v as u16),
        0x17 => flag(&mut p.request_problem_information, id, v),
        0x18 => once(&mut p.will_delay_interval, id, v),
        0x19 => flag(&mut p.request_response_information, id, v),
        0x21 => non_zero_u16(&mut p.receive_maximum, id, v),
        0x22 => once(&mut p.topic_alias_maximum, id, v as u16),
        0x23 => non_zero_u16(&mut p.topic_alias, id, v),
        0x24 => flag(&mut p.maximum_qos, id, v),
        0x25 => flag(&mut p.retain_available, id, v),
        0x27 if v == 0 => Err(DecodeErrorKind::InvalidPropertyValue { id, value: v }),
        0x27 => once(&mut p.maximum_packet_size, id, v),
        0x28 => flag(&mut p.wildcard_subscription_available, id, v),
        0x29 => flag(&mut p.subscription_identifier_available, id, v),
        _ => flag(&mut p.shared_subscription_available, id, v),
    }
}

/// PUBLISH may carry several Subscription Identifiers, SUBSCRIBE one; 0 is a
/// protocol error (MQTT 5 section 3.3.2.3.8).
fn store_subscription_identifier(
    p: &mut PropertyValues,
    v: u32,
    ctx: PropertyContext,
) -> Result<(), DecodeErrorKind> {
    if v == 0 {
        return Err(DecodeErrorKind::InvalidPropertyValue { id: 0x0B, value: 0 });
    }
    if ctx == PropertyContext::Packet(PacketType::Subscribe)
        && !p.subscription_identifiers.is_empty()
    {
        return Err(DecodeErrorKind::DuplicateProperty(0x0B));
    }
    p.subscription_identifiers.push(v);
    Ok(())
}

fn store_str(p: &mut PropertyValues, id: u8, s: String) -> Result<(), DecodeErrorKind> {
    let slot = match id {
        0x03 => &mut p.content_type,
        0x08 => &mut p.response_topic,
        0x12 => &mut p.assigned_client_identifier,
        0x15 => &mut p.authentication_method,
        0x1A => &mut p.response_information,
        0x1C => &mut p.server_reference,
        _ => &mut p.reason_string,
    };
    once(slot, id, s)
}

/// Calls `f` for every property set in `p`, in identifier order.
fn each_property<'a>(
    p: &'a PropertyValues,
    mut f: impl FnMut(u8, Value<'a>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let ints = [
        (0x01, p.payload_format_indicator.map(u32::from)),
        (0x02, p.message_expiry_interval),
    ];
    for (id, v) in ints {
        if let Some(v) = v {
            f(id, Value::Int(v))?;
        }
    }
    if let Some(s) = &p.content_type {
        f(0x03, Value::Str(s))?;
    }
    if let Some(s) = &p.response_topic {
        f(0x08, Value::Str(s))?;
    }
    if let Some(b) = &p.correlation_data {
        f(0x09, Value::Bin(b))?;
    }
    for &v in &p.subscription_identifiers {
        f(0x0B, Value::Int(v))?;
    }
    each_connection_property(p, &mut f)?;
    for (k, v) in &p.user_properties {
        f(0x26, Value::Pair(k, v))?;
    }
    Ok(())
}

/// The properties from 0x11 on, except User Property.
fn each_connection_property<'a>(
    p: &'a PropertyValues,
    f: &mut impl FnMut(u8, Value<'a>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let strs = [
        (0x12, &p.assigned_client_identifier),
        (0x15, &p.authentication_method),
        (0x1A, &p.response_information),
        (0x1C, &p.server_reference),
        (0x1F, &p.reason_string),
    ];
    let ints = [
        (0x11, p.session_expiry_interval),
        (0x13, p.server_keep_alive.map(u32::from)),
        (0x17, p.request_problem_information.map(u32::from)),
        (0x18, p.will_delay_interval),
        (0x19, p.request_response_information.map(u32::from)),
        (0x21, p.receive_maximum.map(u32::from)),
        (0x22, p.topic_alias_maximum.map(u32::from)),
        (0x23, p.topic_alias.map(u32::from)),
        (0x24, p.maximum_qos.map(u32::from)),
        (0x25, p.retain_available.map(u32::from)),
        (0x27, p.maximum_packet_size),
        (0x28, p.wildcard_subscription_available.map(u32::from)),
        (0x29, p.subscription_identifier_available.map(u32::from)),
        (0x2A, p.shared_subscription_available.map(u32::from)),
    ];
    for (id, v) in ints {
        if let Some(v) = v {
            f(id, Value::Int(v))?;
        }
    }
    for (id, s) in strs {
        if let Some(s) = s {
            f(id, Value::Str(s))?;
        }
    }
    if let Some(b) = &p.authentication_data {
        f(0x16, Value::Bin(b))?;
    }
    Ok(())
}

/// Writes the property length and the properties of `p` allowed in `ctx`.
pub(crate) fn encode_properties(
    p: &PropertyValues,
    ctx: PropertyContext,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    put_length_prefixed(out, |out| {
        each_property(p, |id, value| {
            let (name, kind, allowed) = lookup(id).unwrap_or(("", Kind::Byte, 0));
            if allowed & ctx.bit() == 0 {
                return Err(EncodeError::PropertyNotAllowed {
                    id,
                    on: ctx.label(),
                });
            }
            out.push(id);
            write_value(out, kind, &value, name)
        })
    })
}

fn write_value(
    out: &mut Vec<u8>,
    kind: Kind,
    value: &Value<'_>,
    what: &'static str,
) -> Result<(), EncodeError> {
    match (kind, value) {
        (Kind::Byte, Value::Int(v)) => out.push(*v as u8),
        (Kind::U16, Value::Int(v)) => put_u16(out, *v as u16),
        (Kind::U32, Value::Int(v)) => put_u32(out, *v),
        (Kind::VarInt, Value::Int(0)) => return Err(EncodeError::InvalidVarInt { what, value: 0 }),
        (Kind::VarInt, Value::Int(v)) => put_varint(out, *v, what)?,
        (_, Value::Str(s)) => put_str(out, s, what)?,
        (_, Value::Bin(b)) => put_binary(out, b, what)?,
        (_, Value::Pair(k, v)) => {
            put_str(out, k, "user property name")?;
            put_str(out, v, "user property value")?;
        }
        (_, Value::Int(_)) => {}
    }
    Ok(())
}
