#![cfg(target_arch = "wasm32")]
//! The sequence diagram mounted in a real browser, asserted on its SVG DOM.

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use qoscope::app::visualiser::diagram::SequenceDiagram;
use qoscope::app::visualiser::layout::{Layout, Pacing};
use qoscope::app::visualiser::model::{Arrow, DiagramEvent, Lane, PacketSummary};
use qoscope::app::visualiser::{Visualiser, VisualiserFeed};
use qoscope::mqtt::packet::{Packet, ProtocolVersion, PubResponse, Publish, QoS};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn arrow(from: Lane, to: Lane, sent_at: u64, packet: Packet, dropped: bool) -> DiagramEvent {
    DiagramEvent::Arrow(Arrow {
        from,
        to,
        sent_at,
        arrive_at: sent_at + 40,
        packet: PacketSummary::new(&packet, vec![0x34, 0x02, 0x00, 0x01], ProtocolVersion::V5),
        dropped: dropped.then(|| "drop next PUBREC".to_string()),
    })
}

fn ack(make: fn(PubResponse) -> Packet) -> Packet {
    make(PubResponse {
        packet_id: 1,
        ..PubResponse::default()
    })
}

/// PUBLISH, PUBREC lost, PUBLISH DUP, PUBREC, PUBREL, PUBCOMP.
fn pubrec_lost() -> Vec<DiagramEvent> {
    use Lane::*;
    let publish = |dup| {
        Packet::Publish(Publish {
            dup,
            qos: QoS::ExactlyOnce,
            topic: "shop/inventory".into(),
            packet_id: Some(1),
            payload: b"sold 1".to_vec(),
            ..Publish::default()
        })
    };
    vec![
        arrow(Publisher, Broker, 0, publish(false), false),
        arrow(Broker, Publisher, 40, ack(Packet::Pubrec), true),
        arrow(Publisher, Broker, 1000, publish(true), false),
        arrow(Broker, Publisher, 1040, ack(Packet::Pubrec), false),
        arrow(Publisher, Broker, 1080, ack(Packet::Pubrel), false),
        arrow(Broker, Publisher, 1120, ack(Packet::Pubcomp), false),
    ]
}

fn container() -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("section").unwrap();
    el.set_attribute("style", "width: 1200px").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

/// Every descendant of `root` matching `selector`, in document order (a
/// walk rather than `querySelectorAll`, which needs an extra web-sys feature).
fn select(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let mut found = Vec::new();
    let mut child = root.first_element_child();
    while let Some(el) = child {
        if el.matches(selector).unwrap_or(false) {
            found.push(el.clone());
        }
        found.extend(select(&el, selector));
        child = el.next_element_sibling();
    }
    found
}

fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    select(root, selector)
        .iter()
        .filter_map(|n| n.text_content())
        .collect()
}

fn count(root: &web_sys::Element, selector: &str) -> usize {
    select(root, selector).len()
}

#[wasm_bindgen_test]
async fn the_diagram_draws_every_packet_sent_before_the_playhead() {
    let root = container();
    let layout = Layout::new(&pubrec_lost(), &Pacing::default());
    let end = layout.end;
    let layout = Signal::stored(layout);
    let t = RwSignal::new(end);
    let selected = RwSignal::new(None);
    let _mounted = mount_to(
        root.clone(),
        move || view! { <SequenceDiagram layout t selected follow=false/> },
    );
    tick().await;

    assert_eq!(count(&root, "g.vis-arrow"), 6);
    let labels = texts(&root, "g.vis-arrow text.vis-label");
    assert_eq!(labels[0], "PUBLISH (id 1, QoS 2)");
    assert_eq!(labels[1], "PUBREC (id 1, rc 0x00 Success)");
    assert_eq!(labels[2], "PUBLISH (id 1, QoS 2, DUP 1)");
    assert_eq!(count(&root, "g.vis-arrow.qos2"), 6);
}

#[wasm_bindgen_test]
async fn a_lost_packet_ends_in_a_cross() {
    let root = container();
    let layout = Layout::new(&pubrec_lost(), &Pacing::default());
    let end = layout.end;
    let _mounted = mount_to(root.clone(), move || {
        view! { <SequenceDiagram layout=Signal::stored(layout) t=Signal::stored(end) selected=RwSignal::new(None) follow=false/> }
    });
    tick().await;

    assert_eq!(count(&root, "g.vis-arrow.dropped"), 1);
    assert_eq!(count(&root, "g.vis-arrow.dropped .dropped-cross path"), 1);
    assert_eq!(count(&root, "g.vis-arrow.delivered .dropped-cross"), 0);
    assert_eq!(
        texts(&root, ".dropped-cross text"),
        ["lost: drop next PUBREC"]
    );
}

