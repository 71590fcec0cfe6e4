//! Training: from labelled paragraphs to a [`Model`].
//!
//! Counting is done sparsely here; each class's counts become smoothed
//! log-probabilities by linfa-bayes's `MultinomialNb` formula (see
//! [`smoothed_log_probs`]; the tests check it against linfa-bayes itself).
//! linfa-bayes is not called at run time: it only takes a dense matrix, and
//! its `fit` prints a `dbg!` of every class histogram to stderr.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::context::{ContextModel, ListMarkers};
use crate::counts::Counts;
use crate::data::{Example, Label, LabelledPage};
use crate::error::{Error, Result};
use crate::features::{FeatureKey, Interner, feature_value, remap_key, vocabulary_of};
use crate::model::{LabelCount, Model, ModelSettings, TrainingSummary, Variant};

/// Trains a model on `examples`; `data` names the training file in messages
/// and in the model's summary. `progress` is called with the number of
/// paragraphs segmented since its last call. It is [`count`] then `fit`:
/// one code path for one machine and for merged shards.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub fn train(
    examples: &[Example],
    data: &Path,
    settings: &ModelSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Model> {
    fit(&count(examples, data, settings, progress)?)
}

/// Segments and counts `examples` (any labels, possibly none): the sums
/// naive Bayes is fitted from, which [`Counts::merge`] adds up across shards.
pub fn count(
    examples: &[Example],
    data: &Path,
    settings: &ModelSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Counts> {
    settings.validate()?;
    // Labels in sorted order, so the model does not depend on the input order.
    let mut labels: Vec<Label> = examples.iter().map(|e| e.label.clone()).collect();
    labels.sort();
    labels.dedup();
    let label_index: HashMap<&Label, usize> =
        labels.iter().enumerate().map(|(i, l)| (l, i)).collect();
    let classes = labels.len();

    // Segment and count in parallel, chunk by chunk, then merge the chunks in
    // input order: token ids are those of one pass through the input (first
    // occurrence). Sums are exact (fixed point), so they do not depend on how
    // the input is cut into chunks, threads or shards.
    let segmenter = crate::segment::Segmenter::new(&settings.tokenizer);
    let chunks: Vec<ChunkCounts> = examples
        .par_chunks(COUNT_CHUNK)
        .map(|chunk| count_chunk(chunk, &label_index, &segmenter, settings, progress))
        .collect();
    let tally = merge_chunks(&chunks.iter().collect::<Vec<_>>(), classes);
    let data_hash = examples
        .par_iter()
        .map(example_hash)
        .reduce(|| 0, u128::wrapping_add);
    Ok(Counts::new(
        settings.clone(),
        data.display().to_string(),
        labels,
        tally,
        data_hash,
    ))
}

/// One paragraph's part of [`Counts::data_hash`].
fn example_hash(e: &Example) -> u128 {
    use siphasher::sip128::{Hasher128, SipHasher13};
    use std::hash::Hasher;
    let mut h = SipHasher13::new();
    h.write(e.label.0.as_bytes());
    // 0xFF is in no UTF-8 text: label and text cannot run into each other.
    h.write(&[0xff]);
    h.write(e.text.as_bytes());
    h.finish128().as_u128()
}

/// Fits naive Bayes on counts: the smoothed log-probabilities of the
/// per-class sums and the class priors.
pub fn fit(counts: &Counts) -> Result<Model> {
    let (settings, labels, tally) = (&counts.settings, &counts.labels, &counts.tally);
    let fail = |message: String| Error::TrainingData {
        path: counts.source.clone().into(),
        message,
    };
    if tally.documents.iter().sum::<usize>() == 0 {
        return Err(fail(
            "no training examples: the file is empty or holds only blank lines".into(),
        ));
    }
    if labels.len() < 2 {
        return Err(fail(format!(
            "every example has the label {:?}; a classifier needs at least two labels: \
             add examples of another label (such as news and clickbait)",
            labels[0].0
        )));
    }
    if tally.usable == 0 {
        return Err(fail(
            "no usable text: after normalisation no example has a single word (a letter or \
             digit); check that the text field or column holds the paragraphs"
                .into(),
        ));
    }
    let classes = labels.len();
    let (tokens, keys) = (&tally.tokens, &tally.keys);
    let totals: Vec<f64> = tally.totals.iter().map(|&t| from_fixed(t)).collect();
    let kept = select_features(keys, &totals, &settings.features);
    let vocabulary = vocabulary_of(tokens, &kept.iter().map(|&r| keys[r]).collect::<Vec<_>>());
    let class_counts: Vec<Vec<f64>> = (0..classes)
        .map(|c| {
            kept.iter()
                .map(|&r| from_fixed(tally.per_class[r * classes + c]))
                .collect()
        })
        .collect();
    let weights = match settings.variant {
        Variant::Multinomial => smoothed_log_probs(&class_counts, settings.alpha),
        Variant::Complement => complement_weights(&class_counts, settings.alpha),
    };
    let documents = &tally.documents;
    let log_priors = settings.class_weight.log_priors(documents);
    let summary = TrainingSummary {
        data: counts.source.clone(),
        documents: labels
            .iter()
            .zip(documents)
            .map(|(label, &documents)| LabelCount {
                label: label.clone(),
                documents,
            })
            .collect(),
        features_seen: keys.len(),
        skipped_invalid: counts.skipped_invalid,
        data_hash: Some(counts.data_hash()),
    };
    Ok(Model::new(
        labels.clone(),
        settings.clone(),
        vocabulary,
        log_priors,
        weights,
        summary,
    ))
}

/// Sums are kept in fixed point with 64 fractional bits, so that adding them
/// up is exact: associative and commutative, whatever the grouping (chunks,
/// threads, shards merged later). Values under 2^-64 count as 0.
pub(crate) type Fixed = i128;

const FIXED_ONE: f64 = 18_446_744_073_709_551_616.0; // 2^64

fn to_fixed(value: f64) -> Fixed {
    // Scaling by a power of two is exact; rounding to an integer is the only rounding.
    (value * FIXED_ONE).round() as Fixed
}

fn from_fixed(value: Fixed) -> f64 {
    value as f64 / FIXED_ONE
}

/// Examples segmented and counted by one task; fixed, so that chunk borders
/// (and with them the order of sums) do not depend on the number of threads.
const COUNT_CHUNK: usize = 512;

/// Features seen in one chunk of examples (or many merged), with token ids
/// local to it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ChunkCounts {
    /// Token strings by local id, in order of first occurrence in the chunk.
    pub(crate) tokens: Vec<String>,
    /// Feature keys (local token ids) in order of first occurrence.
    pub(crate) keys: Vec<FeatureKey>,
    /// Raw count of each key.
    pub(crate) totals: Vec<Fixed>,
    /// Value of each key summed per class, `classes` values a key.
    pub(crate) per_class: Vec<Fixed>,
    /// Examples per class.
    pub(crate) documents: Vec<usize>,
    /// Examples with at least one word.
    pub(crate) usable: usize,
}

