//! Adapter to the peer codec `mqtt-protocol-core`: our packets to theirs and
//! back, and their framing of a byte stream. Shared by the differential tests
//! and the codec bench (which includes this file by path).
#![allow(dead_code)]

use mqtt::common::Cursor;
use mqtt::connection::{PacketBuildResult, PacketBuilder, RawPacket};
use mqtt::packet::prelude::PropertyValueAccess;
use mqtt::packet::{self as their, v3_1_1 as v3, v5_0 as v5, Property, SubEntry, SubOpts};
use mqtt::result_code::{self as rc, MqttError};
use mqtt_protocol_core::mqtt;
use qoscope::mqtt::packet::*;

/// A packet of the peer, either version.
pub enum PeerPacket {
    Connect3(v3::Connect),
    Connect5(v5::Connect),
    Publish3(v3::Publish),
    Publish5(v5::Publish),
    Puback3(v3::Puback),
    Puback5(v5::Puback),
    Pubrec3(v3::Pubrec),
    Pubrec5(v5::Pubrec),
    Pubrel3(v3::Pubrel),
    Pubrel5(v5::Pubrel),
    Pubcomp3(v3::Pubcomp),
    Pubcomp5(v5::Pubcomp),
    Subscribe3(v3::Subscribe),
    Subscribe5(v5::Subscribe),
}

type Res<T> = Result<T, MqttError>;

/// Frames the first packet of `bytes` with the peer's own packet builder.
pub fn split_with_peer(bytes: &[u8]) -> Option<(RawPacket, usize)> {
    let mut cursor = Cursor::new(bytes);
    match PacketBuilder::new().feed(&mut cursor) {
        PacketBuildResult::Complete(raw) => Some((raw, cursor.position() as usize)),
        _ => None,
    }
}

impl PeerPacket {
    /// Parses a framed packet with the peer, as `version`.
    pub fn parse(raw: &RawPacket, version: ProtocolVersion) -> Res<PeerPacket> {
        let v5 = version == ProtocolVersion::V5;
        let body = raw.data_as_slice();
        Ok(match (raw.packet_type(), v5) {
            (1, false) => PeerPacket::Connect3(raw.parse_exact(v3::Connect::parse)?),
            (1, true) => PeerPacket::Connect5(raw.parse_exact(v5::Connect::parse)?),
            (3, false) => PeerPacket::Publish3(v3::Publish::parse(raw.flags(), body.into())?.0),
            (3, true) => PeerPacket::Publish5(v5::Publish::parse(raw.flags(), body.into())?.0),
            (4, false) => PeerPacket::Puback3(raw.parse_exact(v3::Puback::parse)?),
            (4, true) => PeerPacket::Puback5(raw.parse_exact(v5::Puback::parse)?),
            (5, false) => PeerPacket::Pubrec3(raw.parse_exact(v3::Pubrec::parse)?),
            (5, true) => PeerPacket::Pubrec5(raw.parse_exact(v5::Pubrec::parse)?),
            (6, false) => PeerPacket::Pubrel3(raw.parse_exact(v3::Pubrel::parse)?),
            (6, true) => PeerPacket::Pubrel5(raw.parse_exact(v5::Pubrel::parse)?),
            (7, false) => PeerPacket::Pubcomp3(raw.parse_exact(v3::Pubcomp::parse)?),
            (7, true) => PeerPacket::Pubcomp5(raw.parse_exact(v5::Pubcomp::parse)?),
            (8, false) => PeerPacket::Subscribe3(raw.parse_exact(v3::Subscribe::parse)?),
            (8, true) => PeerPacket::Subscribe5(raw.parse_exact(v5::Subscribe::parse)?),
            _ => return Err(MqttError::MalformedPacket),
        })
    }

    /// The peer's encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            PeerPacket::Connect3(p) => p.to_continuous_buffer(),
            PeerPacket::Connect5(p) => p.to_continuous_buffer(),
            PeerPacket::Publish3(p) => p.to_continuous_buffer(),
            PeerPacket::Publish5(p) => p.to_continuous_buffer(),
            PeerPacket::Puback3(p) => p.to_continuous_buffer(),
            PeerPacket::Puback5(p) => p.to_continuous_buffer(),
            PeerPacket::Pubrec3(p) => p.to_continuous_buffer(),
            PeerPacket::Pubrec5(p) => p.to_continuous_buffer(),
            PeerPacket::Pubrel3(p) => p.to_continuous_buffer(),
            PeerPacket::Pubrel5(p) => p.to_continuous_buffer(),
            PeerPacket::Pubcomp3(p) => p.to_continuous_buffer(),
            PeerPacket::Pubcomp5(p) => p.to_continuous_buffer(),
            PeerPacket::Subscribe3(p) => p.to_continuous_buffer(),
            PeerPacket::Subscribe5(p) => p.to_continuous_buffer(),
        }
    }
}

