//! Topic names, topic filters and matching (MQTT §4.7, §4.8.2).
#![cfg(not(target_arch = "wasm32"))]

use qoscope::mqtt::topic::{
    literal_prefix, matches, validate_topic_filter, validate_topic_name, SharedFilter, TopicError,
};

#[path = "support/allocations.rs"]
mod allocations;
use allocations::allocations;

#[test]
fn plain_topic_names_are_valid() {
    for t in [
        "a",
        "plant/line1/temp",
        "/leading",
        "trailing/",
        "a//b",
        "$SYS/broker/uptime",
        "温度/仓库",
    ] {
        assert_eq!(validate_topic_name(t), Ok(()), "{t}");
    }
}

#[test]
fn topic_names_reject_wildcards_empty_null_and_oversize() {
    assert_eq!(validate_topic_name(""), Err(TopicError::Empty));
    assert_eq!(
        validate_topic_name("a/+/b"),
        Err(TopicError::WildcardInName { wildcard: '+' })
    );
    assert_eq!(
        validate_topic_name("a/#"),
        Err(TopicError::WildcardInName { wildcard: '#' })
    );
    assert_eq!(validate_topic_name("a\0b"), Err(TopicError::NullCharacter));
    let long = "a".repeat(65_536);
    assert_eq!(
        validate_topic_name(&long),
        Err(TopicError::TooLong { len: 65_536 })
    );
    assert_eq!(validate_topic_name(&long[1..]), Ok(()));
}

#[test]
fn valid_filters_follow_the_wildcard_rules() {
    for f in [
        "#",
        "+",
        "a/#",
        "a/+/b",
        "+/+",
        "/+",
        "a/b/",
        "$share/g/a/#",
        "$share/g/+",
        "sport/tennis/+",
    ] {
        assert_eq!(validate_topic_filter(f), Ok(()), "{f}");
    }
}

#[test]
fn multi_level_wildcard_must_be_last_and_alone() {
    assert_eq!(
        validate_topic_filter("alarms/#/fire"),
        Err(TopicError::MultiLevelNotLast)
    );
    assert_eq!(
        validate_topic_filter("alarms#"),
        Err(TopicError::MultiLevelNotAlone)
    );
    assert_eq!(
        validate_topic_filter("alarms/#x"),
        Err(TopicError::MultiLevelNotAlone)
    );
    assert_eq!(
        TopicError::MultiLevelNotLast.to_string(),
        "'#' must be the last level, e.g. 'alarms/#'"
    );
}

#[test]
fn single_level_wildcard_must_be_alone_in_its_level() {
    assert_eq!(
        validate_topic_filter("sensor+"),
        Err(TopicError::SingleLevelNotAlone)
    );
    assert_eq!(
        validate_topic_filter("a/+b/c"),
        Err(TopicError::SingleLevelNotAlone)
    );
}

#[test]
fn shared_subscriptions_need_a_share_name_and_a_filter() {
    assert_eq!(
        validate_topic_filter("$share/"),
        Err(TopicError::InvalidShareName)
    );
    assert_eq!(
        validate_topic_filter("$share//a"),
        Err(TopicError::InvalidShareName)
    );
    assert_eq!(
        validate_topic_filter("$share/g+/a"),
        Err(TopicError::InvalidShareName)
    );
    assert_eq!(
        validate_topic_filter("$share/g"),
        Err(TopicError::MissingSharedFilter)
    );
    assert_eq!(
        validate_topic_filter("$share/g/"),
        Err(TopicError::MissingSharedFilter)
    );
    assert_eq!(
        validate_topic_filter("$share/g/a/#/b"),
        Err(TopicError::MultiLevelNotLast)
    );
    let shared = SharedFilter::parse("$share/workers/jobs/#")
        .unwrap()
        .unwrap();
    assert_eq!((shared.group, shared.filter), ("workers", "jobs/#"));
}

#[test]
fn filters_reject_empty_and_null() {
    assert_eq!(validate_topic_filter(""), Err(TopicError::Empty));
    assert_eq!(
        validate_topic_filter("a/\0"),
        Err(TopicError::NullCharacter)
    );
}

