//! What the packet log and the message list show: the newest rows, the
//! paused copy, the filter, and the log as text for export.

use std::sync::Arc;

use super::{ClientModel, LogLine, MessageRow, PausedLog, LIVE_LOG_ROWS, LIVE_MESSAGE_ROWS};
use crate::i18n::{td_string, Locale};

impl ClientModel {
    /// Log lines the view shows (those held at the pause, while paused), matching `filter`
    /// (case-insensitive).
    pub fn visible_log(&self, filter: &str) -> Vec<(u64, Arc<LogLine>)> {
        let needle = filter.trim().to_lowercase();
        let matches =
            |line: &LogLine| needle.is_empty() || line.text.to_lowercase().contains(&needle);
        match &self.log_paused {
            Some(paused) => paused
                .lines
                .iter()
                .filter(|(_, line)| matches(line))
                .cloned()
                .collect(),
            None => {
                let mut newest: Vec<(u64, Arc<LogLine>)> = self
                    .log
                    .iter()
                    .rev()
                    .filter(|e| matches(&e.item))
                    .take(LIVE_LOG_ROWS)
                    .map(|e| (e.seq, e.item.clone()))
                    .collect();
                newest.reverse();
                newest
            }
        }
    }

    /// The message rows to render, newest first (at most [`LIVE_MESSAGE_ROWS`]).
    pub fn visible_messages(&self) -> Vec<(u64, Arc<MessageRow>)> {
        self.messages
            .iter()
            .rev()
            .take(LIVE_MESSAGE_ROWS)
            .map(|e| (e.seq, e.item.clone()))
            .collect()
    }

    /// True while the log view is paused.
    pub fn log_is_paused(&self) -> bool {
        self.log_paused.is_some()
    }

    /// Lines that arrived since the log was paused, including any the ring has since let go.
    pub fn lines_since_pause(&self) -> u64 {
        match &self.log_paused {
            Some(paused) => self.log.last_seq().unwrap_or(0).saturating_sub(paused.at),
            None => 0,
        }
    }

    /// What the packet log's count says in `locale`: while paused, the lines
    /// held and how many came since; else the total, and how many of them the
    /// running log shows when it shows fewer.
    pub fn log_count_in(&self, locale: Locale) -> String {
        let total = self.log.len();
        match &self.log_paused {
            Some(paused) => td_string!(
                locale,
                client.packet_log.count_paused,
                held = paused.lines.len(),
                since = self.lines_since_pause()
            )
            .to_string(),
            None if total > LIVE_LOG_ROWS => td_string!(
                locale,
                client.packet_log.count_capped,
                total = total,
                shown = LIVE_LOG_ROWS
            )
            .to_string(),
            None => td_string!(locale, client.packet_log.count, total = total).to_string(),
        }
    }

    /// Empties the log, and the paused view with it.
    pub fn clear_log(&mut self) {
        self.log.clear();
        if let Some(paused) = &mut self.log_paused {
            paused.lines.clear();
        }
    }

    /// Pauses or resumes the log view.
    pub fn toggle_log_pause(&mut self) {
        self.log_paused = match self.log_paused {
            Some(_) => None,
            None => Some(PausedLog {
                at: self.log.last_seq().unwrap_or(0),
                lines: self.log.iter().map(|e| (e.seq, e.item.clone())).collect(),
            }),
        };
    }

    /// The whole log as text, one line per packet, for export: local time
    /// to the millisecond, as the log shows it.
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        for entry in self.log.iter() {
            let at = crate::net::clock::clock_label(entry.item.at);
            text.push_str(&format!("{at}  {}\n", entry.item.text));
        }
        text
    }
}
