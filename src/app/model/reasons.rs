//! The protocol's reason words in the reader's language: MQTT 3.1.1 CONNACK
//! and SUBACK return codes, and every MQTT 5 reason code (MQTT 5 section
//! 2.4, table 2-6).
//!
//! The engine keeps its English ([`crate::mqtt::packet::reason_text`]) for
//! logs and tests; this is the same table, said in `locale`. In English it
//! says exactly what the engine says (a test compares every code).

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{is_valid_reason, PacketType, ProtocolVersion};

/// Whether `packet` carries a reason (or return) code at all in `version`.
fn carries_codes(packet: PacketType, version: ProtocolVersion) -> bool {
    use PacketType::*;
    match version {
        ProtocolVersion::V311 => matches!(packet, Connack | Suback),
        ProtocolVersion::V5 => matches!(
            packet,
            Connack | Puback | Pubrec | Pubrel | Pubcomp | Suback | Unsuback | Disconnect | Auth
        ),
    }
}

/// A reason / return code of `packet` in words, as the spec names it, in
/// `locale` ("Connection refused: not authorized", "No matching subscribers").
pub fn reason_words(
    packet: PacketType,
    version: ProtocolVersion,
    code: u8,
    locale: Locale,
) -> String {
    if !carries_codes(packet, version) {
        return if code == 0 {
            td_string!(locale, protocol.reason.success).into()
        } else {
            td_string!(locale, protocol.reason.not_a_reason_code).into()
        };
    }
    if !is_valid_reason(packet, version, code) {
        return td_string!(locale, protocol.reason.not_a_reason_code).into();
    }
    match version {
        ProtocolVersion::V311 => v311_words(packet, code, locale),
        ProtocolVersion::V5 => v5_words(packet, code, locale),
    }
}

/// The version a CONNACK refusal `code` belongs to: 3.1.1 refuses with 1 to
/// 5, MQTT 5 with 0x80 and above, so the code alone says which.
pub fn connack_version(code: u8) -> ProtocolVersion {
    if code < 0x80 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    }
}

fn granted(code: u8, locale: Locale) -> String {
    td_string!(locale, protocol.reason.granted_qos, qos = code).to_string()
}

fn v311_words(packet: PacketType, code: u8, locale: Locale) -> String {
    match (packet, code) {
        (PacketType::Connack, 0) => td_string!(locale, protocol.connack.accepted).into(),
        (PacketType::Connack, 1) => {
            td_string!(locale, protocol.connack.unacceptable_protocol_version).into()
        }
        (PacketType::Connack, 2) => td_string!(locale, protocol.connack.identifier_rejected).into(),
        (PacketType::Connack, 3) => td_string!(locale, protocol.connack.server_unavailable).into(),
        (PacketType::Connack, 4) => {
            td_string!(locale, protocol.connack.bad_user_name_or_password).into()
        }
        (PacketType::Connack, _) => td_string!(locale, protocol.connack.not_authorized).into(),
        (_, 0..=2) => granted(code, locale),
        _ => td_string!(locale, protocol.suback.failure).into(),
    }
}

fn v5_words(packet: PacketType, code: u8, locale: Locale) -> String {
    match (packet, code) {
        (PacketType::Suback, 0) => granted(0, locale),
        (PacketType::Disconnect, 0) => {
            td_string!(locale, protocol.reason.normal_disconnection).into()
        }
        (_, 0) => td_string!(locale, protocol.reason.success).into(),
        (_, 1 | 2) => granted(code, locale),
        _ => v5_common_words(code, locale).into(),
    }
}

