//! Flags: marks on reviews that are kept but may be left out of statistics.
//!
//! Detection is plain substring and shape checks over the normalised text (simplified,
//! half-width, lower-case); it needs no segmentation, so it runs first and lets the
//! engine skip analysing default reviews.

use std::sync::OnceLock;

use koubei_core::Flag;

use crate::hash::FastMap;

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
    if text.trim().is_empty() {
        flags.push(Flag::Empty);
        return flags;
    }
    let core: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let found = phrases_in(text);
    if found.has(Flag::DefaultReview) || DEFAULT_WHOLE.contains(&core.as_str()) {
        flags.push(Flag::DefaultReview);
    }
    if found.has(Flag::NoExperience) {
        flags.push(Flag::NoExperience);
    }
    if found.has(Flag::LowInformation) || is_repetitive(&core) {
        flags.push(Flag::LowInformation);
    }
    let spam = found.has(Flag::SpamContact) && has_contact(text);
    // The cash-back words of an ad (想要返现的加V) are its bait, not the buyer's reward.
    if found.has(Flag::Incentivized) && !spam {
        flags.push(Flag::Incentivized);
    }
    if spam {
        flags.push(Flag::SpamContact);
    }
    if text.chars().count() > VERY_LONG_CHARS {
        flags.push(Flag::VeryLong);
    }
    flags
}

/// The flags whose phrases occur in a text, as bits indexed by [`Flag`] order.
#[derive(Debug, Clone, Copy, Default)]
struct Found(u16);

impl Found {
    fn has(self, flag: Flag) -> bool {
        self.0 & (1 << flag as u16) != 0
    }
}

/// Every phrase list by its first char, built once: one pass over the text then finds all
/// of them, instead of one substring search per phrase.
fn phrase_table() -> &'static FastMap<char, Vec<(&'static str, Flag)>> {
    static TABLE: OnceLock<FastMap<char, Vec<(&'static str, Flag)>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lists: [(&[&'static str], Flag); 5] = [
            (&DEFAULT_PHRASES, Flag::DefaultReview),
            (&NO_EXPERIENCE, Flag::NoExperience),
            (&PADDING, Flag::LowInformation),
            (&INCENTIVE, Flag::Incentivized),
            (&CONTACT, Flag::SpamContact),
        ];
        let mut table: FastMap<char, Vec<(&'static str, Flag)>> = FastMap::default();
        for (list, flag) in lists {
            for phrase in list {
                if let Some(first) = phrase.chars().next() {
                    table.entry(first).or_default().push((phrase, flag));
                }
            }
        }
        table
    })
}

fn phrases_in(text: &str) -> Found {
    let table = phrase_table();
    let mut found = Found::default();
    for (at, c) in text.char_indices() {
        let Some(candidates) = table.get(&c) else {
            continue;
        };
        for (phrase, flag) in candidates {
            if text[at..].starts_with(phrase) {
                found.0 |= 1 << *flag as u16;
            }
        }
    }
    found
}

/// Below this many letters and digits a text is too short to call a template: three
/// buyers writing 很好用 is agreement, not a template.
pub const TEMPLATE_MIN_CHARS: usize = 8;
/// The least number of distinct authors whose texts make a template cluster.
pub const TEMPLATE_MIN_AUTHORS: usize = 3;
/// SimHashes this many bits apart or fewer are near-identical texts.
const TEMPLATE_MAX_DISTANCE: u32 = 3;

