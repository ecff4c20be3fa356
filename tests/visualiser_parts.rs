#![cfg(not(target_arch = "wasm32"))]
//! The visualiser's other plain-Rust parts: viewport, export, inspector
//! model, fault plan, scenarios, key bindings.

use qoscope::app::visualiser::controls::{KeyCommand, SHORTCUTS};
use qoscope::app::visualiser::export::{escape, svg_document};
use qoscope::app::visualiser::faults::{FaultIntent, FaultPlan, Hop};
use qoscope::app::visualiser::files::file_stem;
use qoscope::app::visualiser::geometry::{self, arrow_shape, Viewport, WIDTH};
use qoscope::app::visualiser::hexdump::{field_at, fixed_header_fields, hex_rows, FieldSpan, ROW};
use qoscope::app::visualiser::layout::{Layout, Pacing};
use qoscope::app::visualiser::model::{Arrow, DiagramEvent, Lane, PacketSummary};
use qoscope::app::visualiser::scenario::{
    builtin, Action, ScenarioRun, Setup, Step, StepPerformer,
};
use qoscope::app::visualiser::transport::Playhead;
use qoscope::mqtt::packet::{Packet, PacketType, ProtocolVersion, PubResponse, QoS};

fn pubrec(sent_at: u64, lost: bool) -> DiagramEvent {
    let packet = Packet::Pubrec(PubResponse {
        packet_id: 1,
        ..PubResponse::default()
    });
    DiagramEvent::Arrow(Arrow {
        from: Lane::Broker,
        to: Lane::Publisher,
        sent_at,
        arrive_at: sent_at + 40,
        packet: PacketSummary::new(&packet, vec![0x50, 0x02, 0x00, 0x01], ProtocolVersion::V311),
        dropped: lost.then(|| "drop <next> PUBREC".to_string()),
    })
}

#[test]
fn a_lost_arrow_stops_short_and_ends_in_a_cross_without_a_head() {
    let layout = Layout::new(&[pubrec(0, true)], &Pacing::default());
    let placed = &layout.arrows[0];
    let flying = arrow_shape(placed, 0.5);
    assert!(flying.cross.is_none() && flying.head.is_some());
    let lost = arrow_shape(placed, 1.0);
    let (x_from, x_to) = (
        geometry::lane_x(Lane::Broker),
        geometry::lane_x(Lane::Publisher),
    );
    assert!(lost.cross.is_some() && lost.head.is_none());
    assert!((lost.tip.0 - (x_from + (x_to - x_from) * geometry::DROP_AT)).abs() < 1e-9);
}

#[test]
fn a_delivered_arrow_reaches_the_receiving_lane() {
    let layout = Layout::new(&[pubrec(0, false)], &Pacing::default());
    let shape = arrow_shape(&layout.arrows[0], 1.0);
    assert_eq!(shape.tip.0, geometry::lane_x(Lane::Publisher));
    assert_eq!(shape.class, "qos2");
}

#[test]
fn the_viewport_window_covers_the_screen_and_a_screenful_either_side() {
    let v = Viewport {
        scroll_top: 2000.0,
        height: 600.0,
        width: WIDTH,
    };
    let (top, bottom) = v.stage_window();
    let header = geometry::HEADER;
    assert!(top <= geometry::stage_of(2000.0 - (600.0 - header)));
    assert!(bottom >= geometry::stage_of(2000.0 + 2.0 * (600.0 - header)));
    assert_eq!(
        Viewport {
            scroll_top: 0.0,
            ..v
        }
        .stage_window()
        .0,
        0.0
    );
}

#[test]
fn following_scrolls_only_when_the_playhead_leaves_the_comfortable_zone() {
    let v = Viewport {
        scroll_top: 1000.0,
        height: 800.0,
        width: WIDTH,
    };
    assert_eq!(v.follow(1200.0), None);
    let below = v.follow(5000.0).expect("scrolls down");
    assert!(below > 1000.0 && below < 5000.0);
    assert!(v.follow(10.0).expect("scrolls up") < 1000.0);
}