#[wasm_bindgen_test]
async fn moving_the_playhead_back_hides_later_packets() {
    let root = container();
    let layout = Layout::new(&pubrec_lost(), &Pacing::default());
    let (second_start, end) = (layout.arrows[1].start, layout.end);
    let t = RwSignal::new(end);
    let _mounted = mount_to(root.clone(), move || {
        view! { <SequenceDiagram layout=Signal::stored(layout) t selected=RwSignal::new(None) follow=false/> }
    });
    tick().await;
    assert_eq!(count(&root, "g.vis-arrow"), 6);

    t.set(second_start + 1.0);
    tick().await;
    assert_eq!(
        count(&root, "g.vis-arrow"),
        2,
        "only PUBLISH and the PUBREC just leaving"
    );
    assert_eq!(
        count(&root, ".dropped-cross"),
        0,
        "the PUBREC is not lost yet"
    );
}

#[wasm_bindgen_test]
async fn clicking_an_arrow_opens_it_in_the_inspector() {
    let root = container();
    let feed = VisualiserFeed::new();
    feed.extend(pubrec_lost());
    let _mounted = mount_to(root.clone(), move || view! { <Visualiser feed/> });
    tick().await;
    // Jump to the end so every arrow exists.
    scrub_to_end(&root).await;

    let first = root.query_selector("g.vis-arrow").unwrap().unwrap();
    first
        .dispatch_event(&web_sys::Event::new("click").unwrap())
        .unwrap();
    tick().await;

    let heading = texts(&root, ".vis-inspector h3");
    assert!(
        heading[0].starts_with("PUBLISH (id 1, QoS 2)"),
        "{heading:?}"
    );
    assert_eq!(count(&root, ".vis-hex .vis-byte"), 4);
    assert_eq!(
        texts(&root, ".vis-fields td:nth-child(2)")[0],
        "Packet type and flags"
    );
}

/// Drags the scrubber to the end of what has happened so far.
async fn scrub_to_end(root: &web_sys::Element) {
    let scrubber: web_sys::HtmlInputElement = root
        .query_selector(".vis-scrubber")
        .unwrap()
        .unwrap()
        .unchecked_into();
    scrubber.set_value("1e9");
    scrubber
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    tick().await;
}

fn click(root: &web_sys::Element, selector: &str, text: &str) {
    let target = select(root, selector)
        .into_iter()
        .find(|el| el.text_content().unwrap_or_default().contains(text))
        .unwrap_or_else(|| panic!("no {selector} saying {text:?}"));
    target.unchecked_into::<web_sys::HtmlElement>().click();
}

/// The simulated visualiser, mounted in a fresh container; keep the handle to keep it mounted.
async fn mount_simulated() -> (web_sys::HtmlElement, impl Sized) {
    use qoscope::app::visualiser::SimulatedVisualiser;
    let root = container();
    let mounted = mount_to(root.clone(), || view! { <SimulatedVisualiser/> });
    tick().await;
    (root, mounted)
}

#[wasm_bindgen_test]
async fn a_scenario_steps_through_the_simulation_and_draws_the_lost_pubrec() {
    let (root, _mounted) = mount_simulated().await;
    click(&root, "button.vis-scenario", "QoS 2 with PUBREC lost");
    tick().await;
    click(&root, "button.vis-next-step", "Next step");
    tick().await;
    // Jump the playhead to the end of what has happened so far.
    scrub_to_end(&root).await;

    assert_eq!(texts(&root, ".vis-title"), ["QoS 2 with PUBREC lost"]);
    assert_eq!(texts(&root, ".vis-progress"), ["step 1 of 3"]);
    assert_eq!(count(&root, "g.vis-arrow.dropped .dropped-cross"), 1);
    assert!(texts(&root, "g.vis-arrow.dropped text.vis-label")[0].starts_with("PUBREC (id 1"));
    assert!(texts(&root, ".vis-caption-text")[0].contains("PUBREC, which is lost"));
    assert_eq!(
        texts(&root, ".vis-qos2-table tbody td:nth-child(2)"),
        ["1"],
        "the broker holds id 1"
    );
}

/// Waits (up to 10 s) until `condition` holds.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    panic!("waited 10 s for {what}");
}

