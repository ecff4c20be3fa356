//! What every dashboard component shares, provided once as context.

use leptos::prelude::*;

use super::browser::LocalStore;
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
    /// Sends a publish through the app's connection; `None` = loopback demo.
    pub publish: Option<Callback<PublishRequest>>,
}

impl DashboardContext {
    /// The context provided by the enclosing `<Dashboard>`.
    pub fn get() -> Self {
        expect_context::<DashboardContext>()
    }

    /// Sends `publish` through the connection, or loops it back locally
    /// when the dashboard runs without one.
    pub fn send(&self, publish: PublishRequest) {
        match self.publish {
            Some(callback) => callback.run(publish),
            None => self
                .handle
                .push_loopback(super::browser::now_ms(), &publish),
        }
    }

    /// Whether publishes go through a real connection.
    pub fn is_live(&self) -> bool {
        self.publish.is_some()
    }

    /// Saves settings and acknowledgements (failures are ignored: the
    /// dashboard works the same without storage).
    pub fn persist(&self) {
        let settings = self.settings.get_untracked();
        let state = self.handle.read_untracked(|m| m.saved_state(&settings));
        state.save(&LocalStore);
    }
}
