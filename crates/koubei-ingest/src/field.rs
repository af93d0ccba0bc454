//! Fields and column mapping: which column of a file feeds which part of a review.
//!
//! A **field** is one part of a [`koubei_core::NewReview`] a column can feed. A column is
//! mapped to a field in this order:
//!
//! 1. an explicit mapping (`--map COLUMN=FIELD`), matched on the trimmed header without
//!    regard to case;
//! 2. the header names shop back-ends and crawler tools write, Chinese or English,
//!    compared after lower-casing and dropping spaces, `_` and `-` (so `created_at`,
//!    `createdAt` and `Created At` are one name);
//! 3. the same names once a trailing parenthesised note is dropped (`评分(1-5)`,
//!    `评论内容（必填）`).
//!
//! A field fed by an explicit mapping is not fed by any other column, and for the
//! automatic names the first column wins: later columns with the same meaning are listed
//! as ignored.

use std::fmt;
use std::str::FromStr;

/// The part of a review a column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Text,
    Rating,
    CreatedAt,
    Author,
    Product,
    Model,
    Series,
    Shop,
    Brand,
    Category,
    Channel,
    ChannelReviewId,
    FollowupText,
    FollowupAt,
    /// Read nothing from this column.
    Ignore,
}

/// A field name that `--map` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown field {0:?} (expected text, rating, created_at, author, product, model, series, \
     shop, brand, category, channel, review_id, followup, followup_at or ignore)"
)]
pub struct UnknownField(pub String);

impl Field {
    /// The name `--map` accepts and messages use.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::Rating => "rating",
            Field::CreatedAt => "created_at",
            Field::Author => "author",
            Field::Product => "product",
            Field::Model => "model",
            Field::Series => "series",
            Field::Shop => "shop",
            Field::Brand => "brand",
            Field::Category => "category",
            Field::Channel => "channel",
            Field::ChannelReviewId => "review_id",
            Field::FollowupText => "followup",
            Field::FollowupAt => "followup_at",
            Field::Ignore => "ignore",
        }
    }

    /// The field a header names, by the names exports use; `None` when it names none.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = header_key(header);
        field_for_key(&key).or_else(|| field_for_key(&header_key(strip_note(header))))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = UnknownField;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let field = match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "text" => Field::Text,
            "rating" => Field::Rating,
            "created_at" | "date" | "time" => Field::CreatedAt,
            "author" | "nickname" => Field::Author,
            "product" => Field::Product,
            "model" | "sku" => Field::Model,
            "series" => Field::Series,
            "shop" => Field::Shop,
            "brand" => Field::Brand,
            "category" => Field::Category,
            "channel" | "platform" => Field::Channel,
            "review_id" | "id" => Field::ChannelReviewId,
            "followup" | "followup_text" => Field::FollowupText,
            "followup_at" => Field::FollowupAt,
            "ignore" => Field::Ignore,
            _ => return Err(UnknownField(s.to_string())),
        };
        Ok(field)
    }
}

