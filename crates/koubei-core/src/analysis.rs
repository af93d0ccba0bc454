//! What the engine says about a review: polarity, mentions, aspect verdicts, flags.
//!
//! These types are the batch contract of `koubei analyze`: their JSON form is the output
//! schema, so field names and enum spellings change only with that contract.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The feeling a review, a clause or a mention expresses.
///
/// `Mixed` is for whole reviews only: clear praise and clear complaint about different
/// things. A mention is always positive, negative or neutral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Positive,
    Negative,
    Neutral,
    Mixed,
}

impl Polarity {
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Positive => "positive",
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
            Polarity::Mixed => "mixed",
        }
    }

    /// The polarity of a signed score, with a dead band around zero.
    pub fn from_score(score: f32, dead_band: f32) -> Polarity {
        if score > dead_band {
            Polarity::Positive
        } else if score < -dead_band {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

impl fmt::Display for Polarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Polarity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "positive" | "pos" | "正面" | "1" => Ok(Polarity::Positive),
            "negative" | "neg" | "负面" | "0" | "-1" => Ok(Polarity::Negative),
            "neutral" | "neu" | "中性" => Ok(Polarity::Neutral),
            "mixed" => Ok(Polarity::Mixed),
            other => Err(format!("unknown polarity {other:?}")),
        }
    }
}

/// The verdict on an aspect the caller asked about; `NotMentioned` differs from `Neutral`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AspectPolarity {
    Positive,
    Negative,
    Neutral,
    NotMentioned,
}

impl From<Polarity> for AspectPolarity {
    fn from(p: Polarity) -> Self {
        match p {
            Polarity::Positive => AspectPolarity::Positive,
            Polarity::Negative => AspectPolarity::Negative,
            Polarity::Neutral | Polarity::Mixed => AspectPolarity::Neutral,
        }
    }
}

/// One place where a review touches an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The indicator's path of names from the root, joined by `/` (产品/清洁能力/吸力).
    pub indicator: String,
    /// The indicator's id in its tree (stable across renames).
    pub indicator_id: String,
    /// The indicator's external code, copied from the tree when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The aspect term as written in the text, or `None` when the indicator was implied
    /// by a cue phrase (发货快 → 物流).
    pub aspect: Option<String>,
    /// The opinion phrase as written in the text.
    pub opinion: String,
    /// The canonical aspect + opinion phrase this mention counts towards (吸力大).
    #[serde(default)]
    pub typical: String,
    pub polarity: Polarity,
    /// Character offsets (not bytes) of the opinion evidence in the original text.
    pub start: usize,
    pub end: usize,
}

/// The answer for one aspect term the caller asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AspectVerdict {
    pub aspect: String,
    pub polarity: AspectPolarity,
    pub opinion: Option<String>,
}

/// Why a review is marked. Flags whose [`Flag::is_excluded_from_stats`] is true keep the
/// review out of statistics unless the user asks to count flagged reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No text at all, or only whitespace.
    Empty,
    /// Text the platform wrote when the buyer wrote none (此用户没有填写评价, 系统默认好评).
    DefaultReview,
    /// The buyer says they have not used the product yet (还没用，先好评).
    NoExperience,
    /// Padding without content (不错不错不错…凑够字数).
    LowInformation,
    /// A review written for a cash-back or a reward (好评返现).
    Incentivized,
    /// Contact details meant to draw buyers elsewhere (加V, 加微信).
    SpamContact,
    /// The same text from several authors.
    TemplateCluster,
    /// Very long text; analysed, but worth a look.
    VeryLong,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Empty => "empty",
            Flag::DefaultReview => "default_review",
            Flag::NoExperience => "no_experience",
            Flag::LowInformation => "low_information",
            Flag::Incentivized => "incentivized",
            Flag::SpamContact => "spam_contact",
            Flag::TemplateCluster => "template_cluster",
            Flag::VeryLong => "very_long",
        }
    }

    /// Whether a review with this flag is left out of statistics by default.
    pub fn is_excluded_from_stats(self) -> bool {
        matches!(
            self,
            Flag::Empty
                | Flag::DefaultReview
                | Flag::NoExperience
                | Flag::Incentivized
                | Flag::SpamContact
                | Flag::TemplateCluster
        )
    }
}

impl FromStr for Flag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [Flag; 8] = [
            Flag::Empty,
            Flag::DefaultReview,
            Flag::NoExperience,
            Flag::LowInformation,
            Flag::Incentivized,
            Flag::SpamContact,
            Flag::TemplateCluster,
            Flag::VeryLong,
        ];
        ALL.into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown flag {s:?}"))
    }
}

/// Everything the engine says about one review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub polarity: Polarity,
    /// From -1 (all complaint) to 1 (all praise); a two-class reading takes `score >= 0`
    /// as positive.
    pub score: f32,
    pub mentions: Vec<Mention>,
    /// Present when the caller named aspects to judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspects: Option<Vec<AspectVerdict>>,
    pub flags: Vec<Flag>,
}

impl Analysis {
    /// Whether the review should be left out of statistics by default.
    pub fn is_excluded_from_stats(&self) -> bool {
        self.flags.iter().any(|f| f.is_excluded_from_stats())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_in_the_batch_contract_spelling() {
        let analysis = Analysis {
            polarity: Polarity::Mixed,
            score: 0.1,
            mentions: vec![],
            aspects: Some(vec![AspectVerdict {
                aspect: "续航".into(),
                polarity: AspectPolarity::NotMentioned,
                opinion: None,
            }]),
            flags: vec![Flag::DefaultReview],
        };
        let json = serde_json::to_string(&analysis).unwrap();
        assert!(json.contains(r#""polarity":"mixed""#));
        assert!(json.contains(r#""not_mentioned""#));
        assert!(json.contains(r#""default_review""#));
    }

    #[test]
    fn flag_names_round_trip() {
        assert_eq!("spam_contact".parse(), Ok(Flag::SpamContact));
        assert!(Flag::DefaultReview.is_excluded_from_stats());
        assert!(!Flag::VeryLong.is_excluded_from_stats());
    }
}