#[test]
fn exact_filters_match_only_the_same_topic() {
    assert!(matches("a/b", "a/b"));
    assert!(!matches("a/b", "a/b/c"));
    assert!(!matches("a/b", "a"));
    assert!(!matches("a/b", "A/b"), "topics are case sensitive");
    assert!(matches("/a", "/a"));
    assert!(!matches("/a", "a"));
}

#[test]
fn single_level_wildcard_matches_exactly_one_level() {
    assert!(matches("sport/tennis/+", "sport/tennis/player1"));
    assert!(!matches("sport/tennis/+", "sport/tennis/player1/ranking"));
    assert!(!matches("sport/+", "sport"));
    assert!(matches("sport/+", "sport/"), "an empty level is a level");
    assert!(matches("+/+", "/finance"));
    assert!(matches("/+", "/finance"));
    assert!(!matches("+", "/finance"));
}

#[test]
fn multi_level_wildcard_matches_the_parent_and_every_descendant() {
    assert!(matches("sport/tennis/player1/#", "sport/tennis/player1"));
    assert!(matches(
        "sport/tennis/player1/#",
        "sport/tennis/player1/ranking"
    ));
    assert!(matches(
        "sport/tennis/player1/#",
        "sport/tennis/player1/score/wimbledon"
    ));
    assert!(matches("sport/#", "sport"));
    assert!(matches("#", "anything/at/all"));
    assert!(!matches("sport/#", "sports"));
}

#[test]
fn dollar_topics_are_not_matched_by_a_leading_wildcard() {
    assert!(!matches("#", "$SYS/broker/uptime"));
    assert!(!matches("+/broker/uptime", "$SYS/broker/uptime"));
    assert!(matches("$SYS/#", "$SYS/broker/uptime"));
    assert!(matches("$SYS/+/uptime", "$SYS/broker/uptime"));
}

#[test]
fn shared_filters_match_like_their_inner_filter() {
    assert!(matches("$share/g/alarms/+", "alarms/fire"));
    assert!(!matches("$share/g/alarms/+", "alarms/fire/zone1"));
    assert!(!matches("$share/g", "g"));
}

/// Every delivered message is matched against each filter the dashboard
/// watches: matching must cost no allocation (it once cost one per level list).
#[test]
fn matching_allocates_nothing() {
    let cases = [
        ("alarms/#", "alarms/zone/1"),
        ("$share/g/inventory/+", "inventory/S-1"),
        ("critical/+/site", "critical/a/site"),
        ("a/#/b", "a/x/b"),
        ("plant/line1/temp", "plant/line2/temp"),
    ];
    let before = allocations();
    let hits = cases.iter().filter(|(f, t)| matches(f, t)).count();
    assert_eq!(allocations() - before, 0, "allocations while matching");
    assert_eq!(hits, 3);
}

#[test]
fn invalid_filters_match_nothing() {
    assert!(!matches("a/#/b", "a/x/b"));
    assert!(!matches("a+", "a+"));
    assert!(!matches("", ""));
    // Invalid after the point where a valid filter would have matched.
    assert!(!matches("a/#/#", "a/b"));
    assert!(!matches("a/#/b", "a"));
    assert!(!matches("+/b+", "x/b+"));
    assert!(!matches("#/a", "x/a"));
    assert!(!matches("$share/g/a/#/b", "a/b"));
}