/// Normalises, segments and counts one chunk of examples, in input order.
fn count_chunk(
    chunk: &[Example],
    label_index: &HashMap<&Label, usize>,
    segmenter: &crate::segment::Segmenter,
    settings: &ModelSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> ChunkCounts {
    let classes = label_index.len();
    let mut interner = Interner::default();
    let mut rows: FxHashMap<FeatureKey, usize> = FxHashMap::default();
    let mut keys: Vec<FeatureKey> = Vec::new();
    let mut totals: Vec<Fixed> = Vec::new();
    let mut per_class: Vec<Fixed> = Vec::new();
    let mut documents = vec![0usize; classes];
    let mut usable = 0usize;
    for example in chunk {
        let class = label_index[&example.label];
        documents[class] += 1;
        let text = settings.normalizer.normalize(&example.text);
        let words = segmenter.cut(&text);
        let features = interner.features(&text, &words, &settings.features);
        // Shape tokens alone (an empty or punctuation-only text) are no text.
        usable += usize::from(words.iter().any(|w| w.chars().any(char::is_alphanumeric)));
        let mut values: Vec<f64> = features
            .iter()
            .map(|&(key, count)| feature_value(key, count, &settings.features))
            .collect();
        let d = settings
            .features
            .length_norm
            .divisor(values.iter().copied());
        values.iter_mut().for_each(|v| *v /= d);
        for (&(key, count), value) in features.iter().zip(values) {
            let row = *rows.entry(key).or_insert_with(|| {
                keys.push(key);
                totals.push(0);
                per_class.extend(std::iter::repeat_n(0, classes));
                keys.len() - 1
            });
            totals[row] += to_fixed(count);
            per_class[row * classes + class] += to_fixed(value);
        }
    }
    progress(chunk.len() as u64);
    ChunkCounts {
        tokens: interner.tokens().to_vec(),
        keys,
        totals,
        per_class,
        documents,
        usable,
    }
}

/// Shards the merged features are split into, each merged by one task.
const SHARDS: usize = 64;

fn shard_of(key: FeatureKey) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % SHARDS
}

