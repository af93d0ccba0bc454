//! Evaluation of the koubei engine on labelled review sets.
//!
//! `koubei eval` reads one labelled file, runs the engine over it and prints the figures
//! the accuracy targets are stated in. This crate owns the three parts of that:
//! - [`read`]: one reader per labelled [`Format`] (polarity TSV, Peng aspect TSV,
//!   SemEval-2016 TSV, ZhejiangLab cosmetics JSON Lines, the project's hard cases);
//! - [`metrics`]: confusion tables (accuracy, macro-F1) and set overlaps (micro
//!   precision, recall, F1);
//! - [`run`]: scorers that analyse the rows and fill a [`Report`], printed as a table or
//!   serialised as JSON.
//!
//! The research sets may not be redistributed, so the tests here use tiny inline samples;
//! the figures themselves are produced by `koubei eval` (see `docs/evaluation.md`).

mod error;
mod format;
pub mod metrics;
pub mod read;
mod report;
pub mod run;

pub use error::EvalError;
pub use format::Format;
pub use report::{Failure, Figure, Report};

/// The 13 review categories of the ZhejiangLab cosmetics set: the codes of the cosmetics
/// tree's indicators.
pub const COSMETICS_CATEGORIES: [&str; 13] = [
    "整体",
    "使用体验",
    "功效",
    "价格",
    "物流",
    "气味",
    "包装",
    "真伪",
    "服务",
    "其他",
    "成分",
    "尺寸",
    "新鲜度",
];

/// Whether a mention code is a SemEval-2016 `ENTITY#ATTRIBUTE` category.
pub fn is_semeval_code(code: &str) -> bool {
    code.contains('#')
}

/// Whether a mention code is one of the ZhejiangLab cosmetics categories.
pub fn is_cosmetics_code(code: &str) -> bool {
    COSMETICS_CATEGORIES.contains(&code)
}
