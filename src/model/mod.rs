//! The model: its settings, its parameters, its file format, and its
//! scoring (`score.rs`).
//!
//! A model file is self-describing: besides the parameters it records the
//! normaliser, tokenizer and feature settings it was trained with, its labels,
//! the crate version that wrote it and a training summary.
//!
//! Layout: the 8-byte magic `NEWSBAIT`, the format version (u32, little end),
//! the payload length (u64), a CRC-32 of the payload (u32), then the payload.
//!
//! The payload (of [`FORMAT_VERSION`]) is laid out so that loading is a few bulk copies:
//! the small parts (labels, settings, priors, context, page model with its
//! feature names, standardisation and weights, summary) in postcard
//! encoding behind their length (u64), then the vocabulary's token bytes, token
//! ends (u32 each), packed feature keys (u64 each) and the weights as `f32`,
//! class after class, each array behind its element count (u64), all little
//! end. Weights are rounded to `f32` when a model is made, so a model scores
//! the same before and after a save. Version 6 adds, right after the small
//! parts, a second postcard part behind its length: the model's default
//! decision threshold and the hash of its training data. Version 5 files
//! (without it) still load, with neither.

mod score;

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::cache::{CacheStats, ScoreCache};
use crate::context::ContextModel;
use crate::data::Label;
use crate::error::{Error, Result};
use crate::features::{FeatureSettings, ScoringTable, Vocabulary};
use crate::page::PageModel;
use crate::segment::{Segmenter, TokenizerSettings};
use crate::text::Normalizer;

pub(crate) use score::Prepared;
pub use score::{Context, Contribution, Prediction};
#[cfg(feature = "cli")]
pub(crate) use score::{decide, kept};

/// The version of the model file layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 6;

/// The oldest model file layout this build still reads.
const OLDEST_FORMAT_VERSION: u32 = 5;

const MAGIC: &[u8; 8] = b"NEWSBAIT";
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// How much the label shares of the training data weigh in the class priors.
///
/// Written `prior` (strength 1: priors follow the shares), `balanced` (0: every
/// label the same prior) or a number in between, which interpolates the log
/// priors. A site unlike the training data has its own shares, so a weaker
/// prior carries over better.
///
/// ```
/// use newsbait::ClassWeight;
/// assert_eq!("balanced".parse::<ClassWeight>().unwrap().prior_strength, 0.0);
/// assert_eq!("0.5".parse::<ClassWeight>().unwrap().to_string(), "0.5");
/// assert!("2".parse::<ClassWeight>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassWeight {
    /// 1 = the training shares, 0 = uniform.
    pub prior_strength: f64,
}

impl ClassWeight {
    /// Priors from the label shares of the training data.
    pub const PRIOR: ClassWeight = ClassWeight {
        prior_strength: 1.0,
    };
    /// The same prior for every label.
    pub const BALANCED: ClassWeight = ClassWeight {
        prior_strength: 0.0,
    };

    /// Log priors from per-label document counts.
    pub fn log_priors(&self, documents: &[usize]) -> Vec<f64> {
        let n: usize = documents.iter().sum();
        let uniform = (1.0 / documents.len() as f64).ln();
        documents
            .iter()
            .map(|&d| {
                let share = (d as f64 / n as f64).ln();
                self.prior_strength * share + (1.0 - self.prior_strength) * uniform
            })
            .collect()
    }
}

impl Default for ClassWeight {
    /// Half way: leave-one-source-out macro-F1 0.565 → 0.589 against `prior`,
    /// with the same dev figure (see models/MODEL.md).
    fn default() -> Self {
        ClassWeight {
            prior_strength: 0.5,
        }
    }
}

impl std::str::FromStr for ClassWeight {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let strength = match s {
            "prior" => 1.0,
            "balanced" => 0.0,
            number => number.parse::<f64>().map_err(|_| {
                format!("{s:?}: expected `prior`, `balanced` or a number from 0 to 1")
            })?,
        };
        if !(0.0..=1.0).contains(&strength) {
            return Err(format!("{s:?}: the prior strength must be from 0 to 1"));
        }
        Ok(ClassWeight {
            prior_strength: strength,
        })
    }
}

impl std::fmt::Display for ClassWeight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prior_strength {
            1.0 => f.write_str("prior"),
            0.0 => f.write_str("balanced"),
            x => write!(f, "{x}"),
        }
    }
}

/// Which naive Bayes variant turns counts into weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Variant {
    /// Multinomial naive Bayes: a class's weights come from its own counts.
    #[default]
    Multinomial,
    /// Complement naive Bayes (Rennie et al. 2003): a class's weights come from
    /// the counts of all other classes, which is steadier when classes are skewed.
    Complement,
}

