//! Nickname masking: buyers' nicknames are personal data and are stored masked.
//!
//! The rule is the one shop back-ends already apply: keep the first character and replace
//! every other character with `*` (张伟 → 张*, 小鱼儿 → 小**). A one-character nickname
//! becomes that character plus one `*`, so that no stored nickname is ever complete.
//! Values the platform already masked (they contain `*` or `＊`) and anonymous markers
//! (匿名用户, 匿名买家, ...) are kept as they are, except for personal data inside them.

/// The nickname as koubei stores it, or `None` when the cell is blank.
pub fn mask_author(raw: &str) -> Option<String> {
    let name = raw.trim();
    if name.is_empty() {
        return None;
    }
    if is_already_masked(name) || is_anonymous(name) {
        // Kept as the platform wrote it, but a phone number or e-mail put in beside the
        // stars (匿名13500001111, tom*x@example.com) is still masked.
        return Some(crate::pii::mask_text(name));
    }

    let mut chars = name.chars();
    let first = chars.next()?;
    let stars = chars.count().max(1);
    let mut masked = String::with_capacity(first.len_utf8() + stars);
    masked.push(first);
    masked.extend(std::iter::repeat_n('*', stars));
    Some(masked)
}

/// Whether the platform already masked the value (j***3, 小***鱼).
fn is_already_masked(name: &str) -> bool {
    name.contains(['*', '＊'])
}

/// Whether the value says the buyer chose to stay anonymous.
fn is_anonymous(name: &str) -> bool {
    name.starts_with("匿名") || name.eq_ignore_ascii_case("anonymous")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_character_but_the_first() {
        let cases = [
            ("张伟", Some("张*")),
            ("小鱼儿", Some("小**")),
            ("  王小二 ", Some("王**")),
            ("张", Some("张*")),
            ("tom_2024", Some("t*******")),
            ("吃货😋", Some("吃**")),
            ("", None),
            ("   ", None),
        ];
        for (raw, want) in cases {
            assert_eq!(mask_author(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn keeps_masked_and_anonymous_values() {
        let cases = [
            "j***3",
            "小***鱼",
            "t＊＊1",
            "***",
            "匿名用户",
            "匿名买家",
            "Anonymous",
        ];
        for raw in cases {
            assert_eq!(mask_author(raw).as_deref(), Some(raw), "{raw:?}");
        }
    }
}
