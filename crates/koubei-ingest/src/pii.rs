//! Personal data in review text, masked before anything is stored.
//!
//! Buyers write their phone numbers, addresses, names and chat ids into reviews (to ask for
//! a call back, to complain about a courier, to advertise). koubei masks them as the text is
//! read, so that no store, log, export or alert ever holds them whole:
//!
//! | what | found by | masked as |
//! |---|---|---|
//! | mainland mobile | `1[3-9]` + 9 digits, with `+86`/`86`/`0086`, spaces or dashes, not inside a longer run of digits | middle four digits: `139 **** 1234` |
//! | landline | area code `0xx`/`0xxx` + 7–8 digits, with a dash or space, not inside a longer run | local number but its last four: `010-****5678` |
//! | ID card | 17 digits + digit or `X`, a valid birth date and a valid ISO 7064 check digit | birth date and sequence: `110105********123X` |
//! | bank card | 16–19 digits (grouped by four or not) passing Luhn, after a cue word (卡号, 银行卡 …) or starting with 62 | all but the last four |
//! | e-mail | `local@domain.tld` | the local part but its first character |
//! | WeChat / QQ id | a token after a cue (加V, 微信, vx, QQ, 扣扣 …) | every character |
//! | street address | after a cue (地址, 住在, 寄到 …) up to the next punctuation, and any `…路/街/道 + number + 号` | everything after the district (区/县, else 市) |
//! | name | two or three characters after a cue (收件人, 联系人, 我叫 …) starting with a common surname | all but the first character |
//!
//! Masking replaces characters one for one with `*`, so the text keeps its length and every
//! offset the engine computes still points where it should. Digit boundaries matter: an
//! 18-digit order number holds an 11-digit run that looks like a phone, and is not one.

/// Characters one `*` stands for.
const STAR: char = '*';

/// Words after which an account or chat id follows.
const ID_CUES: &[&str] = &[
    "加微信",
    "加微",
    "微信号",
    "微信",
    "威信",
    "薇信",
    "加V",
    "加v",
    "VX",
    "vx",
    "Vx",
    "wx",
    "WX",
    "加扣扣",
    "扣扣",
    "QQ号",
    "QQ",
    "qq",
    "企鹅号",
];
/// Words after which an address follows.
const ADDRESS_CUES: &[&str] = &[
    "收货地址",
    "详细地址",
    "地址是",
    "地址",
    "住址",
    "住在",
    "寄到",
    "送到",
    "送货到",
];
/// Words after which a person's name follows.
const NAME_CUES: &[&str] = &["收件人", "收货人", "联系人", "姓名", "我叫", "名字叫"];
/// Words before a bank card number.
const CARD_CUES: &[&str] = &[
    "银行卡",
    "卡号",
    "账号",
    "帐号",
    "信用卡",
    "储蓄卡",
    "借记卡",
];
/// Words before numbers that are never personal (order and tracking numbers).
const ORDER_CUES: &[&str] = &["订单", "单号", "运单", "快递单", "物流单", "编号"];
/// Common surnames: a name after a cue must start with one.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn digit_value(c: char) -> u32 {
    if c.is_ascii_digit() {
        c as u32 - '0' as u32
    } else {
        c as u32 - '０' as u32
    }
}

/// Text with the personal data in it masked; see the module docs.
pub fn mask_text(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut masked = vec![false; chars.len()];
    mask_emails(&chars, &mut masked);
    mask_chat_ids(&chars, &mut masked);
    mask_number_runs(&chars, &mut masked);
    mask_addresses(&chars, &mut masked);
    mask_names(&chars, &mut masked);
    for (c, m) in chars.iter_mut().zip(&masked) {
        if *m {
            *c = STAR;
        }
    }
    chars.into_iter().collect()
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(i, w)| chars.get(i) == Some(&w))
}

/// Where each occurrence of any of `cues` ends (longest cue first at a position).
fn cue_ends(chars: &[char], cues: &[&str]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let hit = cues
            .iter()
            .filter(|cue| starts_with_at(chars, at, cue))
            .map(|cue| cue.chars().count())
            .max();
        match hit {
            Some(n) => {
                ends.push(at + n);
                at += n;
            }
            None => at += 1,
        }
    }
    ends
}

/// Skips separators a writer puts between a cue and its value (：, :, 是, 为, 号, spaces).
fn skip_joiners(chars: &[char], mut at: usize) -> usize {
    while at < chars.len()
        && matches!(
            chars[at],
            '：' | ':' | ' ' | '　' | '是' | '为' | '號' | '号' | '-' | '—'
        )
    {
        at += 1;
    }
    at
}

