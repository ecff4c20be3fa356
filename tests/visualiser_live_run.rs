#![cfg(not(target_arch = "wasm32"))]
//! Live mode's controller (`visualiser::live_run::LiveRun`), driven natively:
//! what it asks of the links and the page for each command and link update.
//! The links themselves run against Mosquitto in tests/e2e_visualiser.rs.

use qoscope::app::visualiser::adapt::ClientRole;
use qoscope::app::visualiser::faults::{FaultIntent, Hop};
use qoscope::app::visualiser::live_run::{LiveRun, Output, Problem};
use qoscope::app::visualiser::live_trace::LinkStatus;
use qoscope::app::visualiser::model::DiagramEvent;
use qoscope::app::visualiser::scenario::{builtin, Action, Setup, Step};
use qoscope::mqtt::packet::{PacketType, QoS};
use qoscope::mqtt::session::{BrokerLimits, Event, EventKind, FilterResult, SessionConfig};
use qoscope::net::ws::{LinkUpdate, TransportEvent};

const URL: &str = "ws://127.0.0.1:9001";

fn setup() -> Setup {
    builtin()
        .into_iter()
        .find(|s| s.id == "qos2-pubrec-lost")
        .expect("scenario")
        .setup
}

fn step(action: Action) -> Step {
    Step {
        arm: vec![],
        action,
        explain: "explained".into(),
        explain_zh: "解释".into(),
    }
}

fn session(kind: EventKind) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event { at: 5, kind }))
}

fn connected() -> LinkUpdate {
    session(EventKind::Connected {
        session_present: false,
        broker: BrokerLimits::spec_defaults(0),
    })
}

fn subscribed(filter: &str, granted: Option<QoS>) -> LinkUpdate {
    session(EventKind::Subscribed {
        packet_id: 1,
        results: vec![FilterResult {
            filter: filter.into(),
            granted,
            code: granted.map_or(0x80, |q| q.as_u8()),
            reason: "granted".into(),
        }],
    })
}

/// A run begun on a good form: (the run, its id, what `begin` asked for).
fn begun(armed: &[FaultIntent]) -> (LiveRun, u64, Vec<Output>) {
    let mut run = LiveRun::new();
    let out = run.begin(
        &setup(),
        URL,
        Ok(SessionConfig::default()),
        0xabc,
        100,
        armed,
    );
    let id = out
        .iter()
        .find_map(|o| match o {
            Output::Open { run, .. } => Some(*run),
            _ => None,
        })
        .expect("opens links");
    (run, id, out)
}

fn update(run: &mut LiveRun, id: u64, role: ClientRole, u: LinkUpdate) -> Vec<Output> {
    let mut events: Vec<DiagramEvent> = Vec::new();
    run.on_updates(id, role, &[u], &mut events, 200)
}

fn kinds(out: &[Output]) -> Vec<&'static str> {
    out.iter()
        .map(|o| match o {
            Output::Open { .. } => "open",
            Output::CloseAll => "close",
            Output::Subscribe(_) => "subscribe",
            Output::Publish { .. } => "publish",
            Output::HoldTimers(true) => "hold",
            Output::HoldTimers(false) => "release",
            Output::Fault(..) => "fault",
            Output::Cut => "cut",
            Output::Reconnect => "reconnect",
            Output::Caption(_) => "caption",
            Output::FaultsUsed(_) => "faults used",
        })
        .collect()
}

