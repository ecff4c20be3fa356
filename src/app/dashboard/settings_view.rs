//! Settings: topics, field names, thresholds and alert opt-ins. Edits are
//! checked on "Apply"; a bad topic filter is explained, not applied.

use leptos::prelude::*;

use super::browser::{prime_audio, request_notification_permission};
use super::context::DashboardContext;
use super::message::{filter_list, FilterListError};
use super::settings::DashboardSettings;
use crate::app::locale::use_i18n;
use crate::i18n::{t, td_string, Locale};

/// What is wrong with the settings form; put into words when shown, so a
/// language switch rewrites it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SettingsError {
    AlarmTopics(FilterListError),
    InventoryTopics(FilterListError),
    EmptyField(Field),
    DefaultLow,
    StuckMs,
}

/// A payload field name the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    AlarmType,
    Zone,
    Severity,
    AlarmMessageId,
    Sku,
    Level,
    Delta,
    StockMessageId,
}

impl Field {
    fn name_in(self, locale: Locale) -> &'static str {
        match self {
            Field::AlarmType => td_string!(locale, dashboard.settings.field_names.alarm_type),
            Field::Zone => td_string!(locale, dashboard.settings.field_names.zone),
            Field::Severity => td_string!(locale, dashboard.settings.field_names.severity),
            Field::AlarmMessageId => {
                td_string!(locale, dashboard.settings.field_names.alarm_message_id)
            }
            Field::Sku => td_string!(locale, dashboard.settings.field_names.sku),
            Field::Level => td_string!(locale, dashboard.settings.field_names.level),
            Field::Delta => td_string!(locale, dashboard.settings.field_names.delta),
            Field::StockMessageId => {
                td_string!(locale, dashboard.settings.field_names.stock_message_id)
            }
        }
    }
}

impl SettingsError {
    fn text_in(&self, locale: Locale) -> String {
        match self {
            SettingsError::AlarmTopics(e) => td_string!(
                locale,
                dashboard.settings.errors.alarm_topics,
                error = e.text_in(locale)
            )
            .to_string(),
            SettingsError::InventoryTopics(e) => td_string!(
                locale,
                dashboard.settings.errors.inventory_topics,
                error = e.text_in(locale)
            )
            .to_string(),
            SettingsError::EmptyField(field) => td_string!(
                locale,
                dashboard.settings.errors.empty_field,
                what = field.name_in(locale)
            )
            .to_string(),
            SettingsError::DefaultLow => {
                td_string!(locale, dashboard.settings.errors.default_low).to_owned()
            }
            SettingsError::StuckMs => {
                td_string!(locale, dashboard.settings.errors.stuck_ms).to_owned()
            }
        }
    }
}

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
    fn apply_to(&self, base: &DashboardSettings) -> Result<DashboardSettings, SettingsError> {
        let mut s = base.clone();
        s.alarms.filters =
            filter_list(&self.alarm_filters.get_untracked()).map_err(SettingsError::AlarmTopics)?;
        s.inventory.filters = filter_list(&self.stock_filters.get_untracked())
            .map_err(SettingsError::InventoryTopics)?;
        s.alarms.fields.alarm_type = field(self.alarm_type, Field::AlarmType)?;
        s.alarms.fields.zone = field(self.alarm_zone, Field::Zone)?;
        s.alarms.fields.severity = field(self.alarm_severity, Field::Severity)?;
        s.alarms.fields.message_id = field(self.alarm_id, Field::AlarmMessageId)?;
        s.inventory.fields.sku = field(self.stock_sku, Field::Sku)?;
        s.inventory.fields.level = field(self.stock_level, Field::Level)?;
        s.inventory.fields.delta = field(self.stock_delta, Field::Delta)?;
        s.inventory.fields.message_id = field(self.stock_id, Field::StockMessageId)?;
        s.inventory.default_low_stock = self
            .default_low
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| SettingsError::DefaultLow)?;
        s.health.stuck_handshake_ms = self
            .stuck_ms
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| SettingsError::StuckMs)?;
        Ok(s)
    }
}

