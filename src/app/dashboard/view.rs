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
use crate::app::locale::use_i18n;
use crate::app::overload::{Overload, OverloadNotice};
use crate::i18n::{t_string, Locale};

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
    let i18n = use_i18n();
    let overload = Memo::new(move |_| handle.read(|m| m.overload()));
    let words = move |o: Overload| {
        t_string!(
            i18n,
            dashboard.view.overload,
            count = o.shed,
            since = clock_label(o.since),
            last = clock_label(o.last)
        )
        .to_string()
    };

    view! {
        <div class="dash">
            <OverloadNotice overload class="dash-warning" testid="dash-overload" words />
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
    // A memo, so that the notice is built when its counts change, not on
    // every frame of the stream that confirms them one by one.
    let unconfirmed = Memo::new(move |_| {
        let saved_at = handle.restored_from.get()?;
        let (alarms, skus) = handle.read(|m| (m.alarms.restored(), m.inventory.restored()));
        (alarms + skus > 0).then_some((saved_at, alarms, skus))
    });
    let i18n = use_i18n();
    let restored = move || {
        unconfirmed.get().map(|(saved_at, alarms, skus)| {
            view! {
                <p class="dash-notice dash-restored-notice" role="status">
                    {move || {
                        let locale = i18n.get_locale();
                        restored_notice(saved_at, alarms, skus, locale)
                    }}
                </p>
            }
        })
    };
    let save_error = move || {
        handle.board_saved.get()?.err()?;
        Some(view! {
            <p class="dash-warning" role="alert">
                {move || t_string!(i18n, dashboard.view.not_saved)}
            </p>
        })
    };
    view! {
        {restored}
        {save_error}
    }
}

/// "Restored after a reload: …, 2 alarms and 1 SKU … await live data." in `locale`.
fn restored_notice(saved_at: u64, alarms: usize, skus: usize, locale: Locale) -> String {
    use crate::i18n::td_string;
    let alarms = if alarms == 1 {
        td_string!(locale, dashboard.view.alarm_one, count = alarms).to_string()
    } else {
        td_string!(locale, dashboard.view.alarm_many, count = alarms).to_string()
    };
    let skus = if skus == 1 {
        td_string!(locale, dashboard.view.sku_one, count = skus).to_string()
    } else {
        td_string!(locale, dashboard.view.sku_many, count = skus).to_string()
    };
    td_string!(
        locale,
        dashboard.view.restored,
        time = clock_label(saved_at),
        alarms = alarms,
        skus = skus
    )
    .to_string()
}
