//! What the sequence diagram draws, as plain serialisable data.
//!
//! The visualiser's only input is a list of [`DiagramEvent`]s: arrows between
//! lanes, notes about a lane's QoS flow state, and scenario captions. Where they
//! came from (a live broker, the simulation, a saved `.json` file) is invisible
//! here, so a recording replays exactly like the original run.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{reason_text, Packet, PacketId, PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::FlowDirection;

use super::words::{self, NoteWords};

/// One vertical lane of the sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lane {
    /// The client that publishes.
    Publisher,
    /// The broker in the middle: a receiver on one hop, a sender on the other.
    Broker,
    /// The client that subscribes.
    Subscriber,
}

impl Lane {
    /// All lanes, left to right.
    pub const ALL: [Lane; 3] = [Lane::Publisher, Lane::Broker, Lane::Subscriber];

    /// Column index, left to right.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lane header.
    pub fn title(self) -> &'static str {
        match self {
            Lane::Publisher => "Publisher",
            Lane::Broker => "Broker",
            Lane::Subscriber => "Subscriber",
        }
    }

    /// The lane header in `locale`.
    pub fn title_in(self, locale: Locale) -> &'static str {
        words::lane_in(self, locale)
    }
}

/// What the diagram needs to know about one packet on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketSummary {
    /// Packet type.
    pub kind: PacketType,
    /// Packet identifier, when the packet carries one.
    pub packet_id: Option<PacketId>,
    /// QoS of the PUBLISH, or of the flow an acknowledgement belongs to.
    pub qos: Option<QoS>,
    /// DUP flag (PUBLISH only).
    pub dup: bool,
    /// RETAIN flag (PUBLISH only).
    pub retain: bool,
    /// Reason code, only where the wire carries one (MQTT 5 acknowledgements).
    pub reason: Option<u8>,
    /// Topic name (PUBLISH only).
    pub topic: Option<String>,
    /// Start of the payload as text, for the arrow's second line.
    pub payload_preview: Option<String>,
    /// Protocol version the bytes are encoded in (for the inspector).
    pub version: ProtocolVersion,
    /// The encoded packet, for the byte inspector.
    pub bytes: Vec<u8>,
}

/// Longest payload preview drawn under an arrow, in characters.
const PREVIEW_CHARS: usize = 24;

impl PacketSummary {
    /// Summarise a decoded packet and its bytes.
    pub fn new(packet: &Packet, bytes: Vec<u8>, version: ProtocolVersion) -> Self {
        let mut summary = PacketSummary {
            kind: packet.packet_type(),
            packet_id: packet.packet_id(),
            qos: None,
            dup: false,
            retain: false,
            reason: None,
            topic: None,
            payload_preview: None,
            version,
            bytes,
        };
        let v5 = version == ProtocolVersion::V5;
        match packet {
            Packet::Publish(p) => {
                summary.qos = Some(p.qos);
                summary.dup = p.dup;
                summary.retain = p.retain;
                summary.topic = Some(p.topic.clone());
                summary.payload_preview = Some(preview(&p.payload));
            }
            Packet::Puback(r) => {
                summary.qos = Some(QoS::AtLeastOnce);
                summary.reason = v5.then_some(r.reason);
            }
            Packet::Pubrec(r) | Packet::Pubrel(r) | Packet::Pubcomp(r) => {
                summary.qos = Some(QoS::ExactlyOnce);
                summary.reason = v5.then_some(r.reason);
            }
            _ => {}
        }
        summary
    }