// ---------- properties ----------

/// The peer's property list as our Properties.
pub fn props_from_peer(list: &[Property]) -> Properties {
    let mut p = Properties::default();
    for prop in list {
        let (b, w, d) = (prop.as_u8(), prop.as_u16(), prop.as_u32());
        let s = prop.as_str().map(str::to_string);
        let bin = prop.as_bytes().map(<[u8]>::to_vec);
        match prop.id().as_u8() {
            0x01 => p.payload_format_indicator = b,
            0x02 => p.message_expiry_interval = d,
            0x03 => p.content_type = s,
            0x08 => p.response_topic = s,
            0x09 => p.correlation_data = bin,
            0x0B => p.subscription_identifiers.extend(d),
            0x11 => p.session_expiry_interval = d,
            0x12 => p.assigned_client_identifier = s,
            0x13 => p.server_keep_alive = w,
            0x15 => p.authentication_method = s,
            0x16 => p.authentication_data = bin,
            0x17 => p.request_problem_information = b,
            0x18 => p.will_delay_interval = d,
            0x19 => p.request_response_information = b,
            0x1A => p.response_information = s,
            0x1C => p.server_reference = s,
            0x1F => p.reason_string = s,
            0x21 => p.receive_maximum = w,
            0x22 => p.topic_alias_maximum = w,
            0x23 => p.topic_alias = w,
            0x24 => p.maximum_qos = b,
            0x25 => p.retain_available = b,
            0x26 => p.user_properties.extend(
                prop.as_key_value()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            ),
            0x27 => p.maximum_packet_size = d,
            0x28 => p.wildcard_subscription_available = b,
            0x29 => p.subscription_identifier_available = b,
            _ => p.shared_subscription_available = b,
        }
    }
    p
}

macro_rules! push {
    ($list:ident, $value:expr, $ty:ident) => {
        if let Some(v) = $value {
            $list.push(their::$ty::new(v)?.into());
        }
    };
}

/// Our Properties as the peer's property list.
pub fn props_to_peer(p: &Properties) -> Res<Vec<Property>> {
    let mut l: Vec<Property> = Vec::new();
    if let Some(v) = p.payload_format_indicator {
        let format = their::PayloadFormat::try_from(v).map_err(|_| MqttError::ValueOutOfRange)?;
        l.push(their::PayloadFormatIndicator::new(format)?.into());
    }
    push!(l, p.message_expiry_interval, MessageExpiryInterval);
    push!(l, p.content_type.as_ref(), ContentType);
    push!(l, p.response_topic.as_ref(), ResponseTopic);
    push!(l, p.correlation_data.as_ref(), CorrelationData);
    for &id in &p.subscription_identifiers {
        l.push(their::SubscriptionIdentifier::new(id)?.into());
    }
    push!(l, p.session_expiry_interval, SessionExpiryInterval);
    push!(
        l,
        p.assigned_client_identifier.as_ref(),
        AssignedClientIdentifier
    );
    push!(l, p.server_keep_alive, ServerKeepAlive);
    push!(l, p.authentication_method.as_ref(), AuthenticationMethod);
    push!(l, p.authentication_data.as_ref(), AuthenticationData);
    push!(l, p.request_problem_information, RequestProblemInformation);
    push!(l, p.will_delay_interval, WillDelayInterval);
    push!(
        l,
        p.request_response_information,
        RequestResponseInformation
    );
    push!(l, p.response_information.as_ref(), ResponseInformation);
    push!(l, p.server_reference.as_ref(), ServerReference);
    push!(l, p.reason_string.as_ref(), ReasonString);
    push!(l, p.receive_maximum, ReceiveMaximum);
    push!(l, p.topic_alias_maximum, TopicAliasMaximum);
    push!(l, p.topic_alias, TopicAlias);
    push!(l, p.maximum_qos, MaximumQos);
    push!(l, p.retain_available, RetainAvailable);
    for (k, v) in &p.user_properties {
        l.push(their::UserProperty::new(k.as_str(), v.as_str())?.into());
    }
    push!(l, p.maximum_packet_size, MaximumPacketSize);
    push!(
        l,
        p.wildcard_subscription_available,
        WildcardSubscriptionAvailable
    );
    push!(
        l,
        p.subscription_identifier_available,
        SubscriptionIdentifierAvailable
    );
    push!(
        l,
        p.shared_subscription_available,
        SharedSubscriptionAvailable
    );
    Ok(l)
}

