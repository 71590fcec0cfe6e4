//! [`TrainParams`]: the settings of a fit, as a builder, and the fit itself.

use std::path::Path;

use crate::counts::Counts;
use crate::data::{Example, LabelledPage};
use crate::error::Result;
use crate::features::LengthNorm;
use crate::model::{ClassWeight, Model, ModelSettings, Variant};
use crate::segment::UserWord;

/// How to train a [`Model`], in the spirit of linfa's
/// `params().alpha(..).fit(..)`: start from [`TrainParams::new`] (the
/// defaults of `newsbait-train`), change what you need, then [`TrainParams::fit`].
///
/// ```
/// use newsbait::{Example, TrainParams};
/// let examples = [
///     Example::new("news", "国务院召开常务会议,部署稳就业工作。"),
///     Example::new("news", "市政府召开会议研究城市更新工作"),
///     Example::new("clickbait", "震惊!她竟然这样做,看完惊呆了"),
///     Example::new("clickbait", "生活|冰箱里放一物,电费省一半"),
/// ];
/// let model = TrainParams::new().alpha(0.1).min_count(1).fit(examples).unwrap();
/// assert_eq!(model.labels().len(), 2);
/// assert!(TrainParams::new().alpha(0.0).check().is_err());
/// ```
#[derive(Clone)]
pub struct TrainParams {
    settings: ModelSettings,
    source: String,
    progress: Option<std::sync::Arc<dyn Fn(u64) + Send + Sync>>,
}

impl std::fmt::Debug for TrainParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainParams")
            .field("settings", &self.settings)
            .field("source", &self.source)
            .finish()
    }
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams::new()
    }
}

impl TrainParams {
    /// The default settings (those of `newsbait-train` without flags).
    pub fn new() -> Self {
        TrainParams::from_settings(ModelSettings::default())
    }

    /// Starts from whole model settings, such as another model's
    /// [`Model::settings`].
    pub fn from_settings(settings: ModelSettings) -> Self {
        TrainParams {
            settings,
            source: "<memory>".to_string(),
            progress: None,
        }
    }

