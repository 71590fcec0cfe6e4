//! newsbait tells, paragraph by paragraph, which parts of a scraped Chinese news
//! page are the article (policy news) and which are clickbait glued onto it.
//!
//! The pipeline, one module a stage:
//!
//! 1. [`text`]: normalisation and paragraph splitting;
//! 2. [`segment`]: word segmentation with jieba-rs;
//! 3. [`features`] (and [`shape`]): sparse feature vectors;
//! 4. [`train`]: fitting naive Bayes through linfa-bayes;
//! 5. [`model`]: the model, its settings and its file format;
//! 6. [`score`] (and [`context`]): labels and probabilities, with page context.
//!
//! [`html`] cuts HTML pages into blocks with their structural features
//! ([`BlockFeatures`]); [`data`] reads training files and documents; [`classify`] streams documents
//! through a model to an output format; [`io`] writes files atomically.
//! [`eval`] runs evaluations and [`report`] writes their reports, from
//! [`metrics`] and [`plots`]; [`cli`] holds flags the binaries share.
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

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod context;
pub mod data;
pub mod error;
pub mod features;
pub mod html;
pub mod io;
mod math;
mod memory;
pub mod model;
mod params;
pub mod score;
pub mod segment;
pub mod shape;
pub mod text;
pub mod train;

pub use data::{Example, Label};
pub use error::{Error, Result};
pub use html::{Block, BlockFeatures, Cue, CueSet, HtmlPage};
pub use model::{Model, ModelSettings};
pub use params::TrainParams;
pub use score::{Context, Contribution, Prediction};