// ---------- peer -> ours ----------

fn qos_from_peer(q: their::Qos) -> QoS {
    QoS::from_u8(q as u8).unwrap_or_default()
}

fn qos_to_peer(q: QoS) -> their::Qos {
    match q {
        QoS::AtMostOnce => their::Qos::AtMostOnce,
        QoS::AtLeastOnce => their::Qos::AtLeastOnce,
        QoS::ExactlyOnce => their::Qos::ExactlyOnce,
    }
}

/// Builds our packet from the fields the peer decoded.
pub fn peer_to_ours(p: &PeerPacket) -> Packet {
    let response =
        |packet_id: u16, reason: Option<u8>, props: Option<&Vec<Property>>| PubResponse {
            packet_id,
            reason: reason.unwrap_or(0),
            properties: props.map(|l| props_from_peer(l)).unwrap_or_default(),
        };
    match p {
        PeerPacket::Connect3(c) => Packet::Connect(connect3_to_ours(c)),
        PeerPacket::Connect5(c) => Packet::Connect(connect5_to_ours(c)),
        PeerPacket::Publish3(x) => Packet::Publish(Publish {
            dup: x.dup(),
            qos: qos_from_peer(x.qos()),
            retain: x.retain(),
            topic: x.topic_name().to_string(),
            packet_id: x.packet_id(),
            payload: x.payload().as_slice().to_vec(),
            properties: Properties::default(),
        }),
        PeerPacket::Publish5(x) => Packet::Publish(Publish {
            dup: x.dup(),
            qos: qos_from_peer(x.qos()),
            retain: x.retain(),
            topic: x.topic_name().to_string(),
            packet_id: x.packet_id(),
            payload: x.payload().as_slice().to_vec(),
            properties: props_from_peer(&x.props),
        }),
        PeerPacket::Puback3(x) => Packet::Puback(response(x.packet_id(), None, None)),
        PeerPacket::Puback5(x) => Packet::Puback(response(
            x.packet_id(),
            x.reason_code().map(|c| c as u8),
            x.props.as_ref(),
        )),
        PeerPacket::Pubrec3(x) => Packet::Pubrec(response(x.packet_id(), None, None)),
        PeerPacket::Pubrec5(x) => Packet::Pubrec(response(
            x.packet_id(),
            x.reason_code().map(|c| c as u8),
            x.props.as_ref(),
        )),
        PeerPacket::Pubrel3(x) => Packet::Pubrel(response(x.packet_id(), None, None)),
        PeerPacket::Pubrel5(x) => Packet::Pubrel(response(
            x.packet_id(),
            x.reason_code().map(|c| c as u8),
            x.props.as_ref(),
        )),
        PeerPacket::Pubcomp3(x) => Packet::Pubcomp(response(x.packet_id(), None, None)),
        PeerPacket::Pubcomp5(x) => Packet::Pubcomp(response(
            x.packet_id(),
            x.reason_code().map(|c| c as u8),
            x.props.as_ref(),
        )),
        PeerPacket::Subscribe3(x) => Packet::Subscribe(Subscribe {
            packet_id: x.packet_id(),
            filters: x
                .entries()
                .iter()
                .map(|e| entry_to_ours(e, false))
                .collect(),
            properties: Properties::default(),
        }),
        PeerPacket::Subscribe5(x) => Packet::Subscribe(Subscribe {
            packet_id: x.packet_id(),
            filters: x.entries().iter().map(|e| entry_to_ours(e, true)).collect(),
            properties: props_from_peer(&x.props),
        }),
    }
}

