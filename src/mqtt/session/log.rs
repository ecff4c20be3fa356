//! The packet log in the shape of `mosquitto_pub -d` / `mosquitto_sub -d`
//! (libmosquitto 2.0.x: lib/send_*.c and lib/handle_*.c), so that a log from
//! QoScope reads like one from the tools the user already knows.

use crate::mqtt::packet::{Packet, Publish};

/// The line `mosquitto_pub -d` / `mosquitto_sub -d` (libmosquitto 2.0) prints
/// for a packet sent or received by `client_id`, e.g.
/// `Client qoscope-1 sending PUBLISH (d0, q2, r0, m1, 'qos2/test', ... (4 bytes))`.
pub fn log_line(client_id: &str, sent: bool, packet: &Packet) -> String {
    let verb = if sent { "sending" } else { "received" };
    let detail = if sent {
        sent_detail(packet)
    } else {
        received_detail(packet)
    };
    format!(
        "Client {client_id} {verb} {}{detail}",
        packet.packet_type().name()
    )
}

/// libmosquitto's lib/send_*.c shapes.
fn sent_detail(packet: &Packet) -> String {
    match packet {
        Packet::Publish(p) => publish_detail(p),
        Packet::Puback(r) | Packet::Pubrec(r) => format!(" (m{}, rc{})", r.packet_id, r.reason),
        Packet::Pubrel(r) | Packet::Pubcomp(r) => format!(" (m{})", r.packet_id),
        // libmosquitto prints one line per filter; we join them.
        Packet::Subscribe(s) => s
            .filters
            .iter()
            .map(|f| {
                let options = (f.no_local as u8) << 2
                    | (f.retain_as_published as u8) << 3
                    | (f.retain_handling & 3) << 4;
                format!(
                    " (Mid: {}, Topic: {}, QoS: {}, Options: 0x{options:02x})",
                    s.packet_id,
                    f.filter,
                    f.qos.as_u8()
                )
            })
            .collect(),
        Packet::Unsubscribe(u) => u
            .filters
            .iter()
            .map(|f| format!(" (Mid: {}, Topic: {f})", u.packet_id))
            .collect(),
        _ => String::new(),
    }
}

/// libmosquitto's lib/handle_*.c shapes.
fn received_detail(packet: &Packet) -> String {
    match packet {
        Packet::Connack(c) => format!(" ({})", c.code),
        Packet::Publish(p) => publish_detail(p),
        Packet::Puback(r) | Packet::Pubcomp(r) => {
            format!(" (Mid: {}, RC:{})", r.packet_id, r.reason)
        }
        Packet::Pubrec(r) | Packet::Pubrel(r) => format!(" (Mid: {})", r.packet_id),
        _ => String::new(),
    }
}

fn publish_detail(p: &Publish) -> String {
    format!(
        " (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
        p.dup as u8,
        p.qos.as_u8(),
        p.retain as u8,
        p.packet_id.unwrap_or(0),
        p.topic,
        p.payload.len()
    )
}
