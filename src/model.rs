//! The model: its settings, its parameters, and its file format.
//!
//! A model file is self-describing: besides the parameters it records the
//! normaliser, tokenizer and feature settings it was trained with, its labels,
//! the crate version that wrote it and a training summary.
//!
//! Layout: the 8-byte magic `NEWSBAIT`, the format version (u32, little end),
//! the payload length (u64), a CRC-32 of the payload (u32), then the payload,
//! which is the [`Model`] in postcard encoding.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::context::ContextModel;
use crate::data::Label;
use crate::error::{Error, Result};
use crate::features::{FeatureSettings, Vocabulary};
use crate::segment::{Segmenter, TokenizerSettings};
use crate::text::Normalizer;

/// The version of the model file layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"NEWSBAIT";
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// How classes are weighted against each other when fitting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum ClassWeight {
    /// Priors follow the share of each label in the training data.
    #[default]
    Prior,
    /// Every label gets the same prior, whatever its share.
    Balanced,
}

/// Which naive Bayes variant turns counts into weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
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
    pub normalizer: Normalizer,
    pub tokenizer: TokenizerSettings,
    pub features: FeatureSettings,
    /// Additive (Laplace/Lidstone) smoothing; must be > 0.
    pub alpha: f64,
    pub class_weight: ClassWeight,
    pub variant: Variant,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            normalizer: Normalizer::default(),
            tokenizer: TokenizerSettings::default(),
            features: FeatureSettings::default(),
            alpha: 0.02,
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
    pub label: Label,
    pub documents: usize,
}

/// What training saw and produced, kept in the model for its card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The training file's name as given on the command line.
    pub data: String,
    pub documents: Vec<LabelCount>,
    /// Features before pruning by `min_count` and `max_features`.
    pub features_seen: usize,
    /// Lines skipped as invalid UTF-8, binary or malformed.
    pub skipped_invalid: usize,
}

/// A trained classifier.
///
/// Parameters are kept per class as log-weights over the vocabulary's columns;
/// scoring a paragraph adds one weight per feature it has (see [`crate::score`]).
#[derive(Clone, Serialize, Deserialize)]
pub struct Model {
    /// The crate version that trained the model.
    pub crate_version: String,
    /// The labels, in the order of every per-class vector.
    pub labels: Vec<Label>,
    pub settings: ModelSettings,
    pub vocabulary: Vocabulary,
    /// Log prior of each class.
    pub log_priors: Vec<f64>,
    /// Per class, one log-weight per vocabulary column.
    pub weights: Vec<Vec<f64>>,
    /// Divides the log-likelihoods before the softmax; fitted on held-out data
    /// so that stated probabilities match observed frequencies (1 = none).
    pub temperature: f64,
    /// Transitions between labels along a page, when the model has learned them.
    pub context: Option<ContextModel>,
    pub summary: TrainingSummary,
    #[serde(skip)]
    segmenter: OnceLock<Segmenter>,
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
            && self.summary == other.summary
    }
}

/// The model shipped with newsbait, trained on the shared corpus's train split.
static DEFAULT_MODEL: &[u8] = include_bytes!("../models/newsbait.model");

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
            weights,
            temperature: 1.0,
            context: None,
            summary,
            segmenter: OnceLock::new(),
        }
    }

    /// The segmenter this model was trained with (built on first use).
    pub fn segmenter(&self) -> &Segmenter {
        self.segmenter
            .get_or_init(|| Segmenter::new(&self.settings.tokenizer))
    }

    /// The index of a label, if the model has it.
    pub fn label_index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.0 == label)
    }

    /// The default model, embedded in the binary at build time.
    pub fn shipped() -> Result<Model> {
        Model::from_bytes(DEFAULT_MODEL, Path::new("<shipped model>"))
    }

    /// Encodes the model in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = postcard::to_stdvec(self).expect("a model always serialises");
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Decodes a model file's bytes; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        let fail = |message: String| Error::Model {
            path: path.to_path_buf(),
            message,
        };
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return Err(fail(
                "not a newsbait model (it does not start with the NEWSBAIT header); \
                 train one with `newsbait-train`"
                    .into(),
            ));
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(fail(format!(
                "model format version {version}, but this newsbait reads version {FORMAT_VERSION}; \
                 retrain the model with this version's `newsbait-train`"
            )));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let payload = &bytes[HEADER_LEN..];
        if payload.len() as u64 != len {
            return Err(fail(format!(
                "the file is truncated or has trailing bytes: the header promises {len} bytes of \
                 model, the file holds {}",
                payload.len()
            )));
        }
        if crc32fast::hash(payload) != u32_at(20) {
            return Err(fail(
                "the model is corrupted (its checksum does not match); retrain it or copy it again"
                    .into(),
            ));
        }
        let model: Model = postcard::from_bytes(payload)
            .map_err(|e| fail(format!("the model cannot be decoded: {e}")))?;
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

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        use std::io::Read;
        let fail = |e| Error::io(path, e);
        // Look at the magic first, so that a 2 GB data file given as a model is not read whole.
        let mut file = std::fs::File::open(path).map_err(fail)?;
        let mut bytes = Vec::new();
        file.by_ref()
            .take(8)
            .read_to_end(&mut bytes)
            .map_err(fail)?;
        if bytes.as_slice() == MAGIC {
            file.read_to_end(&mut bytes).map_err(fail)?;
        }
        Model::from_bytes(&bytes, path)
    }

    /// Writes the model to `path` whole or not at all.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomically(path, |w| w.write_all(&self.to_bytes()))
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
            let err = Model::from_bytes(bytes, p).unwrap_err().to_string();
            assert!(err.starts_with("m.model: not a newsbait model"), "{err}");
        }
    }
}
