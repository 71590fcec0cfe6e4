//! Command-line flags shared by the binaries, so that `newsbait-train` and
//! `newsbait-eval` (which trains models for cross-validation) read the
//! training settings through one definition.

use std::path::PathBuf;

use crate::context::DEFAULT_LIST_MARKERS;
use crate::error::{Error, Result};
use crate::features::FeatureSettings;
use crate::model::{ClassWeight, ModelSettings, Variant};
use crate::segment::{TokenizerSettings, parse_user_dict};
use crate::text::Normalizer;

/// The settings of a naive Bayes fit, as flags.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainingFlags {
    /// Additive smoothing of naive Bayes (> 0).
    #[arg(long, default_value_t = ModelSettings::default().alpha)]
    pub alpha: f64,
    /// Keep features seen at least this many times.
    #[arg(long, default_value_t = FeatureSettings::default().min_count)]
    pub min_count: u32,
    /// Keep at most this many features, the most frequent first.
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Single words only, no adjacent word pairs.
    #[arg(long)]
    pub no_bigrams: bool,
    /// Add character n-grams of this length (0 = none).
    #[arg(long, default_value_t = 0)]
    pub char_ngrams: usize,
    /// Leave out shape tokens (length, column tags, line ending, punctuation).
    #[arg(long)]
    pub no_shape: bool,
    /// Multiply the value of shape tokens by this (> 0) before each paragraph's
    /// vector is scaled: more weight on how a line looks, less on its words.
    #[arg(long, default_value_t = FeatureSettings::default().shape_weight)]
    pub shape_weight: f64,
    /// Use ln(1 + count) instead of raw counts.
    #[arg(long)]
    pub log_counts: bool,
    /// Scale each paragraph's feature vector to unit length.
    #[arg(long, value_enum, default_value_t = FeatureSettings::default().length_norm.into())]
    pub length_norm: LengthNormArg,
    /// Naive Bayes variant.
    #[arg(long, value_enum, default_value_t = Variant::default().into())]
    pub variant: VariantArg,
    /// Class priors: `prior` (the label shares of the data), `balanced` (equal),
    /// or a prior strength between 0 and 1.
    #[arg(long, default_value_t = ClassWeight::default())]
    pub class_weight: ClassWeight,
    /// Turn off jieba's HMM for unknown words.
    #[arg(long)]
    pub no_hmm: bool,
    /// Extra words for jieba, one `word [freq] [tag]` a line; stored in the model.
    #[arg(long)]
    pub user_dict: Option<PathBuf>,
}

impl TrainingFlags {
    /// The model settings these flags describe (reads the user dictionary),
    /// checked with [`ModelSettings::validate`].
    pub fn settings(&self) -> Result<ModelSettings> {
        let user_words = match &self.user_dict {
            None => Vec::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                parse_user_dict(&text).map_err(|(line, msg)| Error::parse(path, line, msg))?
            }
        };
        let settings = ModelSettings {
            normalizer: Normalizer::default(),
            tokenizer: TokenizerSettings {
                hmm: !self.no_hmm,
                user_words,
            },
            features: FeatureSettings {
                word_bigrams: !self.no_bigrams,
                char_ngrams: self.char_ngrams,
                shape: !self.no_shape,
                shape_weight: self.shape_weight,
                log_counts: self.log_counts,
                length_norm: self.length_norm.into(),
                min_count: self.min_count,
                max_features: self.max_features,
            },
            alpha: self.alpha,
            class_weight: self.class_weight,
            variant: self.variant.into(),
        };
        settings.validate()?;
        Ok(settings)
    }
}

/// How page context treats list headings, as flags (used with `--pages`).
#[derive(clap::Args, Debug, Clone)]
pub struct ContextFlags {
    /// With --pages: the label of list headings (推荐阅读, 猜你喜欢, ...) and of
    /// the lists they open; `none` for no headings.
    #[arg(long, default_value = "clickbait", requires = "pages")]
    pub marker_label: String,
    /// With --pages: a file of list headings, one a line, instead of the built-in ones.
    #[arg(long, requires = "pages")]
    pub markers: Option<PathBuf>,
}