/// Merges chunk counts in chunk order: the token table (ids by first
/// occurrence in the input), and every feature's key, raw count and
/// per-class values. Features come sharded by key, each shard in order of
/// first occurrence; only their set matters, as columns are sorted by key.
pub(crate) fn merge_chunks(chunks: &[&ChunkCounts], classes: usize) -> ChunkCounts {
    // Global token ids: one pass over each chunk's (distinct) tokens.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut tokens: Vec<&str> = Vec::new();
    let remaps: Vec<Vec<u32>> = chunks
        .iter()
        .map(|chunk| {
            chunk
                .tokens
                .iter()
                .map(|t| {
                    *ids.entry(t.as_str()).or_insert_with(|| {
                        tokens.push(t);
                        (tokens.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    drop(ids);
    // Each chunk's keys in global ids, split by shard: (key, local row).
    let sharded: Vec<Vec<Vec<(FeatureKey, u32)>>> = chunks
        .par_iter()
        .zip(&remaps)
        .map(|(chunk, remap)| {
            let mut shards = vec![Vec::new(); SHARDS];
            for (row, &key) in chunk.keys.iter().enumerate() {
                let key = remap_key(key, |id| remap[id as usize]);
                shards[shard_of(key)].push((key, row as u32));
            }
            shards
        })
        .collect();
    let merged: Vec<(Vec<FeatureKey>, Vec<Fixed>, Vec<Fixed>)> = (0..SHARDS)
        .into_par_iter()
        .map(|s| {
            let mut rows: FxHashMap<FeatureKey, usize> = FxHashMap::default();
            let mut keys = Vec::new();
            let mut totals = Vec::new();
            let mut per_class = Vec::new();
            for (chunk, shards) in chunks.iter().zip(&sharded) {
                for &(key, local) in &shards[s] {
                    let local = local as usize;
                    let row = *rows.entry(key).or_insert_with(|| {
                        keys.push(key);
                        totals.push(0);
                        per_class.extend(std::iter::repeat_n(0, classes));
                        keys.len() - 1
                    });
                    totals[row] += chunk.totals[local];
                    for c in 0..classes {
                        per_class[row * classes + c] += chunk.per_class[local * classes + c];
                    }
                }
            }
            (keys, totals, per_class)
        })
        .collect();
    let mut keys = Vec::new();
    let mut totals = Vec::new();
    let mut per_class = Vec::new();
    for (k, t, p) in merged {
        keys.extend(k);
        totals.extend(t);
        per_class.extend(p);
    }
    let tokens = tokens.into_iter().map(str::to_string).collect();
    let mut documents = vec![0usize; classes];
    for chunk in chunks {
        documents
            .iter_mut()
            .zip(&chunk.documents)
            .for_each(|(d, n)| *d += n);
    }
    ChunkCounts {
        tokens,
        keys,
        totals,
        per_class,
        documents,
        usable: chunks.iter().map(|c| c.usable).sum(),
    }
}

/// Rows to keep: count at least `min_count`, at most `max_features` of them
/// (most frequent first, ties by key), returned in key order.
fn select_features(
    keys: &[FeatureKey],
    totals: &[f64],
    settings: &crate::features::FeatureSettings,
) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..keys.len())
        .filter(|&r| totals[r] >= settings.min_count as f64)
        .collect();
    if let Some(max) = settings.max_features
        && kept.len() > max
    {
        kept.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(keys[a].cmp(&keys[b])));
        kept.truncate(max);
    }
    kept.sort_by_key(|&r| keys[r]);
    kept
}

/// Smoothed log-probabilities `ln((n_j + α) / Σ_i (n_i + α))` of each class's
/// counts, computed exactly as linfa-bayes's `MultinomialNb` computes its
/// `feature_log_prob` (`ln(n + α) − ln(S)`, `S` the ndarray sum of the
/// smoothed row); the test suite checks the two agree bit for bit.
///
/// linfa-bayes 0.8.1 prints a `dbg!` of every class histogram while fitting,
/// so calling it here would either flood stderr or need a process-wide
/// redirect. Its log-probabilities depend on a count and the smoothed class
/// total only, so all the fit needs is the total: summed, as before, over the
/// class's distinct counts plus one column carrying the rest of the mass,
/// which keeps every weight bit-identical to earlier models.
///
/// ```ignore
/// let lp = smoothed_log_probs(&[vec![1.0, 0.0, 1.0], vec![0.0, 2.0, 0.0]], 1.0);
/// assert!((lp[0][0] - (2.0f64 / 5.0).ln()).abs() < 1e-12);
/// ```
pub(crate) fn smoothed_log_probs(class_counts: &[Vec<f64>], alpha: f64) -> Vec<Vec<f64>> {
    class_counts
        .par_iter()
        .map(|counts| {
            let distinct = distinct_values(counts);
            let total = match compressed_row(counts, &distinct, alpha) {
                Some(row) => smoothed_total(row, alpha),
                // Every value is distinct: the full row, as it is.
                None => smoothed_total(counts.to_vec(), alpha),
            };
            let ln_total = total.ln();
            counts
                .iter()
                .map(|&n| (n + alpha).ln() - ln_total)
                .collect()
        })
        .collect()
}

/// `Σ (x + α)` over `row`, summed by ndarray as linfa-bayes sums it.
fn smoothed_total(row: Vec<f64>, alpha: f64) -> f64 {
    ndarray::Array1::from(row).mapv(|x| x + alpha).sum()
}

/// Complement naive Bayes weights: for class c, the negated log-probabilities of
/// the counts of every other class, so that a feature common outside c counts
/// against c. Classes are compared on equal terms, however skewed their sizes.
fn complement_weights(class_counts: &[Vec<f64>], alpha: f64) -> Vec<Vec<f64>> {
    let total: Vec<f64> = (0..class_counts[0].len())
        .map(|j| class_counts.iter().map(|c| c[j]).sum())
        .collect();
    let complements: Vec<Vec<f64>> = class_counts
        .iter()
        .map(|c| total.iter().zip(c).map(|(t, x)| t - x).collect())
        .collect();
    smoothed_log_probs(&complements, alpha)
        .into_iter()
        .map(|row| row.into_iter().map(|x| -x).collect())
        .collect()
}

/// The distinct values of `counts`, sorted.
fn distinct_values(counts: &[f64]) -> Vec<f64> {
    let mut distinct = counts.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    distinct
}

/// The distinct values plus one padding column that makes the smoothed total
/// equal that of the full vector: `Σ (n_j + α)` over all `counts`. `None` when
/// there are too few repeats to make room for the padding column.
fn compressed_row(counts: &[f64], distinct: &[f64], alpha: f64) -> Option<Vec<f64>> {
    if distinct.len() + 1 > counts.len() {
        return None;
    }
    let full: f64 = counts.iter().sum::<f64>() + alpha * counts.len() as f64;
    let reduced: f64 = distinct.iter().sum::<f64>() + alpha * (distinct.len() + 1) as f64;
    let mut row = distinct.to_vec();
    row.push(full - reduced);
    Some(row)
}

/// Learns how labels follow each other along a page from labelled pages, so
/// that [`Model::classify`] can use a paragraph's neighbours.
/// Lines whose label the model does not know are an error. `markers`, if
/// given, are list headings and the label they and their lists have.
pub fn learn_context(
    model: &mut Model,
    pages: &[LabelledPage],
    path: &Path,
    markers: Option<(&str, Vec<String>)>,
) -> Result<()> {
    let sequences = pages
        .iter()
        .map(|page| {
            page.lines
                .iter()
                .map(|line| {
                    model
                        .label_index(&line.label.0)
                        .ok_or_else(|| Error::TrainingData {
                            path: path.to_path_buf(),
                            message: format!(
                                "page {}: label {:?} is not one of the model's labels",
                                page.page, line.label.0
                            ),
                        })
                })
                .collect::<Result<Vec<usize>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let mut context = ContextModel::learn(&sequences, model.labels.len(), 1.0);
    if let Some((label, phrases)) = markers {
        let label = model.label_index(label).ok_or_else(|| {
            Error::Settings(format!(
                "--marker-label {label:?} is not one of the model's labels"
            ))
        })?;
        let phrases = phrases
            .iter()
            .map(|p| model.settings.normalizer.normalize(p))
            .collect();
        context.markers = Some(ListMarkers { label, phrases });
    }
    model.context = Some(context);
    Ok(())
}

/// Fits the model's temperature on held-out examples: the value that
/// minimises their log loss, so that stated probabilities match frequencies.
/// Returns the log loss before and after.
pub fn calibrate(model: &mut Model, examples: &[Example]) -> (f64, f64) {
    let scored: Vec<(Vec<f64>, Option<usize>)> = examples
        .par_iter()
        .map(|e| {
            (
                model.joint_log_likelihood(&e.text),
                model.label_index(&e.label.0),
            )
        })
        .collect();
    let log_loss = |t: f64| -> f64 {
        let mut total = 0.0;
        let mut n = 0usize;
        for (jll, truth) in &scored {
            if let Some(truth) = truth {
                let scaled: Vec<f64> = jll.iter().map(|s| s / t).collect();
                total += crate::math::log_sum_exp(&scaled) - scaled[*truth];
                n += 1;
            }
        }
        total / n.max(1) as f64
    };
    let before = log_loss(model.temperature);
    // Golden-section search over ln(t) in [ln 0.01, ln 100]; log loss is unimodal in t.
    let (mut lo, mut hi) = (0.01f64.ln(), 100f64.ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let a = hi - g * (hi - lo);
        let b = lo + g * (hi - lo);
        if log_loss(a.exp()) < log_loss(b.exp()) {
            hi = b;
        } else {
            lo = a;
        }
    }
    model.temperature = ((lo + hi) / 2.0).exp();
    (before, log_loss(model.temperature))
}

/// Fits the page model (stacked logistic regressions over page features, see
/// [`crate::page`]) on labelled pages, on top of the model's naive Bayes (and
/// its page-context HMM, when `params` asks for the HMM feature). Lines are
/// the positive label (`params.positive`, `news`) or not. The same pages give
/// the same page model, whatever the thread count.
pub fn learn_page_model(
    model: &mut Model,
    pages: &[LabelledPage],
    path: &Path,
    params: &crate::page::PageParams,
) -> Result<()> {
    let positive = model.label_index(&params.positive).ok_or_else(|| {
        Error::Settings(format!(
            "the page model predicts label {:?}, which is not one of the model's labels",
            params.positive
        ))
    })?;
    if model.labels.len() != 2 {
        return Err(Error::Settings(
            "the page model needs a model of exactly two labels".into(),
        ));
    }
    if params.hmm_feature && model.context.is_none() {
        return Err(Error::Settings(
            "the page model's HMM feature needs page context: learn it first".into(),
        ));
    }
    let inputs = pages
        .par_iter()
        .map(|page| {
            let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
            let truth = page
                .lines
                .iter()
                .map(|line| {
                    model
                        .label_index(&line.label.0)
                        .map(|i| i == positive)
                        .ok_or_else(|| Error::TrainingData {
                            path: path.to_path_buf(),
                            message: format!(
                                "page {}: label {:?} is not one of the model's labels",
                                page.page, line.label.0
                            ),
                        })
                })
                .collect::<Result<Vec<bool>>>()?;
            Ok(crate::page::LabelledInput {
                input: model.page_input(&texts, page.layout.as_ref(), positive),
                truth,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    model.page = Some(crate::page::PageModel::fit(positive, &inputs, params)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_gives_the_same_log_probs_as_the_full_row() {
        let counts = vec![0.0, 3.0, 0.0, 1.0, 3.0, 7.0, 0.0, 1.0];
        let alpha = 0.5;
        let total: f64 = counts.iter().map(|c| c + alpha).sum();
        let lp = smoothed_log_probs(std::slice::from_ref(&counts), alpha);
        for (c, l) in counts.iter().zip(&lp[0]) {
            assert!((l - ((c + alpha) / total).ln()).abs() < 1e-12);
        }
        // All values distinct: the full row is used, in its own order.
        let lp = smoothed_log_probs(&[vec![2.0, 1.0]], 1.0);
        assert!((lp[0][0] - (3.0f64 / 5.0).ln()).abs() < 1e-12);
        assert!((lp[0][1] - (2.0f64 / 5.0).ln()).abs() < 1e-12);
    }

    /// linfa-bayes's own fit, on the full row (it prints its `dbg!` here).
    fn linfa_log_probs(counts: &[f64], alpha: f64) -> Vec<f64> {
        use linfa::prelude::*;
        let records = ndarray::Array2::from_shape_vec((1, counts.len()), counts.to_vec()).unwrap();
        let dataset = linfa::Dataset::new(records, ndarray::Array1::from(vec![0usize]));
        let fitted = linfa_bayes::MultinomialNb::<f64, usize>::params()
            .alpha(alpha)
            .fit(&dataset)
            .unwrap();
        let form = serde_json::to_value(&fitted).unwrap();
        let lp = &form["class_info"]["0"]["feature_log_prob"]["data"];
        lp.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    }

    #[test]
    fn log_probs_are_linfa_bayes_log_probs_bit_for_bit() {
        // Rows whose distinct values sum like the full row (few values, many
        // repeats), and one with every value distinct.
        let rows = [
            vec![0.0, 3.0, 0.0, 1.0, 3.0, 7.0, 0.0, 1.0, 0.0],
            vec![0.5, 0.25, 1.75, 4.0],
            vec![2.0, 2.0, 2.0, 2.0, 0.0, 0.0, 0.0, 8.0],
        ];
        for counts in rows {
            let ours = smoothed_log_probs(std::slice::from_ref(&counts), 0.125);
            let theirs = linfa_log_probs(&counts, 0.125);
            assert_eq!(ours[0], theirs, "{counts:?}");
        }
    }

    #[test]
    fn complement_weights_favour_the_class_a_word_is_typical_of() {
        // Word 0 is typical of class 0, word 1 of class 1.
        let w = complement_weights(&[vec![9.0, 1.0], vec![1.0, 9.0]], 1.0);
        assert!(w[0][0] > w[0][1]);
        assert!(w[1][1] > w[1][0]);
        // Class 0's weights are the negated smoothed log-probs of class 1's counts.
        assert!((w[0][0] + (2.0f64 / 12.0).ln()).abs() < 1e-12);
    }
}
