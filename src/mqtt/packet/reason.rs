//! Reason codes in words: MQTT 3.1.1 CONNACK return codes and SUBACK return
//! codes, and every MQTT 5 reason code (MQTT 5 section 2.4, table 2-6), with
//! the set of codes each packet type may carry.

use super::types::{PacketType, ProtocolVersion};

const CONNACK_V5: &[u8] = &[
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
    0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
];
const PUBACK_V5: &[u8] = &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const PUBREL_V5: &[u8] = &[0x00, 0x92];
const SUBACK_V5: &[u8] = &[
    0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2,
];
const UNSUBACK_V5: &[u8] = &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];
const DISCONNECT_V5: &[u8] = &[
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
];
const AUTH_V5: &[u8] = &[0x00, 0x18, 0x19];

/// The codes `packet` may carry in `version`; `None` when it carries none.
fn allowed(packet: PacketType, version: ProtocolVersion) -> Option<&'static [u8]> {
    use PacketType::*;
    match (version, packet) {
        (ProtocolVersion::V311, Connack) => Some(&[0, 1, 2, 3, 4, 5]),
        (ProtocolVersion::V311, Suback) => Some(&[0, 1, 2, 0x80]),
        (ProtocolVersion::V311, _) => None,
        (_, Connack) => Some(CONNACK_V5),
        (_, Puback | Pubrec) => Some(PUBACK_V5),
        (_, Pubrel | Pubcomp) => Some(PUBREL_V5),
        (_, Suback) => Some(SUBACK_V5),
        (_, Unsuback) => Some(UNSUBACK_V5),
        (_, Disconnect) => Some(DISCONNECT_V5),
        (_, Auth) => Some(AUTH_V5),
        _ => None,
    }
}

/// True when `code` is a reason (or return) code defined for `packet` in `version`.
pub fn is_valid_reason(packet: PacketType, version: ProtocolVersion, code: u8) -> bool {
    allowed(packet, version).is_some_and(|codes| codes.contains(&code))
}

/// A reason / return code in words, as the spec names it for that packet
/// ("Connection refused: bad user name or password", "No matching subscribers").
pub fn reason_text(packet: PacketType, version: ProtocolVersion, code: u8) -> &'static str {
    if allowed(packet, version).is_none() {
        return if code == 0 {
            "Success"
        } else {
            "Not a reason code of this packet"
        };
    }
    if !is_valid_reason(packet, version, code) {
        return "Not a reason code of this packet";
    }
    match version {
        ProtocolVersion::V311 => v311_text(packet, code),
        ProtocolVersion::V5 => v5_text(packet, code),
    }
}

fn v311_text(packet: PacketType, code: u8) -> &'static str {
    match (packet, code) {
        (PacketType::Connack, 0) => "Connection accepted",
        (PacketType::Connack, 1) => "Connection refused: unacceptable protocol version",
        (PacketType::Connack, 2) => "Connection refused: identifier rejected",
        (PacketType::Connack, 3) => "Connection refused: server unavailable",
        (PacketType::Connack, 4) => "Connection refused: bad user name or password",
        (PacketType::Connack, _) => "Connection refused: not authorized",
        (_, 0) => "Granted QoS 0",
        (_, 1) => "Granted QoS 1",
        (_, 2) => "Granted QoS 2",
        _ => "Failure",
    }
}

fn v5_text(packet: PacketType, code: u8) -> &'static str {
    match (packet, code) {
        (PacketType::Suback, 0) => "Granted QoS 0",
        (PacketType::Disconnect, 0) => "Normal disconnection",
        (_, 0) => "Success",
        (_, 1) => "Granted QoS 1",
        (_, 2) => "Granted QoS 2",
        _ => v5_common_text(code),
    }
}

fn v5_common_text(code: u8) -> &'static str {
    match code {
        0x04 => "Disconnect with Will Message",
        0x10 => "No matching subscribers",
        0x11 => "No subscription existed",
        0x18 => "Continue authentication",
        0x19 => "Re-authenticate",
        0x80 => "Unspecified error",
        0x81 => "Malformed Packet",
        0x82 => "Protocol Error",
        0x83 => "Implementation specific error",
        0x84 => "Unsupported Protocol Version",
        0x85 => "Client Identifier not valid",
        0x86 => "Bad User Name or Password",
        0x87 => "Not authorized",
        0x88 => "Server unavailable",
        0x89 => "Server busy",
        0x8A => "Banned",
        0x8B => "Server shutting down",
        0x8C => "Bad authentication method",
        0x8D => "Keep Alive timeout",
        0x8E => "Session taken over",
        0x8F => "Topic Filter invalid",
        0x90 => "Topic Name invalid",
        0x91 => "Packet Identifier in use",
        0x92 => "Packet Identifier not found",
        0x93 => "Receive Maximum exceeded",
        0x94 => "Topic Alias invalid",
        0x95 => "Packet too large",
        0x96 => "Message rate too high",
        0x97 => "Quota exceeded",
        0x98 => "Administrative action",
        0x99 => "Payload format invalid",
        0x9A => "Retain not supported",
        0x9B => "QoS not supported",
        0x9C => "Use another server",
        0x9D => "Server moved",
        0x9E => "Shared Subscriptions not supported",
        0x9F => "Connection rate exceeded",
        0xA0 => "Maximum connect time",
        0xA1 => "Subscription Identifiers not supported",
        _ => "Wildcard Subscriptions not supported",
    }
}