fn entry_to_ours(e: &SubEntry, v5: bool) -> SubscribeFilter {
    let o = e.sub_opts();
    let base = SubscribeFilter {
        filter: e.topic_filter().to_string(),
        qos: qos_from_peer(o.qos()),
        ..Default::default()
    };
    match v5 {
        true => SubscribeFilter {
            no_local: o.nl(),
            retain_as_published: o.rap(),
            retain_handling: o.rh() as u8,
            ..base
        },
        false => base,
    }
}

fn will_from_peer(
    topic: Option<&str>,
    payload: Option<&[u8]>,
    qos: their::Qos,
    retain: bool,
    props: Properties,
) -> Option<LastWill> {
    Some(LastWill {
        topic: topic?.to_string(),
        payload: payload.unwrap_or_default().to_vec(),
        qos: qos_from_peer(qos),
        retain,
        properties: props,
    })
}

fn connect3_to_ours(c: &v3::Connect) -> Connect {
    Connect {
        protocol: ProtocolVersion::V311,
        clean_start: c.clean_session(),
        keep_alive: c.keep_alive(),
        client_id: c.client_id().to_string(),
        will: will_from_peer(
            c.will_topic(),
            c.will_payload(),
            c.will_qos(),
            c.will_retain(),
            Properties::default(),
        ),
        username: c.user_name().map(str::to_string),
        password: c.password().map(<[u8]>::to_vec),
        properties: Properties::default(),
    }
}

fn connect5_to_ours(c: &v5::Connect) -> Connect {
    let will_props = props_from_peer(&c.will_props);
    Connect {
        protocol: ProtocolVersion::V5,
        clean_start: c.clean_start(),
        keep_alive: c.keep_alive(),
        client_id: c.client_id().to_string(),
        will: will_from_peer(
            c.will_topic(),
            c.will_payload(),
            c.will_qos(),
            c.will_retain(),
            will_props,
        ),
        username: c.user_name().map(str::to_string),
        password: c.password().map(<[u8]>::to_vec),
        properties: props_from_peer(&c.props),
    }
}

// ---------- ours -> peer ----------

/// Builds the peer's packet with the same fields as ours.
pub fn ours_to_peer(p: &Packet, version: ProtocolVersion) -> Res<PeerPacket> {
    let v5 = version == ProtocolVersion::V5;
    Ok(match (p, v5) {
        (Packet::Connect(c), _) if c.protocol == ProtocolVersion::V5 => {
            PeerPacket::Connect5(connect5_to_peer(c)?)
        }
        (Packet::Connect(c), _) => PeerPacket::Connect3(connect3_to_peer(c)?),
        (Packet::Publish(x), false) => PeerPacket::Publish3(publish3_to_peer(x)?),
        (Packet::Publish(x), true) => PeerPacket::Publish5(publish5_to_peer(x)?),
        (Packet::Puback(r), false) => {
            PeerPacket::Puback3(v3::Puback::builder().packet_id(r.packet_id).build()?)
        }
        (Packet::Pubrec(r), false) => {
            PeerPacket::Pubrec3(v3::Pubrec::builder().packet_id(r.packet_id).build()?)
        }
        (Packet::Pubrel(r), false) => {
            PeerPacket::Pubrel3(v3::Pubrel::builder().packet_id(r.packet_id).build()?)
        }
        (Packet::Pubcomp(r), false) => {
            PeerPacket::Pubcomp3(v3::Pubcomp::builder().packet_id(r.packet_id).build()?)
        }
        (Packet::Puback(r), true) => PeerPacket::Puback5(puback5_to_peer(r)?),
        (Packet::Pubrec(r), true) => PeerPacket::Pubrec5(pubrec5_to_peer(r)?),
        (Packet::Pubrel(r), true) => PeerPacket::Pubrel5(pubrel5_to_peer(r)?),
        (Packet::Pubcomp(r), true) => PeerPacket::Pubcomp5(pubcomp5_to_peer(r)?),
        (Packet::Subscribe(s), false) => PeerPacket::Subscribe3(
            v3::Subscribe::builder()
                .packet_id(s.packet_id)
                .entries(entries_to_peer(s, false)?)
                .build()?,
        ),
        (Packet::Subscribe(s), true) => PeerPacket::Subscribe5({
            let b = v5::Subscribe::builder()
                .packet_id(s.packet_id)
                .entries(entries_to_peer(s, true)?);
            with_props(b, &s.properties, |b, l| b.props(l))?.build()?
        }),
        _ => return Err(MqttError::MalformedPacket),
    })
}

