//! Training: NB-weighted logistic regression with AdaGrad, then Platt calibration.
//!
//! Each document is featurised once into a sparse **matrix** row (its distinct buckets,
//! `1/√n`, its extra values). Every bucket gets a **log-count ratio** `r` from the training
//! rows, as in NBSVM: the log of how much more often it occurs in positive documents than in
//! negative ones (document frequencies, smoothed by `nb_alpha`). The logistic regression sees
//! `r · x` instead of `x`, so the L2 penalty lets strongly one-sided n-grams carry weight
//! cheaply and holds back the rest. After training `r` is folded into the weights, so
//! scoring never sees it.
//!
//! Calibration holds out `calibration_fraction` of the rows, trains on the rest, fits Platt's
//! `a, b` on the held-out margins, then retrains on every row and keeps `a, b`.
//! Training is deterministic: one seeded generator drives the split and the shuffles.

use serde::{Deserialize, Serialize};

use crate::Doc;
use crate::features::Featurizer;
use crate::model::{Calibration, Model, ModelMeta, Parts};

/// How to train a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// How text becomes features (saved in the model).
    pub featurizer: Featurizer,
    /// Passes over the training rows.
    pub epochs: usize,
    /// AdaGrad's base step.
    pub learning_rate: f32,
    /// L2 penalty on each weight, applied when its feature is seen.
    pub l2: f32,
    /// Smoothing of the NB log-count ratios; 0 or less trains on plain binary features.
    pub nb_alpha: f32,
    /// Share of the NB-scaled model in a mix with a plain one (1: NB only, 0: plain only).
    pub nb_mix: f32,
    /// Average the weights of every epoch's end instead of keeping the last.
    pub average: bool,
    /// Share of rows held out to fit the calibration (0 skips calibration).
    pub calibration_fraction: f32,
    /// Seed of the split and of the shuffles.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            featurizer: Featurizer::default(),
            epochs: 5,
            learning_rate: 0.1,
            l2: 1e-6,
            nb_alpha: 1.0,
            nb_mix: 0.5,
            average: false,
            calibration_fraction: 0.1,
            seed: 20_241_203,
        }
    }
}

/// splitmix64: small, seeded and stable across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Documents featurised once: CSR rows of buckets plus dense extra values.
struct Matrix {
    offsets: Vec<usize>,
    buckets: Vec<u32>,
    norms: Vec<f32>,
    names: Vec<String>,
    extras: Vec<f32>,
}

impl Matrix {
    fn build(docs: &[Doc], featurizer: &Featurizer) -> Matrix {
        let mut names: Vec<String> = docs
            .iter()
            .flat_map(|d| d.extra.iter().map(|(n, _)| (*n).to_owned()))
            .collect();
        names.sort();
        names.dedup();
        let mut m = Matrix {
            offsets: vec![0],
            buckets: Vec::new(),
            norms: Vec::new(),
            names,
            extras: Vec::new(),
        };
        let mut buf = Vec::new();
        for doc in docs {
            featurizer.buckets_of(doc, &mut buf);
            m.buckets.extend_from_slice(&buf);
            m.offsets.push(m.buckets.len());
            m.norms.push(featurizer.doc_norm(buf.len()));
            let values = m.names.iter().map(|n| extra_value(doc, n));
            m.extras.extend(values.collect::<Vec<_>>());
        }
        m
    }

    fn row(&self, i: usize) -> &[u32] {
        &self.buckets[self.offsets[i]..self.offsets[i + 1]]
    }

    fn extra_row(&self, i: usize) -> &[f32] {
        let n = self.names.len();
        &self.extras[i * n..(i + 1) * n]
    }
}

fn extra_value(doc: &Doc, name: &str) -> f32 {
    doc.extra
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .sum()
}

/// A linear model over a [`Matrix`], with any NB ratios already folded into `weights`.
struct Linear {
    weights: Vec<f32>,
    bias: f32,
    extras: Vec<f32>,
}