#[test]
fn the_svg_export_draws_every_arrow_with_its_cross_and_escaped_text() {
    let events: Vec<DiagramEvent> = (0..50).map(|i| pubrec(i * 100, i == 3)).collect();
    let layout = Layout::new(&events, &Pacing::default());
    let svg = svg_document(&layout, layout.end, "R&D <demo>");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(
        svg.matches("<line class=\"arrow").count(),
        50,
        "no windowing in the export"
    );
    assert_eq!(svg.matches("class=\"cross\"").count(), 1);
    assert!(svg.contains("<title>R&amp;D &lt;demo&gt;</title>"));
    assert!(!svg.contains("drop <next>"));
}

#[test]
fn the_svg_export_shows_only_what_the_playhead_has_reached() {
    let layout = Layout::new(&[pubrec(0, false), pubrec(5000, false)], &Pacing::default());
    let svg = svg_document(&layout, layout.arrows[1].start, "t");
    assert_eq!(svg.matches("<line class=\"arrow").count(), 1);
}

#[test]
fn escape_handles_all_five_xml_specials() {
    assert_eq!(
        escape("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
    );
}

#[test]
fn the_fixed_header_is_named_even_without_the_codec() {
    let mut bytes = vec![0x34, 0xC8, 0x01];
    bytes.extend(std::iter::repeat_n(0u8, 200));
    let fields = fixed_header_fields(&bytes);
    assert_eq!(fields[0].name, "Packet type and flags");
    assert_eq!(fields[0].value, "type 3, flags 0100");
    assert_eq!(
        (fields[1].start, fields[1].end, fields[1].value.as_str()),
        (1, 3, "200")
    );
    assert_eq!((fields[2].start, fields[2].end), (3, 203));
}

#[test]
fn no_bytes_means_no_fields_and_no_rows() {
    assert!(fixed_header_fields(&[]).is_empty());
    assert!(hex_rows(&[], &[]).is_empty());
}

#[test]
fn a_truncated_remaining_length_does_not_panic() {
    let fields = fixed_header_fields(&[0x30, 0xFF, 0xFF]);
    assert_eq!(fields.len(), 2);
}

#[test]
fn each_byte_belongs_to_its_innermost_field() {
    let span = |start, end, name: &str| FieldSpan {
        start,
        end,
        name: name.into(),
        value: String::new(),
    };
    let fields = vec![span(0, 10, "Properties"), span(2, 4, "Topic Alias")];
    assert_eq!(field_at(3, &fields), Some(1));
    assert_eq!(field_at(5, &fields), Some(0));
    assert_eq!(field_at(10, &fields), None);
    let rows = hex_rows(&[0u8; 20], &fields);
    assert_eq!(
        (rows.len(), rows[0].len(), rows[2].len()),
        (3, ROW, 20 - 2 * ROW)
    );
    assert_eq!(rows[1][0].offset, ROW);
}

#[test]
fn armed_drops_show_until_used_up_and_loss_is_capped_at_100() {
    let mut plan = FaultPlan::default();
    let intent = FaultIntent::DropNext {
        kind: PacketType::Pubrec,
        hop: Hop::PublisherBroker,
    };
    plan.apply(intent);
    plan.apply(intent);
    assert_eq!(plan.drop_next.len(), 1, "arming twice is still one drop");
    assert!(plan.is_armed(PacketType::Pubrec, Hop::PublisherBroker));
    assert!(!plan.is_armed(PacketType::Pubrec, Hop::BrokerSubscriber));
    plan.apply(FaultIntent::LossPercent(250));
    assert_eq!(plan.loss_percent, 100);
    assert!(plan.intents().contains(&intent));
    plan.consumed(PacketType::Pubrec, Hop::PublisherBroker);
    assert!(plan.drop_next.is_empty());
    assert_eq!(
        intent.describe(),
        "drop the next PUBREC (publisher ⇄ broker)"
    );
}

#[test]
fn the_six_scenarios_of_the_brief_are_there_with_both_languages() {
    let all = builtin();
    let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "qos0-lossy",
            "qos1-puback-lost",
            "qos2-pubrec-lost",
            "qos2-pubrel-lost",
            "qos2-reconnect",
            "qos2-downgraded"
        ]
    );
    for s in &all {
        assert!(!s.steps.is_empty(), "{} has steps", s.id);
        for step in &s.steps {
            assert!(
                !step.explain.is_empty() && !step.explain_zh.is_empty(),
                "{}: every step explained twice",
                s.id
            );
        }
    }
}

