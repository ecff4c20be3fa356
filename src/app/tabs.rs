//! The app's tab panels: each tells the views in it whether it shows, and
//! the client and dashboard views that fill two of them.

use leptos::prelude::*;

use super::dashboard::Dashboard;
use super::{connection, messages, packet_log, publish, slots, subscriptions, ClientCtx, View};
use crate::mqtt::packet::SubscribeFilter;
use crate::mqtt::session::PublishRequest;

/// One tab's panel: hidden while another tab shows, and telling the views
/// in it so ([`slots::TabShown`]), so that they stop re-rendering.
#[component]
pub(super) fn TabPanel(tab: View, view: RwSignal<View>, children: Children) -> impl IntoView {
    let shown = Signal::derive(move || view.get() == tab);
    provide_context(slots::TabShown(shown));
    view! {
        <div role="tabpanel" aria-labelledby=format!("tab-{}", tab.fragment()) hidden=move || !shown.get()>
            {children()}
        </div>
    }
}

/// The operator dashboard on the live connection: its publishes go out
/// through the client's session and its filters are subscribed there.
#[component]
pub(super) fn LiveDashboard() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let publish = Callback::new(move |req: PublishRequest| ctx.publish(req));
    let subscribe =
        Callback::new(move |filters: Vec<SubscribeFilter>| ctx.set_dashboard_filters(filters));
    ctx.dashboard.connect(publish, subscribe);
    view! { <Dashboard handle=ctx.dashboard /> }
}

/// Connection, publish, subscriptions, messages and packet log.
#[component]
pub fn ClientView() -> impl IntoView {
    view! {
        <div class="client-grid">
            <div class="column setup">
                <connection::ConnectionPanel />
            </div>
            <div class="column controls">
                <publish::PublishPanel />
                <subscriptions::SubscriptionsPanel />
            </div>
            <div class="column traffic">
                <messages::MessagesPanel />
                <packet_log::PacketLogPanel />
            </div>
        </div>
    }
}