/// Header names per field, already in [`header_key`] form (lower case, no spaces, `_`, `-`).
const HEADER_NAMES: &[(Field, &[&str])] = &[
    (
        Field::Text,
        &[
            "评论内容",
            "评价内容",
            "内容",
            "评论",
            "评价",
            "首评",
            "初评",
            "初评内容",
            "首评内容",
            "评价详情",
            "评论详情",
            "评论正文",
            "评价正文",
            "正文",
            "评语",
            "买家评价",
            "评价文字",
            "content",
            "comment",
            "comments",
            "review",
            "text",
            "body",
            "reviewtext",
            "reviewcontent",
            "commentcontent",
            "ratecontent",
        ],
    ),
    (
        Field::Rating,
        &[
            "评分",
            "星级",
            "打分",
            "评价星级",
            "商品评分",
            "评星",
            "星数",
            "用户评分",
            "商品星级",
            "综合评分",
            "rating",
            "score",
            "star",
            "stars",
            "reviewrating",
            "commentscore",
        ],
    ),
    (
        Field::CreatedAt,
        &[
            "评论时间",
            "评价时间",
            "时间",
            "日期",
            "发表时间",
            "创建时间",
            "评论日期",
            "评价日期",
            "发布时间",
            "date",
            "time",
            "createdat",
            "creationtime",
            "commenttime",
            "createtime",
            "reviewtime",
            "reviewdate",
            "ratedate",
            "created",
        ],
    ),
    (
        Field::Author,
        &[
            "用户昵称",
            "昵称",
            "用户名",
            "买家",
            "买家昵称",
            "会员",
            "会员名",
            "买家会员名",
            "评论人",
            "评价人",
            "用户",
            "nickname",
            "user",
            "author",
            "username",
            "nick",
            "usernick",
            "displayusernick",
        ],
    ),
    (
        Field::Product,
        &[
            "商品名称",
            "商品",
            "宝贝名称",
            "宝贝",
            "标题",
            "商品标题",
            "宝贝标题",
            "产品",
            "产品名称",
            "product",
            "title",
            "productname",
            "itemtitle",
            "goodsname",
            "auctiontitle",
            "referencename",
        ],
    ),
    (
        Field::Model,
        &[
            "型号",
            "sku",
            "规格",
            "商品规格",
            "颜色分类",
            "商品型号",
            "产品型号",
            "款式",
            "model",
            "skuinfo",
            "skuname",
            "auctionsku",
        ],
    ),
    (Field::Series, &["系列", "产品系列", "series"]),
    (
        Field::Shop,
        &[
            "店铺",
            "店铺名称",
            "店名",
            "商家",
            "shop",
            "store",
            "shopname",
            "storename",
        ],
    ),
    (Field::Brand, &["品牌", "品牌名称", "brand", "brandname"]),
    (
        Field::Category,
        &[
            "品类",
            "类目",
            "分类",
            "类别",
            "商品类目",
            "产品类别",
            "category",
        ],
    ),
    (
        Field::Channel,
        &[
            "渠道",
            "平台",
            "来源",
            "销售渠道",
            "电商平台",
            "platform",
            "channel",
            "source",
        ],
    ),
    (
        Field::ChannelReviewId,
        &[
            "评论id",
            "评价id",
            "评论编号",
            "评价编号",
            "reviewid",
            "commentid",
            "rateid",
            "id",
        ],
    ),
    (
        Field::FollowupText,
        &[
            "追评",
            "追评内容",
            "追加评论",
            "追加评价",
            "aftercontent",
            "append",
            "appendcontent",
            "followup",
            "followuptext",
            "aftercomment",
        ],
    ),
    (
        Field::FollowupAt,
        &[
            "追评时间",
            "追加时间",
            "追加评论时间",
            "追评日期",
            "aftertime",
            "followuptime",
            "followupat",
            "appendtime",
            "aftercommenttime",
        ],
    ),
];

/// A header as the name tables spell it: lower case, in simplified characters, without
/// spaces, `_`, `-` and BOMs.
fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '\u{feff}' | '\u{200b}'))
        .map(simplified)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Traditional characters of header names and their simplified forms, so that exports
/// from Taiwan and Hong Kong shops (評論內容, 評分, 用戶暱稱) match the same names.
const TRADITIONAL_TO_SIMPLIFIED: &[(char, char)] = &[
    ('評', '评'),
    ('論', '论'),
    ('內', '内'),
    ('價', '价'),
    ('時', '时'),
    ('間', '间'),
    ('戶', '户'),
    ('暱', '昵'),
    ('稱', '称'),
    ('買', '买'),
    ('級', '级'),
    ('號', '号'),
    ('規', '规'),
    ('鋪', '铺'),
    ('舖', '铺'),
    ('類', '类'),
    ('來', '来'),
    ('寶', '宝'),
    ('創', '创'),
    ('發', '发'),
    ('標', '标'),
    ('會', '会'),
    ('員', '员'),
    ('編', '编'),
    ('顏', '颜'),
    ('別', '别'),
    ('產', '产'),
    ('詳', '详'),
    ('細', '细'),
    ('題', '题'),
    ('語', '语'),
    ('綜', '综'),
    ('數', '数'),
    ('臺', '台'),
    ('態', '态'),
    ('務', '务'),
];

fn simplified(c: char) -> char {
    TRADITIONAL_TO_SIMPLIFIED
        .iter()
        .find(|(traditional, _)| *traditional == c)
        .map_or(c, |(_, simple)| *simple)
}

fn field_for_key(key: &str) -> Option<Field> {
    HEADER_NAMES
        .iter()
        .find(|(_, names)| names.contains(&key))
        .map(|(field, _)| *field)
}