/// Everything that decides how a model is trained, stored in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// How text is normalised before segmentation.
    pub normalizer: Normalizer,
    /// How text is cut into words.
    pub tokenizer: TokenizerSettings,
    /// Which features are taken from the words.
    pub features: FeatureSettings,
    /// Additive (Laplace/Lidstone) smoothing; must be > 0.
    pub alpha: f64,
    /// How much the label shares weigh in the priors.
    pub class_weight: ClassWeight,
    /// Multinomial or complement naive Bayes.
    pub variant: Variant,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            normalizer: Normalizer::default(),
            tokenizer: TokenizerSettings::default(),
            features: FeatureSettings::default(),
            alpha: 0.01,
            class_weight: ClassWeight::default(),
            variant: Variant::default(),
        }
    }
}

impl ModelSettings {
    /// Checks the settings that no type can rule out.
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(Error::Settings(format!(
                "alpha must be a positive number (got {}): with alpha = 0 a word seen in one class only \
                 gives the other class a probability of zero",
                self.alpha
            )));
        }
        let w = self.features.shape_weight;
        if !(w > 0.0 && w.is_finite()) {
            return Err(Error::Settings(format!(
                "shape-weight must be a positive number (got {w})"
            )));
        }
        if self.features.max_features == Some(0) {
            return Err(Error::Settings(
                "max-features must be at least 1".to_string(),
            ));
        }
        Ok(())
    }
}

/// How many training paragraphs a label had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCount {
    /// The label.
    pub label: Label,
    /// How many training paragraphs had it.
    pub documents: usize,
}

/// What training saw and produced, kept in the model for its card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The training file's name as given on the command line.
    pub data: String,
    /// Paragraphs per label, in the model's label order.
    pub documents: Vec<LabelCount>,
    /// Features before pruning by `min_count` and `max_features`.
    pub features_seen: usize,
    /// Lines skipped as invalid UTF-8, binary or malformed.
    pub skipped_invalid: usize,
    /// A hash of the training paragraphs, 32 hex digits (see
    /// [`crate::Counts::data_hash`]); `None` in a model of format 5.
    #[serde(skip)]
    pub data_hash: Option<String>,
}

/// A model's own decision threshold for one label, chosen on held-out data
/// when it was trained (`newsbait-train --choose-threshold`): a paragraph
/// scored on its own gets the label when the label's probability is at
/// least [`DecisionThreshold::at`], else the most probable other label.
/// Decisions made with page context (the page model, the HMM) do not use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionThreshold {
    label: usize,
    at: f64,
    chosen_on: String,
    f1: f64,
}

impl DecisionThreshold {
    /// The index of the label the threshold is for.
    pub fn label(&self) -> usize {
        self.label
    }

    /// The probability from which a paragraph gets the label.
    pub fn at(&self) -> f64 {
        self.at
    }

    /// The data the threshold was chosen on, by name.
    pub fn chosen_on(&self) -> &str {
        &self.chosen_on
    }

    /// The label's F1 on that data at the threshold.
    pub fn f1(&self) -> f64 {
        self.f1
    }
}

/// The parts format 6 added, behind the small parts.
#[derive(Serialize, Deserialize, Default)]
struct Extra {
    threshold: Option<DecisionThreshold>,
    data_hash: Option<String>,
}

/// A trained classifier.
///
/// Parameters are kept per class as log-weights over the vocabulary's columns;
/// scoring a paragraph adds one weight per feature it has.
#[derive(Clone)]
pub struct Model {
    /// The crate version that trained the model.
    pub(crate) crate_version: String,
    /// The labels, in the order of every per-class vector.
    pub(crate) labels: Vec<Label>,
    /// How the model was trained; scoring uses the same settings.
    pub(crate) settings: ModelSettings,
    /// The features the model knows, one weight column each.
    pub(crate) vocabulary: Vocabulary,
    /// Log prior of each class.
    pub(crate) log_priors: Vec<f64>,
    /// Per class, one log-weight per vocabulary column.
    pub(crate) weights: Vec<Vec<f64>>,
    /// Divides the log-likelihoods before the softmax; fitted on held-out data
    /// so that stated probabilities match observed frequencies (1 = none).
    pub(crate) temperature: f64,
    /// Transitions between labels along a page, when the model has learned them.
    pub(crate) context: Option<ContextModel>,
    /// The page model (stacked logistic regressions over page features and
    /// segmentation rules), when the model has learned one; it replaces the
    /// HMM for [`crate::Context::Page`].
    pub(crate) page: Option<PageModel>,
    /// What training saw.
    pub(crate) summary: TrainingSummary,
    /// The default decision threshold, when training chose one.
    pub(crate) threshold: Option<DecisionThreshold>,
    /// The format version of the file the model was read from
    /// ([`FORMAT_VERSION`] for a model made here); a save writes the current one.
    pub(crate) format_version: u32,
    /// The segmenter of `settings.tokenizer`, built on first use.
    segmenter: OnceLock<Segmenter>,
    /// The feature index with `weights` in its slots (see [`Model::scoring_table`]).
    table: OnceLock<ScoringTable>,
    /// Paragraph scores already computed (see [`Model::set_cache_bytes`]).
    pub(crate) cache: ScoreCache,
    /// Paragraphs longer than this are scored in pieces (see [`Model::set_piece_bytes`]).
    pub(crate) piece_bytes: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("labels", &self.labels)
            .field("settings", &self.settings)
            .field("features", &self.vocabulary.len())
            .field("temperature", &self.temperature)
            .finish()
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.crate_version == other.crate_version
            && self.labels == other.labels
            && self.settings == other.settings
            && self.vocabulary == other.vocabulary
            && self.log_priors == other.log_priors
            && self.weights == other.weights
            && self.temperature == other.temperature
            && self.context == other.context
            && self.page == other.page
            && self.summary == other.summary
            && self.threshold == other.threshold
    }
}

