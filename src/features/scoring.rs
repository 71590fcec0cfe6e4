//! The scoring kernel: a paragraph's class sums straight from the slot table.

use std::cell::RefCell;

use super::extract::HashSink;
use super::settings::FeatureSettings;
use super::slots::SlotTable;
use super::vocabulary::Vocabulary;

/// A vocabulary's feature index with each column's weights (one `f32` per
/// class) stored in its slot, so that scoring a feature reads one cache line
/// instead of two. Built by [`Vocabulary::scoring_table`].
#[derive(Clone)]
pub struct ScoringTable(SlotTable);

impl std::fmt::Debug for ScoringTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoringTable")
            .field("slots", &(self.0.mask + 1))
            .field("classes", &(self.0.stride - 2))
            .finish()
    }
}

impl Vocabulary {
    /// A [`ScoringTable`] for these per-class weights (`weights[c][column]`).
    pub fn scoring_table(&self, weights: &[Vec<f64>]) -> ScoringTable {
        ScoringTable(self.index.widened(weights.len(), |column, payload| {
            for (p, w) in payload.iter_mut().zip(weights) {
                *p = (w[column as usize] as f32).to_bits();
            }
        }))
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
                shapes,
                slots,
                partial,
            } = scratch;
            let table = &table.0;
            hashes.clear();
            shapes.clear();
            HashSink {
                hashes: &mut *hashes,
                shapes: &mut *shapes,
                prefetch: |h| table.prefetch(h),
            }
            .extend(text, words, settings);
            // Slot indices stand for features: sorting them brings a
            // feature's occurrences together so that they can be counted.
            slots.clear();
            slots.extend(
                hashes
                    .iter()
                    .filter_map(|&h| table.get(h))
                    .map(|(_, slot)| slot),
            );
            slots.sort_unstable();
            partial.clear();
            partial.resize(sums.len(), 0.0);
            let (mut sum_abs, mut sum_sq) = (0.0, 0.0);
            let mut add = |slot: u32, v: f64| {
                sum_abs += v.abs();
                sum_sq += v * v;
                for (p, &w) in partial.iter_mut().zip(table.payload(slot)) {
                    *p += v * f64::from(f32::from_bits(w));
                }
            };
            for run in slots.chunk_by(|a, b| a == b) {
                add(run[0], settings.transform(run.len() as f64));
            }
            // No word shares a shape token's column.
            for &h in shapes.iter() {
                if let Some((_, slot)) = table.get(h) {
                    add(slot, settings.shape_value());
                }
            }
            let d = settings.length_norm.divisor_of(sum_abs, sum_sq);
            for (s, p) in sums.iter_mut().zip(partial.iter()) {
                *s += p / d;
            }
        });
    }
}

/// Reusable buffers of [`Vocabulary::score_into`].
#[derive(Default)]
struct ScoreScratch {
    hashes: Vec<u64>,
    shapes: Vec<u64>,
    slots: Vec<u32>,
    partial: Vec<f64>,
}
