//! The dashboard's background work, started once per handle: the frame
//! loop (generator, queue drain, alerts, clock), the tab title, and
//! applying + saving settings.

use leptos::prelude::*;
use std::time::Duration;

use super::browser::{document_title, now_ms, set_document_title, title_with_count_in};
use super::handle::DashboardHandle;
use super::traffic::TrafficGenerator;

/// How often the health panel's clock advances with no traffic, ms.
const CLOCK_STEP_MS: u64 = 500;
/// When no animation frame ran for this long (hidden tab), a timer drains instead, ms.
const FALLBACK_AFTER_MS: u64 = 400;
/// How often the alarm list and stock table are saved for a reload while
/// they change, ms: a crash loses at most this much; a reload loses nothing
/// (the page saves as it goes away).
const BOARD_SAVE_EVERY_MS: u64 = 3_000;

/// Starts everything; it stops when the current owner is disposed.
pub(super) fn start(handle: DashboardHandle) {
    apply_settings_on_change(handle);
    show_count_in_title(handle);
    save_board_when_the_page_goes(handle);
    FrameLoop::start(handle);
}

/// Saves the board, whole queue digested, when the page is hidden or
/// unloaded (a reload, a closed tab, a phone switching apps).
fn save_board_when_the_page_goes(handle: DashboardHandle) {
    let hidden = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().hidden() {
            handle.save_board(true);
        }
    });
    let unloaded = window_event_listener(leptos::ev::pagehide, move |_| handle.save_board(true));
    on_cleanup(move || {
        hidden.remove();
        unloaded.remove();
    });
}

/// Applies settings to the model, saves them, and re-subscribes when the
/// topic filters change.
fn apply_settings_on_change(handle: DashboardHandle) {
    Effect::new(move |previous: Option<Vec<String>>| {
        let settings = handle.settings().get();
        let filters = handle
            .write(|m| {
                m.apply_settings(&settings);
                m.subscriptions()
            })
            .unwrap_or_default();
        let filters: Vec<String> = filters.into_iter().map(|f| f.filter).collect();
        handle.persist();
        if previous.is_some_and(|p| p != filters) {
            handle.resubscribe();
        }
        filters
    });
}

/// Puts the unacknowledged count in front of the tab title, in the reader's
/// language (again when it changes); restores the title on cleanup.
fn show_count_in_title(handle: DashboardHandle) {
    let base = document_title();
    let restore = base.clone();
    let i18n = use_context::<leptos_i18n::I18nContext<crate::i18n::Locale>>();
    Effect::new(move |_| {
        let count = handle.read(|m| m.alarms.unacknowledged());
        let locale = i18n.map(|i18n| i18n.get_locale()).unwrap_or_default();
        set_document_title(&title_with_count_in(&base, count, locale));
    });
    on_cleanup(move || set_document_title(&restore));
}

/// The per-frame work.
#[derive(Clone, Copy)]
struct FrameLoop {
    handle: DashboardHandle,
    generator: StoredValue<TrafficGenerator>,
    last_frame: StoredValue<u64>,
    last_save: StoredValue<u64>,
    alive: StoredValue<bool>,
}

impl FrameLoop {
    fn start(handle: DashboardHandle) {
        let traffic = handle.settings().with_untracked(|s| s.traffic);
        let frames = FrameLoop {
            handle,
            generator: StoredValue::new(TrafficGenerator::new(traffic, 0x5eed_a1a2)),
            last_frame: StoredValue::new(now_ms()),
            last_save: StoredValue::new(now_ms()),
            alive: StoredValue::new(true),
        };
        frames.schedule();
        // requestAnimationFrame pauses in a hidden tab; alarms must still be digested.
        let fallback = set_interval_with_handle(
            move || {
                let last = frames.last_frame.try_get_value().unwrap_or(u64::MAX);
                if now_ms().saturating_sub(last) > FALLBACK_AFTER_MS {
                    frames.run_once();
                }
            },
            Duration::from_millis(CLOCK_STEP_MS),
        )
        .ok();
        on_cleanup(move || {
            frames.alive.set_value(false);
            if let Some(fallback) = fallback {
                fallback.clear();
            }
        });
    }

    fn schedule(self) {
        request_animation_frame(move || {
            if self.alive.try_get_value().unwrap_or(false) {
                self.run_once();
                self.schedule();
            }
        });
    }

    fn run_once(self) {
        let now = now_ms();
        self.last_frame.set_value(now);
        self.generate(now);
        let report = self.handle.drain_frame();
        self.handle.alert(&report.new_critical);
        if now.saturating_sub(self.handle.now.get_untracked()) >= CLOCK_STEP_MS {
            self.handle.now.set(now);
        }
        if now.saturating_sub(self.last_save.get_value()) >= BOARD_SAVE_EVERY_MS {
            self.last_save.set_value(now);
            self.handle.save_board(false);
        }
    }

    fn generate(self, now: u64) {
        let traffic = self.handle.settings().with_untracked(|s| s.traffic);
        let running = self.handle.running.get_untracked();
        let publishes = self
            .generator
            .try_update_value(|g| {
                g.set_settings(traffic);
                if running {
                    g.due(now)
                } else {
                    g.idle(now);
                    Vec::new()
                }
            })
            .unwrap_or_default();
        if publishes.is_empty() {
            return;
        }
        self.handle.sent.update(|n| *n += publishes.len() as u64);
        for publish in publishes {
            self.handle.send(publish);
        }
    }
}
