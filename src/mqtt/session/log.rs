//! The packet log in the shape of `mosquitto_pub -d` / `mosquitto_sub -d`
//! (libmosquitto 2.0.x: lib/send_*.c and lib/handle_*.c), so that a log from
//! QoScope reads like one from the tools the user already knows.

use std::fmt::Write;

use crate::mqtt::packet::{Packet, Publish};

/// The line `mosquitto_pub -d` / `mosquitto_sub -d` (libmosquitto 2.0) prints
/// for a packet sent or received by `client_id`, e.g.
/// `Client qoscope-1 sending PUBLISH (d0, q2, r0, m1, 'qos2/test', ... (4 bytes))`.
///
/// Written into one string, sized for the line: a flood logs every packet.
pub fn log_line(client_id: &str, sent: bool, packet: &Packet) -> String {
    let verb = if sent { "sending" } else { "received" };
    let topic = match packet {
        Packet::Publish(p) => p.topic.len(),
        _ => 0,
    };
    let mut line = String::with_capacity(LINE_BYTES + client_id.len() + topic);
    let _ = write!(
        line,
        "Client {client_id} {verb} {}",
        packet.packet_type().name()
    );
    if sent {
        sent_detail(&mut line, packet);
    } else {
        received_detail(&mut line, packet);
    }
    line
}

/// Room for a line's words and numbers beside its client id and topic.
const LINE_BYTES: usize = 64;

/// libmosquitto's lib/send_*.c shapes.
fn sent_detail(line: &mut String, packet: &Packet) {
    let _ = match packet {
        Packet::Publish(p) => publish_detail(line, p),
        Packet::Puback(r) | Packet::Pubrec(r) => {
            write!(line, " (m{}, rc{})", r.packet_id, r.reason)
        }
        Packet::Pubrel(r) | Packet::Pubcomp(r) => write!(line, " (m{})", r.packet_id),
        // libmosquitto prints one line per filter; we join them.
        Packet::Subscribe(s) => s.filters.iter().try_for_each(|f| {
            let options = (f.no_local as u8) << 2
                | (f.retain_as_published as u8) << 3
                | (f.retain_handling & 3) << 4;
            write!(
                line,
                " (Mid: {}, Topic: {}, QoS: {}, Options: 0x{options:02x})",
                s.packet_id,
                f.filter,
                f.qos.as_u8()
            )
        }),
        Packet::Unsubscribe(u) => u
            .filters
            .iter()
            .try_for_each(|f| write!(line, " (Mid: {}, Topic: {f})", u.packet_id)),
        _ => Ok(()),
    };
}

/// libmosquitto's lib/handle_*.c shapes.
fn received_detail(line: &mut String, packet: &Packet) {
    let _ = match packet {
        Packet::Connack(c) => write!(line, " ({})", c.code),
        Packet::Publish(p) => publish_detail(line, p),
        Packet::Puback(r) | Packet::Pubcomp(r) => {
            write!(line, " (Mid: {}, RC:{})", r.packet_id, r.reason)
        }
        Packet::Pubrec(r) | Packet::Pubrel(r) => write!(line, " (Mid: {})", r.packet_id),
        _ => Ok(()),
    };
}

fn publish_detail(line: &mut String, p: &Publish) -> std::fmt::Result {
    write!(
        line,
        " (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
        p.dup as u8,
        p.qos.as_u8(),
        p.retain as u8,
        p.packet_id.unwrap_or(0),
        p.topic,
        p.payload.len()
    )
}
