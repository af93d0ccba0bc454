//! An in-memory column index of one workspace, for the dashboard's questions.
//!
//! The dashboard asks aggregate questions (counts per indicator and polarity, per day, per
//! brand) under any filter, and must answer them in well under 200 ms with a million
//! reviews. A SQL `GROUP BY` over every mention does not: it reads and joins millions of
//! rows per call. [`FactIndex`] keeps what those questions need in flat columns instead:
//! per review its date, channel, brand, category, series, model, polarity, flag state and
//! text; per mention its indicator, polarity and typical opinion, all strings replaced by
//! small integer ids. A filter is compiled to ids once and every query is then a loop over
//! integer columns.
//!
//! The index is a cache of the [`Store`], never the truth: [`SharedIndex`] reads the
//! store's change counters ([`Revision`]) before each use, appends reviews stored since
//! (their ids only grow) and rebuilds from scratch when stored reviews changed (re-analysis,
//! deletion). Keyword search scans the reviews' texts, kept lower-cased in one buffer, with
//! a SIMD substring search; that finds Chinese words without any tokenizer, as `LIKE` does.
//!
//! Every answer here has a SQL twin in the store (`indicator_stats`, `typical_opinions`,
//! `reviews`, `summary`), and the tests hold the two to the same results.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use koubei_core::{Channel, Polarity};
use serde::Serialize;

use crate::model::{Filter, IndicatorStat, ReviewQuery, Summary, TypicalOpinion};
use crate::{Result, Store};

/// A workspace's change counters, as the store keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// Grows with every batch that stored new reviews.
    pub revision: i64,
    /// Grows whenever stored reviews changed or were removed.
    pub epoch: i64,
}

/// One review in the compact form the index loads.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    pub id: i64,
    pub created_at: Option<NaiveDateTime>,
    pub channel: String,
    pub brand: Option<String>,
    pub category: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    pub polarity: Option<Polarity>,
    pub excluded: bool,
    pub text: String,
    pub followup_text: Option<String>,
    pub mentions: Vec<FactMention>,
}

/// One mention in the compact form the index loads.
#[derive(Debug, Clone, PartialEq)]
pub struct FactMention {
    pub indicator: String,
    /// The indicator's id in its tree, and its external code (SemEval category) if any.
    pub indicator_id: String,
    pub code: Option<String>,
    pub typical: String,
    pub polarity: Polarity,
}

/// A column of reviews the dashboard can group or filter by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Channel,
    Brand,
    Category,
    Series,
    Model,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Channel,
        Dimension::Brand,
        Dimension::Category,
        Dimension::Series,
        Dimension::Model,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Channel => "channel",
            Dimension::Brand => "brand",
            Dimension::Category => "category",
            Dimension::Series => "series",
            Dimension::Model => "model",
        }
    }

    /// The same filter narrowed to `value` in this dimension.
    pub fn narrow(self, filter: &Filter, value: &str) -> Filter {
        let mut narrowed = filter.clone();
        let field = match self {
            Dimension::Channel => &mut narrowed.channel,
            Dimension::Brand => &mut narrowed.brand,
            Dimension::Category => &mut narrowed.category,
            Dimension::Series => &mut narrowed.series,
            Dimension::Model => &mut narrowed.model,
        };
        *field = Some(value.to_string());
        narrowed
    }
}

impl FromStr for Dimension {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("expected channel, brand, category, series or model, got {s:?}"))
    }
}

