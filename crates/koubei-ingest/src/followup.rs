//! Follow-ups written inside the review text.
//!
//! Some exports have no follow-up (追评) column and append the follow-up to the text:
//! `初评：吸力很强，很满意。\n追评：用了一个月，电池明显不行了`. Splitting gives the first
//! review as the text and the rest as the follow-up, without their labels.
//!
//! A label only counts where a new part can begin: at the start of a line or right after a
//! sentence end (。！？!?…~). A text that *starts* with the label has no first review to
//! keep apart, so it stays whole: a follow-up exported on its own row is still that row's
//! text.

/// Labels that open a follow-up. The longer label comes first so that 追加评论 is not read
/// as an unknown word followed by 评论.
const FOLLOWUP_LABELS: [&str; 2] = ["追加评论", "追评"];

/// Labels that may open the first review; dropped only when the text is split.
const FIRST_LABELS: [&str; 3] = ["初评", "首评", "评价"];

/// Characters that end a sentence, after which a follow-up label may start.
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '!', '?', '…', '~', '～', '.'];

/// The text split into the first review and an inline follow-up, when it has one.
pub fn split_inline_followup(text: &str) -> Option<(String, String)> {
    let (start, label_end) = find_followup_label(text)?;
    let first = strip_first_label(text[..start].trim());
    let followup = text[label_end..].trim();
    if first.is_empty() || followup.is_empty() {
        return None;
    }
    Some((first.to_string(), followup.to_string()))
}

/// Byte range of the first follow-up label that stands where a new part can begin.
fn find_followup_label(text: &str) -> Option<(usize, usize)> {
    for (at, _) in text.char_indices().filter(|(at, _)| *at > 0) {
        let Some(label_len) = label_at(&text[at..]) else {
            continue;
        };
        if starts_a_part(&text[..at]) {
            return Some((at, at + label_len));
        }
    }
    None
}

/// Length in bytes of the follow-up label (with its colon or brackets) at the start of `s`.
fn label_at(s: &str) -> Option<usize> {
    for (open, close) in [("[", "]"), ("【", "】")] {
        if let Some(rest) = s.strip_prefix(open) {
            let word = FOLLOWUP_LABELS.iter().find(|w| rest.starts_with(**w))?;
            let after = rest[word.len()..].strip_prefix(close)?;
            let after = after.strip_prefix([':', '：']).unwrap_or(after);
            return Some(s.len() - after.len());
        }
    }
    let word = FOLLOWUP_LABELS.iter().find(|w| s.starts_with(**w))?;
    let rest = s[word.len()..].trim_start_matches([' ', '\u{3000}']);
    let after = rest.strip_prefix([':', '：'])?;
    Some(s.len() - after.len())
}

/// Whether a part may begin after `before`: at a line start or after a sentence end.
fn starts_a_part(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\t', '\u{3000}']);
    match trimmed.chars().last() {
        None => true,
        Some(c) => c == '\n' || c == '\r' || SENTENCE_ENDS.contains(&c),
    }
}

fn strip_first_label(first: &str) -> &str {
    for label in FIRST_LABELS {
        if let Some(rest) = first.strip_prefix(label) {
            let rest = rest.trim_start();
            if let Some(body) = rest.strip_prefix([':', '：']) {
                return body.trim_start();
            }
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_labelled_followups() {
        let cases = [
            (
                "初评：吸力很强，很满意。\n追评：用了一个月，电池明显不行了",
                ("吸力很强，很满意。", "用了一个月，电池明显不行了"),
            ),
            (
                "吸力很强。追评: 一个月后坏了",
                ("吸力很强。", "一个月后坏了"),
            ),
            ("吸力很强！\n追加评论：客服很好", ("吸力很强！", "客服很好")),
            (
                "还不错。[追评]用了半年，依然好用",
                ("还不错。", "用了半年，依然好用"),
            ),
            ("还不错\n【追评】：后悔了", ("还不错", "后悔了")),
        ];
        for (text, (first, followup)) in cases {
            let got = split_inline_followup(text);
            assert_eq!(
                got,
                Some((first.to_string(), followup.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn leaves_texts_without_a_followup_part_whole() {
        let cases = [
            "追评：\n客服换了新机，这台正常。",
            "[追评] 用了一个月还行",
            "看了很多追评：都说好，果然不错",
            "没有追评",
            "第一天：吸力很强。\n第三天：开始有异响了。",
            "吸力很强。\n追评：",
        ];
        for text in cases {
            assert_eq!(split_inline_followup(text), None, "{text}");
        }
    }
}
