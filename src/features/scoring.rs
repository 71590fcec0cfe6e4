//! The scoring kernel: a paragraph's class sums straight from the slot table.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::extract::{Carry, HashSink, for_each_piece_feature};
use super::hashing::feature_hash;
use super::keys::Kind;
use super::settings::FeatureSettings;
use super::slots::SlotTable;
use super::vocabulary::Vocabulary;
use crate::shape::{SHAPE_COUNT, Shape, ShapeScan, all_shapes, shape_tokens};

/// A vocabulary's feature index with each column's weights (one `f32` per
/// class) stored in its slot, so that scoring a feature reads one cache line
/// instead of two. Built by [`Vocabulary::scoring_table`].
#[derive(Clone)]
pub struct ScoringTable {
    slots: SlotTable,
    /// The slot of each shape token (by [`Shape::id`]), `None` for one the
    /// vocabulary lacks: they are a fixed small set, found once here rather
    /// than hashed and probed for every paragraph.
    shapes: [Option<u32>; SHAPE_COUNT],
}

impl ScoringTable {
    /// The slot of a shape token's feature.
    fn shape_slot(&self, shape: &Shape) -> Option<u32> {
        self.shapes[usize::from(shape.id)]
    }
}

impl std::fmt::Debug for ScoringTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoringTable")
            .field("slots", &(self.slots.mask + 1))
            .field("classes", &(self.slots.stride - 2))
            .finish()
    }
}

impl Vocabulary {
    /// A [`ScoringTable`] for these per-class weights (`weights[c][column]`).
    pub fn scoring_table(&self, weights: &[Vec<f64>]) -> ScoringTable {
        let hashes = self.feature_hashes();
        let slots = SlotTable::build(&hashes, weights.len(), |column, payload| {
            for (p, w) in payload.iter_mut().zip(weights) {
                *p = (w[column as usize] as f32).to_bits();
            }
        });
        let mut shapes = [None; SHAPE_COUNT];
        for s in all_shapes() {
            shapes[usize::from(s.id)] = slots
                .get(feature_hash(Kind::Shape, s.hash, 0))
                .map(|(_, slot)| slot);
        }
        ScoringTable { slots, shapes }
    }

    /// Adds `Σ x_j · w(c, j)` to `sums[c]` for each class, where `x` is the
    /// paragraph's [`Vocabulary::vectorize`] and `w` the table's weights.
    ///
    /// The same sum as `vectorize` would give (to the last bits of rounding:
    /// features are added in slot order, not column order), without building
    /// `x`, reading a second table or allocating: each thread reuses its buffers.
    pub fn score_into(
        &self,
        table: &ScoringTable,
        text: &str,
        words: &[&str],
        settings: &FeatureSettings,
        sums: &mut [f64],
    ) {
        thread_local! {
            static SCRATCH: RefCell<ScoreScratch> = RefCell::default();
        }
        SCRATCH.with_borrow_mut(|scratch| {
            let ScoreScratch {
                hashes,
                slots,
                partial,
            } = scratch;
            let shape_slots = &table.shapes;
            let table = &table.slots;
            hashes.clear();
            hashes.reserve(words.len() * 2 + 16);
            let mut sink = HashSink {
                hashes: &mut *hashes,
                // The shape tokens are read below, their slots known already.
                shapes: &mut Vec::new(),
                prefetch: |h| table.prefetch(h),
            };
            for_each_piece_feature(text, words, settings, &mut sink, &mut Carry::default());
            // Slot indices stand for features: sorting them brings a
            // feature's occurrences together so that they can be counted.
            sorted_slots(table, hashes, slots);
            let runs = slots.chunk_by(|a, b| a == b).map(|run| (run[0], run.len()));
            let shapes = settings.shape.then(|| shape_tokens(text));
            let shapes = shapes.iter().flat_map(|s| s.iter());
            let shapes = shapes.filter_map(|s| shape_slots[usize::from(s.id)]);
            add_features(table, settings, runs, shapes, partial, sums);
        });
    }

    /// Adds the features of the next piece of a long paragraph (normalised,
    /// and its words) to `long`; [`Vocabulary::finish_pieces`] then adds the
    /// paragraph's `Σ x_j · w(c, j)` to the sums. The pieces must be the
    /// paragraph's normalised text cut where its words and normalisation do
    /// not change (see [`crate::long`]): then the counts, the word pairs and
    /// n-grams across cuts, the shape tokens and the length norm are those of
    /// the whole, and so is the sum (to the last bit: features are added in
    /// slot order, as [`Vocabulary::score_into`] adds them). Memory is
    /// bounded by the number of features, not the paragraph's length.
    pub(crate) fn score_piece(
        &self,
        table: &ScoringTable,
        text: &str,
        words: &[&str],
        settings: &FeatureSettings,
        long: &mut LongScore,
    ) {
        let table = &table.slots;
        let LongScore {
            counts,
            carry,
            shape,
            hashes,
            slots,
        } = long;
        hashes.clear();
        let mut sink = HashSink {
            hashes: &mut *hashes,
            // Shape tokens come from the whole paragraph, in `finish_pieces`.
            shapes: &mut Vec::new(),
            prefetch: |h| table.prefetch(h),
        };
        for_each_piece_feature(text, words, settings, &mut sink, carry);
        if settings.shape {
            shape.push(text);
        }
        sorted_slots(table, hashes, slots);
        for run in slots.chunk_by(|a, b| a == b) {
            *counts.entry(run[0]).or_default() += run.len();
        }
    }

