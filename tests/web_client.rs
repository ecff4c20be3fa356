#![cfg(target_arch = "wasm32")]
//! Component tests in a real browser: mount a view, type, click, read the DOM.

use leptos::{mount::mount_to, prelude::*, task::tick};
use qoscope::app::messages::MessageList;
use qoscope::app::model::{ClientModel, ConnStatus};
use qoscope::app::publish::PublishPanel;
use qoscope::app::subscriptions::SubscriptionsPanel;
use qoscope::app::{App, ClientCtx};
use qoscope::mqtt::packet::{Properties, QoS};
use qoscope::mqtt::session::{Event, EventKind, Message};
use qoscope::net::ws::LinkUpdate;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[path = "web_support/mutations.rs"]
mod mutations;
use mutations::Mutations;
use web_sys::{HtmlButtonElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<section>` in the page for one test's view.
fn container() -> HtmlElement {
    let document = document();
    let section = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&section).unwrap();
    section.unchecked_into()
}

/// A container pinned over the viewport, so that its first rows are on
/// screen whatever the tests before left in the page.
fn on_screen_container() -> HtmlElement {
    let root = container();
    root.set_attribute(
        "style",
        "position: fixed; inset: 0; overflow: auto; background: white",
    )
    .unwrap();
    root
}

fn find<T: JsCast>(root: &HtmlElement, selector: &str) -> T {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

fn text(root: &HtmlElement, selector: &str) -> String {
    find::<HtmlElement>(root, selector)
        .text_content()
        .unwrap_or_default()
}

/// Types `value` into an input the way a user does: set it, fire `input`.
fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    // Through the `value` property, so it works for <input> and <textarea> alike.
    let input: HtmlElement = find(root, selector);
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).unwrap();
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn delivered(topic: &str, payload: &[u8], qos: QoS) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event {
        at: 1,
        kind: EventKind::Delivered {
            message: Message {
                topic: topic.into(),
                payload: payload.to_vec(),
                qos,
                retain: false,
                dup: false,
                packet_id: Some(7),
                properties: Properties::default(),
                matched_filters: vec![],
            },
        },
    }))
}

#[wasm_bindgen_test]
async fn a_wildcard_topic_is_explained_and_disables_publish() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        let ctx = ClientCtx::new();
        ctx.model.update(|m| m.status = ConnStatus::Connected);
        provide_context(ctx);
        view! { <PublishPanel /> }
    });
    let button: HtmlButtonElement = find(&root, "#pub-btn");
    assert!(!button.disabled(), "the default topic is valid");

    type_into(&root, "#pub-topic", "alarms/+");
    tick().await;
    assert!(button.disabled());
    assert!(
        text(&root, "[data-testid=pub-topic-error]").contains("wildcard"),
        "{}",
        text(&root, "[data-testid=pub-topic-error]")
    );

    type_into(&root, "#pub-topic", "alarms/fire");
    tick().await;
    assert!(!button.disabled());
    assert_eq!(text(&root, "[data-testid=pub-topic-error]"), "");
}

#[wasm_bindgen_test]
async fn with_no_connection_publish_is_disabled_and_says_why() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        provide_context(ClientCtx::new());
        view! { <PublishPanel /> }
    });
    let button: HtmlButtonElement = find(&root, "#pub-btn");
    assert!(button.disabled(), "nothing could take the message");
    assert!(
        button.title().contains("Connect first"),
        "{}",
        button.title()
    );
}

#[wasm_bindgen_test]
async fn an_empty_topic_disables_publish() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        provide_context(ClientCtx::new());
        view! { <PublishPanel /> }
    });
    type_into(&root, "#pub-topic", "");
    tick().await;
    assert!(find::<HtmlButtonElement>(&root, "#pub-btn").disabled());
    assert!(text(&root, "[data-testid=pub-topic-error]").contains("empty"));
}

#[wasm_bindgen_test]
async fn invalid_json_is_reported_under_the_payload() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        provide_context(ClientCtx::new());
        view! { <PublishPanel /> }
    });
    let format: web_sys::HtmlSelectElement = find(&root, "#pub-format");
    format.set_value("json");
    format
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    type_into(&root, "#pub-payload", "{\"temp\": }");
    tick().await;
    assert!(text(&root, "[data-testid=pub-payload-error]").starts_with("Not valid JSON"));
    assert!(find::<HtmlButtonElement>(&root, "#pub-btn").disabled());
}

#[wasm_bindgen_test]
async fn a_bad_filter_disables_subscribe() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        provide_context(ClientCtx::new());
        view! { <SubscriptionsPanel /> }
    });
    type_into(&root, "#sub-filter", "alarms/#/fire");
    tick().await;
    assert!(find::<HtmlButtonElement>(&root, "#sub-btn").disabled());
    assert!(text(&root, "[data-testid=sub-filter-error]").contains("last level"));
}

#[wasm_bindgen_test]
async fn a_payload_with_markup_is_shown_as_text_not_html() {
    let root = container();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    assert!(text(&root, ".empty").contains("Subscribe to a topic"));

    let attack = "<img src=x onerror=\"document.title='pwned'\">";
    model.update(|m| {
        m.apply(delivered(
            "alarms/fire",
            attack.as_bytes(),
            QoS::AtLeastOnce,
        ))
    });
    tick().await;

    assert_eq!(text(&root, "[data-testid=msg-payload]"), attack);
    assert_eq!(text(&root, "[data-testid=msg-topic]"), "alarms/fire");
    assert_eq!(text(&root, "[data-testid=msg-qos]"), "QoS 1");
    assert!(root.query_selector("img").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn newest_message_comes_first_and_json_is_pretty_printed() {
    let root = container();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    model.update(|m| {
        m.apply(delivered("inventory/count", b"41", QoS::ExactlyOnce));
        m.apply(delivered(
            "inventory/count",
            br#"{"count":42}"#,
            QoS::ExactlyOnce,
        ));
    });
    tick().await;
    assert_eq!(
        find::<HtmlElement>(&root, ".msg-list").child_element_count(),
        2
    );
    assert!(text(&root, "[data-testid=msg-payload]").contains("\"count\": 42"));
}

#[wasm_bindgen_test]
async fn connecting_to_an_invalid_url_says_why_and_stays_disconnected() {
    let root = container();
    let _view = mount_to(root.clone(), App);
    type_into(&root, "#broker-url", "http://127.0.0.1:9001");
    tick().await;
    find::<HtmlElement>(&root, "#connect-btn").click();
    tick().await;
    assert!(text(&root, "[data-testid=conn-error]").contains("ws:// or wss://"));
    assert!(text(&root, "[data-testid=conn-status]").contains("Disconnected"));
    assert_eq!(text(&root, "#connect-btn"), "Connect");
}

#[wasm_bindgen_test]
async fn the_theme_toggle_switches_the_page_theme() {
    let root = container();
    let _view = mount_to(root.clone(), App);
    tick().await;
    let html = document().document_element().unwrap();
    let before = html.get_attribute("data-theme").unwrap();
    find::<HtmlElement>(&root, "#theme-toggle").click();
    tick().await;
    let after = html.get_attribute("data-theme").unwrap();
    assert_ne!(before, after);
    assert!(after == "dark" || after == "light");
}

#[wasm_bindgen_test]
async fn another_tab_hides_the_client_view_without_destroying_it() {
    let root = container();
    let _view = mount_to(root.clone(), App);
    find::<HtmlElement>(&root, "#tab-dashboard").click();
    tick().await;
    let dashboard_panel: HtmlElement = find(&root, "[aria-labelledby=tab-dashboard]");
    assert!(!dashboard_panel.hidden());
    let client_panel: HtmlElement = find(&root, "[aria-labelledby=tab-client]");
    assert!(
        client_panel.hidden(),
        "the client view is hidden, not destroyed"
    );
    find::<HtmlElement>(&root, "#tab-client").click();
    tick().await;
    assert!(!client_panel.hidden());
    assert!(dashboard_panel.hidden());
}

fn ping_sent(at: u64) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event {
        at,
        kind: EventKind::PacketSent {
            packet: qoscope::mqtt::packet::Packet::Pingreq,
            bytes: vec![],
        },
    }))
}

#[wasm_bindgen_test]
async fn the_paused_packet_log_keeps_showing_its_lines_through_a_burst() {
    use qoscope::app::model::{LIVE_LOG_ROWS, LOG_CAPACITY};
    use qoscope::app::packet_log::PacketLog;
    let root = container();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <PacketLog model=model /> });
    model.update(|m| (0..10).for_each(|at| m.apply(ping_sent(at))));
    tick().await;
    find::<HtmlElement>(&root, "#log-pause").click();
    tick().await;
    // More new lines than the log holds: every line shown at the pause leaves the ring.
    model.update(|m| (10..10 + LOG_CAPACITY as u64).for_each(|at| m.apply(ping_sent(at))));
    tick().await;
    let shown = find::<HtmlElement>(&root, "[data-testid=packet-log]").child_element_count();
    assert_eq!(
        shown, 10,
        "the paused view keeps the lines the operator was reading"
    );
    assert_eq!(
        text(&root, ".packet-log .count"),
        format!("10 lines · paused, {LOG_CAPACITY} new")
    );
    find::<HtmlElement>(&root, "#log-pause").click();
    tick().await;
    let shown = find::<HtmlElement>(&root, "[data-testid=packet-log]").child_element_count();
    assert_eq!(shown as usize, LIVE_LOG_ROWS, "resumed: the newest lines");
}

/// Delivers messages `from..from + n` in one model update (one frame's batch),
/// each on topic `flood/{i}` with payload `m{i}`.
fn deliver_batch(model: RwSignal<ClientModel>, from: u64, n: u64) {
    model.update(|m| {
        for i in from..from + n {
            let payload = format!("m{i}");
            m.apply(delivered(
                &format!("flood/{i}"),
                payload.as_bytes(),
                QoS::AtMostOnce,
            ));
        }
    });
}

/// Rows not built yet: placeholders in the message list.
fn waiting_rows(root: &HtmlElement) -> u32 {
    root.query_selector_all(".msg-list > li.slot-wait")
        .unwrap()
        .length()
}

/// A full list mounted below the fold builds a screenful of rows in its
/// first frame, not all of them: the rest wait as empty placeholders until
/// they come on screen or the page is idle.
#[wasm_bindgen_test]
async fn a_full_list_builds_a_screenful_at_once_and_the_rest_when_idle() {
    use qoscope::app::model::LIVE_MESSAGE_ROWS;
    use qoscope::app::on_screen::EAGER_SLOTS;
    let root = container();
    root.set_attribute("style", "display: block; height: 120px; overflow: auto")
        .unwrap();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    let mutations = Mutations::observe(&[root.clone().into()], true);
    deliver_batch(model, 0, LIVE_MESSAGE_ROWS as u64);
    tick().await;
    let built = root
        .query_selector_all("[data-testid=msg-row]")
        .unwrap()
        .length();
    assert_eq!(built as usize, EAGER_SLOTS, "a screenful is built at once");
    assert_eq!(
        waiting_rows(&root) as usize,
        LIVE_MESSAGE_ROWS - EAGER_SLOTS,
        "the others wait"
    );
    assert_eq!(
        text(&root, "[data-testid=msg-topic]"),
        format!("flood/{}", LIVE_MESSAGE_ROWS - 1)
    );
    assert!(
        until(|| waiting_rows(&root) == 0).await,
        "every row is built in idle moments"
    );
    let bottom = ".msg-list > li:last-child [data-testid=msg-topic]";
    assert_eq!(
        text(&root, bottom),
        "flood/0",
        "the last row shows its message"
    );
    let (added, pending) = mutations.nodes(&["addedNodes"], "LI");
    assert_eq!(
        added + pending,
        LIVE_MESSAGE_ROWS - EAGER_SLOTS,
        "each row waiting is built once, in place of its placeholder (the list came as one node)"
    );
}

/// The `<li>` rows of the message list, in order.
fn message_rows(list: &HtmlElement) -> Vec<web_sys::Element> {
    std::iter::successors(list.first_element_child(), |li| li.next_element_sibling()).collect()
}

#[wasm_bindgen_test]
async fn a_full_message_list_updates_its_rows_in_place() {
    use qoscope::app::model::LIVE_MESSAGE_ROWS;
    let root = on_screen_container();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    // Fill the list over several frames, past its bound.
    let batch = 30;
    let batches = LIVE_MESSAGE_ROWS as u64 / batch + 2;
    for b in 0..batches {
        deliver_batch(model, b * batch, batch);
        tick().await;
    }
    let list: HtmlElement = find(&root, ".msg-list");
    assert!(
        until(|| waiting_rows(&root) == 0).await,
        "every row gets built"
    );
    let before = message_rows(&list);
    assert_eq!(before.len(), LIVE_MESSAGE_ROWS);

    let mutations = Mutations::observe(&[list.clone().into()], true);
    let first = batches * batch;
    deliver_batch(model, first, 1_000);
    tick().await;

    let newest = first + 999;
    assert_eq!(
        text(&root, "[data-testid=msg-topic]"),
        format!("flood/{newest}")
    );
    assert_eq!(
        text(&root, "[data-testid=msg-payload]"),
        format!("m{newest}")
    );
    let (delivered, pending) = mutations.nodes(&["addedNodes"], "LI");
    assert_eq!(delivered + pending, 0, "no row was rebuilt");
    root.set_scroll_top(1_000_000);
    let bottom = ".msg-list > li:last-child [data-testid=msg-topic]";
    let oldest = format!("flood/{}", newest + 1 - LIVE_MESSAGE_ROWS as u64);
    assert!(
        until(|| text(&root, bottom) == oldest).await,
        "the oldest row shown is the hundredth newest: {} where {oldest} is due",
        text(&root, bottom)
    );
    assert!(
        message_rows(&list) == before,
        "every row is the same <li> element as before the batch"
    );
}

/// Resolves at the browser's next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Under a flood the model takes every update each frame, but the views
/// re-render ten times a second; the first quiet frame shows the rest.
#[wasm_bindgen_test]
async fn a_flood_re_renders_the_client_view_ten_times_a_second() {
    use qoscope::app::refresh::FLOOD_FRAMES;
    use std::cell::Cell;
    use std::rc::Rc;
    let root = on_screen_container();
    let ctx = ClientCtx::new();
    let renders = Rc::new(Cell::new(0u32));
    let counted = renders.clone();
    let _view = mount_to(root.clone(), move || {
        provide_context(ctx);
        Effect::new(move |_| {
            ctx.model.track();
            counted.set(counted.get() + 1);
        });
        view! { <MessageList model=ctx.model /> }
    });
    next_frame().await;
    let before = renders.get();
    const FRAMES: u32 = 62;
    for frame in 0..FRAMES {
        let updates = (0..200)
            .map(|i| {
                let n = frame * 200 + i;
                delivered(&format!("flood/{n}"), b"m", QoS::AtMostOnce)
            })
            .collect();
        ctx.on_updates(updates);
        next_frame().await;
    }
    let flooded = renders.get() - before;
    assert!(
        (FRAMES / FLOOD_FRAMES..=FRAMES / FLOOD_FRAMES + 2).contains(&flooded),
        "{flooded} renders in {FRAMES} flooded frames"
    );
    next_frame().await;
    next_frame().await;
    assert_eq!(
        renders.get() - before,
        flooded + 1,
        "the quiet frame renders"
    );
    assert_eq!(
        text(&root, "[data-testid=msg-topic]"),
        format!("flood/{}", FRAMES * 200 - 1),
        "and shows the newest message"
    );
}

/// Waits, 20 ms at a time, until `done` holds; false after 5 s.
async fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if done() {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    done()
}

#[wasm_bindgen_test]
async fn rows_out_of_view_wait_and_catch_up_when_scrolled_into_view() {
    use qoscope::app::model::LIVE_MESSAGE_ROWS;
    let rows = LIVE_MESSAGE_ROWS as u64;
    let root = container();
    root.set_attribute("style", "display: block; height: 120px; overflow: auto")
        .unwrap();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    deliver_batch(model, 0, rows);
    tick().await;
    let bottom = ".msg-list > li:last-child [data-testid=msg-topic]";
    assert!(
        until(|| waiting_rows(&root) == 0).await,
        "the rows out of view are built in idle moments"
    );
    assert_eq!(text(&root, bottom), "flood/0", "and show their row");

    // One message at a time: every row moves down one. The top row follows;
    // the bottom row, far below the 120 px box, stops following once the
    // browser has said it is out of view.
    let mut next = rows;
    let mut stopped = false;
    for _ in 0..250 {
        deliver_batch(model, next, 1);
        next += 1;
        tick().await;
        let top = text(&root, "[data-testid=msg-topic]");
        assert_eq!(
            top,
            format!("flood/{}", next - 1),
            "the row in view follows"
        );
        if text(&root, bottom) != format!("flood/{}", next - rows) {
            stopped = true;
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    assert!(stopped, "the row out of view kept following its row");

    root.set_scroll_top(1_000_000);
    let oldest = format!("flood/{}", next - rows);
    assert!(
        until(|| text(&root, bottom) == oldest).await,
        "scrolled into view, the bottom row shows its row again: {} where {oldest} is due",
        text(&root, bottom)
    );
}

#[wasm_bindgen_test]
async fn messages_the_connection_skipped_are_counted_above_the_list() {
    use qoscope::net::ws::TransportEvent;
    let root = container();
    let model = RwSignal::new(ClientModel::default());
    let _view = mount_to(root.clone(), move || view! { <MessageList model=model /> });
    tick().await;
    assert!(root
        .query_selector("[data-testid=msg-skipped]")
        .unwrap()
        .is_none());
    let skipped = |total| LinkUpdate::Transport {
        at: 1_000,
        event: TransportEvent::Skipped { total },
    };
    model.update(|m| m.apply_batch(vec![skipped(300), skipped(4_500)]));
    tick().await;
    let notice: HtmlElement = find(&root, "[data-testid=msg-skipped]");
    let words = notice.text_content().unwrap_or_default();
    assert!(words.contains("4500 QoS 0 messages skipped"), "{words}");
    assert!(words.contains("never skipped"), "{words}");
    assert_eq!(notice.dataset().get("skipped").as_deref(), Some("4500"));
}
