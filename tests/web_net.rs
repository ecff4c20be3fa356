#![cfg(target_arch = "wasm32")]
//! The WebSocket driver in a real browser: an unreachable broker, and, when
//! `QOSCOPE_TEST_BROKER_WS` names one at compile time, a real broker.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::{mount::mount_to, prelude::*, task::tick};
use qoscope::app::App;
use qoscope::mqtt::packet::{QoS, SubscribeFilter};
use qoscope::mqtt::session::{EventKind, PublishRequest, Session, SessionConfig};
use qoscope::net::ws::{Link, LinkUpdate, TransportEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let document = document();
    let section = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&section).unwrap();
    section.unchecked_into()
}

fn find<T: JsCast>(root: &HtmlElement, selector: &str) -> T {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

fn text(root: &HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    // Through the `value` property, so it works for <input> and <textarea> alike.
    let input: HtmlElement = find(root, selector);
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).unwrap();
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn set_select(root: &HtmlElement, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector);
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

/// Waits (up to 10 s) until `condition` holds; panics naming `what` and
/// showing the status, the error line and the packet log otherwise.
async fn wait_until(root: &HtmlElement, what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        TimeoutFuture::new(50).await;
    }
    panic!(
        "timed out waiting for {what}; status {:?}, error {:?}, publish {:?}, log {:?}",
        text(root, "[data-testid=conn-status]"),
        text(root, "[data-testid=conn-error]"),
        text(root, "[data-testid=pub-feedback]"),
        text(root, "[data-testid=packet-log]"),
    );
}

#[wasm_bindgen_test]
async fn an_unreachable_broker_is_explained_in_words() {
    let root = container();
    let _view = mount_to(root.clone(), App);
    // Nothing listens on port 1 (and browsers refuse it outright).
    type_into(&root, "#broker-url", "ws://127.0.0.1:1");
    tick().await;
    find::<HtmlElement>(&root, "#connect-btn").click();
    wait_until(&root, "the unreachable message", || {
        text(&root, "[data-testid=conn-error]").contains("127.0.0.1:1")
    })
    .await;
    let error = text(&root, "[data-testid=conn-error]");
    // Port 1 is one the browser refuses itself; say so in its words, or
    // say that nothing listened there. Never a bare "Could not reach".
    assert!(
        error.contains("Nothing accepted a WebSocket at 127.0.0.1:1")
            || error.starts_with("The browser would not open ws://127.0.0.1:1: "),
        "{error}"
    );
    assert!(text(&root, "[data-testid=conn-status]").contains("Disconnected"));
    assert_eq!(text(&root, "#connect-btn"), "Connect");
}

#[wasm_bindgen_test]
async fn against_a_real_broker_a_qos2_message_goes_round_trip() {
    let Some(url) = option_env!("QOSCOPE_TEST_BROKER_WS") else {
        web_sys::console::log_1(
            &"skipped: set QOSCOPE_TEST_BROKER_WS=ws://127.0.0.1:PORT at build time to run".into(),
        );
        return;
    };
    // A fresh page's storage: an earlier test's Connect would otherwise be
    // resumed at mount (as a reload resumes it), and the click below would
    // cancel that attempt instead of connecting.
    let window = web_sys::window().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    window.session_storage().unwrap().unwrap().clear().unwrap();
    let root = container();
    let _view = mount_to(root.clone(), App);
    let topic = format!("qoscope-test/{}", (js_sys::Math::random() * 1e9) as u64);
    type_into(&root, "#broker-url", url);
    tick().await;
    find::<HtmlElement>(&root, "#connect-btn").click();
    wait_until(&root, "Connected", || {
        text(&root, "[data-testid=conn-status]").contains("Connected")
    })
    .await;

    type_into(&root, "#sub-filter", &format!("{topic}/#"));
    set_select(&root, "#sub-qos", "2");
    tick().await;
    find::<HtmlElement>(&root, "#sub-btn").click();
    wait_until(&root, "the SUBACK", || {
        text(&root, "[data-testid=sub-row]").contains("granted QoS 2")
    })
    .await;

    type_into(&root, "#pub-topic", &format!("{topic}/fire"));
    type_into(&root, "#pub-payload", "<b>smoke</b> in hall 3");
    set_select(&root, "#pub-qos", "2");
    tick().await;
    find::<HtmlElement>(&root, "#pub-btn").click();
    wait_until(&root, "the message", || {
        text(&root, "[data-testid=msg-payload]") == "<b>smoke</b> in hall 3"
    })
    .await;
    wait_until(&root, "PUBCOMP", || {
        text(&root, "[data-testid=pub-feedback]").contains("PUBCOMP received")
    })
    .await;
    assert_eq!(text(&root, "[data-testid=msg-qos]"), "QoS 2");
    let log = find::<HtmlElement>(&root, "[data-testid=packet-log]");
    assert!(log.child_element_count() >= 8, "CONNECT..PUBCOMP both ways");
    assert!(log
        .text_content()
        .unwrap_or_default()
        .contains("sending PUBREL"));

    find::<HtmlElement>(&root, "#connect-btn").click();
    wait_until(&root, "Disconnected", || {
        text(&root, "[data-testid=conn-status]").contains("Disconnected")
    })
    .await;
}