    /// The settings the model will be trained with.
    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// Additive smoothing of naive Bayes; must be > 0 (default 0.01).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.settings.alpha = alpha;
        self
    }

    /// Keep features seen at least this many times (default 1).
    pub fn min_count(mut self, min_count: u32) -> Self {
        self.settings.features.min_count = min_count;
        self
    }

    /// Keep at most this many features, the most frequent first (default: all).
    pub fn max_features(mut self, max_features: Option<usize>) -> Self {
        self.settings.features.max_features = max_features;
        self
    }

    /// Adjacent word pairs as features (default on).
    pub fn word_bigrams(mut self, on: bool) -> Self {
        self.settings.features.word_bigrams = on;
        self
    }

    /// Character n-grams of this length as features (0, the default: none).
    pub fn char_ngrams(mut self, n: usize) -> Self {
        self.settings.features.char_ngrams = n;
        self
    }

    /// Shape tokens: length, column tags, line ending, punctuation (default on).
    pub fn shape(mut self, on: bool) -> Self {
        self.settings.features.shape = on;
        self
    }

    /// The weight of shape tokens against words; must be > 0 (default 1.5).
    pub fn shape_weight(mut self, weight: f64) -> Self {
        self.settings.features.shape_weight = weight;
        self
    }

    /// `ln(1 + count)` instead of raw counts (default off).
    pub fn log_counts(mut self, on: bool) -> Self {
        self.settings.features.log_counts = on;
        self
    }

    /// How each paragraph's vector is scaled (default L2).
    pub fn length_norm(mut self, norm: LengthNorm) -> Self {
        self.settings.features.length_norm = norm;
        self
    }

    /// The naive Bayes variant (default multinomial).
    pub fn variant(mut self, variant: Variant) -> Self {
        self.settings.variant = variant;
        self
    }

    /// How much the label shares of the data weigh in the priors (default 0.5).
    pub fn class_weight(mut self, weight: ClassWeight) -> Self {
        self.settings.class_weight = weight;
        self
    }

    /// jieba's HMM for unknown words (default on).
    pub fn hmm(mut self, on: bool) -> Self {
        self.settings.tokenizer.hmm = on;
        self
    }

    /// Extra words for jieba, stored in the model.
    pub fn user_words(mut self, words: Vec<UserWord>) -> Self {
        self.settings.tokenizer.user_words = words;
        self
    }

    /// The name of the training data, for messages and the model's summary.
    pub fn source(mut self, name: impl Into<String>) -> Self {
        self.source = name.into();
        self
    }

    /// Called from the counting threads with the number of paragraphs
    /// segmented since its last call (to drive a progress bar).
    pub fn progress(mut self, f: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(f));
        self
    }

    /// Checks the settings that no type can rule out (alpha > 0, ...), with
    /// a message that says what is wrong.
    pub fn check(&self) -> Result<()> {
        self.settings.validate()
    }

    /// Trains naive Bayes on `examples` (at least two labels). The same
    /// examples and settings give the same model, whatever the thread count.
    /// Add page context with [`Model::learn_page_context`] and calibrate with
    /// [`Model::calibrate`].
    pub fn fit(&self, examples: impl IntoIterator<Item = Example>) -> Result<Model> {
        let examples: Vec<Example> = examples.into_iter().collect();
        self.fit_slice(&examples)
    }

    /// [`TrainParams::fit`] on examples already in a slice.
    pub fn fit_slice(&self, examples: &[Example]) -> Result<Model> {
        self.count_slice(examples)?.fit()
    }

    /// Counts `examples` without fitting: the mergeable sums a fit starts
    /// from, for training on shards of the data ([`Counts::merge`], then
    /// [`Counts::fit`]). Any labels will do; the fit needs two in all.
    pub fn count(&self, examples: impl IntoIterator<Item = Example>) -> Result<Counts> {
        let examples: Vec<Example> = examples.into_iter().collect();
        self.count_slice(&examples)
    }

    /// [`TrainParams::count`] on examples already in a slice.
    pub fn count_slice(&self, examples: &[Example]) -> Result<Counts> {
        self.check()?;
        let none = |_: u64| {};
        let progress: &(dyn Fn(u64) + Sync) = match &self.progress {
            Some(f) => f.as_ref(),
            None => &none,
        };
        crate::train::count(examples, Path::new(&self.source), &self.settings, progress)
    }
}

impl Model {
    /// Learns page context (how labels follow each other along a page) from
    /// labelled pages. `markers`, if given, are list headings (推荐阅读, ...)
    /// and the label they and the lists they open get. Lines whose label the
    /// model does not know are an error.
    /// `source` names the pages in errors.
    pub fn learn_page_context(
        &mut self,
        pages: &[LabelledPage],
        source: impl AsRef<Path>,
        markers: Option<(&str, Vec<String>)>,
    ) -> Result<()> {
        crate::train::learn_context(self, pages, source.as_ref(), markers)
    }

    /// Learns the page model (stacked logistic regressions over page
    /// features, then segmentation rules; `src/page`) from labelled
    /// pages, on top of this model's naive Bayes: labelled pages in, page
    /// model out, stored in the model. With `params.hmm_feature` the page
    /// context must be learned first ([`Model::learn_page_context`]).
    /// `source` names the pages in errors.
    pub fn learn_page_model(
        &mut self,
        pages: &[LabelledPage],
        source: impl AsRef<Path>,
        params: &crate::page::PageParams,
    ) -> Result<()> {
        crate::train::learn_page_model(self, pages, source.as_ref(), params)
    }

    /// Fits the model's temperature on held-out examples so that its
    /// probabilities match observed frequencies; returns the log loss before
    /// and after.
    pub fn calibrate(&mut self, held_out: &[Example]) -> (f64, f64) {
        crate::train::calibrate(self, held_out)
    }
}