    /// The arrow's label, in the words QoS diagrams use:
    /// "PUBLISH (id 1, QoS 2, DUP 1)", "PUBREC (id 1, rc 0x00 Success)".
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(id) = self.packet_id {
            parts.push(format!("id {id}"));
        }
        if self.kind == PacketType::Publish {
            if let Some(qos) = self.qos {
                parts.push(format!("QoS {}", qos.as_u8()));
            }
            if self.dup {
                parts.push("DUP 1".to_string());
            }
            if self.retain {
                parts.push("RETAIN".to_string());
            }
        }
        if let Some(rc) = self.reason {
            parts.push(format!(
                "rc 0x{rc:02X} {}",
                reason_text(self.kind, self.version, rc)
            ));
        }
        if parts.is_empty() {
            self.kind.name().to_string()
        } else {
            format!("{} ({})", self.kind.name(), parts.join(", "))
        }
    }

    /// Second line under a PUBLISH arrow: topic and payload start.
    pub fn detail(&self) -> Option<String> {
        let topic = self.topic.as_ref()?;
        match &self.payload_preview {
            Some(p) if !p.is_empty() => Some(format!("{topic} · {p}")),
            _ => Some(topic.clone()),
        }
    }

    /// CSS class that picks the arrow colour: `qos0`, `qos1`, `qos2`, or
    /// `ctrl` for packets outside a QoS flow (CONNECT, SUBSCRIBE, ...).
    pub fn qos_class(&self) -> &'static str {
        match self.qos {
            Some(QoS::AtMostOnce) => "qos0",
            Some(QoS::AtLeastOnce) => "qos1",
            Some(QoS::ExactlyOnce) => "qos2",
            None => "ctrl",
        }
    }
}

/// The payload's first characters, lossily decoded, control characters shown as '·'.
fn preview(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    let mut out: String = text
        .chars()
        .take(PREVIEW_CHARS)
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    if text.chars().count() > PREVIEW_CHARS {
        out.push('…');
    }
    out
}

/// One packet drawn as an arrow from one lane to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrow {
    /// Sending lane.
    pub from: Lane,
    /// Receiving lane.
    pub to: Lane,
    /// When it left the sender, milliseconds.
    pub sent_at: u64,
    /// When it reached (or, if dropped, would have reached) the receiver.
    pub arrive_at: u64,
    /// What it was.
    pub packet: PacketSummary,
    /// `Some(why)` when the network lost it: drawn as an arrow ending in a cross.
    pub dropped: Option<String>,
}

impl Arrow {
    /// Label on the arrow.
    pub fn label(&self) -> String {
        self.packet.label()
    }

    /// True when the packet never arrived.
    pub fn is_dropped(&self) -> bool {
        self.dropped.is_some()
    }
}

/// The state of one QoS flow on a lane, shown as a chip under the lane header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowChip {
    /// Packet id of the flow.
    pub packet_id: PacketId,
    /// QoS of the flow.
    pub qos: QoS,
    /// Sender side (outgoing) or receiver side (incoming) of the flow.
    pub direction: FlowDirection,
    /// The other end, when the lane talks to several (the broker's clients).
    pub peer: Option<String>,
    /// State in words: "awaiting PUBCOMP", "id stored".
    pub state: String,
    /// False once the flow is finished: the chip disappears.
    pub open: bool,
}

impl FlowChip {
    /// Chip text: "id 1 · awaiting PUBCOMP", with the peer on the broker lane.
    pub fn text(&self) -> String {
        match &self.peer {
            Some(peer) => format!("{peer} · id {} · {}", self.packet_id, self.state),
            None => format!("id {} · {}", self.packet_id, self.state),
        }
    }

    /// Chip text in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        if locale == Locale::en {
            return self.text();
        }
        let state = self.state_in(locale);
        match &self.peer {
            Some(peer) => format!(
                "{} · ID {} · {state}",
                words::peer_in(peer, locale),
                self.packet_id
            ),
            None => format!("ID {} · {state}", self.packet_id),
        }
    }

    /// The state in `locale`.
    pub fn state_in(&self, locale: Locale) -> String {
        words::stored_state_in(&self.state, locale)
    }
}

/// A note written beside a lane: a state change, a delivery, a downgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneNote {
    /// Lane the note belongs to.
    pub lane: Lane,
    /// When, milliseconds.
    pub at: u64,
    /// "id 1: awaiting PUBREC → awaiting PUBCOMP", "effective QoS 1 (min of 2 and 1)".
    pub text: String,
    /// The flow state after this note, when the note is a flow transition.
    pub flow: Option<FlowChip>,
    /// What the note says, to word it in the reader's language (absent in
    /// recordings of older versions: their English text is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<NoteWords>,
}

impl LaneNote {
    /// A note saying `words`, its text in English.
    pub fn said(lane: Lane, at: u64, words: NoteWords, flow: Option<FlowChip>) -> LaneNote {
        LaneNote {
            lane,
            at,
            text: words.words_in(Locale::en),
            flow,
            words: Some(words),
        }
    }