/// Waits (up to 10 s) until `condition` holds; panics naming `what`.
async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        TimeoutFuture::new(50).await;
    }
    panic!("timed out waiting for {what}");
}

/// A link to the test broker subscribed to `topic` at QoS 1, and every
/// payload delivered to it; None without a test broker.
async fn subscribed_link(topic: &str) -> Option<(Link, Rc<RefCell<Vec<Vec<u8>>>>)> {
    let delivered = Rc::new(RefCell::new(Vec::<Vec<u8>>::new()));
    let into = delivered.clone();
    let link = link_subscribed_to(topic, move |payload| into.borrow_mut().push(payload)).await?;
    Some((link, delivered))
}

/// A link to the test broker subscribed to `topic` at QoS 1, calling
/// `on_delivered` with each payload delivered to it (after the link's
/// borrow ends, so it may use the link); None without a test broker.
async fn link_subscribed_to(topic: &str, on_delivered: impl Fn(Vec<u8>) + 'static) -> Option<Link> {
    link_following(topic, move |update| {
        if let LinkUpdate::Session(event) = update {
            if let EventKind::Delivered { message } = &event.kind {
                on_delivered(message.payload.clone());
            }
        }
    })
    .await
}

/// A link to the test broker subscribed to `topic` at QoS 1, calling
/// `on_update` with each of its updates (after the link's borrow ends);
/// None without a test broker.
async fn link_following(topic: &str, on_update: impl Fn(&LinkUpdate) + 'static) -> Option<Link> {
    let Some(url) = option_env!("QOSCOPE_TEST_BROKER_WS") else {
        web_sys::console::log_1(&"skipped: no QOSCOPE_TEST_BROKER_WS".into());
        return None;
    };
    let connected = Rc::new(Cell::new(false));
    let subscribed = Rc::new(Cell::new(false));
    let notify = {
        let (connected, subscribed) = (connected.clone(), subscribed.clone());
        Rc::new(move |updates: Vec<LinkUpdate>| {
            for update in &updates {
                if let LinkUpdate::Session(event) = update {
                    match event.kind {
                        EventKind::Connected { .. } => connected.set(true),
                        EventKind::Subscribed { .. } => subscribed.set(true),
                        _ => {}
                    }
                }
                on_update(update);
            }
        })
    };
    let config = SessionConfig {
        client_id: format!("qoscope-{}", topic.replace('/', "-")),
        ..SessionConfig::default()
    };
    let link = Link::connect(url, Session::new(config), notify, None);
    wait_for("CONNACK", || connected.get()).await;
    let filter = SubscribeFilter {
        filter: topic.to_owned(),
        qos: QoS::AtLeastOnce,
        ..SubscribeFilter::default()
    };
    link.subscribe(vec![filter]).unwrap();
    wait_for("SUBACK", || subscribed.get()).await;
    Some(link)
}

/// The frames `link` has sent once the microtasks queued so far have run
/// (the link's flush is one): read before any other task, such as a batch
/// from the broker and the acknowledgements it brings, can add to them.
async fn sent_after_microtasks(link: &Link) -> u64 {
    let seen = Rc::new(Cell::new(None));
    let (l, s) = (link.clone(), seen.clone());
    let check = wasm_bindgen::closure::Closure::once_into_js(move || {
        s.set(Some(l.frame_stats().sent));
    });
    web_sys::window()
        .unwrap()
        .queue_microtask(check.unchecked_ref());
    TimeoutFuture::new(0).await;
    seen.get().expect("the microtask ran before the next task")
}

