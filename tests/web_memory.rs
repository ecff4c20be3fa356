// The bench feature puts a counting allocator in the library itself.
#![cfg(all(target_arch = "wasm32", not(feature = "bench")))]
//! The dashboard's views hold no more memory after a long stream than the
//! model alone does: live heap bytes, counted by a global allocator in this
//! test binary (time is never measured).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use qoscope::app::dashboard::settings::SavedState;
use qoscope::app::dashboard::traffic::synthetic_message;
use qoscope::app::dashboard::{Dashboard, DashboardHandle};
use qoscope::mqtt::packet::QoS;
use qoscope::mqtt::session::{Event, EventKind, Message};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes straight to the default allocator; only a counter
// is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed) as isize
}

fn delivered(i: u64) -> Event {
    let m = synthetic_message(i);
    Event {
        at: 1_000 + i / 5,
        kind: EventKind::Delivered {
            message: Message {
                topic: m.topic,
                payload: m.payload,
                qos: QoS::AtLeastOnce,
                retain: false,
                dup: m.dup,
                packet_id: m.packet_id,
                properties: Default::default(),
                matched_filters: vec![],
            },
        },
    }
}

async fn frames_of(handle: DashboardHandle, from: u64, n: u64, per: u64) {
    for frame in 0..n / per {
        for i in from + frame * per..from + (frame + 1) * per {
            handle.push_event(delivered(i));
        }
        handle.drain_frame();
        tick().await;
        // A task boundary, as between animation frames.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

/// Bytes held after `warm` messages and then `n` more, for a dashboard
/// handle fed as the frame loop feeds it, its views mounted or not.
async fn held_by(mounted: bool, warm: u64, n: u64) -> isize {
    let document = document();
    let root: web_sys::HtmlElement = document.create_element("section").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = DashboardHandle::new(SavedState::default(), None);
    // The executor (and a reactive root) for a handle with no view.
    let _root = mount_to(root.clone(), || view! { <p></p> });
    let _views = mounted.then(|| mount_to(root.clone(), move || view! { <Dashboard handle /> }));
    frames_of(handle, 0, warm, 100).await;
    // Rows not on screen are built in idle moments: once, not per frame.
    for _ in 0..500 {
        if root.query_selector(".slot-wait").unwrap().is_none() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    let before = live();
    frames_of(handle, warm, n, FRAME).await;
    live() - before
}

/// Messages per frame in the measured stretch: few, so that what the views
/// keep per frame shows against what the model keeps per message.
const FRAME: u64 = 20;

/// The views of a flooded dashboard keep nothing per frame: after the same
/// 9,000 messages in 450 frames, the page holds at most 128 bytes a frame
/// more than the model alone (what the last frame's rows hold, spread). A view part rebuilt from a reactive closure
/// leaves its effects in the subscriber list of every signal it read: the
/// health panel and parts of the stock rows once kept 4.1 KB a frame here
/// that way; rebuilt tags that read the language themselves, 1.1 KB; the
/// "Show more" lines, rebuilt whenever a count changed, 0.5 KB; now 1 byte
/// (docs/flood.md).
#[wasm_bindgen_test]
async fn a_flooded_dashboards_views_keep_little_per_frame() {
    let model = held_by(false, 3_000, 9_000).await;
    let page = held_by(true, 3_000, 9_000).await;
    let frames = 9_000 / FRAME as isize;
    assert!(
        page - model < 128 * frames,
        "with its views the dashboard held {page} bytes more after 9,000 messages, the model \
         alone {model}: {} a frame",
        (page - model) / frames
    );
}