    /// The note in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match &self.words {
            Some(w) if locale != Locale::en => w.words_in(locale),
            _ => self.text.clone(),
        }
    }

    /// True when the note is written to the left of its lane. Notes grow away
    /// from the hop they are about: the publisher's to the left, the
    /// subscriber's to the right, and the broker's towards the client the
    /// flow is with (receiving from the publisher: left).
    pub fn is_leftwards(&self) -> bool {
        match self.lane {
            Lane::Publisher => true,
            Lane::Broker => self
                .flow
                .as_ref()
                .is_some_and(|f| f.direction == FlowDirection::Incoming),
            Lane::Subscriber => false,
        }
    }
}

/// A scenario step's one-line explanation, shown over the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    /// When the step started, milliseconds.
    pub at: u64,
    /// English text.
    pub text: String,
    /// Chinese text, if the scenario has one.
    pub text_zh: Option<String>,
    /// Marker shown instead of "Step n" ("Setup", "Free play").
    #[serde(default)]
    pub label: Option<String>,
}

/// The marker of the caption over a scenario's set-up (connect, subscribe),
/// before its first explained step.
pub const SETUP_MARKER: &str = "Setup";

impl Caption {
    /// True for the caption over a scenario's set-up.
    pub fn is_setup(&self) -> bool {
        self.label.as_deref() == Some(SETUP_MARKER)
    }

    /// "Setup", "Step 2": its own label, else its position among the captions.
    pub fn marker(&self, index: usize) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| format!("Step {}", index + 1))
    }

    /// [`Caption::marker`] in `locale`.
    pub fn marker_in(&self, index: usize, locale: Locale) -> String {
        words::marker_in(self.label.as_deref(), index, locale)
    }
}

/// Anything the diagram draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiagramEvent {
    /// A packet between two lanes.
    Arrow(Arrow),
    /// A note on one lane.
    Note(LaneNote),
    /// A scenario step caption.
    Caption(Caption),
}

impl DiagramEvent {
    /// The time the event is ordered by: an arrow's send time.
    pub fn at(&self) -> u64 {
        match self {
            DiagramEvent::Arrow(a) => a.sent_at,
            DiagramEvent::Note(n) => n.at,
            DiagramEvent::Caption(c) => c.at,
        }
    }
}

/// Version of the saved `.json` format.
pub const RECORDING_FORMAT: u32 = 1;

/// A saved diagram: what "export .json" writes and "import" reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// Always [`RECORDING_FORMAT`] when written by this version.
    pub format: u32,
    /// Title shown above the diagram (usually the scenario name).
    pub title: String,
    /// The events, in the order they happened.
    pub events: Vec<DiagramEvent>,
}

impl Recording {
    /// A recording of `events` under `title`.
    pub fn new(title: impl Into<String>, events: Vec<DiagramEvent>) -> Self {
        Recording {
            format: RECORDING_FORMAT,
            title: title.into(),
            events,
        }
    }

    /// Pretty JSON, for the download.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Read a recording back; a file from another format version is refused
    /// rather than half-drawn.
    pub fn from_json(text: &str) -> Result<Recording, String> {
        Recording::read(text).map_err(|e| e.words_in(Locale::en))
    }

    /// [`Recording::from_json`], saying why not as what went wrong.
    pub fn read(text: &str) -> Result<Recording, RecordingError> {
        let rec: Recording =
            serde_json::from_str(text).map_err(|e| RecordingError::NotARecording(e.to_string()))?;
        if rec.format != RECORDING_FORMAT {
            return Err(RecordingError::Format(rec.format));
        }
        Ok(rec)
    }
}

/// Why a file is not a recording this version can draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingError {
    /// Not JSON of a recording; the parser's own words.
    NotARecording(String),
    /// A recording of another format version.
    Format(u32),
}

impl RecordingError {
    /// The reason in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            RecordingError::NotARecording(detail) => {
                td_string!(locale, visualiser.messages.not_a_recording, detail = detail).to_string()
            }
            RecordingError::Format(format) => td_string!(
                locale,
                visualiser.messages.unsupported_format,
                format = format,
                expected = RECORDING_FORMAT
            )
            .to_string(),
        }
    }
}