fn mask_emails(chars: &[char], masked: &mut [bool]) {
    let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    for (at, &c) in chars.iter().enumerate() {
        if c != '@' && c != '＠' {
            continue;
        }
        let mut start = at;
        while start > 0 && local(chars[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < chars.len() && domain(chars[end]) {
            end += 1;
        }
        let host: String = chars[at + 1..end].iter().collect();
        let host = host.trim_end_matches('.');
        if start < at && host.contains('.') && !host.starts_with('.') {
            // Keep the first character of the local part, as the nickname rule does.
            for m in &mut masked[start + 1..at] {
                *m = true;
            }
        }
    }
}

fn mask_chat_ids(chars: &[char], masked: &mut [bool]) {
    for end in cue_ends(chars, ID_CUES) {
        let start = skip_joiners(chars, end);
        let mut stop = start;
        while stop < chars.len()
            && (chars[stop].is_ascii_alphanumeric() || matches!(chars[stop], '_' | '-'))
        {
            stop += 1;
        }
        // WeChat ids are 6–20 characters, QQ numbers 5–11 digits.
        if stop - start >= 5 {
            for m in &mut masked[start..stop] {
                *m = true;
            }
        }
    }
}

/// A run of digits, possibly with single spaces or dashes between groups, and a leading `+`.
struct Run {
    start: usize,
    end: usize,
    /// Positions of the digits, in order.
    digits: Vec<usize>,
}

fn digit_runs(chars: &[char]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let plus = chars[at] == '+' || chars[at] == '＋';
        if !(is_digit(chars[at]) || plus && chars.get(at + 1).is_some_and(|c| is_digit(*c))) {
            at += 1;
            continue;
        }
        // A run glued to letters (an order or model number like A1390000123412) is not one.
        let glued_before = at > 0 && chars[at - 1].is_ascii_alphabetic();
        let start = at;
        let mut digits = Vec::new();
        if plus {
            at += 1;
        }
        while at < chars.len() {
            if is_digit(chars[at]) {
                digits.push(at);
                at += 1;
            } else if matches!(chars[at], ' ' | '-' | '－' | '—')
                && chars.get(at + 1).is_some_and(|c| is_digit(*c))
                && at > start
                && is_digit(chars[at - 1])
            {
                at += 1;
            } else {
                break;
            }
        }
        // An ID card's check character X is part of the number, not glue.
        let id_check = digits.len() == 17 && chars.get(at).is_some_and(|c| matches!(c, 'X' | 'x'));
        let glued_after = !id_check && chars.get(at).is_some_and(|c| c.is_ascii_alphabetic());
        if !glued_before && !glued_after {
            runs.push(Run {
                start,
                end: at,
                digits,
            });
        }
    }
    runs
}

fn value(chars: &[char], positions: &[usize]) -> Vec<u32> {
    positions.iter().map(|&p| digit_value(chars[p])).collect()
}

fn preceded_by(chars: &[char], start: usize, cues: &[&str], within: usize) -> bool {
    let from = start.saturating_sub(within);
    let before: String = chars[from..start].iter().collect();
    cues.iter().any(|cue| before.contains(cue))
}

fn mask_number_runs(chars: &[char], masked: &mut [bool]) {
    for run in digit_runs(chars) {
        let d = value(chars, &run.digits);
        let n = d.len();
        let order_number = preceded_by(chars, run.start, ORDER_CUES, 8);
        let mark = |masked: &mut [bool], idx: std::ops::Range<usize>| {
            for &p in &run.digits[idx] {
                masked[p] = true;
            }
        };
        // Mobile: optional country code 86 / 0086, then 1[3-9] and nine more digits.
        let country = if n == 13 && d[..2] == [8, 6] {
            2
        } else if n == 15 && d[..4] == [0, 0, 8, 6] {
            4
        } else {
            0
        };
        if n - country == 11 && d[country] == 1 && (3..=9).contains(&d[country + 1]) {
            if !order_number {
                mark(masked, country + 3..country + 7);
            }
            continue;
        }
        // ID card: 17 digits and a check character (digit here; an X is handled below).
        if n == 18 && is_id_card(&d, None) && !order_number {
            mark(masked, 6..14);
            continue;
        }
        if n == 17
            && chars.get(run.end).is_some_and(|c| matches!(c, 'X' | 'x'))
            && is_id_card(&d, Some(10))
            && !order_number
        {
            mark(masked, 6..14);
            continue;
        }
        // Bank card: 16–19 digits passing Luhn, with a cue or the UnionPay prefix.
        if (16..=19).contains(&n)
            && luhn(&d)
            && !order_number
            && (preceded_by(chars, run.start, CARD_CUES, 10) || d[..2] == [6, 2])
        {
            mark(masked, 0..n - 4);
            continue;
        }
        // The old 15-digit ID card (no check digit): a region code that starts 1–8 and a
        // birth date yymmdd in digits 7–12.
        if n == 15 && !order_number && (1..=8).contains(&d[0]) && {
            let (month, day) = (d[8] * 10 + d[9], d[10] * 10 + d[11]);
            (1..=12).contains(&month) && (1..=31).contains(&day)
        } {
            mark(masked, 6..12);
            continue;
        }
        // A local number after an area code in brackets: (010)12345678, （0755）8601 3388.
        if (7..=8).contains(&n) && !order_number && after_bracketed_area_code(chars, run.start) {
            mark(masked, 0..n - 4);
            continue;
        }
        // Landline: area code 0 + 2–3 digits, then 7–8 digits, written with a separator.
        let written_apart = run.digits.windows(2).any(|w| w[1] > w[0] + 1);
        if d[0] == 0 && (10..=12).contains(&n) && written_apart && !order_number {
            let area = if d[1] == 1 || d[1] == 2 { 3 } else { 4 };
            if n - area >= 7 {
                mark(masked, area..n - 4);
            }
        }
    }
}

/// Whether `(0xx)` or `（0xxx）` (an area code in brackets, perhaps a space after) ends
/// just before `start`.
fn after_bracketed_area_code(chars: &[char], start: usize) -> bool {
    let mut at = start;
    while at > 0 && chars[at - 1] == ' ' {
        at -= 1;
    }
    if at == 0 || !matches!(chars[at - 1], ')' | '）') {
        return false;
    }
    let close = at - 1;
    let mut open = close;
    while open > 0 && is_digit(chars[open - 1]) {
        open -= 1;
    }
    let digits = close - open;
    open > 0
        && matches!(chars[open - 1], '(' | '（')
        && (3..=4).contains(&digits)
        && digit_value(chars[open]) == 0
}

/// The ISO 7064 MOD 11-2 check of an 18-character ID card number, and a plausible birth
/// date; `check` is the value of a trailing X (10) when the 18th character is a letter.
fn is_id_card(d: &[u32], check: Option<u32>) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CODES: [u32; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum: u32 = d[..17].iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
    let expected = CODES[(sum % 11) as usize];
    let given = check.unwrap_or_else(|| d.get(17).copied().unwrap_or(99));
    let year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9];
    let month = d[10] * 10 + d[11];
    let day = d[12] * 10 + d[13];
    expected == given
        && (1900..=2100).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
}