/// The small parts of a model file, in postcard encoding.
#[derive(Serialize, Deserialize)]
struct Meta {
    crate_version: String,
    labels: Vec<Label>,
    settings: ModelSettings,
    log_priors: Vec<f64>,
    temperature: f64,
    context: Option<ContextModel>,
    page: Option<PageModel>,
    summary: TrainingSummary,
}

/// Reads the arrays of a payload, checking every length.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err("the model is truncated inside its payload".into());
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn len(&mut self) -> std::result::Result<usize, String> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(n).map_err(|_| "an array length does not fit in memory".to_string())
    }

    /// An array of `N`-byte little-end values behind its count.
    fn array<const N: usize>(&mut self) -> std::result::Result<&'a [u8], String> {
        let n = self.len()?;
        let bytes = n
            .checked_mul(N)
            .ok_or_else(|| "an array length does not fit in memory".to_string())?;
        self.take(bytes)
    }
}

fn decode_payload(payload: &[u8], version: u32) -> std::result::Result<Model, String> {
    let mut r = Reader { rest: payload };
    let meta_len = r.len()?;
    let mut meta: Meta = postcard::from_bytes(r.take(meta_len)?)
        .map_err(|e| format!("the model cannot be decoded: {e}"))?;
    let extra: Extra = if version >= 6 {
        let extra_len = r.len()?;
        postcard::from_bytes(r.take(extra_len)?)
            .map_err(|e| format!("the model cannot be decoded: {e}"))?
    } else {
        Extra::default()
    };
    meta.summary.data_hash = extra.data_hash;
    let blob_len = r.len()?;
    let blob = std::str::from_utf8(r.take(blob_len)?)
        .map_err(|_| "the model's token table is not UTF-8".to_string())?
        .to_string();
    let ends: Vec<u32> = r
        .array::<4>()?
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    let features: Vec<u64> = r
        .array::<8>()?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    // The weights, a row a label, read from the payload straight into their
    // rows: no table of them all besides.
    let flat = r.array::<4>()?;
    if !r.rest.is_empty() {
        return Err("the model has bytes after its last array".into());
    }
    let columns = features.len();
    if meta.labels.is_empty() || flat.len() != meta.labels.len() * columns * 4 {
        return Err("the model's weights do not match its vocabulary".into());
    }
    let weights = if columns == 0 {
        vec![Vec::new(); meta.labels.len()]
    } else {
        flat.chunks_exact(columns * 4)
            .map(|row| {
                row.chunks_exact(4)
                    .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
                    .collect()
            })
            .collect()
    };
    let vocabulary = Vocabulary::from_parts(blob, ends, features)?;
    Ok(Model {
        crate_version: meta.crate_version,
        labels: meta.labels,
        settings: meta.settings,
        vocabulary,
        log_priors: meta.log_priors,
        weights,
        temperature: meta.temperature,
        context: meta.context,
        page: meta.page,
        summary: meta.summary,
        threshold: extra.threshold,
        format_version: version,
        segmenter: OnceLock::new(),
        table: OnceLock::new(),
        cache: ScoreCache::default(),
        piece_bytes: crate::long::PIECE_BYTES,
    })
}

/// Wraps a payload in the model file header: magic, format version, payload
/// length and CRC-32. Tools that craft model files (fuzzers, tests) use it too,
/// so the layout is written in one place.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    MODEL_FILE.frame(payload)
}