#[wasm_bindgen_test]
async fn publishes_made_in_one_task_leave_in_one_frame() {
    let topic = format!(
        "qoscope-test/batch-{}",
        (js_sys::Math::random() * 1e9) as u64
    );
    let Some((link, delivered)) = subscribed_link(&topic).await else {
        return;
    };
    let publish = |payload: String, qos: QoS| {
        let request = PublishRequest {
            topic: topic.clone(),
            payload: payload.into_bytes(),
            qos,
            ..PublishRequest::default()
        };
        link.publish(request).unwrap();
    };

    // 200 publishes in one task: one frame, sent when the task ends.
    let before = link.frame_stats().sent;
    for i in 0..100u32 {
        publish(format!("{i}/0"), QoS::AtMostOnce);
        publish(format!("{i}/1"), QoS::AtLeastOnce);
    }
    assert_eq!(
        link.frame_stats().sent,
        before,
        "nothing is sent before the task ends"
    );
    assert_eq!(
        sent_after_microtasks(&link).await,
        before + 1,
        "200 publishes, one frame"
    );
    wait_for("the 200 messages", || delivered.borrow().len() >= 200).await;

    // A longer loop: frames of at most 256 packets each, not one of them all.
    let before = link.frame_stats().sent;
    for i in 0..1_000u32 {
        publish(format!("long/{i}"), QoS::AtMostOnce);
    }
    assert_eq!(
        sent_after_microtasks(&link).await - before,
        4,
        "1,000 publishes, 4 frames"
    );
    wait_for("the 1,200 messages", || delivered.borrow().len() >= 1_200).await;
    let mut got = delivered.borrow().clone();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 1_200, "each message arrived once");
    link.disconnect();
}

/// A QoS 0 burst of 4 MB in one task, more than the socket takes at once,
/// waits in the session, not in the browser: once the socket holds
/// `HIGH_WATER` unsent bytes the link sends nothing more, and once the
/// session holds as much the link refuses more publishes, until the socket
/// has drained. Every message still arrives, once.
#[wasm_bindgen_test]
async fn a_qos0_burst_waits_in_the_session_while_the_socket_is_full() {
    use qoscope::mqtt::session::CommandError;
    use qoscope::net::ws::HIGH_WATER;
    let topic = format!(
        "qoscope-test/pressure-{}",
        (js_sys::Math::random() * 1e9) as u64
    );
    let Some((link, delivered)) = subscribed_link(&topic).await else {
        return;
    };
    const N: u32 = 4_000;
    let (mut next, mut first_refused) = (0u32, None);
    while next < N {
        let mut payload = vec![0x5a; 1024];
        payload[..4].copy_from_slice(&next.to_le_bytes());
        let request = PublishRequest {
            topic: topic.clone(),
            payload,
            qos: QoS::AtMostOnce,
            ..PublishRequest::default()
        };
        match link.publish(request) {
            Ok(_) => next += 1,
            Err(CommandError::QueueFull { bytes, .. }) => {
                assert!(bytes as u64 >= HIGH_WATER);
                first_refused.get_or_insert(next);
                // Let the socket drain: the next task hears of it.
                TimeoutFuture::new(0).await;
            }
            Err(other) => panic!("publish {next} refused: {other}"),
        }
    }
    let first_refused = first_refused.expect("the link refused once the session held enough");
    assert!(
        first_refused < 2_000,
        "refused first after {first_refused} publishes of 1 KB: about 1.5 MB, three times HIGH_WATER (the socket's, the session's, and a frame)"
    );
    let most_unsent = link.frame_stats().most_unsent;
    assert!(
        most_unsent <= 2 * HIGH_WATER + 2_048,
        "the socket held {most_unsent} unsent bytes: at most HIGH_WATER and one frame"
    );
    wait_for("the 4,000 messages", || {
        delivered.borrow().len() >= N as usize
    })
    .await;
    let mut got: Vec<u32> = delivered
        .borrow()
        .iter()
        .map(|p| u32::from_le_bytes(p[..4].try_into().unwrap()))
        .collect();
    got.sort_unstable();
    got.dedup();
    assert_eq!(got.len(), N as usize, "each message arrived once");
    link.disconnect();
}

/// What answers a batch from the broker (the PUBACK of a delivery) and what
/// the app sends in reaction to it (the next publish) leave in one frame,
/// at the end of the task: 200 QoS 1 messages, each published when the
/// last came back, take about one frame each from the page, not two.
/// Mosquitto 2.0.11 now and then held the second of two such frames for
/// 100 ms.
#[wasm_bindgen_test]
async fn an_acknowledgement_and_the_reaction_to_its_message_leave_in_one_frame() {
    const N: u32 = 200;
    let topic = format!(
        "qoscope-test/answer-{}",
        (js_sys::Math::random() * 1e9) as u64
    );
    let request = {
        let topic = topic.clone();
        move |i: u32| PublishRequest {
            topic: topic.clone(),
            payload: i.to_le_bytes().to_vec(),
            qos: QoS::AtLeastOnce,
            ..PublishRequest::default()
        }
    };
    let slot: Rc<RefCell<Option<Link>>> = Rc::default();
    let delivered = Rc::new(Cell::new(0u32));
    let on_delivered = {
        let (slot, delivered, request) = (slot.clone(), delivered.clone(), request.clone());
        move |_: Vec<u8>| {
            let n = delivered.get() + 1;
            delivered.set(n);
            if let (true, Some(link)) = (n < N, slot.borrow().as_ref()) {
                link.publish(request(n)).unwrap();
            }
        }
    };
    let Some(link) = link_subscribed_to(&topic, on_delivered).await else {
        return;
    };
    *slot.borrow_mut() = Some(link.clone());
    let before = link.frame_stats().sent;
    link.publish(request(0)).unwrap();
    wait_for("the 200 messages, one after another", || {
        delivered.get() >= N
    })
    .await;
    let sent = link.frame_stats().sent - before;
    assert!(
        sent <= u64::from(N) * 5 / 4,
        "{sent} frames from the page for {N} messages: each PUBACK and the next PUBLISH leave together"
    );
    slot.borrow_mut().take();
    link.disconnect();
}

