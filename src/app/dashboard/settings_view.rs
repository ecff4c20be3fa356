//! Settings: topics, field names, thresholds and alert opt-ins. Edits are
//! checked on "Apply"; a bad topic filter is explained, not applied.

use leptos::prelude::*;

use super::browser::{prime_audio, request_notification_permission};
use super::context::DashboardContext;
use super::message::parse_filter_list;
use super::settings::DashboardSettings;

/// The settings form's editable text, one field per input.
#[derive(Debug, Clone, Copy)]
struct Draft {
    alarm_filters: RwSignal<String>,
    alarm_type: RwSignal<String>,
    alarm_zone: RwSignal<String>,
    alarm_severity: RwSignal<String>,
    alarm_id: RwSignal<String>,
    stock_filters: RwSignal<String>,
    stock_sku: RwSignal<String>,
    stock_level: RwSignal<String>,
    stock_delta: RwSignal<String>,
    stock_id: RwSignal<String>,
    default_low: RwSignal<String>,
    stuck_ms: RwSignal<String>,
}

impl Draft {
    fn from(s: &DashboardSettings) -> Self {
        let text = |v: &str| RwSignal::new(v.to_owned());
        Draft {
            alarm_filters: text(&s.alarms.filters.join(", ")),
            alarm_type: text(&s.alarms.fields.alarm_type),
            alarm_zone: text(&s.alarms.fields.zone),
            alarm_severity: text(&s.alarms.fields.severity),
            alarm_id: text(&s.alarms.fields.message_id),
            stock_filters: text(&s.inventory.filters.join(", ")),
            stock_sku: text(&s.inventory.fields.sku),
            stock_level: text(&s.inventory.fields.level),
            stock_delta: text(&s.inventory.fields.delta),
            stock_id: text(&s.inventory.fields.message_id),
            default_low: text(&s.inventory.default_low_stock.to_string()),
            stuck_ms: text(&s.health.stuck_handshake_ms.to_string()),
        }
    }

    /// The settings the draft describes, or what is wrong with it.
    fn apply_to(&self, base: &DashboardSettings) -> Result<DashboardSettings, String> {
        let mut s = base.clone();
        s.alarms.filters = parse_filter_list(&self.alarm_filters.get_untracked())
            .map_err(|e| format!("Alarm topics: {e}"))?;
        s.inventory.filters = parse_filter_list(&self.stock_filters.get_untracked())
            .map_err(|e| format!("Inventory topics: {e}"))?;
        s.alarms.fields.alarm_type = field(self.alarm_type, "alarm type")?;
        s.alarms.fields.zone = field(self.alarm_zone, "zone")?;
        s.alarms.fields.severity = field(self.alarm_severity, "severity")?;
        s.alarms.fields.message_id = field(self.alarm_id, "alarm message id")?;
        s.inventory.fields.sku = field(self.stock_sku, "SKU")?;
        s.inventory.fields.level = field(self.stock_level, "level")?;
        s.inventory.fields.delta = field(self.stock_delta, "delta")?;
        s.inventory.fields.message_id = field(self.stock_id, "stock message id")?;
        s.inventory.default_low_stock = self
            .default_low
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| "Default low-stock threshold: give a whole number".to_owned())?;
        s.health.stuck_handshake_ms = self
            .stuck_ms
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| "Open-handshake threshold: give milliseconds, e.g. 5000".to_owned())?;
        Ok(s)
    }
}

fn field(text: RwSignal<String>, what: &str) -> Result<String, String> {
    let name = text.get_untracked().trim().to_owned();
    if name.is_empty() {
        Err(format!("The {what} field name cannot be empty"))
    } else {
        Ok(name)
    }
}

/// The settings panel.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
    let draft = Draft::from(&ctx.settings.get_untracked());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.apply_to(&ctx.settings.get_untracked()) {
            Ok(settings) => {
                ctx.settings.set(settings);
                error.set(None);
                saved.set(true);
            }
            Err(message) => {
                error.set(Some(message));
                saved.set(false);
            }
        }
    };
    let sound = move || ctx.settings.with(|s| s.alerts.sound);
    let notifications = move || ctx.settings.with(|s| s.alerts.notifications);
    let toggle_sound = move |_| {
        prime_audio();
        ctx.settings.update(|s| s.alerts.sound = !s.alerts.sound);
    };
    let toggle_notifications = move |_| {
        request_notification_permission();
        ctx.settings
            .update(|s| s.alerts.notifications = !s.alerts.notifications);
    };

    view! {
        <details class="dash-panel dash-settings">
            <summary>
                <h2>"Settings"</h2>
            </summary>
            <form on:submit=apply on:input=move |_| saved.set(false)>
                <fieldset>
                    <legend>"Alarms"</legend>
                    <TextField label="Topic filters (comma separated)" value=draft.alarm_filters />
                    <TextField label="Type field" value=draft.alarm_type />
                    <TextField label="Zone field" value=draft.alarm_zone />
                    <TextField label="Severity field" value=draft.alarm_severity />
                    <TextField label="Message id field" value=draft.alarm_id />
                </fieldset>
                <fieldset>
                    <legend>"Inventory"</legend>
                    <TextField label="Topic filters (comma separated)" value=draft.stock_filters />
                    <TextField label="SKU field" value=draft.stock_sku />
                    <TextField label="Level field" value=draft.stock_level />
                    <TextField label="Delta field" value=draft.stock_delta />
                    <TextField label="Message id field" value=draft.stock_id />
                    <TextField label="Default low-stock threshold" value=draft.default_low />
                </fieldset>
                <fieldset>
                    <legend>"Health and alerts"</legend>
                    <TextField label="Report QoS 2 handshakes open longer than (ms)" value=draft.stuck_ms />
                    <label class="dash-check">
                        <input type="checkbox" prop:checked=sound on:change=toggle_sound />
                        " Beep on a new critical alarm"
                    </label>
                    <label class="dash-check">
                        <input
                            type="checkbox"
                            prop:checked=notifications
                            on:change=toggle_notifications
                        />
                        " Browser notification on a new critical alarm"
                    </label>
                </fieldset>
                <div class="dash-form-foot">
                    <button class="dash-button dash-primary" type="submit">
                        "Apply"
                    </button>
                    <span role="status" class="dash-form-status">
                        {move || match error.get() {
                            Some(message) => message,
                            None if saved.get() => "Applied and saved.".to_owned(),
                            None => String::new(),
                        }}
                    </span>
                </div>
            </form>
        </details>
    }
}

#[component]
fn TextField(label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="dash-field">
            <span>{label}</span>
            <input type="text" bind:value=value spellcheck="false" />
        </label>
    }
}
