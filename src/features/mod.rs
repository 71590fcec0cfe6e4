//! Features: from a paragraph's words to a sparse count vector over the vocabulary.
//!
//! A feature is a word, a pair of adjacent words, or (optionally) a character
//! n-gram or a shape token. Each is packed into a [`FeatureKey`] of token ids so
//! that looking one up costs one hash probe and no string building.

mod extract;
mod hashing;
mod keys;
mod scoring;
mod settings;
mod slots;
mod vocabulary;

#[cfg(test)]
mod tests;

pub use extract::{Interner, feature_value};
pub(crate) use hashing::hash_str;
pub(crate) use keys::key_tokens;
pub use keys::{FeatureKey, remap_key};
pub(crate) use scoring::LongScore;
pub use scoring::ScoringTable;
pub use settings::{FeatureSettings, LengthNorm};
pub use vocabulary::{Vocabulary, vocabulary_of};