/// The header without a trailing parenthesised note: `评分(1-5)` → `评分`.
fn strip_note(header: &str) -> &str {
    let trimmed = header.trim();
    if !trimmed.ends_with([')', '）']) {
        return trimmed;
    }
    match trimmed.rfind(['(', '（']) {
        Some(0) | None => trimmed,
        Some(open) => &trimmed[..open],
    }
}

/// Decides what each header maps to; see the module docs for the order of the rules.
///
/// Returns one entry per header. `Ignore` never appears in the result: an ignored or
/// unknown column maps to `None`.
pub fn resolve_columns(headers: &[String], mappings: &[(String, Field)]) -> Vec<Option<Field>> {
    let explicit: Vec<Option<Field>> = headers
        .iter()
        .map(|h| {
            mappings
                .iter()
                .rev()
                .find(|(column, _)| column.trim().to_lowercase() == h.trim().to_lowercase())
                .map(|(_, field)| *field)
        })
        .collect();
    let mut taken: Vec<Field> = explicit.iter().flatten().copied().collect();

    headers
        .iter()
        .zip(explicit)
        .map(|(header, explicit)| match explicit {
            Some(Field::Ignore) => None,
            Some(field) => Some(field),
            None => {
                let field = Field::from_header(header).filter(|f| !taken.contains(f))?;
                taken.push(field);
                Some(field)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_map_names_and_their_aliases() {
        let cases = [
            ("text", Field::Text),
            ("Rating", Field::Rating),
            ("date", Field::CreatedAt),
            ("created-at", Field::CreatedAt),
            ("nickname", Field::Author),
            ("sku", Field::Model),
            ("platform", Field::Channel),
            ("id", Field::ChannelReviewId),
            ("followup", Field::FollowupText),
            ("followup_at", Field::FollowupAt),
            ("ignore", Field::Ignore),
        ];
        for (name, want) in cases {
            assert_eq!(name.parse(), Ok(want), "{name}");
        }
        assert!("stars!".parse::<Field>().is_err());
    }

    #[test]
    fn every_field_name_round_trips() {
        let all = [
            Field::Text,
            Field::Rating,
            Field::CreatedAt,
            Field::Author,
            Field::Product,
            Field::Model,
            Field::Series,
            Field::Shop,
            Field::Brand,
            Field::Category,
            Field::Channel,
            Field::ChannelReviewId,
            Field::FollowupText,
            Field::FollowupAt,
            Field::Ignore,
        ];
        for field in all {
            assert_eq!(field.as_str().parse(), Ok(field));
        }
    }

    #[test]
    fn recognises_export_headers() {
        let cases = [
            ("评论内容", Some(Field::Text)),
            (" Content ", Some(Field::Text)),
            ("评分", Some(Field::Rating)),
            ("creationTime", Some(Field::CreatedAt)),
            ("created_at", Some(Field::CreatedAt)),
            ("用户昵称", Some(Field::Author)),
            ("颜色分类", Some(Field::Model)),
            ("SKU", Some(Field::Model)),
            ("评论ID", Some(Field::ChannelReviewId)),
            ("afterContent", Some(Field::FollowupText)),
            ("追评时间", Some(Field::FollowupAt)),
            ("评分(1-5)", Some(Field::Rating)),
            ("评论内容（必填）", Some(Field::Text)),
            ("label", None),
            ("追评间隔", None),
            ("評論內容", Some(Field::Text)),
            ("用戶暱稱", Some(Field::Author)),
            ("評論時間", Some(Field::CreatedAt)),
        ];
        for (header, want) in cases {
            assert_eq!(Field::from_header(header), want, "{header}");
        }
    }

    #[test]
    fn explicit_mapping_wins_and_first_column_takes_a_field() {
        let headers: Vec<String> = ["label", "category", "text", "评论", "备注"]
            .map(String::from)
            .to_vec();
        let auto = resolve_columns(&headers, &[]);
        assert_eq!(
            auto,
            [None, Some(Field::Category), Some(Field::Text), None, None]
        );

        let mapped = resolve_columns(
            &headers,
            &[
                ("备注".into(), Field::Text),
                ("CATEGORY".into(), Field::Ignore),
            ],
        );
        assert_eq!(mapped, [None, None, None, None, Some(Field::Text)]);
    }
}