/// A kind of newsbait file: a payload behind a header of magic (8 bytes),
/// format version (u32), payload length (u64) and CRC-32 of the payload
/// (u32), all little-endian. Models and training counts share the layout.
pub(crate) struct FileKind {
    /// The first 8 bytes.
    pub(crate) magic: &'static [u8; 8],
    /// The format version this build writes (and the newest it reads).
    pub(crate) version: u32,
    /// The oldest format version this build reads.
    pub(crate) oldest: u32,
    /// What the file is, in messages ("model").
    pub(crate) name: &'static str,
    /// How to make one, in messages.
    pub(crate) make: &'static str,
    /// How to make one this build reads, in messages.
    pub(crate) remake: &'static str,
    /// What to do with a damaged one, in messages.
    pub(crate) repair: &'static str,
}

/// Model files.
pub(crate) const MODEL_FILE: FileKind = FileKind {
    magic: MAGIC,
    version: FORMAT_VERSION,
    oldest: OLDEST_FORMAT_VERSION,
    name: "model",
    make: "train one with `newsbait-train`",
    remake: "retrain the model with this version's `newsbait-train`",
    repair: "retrain it or copy it again",
};

impl FileKind {
    /// The payload behind its header.
    pub(crate) fn frame(&self, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(self.magic);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Checks the header (magic, version, length, checksum) and returns the
    /// payload and its format version, or what is wrong.
    pub(crate) fn unframe<'a>(
        &self,
        bytes: &'a [u8],
    ) -> std::result::Result<(&'a [u8], u32), String> {
        let name = self.name;
        if bytes.len() < HEADER_LEN || &bytes[..8] != self.magic {
            return Err(format!(
                "not a newsbait {name} (it does not start with the {} header); {}",
                String::from_utf8_lossy(self.magic),
                self.make
            ));
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let version = u32_at(8);
        let reads = if self.oldest == self.version {
            format!("version {}", self.version)
        } else {
            format!("versions {} to {}", self.oldest, self.version)
        };
        if version > self.version {
            return Err(format!(
                "{name} format version {version} is newer than this newsbait reads ({reads}): \
                 it was written by a later newsbait; upgrade newsbait, or {}",
                self.remake
            ));
        }
        if version < self.oldest {
            return Err(format!(
                "{name} format version {version}, but this newsbait reads {reads}; {}",
                self.remake
            ));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let payload = &bytes[HEADER_LEN..];
        if payload.len() as u64 != len {
            return Err(format!(
                "the file is truncated or has trailing bytes: the header promises {len} bytes of \
                 {name}, the file holds {}",
                payload.len()
            ));
        }
        if crc32fast::hash(payload) != u32_at(20) {
            return Err(format!(
                "the {name} is corrupted (its checksum does not match); {}",
                self.repair
            ));
        }
        Ok((payload, version))
    }

    /// Reads a file of this kind; a file that does not start with the magic
    /// is read no further than it (a 2 GB data file given by mistake is not
    /// read whole), and [`FileKind::unframe`] then says what it is not.
    pub(crate) fn read(&self, path: &Path) -> Result<Vec<u8>> {
        use std::io::Read;
        let fail = |e| Error::io(path, e);
        let mut file = std::fs::File::open(path).map_err(fail)?;
        let mut bytes = Vec::new();
        file.by_ref()
            .take(8)
            .read_to_end(&mut bytes)
            .map_err(fail)?;
        if bytes.as_slice() == self.magic {
            file.read_to_end(&mut bytes).map_err(fail)?;
        }
        Ok(bytes)
    }
}

/// The model shipped with newsbait, trained on the shared corpus's train split.
#[cfg(feature = "shipped-model")]
static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/newsbait.model");

impl Model {
    /// Assembles a model from fitted parameters.
    pub(crate) fn new(
        labels: Vec<Label>,
        settings: ModelSettings,
        vocabulary: Vocabulary,
        log_priors: Vec<f64>,
        weights: Vec<Vec<f64>>,
        summary: TrainingSummary,
    ) -> Self {
        Model {
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            labels,
            settings,
            vocabulary,
            log_priors,
            weights: weights
                .into_iter()
                .map(|row| row.into_iter().map(|w| w as f32 as f64).collect())
                .collect(),
            temperature: 1.0,
            context: None,
            page: None,
            summary,
            threshold: None,
            format_version: FORMAT_VERSION,
            segmenter: OnceLock::new(),
            table: OnceLock::new(),
            cache: ScoreCache::default(),
            piece_bytes: crate::long::PIECE_BYTES,
        }
    }

    /// The segmenter this model was trained with (built on first use).
    pub fn segmenter(&self) -> &Segmenter {
        self.segmenter
            .get_or_init(|| Segmenter::new(&self.settings.tokenizer))
    }

    /// The table scoring reads: the feature index with every column's weights
    /// in its slot. Built on first use from [`Model::weights`] (exactly: the
    /// weights are `f32` values); change `weights` only before scoring.
    pub(crate) fn scoring_table(&self) -> &ScoringTable {
        self.table
            .get_or_init(|| self.vocabulary.scoring_table(&self.weights))
    }

    /// Builds now what scoring builds on first use (the scoring table), for
    /// instance on the thread that loads the model while jieba's dictionary is
    /// built on another, so that the first paragraph does not wait for it.
    pub fn prepare(&self) {
        self.scoring_table();
    }

    /// Sizes the cache of paragraph scores to at most `bytes` (0 turns it
    /// off), emptying it. A paragraph seen before (the same text; one over
    /// 128 bytes from its second sighting) costs a lookup instead of
    /// normalisation and segmentation (while next to nothing repeats, only a
    /// sample of the paragraphs is looked up and kept, which costs less than
    /// a lookup each); page decoding still runs on
    /// every page, and what the model returns is the same with the cache on
    /// or off. On by default, [`DEFAULT_CACHE_BYTES`](crate::DEFAULT_CACHE_BYTES).
    pub fn set_cache_bytes(&mut self, bytes: usize) {
        self.cache = ScoreCache::new(bytes);
    }

    /// Scores a paragraph longer than `bytes` (at least 4; 1 MiB by default)
    /// a piece of at most `bytes` at a time, so that memory does not grow
    /// with its length. Its scores are those of the paragraph uncut: exactly
    /// when every cut can fall after punctuation (jieba splits there anyway),
    /// up to the words around a cut otherwise. The page model, the heading
    /// check and [`Model::explain`] read such a paragraph by its first 64 KiB.
    pub fn set_piece_bytes(&mut self, bytes: usize) {
        self.piece_bytes = bytes.max(4);
    }

    /// How the paragraph score cache has done since the model was made or
    /// the cache resized: its size, hits and misses.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The labels, in the order of every [`crate::Prediction::probabilities`].
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// The settings the model was trained with.
    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// What training saw and produced.
    pub fn summary(&self) -> &TrainingSummary {
        &self.summary
    }

    /// How many features (vocabulary columns) the model weighs.
    pub fn feature_count(&self) -> usize {
        self.vocabulary.len()
    }

    /// The crate version that trained the model.
    pub fn crate_version(&self) -> &str {
        &self.crate_version
    }

    /// The calibration temperature that divides log-likelihoods before the
    /// softmax (1 = uncalibrated).
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// The format version of the file this model was read from (the current
    /// version for a model trained or merged here); `save` always writes the
    /// current one. `newsbait-info` shows it.
    pub fn format_version(&self) -> u32 {
        self.format_version
    }

    /// Whether the model has learned page context (see [`crate::Context`]).
    pub fn has_page_context(&self) -> bool {
        self.context.is_some() || self.page.is_some()
    }

    /// The page model, when the model has learned one.
    pub fn page_model(&self) -> Option<&PageModel> {
        self.page.as_ref()
    }

    /// The model's default decision threshold, if training chose one (see
    /// [`DecisionThreshold`]).
    pub fn threshold(&self) -> Option<&DecisionThreshold> {
        self.threshold.as_ref()
    }

    /// Gives the model a default decision threshold for `label`: from
    /// probability `at` a paragraph scored on its own gets the label;
    /// `chosen_on` names the held-out data it was chosen on and `f1` is the
    /// label's F1 there. `None` removes it.
    pub fn set_threshold(&mut self, threshold: Option<(&str, f64, &str, f64)>) -> Result<()> {
        self.threshold = match threshold {
            None => None,
            Some((label, at, chosen_on, f1)) => {
                if !(0.0..=1.0).contains(&at) {
                    return Err(Error::Settings(format!(
                        "threshold {at}: a probability from 0 to 1"
                    )));
                }
                let label = self.label_index(label).ok_or_else(|| {
                    Error::Settings(format!(
                        "threshold for {label:?}: the model has no such label"
                    ))
                })?;
                Some(DecisionThreshold {
                    label,
                    at,
                    chosen_on: chosen_on.to_string(),
                    f1,
                })
            }
        };
        Ok(())
    }

    /// The index of a label, if the model has it.
    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.0 == label)
    }

