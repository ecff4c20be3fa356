//! The browser services the dashboard uses, all from `net/` (the clock, the
//! tab title, a beep, a notification), and the title's text.

/// The app's clock (the one the session is driven by), so message and event
/// times agree.
pub use crate::net::clock::now_ms;

/// A `now_ms()` time as a local wall-clock label, "14:03:07".
pub use crate::net::clock::clock_label_seconds as clock_label;

/// The tab title with the unacknowledged count in front: "(3) QoScope".
pub fn title_with_count(base: &str, unacknowledged: usize) -> String {
    title_with_count_in(base, unacknowledged, crate::i18n::Locale::en)
}

/// [`title_with_count`] in `locale`: "（3 条告警）QoScope".
pub fn title_with_count_in(
    base: &str,
    unacknowledged: usize,
    locale: crate::i18n::Locale,
) -> String {
    if unacknowledged == 0 {
        base.to_owned()
    } else {
        crate::i18n::td_string!(
            locale,
            dashboard.alert.title_count,
            count = unacknowledged,
            title = base
        )
        .to_string()
    }
}

pub use crate::net::alerts::{
    beep, notifications_allowed, notify, prime_audio, request_notification_permission,
};
pub use crate::net::page::{document_title, page_hidden, set_document_title};
