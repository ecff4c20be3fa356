//! What the client says, in English and in Chinese.

use super::words::{direction_words, fault_cause_words};
use super::*;
use crate::mqtt::fault::TargetedRule;
use crate::mqtt::packet::QoS;
use crate::mqtt::session::EventKind;
use crate::mqtt::topic::TopicError;

fn topic_errors() -> Vec<TopicError> {
    vec![
        TopicError::Empty,
        TopicError::TooLong { len: 70_000 },
        TopicError::NullCharacter,
        TopicError::WildcardInName { wildcard: '+' },
        TopicError::MultiLevelNotLast,
        TopicError::MultiLevelNotAlone,
        TopicError::SingleLevelNotAlone,
        TopicError::InvalidShareName,
        TopicError::MissingSharedFilter,
    ]
}

#[test]
fn topic_errors_in_english_are_the_errors_own_words_as_sentences() {
    for e in topic_errors() {
        assert_eq!(
            topic_error_sentence(&e, Locale::en),
            crate::app::model::sentence(&e.to_string())
        );
        let zh = topic_error_sentence(&e, Locale::zh_CN);
        assert!(zh.ends_with('。'), "{zh}");
    }
    assert!(
        topic_error_sentence(&TopicError::TooLong { len: 70_000 }, Locale::zh_CN).contains("70000")
    );
}

fn command_errors() -> Vec<CommandError> {
    let mut errors = vec![
        CommandError::NotConnected,
        CommandError::NoFilters,
        CommandError::PacketTooLarge {
            size: 300,
            max: 256,
        },
        CommandError::QosNotSupported {
            requested: QoS::ExactlyOnce,
            maximum: QoS::AtLeastOnce,
        },
        CommandError::RetainNotSupported,
        CommandError::NoPacketIdAvailable,
        CommandError::InvalidPacket {
            reason: "user property is 70000 bytes long (at most 65535)".into(),
        },
        CommandError::NotAllowed("something new".into()),
        CommandError::QueueFull {
            messages: 1000,
            bytes: 5000,
        },
    ];
    for error in topic_errors() {
        errors.push(CommandError::InvalidTopic {
            topic: "a/+".into(),
            error: error.clone(),
        });
        errors.push(CommandError::InvalidFilter {
            filter: "a#".into(),
            error,
        });
    }
    errors
}

#[test]
fn in_english_command_errors_read_as_the_engine_says_them() {
    for error in command_errors() {
        assert_eq!(command_words(&error, Locale::en), error.to_string());
    }
}

#[test]
fn in_chinese_command_errors_are_chinese_and_keep_their_values() {
    let zh = |e: &CommandError| command_words(e, Locale::zh_CN);
    assert_eq!(
        zh(&CommandError::NoPacketIdAvailable),
        "全部 65535 个报文标识符都在途中；请等待确认"
    );
    assert_eq!(
        zh(&CommandError::InvalidFilter {
            filter: "a#".into(),
            error: TopicError::MultiLevelNotAlone
        }),
        "主题过滤器“a#”无效：“#”必须单独占一级，例如“alarms/#”而不是“alarms#”"
    );
    assert!(zh(&CommandError::QueueFull {
        messages: 1000,
        bytes: 5000
    })
    .contains("1000 条消息（5 KB）"));
    assert_eq!(
        zh(&CommandError::NotAllowed(
            "a DISCONNECT reason or session expiry needs MQTT 5".into()
        )),
        "DISCONNECT 原因码或会话过期间隔需要 MQTT 5"
    );
    assert_eq!(
        sentence_in(&zh(&CommandError::NoFilters), Locale::zh_CN),
        "请至少给出一个主题过滤器。"
    );
}

#[test]
fn fault_notes_read_in_english_as_the_engine_labels_them() {
    let causes = [
        FaultCause::Rule(TargetedRule::DropNext {
            packet: PacketType::Pubrec,
            direction: Some(Direction::BrokerToClient),
        }),
        FaultCause::Rule(TargetedRule::CutAtNext {
            packet: PacketType::Puback,
            direction: None,
        }),
        FaultCause::Rule(TargetedRule::CutAfter { remaining: 3 }),
        FaultCause::RandomLoss { probability: 0.25 },
        FaultCause::ConnectionCut,
    ];
    for cause in causes {
        assert_eq!(fault_cause_words(&cause, Locale::en), cause.label());
    }
    for direction in [Direction::ClientToBroker, Direction::BrokerToClient] {
        assert_eq!(direction_words(direction, Locale::en), direction.label());
    }
}

#[test]
fn engine_notes_read_in_english_as_the_engine_describes_them() {
    let pairs = [
        (
            Said::DuplicateSuppressed { id: 7 },
            EventKind::DuplicateSuppressed { packet_id: 7 },
        ),
        (
            Said::Retry {
                id: 7,
                packet: PacketType::Pubrel,
                attempt: 2,
            },
            EventKind::Retry {
                packet_id: 7,
                packet_type: PacketType::Pubrel,
                attempt: 2,
            },
        ),
        (
            Said::Warning {
                message: "PUBACK for unknown id 9".into(),
            },
            EventKind::Warning {
                message: "PUBACK for unknown id 9".into(),
            },
        ),
    ];
    for (said, kind) in pairs {
        assert_eq!(said.to_string(), kind.describe());
    }
}

#[test]
fn engine_words_are_recognised_in_chinese() {
    let failed = Said::PublishFailed {
        id: Some(4),
        reason: "PUBACK Quota exceeded (0x97)".into(),
        version: ProtocolVersion::V5,
    };
    assert_eq!(
        failed.to_string(),
        "id 4: publish failed: PUBACK Quota exceeded (0x97)"
    );
    assert_eq!(
        failed.words_in(Locale::zh_CN),
        "id 4：发布失败：PUBACK 超出配额（0x97）"
    );
    let qos = CommandError::QosNotSupported {
        requested: QoS::ExactlyOnce,
        maximum: QoS::AtMostOnce,
    };
    let failed = Said::PublishFailed {
        id: Some(5),
        reason: qos.to_string(),
        version: ProtocolVersion::V5,
    };
    assert_eq!(
        failed.words_in(Locale::zh_CN),
        "id 5：发布失败：代理最高只接受 QoS 0；请求的是 QoS 2"
    );
    let disconnect = Said::ServerDisconnect {
        code: 0x98,
        words: "Administrative action: kicked by admin".into(),
    };
    assert_eq!(
        disconnect.words_in(Locale::zh_CN),
        "代理断开了连接：管理操作：kicked by admin（代码 0x98）。"
    );
    let malformed = Said::ProtocolError {
        message: "malformed packet from the broker: byte 3: topic name is empty".into(),
    };
    assert_eq!(
        malformed.words_in(Locale::zh_CN),
        "协议错误：代理发来格式错误的报文：byte 3: topic name is empty。"
    );
    let dropped = Said::MessageDropped {
        id: 2,
        why: "the broker has no session; the message may or may not have arrived".into(),
    };
    assert_eq!(
        dropped.words_in(Locale::zh_CN),
        "id 2：消息已丢弃：代理没有会话；该消息可能已送达，也可能没有"
    );
}

#[test]
fn said_compares_by_its_english() {
    let code = Said::Code {
        packet: PacketType::Suback,
        version: ProtocolVersion::V311,
        code: 0x80,
        words: "Failure".into(),
    };
    assert_eq!(code, Said::from("Failure"));
    assert_eq!(code.words_in(Locale::zh_CN), "失败");
}
