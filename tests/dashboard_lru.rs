//! The dashboard's bounded recency order ([`LruOrder`]) and id memory
//! ([`RecentIds`]): what they evict, in which order they list, and what a
//! touch costs, counted in allocations (never timed).
#![cfg(not(target_arch = "wasm32"))]

use qoscope::app::dashboard::lru::{LruOrder, RecentIds};

#[path = "support/allocations.rs"]
mod allocations;
use allocations::allocations;

fn order(lru: &LruOrder<String>) -> Vec<&str> {
    lru.in_order().map(String::as_str).collect()
}

#[test]
fn the_least_recently_touched_key_is_evicted_first() {
    let mut lru = LruOrder::new(3);
    for key in ["a", "b", "c"] {
        assert_eq!(lru.touch_ref(key), None);
    }
    // Touching "a" again makes "b" the least recent.
    assert_eq!(lru.touch("a".to_owned()), None);
    assert_eq!(order(&lru), ["b", "c", "a"]);
    assert_eq!(lru.touch_ref("d"), Some("b".to_owned()));
    assert_eq!(lru.touch_ref("e"), Some("c".to_owned()));
    assert_eq!(order(&lru), ["a", "d", "e"]);
    assert_eq!(lru.len(), 3);
    assert!(lru.contains("a") && !lru.contains("b"));
}

#[test]
fn in_order_runs_both_ways_and_meets_in_the_middle() {
    let mut lru = LruOrder::new(10);
    for key in ["a", "b", "c", "d"] {
        lru.touch_ref(key);
    }
    let back: Vec<&str> = lru.in_order().rev().map(String::as_str).collect();
    assert_eq!(back, ["d", "c", "b", "a"]);
    let mut both = lru.in_order();
    assert_eq!(both.next().map(String::as_str), Some("a"));
    assert_eq!(both.next_back().map(String::as_str), Some("d"));
    assert_eq!(both.next().map(String::as_str), Some("b"));
    assert_eq!(both.next_back().map(String::as_str), Some("c"));
    assert_eq!(both.next(), None);
    assert_eq!(both.next_back(), None);
}

#[test]
fn removed_keys_leave_no_gap_and_their_room_is_reused() {
    let mut lru = LruOrder::new(3);
    for key in ["a", "b", "c"] {
        lru.touch_ref(key);
    }
    lru.remove("b");
    lru.remove("missing");
    assert_eq!(order(&lru), ["a", "c"]);
    // Room for one more without evicting.
    assert_eq!(lru.touch_ref("d"), None);
    assert_eq!(order(&lru), ["a", "c", "d"]);
    lru.remove("a");
    lru.remove("d");
    lru.remove("c");
    assert!(lru.is_empty());
    assert_eq!(lru.in_order().count(), 0);
    lru.touch_ref("e");
    assert_eq!(order(&lru), ["e"]);
    lru.clear();
    assert!(lru.is_empty() && lru.in_order().next().is_none());
    assert_eq!(lru.touch_ref("f"), None);
    assert_eq!(order(&lru), ["f"]);
}

#[test]
fn a_capacity_of_zero_holds_one_key() {
    let mut lru = LruOrder::new(0);
    assert_eq!(lru.capacity(), 1);
    assert_eq!(lru.touch_ref("a"), None);
    assert_eq!(lru.touch_ref("b"), Some("a".to_owned()));
    assert_eq!(order(&lru), ["b"]);
}

/// Against a plain list doing the same by search: any mix of touches and
/// removals leaves the same keys, in the same order, and evicts the same.
#[test]
fn it_agrees_with_a_list_searched_on_every_touch() {
    let mut lru = LruOrder::new(7);
    let mut model: Vec<String> = Vec::new();
    let mut seed = 0x2545_f491_u64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let key = format!("k{}", seed % 12);
        if seed.is_multiple_of(5) {
            lru.remove(key.as_str());
            model.retain(|k| *k != key);
            continue;
        }
        let evicted = lru.touch_ref(key.as_str());
        let held = model.iter().position(|k| *k == key);
        let expected = match held {
            Some(at) => {
                model.remove(at);
                None
            }
            None if model.len() == 7 => Some(model.remove(0)),
            None => None,
        };
        model.push(key);
        assert_eq!(evicted, expected);
        assert_eq!(
            order(&lru),
            model.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }
}

#[test]
fn touching_a_held_key_allocates_nothing() {
    let mut lru: LruOrder<String> = LruOrder::new(1_000);
    let keys: Vec<String> = (0..1_000).map(|i| format!("site-{i}/sku")).collect();
    for key in &keys {
        lru.touch_ref(key.as_str());
    }
    let before = allocations();
    for _ in 0..10 {
        for key in &keys {
            assert_eq!(lru.touch_ref(key.as_str()), None);
        }
    }
    assert_eq!(allocations() - before, 0, "10,000 touches of held keys");
}

#[test]
fn a_full_order_takes_a_new_key_with_two_copies_of_it() {
    let mut lru: LruOrder<String> = LruOrder::new(100);
    let keys: Vec<String> = (0..10_000).map(|i| format!("topic/{i}")).collect();
    for key in &keys[..100] {
        lru.touch_ref(key.as_str());
    }
    // Each new key: two strings (the map's and the list's), however many
    // keys came and went before it; the map may now and then rehash.
    let before = allocations();
    for key in &keys[100..] {
        assert!(lru.touch_ref(key.as_str()).is_some());
    }
    let made = allocations() - before;
    assert!(
        made <= 2 * 9_900 + 20,
        "{made} allocations for 9,900 new keys"
    );
    assert_eq!(lru.len(), 100);
}

#[test]
fn recent_ids_spot_a_repeat_until_it_is_forgotten() {
    let mut ids = RecentIds::new(3);
    assert!(!ids.check_and_insert("m1"));
    assert!(ids.check_and_insert("m1"));
    for id in ["m2", "m3", "m4"] {
        assert!(!ids.check_and_insert(id));
    }
    // "m1" was the least recent of four: forgotten.
    assert!(!ids.check_and_insert("m1"));
    assert_eq!(ids.newest(2), ["m4", "m1"]);
    let mut again = RecentIds::new(3);
    again.remember_all(&ids.newest(3));
    assert!(again.check_and_insert("m3") && again.check_and_insert("m4"));
    let before = allocations();
    for _ in 0..1_000 {
        assert!(ids.check_and_insert("m4"));
    }
    assert_eq!(allocations() - before, 0, "a repeat costs no allocation");
}