impl Linear {
    fn margin(&self, m: &Matrix, i: usize) -> f32 {
        let hashed: f32 = m.row(i).iter().map(|&b| self.weights[b as usize]).sum();
        let extra: f32 = m
            .extra_row(i)
            .iter()
            .zip(&self.extras)
            .map(|(x, w)| x * w)
            .sum();
        self.bias + m.norms[i] * hashed + extra
    }

    /// `self · (1 − t) + other · t`, weight by weight.
    fn mix(mut self, other: &Linear, t: f32) -> Linear {
        let lerp = |a: &mut f32, b: f32| *a = *a * (1.0 - t) + b * t;
        self.weights
            .iter_mut()
            .zip(&other.weights)
            .for_each(|(a, &b)| lerp(a, b));
        self.extras
            .iter_mut()
            .zip(&other.extras)
            .for_each(|(a, &b)| lerp(a, b));
        lerp(&mut self.bias, other.bias);
        self
    }
}

/// Bernoulli log-count ratios per bucket over `rows`.
fn nb_ratios(m: &Matrix, labels: &[bool], rows: &[usize], buckets: usize, alpha: f32) -> Vec<f32> {
    if alpha <= 0.0 {
        return vec![1.0; buckets];
    }
    let (mut pos, mut neg) = (vec![0u32; buckets], vec![0u32; buckets]);
    let (mut n_pos, mut n_neg) = (0f32, 0f32);
    for &i in rows {
        let (counts, n) = if labels[i] {
            (&mut pos, &mut n_pos)
        } else {
            (&mut neg, &mut n_neg)
        };
        *n += 1.0;
        m.row(i).iter().for_each(|&b| counts[b as usize] += 1);
    }
    let (dp, dn) = (n_pos + 2.0 * alpha, n_neg + 2.0 * alpha);
    pos.iter()
        .zip(&neg)
        .map(|(&p, &q)| ((p as f32 + alpha) / dp).ln() - ((q as f32 + alpha) / dn).ln())
        .collect()
}

/// AdaGrad state for one weight vector.
struct AdaGrad {
    rate: f32,
    l2: f32,
}

impl AdaGrad {
    fn step(&self, w: &mut f32, g2: &mut f32, grad: f32, penalised: bool) {
        let grad = if penalised { grad + self.l2 * *w } else { grad };
        *g2 += grad * grad;
        *w -= self.rate * grad / (g2.sqrt() + 1e-8);
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The training state of one logistic regression: weights in NB-scaled feature space.
struct Fit<'m> {
    m: &'m Matrix,
    ratios: Vec<f32>,
    lin: Linear,
    g2: Vec<f32>,
    g2_extra: Vec<f32>,
    g2_bias: f32,
    opt: AdaGrad,
}

impl Fit<'_> {
    fn margin(&self, i: usize) -> f32 {
        let (w, r) = (&self.lin.weights, &self.ratios);
        let hashed: f32 = self
            .m
            .row(i)
            .iter()
            .map(|&b| w[b as usize] * r[b as usize])
            .sum();
        let extra: f32 = self
            .m
            .extra_row(i)
            .iter()
            .zip(&self.lin.extras)
            .map(|(x, w)| x * w)
            .sum();
        self.lin.bias + self.m.norms[i] * hashed + extra
    }

    fn step(&mut self, i: usize, label: bool) {
        let g = sigmoid(self.margin(i)) - if label { 1.0 } else { 0.0 };
        let norm = self.m.norms[i];
        for &b in self.m.row(i) {
            let b = b as usize;
            let x = self.ratios[b] * norm;
            self.opt
                .step(&mut self.lin.weights[b], &mut self.g2[b], g * x, true);
        }
        for (e, &x) in self.m.extra_row(i).iter().enumerate() {
            self.opt.step(
                &mut self.lin.extras[e],
                &mut self.g2_extra[e],
                g * x,
                x != 0.0,
            );
        }
        self.opt
            .step(&mut self.lin.bias, &mut self.g2_bias, g, false);
    }

