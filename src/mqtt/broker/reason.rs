//! MQTT 5 reason codes the broker sends (MQTT 5.0 §2.4), and the two 3.1.1
//! return codes it needs.

pub(super) const SUCCESS: u8 = 0x00;
pub(super) const NO_SUBSCRIPTION_EXISTED: u8 = 0x11;
pub(super) const UNSPECIFIED_ERROR: u8 = 0x80;
pub(super) const MALFORMED_PACKET: u8 = 0x81;
pub(super) const PROTOCOL_ERROR: u8 = 0x82;
pub(super) const CLIENT_ID_NOT_VALID: u8 = 0x85;
pub(super) const KEEP_ALIVE_TIMEOUT: u8 = 0x8D;
pub(super) const SESSION_TAKEN_OVER: u8 = 0x8E;
pub(super) const TOPIC_FILTER_INVALID: u8 = 0x8F;
pub(super) const TOPIC_NAME_INVALID: u8 = 0x90;
pub(super) const PACKET_ID_NOT_FOUND: u8 = 0x92;
pub(super) const QOS_NOT_SUPPORTED: u8 = 0x9B;
/// 3.1.1 CONNACK return code 2: identifier rejected.
pub(super) const V311_IDENTIFIER_REJECTED: u8 = 0x02;
/// 3.1.1 SUBACK return code: failure.
pub(super) const V311_SUBACK_FAILURE: u8 = 0x80;
