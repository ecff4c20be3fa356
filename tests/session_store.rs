//! The stored session, entry by entry: what a reload brings back for every
//! flow state, and what each change costs in storage writes (counted, so the
//! cost of an acknowledgement stays flat however much is in flight).
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::app::session_store::{forget, load, SessionKey, SessionStore, Stored};
use qoscope::mqtt::packet::{Connack, Packet, QoS};
use qoscope::mqtt::session::{Qos2Delivery, Session, SessionConfig, SessionSnapshot};
use qoscope::net::storage::{MemoryStorage, Store};
use session_harness::*;

const URL: &str = "ws://127.0.0.1:9001";

fn config() -> SessionConfig {
    SessionConfig {
        client_id: "plant-1".into(),
        clean_start: false,
        qos2_delivery: Qos2Delivery::OnPubrel,
        ..SessionConfig::default()
    }
}

fn key() -> SessionKey {
    SessionKey::of(URL, &config())
}

/// Saves what changed, as the driver does before it sends.
fn save(store: &mut SessionStore<MemoryStorage>, session: &mut Session) -> Stored {
    let changes = session.take_state_changes();
    store.save(session, &changes)
}

/// A session with a flow in every state: QoS 1 awaiting PUBACK, QoS 2
/// awaiting PUBREC, QoS 2 awaiting PUBCOMP, one queued behind a closed
/// connection, and an incoming QoS 2 id awaiting PUBREL.
fn busy(store: &mut SessionStore<MemoryStorage>) -> Broker {
    let mut b = Broker::with(config()).connected();
    b.subscribe("alarms/#", QoS::ExactlyOnce, 1);
    save(store, &mut b.session);
    b.publish("a", b"1", QoS::AtLeastOnce).unwrap();
    save(store, &mut b.session);
    b.publish("b", b"2", QoS::ExactlyOnce).unwrap();
    save(store, &mut b.session);
    let rel = b.publish("c", b"3", QoS::ExactlyOnce).unwrap();
    b.feed(Packet::Pubrec(ack(rel)));
    save(store, &mut b.session);
    b.feed(incoming("alarms/fire", QoS::ExactlyOnce, Some(40)));
    save(store, &mut b.session);
    b.session.handle_closed(b.now);
    b.publish("d", b"4", QoS::ExactlyOnce).unwrap();
    save(store, &mut b.session);
    b
}

#[test]
fn every_flow_state_comes_back_after_a_reload_in_resend_order() {
    let mut store = SessionStore::new(MemoryStorage::default(), key());
    let b = busy(&mut store);
    let before = b.session.snapshot();
    assert_eq!(before.outgoing_publishes.len(), 3);
    assert_eq!(before.outgoing_pubrels.len(), 1);
    assert_eq!(before.incoming_qos2.len(), 1);

    let loaded = load(store.backend(), &key()).expect("stored");
    let mut expected = before.clone();
    // The next id is stored with the subscriptions, not on every publish:
    // a restored session starts after the ids it holds.
    expected.next_packet_id = loaded.next_packet_id;
    assert_eq!(loaded, expected);

    // The reloaded page resumes: PUBREL again, then the PUBLISHes in order.
    let mut again = Broker {
        session: Session::restore(config(), loaded),
        now: 9_000,
    };
    let (sent, _) = again.connect_with(Connack {
        session_present: true,
        ..Default::default()
    });
    let topics: Vec<&str> = publishes(&sent).iter().map(|p| &p.topic[..]).collect();
    assert_eq!(topics, ["a", "b", "d"]);
    assert!(matches!(sent[0], Packet::Pubrel(_)));
    let (sent, _) = again.feed(Packet::Pubrel(ack(40)));
    assert_eq!(sent, vec![Packet::Pubcomp(ack(40))]);
}

