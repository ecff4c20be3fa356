//! `<Dashboard>`: the panels over a [`DashboardHandle`].

use leptos::prelude::*;

use super::alarm_view::AlarmPanel;
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
                    <HealthPanel now=handle.now />
                    <TrafficPanel running=handle.running sent=handle.sent />
                </div>
                <SettingsPanel />
            </div>
        </div>
    }
}
