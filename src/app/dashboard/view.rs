//! `<Dashboard>`: the panels, the frame loop that drains the ingest queue,
//! the tab title, alerts, and saving settings.

use leptos::prelude::*;
use std::time::Duration;

use super::alarm_view::AlarmPanel;
use super::alarms::AlarmKey;
use super::browser::{beep, document_title, notify, now_ms, set_document_title, title_with_count};
use super::context::DashboardContext;
use super::handle::DashboardHandle;
use super::health_view::HealthPanel;
use super::inventory_view::InventoryPanel;
use super::settings_view::SettingsPanel;
use super::traffic::TrafficGenerator;
use super::traffic_view::TrafficPanel;
use crate::mqtt::packet::SubscribeFilter;
use crate::mqtt::session::PublishRequest;

/// How often the health panel's clock advances with no traffic, ms.
const CLOCK_STEP_MS: u64 = 500;
/// When no animation frame ran for this long (hidden tab), a timer drains instead, ms.
const FALLBACK_AFTER_MS: u64 = 400;

/// The operator dashboard.
#[component]
pub fn Dashboard(
    /// The model the app feeds with delivered messages and session events;
    /// a fresh one (restored from localStorage) when absent.
    #[prop(optional)]
    handle: Option<DashboardHandle>,
    /// Publishes through the app's live connection (generator traffic,
    /// clearing retained alarms). Absent: publishes loop back locally.
    #[prop(optional)]
    publish: Option<Callback<PublishRequest>>,
    /// Called with the topic filters to subscribe to, at start and whenever
    /// the settings change them.
    #[prop(optional)]
    subscribe: Option<Callback<Vec<SubscribeFilter>>>,
) -> impl IntoView {
    let handle = handle.unwrap_or_else(DashboardHandle::load);
    let ctx = DashboardContext {
        handle,
        settings: handle.settings(),
        publish,
    };
    provide_context(ctx);
    apply_settings_on_change(ctx, subscribe);
    show_count_in_title(ctx);
    let frames = FrameLoop::start(ctx);
    let shed = move || handle.read(|m| m.queue().shed());

    view! {
        <div class="dash">
            {move || {
                let shed = shed();
                (shed > 0)
                    .then(|| {
                        view! {
                            <p class="dash-warning" role="status">
                                {format!(
                                    "Overload: {shed} incoming message(s) were skipped to keep the page responsive.",
                                )}
                            </p>
                        }
                    })
            }}
            <div class="dash-grid">
                <div class="dash-main">
                    <AlarmPanel />
                    <InventoryPanel />
                </div>
                <div class="dash-side">
                    <HealthPanel now=frames.now />
                    <TrafficPanel running=frames.running sent=frames.sent />
                </div>
                <SettingsPanel />
            </div>
        </div>
    }
}

/// Applies settings to the model, saves them, and re-subscribes when the
/// topic filters change.
fn apply_settings_on_change(
    ctx: DashboardContext,
    subscribe: Option<Callback<Vec<SubscribeFilter>>>,
) {
    Effect::new(move |previous: Option<Vec<SubscribeFilter>>| {
        let settings = ctx.settings.get();
        let filters = ctx.handle.write(|m| {
            m.apply_settings(&settings);
            m.subscriptions()
        });
        let filters = filters.unwrap_or_default();
        ctx.persist();
        if previous.as_ref() != Some(&filters) {
            if let Some(subscribe) = subscribe {
                subscribe.run(filters.clone());
            }
        }
        filters
    });
}

/// Puts the unacknowledged count in front of the tab title; restores it on unmount.
fn show_count_in_title(ctx: DashboardContext) {
    let base = document_title();
    let restore = base.clone();
    Effect::new(move |_| {
        let count = ctx.handle.read(|m| m.alarms.unacknowledged());
        set_document_title(&title_with_count(&base, count));
    });
    on_cleanup(move || set_document_title(&restore));
}

/// The per-frame work: generator, queue drain, alerts, clock.
#[derive(Clone, Copy)]
struct FrameLoop {
    ctx: DashboardContext,
    generator: StoredValue<TrafficGenerator>,
    running: RwSignal<bool>,
    sent: RwSignal<u64>,
    now: RwSignal<u64>,
    last_frame: StoredValue<u64>,
    alive: StoredValue<bool>,
}

impl FrameLoop {
    fn start(ctx: DashboardContext) -> Self {
        let traffic = ctx.settings.with_untracked(|s| s.traffic);
        let frames = FrameLoop {
            ctx,
            generator: StoredValue::new(TrafficGenerator::new(traffic, 0x5eed_a1a2)),
            running: RwSignal::new(false),
            sent: RwSignal::new(0),
            now: RwSignal::new(now_ms()),
            last_frame: StoredValue::new(now_ms()),
            alive: StoredValue::new(true),
        };
        frames.schedule();
        // requestAnimationFrame pauses in a hidden tab; alarms must still be digested.
        let fallback = set_interval_with_handle(
            move || {
                if now_ms().saturating_sub(frames.last_frame.get_value()) > FALLBACK_AFTER_MS {
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
        frames
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
        let report = self.ctx.handle.drain_frame();
        if !report.new_critical.is_empty() {
            self.alert(&report.new_critical);
        }
        if now.saturating_sub(self.now.get_untracked()) >= CLOCK_STEP_MS {
            self.now.set(now);
        }
    }

    fn generate(self, now: u64) {
        let traffic = self.ctx.settings.with_untracked(|s| s.traffic);
        let running = self.running.get_untracked();
        let publishes = self.generator.try_update_value(|g| {
            g.set_settings(traffic);
            if running {
                g.due(now)
            } else {
                g.idle(now);
                Vec::new()
            }
        });
        let publishes = publishes.unwrap_or_default();
        if publishes.is_empty() {
            return;
        }
        self.sent.update(|n| *n += publishes.len() as u64);
        for publish in publishes {
            self.ctx.send(publish);
        }
    }

    fn alert(self, keys: &[AlarmKey]) {
        let alerts = self.ctx.settings.with_untracked(|s| s.alerts);
        if alerts.sound {
            beep();
        }
        if alerts.notifications {
            if let Some(first) = keys.first() {
                let more = if keys.len() > 1 {
                    format!(" (+{} more)", keys.len() - 1)
                } else {
                    String::new()
                };
                notify(&format!(
                    "Critical alarm: {} in zone {}{more}",
                    first.alarm_type, first.zone
                ));
            }
        }
    }
}