#[test]
fn an_acknowledgement_rewrites_one_entry_however_much_is_in_flight() {
    let mut store = SessionStore::new(MemoryStorage::default(), key());
    let mut b = Broker::with(SessionConfig {
        max_inflight: u16::MAX,
        ..config()
    })
    .connected();
    save(&mut store, &mut b.session);
    let mut ids = Vec::new();
    for n in 0..2_000 {
        ids.push(
            b.publish("inventory/A", format!("{n}").as_bytes(), QoS::ExactlyOnce)
                .unwrap(),
        );
        save(&mut store, &mut b.session);
    }
    let writes = |store: &SessionStore<MemoryStorage>| store.backend().writes.get();
    let before = writes(&store);
    // Each step of one QoS 2 flow: PUBREC (stage moves), PUBCOMP (gone).
    b.feed(Packet::Pubrec(ack(ids[0])));
    save(&mut store, &mut b.session);
    b.feed(Packet::Pubcomp(ack(ids[0])));
    save(&mut store, &mut b.session);
    assert_eq!(
        writes(&store) - before,
        2,
        "one write per step, with 2,000 in flight"
    );
    match save(&mut store, &mut b.session) {
        Stored::Saved { in_flight, bytes } => {
            assert_eq!(in_flight, 1_999);
            let per_message = bytes / in_flight;
            println!("stored: {bytes} bytes, {per_message} per QoS 2 message in flight");
            assert!(
                per_message < 300,
                "{per_message} bytes per message in flight"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn finished_flows_leave_storage_and_forget_removes_everything() {
    let mut store = SessionStore::new(MemoryStorage::default(), key());
    let mut b = Broker::with(config()).connected();
    let id = b.publish("a", b"1", QoS::AtLeastOnce).unwrap();
    save(&mut store, &mut b.session);
    let prefix = key().storage_key();
    let stored = |store: &SessionStore<MemoryStorage>| store.backend().keys_with_prefix(&prefix);
    assert_eq!(stored(&store).len(), 2, "{:?}", stored(&store));
    b.feed(Packet::Puback(ack(id)));
    save(&mut store, &mut b.session);
    assert_eq!(
        stored(&store),
        vec![prefix.clone()],
        "only the session's own key"
    );

    forget(store.backend(), &key());
    assert!(stored(&store).is_empty());
    assert_eq!(load(store.backend(), &key()), None);
}

#[test]
fn a_full_storage_is_reported_and_the_next_save_that_works_stores_it_whole() {
    let mut store = SessionStore::new(MemoryStorage::default(), key());
    let mut b = Broker::with(config()).connected();
    store.backend().full.set(true);
    b.publish("a", b"1", QoS::ExactlyOnce).unwrap();
    match save(&mut store, &mut b.session) {
        Stored::Failed(words) => assert!(words.contains("full"), "{words}"),
        other => panic!("{other:?}"),
    }
    store.backend().full.set(false);
    let mut saved = None;
    for _ in 0..100 {
        b.publish("a", b"more", QoS::ExactlyOnce).unwrap();
        if let Stored::Saved { in_flight, .. } = save(&mut store, &mut b.session) {
            saved = Some(in_flight);
            break;
        }
    }
    let in_flight = saved.expect("storage is tried again after a while");
    assert_eq!(in_flight, b.session.inflight_len() + b.session.queued_len());
    let loaded = load(store.backend(), &key()).unwrap();
    assert_eq!(loaded.outgoing_publishes[0].publish.payload, b"1".to_vec());
}

#[test]
fn a_snapshot_stored_whole_by_an_earlier_version_still_loads() {
    let storage = MemoryStorage::default();
    let mut b = Broker::with(config()).connected();
    b.publish("a", b"1", QoS::ExactlyOnce).unwrap();
    let snapshot: SessionSnapshot = b.session.snapshot();
    storage
        .set(
            &key().storage_key(),
            &serde_json::to_string(&snapshot).unwrap(),
        )
        .unwrap();
    assert_eq!(load(&storage, &key()), Some(snapshot));
}