#[test]
fn the_literal_prefix_is_what_comes_before_the_first_wildcard() {
    for (filter, prefix) in [
        ("alarms/#", "alarms"),
        ("critical/+/site", "critical/"),
        ("plant/line1/temp", "plant/line1/temp"),
        ("#", ""),
        ("+/alarms", ""),
        ("$share/ops/alarms/#", "alarms"),
        ("a/#/b", ""),
        ("", ""),
    ] {
        assert_eq!(literal_prefix(filter), prefix, "{filter}");
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// Level by level, as §4.7.1 describes it, for a filter known to be valid.
    fn levels_agree(filter: &str, topic: &str) -> bool {
        let filter: Vec<&str> = filter.split('/').collect();
        let topic: Vec<&str> = topic.split('/').collect();
        if filter.last() == Some(&"#") {
            let head = &filter[..filter.len() - 1];
            return topic.len() >= head.len()
                && head.iter().zip(&topic).all(|(f, t)| *f == "+" || f == t);
        }
        filter.len() == topic.len() && filter.iter().zip(&topic).all(|(f, t)| *f == "+" || f == t)
    }

    /// Topic names of 1..6 levels drawn from a small alphabet (so that
    /// levels collide), sometimes starting with `$`.
    fn topic() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[ab$]{0,2}", 1..6)
            .prop_filter("not empty", |levels| !levels.join("/").is_empty())
    }

    proptest! {
        #[test]
        fn a_topic_is_a_valid_filter_that_matches_itself(levels in topic()) {
            let t = levels.join("/");
            prop_assert!(validate_topic_name(&t).is_ok());
            prop_assert!(validate_topic_filter(&t).is_ok());
            prop_assert!(matches(&t, &t));
        }

        #[test]
        fn replacing_levels_by_plus_or_the_tail_by_hash_still_matches(
            levels in topic(),
            mask in prop::collection::vec(any::<bool>(), 6),
            cut in 0usize..6,
        ) {
            let t = levels.join("/");
            let dollar = t.starts_with('$');
            let plus: Vec<&str> = levels
                .iter()
                .enumerate()
                .map(|(i, l)| if mask[i] && !(i == 0 && dollar) { "+" } else { l.as_str() })
                .collect();
            prop_assert!(matches(&plus.join("/"), &t), "{} vs {}", plus.join("/"), t);
            let cut = cut.min(levels.len());
            if !(cut == 0 && dollar) {
                let mut hash: Vec<&str> = levels[..cut].iter().map(String::as_str).collect();
                hash.push("#");
                prop_assert!(matches(&hash.join("/"), &t), "{} vs {}", hash.join("/"), t);
            }
        }

        #[test]
        fn every_topic_a_filter_matches_starts_with_its_literal_prefix(
            levels in topic(),
            mask in prop::collection::vec(any::<bool>(), 6),
            cut in 0usize..7,
        ) {
            // Filters that match the topic: some levels made '+', and the
            // tail from `cut` on made '#' (no '#' when cut is past the end).
            let t = levels.join("/");
            let mut filter: Vec<&str> = levels
                .iter()
                .enumerate()
                .map(|(i, l)| if mask[i] { "+" } else { l.as_str() })
                .collect();
            if cut <= filter.len() {
                filter.truncate(cut);
                filter.push("#");
            }
            let f = filter.join("/");
            if matches(&f, &t) {
                prop_assert!(t.starts_with(literal_prefix(&f)), "{} vs {}", f, t);
            }
            // A filter made of the topic's own levels keeps the whole topic.
            prop_assert_eq!(literal_prefix(&t), t.as_str());
        }

        /// Any filter drawn from wildcards, letters and separators (valid or
        /// not) matches exactly when the rules of §4.7 say it does: it is a
        /// valid filter (checked on its own) and its levels match the
        /// topic's. `matches` checks both in one pass.
        #[test]
        fn matching_agrees_with_validating_then_comparing_levels(
            filter in "[ab+#/$]{0,8}",
            levels in topic(),
        ) {
            let t = levels.join("/");
            let valid = validate_topic_filter(&filter).is_ok();
            let leading_wildcard = filter.starts_with(['+', '#']);
            let expected = valid
                && !(t.starts_with('$') && leading_wildcard)
                && levels_agree(&filter, &t);
            prop_assert_eq!(matches(&filter, &t), expected, "{} vs {}", filter, t);
        }

        #[test]
        fn a_filter_with_a_different_level_count_and_no_hash_never_matches(
            levels in topic(),
            extra in "[ab]{1,2}",
        ) {
            let t = levels.join("/");
            let longer = format!("{t}/{extra}");
            prop_assert!(!matches(&longer, &t));
        }
    }
}