fn luhn(d: &[u32]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Characters that end an address or a name.
fn is_break(c: char) -> bool {
    c.is_ascii_punctuation() && c != '-' && c != '#'
        || matches!(
            c,
            '，' | '。' | '；' | '！' | '？' | '、' | '\n' | '\r' | ' ' | '　' | '）' | '（'
        )
}

fn mask_addresses(chars: &[char], masked: &mut [bool]) {
    for end in cue_ends(chars, ADDRESS_CUES) {
        let start = skip_joiners(chars, end);
        let mut stop = start;
        while stop < chars.len() && !is_break(chars[stop]) {
            stop += 1;
        }
        if stop - start < 2 {
            continue;
        }
        // Keep the administrative part (…省 …市 …区/县), mask what follows it.
        let segment = &chars[start..stop];
        let keep = segment
            .iter()
            .position(|c| matches!(c, '区' | '县'))
            .or_else(|| segment.iter().rposition(|c| *c == '市'))
            .map_or(0, |i| i + 1);
        for m in &mut masked[start + keep..stop] {
            *m = true;
        }
    }
    // Street and number anywhere: 建国路88号, 人民大街12号3单元.
    for (at, &c) in chars.iter().enumerate() {
        if !matches!(c, '路' | '街' | '道' | '巷' | '弄') {
            continue;
        }
        let mut n = at + 1;
        while n < chars.len() && is_digit(chars[n]) {
            n += 1;
        }
        if n == at + 1 || chars.get(n) != Some(&'号') {
            continue;
        }
        let mut start = at;
        while start > 0
            && at - start < 6
            && is_han(chars[start - 1])
            && !matches!(
                chars[start - 1],
                '区' | '县' | '市' | '省' | '在' | '到' | '是'
            )
        {
            start -= 1;
        }
        for m in &mut masked[start..=n] {
            *m = true;
        }
    }
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn mask_names(chars: &[char], masked: &mut [bool]) {
    for end in cue_ends(chars, NAME_CUES) {
        let start = skip_joiners(chars, end);
        let Some(&first) = chars.get(start) else {
            continue;
        };
        if !SURNAMES.contains(first) {
            continue;
        }
        let mut stop = start + 1;
        while stop < chars.len()
            && stop - start < 3
            && is_han(chars[stop])
            && !is_break(chars[stop])
        {
            stop += 1;
        }
        // A surname alone is not a name (本人王 …); two or three characters are.
        if stop - start >= 2 {
            for m in &mut masked[start + 1..stop] {
                *m = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_lose_their_middle_digits_however_written() {
        let cases = [
            ("电话13900001234", "电话139****1234"),
            ("打139-0000-1234找我", "打139-****-1234找我"),
            ("+8613900001234", "+86139****1234"),
            ("+86 139 0000 1234", "+86 139 **** 1234"),
            ("００８６13900001234", "００８６139****1234"),
        ];
        for (text, want) in cases {
            assert_eq!(mask_text(text), want, "{text}");
        }
    }

    #[test]
    fn an_order_number_is_not_a_phone() {
        for text in [
            "订单号201913900001234567，一直没发货",
            "单号 139000012345 查不到",
            "型号A13900001234",
            "编号990139000012345678",
        ] {
            assert_eq!(mask_text(text), text, "{text}");
        }
    }

    #[test]
    fn id_cards_need_a_valid_check_digit() {
        // 11010519491231002X is the standard's own example.
        assert_eq!(
            mask_text("身份证11010519491231002X"),
            "身份证110105********002X"
        );
        assert_eq!(mask_text("11010519491231002"), "11010519491231002");
        // A wrong check digit: not an ID card, left alone.
        assert_eq!(mask_text("110105194912310021"), "110105194912310021");
    }

    #[test]
    fn bank_cards_pass_luhn_and_follow_a_cue() {
        assert_eq!(
            mask_text("退款到卡号6222021234567890128吧"),
            "退款到卡号***************0128吧"
        );
        assert_eq!(
            mask_text("银行卡 4111 1111 1111 1111"),
            "银行卡 **** **** **** 1111"
        );
        assert_eq!(
            mask_text("退款到卡号6222021234567890127吧"),
            "退款到卡号6222021234567890127吧"
        );
    }

    #[test]
    fn landlines_emails_ids_addresses_and_names() {
        assert_eq!(mask_text("座机010-12345678"), "座机010-****5678");
        assert_eq!(
            mask_text("邮箱 zhangwei@example.com"),
            "邮箱 z*******@example.com"
        );
        assert_eq!(
            mask_text("加V：abc12345，吸力一般"),
            "加V：********，吸力一般"
        );
        assert_eq!(mask_text("有问题加qq 12345678"), "有问题加qq ********");
        assert_eq!(
            mask_text("收件人张伟，地址朝阳区建国路88号，师傅很耐心"),
            "收件人张*，地址朝阳区******，师傅很耐心"
        );
        assert_eq!(mask_text("送到人民大街12号"), "送到*******");
        assert_eq!(mask_text("放在中山路8号门口"), "放在*****门口");
        // Cue words without a name or an id after them leave the text alone.
        assert_eq!(mask_text("收件人是我老婆"), "收件人是我老婆");
        assert_eq!(mask_text("微信支付很方便"), "微信支付很方便");
    }

    #[test]
    fn old_id_cards_and_bracketed_area_codes() {
        assert_eq!(mask_text("身份证110105491231002"), "身份证110105******002");
        assert_eq!(mask_text("电话(010)12345678"), "电话(010)****5678");
        assert_eq!(mask_text("电话（0755） 86013388"), "电话（0755） ****3388");
        // A bracketed year is no area code, and a 15-digit run without a date is kept.
        assert_eq!(mask_text("(2024)12345678"), "(2024)12345678");
        assert_eq!(mask_text("编号123456991399123"), "编号123456991399123");
    }

    #[test]
    fn masking_keeps_the_length() {
        let text = "收件人李小龙 电话 139 0000 1234 地址上海市浦东新区世纪大道100号";
        assert_eq!(mask_text(text).chars().count(), text.chars().count());
    }
}
