//! Segmentation into units and clauses.
//!
//! jieba cuts the normalised text into tokens (without HMM, so unknown runs stay single
//! chars). A **unit** is the longest run of up to [`MAX_WINDOW`] tokens that the indicator
//! tree or the lexicon knows as one word (this also rejoins `[捂脸]` and words jieba split);
//! any other token is a unit of its own. jieba's user dictionary holds the words of every
//! tree, so a token that only another tree knows is first cut again by the review's own
//! tree and the lexicon ([`Words::is_foreign`]). A **clause** is a run of units between
//! punctuation, newlines, spaces between CJK chars, or before a contrast word (但是).

use jieba_rs::{Jieba, Token};

use crate::lexicon::{ContrastAt, LexEntry, Lexicon};
use crate::taxonomy::{Lookup, Taxonomy, TreeWord};

/// The most tokens one unit may join.
pub(crate) const MAX_WINDOW: usize = 4;

/// What a unit is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UnitKind<'e> {
    /// Clause-ending punctuation or a newline.
    Break,
    /// Whitespace; `splits` when it separates two clauses (between CJK chars).
    Space { splits: bool },
    /// A word, with whatever the tree and the lexicon say about it.
    Word {
        tree: Option<&'e [TreeWord]>,
        lex: Option<&'e LexEntry>,
        hint: bool,
    },
}

/// One unit: a span of the normalised text in chars and bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit<'e> {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: UnitKind<'e>,
}

impl Unit<'_> {
    pub fn text<'t>(&self, normalized: &'t str) -> &'t str {
        normalized.get(self.byte_start..self.byte_end).unwrap_or("")
    }

    pub fn lex(&self) -> Option<&LexEntry> {
        match self.kind {
            UnitKind::Word { lex, .. } => lex,
            _ => None,
        }
    }
}

/// A clause: a range of units, and whether it follows a contrast word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Clause {
    pub units: (usize, usize),
    pub contrast: bool,
    /// Opens with a concession (虽然), which the following contrast outweighs.
    pub concessive: bool,
    /// Says the opposite of its words about this product: a rhetorical question
    /// (难道吸力还不够强吗), a wish for what the product lacks (如果续航再长一点就好了), or a
    /// comparison won by another product (另一款噪音比这台小). Its opinion values are negated.
    pub inverted: bool,
    /// Inverted as a rhetorical question (难道…): kept apart from wishes for the polarity
    /// model, since a wish is often a mild suggestion inside praise and a rhetorical
    /// question is not.
    pub rhetorical: bool,
    /// Regrets the purchase (早知道就买带自清洁的版本了): a complaint about the choice, and
    /// no verdict on the aspects it names, which belong to a product not bought.
    pub regret: bool,
    /// A pure question (请问噪音大吗？): it asks, so its opinion words judge nothing.
    pub question: bool,
}

/// Openings of a question asked of other buyers or the shop.
const QUESTION_OPENERS: [&str; 5] = ["请问", "有人知道", "有没有人", "想问", "问一下"];

/// Whether a clause is a pure question: it ends in 吗 or a question mark follows it, and it
/// opens with a question opener or ends in 吗. Rhetorical questions (难道…吗) are inverted
/// instead.
fn is_question(first: &str, clause_text: &str, after: &str) -> bool {
    if RHETORICAL.contains(&first) {
        return false;
    }
    let asked = after.starts_with('?') || clause_text.ends_with('吗');
    asked
        && (QUESTION_OPENERS.iter().any(|q| clause_text.starts_with(q))
            || clause_text.ends_with('吗'))
}

/// Irony markers in a clause. Praise with a marker followed by a failure is sarcasm; a
/// weak marker also needs the failure to be about the same indicator family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) enum Irony {
    #[default]
    None,
    /// Exaggeration that is sincere as often as not (简直, 真…呢, 可真).
    Weak,
    /// Markers that are rarely sincere next to a complaint (呵呵, 🙂, [微笑]).
    Strong,
}

/// Markers that make praise ironic whenever a failure follows.
const STRONG_IRONY: [&str; 7] = ["呵呵", "🙂", "🙃", "[微笑]", "😅", "厉害了", "真是服了"];
/// Exaggerations that make praise ironic when a failure of the same thing follows.
const WEAK_IRONY: [&str; 6] = ["简直", "可真", "好一个", "真是", "呢", "光速"];

