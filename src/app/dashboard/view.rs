//! `<Dashboard>`: the panels over a [`DashboardHandle`].

use leptos::prelude::*;

use super::alarm_view::AlarmPanel;
use super::browser::clock_label;
use super::context::DashboardContext;
use super::handle::DashboardHandle;
use super::health_view::HealthPanel;
use super::inventory_view::InventoryPanel;
use super::settings_view::SettingsPanel;
use super::traffic_view::TrafficPanel;

/// The operator dashboard.
#[component]
pub fn Dashboard(
    /// The handle the app feeds with session events (create it in the app's
    /// root and `connect` it); a fresh, unconnected one when absent.
    #[prop(optional)]
    handle: Option<DashboardHandle>,
) -> impl IntoView {
    let handle = handle.unwrap_or_else(DashboardHandle::load);
    handle.start();
    provide_context(DashboardContext {
        handle,
        settings: handle.settings(),
    });
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
                                    "Overload: {shed} stock messages or health events were skipped to keep the page responsive. Alarms are never skipped.",
                                )}
                            </p>
                        }
                    })
            }}
            <RestoredNotice handle />
            <div class="dash-grid">
                <div class="dash-main">
                    <AlarmPanel />
                    <InventoryPanel />
                </div>
                <div class="dash-side">
                    <HealthPanel now=handle.now />
                    <TrafficPanel running=handle.running sent=handle.sent />
                </div>
                <SettingsPanel />
            </div>
        </div>
    }
}

/// Says what a reload brought back and how much of it live data has not
/// confirmed yet; and when the board could not be saved for a reload.
#[component]
fn RestoredNotice(handle: DashboardHandle) -> impl IntoView {
    let unconfirmed = move || handle.read(|m| (m.alarms.restored(), m.inventory.restored()));
    let restored = move || {
        let saved_at = handle.restored_from.get()?;
        let (alarms, skus) = unconfirmed();
        (alarms + skus > 0).then(|| {
            view! {
                <p class="dash-notice dash-restored-notice" role="status">
                    {format!(
                        "Restored after a reload: the alarms and stock as they were at {}. {} and {} marked \u{201c}restored\u{201d} await live data.",
                        clock_label(saved_at),
                        plural(alarms, "alarm", "alarms"),
                        plural(skus, "SKU", "SKUs"),
                    )}
                </p>
            }
        })
    };
    let save_error = move || {
        let why = handle.board_saved.get()?.err()?;
        Some(view! { <p class="dash-warning" role="alert">{why}</p> })
    };
    view! {
        {restored}
        {save_error}
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
