//! Text encodings: which one a file's bytes are in, and its text.
//!
//! The order of the tests matters:
//!
//! 1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE) decides;
//! 2. bytes that are valid UTF-8 are UTF-8. This must come before any legacy decoder,
//!    because a GB18030 decoder accepts almost any byte string, UTF-8 Chinese included,
//!    and turns it into mojibake without reporting an error;
//! 3. otherwise the bytes are GB18030 (which covers GBK and GB2312) or Big5, chosen by
//!    evidence: a sample is decoded both ways and each reading is scored on decoding
//!    errors, on how many characters are among the most frequent Chinese characters
//!    (simplified or traditional), and on characters mojibake is made of (private-use
//!    code points, kana, box drawing). A tie goes to GB18030, the encoding of mainland
//!    shop exports.
//!
//! The whole file is decoded once, with the chosen encoding; only the bytes and that one
//! text are held, and the bytes are dropped as soon as the text exists.

use std::collections::HashSet;
use std::sync::LazyLock;

use encoding_rs::{BIG5, Encoding, GB18030, UTF_16BE, UTF_16LE};

/// How a file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    Gb18030,
    Big5,
}

impl TextEncoding {
    /// The name [`crate::FileReader::encoding`] reports.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16LeBom => "UTF-16LE (BOM)",
            TextEncoding::Utf16BeBom => "UTF-16BE (BOM)",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Big5 => "Big5",
        }
    }
}

/// A file's text and the encoding it was read with.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
    /// Whether some bytes could not be decoded and became U+FFFD.
    pub had_errors: bool,
}

/// Bytes of the sample the GB18030/Big5 choice is made on.
const SAMPLE_BYTES: usize = 64 * 1024;

/// Detects the encoding of `bytes` and decodes them, consuming the bytes.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some(decoded) = decode_with_bom(&bytes) {
        return decoded;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded {
            text,
            encoding: TextEncoding::Utf8,
            had_errors: false,
        },
        Err(err) => decode_legacy(&err.into_bytes()),
    }
}