/// Groups reviews whose texts are the same or nearly so (SimHash over char bigrams of the
/// text without punctuation, case or width differences) and that come from at least
/// [`TEMPLATE_MIN_AUTHORS`] distinct authors: template or hired reviews, to be flagged
/// [`Flag::TemplateCluster`]. Returns the indices into `texts` of each cluster, in input
/// order; one author posting the same text twice is a duplicate, not a cluster.
///
/// Near-identical means up to `TEMPLATE_MAX_DISTANCE` (3) bits apart: the same words with
/// other punctuation, spacing, emoji or a stray char in a long text. In a text under about
/// 30 chars one changed word (小王 → 小李) already moves the hash by a dozen bits, so such
/// variants are not clustered.
///
/// ```
/// use koubei_engine::flags::template_clusters;
///
/// let text = "安装师傅小王非常专业，五星好评！";
/// let reviews = [(text, "a"), (text, "b"), ("安装师傅小王非常专业,五星好评", "c"), ("吸力大", "d")];
/// assert_eq!(template_clusters(&reviews), vec![vec![0, 1, 2]]);
/// ```
pub fn template_clusters<A: Eq + std::hash::Hash>(texts: &[(&str, A)]) -> Vec<Vec<usize>> {
    let hashes: Vec<Option<u64>> = texts.iter().map(|(t, _)| template_hash(t)).collect();
    let mut parent: Vec<usize> = (0..texts.len()).collect();
    // Near-identical hashes share at least one of four 16-bit bands (pigeonhole, as the
    // distance is under 4), so only texts sharing a band are compared.
    for band in 0..4 {
        let mut buckets: crate::hash::FastMap<u16, Vec<usize>> = Default::default();
        for (i, h) in hashes.iter().enumerate() {
            if let Some(h) = h {
                let key = (h >> (band * 16)) as u16;
                buckets.entry(key).or_default().push(i);
            }
        }
        for members in buckets.values() {
            link_near(members, &hashes, &mut parent);
        }
    }
    let mut groups: crate::hash::FastMap<usize, Vec<usize>> = Default::default();
    for (i, h) in hashes.iter().enumerate() {
        if h.is_some() {
            let root = find(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|g| {
            let authors: std::collections::HashSet<&A> = g.iter().map(|&i| &texts[i].1).collect();
            authors.len() >= TEMPLATE_MIN_AUTHORS
        })
        .collect();
    out.sort();
    out
}

/// Joins the members of a bucket whose hashes are near-identical. A bucket of identical
/// texts joins in one pass; the pairwise check is bounded to keep huge buckets linear.
fn link_near(members: &[usize], hashes: &[Option<u64>], parent: &mut [usize]) {
    const MAX_PAIRS_PER_MEMBER: usize = 64;
    for (k, &i) in members.iter().enumerate() {
        for &j in members[k + 1..].iter().take(MAX_PAIRS_PER_MEMBER) {
            if let (Some(a), Some(b)) = (hashes[i], hashes[j])
                && (a ^ b).count_ones() <= TEMPLATE_MAX_DISTANCE
            {
                let (ri, rj) = (find(parent, i), find(parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The 64-bit SimHash of a text's char bigrams, `None` for a text too short to judge.
fn template_hash(text: &str) -> Option<u64> {
    let chars: Vec<char> = koubei_core::text::normalize_for_dedup(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if chars.len() < TEMPLATE_MIN_CHARS {
        return None;
    }
    let mut votes = [0i32; 64];
    for pair in chars.windows(2) {
        let h = bigram_hash(pair[0], pair[1]);
        for (bit, vote) in votes.iter_mut().enumerate() {
            *vote += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    Some(
        votes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .fold(0u64, |acc, (bit, _)| acc | 1 << bit),
    )
}

/// A stable 64-bit hash of two chars (FNV-1a, then a final mix so every bit varies).
fn bigram_hash(a: char, b: char) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in [u32::from(a), u32::from(b)] {
        for byte in v.to_le_bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
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

    #[test]
    fn cash_back_bait_in_an_ad_is_spam_not_incentive() {
        let cases: &[(&str, &[Flag])] = &[
            ("想要返现的加v:abc12345,吸力一般", &[Flag::SpamContact]),
            ("好评返现,加微信 wx_998877", &[Flag::SpamContact]),
            ("好评返现五元,吸力不错", &[Flag::Incentivized]),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), *want, "{text:?}");
        }
    }

    /// Texts with their authors, and the clusters expected.
    type ClusterCase<'a> = (&'a [(&'a str, u32)], &'a [&'a [usize]]);

    #[test]
    fn template_clusters_need_three_authors() {
        let t = "安装师傅小王非常专业,五星好评!";
        let near = "安装师傅 小王 非常专业。。五星好评👍";
        let cases: &[ClusterCase] = &[
            // Same text, three authors.
            (&[(t, 1), (t, 2), (t, 3)], &[&[0, 1, 2]]),
            // Punctuation, spaces and emoji do not hide the template.
            (
                &[
                    (t, 1),
                    (near, 2),
                    (t, 3),
                    ("吸力大,噪音小,很满意这次购物", 4),
                ],
                &[&[0, 1, 2]],
            ),
            // Two authors, one posting twice: a duplicate, not a cluster.
            (&[(t, 1), (t, 1), (t, 2)], &[]),
            // Short agreement is not a template.
            (&[("很好用", 1), ("很好用", 2), ("很好用", 3)], &[]),
            (
                &[
                    (t, 1),
                    ("扫得很干净,噪音也不大,推荐购买", 2),
                    ("物流很快,客服态度很好", 3),
                ],
                &[],
            ),
        ];
        for (reviews, want) in cases {
            let want: Vec<Vec<usize>> = want.iter().map(|g| g.to_vec()).collect();
            assert_eq!(template_clusters(reviews), want, "{reviews:?}");
        }
    }
}
