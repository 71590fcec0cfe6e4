//! [`Counts`]: the sums naive Bayes is fitted from, counted on shards of the
//! training data and merged, for training on many machines.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::Label;
use crate::error::{Error, Result};
use crate::features::FeatureKey;
use crate::model::{FileKind, Model, ModelSettings};
use crate::train::{ChunkCounts, merge_chunks};

/// Counts files: the model file's framing under their own magic and version.
const COUNTS_FILE: FileKind = FileKind {
    magic: b"NBCOUNTS",
    version: 2,
    oldest: 2,
    name: "counts file",
    make: "count a shard with `newsbait-train --counts-out`",
    remake: "count the shard again with this version's `newsbait-train --counts-out`",
    repair: "count the shard again or copy it again",
};

/// Training counts of some examples: per-class feature sums, label counts
/// and the token table, from [`TrainParams::count`](crate::TrainParams::count).
///
/// Naive Bayes only needs sums, so shards of the data counted apart (on
/// other machines) and merged in the data's order give the model one fit on
/// all of it gives, byte for byte: the sums are exact, and token ids follow
/// first occurrence in the concatenated data. [`TrainParams::fit`](crate::TrainParams::fit)
/// is itself a count and a fit.
///
/// ```
/// use newsbait::{Example, TrainParams};
/// let a = [Example::new("news", "国务院召开常务会议,部署稳就业工作。"),
///          Example::new("clickbait", "震惊!她竟然这样做,看完惊呆了")];
/// let b = [Example::new("news", "市政府召开会议研究城市更新工作"),
///          Example::new("clickbait", "生活|冰箱里放一物,电费省一半")];
/// let params = TrainParams::new().alpha(0.1);
/// let mut counts = params.count(a.clone()).unwrap();
/// counts.merge(&params.count(b.clone()).unwrap()).unwrap();
/// let whole = params.fit(a.into_iter().chain(b)).unwrap();
/// assert_eq!(counts.fit().unwrap().to_bytes(), whole.to_bytes());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub(crate) settings: ModelSettings,
    /// The training data's name, for messages and the model's summary.
    pub(crate) source: String,
    /// Labels seen, sorted.
    pub(crate) labels: Vec<Label>,
    pub(crate) tally: ChunkCounts,
    /// Input lines skipped as invalid while reading the examples.
    pub(crate) skipped_invalid: usize,
    /// The sum (wrapping) of the examples' hashes (see [`Counts::data_hash`]).
    pub(crate) data_hash: u128,
}

impl Counts {
    pub(crate) fn new(
        settings: ModelSettings,
        source: String,
        labels: Vec<Label>,
        tally: ChunkCounts,
        data_hash: u128,
    ) -> Counts {
        Counts {
            settings,
            source,
            labels,
            tally,
            skipped_invalid: 0,
            data_hash,
        }
    }

    /// A hash of the counted paragraphs, 32 hex digits, kept in the model's
    /// summary: the wrapping sum of one 128-bit SipHash-1-3 (key 0) per
    /// paragraph of its label, a 0xFF byte and its text as given. It does
    /// not depend on the order of the paragraphs, nor on how they were cut
    /// into shards (merged counts have the hash of all the data), but a
    /// paragraph given twice counts twice. Page and calibration data are not
    /// in it.
    pub fn data_hash(&self) -> String {
        format!("{:032x}", self.data_hash)
    }

    /// The settings the examples were counted with (those of the model).
    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// The labels seen, sorted.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// The number of examples counted.
    pub fn examples(&self) -> usize {
        self.tally.documents.iter().sum()
    }

    /// The name of the data counted, which the fitted model's summary
    /// records; merged counts join their (distinct) names with ` + `.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renames the data counted (for the model's summary).
    pub fn set_source(&mut self, name: impl Into<String>) {
        self.source = name.into();
    }

