#![cfg(not(target_arch = "wasm32"))]
//! The header's pills report the connections of the view on screen.

use qoscope::app::header::{pills, Pill, VisualiserLinks};
use qoscope::app::model::ConnStatus;
use qoscope::app::visualiser::live_trace::LinkStatus;
use qoscope::app::View;
use qoscope::mqtt::packet::QoS;

#[test]
fn the_client_and_dashboard_tabs_show_the_clients_own_connection() {
    for view in [View::Client, View::Dashboard] {
        let shown = pills(view, &ConnStatus::Connected, &VisualiserLinks::Simulated);
        assert_eq!(
            shown,
            [Pill {
                who: None,
                label: "Connected".into(),
                tone: "ok"
            }]
        );
    }
}

#[test]
fn the_live_visualiser_shows_its_two_clients_not_the_client_tabs() {
    // The Client tab is disconnected while the demo's two clients are up:
    // the header must not say "Disconnected" over a working demo.
    let live = VisualiserLinks::Live {
        publisher: LinkStatus::Connected,
        subscriber: LinkStatus::Subscribed {
            filter: "demo/#".into(),
            granted: QoS::ExactlyOnce,
        },
    };
    let shown = pills(View::Visualiser, &ConnStatus::Disconnected, &live);
    assert_eq!(
        shown
            .iter()
            .map(|p| (p.who, p.label.as_str(), p.tone))
            .collect::<Vec<_>>(),
        [
            (Some("Publisher"), "connected", "ok"),
            (Some("Subscriber"), "subscribed", "ok")
        ]
    );
    // And the reverse: the Client tab connected, the demo's clients down.
    let down = VisualiserLinks::Live {
        publisher: LinkStatus::Reconnecting { in_secs: Some(2) },
        subscriber: LinkStatus::Failed("refused".into()),
    };
    let shown = pills(View::Visualiser, &ConnStatus::Connected, &down);
    assert_eq!(
        shown.iter().map(|p| p.tone).collect::<Vec<_>>(),
        ["busy", "bad"]
    );
    assert!(shown.iter().all(|p| p.label != "Connected"));
}

#[test]
fn the_simulated_visualiser_says_it_needs_no_connection() {
    let shown = pills(
        View::Visualiser,
        &ConnStatus::Connected,
        &VisualiserLinks::Simulated,
    );
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].label, "Simulated broker (offline)");
}
