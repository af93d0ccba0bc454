//! The shapes that go in and out of a [`crate::Store`]: filters, statistics, pages.
//!
//! A **filter** selects reviews the way every report and dashboard view does (dates,
//! channel, brand, category, model, keyword, and whether flagged reviews count).
//! **Satisfaction** is the positive share of an indicator's mentions; **net sentiment**
//! is (positive − negative) / mentions. A **typical opinion** is a canonical aspect +
//! opinion phrase (吸力大) counted over mentions.

use chrono::{NaiveDate, NaiveDateTime};
use koubei_core::{Analysis, Mention, NewReview, Polarity};
use serde::{Deserialize, Serialize};

/// A review on its way into the store, with what the engine said about its text and,
/// when it has one, its follow-up.
#[derive(Debug, Clone)]
pub struct AnalysedReview {
    pub review: NewReview,
    pub analysis: Analysis,
    pub followup: Option<Analysis>,
}

/// What one batch insert did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    pub inserted: u64,
    pub duplicates: u64,
    /// Inserted reviews that carry a flag excluding them from statistics.
    pub flagged: u64,
    /// Per item of the batch, in order: its new id, or `None` for a duplicate.
    pub stored: Vec<Option<i64>>,
}

/// Which reviews a report or view looks at. Every field is optional; empty strings
/// count as absent so that query strings from HTML forms work as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// First day included (review creation date).
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    pub channel: Option<String>,
    pub brand: Option<String>,
    pub category: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    /// A substring of the review or follow-up text.
    pub keyword: Option<String>,
    /// The review's own polarity.
    pub polarity: Option<Polarity>,
    /// Count reviews whose flags exclude them by default (default reviews, spam, ...).
    pub include_flagged: bool,
}

impl Filter {
    /// The same filter with empty strings turned into `None` and whitespace trimmed.
    pub fn cleaned(mut self) -> Filter {
        for field in [
            &mut self.channel,
            &mut self.brand,
            &mut self.category,
            &mut self.series,
            &mut self.model,
            &mut self.keyword,
        ] {
            *field = field
                .take()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
        }
        self
    }
}

/// Statistics of one indicator over the filtered reviews. Parents include the mentions
/// of their descendants.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndicatorStat {
    /// Path of names from the root, joined by `/`.
    pub indicator: String,
    pub indicator_id: String,
    pub code: Option<String>,
    pub depth: usize,
    pub mentions: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
}

impl IndicatorStat {
    /// Positive share of the mentions, or `None` without mentions.
    pub fn satisfaction(&self) -> Option<f64> {
        (self.mentions > 0).then(|| self.positive as f64 / self.mentions as f64)
    }

    /// (positive − negative) / mentions, or `None` without mentions.
    pub fn net_sentiment(&self) -> Option<f64> {
        (self.mentions > 0)
            .then(|| (self.positive as f64 - self.negative as f64) / self.mentions as f64)
    }
}

/// A canonical opinion phrase with how often it was said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypicalOpinion {
    pub indicator: String,
    pub typical: String,
    pub polarity: Polarity,
    pub count: u64,
    /// A few review ids to show as examples.
    pub examples: Vec<i64>,
}

/// Totals over the filtered reviews.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub reviews: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    pub mixed: u64,
    /// Reviews left out because of their flags (0 when flagged reviews are included).
    pub excluded: u64,
    pub mentions: u64,
}

/// A drill-down request: a filter plus the indicator and polarity of a number clicked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewQuery {
    #[serde(flatten)]
    pub filter: Filter,
    /// Indicator path; its descendants match too.
    pub indicator: Option<String>,
    /// The polarity of the matching mentions (with an indicator or a typical opinion).
    pub mention_polarity: Option<Polarity>,
    /// Only reviews with a mention counted towards this typical opinion (吸力大).
    pub typical: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl ReviewQuery {
    pub const DEFAULT_PAGE_SIZE: u32 = 20;
    pub const MAX_PAGE_SIZE: u32 = 500;

    /// The page number and size after applying defaults and bounds.
    pub fn paging(&self) -> (u32, u32) {
        let size = self
            .page_size
            .unwrap_or(Self::DEFAULT_PAGE_SIZE)
            .clamp(1, Self::MAX_PAGE_SIZE);
        (self.page.unwrap_or(1).max(1), size)
    }
}

/// A mention as stored: which part of the review it was found in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredMention {
    /// `text` or `followup`: the text the offsets point into.
    pub part: &'static str,
    #[serde(flatten)]
    pub mention: Mention,
    /// When an analyst corrected the polarity: what the engine had said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_polarity: Option<Polarity>,
}

/// An analyst's verdict on one mention: the mention is named by its review, the part of
/// the review, its indicator and its evidence offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionCorrection {
    pub review: i64,
    /// `text` or `followup`.
    pub part: &'static str,
    pub indicator: String,
    pub start: usize,
    pub end: usize,
    /// Positive, neutral or negative.
    pub polarity: Polarity,
}