fn v5_common_words(code: u8, locale: Locale) -> &'static str {
    match code {
        0x04 => td_string!(locale, protocol.reason.disconnect_with_will),
        0x10 => td_string!(locale, protocol.reason.no_matching_subscribers),
        0x11 => td_string!(locale, protocol.reason.no_subscription_existed),
        0x18 => td_string!(locale, protocol.reason.continue_authentication),
        0x19 => td_string!(locale, protocol.reason.re_authenticate),
        0x80 => td_string!(locale, protocol.reason.unspecified_error),
        0x81 => td_string!(locale, protocol.reason.malformed_packet),
        0x82 => td_string!(locale, protocol.reason.protocol_error),
        0x83 => td_string!(locale, protocol.reason.implementation_specific_error),
        0x84 => td_string!(locale, protocol.reason.unsupported_protocol_version),
        0x85 => td_string!(locale, protocol.reason.client_identifier_not_valid),
        0x86 => td_string!(locale, protocol.reason.bad_user_name_or_password),
        0x87 => td_string!(locale, protocol.reason.not_authorized),
        0x88 => td_string!(locale, protocol.reason.server_unavailable),
        0x89 => td_string!(locale, protocol.reason.server_busy),
        0x8A => td_string!(locale, protocol.reason.banned),
        0x8B => td_string!(locale, protocol.reason.server_shutting_down),
        0x8C => td_string!(locale, protocol.reason.bad_authentication_method),
        0x8D => td_string!(locale, protocol.reason.keep_alive_timeout),
        0x8E => td_string!(locale, protocol.reason.session_taken_over),
        0x8F => td_string!(locale, protocol.reason.topic_filter_invalid),
        0x90 => td_string!(locale, protocol.reason.topic_name_invalid),
        0x91 => td_string!(locale, protocol.reason.packet_identifier_in_use),
        0x92 => td_string!(locale, protocol.reason.packet_identifier_not_found),
        0x93 => td_string!(locale, protocol.reason.receive_maximum_exceeded),
        0x94 => td_string!(locale, protocol.reason.topic_alias_invalid),
        0x95 => td_string!(locale, protocol.reason.packet_too_large),
        0x96 => td_string!(locale, protocol.reason.message_rate_too_high),
        0x97 => td_string!(locale, protocol.reason.quota_exceeded),
        0x98 => td_string!(locale, protocol.reason.administrative_action),
        0x99 => td_string!(locale, protocol.reason.payload_format_invalid),
        0x9A => td_string!(locale, protocol.reason.retain_not_supported),
        0x9B => td_string!(locale, protocol.reason.qos_not_supported),
        0x9C => td_string!(locale, protocol.reason.use_another_server),
        0x9D => td_string!(locale, protocol.reason.server_moved),
        0x9E => td_string!(locale, protocol.reason.shared_subscriptions_not_supported),
        0x9F => td_string!(locale, protocol.reason.connection_rate_exceeded),
        0xA0 => td_string!(locale, protocol.reason.maximum_connect_time),
        0xA1 => td_string!(
            locale,
            protocol.reason.subscription_identifiers_not_supported
        ),
        _ => td_string!(locale, protocol.reason.wildcard_subscriptions_not_supported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::packet::reason_text;

    const PACKETS: [PacketType; 15] = [
        PacketType::Connect,
        PacketType::Connack,
        PacketType::Publish,
        PacketType::Puback,
        PacketType::Pubrec,
        PacketType::Pubrel,
        PacketType::Pubcomp,
        PacketType::Subscribe,
        PacketType::Suback,
        PacketType::Unsubscribe,
        PacketType::Unsuback,
        PacketType::Pingreq,
        PacketType::Pingresp,
        PacketType::Disconnect,
        PacketType::Auth,
    ];

    #[test]
    fn in_english_every_code_reads_as_the_engine_says_it() {
        for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
            for packet in PACKETS {
                for code in 0..=u8::MAX {
                    assert_eq!(
                        reason_words(packet, version, code, Locale::en),
                        reason_text(packet, version, code),
                        "{packet:?} {version:?} {code:#04x}"
                    );
                }
            }
        }
    }

    #[test]
    fn in_chinese_the_codes_are_chinese() {
        let zh = |packet, version, code| reason_words(packet, version, code, Locale::zh_CN);
        assert_eq!(zh(PacketType::Puback, ProtocolVersion::V5, 0x87), "未授权");
        assert_eq!(
            zh(PacketType::Connack, ProtocolVersion::V311, 4),
            "连接被拒绝：用户名或密码错误"
        );
        assert_eq!(
            zh(PacketType::Suback, ProtocolVersion::V311, 1),
            "已授予 QoS 1"
        );
        assert_eq!(zh(PacketType::Suback, ProtocolVersion::V311, 0x80), "失败");
    }

    #[test]
    fn a_connack_code_says_its_version() {
        assert_eq!(connack_version(5), ProtocolVersion::V311);
        assert_eq!(connack_version(0x87), ProtocolVersion::V5);
    }
}