/// The irony markers of a clause's text.
pub(crate) fn irony_of(clause_text: &str) -> Irony {
    if STRONG_IRONY.iter().any(|m| clause_text.contains(m)) {
        Irony::Strong
    } else if WEAK_IRONY.iter().any(|m| clause_text.contains(m)) {
        Irony::Weak
    } else {
        Irony::None
    }
}

/// Openings of a regret about the purchase.
const REGRET: [&str; 4] = ["早知道", "早知", "还不如买", "不如买"];

/// Another product as the subject of a comparison.
const COMPETITOR: [&str; 10] = [
    "另一款",
    "另外一款",
    "别的",
    "别家",
    "隔壁",
    "人家的",
    "其他牌子",
    "朋友家",
    "同事家",
    "之前那台",
];
/// This product as the thing compared against, after 比.
const THIS_PRODUCT: [&str; 8] = [
    "这",
    "我这",
    "我家这",
    "我买的",
    "我的",
    "它",
    "本品",
    "此款",
];

/// Whether a comparison in the clause is won by another product: 比这台 (X 比这台小), or a
/// competitor as subject with 更 and no 比 (隔壁那款吸力更大).
pub(crate) fn is_compared_away(clause_text: &str) -> bool {
    if !clause_text.contains(['比', '更']) {
        return false;
    }
    let beaten = clause_text.match_indices('比').any(|(at, m)| {
        let rest = &clause_text[at + m.len()..];
        THIS_PRODUCT.iter().any(|p| rest.starts_with(p))
    });
    let rival_better = !clause_text.contains('比')
        && COMPETITOR.iter().any(|c| {
            clause_text
                .find(c)
                .is_some_and(|at| clause_text[at..].contains('更'))
        });
    beaten || rival_better
}

/// Words that open a rhetorical question.
const RHETORICAL: [&str; 3] = ["难道", "难不成", "莫非"];
/// Words that open a condition, for a wish (如果…就好了).
const CONDITIONAL: [&str; 5] = ["如果", "要是", "假如", "若是", "倘若"];
/// Endings of a wish (…就好了).
const WISH_ENDINGS: [&str; 4] = ["就好了", "就更好了", "就完美了", "就好啦"];

/// Words that open a wish for more (希望续航能再长一点).
const WISH_OPENERS: [&str; 3] = ["希望", "期待", "但愿"];

/// Whether a clause from its first to its last word says the opposite of its words.
fn is_inverted(first: &str, clause_text: &str) -> bool {
    let wish = WISH_ENDINGS.iter().any(|e| clause_text.ends_with(e))
        && (CONDITIONAL.contains(&first) || clause_text.contains('再'));
    let hope = WISH_OPENERS.iter().any(|w| clause_text.starts_with(w))
        && (clause_text.contains('再') || clause_text.contains('更'));
    let wish = wish || hope;
    wish || RHETORICAL.contains(&first)
}

/// Clause-ending chars (after normalisation, so full-width forms are already folded).
pub(crate) fn is_break_char(c: char) -> bool {
    matches!(
        c,
        ',' | '。'
            | '!'
            | '?'
            | ';'
            | '~'
            | '…'
            | '\n'
            | '、'
            | ':'
            | '('
            | ')'
            | '【'
            | '】'
            | '〜'
            | '～'
            | '｡'
            | '｀'
    )
}

/// A token: jieba's, or part of one split off by [`split_modifiers`].
#[derive(Debug, Clone, Copy)]
struct Tok<'t> {
    word: &'t str,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
}

impl<'t> From<Token<'t>> for Tok<'t> {
    fn from(t: Token<'t>) -> Self {
        Tok {
            word: t.word,
            start: t.start,
            end: t.end,
            byte_start: t.byte_start,
            byte_end: t.byte_end,
        }
    }
}

/// The word tables segmentation reads: the review's tree (with its [`Lookup`] table)
/// and the lexicon.
#[derive(Clone, Copy)]
pub(crate) struct Words<'e> {
    pub tree: &'e Taxonomy,
    pub lexicon: &'e Lexicon,
}

impl<'e> Words<'e> {
    fn lookup(&self, word: &str) -> Lookup {
        self.tree.lookup.get(word).copied().unwrap_or_default()
    }