impl ContextFlags {
    /// The list headings and their label for [`crate::train::learn_context`].
    pub fn markers(&self) -> Result<Option<(&str, Vec<String>)>> {
        Ok(match (&self.markers, self.marker_label.as_str()) {
            (_, "none") => None,
            (Some(file), label) => {
                let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
                let phrases = text.lines().map(str::trim).filter(|l| !l.is_empty());
                Some((label, phrases.map(String::from).collect()))
            }
            (None, label) => Some((
                label,
                DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect(),
            )),
        })
    }
}

/// Declares a clap value enum mirroring a library enum, with the conversion,
/// so that library types carry no clap derive.
macro_rules! value_enum {
    ($(#[$meta:meta])* $name:ident => $lib:ty { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$name> for $lib {
            fn from(value: $name) -> $lib {
                match value {
                    $($name::$variant => <$lib>::$variant),+
                }
            }
        }

        impl From<$lib> for $name {
            fn from(value: $lib) -> $name {
                match value {
                    $(<$lib>::$variant => $name::$variant),+
                }
            }
        }
    };
}

value_enum! {
    /// `--format` of training data.
    DataFormatArg => crate::data::DataFormat {
        /// `{"label": ..., "text": ...}` a line; other fields are kept.
        Jsonl,
        /// `label<TAB>text` a line.
        Tsv,
        /// `__label__news text` a line, as fastText reads it.
        Fasttext,
    }
}

value_enum! {
    /// `--on-invalid`.
    OnInvalidArg => crate::data::OnInvalid {
        /// Skip the line and count it.
        Skip,
        /// Stop with an error naming the line.
        Error,
    }
}

/// `--input-format` of documents: a row of `INPUT_FORMATS`, which names and
/// describes each [`DocumentFormat`](crate::data::DocumentFormat) once.
/// Its fields: the format, its name on the command line, its help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentFormatArg(crate::data::DocumentFormat, &'static str, &'static str);

/// Every `--input-format`, in the order `--help` lists them.
const INPUT_FORMATS: &[DocumentFormatArg] = {
    use crate::data::DocumentFormat as F;
    use DocumentFormatArg as Row;
    &[
        Row(
            F::Text,
            "text",
            "The whole file is one document; a paragraph a non-empty line",
        ),
        Row(
            F::Lines,
            "lines",
            "Each non-empty line is its own document (fastText's convention)",
        ),
        Row(
            F::Blocks,
            "blocks",
            "Documents separated by blank lines; a paragraph a non-empty line",
        ),
        Row(
            F::Tsv,
            "tsv",
            "`label<TAB>text` a line, each its own document; the label is ignored",
        ),
        Row(
            F::Fasttext,
            "fasttext",
            "`__label__x text` a line, each its own document; the label is ignored",
        ),
        Row(
            F::Jsonl,
            "jsonl",
            "One document a line: a JSON object with an `html` or a `text` field",
        ),
        Row(
            F::Html,
            "html",
            "An HTML page, its charset detected; a paragraph a block",
        ),
    ]
};

impl clap::ValueEnum for DocumentFormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        INPUT_FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.1).help(self.2))
    }
}

impl From<DocumentFormatArg> for crate::data::DocumentFormat {
    fn from(value: DocumentFormatArg) -> Self {
        value.0
    }
}

value_enum! {
    /// `--length-norm`.
    LengthNormArg => crate::features::LengthNorm {
        /// Raw values.
        None,
        /// Values sum to 1.
        L1,
        /// Values have Euclidean length 1.
        L2,
    }
}

value_enum! {
    /// `--variant`.
    VariantArg => crate::model::Variant {
        /// Multinomial naive Bayes: a class's weights come from its own counts.
        Multinomial,
        /// Complement naive Bayes (Rennie et al. 2003): a class's weights come from
        /// the counts of all other classes, which is steadier when classes are skewed.
        Complement,
    }
}

/// Page context on (`true`) or off, as the library's option.
pub fn context(on: bool) -> crate::model::Context {
    if on {
        crate::model::Context::Page
    } else {
        crate::model::Context::Off
    }
}
