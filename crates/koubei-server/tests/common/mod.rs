//! What the server's test binaries share: the workspace they fill and a mention builder.

use koubei_core::{Mention, Polarity};

pub const WS: &str = "default";

/// A mention of the indicator `path` (its id is the last name), with `typical` as its
/// opinion and typical phrase, at chars `start..end`.
pub fn mention(path: &str, typical: &str, polarity: Polarity, start: usize, end: usize) -> Mention {
    Mention {
        indicator: path.to_string(),
        indicator_id: path.rsplit('/').next().unwrap_or(path).to_string(),
        code: None,
        aspect: None,
        opinion: typical.to_string(),
        typical: typical.to_string(),
        polarity,
        start,
        end,
    }
}