    /// Whether the review's tree or the lexicon knows `word`.
    fn knows(&self, word: &str) -> bool {
        self.lookup(word).known
    }

    /// Whether `word` is a word of another tree only: jieba kept it whole because some
    /// tree lists it, but the review's tree does not (充电很快 of 电脑 in a 手机 review).
    fn is_foreign(&self, word: &str) -> bool {
        self.lookup(word).foreign
    }
}

/// The most chars of a token [`resplit`] cuts again; longer foreign words stay whole.
const MAX_RESPLIT_CHARS: usize = 16;

/// Cuts `text` (normalised) into units.
pub(crate) fn units<'e>(jieba: &Jieba, text: &str, words: &Words<'e>) -> Vec<Unit<'e>> {
    let mut tokens: Vec<Tok<'_>> = Vec::with_capacity(text.len() / 3 + 1);
    for token in jieba.cut(text, false) {
        let tok = Tok::from(token);
        if tok.end - tok.start > 1 && words.is_foreign(tok.word) {
            resplit(tok, words, &mut tokens);
        } else if let Some((head, rest)) = split_known_tail(tok, words) {
            tokens.push(head);
            split_modifiers(rest, words, &mut tokens);
        } else {
            split_modifiers(tok, words, &mut tokens);
        }
    }
    let mut units = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let (unit, used) = unit_at(&tokens, i, text, words);
        units.push(unit);
        i += used.max(1);
    }
    mark_splitting_spaces(&mut units, text);
    units
}

/// Cuts a foreign token again by the review's own words: at each char the longest word
/// the tree or the lexicon knows, else the single char (充电很快 → 充电 + 很快 in 手机).
fn resplit<'t>(tok: Tok<'t>, words: &Words<'_>, out: &mut Vec<Tok<'t>>) {
    let mut bounds = [0usize; MAX_RESPLIT_CHARS + 1];
    let mut chars = 0;
    for (b, _) in tok.word.char_indices() {
        if chars == MAX_RESPLIT_CHARS {
            out.push(tok);
            return;
        }
        bounds[chars] = b;
        chars += 1;
    }
    bounds[chars] = tok.word.len();
    let mut i = 0;
    while i < chars {
        let n = (2..=chars - i)
            .rev()
            .find(|&n| words.knows(&tok.word[bounds[i]..bounds[i + n]]))
            .unwrap_or(1);
        out.push(Tok {
            word: &tok.word[bounds[i]..bounds[i + n]],
            start: tok.start + i,
            end: tok.start + i + n,
            byte_start: tok.byte_start + bounds[i],
            byte_end: tok.byte_start + bounds[i + n],
        });
        i += n;
    }
}

/// Splits an unknown token of three or more chars before the longest tail of two or more
/// chars that the tree or the lexicon knows, or that is a modifier and a known word:
/// jieba keeps 感觉不好 whole, and its judgement is 不好.
fn split_known_tail<'t>(tok: Tok<'t>, words: &Words<'_>) -> Option<(Tok<'t>, Tok<'t>)> {
    let chars = tok.end - tok.start;
    if chars < 3 || words.knows(tok.word) {
        return None;
    }
    let (head_chars, (cut, _)) = tok
        .word
        .char_indices()
        .enumerate()
        .skip(1)
        .take(chars - 2)
        .find(|(_, (cut, _))| {
            let tail = &tok.word[*cut..];
            words.knows(tail) || modifier_cut(tail, words, 1).is_some()
        })?;
    Some(split_tok(tok, head_chars, cut))
}

/// Where a leading degree adverb or negator of at most `max_head_chars` chars ends in
/// `word`, when a word the tree or the lexicon knows follows it: (chars, byte) of the cut.
fn modifier_cut(word: &str, words: &Words<'_>, max_head_chars: usize) -> Option<(usize, usize)> {
    word.char_indices()
        .skip(1)
        .enumerate()
        .take(max_head_chars)
        .map(|(before, (cut, _))| (before + 1, cut))
        .find(|&(_, cut)| {
            let (head, rest) = word.split_at(cut);
            let modifier = words
                .lexicon
                .get(head)
                .is_some_and(|l| l.degree.is_some() || l.negator.is_some());
            modifier && words.knows(rest)
        })
}

