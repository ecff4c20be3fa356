#![cfg(not(target_arch = "wasm32"))]
//! The dashboard's CSV exports: what a shift report or a spreadsheet gets.

use qoscope::app::dashboard::alarms::{AlarmBoard, AlarmKey, AlarmView};
use qoscope::app::dashboard::csv::{
    alarms_csv, inventory_csv, iso_utc, quoted, untrusted, ALARM_COLUMNS, STOCK_COLUMNS,
};
use qoscope::app::dashboard::inventory::Inventory;
use qoscope::app::dashboard::message::Incoming;
use qoscope::mqtt::packet::QoS;

/// 2026-12-02T07:29:01.000Z, as Unix ms: the app's clock is Unix time.
const ORIGIN: u64 = 1_796_196_541_000;

/// Splits RFC 4180 text into rows of fields (quotes, doubled quotes, CRLF).
fn parse(csv: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = csv.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => field.push(c),
            (false, '"') => in_quotes = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "rows end in CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the last row ends in CRLF"
    );
    rows
}

/// An alarm `at` ms after [`ORIGIN`].
fn alarm(at: u64, payload: &str) -> Incoming {
    Incoming::new(ORIGIN + at, "alarms/line-1", payload).with_qos(QoS::ExactlyOnce)
}

#[test]
fn the_alarm_export_has_every_admitted_row_with_its_acknowledgement() {
    let mut board = AlarmBoard::default();
    board.ingest(&alarm(
        1_000,
        r#"{"alarm":"overheat","zone":"B-2","severity":"minor"}"#,
    ));
    board.ingest(&alarm(
        2_500,
        r#"{"alarm":"fire","zone":"A-12","severity":"critical"}"#,
    ));
    board.ingest(&alarm(
        4_000,
        r#"{"alarm":"fire","zone":"A-12","severity":"critical"}"#,
    ));
    for i in 0..300 {
        board.ingest(&alarm(
            5_000 + i,
            &format!(r#"{{"alarm":"door","zone":"Z-{i}","severity":"warning"}}"#),
        ));
    }
    board.acknowledge(&AlarmKey {
        alarm_type: "overheat".into(),
        zone: "B-2".into(),
    });

    let rows = parse(&alarms_csv(&board, &AlarmView::default()));
    assert_eq!(rows[0].join(","), ALARM_COLUMNS);
    assert_eq!(rows.len(), 1 + 302, "all rows, not only the 200 on screen");
    let fire = &rows[1];
    assert_eq!(
        fire[..10],
        [
            "critical",
            "fire",
            "A-12",
            "no",
            "2026-12-02T07:29:03.500Z",
            "2026-12-02T07:29:05.000Z",
            "2",
            "0",
            "2",
            "no"
        ]
    );
    assert_eq!(fire[10], "alarms/line-1");
    assert_eq!(
        fire[11], r#"{"alarm":"fire","zone":"A-12","severity":"critical"}"#,
        "a payload with commas and quotes comes back whole"
    );
    let overheat = rows.last().expect("acknowledged rows come last");
    assert_eq!((&overheat[1][..], &overheat[3][..]), ("overheat", "yes"));

    // The filters the operator set are the filters the export uses.
    let critical_only = AlarmView {
        hide_acknowledged: true,
        zone: "A-".into(),
        ..Default::default()
    };
    let rows = parse(&alarms_csv(&board, &critical_only));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], "fire");
}

#[test]
fn broker_text_that_a_spreadsheet_would_run_is_defused() {
    let mut board = AlarmBoard::default();
    board.ingest(&Incoming::new(
        ORIGIN,
        "alarms/x",
        "=HYPERLINK(\"http://example.invalid\",\"click\")",
    ));
    let rows = parse(&alarms_csv(&board, &AlarmView::default()));
    assert_eq!(
        rows[1][11],
        "'=HYPERLINK(\"http://example.invalid\",\"click\")"
    );
    for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert!(untrusted(risky).starts_with('\''), "{risky:?}");
    }
    assert_eq!(untrusted("fire"), "fire");
    assert_eq!(quoted("a,b"), "\"a,b\"");
    assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(quoted("two\nlines"), "\"two\nlines\"");
    assert_eq!(quoted("plain"), "plain");
}

#[test]
fn the_stock_export_says_which_counts_can_be_trusted() {
    let mut inv = Inventory::default();
    let stock = |at, payload: &str, qos| {
        Incoming::new(ORIGIN + at, "inventory/A-100", payload).with_qos(qos)
    };
    inv.ingest(&stock(
        1_000,
        r#"{"sku":"A-100","level":42}"#,
        QoS::ExactlyOnce,
    ));
    inv.ingest(&stock(
        2_000,
        r#"{"sku":"A-100","delta":-3,"msg_id":"m1"}"#,
        QoS::ExactlyOnce,
    ));
    let mut resend = stock(3_000, r#"{"sku":"B-7","delta":5}"#, QoS::AtLeastOnce);
    inv.ingest(&resend);
    resend.dup = true;
    inv.ingest(&resend);

    let rows = parse(&inventory_csv(&inv, ""));
    assert_eq!(rows[0].join(","), STOCK_COLUMNS);
    assert_eq!(rows.len(), 3);
    let a = rows.iter().find(|r| r[0] == "A-100").expect("A-100");
    assert_eq!(
        a[1..8],
        [
            "39",
            "yes",
            "no",
            "yes",
            "2026-12-02T07:29:03.000Z",
            "-3",
            "1"
        ]
    );
    let b = rows.iter().find(|r| r[0] == "B-7").expect("B-7");
    assert_eq!((&b[2][..], &b[4][..]), ("no", "no"), "{b:?}");
    assert_eq!(parse(&inventory_csv(&inv, "B-")).len(), 2);
}

#[test]
fn times_are_iso_8601_utc() {
    assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00.000Z");
    assert_eq!(iso_utc(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    assert_eq!(iso_utc(ORIGIN as f64 + 250.0), "2026-12-02T07:29:01.250Z");
    assert_eq!(iso_utc(4_102_444_799_999.0), "2099-12-31T23:59:59.999Z");
}
