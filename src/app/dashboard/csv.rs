//! CSV exports of the alarm list (with acknowledgements) and the stock table,
//! for a shift report or a spreadsheet.
//!
//! RFC 4180: comma separated, CRLF line ends, a field with a comma, quote or
//! line break quoted with its quotes doubled. Text that came from the broker
//! (topics, payloads, types, zones, SKUs) is untrusted: a field that a
//! spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) is
//! prefixed with `'`, so opening the file never runs anything. Times are
//! ISO 8601 UTC.

use super::alarms::{AlarmBoard, AlarmView};
use super::inventory::{Inventory, Trust};

/// Header of [`alarms_csv`].
pub const ALARM_COLUMNS: &str = "severity,type,zone,acknowledged,first_seen_utc,last_seen_utc,\
occurrences,duplicates_flagged,qos,retained,topic,payload";

/// Header of [`inventory_csv`].
pub const STOCK_COLUMNS: &str = "sku,count,anchored_by_level,low,trusted,last_change_utc,\
last_delta,deltas_since_level,low_qos_deltas,duplicates_since_level,duplicates_skipped,repeated_by_broker";

/// The rows `view` admits (all of them, not only those on screen), in the
/// order the list shows them. Times are the app clock's Unix ms.
pub fn alarms_csv(board: &AlarmBoard, view: &AlarmView) -> String {
    let (rows, _) = board.visible(view, usize::MAX);
    let mut out = String::from(ALARM_COLUMNS);
    out.push_str("\r\n");
    for a in rows {
        let fields = [
            a.severity.label().to_string(),
            untrusted(&a.key.alarm_type),
            untrusted(&a.key.zone),
            yes_no(a.acknowledged),
            iso_utc(a.first_seen as f64),
            iso_utc(a.last_seen as f64),
            a.repeat_count.to_string(),
            a.duplicates.to_string(),
            a.qos.as_u8().to_string(),
            yes_no(a.retained),
            untrusted(&a.topic),
            untrusted(&a.payload_text),
        ];
        push_row(&mut out, &fields);
    }
    out
}

/// Every SKU `text` admits, in the table's order; times as in [`alarms_csv`].
pub fn inventory_csv(inventory: &Inventory, text: &str) -> String {
    let (rows, _) = inventory.visible(text, usize::MAX);
    let mut out = String::from(STOCK_COLUMNS);
    out.push_str("\r\n");
    for item in rows {
        let fields = [
            untrusted(&item.sku),
            item.count.to_string(),
            yes_no(item.anchored),
            yes_no(inventory.is_low(item)),
            yes_no(item.trust() == Trust::Trusted),
            iso_utc(item.last_change as f64),
            item.last_delta
                .map(|d| format!("{d:+}"))
                .unwrap_or_default(),
            item.deltas_applied.to_string(),
            item.low_qos_deltas.to_string(),
            item.duplicates.to_string(),
            item.duplicates_skipped.to_string(),
            item.broker_repeats.to_string(),
        ];
        push_row(&mut out, &fields);
    }
    out
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn push_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quoted(f));
    }
    out.push_str("\r\n");
}

/// `field` as RFC 4180 writes it.
pub fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Text from the broker, defused for spreadsheets (see the module comment).
pub fn untrusted(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Unix time `ms` as ISO 8601 UTC with milliseconds: "2026-12-02T07:29:01.250Z".
pub fn iso_utc(ms: f64) -> String {
    let ms = ms.max(0.0) as i64;
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