/// Adds properties to a builder only when there are some.
fn with_props<B>(b: B, p: &Properties, set: impl FnOnce(B, Vec<Property>) -> B) -> Res<B> {
    Ok(if p.is_empty() {
        b
    } else {
        set(b, props_to_peer(p)?)
    })
}

fn entries_to_peer(s: &Subscribe, v5: bool) -> Res<Vec<SubEntry>> {
    s.filters
        .iter()
        .map(|f| {
            let mut opts = SubOpts::new().set_qos(qos_to_peer(f.qos));
            if v5 {
                let rh = their::RetainHandling::try_from(f.retain_handling)
                    .map_err(|_| MqttError::ValueOutOfRange)?;
                opts = opts
                    .set_nl(f.no_local)
                    .set_rap(f.retain_as_published)
                    .set_rh(rh);
            }
            SubEntry::new(f.filter.as_str(), opts)
        })
        .collect()
}

fn publish3_to_peer(x: &Publish) -> Res<v3::Publish> {
    let mut b = v3::Publish::builder()
        .topic_name(x.topic.as_str())?
        .qos(qos_to_peer(x.qos))
        .dup(x.dup)
        .retain(x.retain);
    if let Some(id) = x.packet_id {
        b = b.packet_id(id);
    }
    b.payload(x.payload.clone()).build()
}

fn publish5_to_peer(x: &Publish) -> Res<v5::Publish> {
    let mut b = v5::Publish::builder()
        .topic_name(x.topic.as_str())?
        .qos(qos_to_peer(x.qos))
        .dup(x.dup)
        .retain(x.retain);
    if let Some(id) = x.packet_id {
        b = b.packet_id(id);
    }
    with_props(b.payload(x.payload.clone()), &x.properties, |b, l| {
        b.props(l)
    })?
    .build()
}

/// 5.0 acknowledgements: the reason is set only when the encoding carries it.
macro_rules! ack5_to_peer {
    ($name:ident, $ty:ident, $code:ident) => {
        fn $name(r: &PubResponse) -> Res<v5::$ty> {
            let mut b = v5::$ty::builder().packet_id(r.packet_id);
            if r.reason != 0 || !r.properties.is_empty() {
                b = b.reason_code(
                    rc::$code::try_from(r.reason).map_err(|_| MqttError::ValueOutOfRange)?,
                );
            }
            with_props(b, &r.properties, |b, l| b.props(l))?.build()
        }
    };
}
ack5_to_peer!(puback5_to_peer, Puback, PubackReasonCode);
ack5_to_peer!(pubrec5_to_peer, Pubrec, PubrecReasonCode);
ack5_to_peer!(pubrel5_to_peer, Pubrel, PubrelReasonCode);
ack5_to_peer!(pubcomp5_to_peer, Pubcomp, PubcompReasonCode);

fn connect3_to_peer(c: &Connect) -> Res<v3::Connect> {
    let mut b = v3::Connect::builder()
        .client_id(c.client_id.as_str())?
        .clean_session(c.clean_start)
        .keep_alive(c.keep_alive);
    if let Some(w) = &c.will {
        b = b.will_message(
            w.topic.as_str(),
            w.payload.clone(),
            qos_to_peer(w.qos),
            w.retain,
        )?;
    }
    if let Some(u) = &c.username {
        b = b.user_name(u.as_str())?;
    }
    if let Some(p) = &c.password {
        b = b.password(p.clone())?;
    }
    b.build()
}

fn connect5_to_peer(c: &Connect) -> Res<v5::Connect> {
    let mut b = v5::Connect::builder()
        .client_id(c.client_id.as_str())?
        .clean_start(c.clean_start)
        .keep_alive(c.keep_alive);
    if let Some(w) = &c.will {
        b = b.will_message(
            w.topic.as_str(),
            w.payload.clone(),
            qos_to_peer(w.qos),
            w.retain,
        )?;
        b = with_props(b, &w.properties, |b, l| b.will_props(l))?;
    }
    if let Some(u) = &c.username {
        b = b.user_name(u.as_str())?;
    }
    if let Some(p) = &c.password {
        b = b.password(p.clone())?;
    }
    with_props(b, &c.properties, |b, l| b.props(l))?.build()
}