/// `tok` cut into two tokens after `head_chars` chars, at byte `cut` of its word.
fn split_tok(tok: Tok<'_>, head_chars: usize, cut: usize) -> (Tok<'_>, Tok<'_>) {
    let mid = tok.start + head_chars;
    let head = Tok {
        word: &tok.word[..cut],
        end: mid,
        byte_end: tok.byte_start + cut,
        ..tok
    };
    let rest = Tok {
        word: &tok.word[cut..],
        start: mid,
        byte_start: tok.byte_start + cut,
        ..tok
    };
    (head, rest)
}

/// Pushes `tok`, first splitting off a leading degree adverb or negator when jieba glued
/// it to a word we know (很快 → 很 + 快, 不大 → 不 + 大).
fn split_modifiers<'t>(tok: Tok<'t>, words: &Words<'_>, out: &mut Vec<Tok<'t>>) {
    let chars = tok.end - tok.start;
    let cut = (chars >= 2 && !words.knows(tok.word))
        .then(|| modifier_cut(tok.word, words, 2))
        .flatten();
    match cut {
        Some((head_chars, cut)) => {
            let (head, rest) = split_tok(tok, head_chars, cut);
            out.push(head);
            out.push(rest);
        }
        None => out.push(tok),
    }
}

fn unit_at<'e>(tokens: &[Tok<'_>], i: usize, text: &str, words: &Words<'e>) -> (Unit<'e>, usize) {
    let (tree, lexicon) = (words.tree, words.lexicon);
    let first = &tokens[i];
    let span = |n: usize| {
        let last = &tokens[i + n - 1];
        (first.start, last.end, first.byte_start, last.byte_end)
    };
    let mut chars = first.word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if is_break_char(c) {
            return (make(span(1), UnitKind::Break), 1);
        }
        if c.is_whitespace() {
            return (make(span(1), UnitKind::Space { splits: false }), 1);
        }
    }
    let longest = MAX_WINDOW.min(tokens.len() - i);
    // The longest window whose text is still the start of a known word: past it no
    // longer window can be one, so most tokens cost one or two lookups, not twelve.
    let mut reach = 1;
    for n in 2..=longest {
        let key = &text[first.byte_start..tokens[i + n - 1].byte_end];
        if !words.lookup(key).prefix {
            break;
        }
        reach = n;
    }
    for n in (1..=reach).rev() {
        if n > 1 && !joinable(&tokens[i..i + n]) {
            continue;
        }
        let key = &text[first.byte_start..tokens[i + n - 1].byte_end];
        let tree_word = tree.words.get(key).map(Vec::as_slice);
        let lex = lexicon.get(key);
        let hint = tree.hint_words.contains_key(key);
        if tree_word.is_some() || lex.is_some() || hint || n == 1 {
            let kind = UnitKind::Word {
                tree: tree_word,
                lex,
                hint,
            };
            return (make(span(n), kind), n);
        }
    }
    let plain = UnitKind::Word {
        tree: None,
        lex: None,
        hint: false,
    };
    (make(span(1), plain), 1)
}

/// Whether tokens may be joined into one unit: no whitespace or clause break inside.
/// A single space between Latin words is allowed (`a bit`).
fn joinable(tokens: &[Tok<'_>]) -> bool {
    tokens.iter().enumerate().all(|(k, t)| {
        let is_space = t.word.chars().all(char::is_whitespace);
        let is_break = t.word.chars().any(is_break_char);
        !is_break && (!is_space || (t.word == " " && k > 0 && k + 1 < tokens.len()))
    })
}

fn make<'e>(
    (start, end, byte_start, byte_end): (usize, usize, usize, usize),
    kind: UnitKind<'e>,
) -> Unit<'e> {
    Unit {
        start,
        end,
        byte_start,
        byte_end,
        kind,
    }
}

