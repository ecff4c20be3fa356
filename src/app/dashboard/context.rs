//! What every dashboard component shares, provided once as context.

use leptos::prelude::*;

use super::handle::DashboardHandle;
use super::settings::DashboardSettings;
use crate::mqtt::session::PublishRequest;

/// Shared by the dashboard's components.
#[derive(Debug, Clone, Copy)]
pub struct DashboardContext {
    /// The model.
    pub handle: DashboardHandle,
    /// Current settings (the handle's; applied and saved on change).
    pub settings: RwSignal<DashboardSettings>,
}

impl DashboardContext {
    /// The context provided by the enclosing `<Dashboard>`.
    pub fn get() -> Self {
        expect_context::<DashboardContext>()
    }

    /// Sends `publish` through the connection, or loops it back locally.
    pub fn send(&self, publish: PublishRequest) {
        self.handle.send(publish);
    }

    /// Whether publishes go through a live connection.
    pub fn is_live(&self) -> bool {
        self.handle.is_live()
    }

    /// Saves settings and acknowledgements.
    pub fn persist(&self) {
        self.handle.persist();
    }
}
