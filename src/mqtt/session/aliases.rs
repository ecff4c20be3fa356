//! MQTT 5 topic aliases, both ways (§3.3.2.3.4). They live for one
//! connection only (MQTT-3.3.2-7): a new connection starts with none.

use std::collections::HashMap;

/// How an outgoing PUBLISH uses an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AliasUse {
    /// No alias: the broker allows none, or all are taken by other topics.
    None,
    /// First use of this topic: send the topic and set this alias.
    Assign(u16),
    /// Topic already aliased: send an empty topic and the alias.
    Reuse(u16),
}

/// Alias tables of one connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct TopicAliases {
    outgoing: HashMap<String, u16>,
    incoming: HashMap<u16, String>,
}

impl TopicAliases {
    /// What to do for `topic`, given the broker's Topic Alias Maximum.
    /// Aliases 1..=maximum are assigned first come, first served and kept.
    pub(crate) fn outgoing_use(&self, topic: &str, maximum: u16) -> AliasUse {
        if let Some(alias) = self.outgoing.get(topic) {
            return AliasUse::Reuse(*alias);
        }
        let assigned = self.outgoing.len();
        if assigned < usize::from(maximum) {
            AliasUse::Assign(assigned as u16 + 1)
        } else {
            AliasUse::None
        }
    }

    /// Records an assignment once its PUBLISH is actually sent.
    pub(crate) fn commit(&mut self, topic: &str, used: AliasUse) {
        if let AliasUse::Assign(alias) = used {
            self.outgoing.insert(topic.to_string(), alias);
        }
    }

    /// The broker set (topic non-empty) or used (topic empty) an alias.
    /// Returns the topic, or None for an unknown alias.
    pub(crate) fn resolve_incoming(&mut self, alias: u16, topic: &str) -> Option<String> {
        if topic.is_empty() {
            self.incoming.get(&alias).cloned()
        } else {
            self.incoming.insert(alias, topic.to_string());
            Some(topic.to_string())
        }
    }
}