/// A page that cannot keep up: every delivery costs it 2 ms, and 2,000
/// stock messages arrive at once. Asked to shed, the socket's worker skips
/// the QoS 0 stock messages that waited for the page more than 250 ms,
/// and says how many; it never skips an alarm (a kept topic
/// prefix) or a QoS 1 message. Every message is either delivered once or
/// counted as skipped. (A retained message is kept too, but Mosquitto sets
/// RETAIN only on what it sends for a new subscription, not on a live one.)
#[wasm_bindgen_test]
async fn a_page_that_falls_behind_skips_qos0_messages_but_never_an_alarm() {
    const STOCK: u32 = 2_000;
    const EVERY: u32 = 100;
    let base = format!(
        "qoscope-test/shed-{}",
        (js_sys::Math::random() * 1e9) as u64
    );
    // payload: kind (0 stock QoS 0, 1 alarm QoS 0, 2 stock QoS 1), then the
    // number.
    let delivered: Rc<RefCell<Vec<(u8, u32)>>> = Rc::default();
    let reported = Rc::new(Cell::new(0u64));
    let on_update = {
        let (delivered, reported) = (delivered.clone(), reported.clone());
        move |update: &LinkUpdate| match update {
            LinkUpdate::Session(event) => {
                if let EventKind::Delivered { message } = &event.kind {
                    let p = &message.payload;
                    let n = u32::from_le_bytes(p[1..5].try_into().unwrap());
                    delivered.borrow_mut().push((p[0], n));
                    // A slow page: 2 ms for each message.
                    let start = js_sys::Date::now();
                    while js_sys::Date::now() - start < 2.0 {}
                }
            }
            LinkUpdate::Transport {
                event: TransportEvent::Skipped { total },
                ..
            } => reported.set(*total),
            _ => {}
        }
    };
    let Some(link) = link_following(&format!("{base}/#"), on_update).await else {
        return;
    };
    link.shed_when_behind(vec![format!("{base}/alarms")]);
    let publish = |kind: u8, n: u32, topic: String, qos: QoS| {
        let mut payload = vec![kind];
        payload.extend_from_slice(&n.to_le_bytes());
        let request = PublishRequest {
            topic,
            payload,
            qos,
            ..PublishRequest::default()
        };
        link.publish(request).unwrap();
    };
    for n in 0..STOCK {
        publish(0, n, format!("{base}/stock/{}", n % 7), QoS::AtMostOnce);
        if n % EVERY == 0 {
            let k = n / EVERY;
            publish(1, k, format!("{base}/alarms/{k}"), QoS::AtMostOnce);
            publish(2, k, format!("{base}/stock/q1"), QoS::AtLeastOnce);
        }
    }
    let others = STOCK / EVERY;
    let counted = || {
        let d = delivered.borrow();
        let stock = d.iter().filter(|(kind, _)| *kind == 0).count() as u64;
        let rest = d.iter().filter(|(kind, _)| *kind != 0).count() as u32;
        (stock + link.frame_stats().skipped, rest)
    };
    wait_for("every message delivered or skipped", || {
        counted() == (u64::from(STOCK), 2 * others)
    })
    .await;
    let skipped = link.frame_stats().skipped;
    assert!(skipped > 0, "a page 4 s behind skipped nothing");
    assert_eq!(reported.get(), skipped, "the last report says how many");
    let mut seen = delivered.borrow().clone();
    seen.sort_unstable();
    let before = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), before, "nothing delivered twice");
    for kind in 1..=2 {
        let n = seen.iter().filter(|(k, _)| *k == kind).count() as u32;
        assert_eq!(
            n, others,
            "kind {kind}: alarms and QoS 1 messages are never skipped"
        );
    }
    link.disconnect();
}