/// The width of a trend's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl Granularity {
    /// Days for spans up to about two months, weeks up to two years, months beyond.
    pub fn for_span(days: i64) -> Granularity {
        match days {
            ..=62 => Granularity::Day,
            63..=731 => Granularity::Week,
            _ => Granularity::Month,
        }
    }

    /// The first day of the bucket holding `day`.
    fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Granularity::Day => day,
            Granularity::Week => {
                day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
            }
            Granularity::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting on `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Granularity::Day => start + chrono::Duration::days(1),
            Granularity::Week => start + chrono::Duration::days(7),
            Granularity::Month => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

impl FromStr for Granularity {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "day" => Ok(Granularity::Day),
            "week" => Ok(Granularity::Week),
            "month" => Ok(Granularity::Month),
            other => Err(format!("expected day, week or month, got {other:?}")),
        }
    }
}

/// The most buckets a trend has; wider ranges get wider buckets.
pub const MAX_TREND_POINTS: i64 = 1_000;

/// One bucket of a trend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The bucket's first day.
    pub period: String,
    pub reviews: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    pub mixed: u64,
    /// Mentions in scope (all, or of one indicator), with their polarities.
    pub mentions: u64,
    pub mention_positive: u64,
    pub mention_neutral: u64,
    pub mention_negative: u64,
    pub net_sentiment: Option<f64>,
    pub satisfaction: Option<f64>,
}

/// Reviews and mentions over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub granularity: Granularity,
    pub points: Vec<TrendPoint>,
}

/// One value of a dimension with its counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BreakdownRow {
    pub value: String,
    pub reviews: u64,
    pub mentions: u64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    pub satisfaction: Option<f64>,
    pub net_sentiment: Option<f64>,
}

/// A value of a dimension and how many reviews carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionCount {
    pub value: String,
    pub count: u64,
}

/// The values the filter bar offers, over the whole workspace.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Options {
    pub channels: Vec<OptionCount>,
    pub brands: Vec<OptionCount>,
    pub categories: Vec<OptionCount>,
    pub series: Vec<OptionCount>,
    pub models: Vec<OptionCount>,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

/// The drill-down's answer: how many reviews matched and the ids of one page, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct IdPage {
    pub total: u64,
    pub ids: Vec<i64>,
}

/// Strings replaced by dense ids.
#[derive(Debug, Default, Clone)]
struct Dict {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Dict {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

/// No value (a review without a brand, a date, a parent indicator).
const NONE: u32 = u32::MAX;
const NO_DAY: i32 = i32::MIN;
const NO_TIME: i64 = i64::MIN;

/// Review polarity codes; 0 is "not analysed".
const R_POSITIVE: u8 = 1;
const R_NEUTRAL: u8 = 2;
const R_NEGATIVE: u8 = 3;
const R_MIXED: u8 = 4;

/// Mention polarity codes, as statistics count them (a mixed mention counts as neutral).
const M_POSITIVE: u8 = 0;
const M_NEUTRAL: u8 = 1;
const M_NEGATIVE: u8 = 2;

/// Separators in the text buffer, which no keyword contains: between a review's text and
/// its follow-up, and after each review.
const PART_END: u8 = 0x01;
const REVIEW_END: u8 = 0x00;

fn review_code(p: Option<Polarity>) -> u8 {
    match p {
        None => 0,
        Some(Polarity::Positive) => R_POSITIVE,
        Some(Polarity::Neutral) => R_NEUTRAL,
        Some(Polarity::Negative) => R_NEGATIVE,
        Some(Polarity::Mixed) => R_MIXED,
    }
}

fn mention_code(p: Polarity) -> u8 {
    match p {
        Polarity::Positive => M_POSITIVE,
        Polarity::Negative => M_NEGATIVE,
        Polarity::Neutral | Polarity::Mixed => M_NEUTRAL,
    }
}

fn mention_polarity(code: u8) -> Polarity {
    match code {
        M_POSITIVE => Polarity::Positive,
        M_NEGATIVE => Polarity::Negative,
        _ => Polarity::Neutral,
    }
}

fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

fn day_of(number: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(number)
}

/// The first and last of `days`, undated ones skipped; `(i32::MAX, i32::MIN)` when none
/// is dated, which [`day_of`] turns into `None`.
fn day_bounds(days: impl Iterator<Item = i32>) -> (i32, i32) {
    days.filter(|&d| d != NO_DAY)
        .fold((i32::MAX, i32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)))
}

/// Counts of positive, neutral and negative mentions.
type Counts = [u64; 3];

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn net(counts: &Counts) -> Option<f64> {
    let total = counts.iter().sum::<u64>();
    (total > 0).then(|| (counts[0] as f64 - counts[2] as f64) / total as f64)
}

/// A filter compiled to the index's ids. `None` in a field means "any".
struct Compiled {
    from: i32,
    to: i32,
    dims: [Option<u32>; 5],
    polarity: Option<u8>,
    include_flagged: bool,
    /// Rows whose text contains the keyword, ascending; `None` without a keyword.
    keyword_rows: Option<Vec<u32>>,
    /// A value was asked for that no review has: nothing matches.
    impossible: bool,
}

/// The column index of one workspace. See the module docs.
#[derive(Debug, Default)]
pub struct FactIndex {
    revision: Revision,
    last_id: i64,
    dicts: [Dict; 5],
    dims: [Vec<u32>; 5],
    ids: Vec<i64>,
    times: Vec<i64>,
    days: Vec<i32>,
    polarity: Vec<u8>,
    excluded: Vec<bool>,
    /// Review `i`'s text is `text[text_end[i-1]..text_end[i]]`.
    text: Vec<u8>,
    text_end: Vec<usize>,
    /// Review `i`'s mentions are `mention_end[i-1]..mention_end[i]`.
    mention_end: Vec<u32>,
    m_indicator: Vec<u32>,
    m_polarity: Vec<u8>,
    m_typical: Vec<u32>,
    indicators: Dict,
    /// Per indicator: the smallest tree id and code its own mentions carry, as the SQL
    /// statistics report them (`None` for a path only seen as an ancestor).
    indicator_meta: Vec<Option<(String, Option<String>)>>,
    parent: Vec<u32>,
    depth: Vec<u8>,
    typicals: Dict,
    /// Row numbers, newest review first (date descending, then id descending).
    order: Vec<u32>,
}

impl FactIndex {
    pub fn new() -> FactIndex {
        FactIndex::default()
    }

    /// Builds an index from rows (in id order), as tests and benchmarks do.
    pub fn from_rows(rows: &[FactRow]) -> FactIndex {
        let mut index = FactIndex::new();
        index.append(rows);
        index
    }

    pub fn revision(&self) -> Revision {
        self.revision
    }

    /// How many reviews the index holds, flagged ones included.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes held by the columns (not counting the dictionaries' strings), for benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.text_end.capacity() * 8
            + self.ids.capacity() * 8
            + self.times.capacity() * 8
            + self.days.capacity() * 4
            + self.dims.iter().map(|d| d.capacity() * 4).sum::<usize>()
            + self.polarity.capacity()
            + self.excluded.capacity()
            + self.mention_end.capacity() * 4
            + self.m_indicator.capacity() * 4
            + self.m_typical.capacity() * 4
            + self.m_polarity.capacity()
            + self.order.capacity() * 4
    }

    /// Adds reviews newer than every review held (rows in id order; older ones are skipped).
    pub fn append(&mut self, rows: &[FactRow]) {
        let first_new = self.ids.len();
        for row in rows {
            if row.id <= self.last_id {
                continue;
            }
            self.push_row(row);
            self.last_id = row.id;
        }
        let mut fresh: Vec<u32> = (first_new as u32..self.ids.len() as u32).collect();
        if fresh.is_empty() {
            return;
        }
        fresh.sort_unstable_by_key(|&i| self.order_key(i));
        let old = std::mem::take(&mut self.order);
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        let (mut a, mut b) = (0, 0);
        while a < old.len() && b < fresh.len() {
            if self.order_key(old[a]) <= self.order_key(fresh[b]) {
                merged.push(old[a]);
                a += 1;
            } else {
                merged.push(fresh[b]);
                b += 1;
            }
        }
        merged.extend_from_slice(&old[a..]);
        merged.extend_from_slice(&fresh[b..]);
        self.order = merged;
    }

    fn order_key(&self, row: u32) -> (Reverse<i64>, Reverse<i64>) {
        let i = row as usize;
        (Reverse(self.times[i]), Reverse(self.ids[i]))
    }

    fn push_row(&mut self, row: &FactRow) {
        let channel = Channel::from_str(&row.channel)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| row.channel.clone());
        let values = [
            Some(channel.as_str()),
            row.brand.as_deref(),
            row.category.as_deref(),
            row.series.as_deref(),
            row.model.as_deref(),
        ];
        for (slot, value) in values.into_iter().enumerate() {
            let id = value.map_or(NONE, |v| self.dicts[slot].intern(v));
            self.dims[slot].push(id);
        }
        self.ids.push(row.id);
        self.times
            .push(row.created_at.map_or(NO_TIME, |t| t.and_utc().timestamp()));
        self.days
            .push(row.created_at.map_or(NO_DAY, |t| day_number(t.date())));
        self.polarity.push(review_code(row.polarity));
        self.excluded.push(row.excluded);
        push_lowered(&mut self.text, &row.text);
        if let Some(followup) = &row.followup_text {
            self.text.push(PART_END);
            push_lowered(&mut self.text, followup);
        }
        self.text.push(REVIEW_END);
        self.text_end.push(self.text.len());
        for m in &row.mentions {
            let indicator = self.intern_indicator(&m.indicator);
            let meta = &mut self.indicator_meta[indicator as usize];
            match meta {
                None => *meta = Some((m.indicator_id.clone(), m.code.clone())),
                Some((id, code)) => {
                    if m.indicator_id < *id {
                        *id = m.indicator_id.clone();
                    }
                    // As SQL's MIN(code): the smallest code, NULLs ignored.
                    if m.code.is_some() && (code.is_none() || m.code < *code) {
                        *code = m.code.clone();
                    }
                }
            }
            self.m_indicator.push(indicator);
            self.m_polarity.push(mention_code(m.polarity));
            let typical = if m.typical.is_empty() {
                NONE
            } else {
                self.typicals.intern(&m.typical)
            };
            self.m_typical.push(typical);
        }
        self.mention_end.push(self.m_indicator.len() as u32);
    }

    /// The id of an indicator path, interning its ancestors first so that each has a parent.
    fn intern_indicator(&mut self, path: &str) -> u32 {
        if let Some(id) = self.indicators.get(path) {
            return id;
        }
        let parent = match path.rfind('/') {
            Some(cut) => self.intern_indicator(&path[..cut]),
            None => NONE,
        };
        let id = self.indicators.intern(path);
        self.parent.push(parent);
        self.indicator_meta.push(None);
        let depth = if parent == NONE {
            0
        } else {
            self.depth[parent as usize].saturating_add(1)
        };
        self.depth.push(depth);
        id
    }

    fn mentions_of(&self, row: u32) -> std::ops::Range<usize> {
        let i = row as usize;
        let start = if i == 0 {
            0
        } else {
            self.mention_end[i - 1] as usize
        };
        start..self.mention_end[i] as usize
    }

    fn compile(&self, filter: &Filter) -> Compiled {
        let mut impossible = false;
        let wanted = [
            filter.channel.as_deref(),
            filter.brand.as_deref(),
            filter.category.as_deref(),
            filter.series.as_deref(),
            filter.model.as_deref(),
        ];
        let mut dims = [None; 5];
        for (slot, value) in wanted.into_iter().enumerate() {
            let Some(value) = value else { continue };
            let value = if slot == Dimension::Channel.slot() {
                Channel::from_str(value)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|_| value.to_string())
            } else {
                value.to_string()
            };
            match self.dicts[slot].get(&value) {
                Some(id) => dims[slot] = Some(id),
                None => impossible = true,
            }
        }
        let from = filter.from.map_or(i32::MIN + 1, day_number);
        let to = filter.to.map_or(i32::MAX, day_number);
        let keyword_rows = filter.keyword.as_deref().map(|k| self.search(k));
        Compiled {
            from,
            to,
            dims,
            polarity: filter.polarity.map(|p| review_code(Some(p))),
            include_flagged: filter.include_flagged,
            keyword_rows,
            impossible,
        }
    }

    /// Rows whose text or follow-up contains `keyword` (ASCII letters in any case).
    fn search(&self, keyword: &str) -> Vec<u32> {
        let mut rows = Vec::new();
        if !is_searchable(keyword) {
            return rows;
        }
        let mut needle = Vec::with_capacity(keyword.len());
        push_lowered(&mut needle, keyword);
        if needle.is_empty() {
            return (0..self.ids.len() as u32).collect();
        }
        let finder = memchr::memmem::Finder::new(&needle);
        let mut row = 0usize;
        for at in finder.find_iter(&self.text) {
            while row < self.text_end.len() && self.text_end[row] <= at {
                row += 1;
            }
            if rows.last() != Some(&(row as u32)) && row < self.text_end.len() {
                rows.push(row as u32);
            }
        }
        rows
    }

    fn matches(&self, c: &Compiled, i: usize, dated: bool) -> bool {
        if !c.include_flagged && self.excluded[i] {
            return false;
        }
        let day = self.days[i];
        if dated && (day == NO_DAY || day < c.from || day > c.to) {
            return false;
        }
        if let Some(p) = c.polarity
            && self.polarity[i] != p
        {
            return false;
        }
        c.dims
            .iter()
            .enumerate()
            .all(|(slot, want)| want.is_none_or(|w| self.dims[slot][i] == w))
    }

    /// The rows a filter selects, ascending.
    pub fn select(&self, filter: &Filter) -> Vec<u32> {
        let c = self.compile(filter);
        self.select_compiled(&c)
    }

    fn select_compiled(&self, c: &Compiled) -> Vec<u32> {
        if c.impossible {
            return Vec::new();
        }
        let dated = c.from != i32::MIN + 1 || c.to != i32::MAX;
        match &c.keyword_rows {
            Some(rows) => rows
                .iter()
                .copied()
                .filter(|&r| self.matches(c, r as usize, dated))
                .collect(),
            None => (0..self.ids.len())
                .filter(|&i| self.matches(c, i, dated))
                .map(|i| i as u32)
                .collect(),
        }
    }

    /// Totals over the filtered reviews, as [`crate::Store::summary`] gives them.
    pub fn summary(&self, filter: &Filter) -> Summary {
        let everything = Filter {
            include_flagged: true,
            ..filter.clone()
        };
        let rows = self.select(&everything);
        let mut s = Summary::default();
        for &r in &rows {
            let i = r as usize;
            if self.excluded[i] && !filter.include_flagged {
                s.excluded += 1;
                continue;
            }
            s.reviews += 1;
            match self.polarity[i] {
                R_POSITIVE => s.positive += 1,
                R_NEUTRAL => s.neutral += 1,
                R_NEGATIVE => s.negative += 1,
                R_MIXED => s.mixed += 1,
                _ => {}
            }
            s.mentions += self.mentions_of(r).len() as u64;
        }
        s
    }

    /// Counts per indicator over `rows`, each indicator's own mentions only.
    fn own_counts(&self, rows: &[u32]) -> Vec<Counts> {
        let mut counts = vec![[0u64; 3]; self.indicators.len()];
        for &r in rows {
            for m in self.mentions_of(r) {
                counts[self.m_indicator[m] as usize][self.m_polarity[m] as usize] += 1;
            }
        }
        counts
    }

    /// Adds every indicator's counts to its ancestors'. Ids are interned parents first,
    /// so walking them backwards visits children before their parents.
    fn roll_up(&self, mut counts: Vec<Counts>) -> Vec<Counts> {
        for id in (0..counts.len()).rev() {
            let parent = self.parent[id];
            if parent != NONE {
                let own = counts[id];
                for (total, n) in counts[parent as usize].iter_mut().zip(own) {
                    *total += n;
                }
            }
        }
        counts
    }

    /// Per-indicator statistics, parents including their descendants, most mentioned first,
    /// as [`crate::Store::indicator_stats`] gives them.
    pub fn indicator_stats(&self, filter: &Filter) -> Vec<IndicatorStat> {
        let rows = self.select(filter);
        let counts = self.roll_up(self.own_counts(&rows));
        let mut stats: Vec<IndicatorStat> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.iter().sum::<u64>() > 0)
            .map(|(id, c)| self.stat(id as u32, c))
            .collect();
        stats.sort_by(|a, b| {
            b.mentions
                .cmp(&a.mentions)
                .then(a.indicator.cmp(&b.indicator))
        });
        stats
    }

    fn stat(&self, id: u32, c: &Counts) -> IndicatorStat {
        let path = self.indicators.name(id);
        let (indicator_id, code) = self.indicator_meta[id as usize].clone().unwrap_or_default();
        IndicatorStat {
            indicator: path.to_string(),
            indicator_id,
            code,
            depth: self.depth[id as usize] as usize,
            mentions: c.iter().sum(),
            positive: c[0],
            neutral: c[1],
            negative: c[2],
        }
    }

    /// Which indicator ids lie in the subtree at `path` (itself included).
    fn subtree(&self, path: &str) -> Vec<bool> {
        let prefix = format!("{path}/");
        self.indicators
            .names
            .iter()
            .map(|name| name == path || name.starts_with(&prefix))
            .collect()
    }

    /// Which indicator ids lie in any of the subtrees at `paths`.
    fn subtrees<S: AsRef<str>>(&self, paths: &[S]) -> Vec<bool> {
        let mut mask = vec![false; self.indicators.len()];
        for path in paths {
            for (m, hit) in mask.iter_mut().zip(self.subtree(path.as_ref())) {
                *m |= hit;
            }
        }
        mask
    }

    /// Whether any mention has this indicator path.
    pub fn has_indicator(&self, path: &str) -> bool {
        self.indicators.get(path).is_some()
    }

    /// Every indicator path the index knows, in the order they were first seen.
    pub fn indicator_paths(&self) -> impl Iterator<Item = &str> {
        self.indicators.names.iter().map(String::as_str)
    }

    /// The most frequent typical opinions, as [`crate::Store::typical_opinions`] gives them.
    pub fn typical_opinions(
        &self,
        filter: &Filter,
        indicator: Option<&str>,
        polarity: Option<Polarity>,
        limit: u32,
    ) -> Vec<TypicalOpinion> {
        let scope = indicator.map(|p| self.subtree(p));
        self.typicals_in(filter, scope.as_deref(), polarity, limit)
    }

    /// Typical opinions of the mentions whose indicator is in `scope` (all without one).
    pub fn typical_opinions_under<S: AsRef<str>>(
        &self,
        filter: &Filter,
        roots: &[S],
        polarity: Option<Polarity>,
        limit: u32,
    ) -> Vec<TypicalOpinion> {
        let scope = self.subtrees(roots);
        self.typicals_in(filter, Some(&scope), polarity, limit)
    }

    fn typicals_in(
        &self,
        filter: &Filter,
        scope: Option<&[bool]>,
        polarity: Option<Polarity>,
        limit: u32,
    ) -> Vec<TypicalOpinion> {
        let rows = self.select(filter);
        let want = polarity.map(mention_code);
        // Counts per (typical, polarity) in a dense table, for the indicator first seen
        // with it; the rare phrase said of a second indicator goes to a map.
        // Value: (indicator, count, first id, last id).
        let mut dense: Vec<(u32, u64, i64, i64)> = vec![(NONE, 0, 0, 0); self.typicals.len() * 3];
        let mut others: HashMap<(u32, u32, u8), (u64, i64, i64), BuildIdHasher> =
            HashMap::default();
        for &r in &rows {
            let id = self.ids[r as usize];
            for m in self.mentions_of(r) {
                let typical = self.m_typical[m];
                let indicator = self.m_indicator[m];
                let pol = self.m_polarity[m];
                if typical == NONE
                    || want.is_some_and(|w| w != pol)
                    || scope.is_some_and(|s| !s[indicator as usize])
                {
                    continue;
                }
                let slot = &mut dense[typical as usize * 3 + pol as usize];
                if slot.0 == NONE {
                    *slot = (indicator, 0, id, id);
                }
                let entry = if slot.0 == indicator {
                    (&mut slot.1, &mut slot.2, &mut slot.3)
                } else {
                    let e = others
                        .entry((indicator, typical, pol))
                        .or_insert((0, id, id));
                    (&mut e.0, &mut e.1, &mut e.2)
                };
                *entry.0 += 1;
                *entry.1 = (*entry.1).min(id);
                *entry.2 = (*entry.2).max(id);
            }
        }
        let mut groups = others;
        for (k, &(indicator, count, first, last)) in dense.iter().enumerate() {
            if indicator != NONE {
                let key = (indicator, (k / 3) as u32, (k % 3) as u8);
                groups.insert(key, (count, first, last));
            }
        }
        let mut found: Vec<TypicalOpinion> = groups
            .into_iter()
            .map(|((indicator, typical, pol), (count, first, last))| {
                let mut examples = vec![last];
                if first != last {
                    examples.push(first);
                }
                TypicalOpinion {
                    indicator: self.indicators.name(indicator).to_string(),
                    typical: self.typicals.name(typical).to_string(),
                    polarity: mention_polarity(pol),
                    count,
                    examples,
                }
            })
            .collect();
        found.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.typical.cmp(&b.typical))
                .then_with(|| a.indicator.cmp(&b.indicator))
                .then_with(|| a.polarity.as_str().cmp(b.polarity.as_str()))
        });
        found.truncate(limit as usize);
        found
    }

    /// The first and last review day among the filtered reviews.
    pub fn day_span(&self, filter: &Filter) -> Option<(NaiveDate, NaiveDate)> {
        let rows = self.select(filter);
        let (lo, hi) = day_bounds(rows.iter().map(|&r| self.days[r as usize]));
        Some((day_of(lo)?, day_of(hi)?))
    }

    /// Reviews and mentions per bucket of time. `roots`, when given, limits the mentions
    /// counted to those indicators' subtrees (and the reviews to those with such a mention).
    /// Buckets run from the filter's `from` (or the first review) to its `to` (or the last
    /// review), empty ones included.
    pub fn trend<S: AsRef<str>>(
        &self,
        filter: &Filter,
        roots: Option<&[S]>,
        granularity: Option<Granularity>,
    ) -> Trend {
        let rows = self.select(filter);
        let scope = roots.map(|r| self.subtrees(r));
        let (lo, hi) = day_bounds(rows.iter().map(|&r| self.days[r as usize]));
        let first = filter.from.or_else(|| day_of(lo));
        let last = filter.to.or_else(|| day_of(hi));
        let (Some(mut first), Some(mut last)) = (first, last) else {
            return Trend {
                granularity: granularity.unwrap_or(Granularity::Day),
                points: Vec::new(),
            };
        };
        let buckets = |g: Granularity, first: NaiveDate, last: NaiveDate| {
            let days = (last - first).num_days() + 1;
            match g {
                Granularity::Day => days,
                Granularity::Week => days / 7 + 2,
                Granularity::Month => days / 28 + 2,
            }
        };
        let mut granularity =
            granularity.unwrap_or_else(|| Granularity::for_span((last - first).num_days() + 1));
        // A range far wider than the data (from=0001-01-01) is cut to the data's span, and
        // a bucket width that would still give thousands of points is widened, so that no
        // request can ask for an answer of unbounded size.
        if buckets(granularity, first, last) > MAX_TREND_POINTS
            && let (Some(lo), Some(hi)) = (day_of(lo), day_of(hi))
        {
            first = first.max(lo);
            last = last.min(hi).max(first);
        }
        for wider in [Granularity::Week, Granularity::Month] {
            if buckets(granularity, first, last) > MAX_TREND_POINTS && granularity != wider {
                granularity = wider;
            }
        }
        if buckets(granularity, first, last) > MAX_TREND_POINTS {
            let days = (MAX_TREND_POINTS - 2) * 28;
            first = last - chrono::Duration::days(days);
        }
        // Bucket starts, and for each day of the span the bucket it falls in.
        let mut starts = Vec::new();
        let mut start = granularity.bucket(first);
        while start <= last {
            starts.push(start);
            start = granularity.next(start);
        }
        let base = day_number(starts[0]);
        let mut day_bucket = Vec::with_capacity((day_number(last) - base + 1) as usize);
        let mut bucket = 0usize;
        for d in base..=day_number(last) {
            while bucket + 1 < starts.len() && day_number(starts[bucket + 1]) <= d {
                bucket += 1;
            }
            day_bucket.push(bucket);
        }
        let mut points: Vec<TrendPoint> = starts
            .iter()
            .map(|s| TrendPoint {
                period: s.format("%Y-%m-%d").to_string(),
                ..TrendPoint::default()
            })
            .collect();
        for &r in &rows {
            let day = self.days[r as usize];
            if day == NO_DAY || day < base || day > day_number(last) {
                continue;
            }
            let point = &mut points[day_bucket[(day - base) as usize]];
            let mut in_scope = 0;
            for m in self.mentions_of(r) {
                if scope
                    .as_ref()
                    .is_some_and(|s| !s[self.m_indicator[m] as usize])
                {
                    continue;
                }
                in_scope += 1;
                point.mentions += 1;
                match self.m_polarity[m] {
                    M_POSITIVE => point.mention_positive += 1,
                    M_NEGATIVE => point.mention_negative += 1,
                    _ => point.mention_neutral += 1,
                }
            }
            if scope.is_some() && in_scope == 0 {
                continue;
            }
            point.reviews += 1;
            match self.polarity[r as usize] {
                R_POSITIVE => point.positive += 1,
                R_NEUTRAL => point.neutral += 1,
                R_NEGATIVE => point.negative += 1,
                R_MIXED => point.mixed += 1,
                _ => {}
            }
        }
        for p in &mut points {
            let counts = [p.mention_positive, p.mention_neutral, p.mention_negative];
            p.net_sentiment = net(&counts);
            p.satisfaction = ratio(p.mention_positive, p.mentions);
        }
        Trend {
            granularity,
            points,
        }
    }

    /// Reviews and mentions per value of `dimension`, most reviews first. With `indicator`,
    /// only that subtree's mentions count, and only reviews with one.
    pub fn breakdown(
        &self,
        filter: &Filter,
        dimension: Dimension,
        indicator: Option<&str>,
    ) -> Vec<BreakdownRow> {
        let rows = self.select(filter);
        let scope = indicator.map(|p| self.subtree(p));
        let slot = dimension.slot();
        let mut by_value: HashMap<u32, (u64, Counts), BuildIdHasher> = HashMap::default();
        for &r in &rows {
            let mut counts = [0u64; 3];
            for m in self.mentions_of(r) {
                if scope
                    .as_ref()
                    .is_some_and(|s| !s[self.m_indicator[m] as usize])
                {
                    continue;
                }
                counts[self.m_polarity[m] as usize] += 1;
            }
            if scope.is_some() && counts.iter().sum::<u64>() == 0 {
                continue;
            }
            let entry = by_value.entry(self.dims[slot][r as usize]).or_default();
            entry.0 += 1;
            for (total, n) in entry.1.iter_mut().zip(counts) {
                *total += n;
            }
        }
        let mut out: Vec<BreakdownRow> = by_value
            .into_iter()
            .map(|(value, (reviews, c))| {
                let mentions = c.iter().sum();
                BreakdownRow {
                    value: if value == NONE {
                        String::new()
                    } else {
                        self.dicts[slot].name(value).to_string()
                    },
                    reviews,
                    mentions,
                    positive: c[0],
                    neutral: c[1],
                    negative: c[2],
                    satisfaction: ratio(c[0], mentions),
                    net_sentiment: net(&c),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.reviews
                .cmp(&a.reviews)
                .then(b.mentions.cmp(&a.mentions))
                .then_with(|| a.value.cmp(&b.value))
        });
        out
    }

    /// The values of every dimension over the whole workspace, most frequent first, and
    /// the span of review dates.
    pub fn options(&self) -> Options {
        let mut counts: Vec<Vec<u64>> = self.dicts.iter().map(|d| vec![0; d.len()]).collect();
        for (slot, column) in self.dims.iter().enumerate() {
            for &v in column {
                if v != NONE {
                    counts[slot][v as usize] += 1;
                }
            }
        }
        let list = |slot: usize| {
            let mut values: Vec<OptionCount> = counts[slot]
                .iter()
                .enumerate()
                .map(|(id, &count)| OptionCount {
                    value: self.dicts[slot].name(id as u32).to_string(),
                    count,
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values
        };
        let (lo, hi) = day_bounds(self.days.iter().copied());
        Options {
            channels: list(Dimension::Channel.slot()),
            brands: list(Dimension::Brand.slot()),
            categories: list(Dimension::Category.slot()),
            series: list(Dimension::Series.slot()),
            models: list(Dimension::Model.slot()),
            first_day: day_of(lo),
            last_day: day_of(hi),
        }
    }

    /// The reviews a drill-down asks for: how many, and the ids of the requested page,
    /// newest first, as [`crate::Store::reviews`] orders them.
    pub fn review_ids(&self, query: &ReviewQuery) -> IdPage {
        let (page, size) = query.paging();
        let skip = (page as usize - 1).saturating_mul(size as usize);
        self.review_ids_range(query, skip, size as usize)
    }

    /// Like [`FactIndex::review_ids`], for `take` reviews after the first `skip`.
    pub fn review_ids_range(&self, query: &ReviewQuery, skip: usize, take: usize) -> IdPage {
        let c = self.compile(&query.filter);
        let rows = self.select_compiled(&c);
        let by_mention = query.indicator.is_some()
            || query.typical.is_some()
            || query.mention_polarity.is_some();
        let mut wanted = vec![false; self.ids.len()];
        if by_mention {
            let scope = query.indicator.as_deref().map(|p| self.subtree(p));
            let typical = match query.typical.as_deref() {
                Some(t) => match self.typicals.get(t) {
                    Some(id) => Some(id),
                    None => {
                        return IdPage {
                            total: 0,
                            ids: Vec::new(),
                        };
                    }
                },
                None => None,
            };
            let pol = query.mention_polarity.map(mention_code);
            for &r in &rows {
                wanted[r as usize] = self.mentions_of(r).any(|m| {
                    scope
                        .as_ref()
                        .is_none_or(|s| s[self.m_indicator[m] as usize])
                        && typical.is_none_or(|t| self.m_typical[m] == t)
                        && pol.is_none_or(|p| self.m_polarity[m] == p)
                });
            }
        } else {
            for &r in &rows {
                wanted[r as usize] = true;
            }
        }
        let mut total = 0u64;
        let mut ids = Vec::with_capacity(take.min(1024));
        for &r in &self.order {
            if wanted[r as usize] {
                if total as usize >= skip && ids.len() < take {
                    ids.push(self.ids[r as usize]);
                }
                total += 1;
            }
        }
        IdPage { total, ids }
    }
}

/// A hasher for keys made of the index's small integer ids: a multiply-rotate per word,
/// several times faster than the default SipHash on these keys, and safe here because the
/// ids are ours, not an attacker's (review text never becomes a key).
#[derive(Debug, Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type BuildIdHasher = std::hash::BuildHasherDefault<IdHasher>;

/// Whether a keyword can be searched for: one holding a separator of the text buffer
/// (`\0` or `\u{1}`) would match across reviews (`\0` alone would match them all), and
/// no honest keyword holds one, so such a keyword matches no review, here and in SQL.
pub fn is_searchable(keyword: &str) -> bool {
    !keyword.bytes().any(|b| b == REVIEW_END || b == PART_END)
}

/// Appends `s` with ASCII letters lower-cased, so that keyword search ignores their case.
fn push_lowered(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
}

/// Rows per query when loading the index from the store.
const LOAD_CHUNK: u32 = 20_000;

/// A [`FactIndex`] kept in step with a store, shared by the server's handlers.
///
/// Readers take the lock for the length of one query; [`SharedIndex::refresh`] appends
/// new reviews under a short write lock, or builds a whole new index beside the old one
/// and swaps it in, so that queries keep being answered while it loads.
#[derive(Debug)]
pub struct SharedIndex {
    workspace: String,
    index: RwLock<Arc<RwLock<FactIndex>>>,
    loading: tokio::sync::Mutex<()>,
    /// Set while a whole rebuild runs (after a deletion, a correction or a re-analysis).
    rebuilding: std::sync::atomic::AtomicBool,
}

/// Clears the rebuilding mark when the rebuild ends, failed or not.
struct Rebuilding<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Rebuilding<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Release);
    }
}

impl SharedIndex {
    pub fn new(workspace: &str) -> SharedIndex {
        SharedIndex {
            workspace: workspace.to_string(),
            index: RwLock::new(Arc::new(RwLock::new(FactIndex::new()))),
            loading: tokio::sync::Mutex::new(()),
            rebuilding: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The current index, to be read with [`read`] (cheap: an `Arc` clone).
    pub fn current(&self) -> Arc<RwLock<FactIndex>> {
        self.index
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Brings the index up to date with the store for a reader: appends new reviews, or
    /// rebuilds when stored reviews changed. Cheap when nothing changed (one small query).
    /// While another caller rebuilds the whole index (seconds at a million reviews), a
    /// reader gets the index as it was rather than wait for it.
    pub async fn refresh(&self, store: &dyn Store) -> Result<()> {
        self.update(store, false).await
    }

    /// Brings the index up to date after the caller's own change (a deletion, a
    /// correction): waits for a rebuild under way, then makes sure the change is in.
    pub async fn catch_up(&self, store: &dyn Store) -> Result<()> {
        self.update(store, true).await
    }

    async fn update(&self, store: &dyn Store, wait: bool) -> Result<()> {
        let latest = store.revision(&self.workspace).await?;
        let held = read(&self.current()).revision;
        if held == latest {
            return Ok(());
        }
        // Only a whole rebuild is worth not waiting for; new reviews load quickly.
        if !wait
            && held.epoch != latest.epoch
            && held != Revision::default()
            && self.rebuilding.load(std::sync::atomic::Ordering::Acquire)
        {
            return Ok(());
        }
        let _one_loader = self.loading.lock().await;
        let latest = store.revision(&self.workspace).await?;
        let current = self.current();
        let (held, last_id) = {
            let index = read(&current);
            (index.revision, index.last_id)
        };
        if held == latest {
            return Ok(());
        }
        if held.epoch != latest.epoch || held.revision > latest.revision {
            self.rebuilding
                .store(true, std::sync::atomic::Ordering::Release);
            let _mark = Rebuilding(&self.rebuilding);
            let mut fresh = FactIndex::new();
            load_after(store, &self.workspace, &mut fresh, 0).await?;
            fresh.revision = latest;
            tracing::info!(reviews = fresh.len(), "dashboard index rebuilt");
            *self
                .index
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(RwLock::new(fresh));
            return Ok(());
        }
        let mut after = last_id;
        loop {
            let rows = store.fact_rows(&self.workspace, after, LOAD_CHUNK).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let full = rows.len() as u32 == LOAD_CHUNK;
            current
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .append(&rows);
            if !full {
                break;
            }
        }
        current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .revision = latest;
        Ok(())
    }
}

/// Reads an index, recovering it if a reader panicked while holding the lock (readers
/// never leave it half-written).
pub fn read(index: &RwLock<FactIndex>) -> RwLockReadGuard<'_, FactIndex> {
    index
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn load_after(
    store: &dyn Store,
    workspace: &str,
    index: &mut FactIndex,
    mut after: i64,
) -> Result<()> {
    loop {
        let rows = store.fact_rows(workspace, after, LOAD_CHUNK).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        index.append(&rows);
        if (rows.len() as u32) < LOAD_CHUNK {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        id: i64,
        day: u32,
        brand: &str,
        text: &str,
        mentions: &[(&str, &str, Polarity)],
    ) -> FactRow {
        FactRow {
            id,
            created_at: NaiveDate::from_ymd_opt(2026, 6, day).and_then(|d| d.and_hms_opt(9, 0, 0)),
            channel: "jd".into(),
            brand: Some(brand.into()),
            category: None,
            series: None,
            model: None,
            polarity: Some(Polarity::Positive),
            excluded: false,
            text: text.into(),
            followup_text: None,
            mentions: mentions
                .iter()
                .map(|&(indicator, typical, polarity)| FactMention {
                    indicator: indicator.into(),
                    indicator_id: String::new(),
                    code: None,
                    typical: typical.into(),
                    polarity,
                })
                .collect(),
        }
    }

    fn sample() -> FactIndex {
        FactIndex::from_rows(&[
            row(
                1,
                1,
                "甲",
                "吸力大",
                &[("产品/吸力", "吸力大", Polarity::Positive)],
            ),
            row(
                2,
                3,
                "乙",
                "噪音大，吸力也大",
                &[
                    ("产品/噪音", "噪音大", Polarity::Negative),
                    ("产品/吸力", "吸力大", Polarity::Positive),
                ],
            ),
            row(
                3,
                2,
                "甲",
                "客服回复慢 iPhone",
                &[("服务/客服", "回复慢", Polarity::Negative)],
            ),
        ])
    }

    #[test]
    fn parents_count_their_descendants() {
        let index = sample();
        let stats = index.indicator_stats(&Filter::default());
        let product = stats.iter().find(|s| s.indicator == "产品").expect("产品");
        assert_eq!(
            (product.mentions, product.positive, product.negative),
            (3, 2, 1)
        );
        assert_eq!(product.depth, 0);
        assert_eq!(stats[0].indicator, "产品");
    }

    #[test]
    fn keyword_search_finds_chinese_and_ignores_ascii_case() {
        let index = sample();
        let filter = |k: &str| Filter {
            keyword: Some(k.into()),
            ..Filter::default()
        };
        assert_eq!(index.select(&filter("吸力")), [0, 1]);
        assert_eq!(index.select(&filter("IPHONE")), [2]);
        assert!(index.select(&filter("漏水")).is_empty());
    }

    #[test]
    fn a_keyword_holding_a_separator_matches_nothing() {
        let index = sample();
        for keyword in ["\0", "\u{1}", "力\0", "\0吸"] {
            let filter = Filter {
                keyword: Some(keyword.into()),
                ..Filter::default()
            };
            assert!(index.select(&filter).is_empty(), "{keyword:?}");
        }
    }

    #[test]
    fn drill_down_is_newest_first() {
        let index = sample();
        let page = index.review_ids(&ReviewQuery::default());
        assert_eq!(page.total, 3);
        assert_eq!(page.ids, [2, 3, 1]);
        let negatives = index.review_ids(&ReviewQuery {
            mention_polarity: Some(Polarity::Negative),
            ..ReviewQuery::default()
        });
        assert_eq!(negatives.ids, [2, 3]);
    }

    #[test]
    fn unknown_values_select_nothing() {
        let index = sample();
        let filter = Filter {
            brand: Some("丙".into()),
            ..Filter::default()
        };
        assert!(index.select(&filter).is_empty());
    }

    #[test]
    fn trends_include_empty_buckets() {
        let index = sample();
        let trend = index.trend::<&str>(&Filter::default(), None, None);
        assert_eq!(trend.granularity, Granularity::Day);
        let periods: Vec<&str> = trend.points.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(periods, ["2026-06-01", "2026-06-02", "2026-06-03"]);
        assert_eq!(trend.points[2].mentions, 2);
        let service = index.trend(&Filter::default(), Some(&["服务"]), None);
        assert_eq!(service.points.iter().map(|p| p.reviews).sum::<u64>(), 1);
    }

    #[test]
    fn absurd_ranges_give_bounded_trends() {
        let index = sample();
        let wide = Filter {
            from: NaiveDate::from_ymd_opt(1, 1, 1),
            to: NaiveDate::from_ymd_opt(9999, 12, 31),
            ..Filter::default()
        };
        let trend = index.trend::<&str>(&wide, None, Some(Granularity::Day));
        assert!(
            trend.points.len() <= MAX_TREND_POINTS as usize,
            "{}",
            trend.points.len()
        );
        assert_eq!(trend.points.iter().map(|p| p.reviews).sum::<u64>(), 3);
        let empty = Filter {
            from: NaiveDate::from_ymd_opt(1, 1, 1),
            to: NaiveDate::from_ymd_opt(9999, 12, 31),
            brand: Some("丙".into()),
            ..Filter::default()
        };
        let trend = index.trend::<&str>(&empty, None, Some(Granularity::Day));
        assert!(
            trend.points.len() <= MAX_TREND_POINTS as usize,
            "{}",
            trend.points.len()
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-06-03 is a Wednesday.
        let day = NaiveDate::from_ymd_opt(2026, 6, 3).expect("date");
        assert_eq!(
            Granularity::Week.bucket(day),
            NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
        );
    }

    #[test]
    fn appending_keeps_the_newest_first_order() {
        let mut index = sample();
        index.append(&[row(4, 2, "乙", "还行", &[])]);
        assert_eq!(index.review_ids(&ReviewQuery::default()).ids, [2, 4, 3, 1]);
        index.append(&[row(4, 9, "乙", "重复", &[])]);
        assert_eq!(index.len(), 4);
    }
}
