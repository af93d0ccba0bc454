//! Reviews: what an importer hands over and what the store keeps.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::Channel;
use crate::text::{fingerprint, normalize_for_dedup};

/// The workspace used when none is named. A workspace is one brand or client; every
/// stored key starts with its id so that several can share one database server.
pub const DEFAULT_WORKSPACE: &str = "default";

/// A review as read from a file or received over HTTP, before the store numbers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewReview {
    pub channel: Channel,
    /// The channel's own id for the review, when the export carries one.
    pub channel_review_id: Option<String>,
    pub shop: Option<String>,
    pub brand: Option<String>,
    /// Product category, which selects the indicator tree (扫地机器人, 酒店, ...).
    pub category: Option<String>,
    pub series: Option<String>,
    /// Model or SKU.
    pub model: Option<String>,
    /// Product title as the shop lists it.
    pub product: Option<String>,
    /// Star rating, 1 to 5.
    pub rating: Option<u8>,
    pub text: String,
    /// The follow-up review (追评), written later by the same buyer.
    pub followup_text: Option<String>,
    pub followup_at: Option<NaiveDateTime>,
    pub created_at: Option<NaiveDateTime>,
    /// The author's nickname, already masked (张** style).
    pub author: Option<String>,
    pub source_file: Option<String>,
    /// 1-based record number in the source file (the header is not counted).
    pub source_row: Option<u64>,
}

impl NewReview {
    /// A review with only a text, every other field left empty.
    pub fn with_text(text: impl Into<String>) -> Self {
        NewReview {
            text: text.into(),
            ..NewReview::default()
        }
    }

    /// The key under which a review counts as already stored.
    ///
    /// With the channel's own review id the key is channel + id. Without it, the key is a
    /// fingerprint of the normalised text (see [`normalize_for_dedup`]), the author and the
    /// creation time, so that the same export read twice (or with other spacing, line ends
    /// or full-width digits) adds nothing.
    pub fn dedup_key(&self) -> String {
        if let Some(id) = self.channel_review_id.as_deref().map(str::trim)
            && !id.is_empty()
        {
            return format!("id:{}:{}", self.channel, id);
        }
        let created = self
            .created_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let author = self.author.as_deref().unwrap_or("").trim();
        let body = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            normalize_for_dedup(&self.text),
            normalize_for_dedup(self.followup_text.as_deref().unwrap_or("")),
            author,
            created
        );
        format!("tx:{}", fingerprint(&body))
    }
}

/// A stored review: a [`NewReview`] with the id the store gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    #[serde(flatten)]
    pub review: NewReview,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_id_wins_over_text() {
        let mut a = NewReview::with_text("吸力很强");
        a.channel = Channel::Jd;
        a.channel_review_id = Some("123".into());
        let mut b = a.clone();
        b.text = "完全不同".into();
        assert_eq!(a.dedup_key(), b.dedup_key());
        assert_eq!(a.dedup_key(), "id:jd:123");
    }

    #[test]
    fn text_key_ignores_width_and_space_but_not_punctuation() {
        let a = NewReview::with_text("续航１２０分钟，够用！");
        let b = NewReview::with_text(" 续航120分钟, 够用!\r\n");
        assert_eq!(a.dedup_key(), b.dedup_key());
        let c = NewReview::with_text("续航120分钟。够用。");
        assert_ne!(a.dedup_key(), c.dedup_key());
    }

    #[test]
    fn text_key_separates_authors_and_times() {
        let a = NewReview::with_text("安装师傅非常专业");
        let mut b = a.clone();
        b.author = Some("张**".into());
        assert_ne!(a.dedup_key(), b.dedup_key());
    }
}
