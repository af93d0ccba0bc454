//! The labelled formats `koubei eval` reads, and how a file's format is told from its name
//! and first line.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// One labelled format (see `../shared/data/README.md` for the research sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `label\ttext` or `label\tcategory\ttext`, label 1 positive, 0 negative.
    Polarity,
    /// Peng et al.: `text\taspect\tpolarity` (Positive / Negative / Neutral).
    Peng,
    /// SemEval-2016 Task 5: `sentence_id\ttext\topinions`, opinions `ENTITY#ATTRIBUTE:pol;…`.
    Semeval,
    /// ZhejiangLab cosmetics JSON Lines: a review with (category, polarity) labels.
    Cosmetics,
    /// The project's hard cases: review polarity and aspect polarities per line.
    Cases,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Polarity,
        Format::Peng,
        Format::Semeval,
        Format::Cosmetics,
        Format::Cases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Polarity => "polarity",
            Format::Peng => "peng",
            Format::Semeval => "semeval",
            Format::Cosmetics => "cosmetics",
            Format::Cases => "cases",
        }
    }

    /// The format a file holds, from its first line, else from its name.
    pub fn detect(file_name: &str, first_line: &str) -> Option<Format> {
        Format::from_header(first_line).or_else(|| Format::from_name(file_name))
    }

    fn from_header(line: &str) -> Option<Format> {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.starts_with('{') {
            if line.contains("\"labels\"") {
                return Some(Format::Cosmetics);
            }
            if line.contains("\"aspects\"") && line.contains("\"polarity\"") {
                return Some(Format::Cases);
            }
            return None;
        }
        let columns: Vec<String> = line.split('\t').map(|c| c.trim().to_lowercase()).collect();
        let has = |name: &str| columns.iter().any(|c| c == name);
        if has("sentence_id") && has("opinions") {
            Some(Format::Semeval)
        } else if has("aspect") && has("polarity") && has("text") {
            Some(Format::Peng)
        } else if has("label") && has("text") {
            Some(Format::Polarity)
        } else {
            None
        }
    }

    fn from_name(name: &str) -> Option<Format> {
        let name = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(name)
            .to_lowercase();
        [
            ("semeval", Format::Semeval),
            ("peng_", Format::Peng),
            ("zhejianglab", Format::Cosmetics),
            ("cosmetics", Format::Cosmetics),
            ("review_cases", Format::Cases),
        ]
        .into_iter()
        .find(|(part, _)| name.contains(part))
        .map(|(_, f)| f)
        .or_else(|| name.ends_with(".tsv").then_some(Format::Polarity))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| {
                format!("unknown format {s:?} (polarity, peng, semeval, cosmetics, cases)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_headers_then_names() {
        let table = [
            (
                "os10_dev.tsv",
                "label\tcategory\ttext",
                Some(Format::Polarity),
            ),
            ("x.tsv", "label\ttext", Some(Format::Polarity)),
            (
                "peng_phone_train.tsv",
                "text\taspect\tpolarity",
                Some(Format::Peng),
            ),
            (
                "a.tsv",
                "sentence_id\ttext\topinions",
                Some(Format::Semeval),
            ),
            (
                "c.jsonl",
                r#"{"id": "1", "text": "很好", "labels": []}"#,
                Some(Format::Cosmetics),
            ),
            (
                "cases.jsonl",
                r#"{"id": "HC-01", "text": "t", "polarity": "negative", "aspects": []}"#,
                Some(Format::Cases),
            ),
            (
                "data/semeval16_phones_train.tsv",
                "garbage",
                Some(Format::Semeval),
            ),
            ("notes.txt", "hello", None),
        ];
        for (name, header, want) in table {
            assert_eq!(Format::detect(name, header), want, "{name}");
        }
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