    /// Adds `other`'s counts after these, as if its examples followed these
    /// ones in the data: merge shards in the data's order for the model one
    /// fit on the whole data gives. Counts made with other settings are an
    /// error (and leave these unchanged).
    pub fn merge(&mut self, other: &Counts) -> Result<()> {
        if self.settings != other.settings {
            return Err(Error::Settings(format!(
                "cannot merge counts made with other settings: {} and {} differ in their \
                 training settings; count every shard with the same flags",
                self.source, other.source
            )));
        }
        let mut labels: Vec<Label> = self.labels.iter().chain(&other.labels).cloned().collect();
        labels.sort();
        labels.dedup();
        let mine = widen(&self.tally, &self.labels, &labels);
        let theirs = widen(&other.tally, &other.labels, &labels);
        self.tally = merge_chunks(&[&mine, &theirs], labels.len());
        self.labels = labels;
        // Shards of one named data set keep its name.
        if !self.source.split(" + ").any(|name| name == other.source) {
            self.source = format!("{} + {}", self.source, other.source);
        }
        self.skipped_invalid += other.skipped_invalid;
        self.data_hash = self.data_hash.wrapping_add(other.data_hash);
        Ok(())
    }

    /// Fits the model: the same model [`TrainParams::fit`](crate::TrainParams::fit)
    /// gives on the examples counted. Add page context and calibration with
    /// [`Model::learn_page_context`] and [`Model::calibrate`], as after any fit.
    pub fn fit(&self) -> Result<Model> {
        crate::train::fit(self)
    }

    /// Encodes the counts in their file format (versioned and checksummed
    /// like a model file).
    pub fn to_bytes(&self) -> Vec<u8> {
        COUNTS_FILE.frame(&postcard::to_stdvec(self).expect("counts always serialise"))
    }

    /// Decodes counts from the bytes [`Counts::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Counts> {
        Counts::decode(bytes, Path::new("<bytes>"))
    }

    fn decode(bytes: &[u8], path: &Path) -> Result<Counts> {
        let fail = |message: String| Error::Model {
            path: path.to_path_buf(),
            message,
        };
        let (payload, _) = COUNTS_FILE.unframe(bytes).map_err(fail)?;
        let counts: Counts = postcard::from_bytes(payload)
            .map_err(|e| fail(format!("the counts cannot be decoded: {e}")))?;
        counts.check().map_err(fail)?;
        Ok(counts)
    }

    /// Guards against a payload whose parts disagree (which would panic later).
    fn check(&self) -> std::result::Result<(), String> {
        let t = &self.tally;
        let classes = self.labels.len();
        let bad = |what: &str| Err(format!("the counts' {what} do not match; count it again"));
        if !self.labels.windows(2).all(|w| w[0] < w[1]) || t.documents.len() != classes {
            return bad("labels");
        }
        if t.totals.len() != t.keys.len()
            || Some(t.per_class.len()) != t.keys.len().checked_mul(classes)
        {
            return bad("feature sums");
        }
        let tokens = t.tokens.len() as u64;
        let in_table = |key: FeatureKey| {
            crate::features::key_tokens(key)
                .iter()
                .all(|&id| u64::from(id) < tokens)
        };
        if !t.keys.iter().all(|&k| in_table(k)) {
            return bad("feature keys and token table");
        }
        Ok(())
    }

    /// Reads a counts file, such as one `newsbait-train --counts-out` wrote.
    pub fn load(path: impl AsRef<Path>) -> Result<Counts> {
        let path = path.as_ref();
        Counts::decode(&COUNTS_FILE.read(path)?, path)
    }

    /// Writes the counts to `path` whole or not at all (through a temporary
    /// file renamed into place).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::write_atomically(path.as_ref(), |w| {
            std::io::Write::write_all(w, &self.to_bytes())
        })
    }
}

/// `tally`'s per-class sums over `from` labels laid out over `to` labels (a
/// superset, sorted): a label it lacks sums to 0.
fn widen(tally: &ChunkCounts, from: &[Label], to: &[Label]) -> ChunkCounts {
    if from == to {
        return tally.clone();
    }
    let index: Vec<usize> = from
        .iter()
        .map(|l| to.binary_search(l).expect("to holds from"))
        .collect();
    let (old, new) = (from.len(), to.len());
    let mut per_class = vec![0; tally.keys.len() * new];
    let mut documents = vec![0; new];
    for (c, &i) in index.iter().enumerate() {
        documents[i] = tally.documents[c];
        for row in 0..tally.keys.len() {
            per_class[row * new + i] = tally.per_class[row * old + c];
        }
    }
    ChunkCounts {
        per_class,
        documents,
        ..tally.clone()
    }
}