    /// The default model, embedded in the binary at build time.
    #[cfg(feature = "shipped-model")]
    pub fn shipped() -> Result<Model> {
        Model::decode(DEFAULT_MODEL, Path::new("<shipped model>"))
    }

    /// Encodes the model in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let extra = postcard::to_stdvec(&Extra {
            threshold: self.threshold.clone(),
            data_hash: self.summary.data_hash.clone(),
        })
        .expect("a model always serialises");
        let meta = postcard::to_stdvec(&Meta {
            crate_version: self.crate_version.clone(),
            labels: self.labels.clone(),
            settings: self.settings.clone(),
            log_priors: self.log_priors.clone(),
            temperature: self.temperature,
            context: self.context.clone(),
            page: self.page.clone(),
            summary: self.summary.clone(),
        })
        .expect("a model always serialises");
        let (blob, ends, features) = self.vocabulary.parts();
        let mut payload = Vec::with_capacity(
            64 + meta.len()
                + extra.len()
                + blob.len()
                + ends.len() * 4
                + features.len() * 8
                + self.weights.len() * features.len() * 4,
        );
        let put_len = |p: &mut Vec<u8>, n: usize| p.extend_from_slice(&(n as u64).to_le_bytes());
        put_len(&mut payload, meta.len());
        payload.extend_from_slice(&meta);
        put_len(&mut payload, extra.len());
        payload.extend_from_slice(&extra);
        put_len(&mut payload, blob.len());
        payload.extend_from_slice(blob.as_bytes());
        put_len(&mut payload, ends.len());
        ends.iter()
            .for_each(|e| payload.extend_from_slice(&e.to_le_bytes()));
        put_len(&mut payload, features.len());
        features
            .iter()
            .for_each(|k| payload.extend_from_slice(&k.to_le_bytes()));
        let weights = self.weights.iter().flatten();
        put_len(&mut payload, self.weights.len() * features.len());
        weights.for_each(|&w| payload.extend_from_slice(&(w as f32).to_le_bytes()));
        frame(&payload)
    }

    /// Decodes a model from the bytes of a model file (as [`Model::to_bytes`]
    /// wrote them), for a model that does not come from a file: embedded,
    /// downloaded or kept in a database.
    ///
    /// ```
    /// use newsbait::Model;
    /// let model = Model::shipped().unwrap();
    /// let copy = Model::from_bytes(&model.to_bytes()).unwrap();
    /// assert_eq!(copy.labels(), model.labels());
    /// assert!(Model::from_bytes(b"not a model").is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        Model::decode(bytes, Path::new("<bytes>"))
    }

    /// Decodes a model file's bytes; `path` names it in errors.
    pub(crate) fn decode(bytes: &[u8], path: &Path) -> Result<Model> {
        let fail = |message: String| Error::Model {
            path: path.to_path_buf(),
            message,
        };
        let (payload, version) = MODEL_FILE.unframe(bytes).map_err(fail)?;
        let model = decode_payload(payload, version).map_err(fail)?;
        model.check_shape().map_err(fail)?;
        model.check_values().map_err(fail)?;
        Ok(model)
    }

    /// Guards against a payload whose vectors disagree in length.
    fn check_shape(&self) -> std::result::Result<(), String> {
        let classes = self.labels.len();
        let columns = self.vocabulary.len();
        if classes < 2 || self.log_priors.len() != classes || self.weights.len() != classes {
            return Err("the model's class vectors do not match its labels".into());
        }
        if self.weights.iter().any(|w| w.len() != columns) {
            return Err("the model's weights do not match its vocabulary".into());
        }
        if let Some(ctx) = &self.context {
            ctx.check(classes)?;
        }
        if let Some(page) = &self.page {
            page.check(classes)?;
        }
        if let Some(t) = &self.threshold
            && (t.label >= classes || !(0.0..=1.0).contains(&t.at))
        {
            return Err("the model's decision threshold does not match its labels".into());
        }
        Ok(())
    }

    /// Guards against parameters no training gives (NaN, infinite, absurd),
    /// which would turn every probability into NaN.
    fn check_values(&self) -> std::result::Result<(), String> {
        let sane = |x: &f64| x.is_finite() && x.abs() <= 1e6;
        if !self.log_priors.iter().all(sane) || !self.weights.iter().flatten().all(sane) {
            return Err("the model's weights are not finite numbers; retrain it".into());
        }
        if !(1e-6..=1e6).contains(&self.temperature) {
            return Err(format!(
                "the model's temperature {} is out of range; retrain or recalibrate it",
                self.temperature
            ));
        }
        if let Some(ctx) = &self.context
            && !ctx
                .start
                .iter()
                .chain(ctx.transition.iter().flatten())
                .all(sane)
        {
            return Err(
                "the model's page-context tables are not finite numbers; retrain it".into(),
            );
        }
        Ok(())
    }

    /// Reads a model file, such as one `newsbait-train` wrote.
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        let path = path.as_ref();
        Model::decode(&MODEL_FILE.read(path)?, path)
    }

    /// Writes the model to `path` whole or not at all (through a temporary
    /// file renamed into place), so a reader never sees half a model.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::write_atomically(path.as_ref(), |w| w.write_all(&self.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_must_be_positive() {
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let s = ModelSettings {
                alpha,
                ..ModelSettings::default()
            };
            let err = s.validate().unwrap_err().to_string();
            assert!(err.contains("alpha must be a positive number"), "{err}");
        }
        assert!(ModelSettings::default().validate().is_ok());
    }

    #[test]
    fn rejects_files_that_are_not_models() {
        let p = Path::new("m.model");
        for bytes in [&b""[..], b"hello world, not a model at all", b"NEWSBAI"] {
            let err = Model::decode(bytes, p).unwrap_err().to_string();
            assert!(err.starts_with("m.model: not a newsbait model"), "{err}");
        }
    }

    /// Documents of `jsonl`, as the reader of `newsbait-classify` gives them.
    fn jsonl_documents(jsonl: &str) -> Vec<crate::Document> {
        let mut docs = Vec::new();
        crate::data::for_each_document(
            Path::new("t.jsonl"),
            jsonl.as_bytes(),
            crate::DocumentFormat::Jsonl,
            crate::OnInvalid::Error,
            |d| {
                docs.push(d);
                Ok(())
            },
        )
        .unwrap();
        docs
    }

    #[test]
    fn prepared_documents_score_to_the_bit_as_unprepared_ones() {
        let mut model = Model::shipped().unwrap();
        // No cache: a paragraph scored once must be scored again, from what
        // was prepared of it.
        model.set_cache_bytes(0);
        let docs = jsonl_documents(concat!(
            r#"{"text":"国务院召开常务会议，部署稳就业工作。\n推荐阅读\n震惊！她竟然这样做\n国务院召开常务会议，部署稳就业工作。"}"#,
            "\n",
            r#"{"text":"推荐阅读"}"#,
            "\n",
            r#"{"text":"相关新闻：  某地发布通知。\n２０２４年５月１日 来源：新华社\n“我们会坚持下去。”"}"#,
            "\n",
        ));
        for context in [Context::Page, Context::Off] {
            let mut preparer = model.preparer(context);
            let mut prepared_docs = docs.clone();
            for (doc, prepared) in docs.iter().zip(&mut prepared_docs) {
                preparer.prepare(prepared);
                assert_eq!(
                    model.classify_document(prepared, context).unwrap(),
                    model.classify_document(doc, context).unwrap(),
                    "{context:?}: {:?}",
                    doc.paragraphs
                );
            }
            // A text met again is left to the cache: the fourth paragraph,
            // and the second document's one.
            let prepared: Vec<Vec<bool>> = prepared_docs
                .iter()
                .map(|d| d.prepared.iter().map(Option::is_some).collect())
                .collect();
            assert_eq!(
                prepared,
                [vec![true, true, true, false], vec![false], vec![true; 3]]
            );
        }
    }

    #[test]
    fn what_was_prepared_is_what_is_scored() {
        let mut model = Model::shipped().unwrap();
        model.set_cache_bytes(0);
        let docs = jsonl_documents(concat!(
            r#"{"text":"国务院召开常务会议，部署稳就业工作。\n震惊！她竟然这样做，看完惊呆了"}"#,
            "\n"
        ));
        let mut doc = docs[0].clone();
        model.preparer(Context::Off).prepare(&mut doc);
        // The second paragraph's prepared text put in the first's place:
        // the first is scored as the second.
        let second = doc.prepared[1].clone();
        doc.prepared[0] = second;
        let preds = model.classify_document(&doc, Context::Off).unwrap();
        assert_eq!(preds[0].probabilities(), preds[1].probabilities());
        let plain = model.classify_document(&docs[0], Context::Off).unwrap();
        assert_ne!(plain[0].probabilities(), plain[1].probabilities());
    }

    #[test]
    fn save_and_load_give_identical_scores() {
        let model = Model::shipped().unwrap();
        let bytes = model.to_bytes();
        let back = Model::decode(&bytes, Path::new("m.model")).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
        for text in [
            "国务院召开常务会议,部署稳就业工作。",
            "震惊!她竟然这样做,看完惊呆了",
            "生活|牙膏的妙用",
            "",
        ] {
            assert_eq!(
                back.joint_log_likelihood(text),
                model.joint_log_likelihood(text)
            );
        }
    }

    /// The shipped model's file in format 5: without the part format 6 added.
    fn as_format_5(bytes: &[u8]) -> Vec<u8> {
        let payload = &bytes[HEADER_LEN..];
        let len = |at: usize| u64::from_le_bytes(payload[at..at + 8].try_into().unwrap()) as usize;
        let meta_end = 8 + len(0);
        let extra_end = meta_end + 8 + len(meta_end);
        let old: Vec<u8> = [&payload[..meta_end], &payload[extra_end..]].concat();
        FileKind {
            version: 5,
            ..MODEL_FILE
        }
        .frame(&old)
    }

    #[test]
    fn format_5_files_load_without_threshold_or_hash_and_newer_ones_are_refused() {
        let model = Model::shipped().unwrap();
        assert!(model.summary().data_hash.is_some());
        let old = Model::decode(&as_format_5(&model.to_bytes()), Path::new("m.model")).unwrap();
        assert_eq!(old.format_version, 5);
        assert_eq!(old.summary().data_hash, None);
        assert!(old.threshold().is_none());
        assert_eq!(old.weights, model.weights);
        for text in ["国务院召开常务会议,部署稳就业工作。", "震惊!她竟然这样做"]
        {
            assert_eq!(old.predict(text), model.predict(text));
        }
        // Saved again, it is a format 6 file.
        assert_eq!(
            Model::from_bytes(&old.to_bytes()).unwrap().format_version,
            FORMAT_VERSION
        );
        let newer = FileKind {
            version: FORMAT_VERSION + 1,
            ..MODEL_FILE
        }
        .frame(&model.to_bytes()[HEADER_LEN..]);
        let err = Model::decode(&newer, Path::new("m.model"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "model format version 7 is newer than this newsbait reads (versions 5 to 6)"
            ),
            "{err}"
        );
        let older = FileKind {
            version: 4,
            ..MODEL_FILE
        }
        .frame(&model.to_bytes()[HEADER_LEN..]);
        let err = Model::decode(&older, Path::new("m.model"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("model format version 4, but this newsbait reads versions 5 to 6"),
            "{err}"
        );
    }

    #[test]
    fn a_default_threshold_decides_paragraphs_alone_and_round_trips() {
        use crate::Context;
        let mut model = Model::shipped().unwrap();
        let bait = "这三种水果晚上千万别吃,很多人不知道";
        let plain = model.predict(bait);
        let p = plain.probabilities()[model.label_index("clickbait").unwrap()];
        assert_eq!(model.label(&plain).as_str(), "clickbait");
        assert!(p < 0.9999, "{p}");
        let page = ["国务院召开常务会议,部署稳就业工作。", "推荐阅读", bait];
        let with_context = model.classify(&page, Context::Page);
        // Above the paragraph's probability: news, alone; the probabilities stay.
        model
            .set_threshold(Some(("clickbait", 0.99995, "held-out.jsonl", 0.9)))
            .unwrap();
        let t = model.predict(bait);
        assert_eq!(model.label(&t).as_str(), "news");
        assert_eq!(t.probabilities(), plain.probabilities());
        let alone = model.classify(&page, Context::Off);
        assert_eq!(model.label(&alone[2]).as_str(), "news");
        // Decisions with page context are the page model's own.
        assert_eq!(model.classify(&page, Context::Page), with_context);
        // Kept in the file.
        let back = Model::from_bytes(&model.to_bytes()).unwrap();
        let kept = back.threshold().unwrap();
        assert_eq!(
            (kept.at(), kept.chosen_on(), kept.f1()),
            (0.99995, "held-out.jsonl", 0.9)
        );
        assert_eq!(back.labels()[kept.label()].as_str(), "clickbait");
        assert_eq!(back, model);
        assert!(
            model
                .set_threshold(Some(("sports", 0.5, "x", 0.0)))
                .is_err()
        );
        assert!(
            model
                .set_threshold(Some(("clickbait", 1.5, "x", 0.0)))
                .is_err()
        );
        model.set_threshold(None).unwrap();
        assert_eq!(model.predict(bait), plain);
    }

    #[test]
    fn damaged_payloads_are_errors_not_panics() {
        let bytes = Model::shipped().unwrap().to_bytes();
        let p = Path::new("m.model");
        for cut in [HEADER_LEN + 3, HEADER_LEN + 100, bytes.len() - 1] {
            let mut short = bytes[..cut].to_vec();
            let len = (short.len() - HEADER_LEN) as u64;
            short[12..20].copy_from_slice(&len.to_le_bytes());
            let crc = crc32fast::hash(&short[HEADER_LEN..]);
            short[20..24].copy_from_slice(&crc.to_le_bytes());
            assert!(Model::decode(&short, p).is_err());
        }
    }
}