#[test]
fn a_run_opens_a_publisher_that_keeps_its_session_and_a_clean_subscriber() {
    let drop = FaultIntent::DropNext {
        kind: PacketType::Pubrec,
        hop: Hop::PublisherBroker,
    };
    let (run, _, out) = begun(&[drop]);
    assert_eq!(kinds(&out), ["caption", "open", "open", "fault"]);
    let opened: Vec<(ClientRole, String, bool)> = out
        .iter()
        .filter_map(|o| match o {
            Output::Open {
                role, config, url, ..
            } => {
                assert_eq!(url, URL);
                Some((*role, config.client_id.clone(), config.clean_start))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        opened,
        [
            (ClientRole::Publisher, "qoscope-pub-000abc".into(), false),
            (ClientRole::Subscriber, "qoscope-sub-000abc".into(), true),
        ]
    );
    assert_eq!(out[3], Output::Fault(ClientRole::Publisher, drop));
    assert!(run.is_running());
    assert_eq!(run.status.publisher, LinkStatus::Connecting);
}

#[test]
fn a_bad_form_opens_nothing_and_says_why() {
    let mut run = LiveRun::new();
    let out = run.begin(&setup(), URL, Err("no client id".into()), 1, 0, &[]);
    assert!(out.is_empty());
    assert!(!run.is_running());
    assert_eq!(
        run.status.problem,
        Some(Problem::Form("no client id".into()))
    );
}

#[test]
fn steps_wait_for_both_clients_and_the_subscription_then_run_in_order() {
    let (mut run, id, _) = begun(&[]);
    let publish = step(Action::Publish {
        topic: "shop/inventory".into(),
        payload: "sold 1".into(),
        qos: QoS::ExactlyOnce,
    });
    assert!(run.perform(&publish, 150).is_empty());
    assert!(run.publish(QoS::AtLeastOnce, 160).is_empty());
    assert_eq!(run.status.waiting, 2);
    // The subscriber's CONNACK asks for its subscription, once.
    let out = update(&mut run, id, ClientRole::Subscriber, connected());
    assert!(matches!(&out[..], [Output::Subscribe(f)] if f.filter == "shop/inventory"));
    assert!(update(&mut run, id, ClientRole::Publisher, connected()).is_empty());
    // Granted: what waited runs, the step first.
    let out = update(
        &mut run,
        id,
        ClientRole::Subscriber,
        subscribed("shop/inventory", Some(QoS::ExactlyOnce)),
    );
    assert_eq!(
        kinds(&out),
        ["caption", "hold", "publish", "caption", "release", "publish"]
    );
    assert_eq!(run.status.waiting, 0);
    // Set up now: the next step goes at once.
    let out = run.perform(&step(Action::Wait { ms: 1500 }), 300);
    assert_eq!(kinds(&out), ["caption", "release"]);
    // A reconnect of the subscriber does not subscribe again.
    assert!(update(&mut run, id, ClientRole::Subscriber, connected()).is_empty());
}

#[test]
fn publishing_many_spaces_the_messages_as_the_simulation_does() {
    let (mut run, id, _) = begun(&[]);
    update(&mut run, id, ClientRole::Publisher, connected());
    update(
        &mut run,
        id,
        ClientRole::Subscriber,
        subscribed("shop/inventory", Some(QoS::AtLeastOnce)),
    );
    let out = run.perform(
        &step(Action::PublishMany {
            topic: "t".into(),
            payload: "m".into(),
            qos: QoS::AtLeastOnce,
            count: 3,
        }),
        0,
    );
    let delays: Vec<u64> = out
        .iter()
        .filter_map(|o| match o {
            Output::Publish { after_ms, .. } => Some(*after_ms),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [0, 120, 240]);
}

#[test]
fn a_failed_client_drops_what_waited_and_refuses_further_steps() {
    let (mut run, id, _) = begun(&[]);
    run.perform(&step(Action::CutConnection), 0);
    let unreachable = LinkUpdate::Transport {
        at: 1,
        event: TransportEvent::Unreachable {
            url: URL.into(),
            detail: None,
        },
    };
    update(&mut run, id, ClientRole::Publisher, unreachable);
    assert!(matches!(run.status.publisher, LinkStatus::Failed(_)));
    assert_eq!(run.status.waiting, 0);
    assert!(run.perform(&step(Action::Reconnect), 0).is_empty());
    assert_eq!(run.status.problem, Some(Problem::NotConnected));
}

#[test]
fn a_replaced_runs_updates_are_ignored_and_ending_closes_once() {
    let (mut run, old, _) = begun(&[]);
    let out = run.begin(&setup(), URL, Ok(SessionConfig::default()), 2, 0, &[]);
    assert_eq!(kinds(&out)[..2], ["close", "caption"]);
    assert!(update(&mut run, old, ClientRole::Subscriber, connected()).is_empty());
    assert_eq!(run.status.subscriber, LinkStatus::Connecting);
    assert_eq!(kinds(&run.end()), ["close"]);
    assert!(run.end().is_empty());
    assert_eq!(run.status.publisher, LinkStatus::Idle);
}

#[test]
fn a_cut_and_a_reconnect_are_asked_of_the_publisher() {
    let (mut run, id, _) = begun(&[]);
    update(&mut run, id, ClientRole::Publisher, connected());
    update(
        &mut run,
        id,
        ClientRole::Subscriber,
        subscribed("shop/inventory", Some(QoS::ExactlyOnce)),
    );
    assert_eq!(
        kinds(&run.perform(&step(Action::CutConnection), 0)),
        ["caption", "cut"]
    );
    assert_eq!(
        kinds(&run.perform(&step(Action::Reconnect), 0)),
        ["caption", "reconnect"]
    );
}