    /// The model so far with the ratios folded in.
    fn folded(&self) -> Linear {
        let weights = self
            .lin
            .weights
            .iter()
            .zip(&self.ratios)
            .map(|(w, r)| w * r)
            .collect();
        Linear {
            weights,
            bias: self.lin.bias,
            extras: self.lin.extras.clone(),
        }
    }
}

/// Logistic regression on `rows` of `m`, NB-scaled with smoothing `alpha` (0: plain).
/// With `cfg.average`, the result is the mean of the per-epoch snapshots.
fn fit_one(
    m: &Matrix,
    labels: &[bool],
    rows: &[usize],
    cfg: &TrainConfig,
    alpha: f32,
    rng: &mut Rng,
) -> Linear {
    let buckets = cfg.featurizer.buckets();
    let extras = m.names.len();
    let mut fit = Fit {
        m,
        ratios: nb_ratios(m, labels, rows, buckets, alpha),
        lin: Linear {
            weights: vec![0.0; buckets],
            bias: 0.0,
            extras: vec![0.0; extras],
        },
        g2: vec![0.0; buckets],
        g2_extra: vec![0.0; extras],
        g2_bias: 0.0,
        opt: AdaGrad {
            rate: cfg.learning_rate,
            l2: cfg.l2,
        },
    };
    let mut order = rows.to_vec();
    let mut average: Option<Linear> = None;
    for epoch in 0..cfg.epochs {
        rng.shuffle(&mut order);
        order.iter().for_each(|&i| fit.step(i, labels[i]));
        if cfg.average {
            let t = 1.0 / (epoch + 1) as f32;
            average = Some(match average {
                None => fit.folded(),
                Some(avg) => avg.mix(&fit.folded(), t),
            });
        }
    }
    average.unwrap_or_else(|| fit.folded())
}

/// The configured mix of an NB-scaled and a plain logistic regression.
fn fit(m: &Matrix, labels: &[bool], rows: &[usize], cfg: &TrainConfig, rng: &mut Rng) -> Linear {
    let mix = cfg.nb_mix.clamp(0.0, 1.0);
    if cfg.nb_alpha <= 0.0 || mix <= 0.0 {
        return fit_one(m, labels, rows, cfg, 0.0, rng);
    }
    let nb = fit_one(m, labels, rows, cfg, cfg.nb_alpha, rng);
    if mix >= 1.0 {
        return nb;
    }
    let plain = fit_one(m, labels, rows, cfg, 0.0, rng);
    plain.mix(&nb, mix)
}

/// Fits Platt's `a, b` to margins and labels by Newton's method, with Platt's smoothed
/// targets so a separable held-out set does not send `a` to infinity.
pub(crate) fn fit_platt(margins: &[f32], labels: &[bool]) -> Calibration {
    let n_pos = labels.iter().filter(|&&l| l).count() as f64;
    let n_neg = labels.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return Calibration::IDENTITY;
    }
    let (hi, lo) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for (&m, &l) in margins.iter().zip(labels) {
            let m = f64::from(m);
            let p = 1.0 / (1.0 + (-(a * m + b)).exp());
            let d = p - if l { hi } else { lo };
            let h = p * (1.0 - p);
            (ga, gb) = (ga + d * m, gb + d);
            (haa, hab, hbb) = (haa + h * m * m, hab + h * m, hbb + h);
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        (a, b) = (a - da, b - db);
        if da.abs() + db.abs() < 1e-9 {
            break;
        }
    }
    if a.is_finite() && b.is_finite() && a > 0.0 {
        Calibration {
            a: a as f32,
            b: b as f32,
        }
    } else {
        Calibration::IDENTITY
    }
}

