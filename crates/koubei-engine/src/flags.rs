//! Flags: marks on reviews that are kept but may be left out of statistics.
//!
//! Detection is plain substring and shape checks over the normalised text (simplified,
//! half-width, lower-case); it needs no segmentation, so it runs first and lets the
//! engine skip analysing default reviews.

use koubei_core::Flag;

/// Above this many chars a review is flagged [`Flag::VeryLong`].
pub const VERY_LONG_CHARS: usize = 1000;

/// Texts the platform writes when the buyer wrote nothing.
const DEFAULT_PHRASES: [&str; 8] = [
    "此用户没有填写评价",
    "此用户未填写评价",
    "用户没有填写评价",
    "用户未填写评价",
    "未填写评价内容",
    "系统默认好评",
    "系统默认评价",
    "默认好评",
];

/// Whole texts (punctuation removed) that say nothing but "good review".
const DEFAULT_WHOLE: [&str; 5] = ["好评", "五星好评", "好评好评", "默认好评", "系统好评"];

const NO_EXPERIENCE: [&str; 14] = [
    "还没用",
    "还没有用",
    "还没使用",
    "还没有使用",
    "还没拆",
    "还没开箱",
    "还没安装",
    "还没试",
    "还未使用",
    "先好评",
    "先给好评",
    "用了再来追评",
    "用后再追评",
    "用了再评",
];

const PADDING: [&str; 5] = ["凑够字数", "凑字数", "凑数的", "字数不够", "凑个字数"];

const INCENTIVE: [&str; 8] = [
    "好评返现",
    "返现",
    "晒图返",
    "好评返",
    "五星返",
    "返红包",
    "好评有礼",
    "好评送",
];

/// Markers that introduce a contact id; an id must follow for [`Flag::SpamContact`].
const CONTACT: [&str; 12] = [
    "加v",
    "加vx",
    "加wx",
    "加微信",
    "加薇",
    "加威",
    "加q",
    "加qq",
    "微信号",
    "vx号",
    "qq号",
    "加群",
];

/// Every flag the text earns, in [`Flag`] order. `text` is normalised.
pub fn detect(text: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    let core: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    if text.trim().is_empty() {
        flags.push(Flag::Empty);
        return flags;
    }
    if DEFAULT_PHRASES.iter().any(|p| text.contains(p)) || DEFAULT_WHOLE.contains(&core.as_str()) {
        flags.push(Flag::DefaultReview);
    }
    if NO_EXPERIENCE.iter().any(|p| text.contains(p)) {
        flags.push(Flag::NoExperience);
    }
    if PADDING.iter().any(|p| text.contains(p)) || is_repetitive(&core) {
        flags.push(Flag::LowInformation);
    }
    if INCENTIVE.iter().any(|p| text.contains(p)) {
        flags.push(Flag::Incentivized);
    }
    if has_contact(text) {
        flags.push(Flag::SpamContact);
    }
    if text.chars().count() > VERY_LONG_CHARS {
        flags.push(Flag::VeryLong);
    }
    flags
}

/// Whether a short unit (1–6 chars) repeated 3+ times makes up most of the text.
fn is_repetitive(core: &str) -> bool {
    let chars: Vec<char> = core.chars().collect();
    if chars.len() < 6 {
        return false;
    }
    for unit in 1..=6.min(chars.len() / 3) {
        for start in 0..unit.min(chars.len()) {
            let run = repeated_run(&chars[start..], unit);
            if run >= 3 && run * unit >= 6 && run * unit * 10 >= chars.len() * 6 {
                return true;
            }
        }
    }
    false
}

/// How many times `chars[..unit]` repeats back to back from the start.
fn repeated_run(chars: &[char], unit: usize) -> usize {
    if chars.len() < unit {
        return 0;
    }
    let head = &chars[..unit];
    chars.chunks_exact(unit).take_while(|c| *c == head).count()
}

/// A contact marker followed (within a few separators) by an id of 5+ letters or digits.
fn has_contact(text: &str) -> bool {
    CONTACT.iter().any(|marker| {
        text.match_indices(marker).any(|(at, m)| {
            let rest = text[at + m.len()..].trim_start_matches(|c: char| {
                c == ':' || c == '：' || c.is_whitespace() || c == '号'
            });
            let id = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count();
            id >= 5
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_flag() {
        let cases: &[(&str, &[Flag])] = &[
            ("", &[Flag::Empty]),
            (" \n ", &[Flag::Empty]),
            ("此用户没有填写评价。", &[Flag::DefaultReview]),
            ("好评!", &[Flag::DefaultReview]),
            ("系统默认好评", &[Flag::DefaultReview]),
            ("还没用,先好评,用了再来追评", &[Flag::NoExperience]),
            ("不错不错不错不错不错不错,凑够字数", &[Flag::LowInformation]),
            ("好好好好好好好好", &[Flag::LowInformation]),
            ("好评返现5元", &[Flag::Incentivized]),
            ("想要的加v:abc12345", &[Flag::SpamContact]),
            ("加微信 wx_998877", &[Flag::SpamContact]),
            ("吸力很强,噪音小", &[]),
            ("加v也没用", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), *want, "{text:?}");
        }
        let long = "好".repeat(1001);
        assert!(detect(&long).contains(&Flag::VeryLong));
    }
}