/// A space splits clauses unless a neighbouring char is a Latin letter or digit.
fn mark_splitting_spaces(units: &mut [Unit<'_>], text: &str) {
    for unit in units.iter_mut() {
        if let UnitKind::Space { splits } = &mut unit.kind {
            let before = text[..unit.byte_start].trim_end().chars().next_back();
            let after = text[unit.byte_end..].trim_start().chars().next();
            let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            *splits = !latin(before) && !latin(after);
        }
    }
}

/// Splits units into clauses.
pub(crate) fn clauses(units: &[Unit<'_>], text: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut contrast = false;
    let mut carry = false;
    for (i, unit) in units.iter().enumerate() {
        let ends = match unit.kind {
            UnitKind::Break => true,
            UnitKind::Space { splits } => splits,
            UnitKind::Word { lex, .. } => {
                let at_start = !has_words(&units[start..i]);
                match lex.and_then(|l| l.contrast) {
                    Some(ContrastAt::Anywhere) if !at_start => {
                        push_clause(
                            &mut out,
                            units,
                            text,
                            (start, i),
                            contrast || carry,
                            &mut carry,
                        );
                        start = i;
                        contrast = true;
                    }
                    Some(_) if at_start => contrast = true,
                    _ => {}
                }
                false
            }
        };
        if ends {
            push_clause(
                &mut out,
                units,
                text,
                (start, i),
                contrast || carry,
                &mut carry,
            );
            start = i + 1;
            contrast = false;
        }
    }
    push_clause(
        &mut out,
        units,
        text,
        (start, units.len()),
        contrast || carry,
        &mut carry,
    );
    out
}

fn has_words(units: &[Unit<'_>]) -> bool {
    units
        .iter()
        .any(|u| matches!(u.kind, UnitKind::Word { .. }))
}

/// Pushes a clause that has words. A clause holding nothing but its contrast word (但是！！！)
/// passes its contrast on to the next clause through `carry`.
fn push_clause(
    out: &mut Vec<Clause>,
    units: &[Unit<'_>],
    text: &str,
    (start, end): (usize, usize),
    contrast: bool,
    carry: &mut bool,
) {
    let words: Vec<&Unit<'_>> = units[start..end]
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Word { .. }))
        .collect();
    if words.is_empty() {
        return;
    }
    let only_contrast = words.len() == 1 && words[0].lex().is_some_and(|l| l.contrast.is_some());
    if only_contrast {
        *carry = true;
        return;
    }
    *carry = false;
    let first = words[0].text(text);
    let concessive = matches!(first, "虽然" | "虽说" | "尽管" | "虽" | "虽然说");
    let last = words[words.len() - 1];
    let clause_text = text.get(words[0].byte_start..last.byte_end).unwrap_or("");
    out.push(Clause {
        units: (start, end),
        contrast,
        concessive,
        inverted: is_inverted(first, clause_text) || is_compared_away(clause_text),
        rhetorical: RHETORICAL.contains(&first),
        regret: REGRET.iter().any(|r| clause_text.starts_with(r)),
        question: is_question(first, clause_text, text.get(last.byte_end..).unwrap_or("")),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn cut(engine: &Engine, tree: &str, text: &str) -> Vec<String> {
        let words = Words {
            tree: engine.taxonomy(tree).expect("bundled tree"),
            lexicon: &engine.lexicon,
        };
        units(&engine.jieba, text, &words)
            .iter()
            .map(|u| u.text(text).to_string())
            .collect()
    }

    #[test]
    fn rhetorical_questions_and_wishes_are_inverted() {
        let cases: &[(&str, &str, bool)] = &[
            ("难道", "难道这吸力还不够强吗", true),
            ("如果", "如果续航再长一点就好了", true),
            ("续航", "续航再长一点就好了", true),
            ("要是", "要是有遥控器就更好了", true),
            ("如果", "如果坏了就找客服", false),
            ("用", "用了三天就好了", false),
            ("吸力", "吸力很强", false),
        ];
        for (first, text, want) in cases {
            assert_eq!(is_inverted(first, text), *want, "{text}");
        }
    }

    #[test]
    fn another_trees_words_are_cut_by_this_trees_words() {
        let engine = Engine::new().unwrap();
        let cases: &[(&str, &str, &[&str])] = &[
            // 味道很好 is a cue of 酒店 only.
            ("hotel", "味道很好", &["味道很好"]),
            ("fruit", "味道很好", &["味道", "很", "好"]),
            // 声音发闷 is a cue of 电脑 only; offsets stay right after a cut.
            ("phone", "声音发闷了", &["声音", "发", "闷", "了"]),
            ("computer", "声音发闷了", &["声音发闷", "了"]),
        ];
        for (tree, text, want) in cases {
            assert_eq!(cut(&engine, tree, text), *want, "{tree}: {text}");
        }
    }
}
