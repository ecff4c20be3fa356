//! What a reload picks up again: a page left connected reconnects on its
//! own with the last form, and a dashboard that was open subscribes to its
//! topics again. An operator's all-shift page then survives a reload, a
//! crash or a browser restart without anyone pressing Connect.
//!
//! Only an explicit Disconnect stops this: a link that dropped or was
//! refused still counts as wanted, so the next load tries again.

use serde::{Deserialize, Serialize};

use crate::net::storage::{self, RESUME_KEY};

/// The user's intent, as the last page left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Resume {
    /// The user pressed Connect and not Disconnect since.
    pub connect: bool,
    /// The user opened the dashboard: its topics are wanted on every connection.
    pub dashboard: bool,
}

impl Resume {
    /// What the last page left, or nothing to resume.
    pub fn load() -> Resume {
        Resume::parse(storage::get(RESUME_KEY).as_deref())
    }

    /// Reads a stored value; anything unreadable resumes nothing.
    pub fn parse(json: Option<&str>) -> Resume {
        json.and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// Changes the stored intent with `change` (storage failures only mean
    /// the next load resumes less).
    pub fn update(change: impl FnOnce(&mut Resume)) {
        let mut resume = Resume::load();
        let before = resume;
        change(&mut resume);
        if resume != before {
            let _ = storage::set(
                RESUME_KEY,
                &serde_json::to_string(&resume).unwrap_or_default(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_or_garbage_stored_resumes_nothing() {
        assert_eq!(Resume::parse(None), Resume::default());
        assert_eq!(Resume::parse(Some("{not json")), Resume::default());
        assert_eq!(
            Resume::parse(Some(r#"{"connect":true}"#)),
            Resume {
                connect: true,
                dashboard: false
            }
        );
    }
}
