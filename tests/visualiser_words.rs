#![cfg(not(target_arch = "wasm32"))]
//! The visualiser's words in Chinese: notes, losses, markers and connection
//! troubles are worded when drawn, from what the diagram keeps (which stays English).

use qoscope::app::visualiser::adapt::{downgrade_note, flow_note, FlowChange};
use qoscope::app::visualiser::live_trace::{LinkStatus, Trouble};
use qoscope::app::visualiser::model::{Caption, Lane};
use qoscope::app::visualiser::words::{loss_in, marker_in};
use qoscope::i18n::Locale;
use qoscope::mqtt::packet::QoS;
use qoscope::mqtt::session::{FlowDirection, FlowState};

#[test]
fn a_flow_note_keeps_english_and_reads_in_chinese() {
    let note = flow_note(
        Lane::Publisher,
        10,
        FlowChange {
            packet_id: 1,
            direction: FlowDirection::Outgoing,
            qos: QoS::ExactlyOnce,
            from: FlowState::AwaitingPubrec,
            to: FlowState::AwaitingPubcomp,
        },
    );
    assert_eq!(note.text, "id 1: awaiting PUBREC → awaiting PUBCOMP");
    assert_eq!(note.text_in(Locale::en), note.text);
    assert_eq!(
        note.text_in(Locale::zh_CN),
        "ID 1：等待 PUBREC → 等待 PUBCOMP"
    );
    let chip = note.flow.expect("a flow chip");
    assert_eq!(chip.text_in(Locale::zh_CN), "ID 1 · 等待 PUBCOMP");
    let down = downgrade_note(10, QoS::ExactlyOnce, QoS::AtLeastOnce).expect("downgrade");
    assert!(down.text_in(Locale::zh_CN).starts_with("实际 QoS 1"));
}

#[test]
fn losses_markers_and_troubles_read_in_chinese() {
    assert_eq!(
        loss_in("drop next PUBREC", Locale::zh_CN),
        "丢弃下一个 PUBREC"
    );
    assert_eq!(
        loss_in("random loss (30%)", Locale::zh_CN),
        "随机丢包（30%）"
    );
    assert_eq!(loss_in("drop next PUBREC", Locale::en), "drop next PUBREC");
    assert_eq!(marker_in(Some("Setup"), 0, Locale::zh_CN), "准备");
    assert_eq!(marker_in(Some("Step 3"), 2, Locale::zh_CN), "第 3 步");
    assert_eq!(marker_in(None, 1, Locale::en), "Step 2");
    let caption = Caption {
        at: 0,
        text: "x".into(),
        text_zh: None,
        label: Some("Free play".into()),
    };
    assert_eq!(caption.marker_in(0, Locale::zh_CN), "自由发布");
    let cut = LinkStatus::Down(Trouble::Cut);
    assert_eq!(cut.words(), "connection cut");
    assert_eq!(cut.words_in(Locale::zh_CN), "连接被切断");
    let unreachable = LinkStatus::Failed(Trouble::Unreachable("ws://x".into()));
    assert!(unreachable
        .words_in(Locale::zh_CN)
        .starts_with("无法连接 ws://x："));
}