    /// Adds `Σ x_j · w(c, j)` of the paragraph whose pieces `long` has read
    /// (see [`Vocabulary::score_piece`]) to `sums[c]` for each class.
    pub(crate) fn finish_pieces(
        &self,
        table: &ScoringTable,
        settings: &FeatureSettings,
        long: LongScore,
        sums: &mut [f64],
    ) {
        let shapes = settings.shape.then(|| long.shape.tokens());
        let shapes = shapes.iter().flat_map(|s| s.iter());
        let shapes = shapes.filter_map(|s| table.shape_slot(s));
        let mut runs: Vec<(u32, usize)> = long.counts.into_iter().collect();
        runs.sort_unstable();
        add_features(
            &table.slots,
            settings,
            runs.into_iter(),
            shapes,
            &mut Vec::new(),
            sums,
        );
    }
}

/// The slots of the features whose hashes are known (the others are not in
/// the vocabulary), sorted: a feature's occurrences come together.
fn sorted_slots(table: &SlotTable, hashes: &[u64], slots: &mut Vec<u32>) {
    slots.clear();
    slots.extend(
        hashes
            .iter()
            .filter_map(|&h| table.get(h))
            .map(|(_, slot)| slot),
    );
    slots.sort_unstable();
}

/// Adds a paragraph's `Σ x_j · w(c, j)` to `sums[c]` from its features:
/// `runs` the slots of its words, pairs and n-grams with their counts, in
/// slot order, and `shapes` the slots of its shape tokens (those the
/// vocabulary has); values scaled by
/// the settings' transform and length norm. `partial` is scratch.
fn add_features(
    table: &SlotTable,
    settings: &FeatureSettings,
    runs: impl Iterator<Item = (u32, usize)>,
    shapes: impl Iterator<Item = u32>,
    partial: &mut Vec<f64>,
    sums: &mut [f64],
) {
    // Two labels (news, clickbait) is the common case: with their number
    // known when compiling, a feature's weights are read without a loop.
    if sums.len() == 2 {
        add_features_of::<2>(table, settings, runs, shapes, partial, sums);
    } else {
        add_features_of::<0>(table, settings, runs, shapes, partial, sums);
    }
}

/// [`add_features`] for `N` classes (0: as many as `sums` has); the same
/// operations in the same order whatever `N`.
fn add_features_of<const N: usize>(
    table: &SlotTable,
    settings: &FeatureSettings,
    runs: impl Iterator<Item = (u32, usize)>,
    shapes: impl Iterator<Item = u32>,
    partial: &mut Vec<f64>,
    sums: &mut [f64],
) {
    let k = if N == 0 { sums.len() } else { N };
    partial.clear();
    partial.resize(k, 0.0);
    let partial = &mut partial[..k];
    let (mut sum_abs, mut sum_sq) = (0.0, 0.0);
    let mut add = |slot: u32, v: f64| {
        sum_abs += v.abs();
        sum_sq += v * v;
        let weights = &table.payload(slot)[..k];
        for (p, &w) in partial.iter_mut().zip(weights) {
            *p += v * f64::from(f32::from_bits(w));
        }
    };
    for (slot, count) in runs {
        add(slot, settings.transform(count as f64));
    }
    // No word shares a shape token's column.
    for slot in shapes {
        add(slot, settings.shape_value());
    }
    let d = settings.length_norm.divisor_of(sum_abs, sum_sq);
    for (s, p) in sums.iter_mut().zip(partial.iter()) {
        *s += p / d;
    }
}

/// What [`Vocabulary::score_piece`] has read of a long paragraph: each
/// feature's slot and count (bounded by the vocabulary), what the next piece
/// continues, the shape so far, and reusable buffers.
#[derive(Debug, Default)]
pub(crate) struct LongScore {
    counts: FxHashMap<u32, usize>,
    carry: Carry<u64>,
    shape: ShapeScan,
    hashes: Vec<u64>,
    slots: Vec<u32>,
}

/// Reusable buffers of [`Vocabulary::score_into`].
#[derive(Default)]
struct ScoreScratch {
    hashes: Vec<u64>,
    slots: Vec<u32>,
    partial: Vec<f64>,
}
