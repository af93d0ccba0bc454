//! The trained model: scoring, explanations and the model file.
//!
//! A model's **margin** for a document is `bias + norm · Σ w[bucket] + Σ extra_weight · value`,
//! where the sum runs over the document's distinct buckets and `norm` is `1/√(number of
//! buckets)` (so long and short reviews are on one scale). The **score** is the margin passed
//! through the Platt calibration fitted at training time, as `2p − 1` in -1..1.
//!
//! Hashed weights are kept as `i16` with one scale factor: the file stays half the size of
//! `f32` and the quantisation step (max |w| / 32767) is far below anything that moves a score.
//!
//! The file is `MAGIC`, a little-endian `u32` version, a `u32` header length, a JSON header
//! (featuriser, calibration, extra weights, [`ModelMeta`]) and then the `i16` weights.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;

use crate::features::Featurizer;
use crate::{Doc, ModelError, TrainConfig};

const MAGIC: &[u8; 8] = b"KOUBEIPM";
const VERSION: u32 = 1;
/// The largest hash table a model file may declare (2^26 buckets, 128 MB of weights).
const MAX_HASH_BITS: u32 = 26;

/// What a model was trained on and how well it did; stored in the model file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelMeta {
    /// Training files and how many rows each gave.
    pub sources: Vec<Source>,
    /// Training rows in total (filled in by [`crate::train`]).
    pub rows: usize,
    /// When it was trained, as the caller writes it (the crate reads no clock).
    pub trained_at: String,
    /// The training parameters (filled in by [`crate::train`]).
    pub train_config: Option<TrainConfig>,
    /// Measured figures, such as `("os10_dev accuracy", 0.95)`.
    pub figures: Vec<Figure>,
    /// Free text.
    pub notes: String,
}

/// One training file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub rows: usize,
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
}

/// Platt scaling: `p = 1 / (1 + exp(-(a · margin + b)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub a: f32,
    pub b: f32,
}

impl Calibration {
    /// No calibration: `p = sigmoid(margin)`.
    pub const IDENTITY: Calibration = Calibration { a: 1.0, b: 0.0 };

    /// The probability of positive for `margin`.
    pub fn probability(&self, margin: f32) -> f32 {
        1.0 / (1.0 + (-(self.a * margin + self.b)).exp())
    }
}

/// The JSON header of a model file.
#[derive(Serialize, Deserialize)]
struct Header {
    featurizer: Featurizer,
    bias: f32,
    weight_scale: f32,
    calibration: Calibration,
    extras: Vec<(String, f32)>,
    meta: ModelMeta,
}

/// A trained review-level polarity model. Read-only once built, so share it across threads.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    featurizer: Featurizer,
    weights: Vec<i16>,
    weight_scale: f32,
    bias: f32,
    extras: Vec<(String, f32)>,
    calibration: Calibration,
    meta: ModelMeta,
}

