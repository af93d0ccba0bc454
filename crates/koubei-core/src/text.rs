//! Small text helpers every crate needs the same way: width folding and fingerprints.

/// Folds full-width ASCII (Ａ, １, ！) and the ideographic space to their half-width forms.
///
/// Character counts are unchanged, so offsets into the folded text are offsets into the
/// original text.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The text as duplicate detection compares it: width folded, lower-cased, with
/// whitespace removed. Punctuation stays: without an author or a time, 很好！ and 很好。
/// are two buyers' reviews, not one review exported twice.
pub fn normalize_for_dedup(text: &str) -> String {
    text.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A stable 128-bit fingerprint of `text` as 32 hex digits (two FNV-1a passes with
/// different offsets). Stable across builds and platforms, unlike `std`'s hasher, since
/// it is stored.
pub fn fingerprint(text: &str) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for byte in text.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(PRIME);
        b = (b ^ u64::from(byte.rotate_left(3))).wrapping_mul(PRIME);
    }
    format!("{a:016x}{b:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width() {
        let folded: String = "　ＡＰＰ１２０！".chars().map(fold_width).collect();
        assert_eq!(folded, " APP120!");
    }

    #[test]
    fn fingerprint_is_stable() {
        assert_eq!(fingerprint("吸力大"), fingerprint("吸力大"));
        assert_ne!(fingerprint("吸力大"), fingerprint("吸力小"));
        assert_eq!(fingerprint("").len(), 32);
    }
}