fn decode_with_bom(bytes: &[u8]) -> Option<Decoded> {
    let (encoding, label, bom_len): (&'static Encoding, _, _) = match bytes {
        [0xEF, 0xBB, 0xBF, ..] => (encoding_rs::UTF_8, TextEncoding::Utf8Bom, 3),
        [0xFF, 0xFE, ..] => (UTF_16LE, TextEncoding::Utf16LeBom, 2),
        [0xFE, 0xFF, ..] => (UTF_16BE, TextEncoding::Utf16BeBom, 2),
        _ => return None,
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
    Some(Decoded {
        text: text.into_owned(),
        encoding: label,
        had_errors,
    })
}

fn decode_legacy(bytes: &[u8]) -> Decoded {
    let encoding = guess_chinese_legacy(bytes);
    let decoder = match encoding {
        TextEncoding::Big5 => BIG5,
        _ => GB18030,
    };
    let (text, had_errors) = decoder.decode_without_bom_handling(bytes);
    tracing::debug!(
        encoding = encoding.label(),
        had_errors,
        "decoded legacy Chinese text"
    );
    Decoded {
        text: text.into_owned(),
        encoding,
        had_errors,
    }
}

/// GB18030 or Big5, by which reading of a sample looks more like Chinese text.
pub fn guess_chinese_legacy(bytes: &[u8]) -> TextEncoding {
    let sample = sample_of(bytes);
    let (gb_text, _) = GB18030.decode_without_bom_handling(sample);
    let (big5_text, _) = BIG5.decode_without_bom_handling(sample);
    let gb = plausibility(&gb_text);
    let big5 = plausibility(&big5_text);
    tracing::debug!(gb, big5, "scored GB18030 and Big5 readings");
    if big5 > gb {
        TextEncoding::Big5
    } else {
        TextEncoding::Gb18030
    }
}

/// The first bytes of the file, cut after a line feed, a byte that is never part of a
/// multi-byte GB18030 or Big5 character, so no character is split.
fn sample_of(bytes: &[u8]) -> &[u8] {
    if bytes.len() <= SAMPLE_BYTES {
        return bytes;
    }
    let head = &bytes[..SAMPLE_BYTES];
    match head.iter().rposition(|&b| b == b'\n') {
        Some(end) if end > 0 => &head[..=end],
        _ => head,
    }
}

/// How much a decoded text looks like Chinese: frequent characters count for it,
/// replacement characters and the usual material of mojibake against it.
fn plausibility(text: &str) -> i64 {
    text.chars().map(char_score).sum()
}

fn char_score(c: char) -> i64 {
    if c.is_ascii() {
        return 0;
    }
    if COMMON_CHARS.contains(&c) {
        return 2;
    }
    match c {
        '\u{FFFD}' => -8,
        '\u{E000}'..='\u{F8FF}' => -4,
        '\u{3040}'..='\u{30FF}' | '\u{2500}'..='\u{257F}' => -2,
        _ => 0,
    }
}

/// The most frequent characters of Chinese review text, simplified and traditional. A real
/// reading hits this set on most characters; a wrong reading hits it by chance only.
static COMMON_CHARS: LazyLock<HashSet<char>> = LazyLock::new(|| {
    let simplified = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可\
        你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与\
        好看学进种将还分此心前面又定见只主没公从已知全间很最把长没问题感觉比较非常东西质量价格\
        买卖快递物流客服态度服务商品产品收到包装喜欢满意推荐效果声音噪音吸力续航电池充电清洁\
        扫地机器人拖地功能使用用了一下太差坏给力不错值得信赖购物第次再送货速度师傅安装售后退换\
        点样些真正还是就是但是因为所以如果虽然而且手机屏幕外观漂亮颜色尺寸大小便宜贵划算实惠\
        朋友家里房间酒店环境位置早餐干净卫生设施前台入住书本内容作者故事读看写老板回复评价好评\
        差评中评失望垃圾后悔一般还行可以挺特别超级有点稍微应该希望期待开心舒服方便简单麻烦问题\
        时候今天昨天时间小时分钟月份第一以后之前现在马上已经一直总是终于觉得认为知道发现想要\
        需要可能能够会不会没有什么怎么为什么这个那个哪里这里每个所有一些其他自己我们你们他们她\
        它孩子妈妈老公宝宝电视电脑冰箱空调洗衣机热水器吹风机耳机键盘鼠标灯光线网络信号系统软件\
        硬件性能运行流畅卡顿速度发热温度味道口感新鲜正品假货官方旗舰店铺京东天猫淘宝";
    let traditional = "這個們來說國時會對後過發現裡種從與點還開問經機電話實東車長見間進動應關麼學\
        樣體質價買賣貨務網評論無聲為沒給讓將當著歡氣覺樂錢壞費換優聽寫讀認識頭聯處業產標準場離\
        題運輸送達顏設計強續航廳嗎熱溫環境變幾頁壓紅綠藍邊層裝檢測聞傳統內部級數據較總結師導並\
        隻滿謝親愛興趣員區們愛個於麗靜準確與樣閱讀書隨時電視腦冰箱調洗衣熱水器吹風耳鍵盤鼠燈線\
        訊號統軟硬性能運順暢卡頓熱溫味鮮專營門戶購買後悔垃圾還行應該希望期待開心舒服方便簡單麻\
        煩問題時候今天昨天鐘月份已經一直總終於覺得認為知道發現需要會麼這那裡每所有其他自己我們\
        你們他們她孩子媽媽老公寶寶";
    simplified
        .chars()
        .chain(traditional.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLIFIED: &str =
        "评论内容,评分\n吸力很强，噪音小,5\n续航太短，半小时就没电,2\n物流很快，客服态度好,5\n";
    const TRADITIONAL: &str = "評論內容,評分\n這台掃地機器人吸力很強，噪音也不大,5\n續航太短，半小時就沒電了,2\n物流很快，客服態度很好,5\n";

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = encoding.encode(text);
        assert!(!had_errors, "test text must be encodable");
        bytes.into_owned()
    }

    #[test]
    fn utf8_chinese_without_bom_is_utf8() {
        let decoded = decode(SIMPLIFIED.as_bytes().to_vec());
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert_eq!(decoded.text, SIMPLIFIED);
    }

    #[test]
    fn boms_decide() {
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice(SIMPLIFIED.as_bytes());
        let decoded = decode(utf8);
        assert_eq!(
            (decoded.encoding, decoded.text.as_str()),
            (TextEncoding::Utf8Bom, SIMPLIFIED)
        );

        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(SIMPLIFIED.encode_utf16().flat_map(u16::to_le_bytes));
        let decoded = decode(utf16);
        assert_eq!(
            (decoded.encoding, decoded.text.as_str()),
            (TextEncoding::Utf16LeBom, SIMPLIFIED)
        );

        let mut utf16be: Vec<u8> = vec![0xFE, 0xFF];
        utf16be.extend(SIMPLIFIED.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(utf16be).encoding, TextEncoding::Utf16BeBom);
    }

    #[test]
    fn gbk_bytes_are_gb18030() {
        for text in [SIMPLIFIED, "好评", "质量不错，物流快"] {
            let decoded = decode(encode(GB18030, text));
            assert_eq!(decoded.encoding, TextEncoding::Gb18030, "{text}");
            assert_eq!(decoded.text, text);
        }
    }

    #[test]
    fn big5_bytes_are_big5() {
        for text in [TRADITIONAL, "這個很好用", "客服態度很差，退貨很麻煩"] {
            let decoded = decode(encode(BIG5, text));
            assert_eq!(decoded.encoding, TextEncoding::Big5, "{text}");
            assert_eq!(decoded.text, text);
        }
    }

    #[test]
    fn sample_cut_keeps_whole_characters() {
        let long = SIMPLIFIED.repeat(SAMPLE_BYTES / SIMPLIFIED.len() + 10);
        let bytes = encode(GB18030, &long);
        let sample = sample_of(&bytes);
        assert!(sample.len() <= SAMPLE_BYTES);
        assert_eq!(sample.last(), Some(&b'\n'));
        assert_eq!(guess_chinese_legacy(&bytes), TextEncoding::Gb18030);
    }
}