fn field(text: RwSignal<String>, what: Field) -> Result<String, SettingsError> {
    let name = text.get_untracked().trim().to_owned();
    if name.is_empty() {
        Err(SettingsError::EmptyField(what))
    } else {
        Ok(name)
    }
}

/// The settings panel.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
    let draft = Draft::from(&ctx.settings.get_untracked());
    let i18n = use_i18n();
    let error = RwSignal::new(None::<SettingsError>);
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

    view! {
        <details class="dash-panel dash-settings">
            <summary>
                <h2>{t!(i18n, dashboard.settings.title)}</h2>
            </summary>
            <form on:submit=apply on:input=move |_| saved.set(false)>
                <AlarmFieldset draft />
                <InventoryFieldset draft />
                <HealthAlertsFieldset draft />
                <FormFoot error saved />
            </form>
        </details>
    }
}

/// The alarm topics and payload field names.
#[component]
fn AlarmFieldset(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{t!(i18n, dashboard.alarms.title)}</legend>
            <TextField value=draft.alarm_filters>
                {t!(i18n, dashboard.settings.topic_filters)}
            </TextField>
            <TextField value=draft.alarm_type>
                {t!(i18n, dashboard.settings.type_field)}
            </TextField>
            <TextField value=draft.alarm_zone>
                {t!(i18n, dashboard.settings.zone_field)}
            </TextField>
            <TextField value=draft.alarm_severity>
                {t!(i18n, dashboard.settings.severity_field)}
            </TextField>
            <TextField value=draft.alarm_id>
                {t!(i18n, dashboard.settings.message_id_field)}
            </TextField>
        </fieldset>
    }
}

/// The inventory topics, payload field names and default low-stock level.
#[component]
fn InventoryFieldset(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{t!(i18n, dashboard.inventory.title)}</legend>
            <TextField value=draft.stock_filters>
                {t!(i18n, dashboard.settings.topic_filters)}
            </TextField>
            <TextField value=draft.stock_sku>
                {t!(i18n, dashboard.settings.sku_field)}
            </TextField>
            <TextField value=draft.stock_level>
                {t!(i18n, dashboard.settings.level_field)}
            </TextField>
            <TextField value=draft.stock_delta>
                {t!(i18n, dashboard.settings.delta_field)}
            </TextField>
            <TextField value=draft.stock_id>
                {t!(i18n, dashboard.settings.message_id_field)}
            </TextField>
            <TextField value=draft.default_low>
                {t!(i18n, dashboard.settings.default_low)}
            </TextField>
        </fieldset>
    }
}

/// The stuck-handshake threshold and the alert opt-ins (applied at once,
/// not on "Apply").
#[component]
fn HealthAlertsFieldset(draft: Draft) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
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
        <fieldset>
            <legend>{t!(i18n, dashboard.settings.health_alerts)}</legend>
            <TextField value=draft.stuck_ms>
                {t!(i18n, dashboard.settings.stuck_ms)}
            </TextField>
            <label class="dash-check">
                <input type="checkbox" prop:checked=sound on:change=toggle_sound />
                " "
                {t!(i18n, dashboard.settings.beep)}
            </label>
            <label class="dash-check">
                <input
                    type="checkbox"
                    prop:checked=notifications
                    on:change=toggle_notifications
                />
                " "
                {t!(i18n, dashboard.settings.notify)}
            </label>
        </fieldset>
    }
}

/// The "Apply" button and what came of the last apply.
#[component]
fn FormFoot(error: RwSignal<Option<SettingsError>>, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="dash-form-foot">
            <button class="dash-button dash-primary" type="submit">
                {t!(i18n, dashboard.settings.apply)}
            </button>
            <span role="status" class="dash-form-status">
                {move || {
                    let locale = i18n.get_locale();
                    match error.get() {
                        Some(error) => error.text_in(locale),
                        None if saved.get() => {
                            td_string!(locale, dashboard.settings.applied).to_owned()
                        }
                        None => String::new(),
                    }
                }}
            </span>
        </div>
    }
}

#[component]
fn TextField(
    value: RwSignal<String>,
    /// The label's words.
    children: Children,
) -> impl IntoView {
    view! {
        <label class="dash-field">
            <span>{children()}</span>
            <input type="text" bind:value=value spellcheck="false" />
        </label>
    }
}