#[test]
fn scenarios_that_need_a_resend_within_the_session_use_311_with_a_timeout() {
    use qoscope::mqtt::session::RetryPolicy;
    for s in builtin()
        .iter()
        .filter(|s| s.steps.iter().any(|st| st.explain.contains("resends")))
    {
        let reconnects = s.steps.iter().any(|st| st.action == Action::Reconnect);
        let timeout = matches!(s.setup.retry, RetryPolicy::OnTimeout { .. });
        assert!(
            reconnects || (timeout && s.setup.version == ProtocolVersion::V311),
            "{}",
            s.id
        );
    }
}

#[test]
fn the_downgrade_scenario_subscribes_below_the_published_qos() {
    let s = builtin()
        .into_iter()
        .find(|s| s.id == "qos2-downgraded")
        .expect("present");
    assert_eq!(s.setup.subscribe_qos, QoS::AtLeastOnce);
    assert!(matches!(
        s.steps[0].action,
        Action::Publish {
            qos: QoS::ExactlyOnce,
            ..
        }
    ));
}

#[test]
fn scenarios_survive_a_json_round_trip() {
    let all = builtin();
    let json = serde_json::to_string(&all).expect("serialise");
    let back: Vec<qoscope::app::visualiser::scenario::Scenario> =
        serde_json::from_str(&json).expect("parse");
    assert_eq!(back, all);
}

#[derive(Default)]
struct Recorder {
    log: Vec<String>,
}

impl StepPerformer for Recorder {
    fn start(&mut self, setup: &Setup) {
        self.log.push(format!("start {}", setup.filter));
    }
    fn perform(&mut self, step: &Step) {
        self.log.push(step.explain.clone());
    }
}

#[test]
fn the_runner_sets_up_then_performs_each_step_once_in_order() {
    let scenario = builtin()
        .into_iter()
        .find(|s| s.id == "qos2-pubrel-lost")
        .expect("present");
    let mut performer = Recorder::default();
    let mut run = ScenarioRun::start(scenario.clone(), &mut performer);
    assert_eq!(run.progress(), "step 0 of 3");
    while run.advance(&mut performer).is_some() {}
    assert!(run.is_finished());
    assert!(
        run.advance(&mut performer).is_none(),
        "nothing after the last step"
    );
    let mut expected = vec!["start shop/inventory".to_string()];
    expected.extend(scenario.steps.iter().map(|s| s.explain.clone()));
    assert_eq!(performer.log, expected);
}

#[test]
fn keys_map_to_playhead_commands() {
    assert_eq!(KeyCommand::from_key(" "), Some(KeyCommand::TogglePlay));
    assert_eq!(KeyCommand::from_key("ArrowRight"), Some(KeyCommand::Step));
    assert_eq!(KeyCommand::from_key("r"), Some(KeyCommand::Replay));
    assert_eq!(KeyCommand::from_key("x"), None);
    let layout = Layout::new(&[pubrec(0, false)], &Pacing::default());
    let mut head = Playhead::default();
    KeyCommand::Step.apply(&mut head, &layout);
    assert_eq!(head.t, layout.arrows[0].end);
}