thread_local! {
    /// The per-thread bucket buffer that keeps [`Model::score`] free of allocations.
    static SCRATCH: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// The raw parts [`crate::train`] hands over; weights are quantised here.
pub(crate) struct Parts {
    pub featurizer: Featurizer,
    pub weights: Vec<f32>,
    pub bias: f32,
    pub extras: Vec<(String, f32)>,
    pub calibration: Calibration,
    pub meta: ModelMeta,
}

impl Model {
    pub(crate) fn from_parts(parts: Parts) -> Model {
        let max = parts.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let weight_scale = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let weights = parts
            .weights
            .iter()
            .map(|w| (w / weight_scale).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        Model {
            featurizer: parts.featurizer,
            weights,
            weight_scale,
            bias: parts.bias,
            extras: parts.extras,
            calibration: parts.calibration,
            meta: parts.meta,
        }
    }

    /// The calibrated polarity of `doc` in -1..1 (`2p − 1`); 0 is undecided.
    pub fn score(&self, doc: &Doc) -> f32 {
        let p = self.calibration.probability(self.margin(doc));
        // A NaN extra value from the caller must not leak out as a NaN score.
        if p.is_nan() {
            0.0
        } else {
            (2.0 * p - 1.0).clamp(-1.0, 1.0)
        }
    }

    /// The uncalibrated margin (log-odds before Platt scaling).
    pub fn margin(&self, doc: &Doc) -> f32 {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.margin_with(doc, &mut buf),
            Err(_) => self.margin_with(doc, &mut Vec::new()),
        })
    }

    /// [`Model::margin`] with a caller-owned bucket buffer.
    pub fn margin_with(&self, doc: &Doc, buf: &mut Vec<u32>) -> f32 {
        self.featurizer.buckets_of(doc, buf);
        let sum: i64 = buf.iter().map(|&b| i64::from(self.weight_q(b))).sum();
        self.bias
            + self.featurizer.doc_norm(buf.len()) * sum as f32 * self.weight_scale
            + self.extra_sum(doc)
    }

    fn weight_q(&self, bucket: u32) -> i16 {
        self.weights.get(bucket as usize).copied().unwrap_or(0)
    }

    fn extra_weight(&self, name: &str) -> Option<f32> {
        self.extras.iter().find(|(n, _)| n == name).map(|(_, w)| *w)
    }

    fn extra_sum(&self, doc: &Doc) -> f32 {
        doc.extra
            .iter()
            .enumerate()
            .map(|(i, (n, v))| {
                // Callers pass the extras in the order the model was trained with, so the
                // same position is tried before a search by name.
                let weight = match self.extras.get(i) {
                    Some((name, w)) if name == n => Some(*w),
                    _ => self.extra_weight(n),
                };
                weight.unwrap_or(0.0) * v
            })
            .sum()
    }

    /// The `top` features that moved the margin most, by absolute contribution, with their
    /// contribution in margin units. Hashed features print as `c:` (characters), `w:`
    /// (word), `b:` (word pair), `neg:` (negated word), `but:` (after a contrast), and
    /// extras as `x:` plus their name.
    pub fn explain(&self, doc: &Doc, top: usize) -> Vec<(String, f32)> {
        let mut named: HashMap<u32, String> = HashMap::new();
        self.featurizer.for_each(doc, |b, r| {
            named.entry(b).or_insert_with(|| r.to_string());
        });
        let norm = self.featurizer.doc_norm(named.len()) * self.weight_scale;
        let mut out: Vec<(String, f32)> = named
            .into_iter()
            .map(|(b, name)| (name, f32::from(self.weight_q(b)) * norm))
            .collect();
        out.extend(
            doc.extra
                .iter()
                .filter_map(|(n, v)| self.extra_weight(n).map(|w| (format!("x:{n}"), w * v))),
        );
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        out.truncate(top);
        out
    }

    /// What the model was trained on.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// Replaces the metadata (to add figures measured after training).
    pub fn set_meta(&mut self, meta: ModelMeta) {
        self.meta = meta;
    }

    /// How the model featurises text.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The Platt calibration in use.
    pub fn calibration(&self) -> Calibration {
        self.calibration
    }

    /// The model as file bytes.
    pub fn save(&self) -> Vec<u8> {
        let header = Header {
            featurizer: self.featurizer.clone(),
            bias: self.bias,
            weight_scale: self.weight_scale,
            calibration: self.calibration,
            extras: self.extras.clone(),
            meta: self.meta.clone(),
        };
        // Serialising plain structs of numbers and strings to JSON cannot fail.
        let json = serde_json::to_vec(&header).unwrap_or_default();
        let mut out = Vec::with_capacity(16 + json.len() + 2 * self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        self.weights
            .iter()
            .for_each(|w| out.extend_from_slice(&w.to_le_bytes()));
        out
    }

    /// Reads a model saved by [`Model::save`]. Never panics: a damaged file is an error.
    pub fn load(bytes: &[u8]) -> Result<Model, ModelError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(ModelError::BadMagic)?;
        let (version, rest) = read_u32(rest)?;
        if version != VERSION {
            return Err(ModelError::Version(version));
        }
        let (len, rest) = read_u32(rest)?;
        let (json, body) = rest
            .split_at_checked(len as usize)
            .ok_or(ModelError::Truncated)?;
        let header: Header = serde_json::from_slice(json)?;
        check_header(&header)?;
        let buckets = header.featurizer.buckets();
        if body.len() != 2 * buckets {
            return Err(ModelError::WeightCount {
                expected: buckets,
                found: body.len() / 2,
            });
        }
        let weights = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(Model {
            featurizer: header.featurizer,
            weights,
            weight_scale: header.weight_scale,
            bias: header.bias,
            extras: header.extras,
            calibration: header.calibration,
            meta: header.meta,
        })
    }
}

fn read_u32(bytes: &[u8]) -> Result<(u32, &[u8]), ModelError> {
    let (head, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or(ModelError::Truncated)?;
    Ok((u32::from_le_bytes(*head), rest))
}

fn check_header(h: &Header) -> Result<(), ModelError> {
    let bits = h.featurizer.hash_bits;
    if !(1..=MAX_HASH_BITS).contains(&bits) {
        return Err(ModelError::Invalid(format!(
            "hash_bits {bits} outside 1..={MAX_HASH_BITS}"
        )));
    }
    let numbers = [h.bias, h.weight_scale, h.calibration.a, h.calibration.b];
    if numbers
        .iter()
        .chain(h.extras.iter().map(|(_, w)| w))
        .any(|x| !x.is_finite())
    {
        return Err(ModelError::Invalid("a weight is not finite".to_owned()));
    }
    Ok(())
}
