//! newsbait tells, paragraph by paragraph, which parts of a scraped Chinese news
//! page are the article (policy news) and which are clickbait glued onto it.
//!
//! The pipeline: text is normalised ([`Normalizer`]) and split into paragraphs
//! ([`split_paragraphs`]), cut into words by jieba-rs ([`Segmenter`]), turned
//! into sparse features ([`FeatureSettings`]) and scored by a naive Bayes
//! [`Model`], with the page's context when asked ([`Context`]). Training is
//! [`TrainParams::fit`] over [`Example`]s; the readers ([`read_examples`],
//! [`read_pages`], [`for_each_document`]) turn files into them, and
//! [`HtmlPage`] cuts an HTML page into [`Block`]s to classify. The library
//! never prints or touches the process's file descriptors.
//!
//! ```
//! use newsbait::{Context, Model};
//! let model = Model::shipped().unwrap();
//! let page = ["国务院召开常务会议,部署稳就业工作。", "震惊!她竟然这样做,看完惊呆了"];
//! let labels: Vec<&str> = model
//!     .classify(&page, Context::Page)
//!     .iter()
//!     .map(|p| model.label(p).as_str())
//!     .collect();
//! assert_eq!(labels, ["news", "clickbait"]);
//! ```

#![deny(missing_docs)]

mod cache;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
mod context;
mod counts;
mod data;
mod error;
mod features;
mod html;
mod io;
mod long;
mod math;
mod memory;
mod model;
mod page;
mod params;
mod segment;
mod shape;
mod text;
mod train;
mod window;

pub use cache::{CacheStats, DEFAULT_CACHE_BYTES};
pub use context::{DEFAULT_LIST_MARKERS, ListMarkers};
pub use counts::Counts;
pub use data::{
    DEFAULT_EXTENSIONS, DataFormat, Document, DocumentFormat, Example, Examples, Inputs, Label,
    LabelledLine, LabelledPage, MAX_LINE_BYTES, OnInvalid, RawDocument, ReadStats, collect_inputs,
    expand_inputs, for_each_document, for_each_raw_document, read_examples, read_examples_from,
    read_pages,
};
pub use error::{Error, Result};
pub use features::{FeatureSettings, LengthNorm};
pub use html::{
    Block, BlockFeatures, CharsetSource, Cue, CueSet, HtmlError, HtmlOptions, HtmlPage,
};
pub use long::{HEAD_BYTES, LongText, PIECE_BYTES};
pub use model::{
    ClassWeight, Context, Contribution, DecisionThreshold, FORMAT_VERSION, LabelCount, Model,
    ModelSettings, Prediction, TrainingSummary, Variant,
};
pub use page::{
    HtmlLayout, LabelledInput, Mode, PageFeatures, PageInput, PageModel, PageParams, Stage,
    WeightSet, page_features,
};
pub use params::TrainParams;
pub use segment::{Segmenter, TokenizerSettings, UserWord, parse_user_dict};
pub use text::{Normalizer, Paragraph, Text, split_paragraphs};
pub use window::{WINDOW_BYTES, WINDOW_CONTEXT, WINDOW_PARAGRAPHS, Window};