#[test]
fn the_keys_a_presentation_clicker_sends_move_the_demo() {
    assert_eq!(KeyCommand::from_key("PageDown"), Some(KeyCommand::Next));
    assert_eq!(KeyCommand::from_key("n"), Some(KeyCommand::Next));
    assert_eq!(KeyCommand::from_key("PageUp"), Some(KeyCommand::StepBack));
    assert_eq!(
        KeyCommand::from_key("ArrowLeft"),
        Some(KeyCommand::StepBack)
    );
    assert_eq!(KeyCommand::from_key("?"), Some(KeyCommand::Shortcuts));
    assert_eq!(
        KeyCommand::from_key("Escape"),
        Some(KeyCommand::CloseShortcuts)
    );
    // With no scenario step waiting, "next" is one packet; "back" returns to the one before.
    let layout = Layout::new(&[pubrec(0, false), pubrec(100, false)], &Pacing::default());
    let mut head = Playhead::default();
    KeyCommand::Next.apply(&mut head, &layout);
    KeyCommand::Next.apply(&mut head, &layout);
    assert_eq!(head.t, layout.arrows[1].end);
    KeyCommand::StepBack.apply(&mut head, &layout);
    assert_eq!((head.t, head.playing), (layout.arrows[0].end, false));
    KeyCommand::StepBack.apply(&mut head, &layout);
    assert_eq!(head.t, 0.0, "back from the first packet is the start");
}

#[test]
fn the_shortcut_list_names_every_key_the_visualiser_answers() {
    let listed: String = SHORTCUTS
        .iter()
        .map(|(keys, _)| *keys)
        .collect::<Vec<_>>()
        .join(" ");
    for key in [
        "PageDown", "PageUp", "n", "←", "→", "Space", "r", "End", "?",
    ] {
        assert!(
            listed.contains(key),
            "{key} is missing from the list: {listed}"
        );
    }
}

#[test]
fn nothing_plays_on_an_empty_diagram_or_at_the_end_of_one() {
    let empty = Layout::new(&[], &Pacing::default());
    let mut head = Playhead {
        playing: true,
        ..Playhead::default()
    };
    assert!(
        !head.is_moving(&empty),
        "an empty diagram: the button must not say Pause"
    );
    head.toggle(&empty);
    assert!(!head.is_moving(&empty));

    let layout = Layout::new(&[pubrec(0, false)], &Pacing::default());
    head.jump_to_end(&layout);
    assert!(
        head.playing,
        "at the end playback waits for packets still to come"
    );
    assert!(
        !head.is_moving(&layout),
        "but nothing moves, so the button says Play"
    );
    head.toggle(&layout);
    assert_eq!(
        (head.t, head.is_moving(&layout)),
        (0.0, true),
        "Play at the end starts over"
    );
    head.toggle(&layout);
    assert!(!head.playing, "and Pause pauses");
}

#[test]
fn the_exported_svg_draws_each_qos_in_the_apps_own_colour() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/style/main.css"))
        .expect("read style/main.css");
    // The light theme is the first block that names the QoS colours.
    let colour = |name: &str| {
        let at = css
            .find(&format!("{name}:"))
            .expect("the variable is defined");
        css[at + name.len() + 1..]
            .split(';')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    let layout = Layout::new(&[pubrec(0, false)], &Pacing::default());
    let svg = svg_document(&layout, layout.end, "colours");
    for (class, var) in [("qos0", "--qos0"), ("qos1", "--qos1"), ("qos2", "--qos2")] {
        let want = colour(var);
        assert!(
            svg.contains(&format!(".{class}{{stroke:{want};fill:{want}}}")),
            "{class} must be drawn in {want}, as the app draws it"
        );
    }
}

#[test]
fn the_exported_svg_lists_the_captions_in_both_languages() {
    use qoscope::app::visualiser::model::Caption;
    let caption = DiagramEvent::Caption(Caption {
        at: 0,
        text: "The broker answers with PUBREC, which is lost".into(),
        text_zh: Some("服务器回复 PUBREC，但它丢失了".into()),
        label: None,
    });
    let layout = Layout::new(&[caption, pubrec(10, true)], &Pacing::default());
    let svg = svg_document(&layout, layout.end, "captions");
    assert!(svg.contains(">Steps</text>"));
    assert!(svg.contains("Step 1</tspan> The broker answers with PUBREC, which is lost"));
    assert!(svg.contains("服务器回复 PUBREC，但它丢失了"));
}

#[test]
fn file_names_come_from_titles() {
    assert_eq!(
        file_stem("QoS 2 with PUBREC lost"),
        "qos-2-with-pubrec-lost"
    );
    assert_eq!(file_stem("库存"), "qoscope");
}