/// What [`crate::Store::correct_mention`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CorrectionOutcome {
    /// What the engine had said.
    pub engine_polarity: Polarity,
    /// What the mention says now.
    pub polarity: Polarity,
}

/// A stored correction, as the list of corrections shows it (and as training data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrectionRecord {
    pub review: i64,
    pub part: &'static str,
    pub indicator: String,
    pub start: usize,
    pub end: usize,
    /// The evidence: the words the offsets cover.
    pub evidence: String,
    /// The whole text the evidence is in (the review or its follow-up).
    pub text: String,
    pub engine_polarity: Polarity,
    pub polarity: Polarity,
    pub actor: String,
    pub at: NaiveDateTime,
}

/// A review with its analysis, as the drill-down shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReview {
    pub id: i64,
    #[serde(flatten)]
    pub review: NewReview,
    pub polarity: Option<Polarity>,
    pub score: Option<f32>,
    pub flags: Vec<String>,
    pub mentions: Vec<StoredMention>,
}

/// One page of reviews and the total that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPage {
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub reviews: Vec<StoredReview>,
}

/// Which mentions an alert window counts: those of reviews written (or, undated, arrived)
/// in `[from, to)`, passing the filter's channel, brand, category, series and model, of the
/// indicator's subtree when one is given.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowQuery {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub indicator: Option<String>,
    /// Its dates are ignored; flagged reviews never count.
    pub filter: Filter,
    /// Review times are local to the shops (as the exports write them) while arrival times
    /// are stored in UTC: local minus UTC, to compare the two.
    pub local_offset: chrono::Duration,
}

/// What a window holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WindowCounts {
    pub reviews: u64,
    pub mentions: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// The newest review time in the window (written, else arrived).
    pub newest: Option<NaiveDateTime>,
}

/// Which reviews a deletion removes; at least one field must be set, and all set fields
/// must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteSelector {
    /// The author as stored (masked, 张*), optionally with the channel to narrow it.
    pub author: Option<String>,
    pub channel: Option<String>,
    /// The file the reviews were imported from, as stored (`source_file`).
    pub source_file: Option<String>,
    /// Reviews written (or, undated, imported) before this time.
    pub before: Option<NaiveDateTime>,
    /// One review, by koubei's own number (the `#123` of the drill-down).
    pub review: Option<i64>,
}

impl DeleteSelector {
    pub fn is_empty(&self) -> bool {
        self.author.is_none()
            && self.source_file.is_none()
            && self.before.is_none()
            && self.review.is_none()
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: NaiveDateTime,
    /// Who: a user, a token's name, `cli`, or `retention`.
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub workspace: String,
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: String,
    pub failed_logins: u32,
    pub locked_until: Option<NaiveDateTime>,
}

/// A signed-in session, with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub workspace: String,
    pub user_id: i64,
    pub username: String,
    pub role: String,
    pub csrf: String,
    pub expires_at: NaiveDateTime,
}

/// Who may push reviews: an API token as stored (its secret only as a SHA-256 digest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub workspace: String,
    pub name: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl TokenRecord {
    /// Whether the token may be used at `now` (not revoked, not expired).
    pub fn is_valid_at(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// A token to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    pub name: String,
    /// Lower-case hex SHA-256 of the secret the caller presents.
    pub secret_sha256: String,
    pub role: String,
    pub expires_at: Option<NaiveDateTime>,
}

/// What stands in an alert for the words of a deleted review.
pub const DELETED_QUOTE: &str = "（该评论已删除）";

/// An alert to queue: stored once per `key`, with one delivery per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    /// What makes two alerts the same one (`risk:冒烟:<review dedup key>`, `spike:…:<window>`).
    pub key: String,
    /// The rule's name, for cooldowns and the history.
    pub rule: String,
    pub severity: String,
    pub title: String,
    /// The rendered-independent message, as JSON.
    pub message: serde_json::Value,
    /// The stored review each of the message's `quotes` came from, in order; empty when
    /// the quotes are not buyers' words. Deleting a review blanks its quote.
    pub quoted_reviews: Vec<i64>,
}

/// One delivery that is due: an alert for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    pub id: i64,
    pub alert_id: i64,
    pub channel: String,
    pub attempts: u32,
    pub message: serde_json::Value,
}

/// What became of a delivery attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryResult {
    Sent,
    /// Try again at this time.
    RetryAt(NaiveDateTime, String),
    Failed(String),
}

/// An alert in the history, with where it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRecord {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub title: String,
    pub message: serde_json::Value,
    pub created_at: NaiveDateTime,
    pub deliveries: Vec<DeliveryRecord>,
}

/// One channel's delivery of an alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRecord {
    pub channel: String,
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
}