/// Splits `rows` into (fit, calibrate) by `fraction`.
fn split(rows: &[usize], fraction: f32, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
    rows.iter().partition(|_| rng.unit() >= fraction)
}

/// Trains with calibration on `rows` and returns the linear part and the calibration.
fn fit_calibrated(
    m: &Matrix,
    labels: &[bool],
    rows: &[usize],
    cfg: &TrainConfig,
) -> (Linear, Calibration) {
    let mut rng = Rng(cfg.seed);
    if cfg.calibration_fraction <= 0.0 {
        return (fit(m, labels, rows, cfg, &mut rng), Calibration::IDENTITY);
    }
    let (fit_rows, cal_rows) = split(rows, cfg.calibration_fraction, &mut rng);
    let first = fit(m, labels, &fit_rows, cfg, &mut rng);
    let margins: Vec<f32> = cal_rows.iter().map(|&i| first.margin(m, i)).collect();
    let cal_labels: Vec<bool> = cal_rows.iter().map(|&i| labels[i]).collect();
    let calibration = fit_platt(&margins, &cal_labels);
    (fit(m, labels, rows, cfg, &mut rng), calibration)
}

/// Trains a model on `docs` with their `labels` (true = positive).
///
/// If the two slices differ in length, the extra entries of the longer one are ignored.
/// `meta.rows` and `meta.train_config` are filled in here.
pub fn train(docs: &[Doc], labels: &[bool], config: &TrainConfig, mut meta: ModelMeta) -> Model {
    let n = docs.len().min(labels.len());
    let m = Matrix::build(&docs[..n], &config.featurizer);
    let rows: Vec<usize> = (0..n).collect();
    let (lin, calibration) = fit_calibrated(&m, labels, &rows, config);
    meta.rows = n;
    meta.train_config = Some(config.clone());
    Model::from_parts(Parts {
        featurizer: config.featurizer.clone(),
        weights: lin.weights,
        bias: lin.bias,
        extras: m.names.iter().cloned().zip(lin.extras).collect(),
        calibration,
        meta,
    })
}

/// One fold's result from [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct FoldResult {
    /// Share of the held-out documents whose sign was right.
    pub accuracy: f64,
    /// Held-out documents.
    pub rows: usize,
}

/// k-fold cross-validation of `docs`: each fold is scored by a model trained on the other
/// folds plus all of `background` (extra training data that is never tested on).
/// Folds are drawn by a shuffle seeded from `config.seed`.
pub fn cross_validate(
    docs: &[Doc],
    labels: &[bool],
    k: usize,
    background: (&[Doc], &[bool]),
    config: &TrainConfig,
) -> Vec<FoldResult> {
    let n = docs.len().min(labels.len());
    let nb = background.0.len().min(background.1.len());
    let all: Vec<Doc> = docs[..n]
        .iter()
        .chain(&background.0[..nb])
        .cloned()
        .collect();
    let all_labels: Vec<bool> = labels[..n]
        .iter()
        .chain(&background.1[..nb])
        .copied()
        .collect();
    let m = Matrix::build(&all, &config.featurizer);
    let mut order: Vec<usize> = (0..n).collect();
    Rng(config.seed ^ 0x5eed).shuffle(&mut order);
    let k = k.max(2);
    (0..k)
        .map(|fold| {
            let test: Vec<usize> = order.iter().skip(fold).step_by(k).copied().collect();
            let mut in_test = vec![false; n];
            test.iter().for_each(|&i| in_test[i] = true);
            let rows: Vec<usize> = (0..n + nb).filter(|&i| i >= n || !in_test[i]).collect();
            let (lin, cal) = fit_calibrated(&m, &all_labels, &rows, config);
            let right = test
                .iter()
                .filter(|&&i| (cal.probability(lin.margin(&m, i)) >= 0.5) == all_labels[i])
                .count();
            FoldResult {
                accuracy: right as f64 / test.len().max(1) as f64,
                rows: test.len(),
            }
        })
        .collect()
}