#[wasm_bindgen_test]
async fn live_mode_with_no_broker_says_so_and_queues_nothing() {
    use qoscope::app::form::ConnectionForm;
    use qoscope::app::visualiser::LiveVisualiser;
    let root = container();
    // Nothing listens on port 1.
    let form = RwSignal::new(ConnectionForm {
        broker_url: "ws://127.0.0.1:1".into(),
        ..ConnectionForm::default()
    });
    let _mounted = mount_to(root.clone(), move || view! { <LiveVisualiser form/> });
    tick().await;
    assert!(texts(&root, "[data-testid=live-publisher]")[0].contains("not connected"));
    assert!(texts(&root, ".vis-empty")[0].contains("start a scenario"));

    click(&root, "button.vis-scenario", "QoS 2 with PUBREC lost");
    tick().await;
    assert!(
        texts(&root, "[data-testid=live-status]")[0].contains("ws://127.0.0.1:1"),
        "the status names the broker"
    );
    let failed = || count(&root, ".live-pill.failed") == 2;
    wait_until("both clients to report the unreachable broker", failed).await;
    let publisher = texts(&root, "[data-testid=live-publisher]")[0].clone();
    assert!(
        publisher.contains("cannot reach ws://127.0.0.1:1") && publisher.contains("make run"),
        "{publisher}"
    );
    // A step asked for now is refused with a reason, not queued forever.
    click(&root, "button.vis-next-step", "Next step");
    tick().await;
    assert_eq!(count(&root, ".live-waiting"), 0);
    assert!(texts(&root, ".live-problem")[0].contains("not connected"));
}

#[wasm_bindgen_test]
async fn the_visualiser_tab_switches_between_simulated_and_live() {
    use qoscope::app::form::ConnectionForm;
    use qoscope::app::visualiser::VisualiserPage;
    let root = container();
    let form = RwSignal::new(ConnectionForm::default());
    let _mounted = mount_to(root.clone(), move || view! { <VisualiserPage form/> });
    tick().await;
    click(&root, "button.vis-mode", "Simulated broker");
    tick().await;
    let hidden = |mode: &str| {
        select(&root, &format!(".vis-mode-panel[data-mode={mode}]"))
            .first()
            .map(|p| p.has_attribute("hidden"))
    };
    assert_eq!(hidden("simulated"), Some(false));
    click(&root, "button.vis-mode", "Live broker");
    tick().await;
    assert_eq!(hidden("simulated"), Some(true));
    assert_eq!(hidden("live"), Some(false));
    assert_eq!(count(&root, "[data-testid=live-status]"), 1);
    // Remembered for the next visit.
    let stored = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item("qoscope.visualiser-mode").ok().flatten());
    assert_eq!(stored.as_deref(), Some("live"));
}

/// Presses `key` as a presentation clicker or a keyboard does (a keydown on the page).
fn press(key: &str) {
    js_sys::eval(&format!(
        "document.body.dispatchEvent(new KeyboardEvent('keydown', {{ key: {key:?}, bubbles: true, cancelable: true }}))"
    ))
    .expect("dispatch the key");
}

#[wasm_bindgen_test]
async fn page_down_advances_a_scenario_as_a_clicker_does() {
    let (root, _mounted) = mount_simulated().await;
    click(&root, "button.vis-scenario", "QoS 2 with PUBREC lost");
    tick().await;
    press("PageDown");
    tick().await;
    assert_eq!(texts(&root, ".vis-progress"), ["step 1 of 3"]);
    press("n");
    tick().await;
    assert_eq!(texts(&root, ".vis-progress"), ["step 2 of 3"]);

    press("?");
    tick().await;
    assert_eq!(count(&root, ".vis-shortcuts"), 1, "? shows the shortcuts");
    assert!(texts(&root, ".vis-shortcuts")[0].contains("next scenario step"));
    press("Escape");
    tick().await;
    assert_eq!(count(&root, ".vis-shortcuts"), 0, "Esc hides them");
}

#[wasm_bindgen_test]
async fn the_play_button_says_play_when_nothing_plays() {
    let (root, _mounted) = mount_simulated().await;
    let play = || root.query_selector(".vis-play").unwrap().unwrap();
    assert_eq!(
        play().text_content().unwrap(),
        "▶ Play",
        "empty: nothing plays"
    );
    assert!(
        play().has_attribute("disabled"),
        "and there is nothing to play"
    );

    click(&root, "button.vis-scenario", "QoS 2 with PUBREC lost");
    tick().await;
    click(&root, "button.vis-next-step", "Next step");
    tick().await;
    scrub_to_end(&root).await;
    assert_eq!(
        play().text_content().unwrap(),
        "▶ Play",
        "at the end of what happened: nothing plays"
    );
    assert!(!play().has_attribute("disabled"));
}
