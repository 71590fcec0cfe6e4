//! The paragraph score cache: from a normalised paragraph to its naive Bayes
//! scores (`log prior(c) + Σ x_j · w(c, j)` for each class).
//!
//! A paragraph's scores depend on its text alone, never on its neighbours, so
//! a paragraph seen before (a site's navigation, footer and teaser lists,
//! repeated on every page of a crawl) costs a hash lookup instead of
//! segmentation and feature hashing. Page decoding (the page model, the HMM)
//! still runs on every page, from these scores.
//!
//! The cache holds at most its capacity in bytes, counted per entry as the
//! paragraph's bytes, its scores and [`ENTRY_OVERHEAD`]; quick_cache evicts by
//! CLOCK-PRO (new entries start cold, so a stream of text seen once does not
//! push out what repeats). A value is the exact result of the computation it
//! replaces, so output is the same bytes with the cache on or off and for any
//! number of threads; only the hit counts can differ between runs on several
//! threads (two threads may miss on the same paragraph at once).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// The size of a model's paragraph score cache unless set otherwise
/// ([`crate::Model::set_cache_bytes`]): 32 MiB, room for about 200,000 short
/// paragraphs.
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

/// What an entry costs besides its text and scores: the key's and value's
/// pointers, the `Arc`'s counts, the cache's slot and hash-table entry, and
/// the allocator's rounding of two small allocations.
const ENTRY_OVERHEAD: usize = 112;

/// An entry's weight: the bytes it holds.
#[derive(Clone, Copy)]
struct Bytes;

impl Weighter<Box<str>, Arc<[f64]>> for Bytes {
    fn weight(&self, key: &Box<str>, scores: &Arc<[f64]>) -> u64 {
        (key.len() + std::mem::size_of_val::<[f64]>(scores) + ENTRY_OVERHEAD) as u64
    }
}

/// A bounded, thread-safe map from normalised paragraph to its scores.
pub(crate) struct ScoreCache {
    /// `None` when the cache is off (capacity 0).
    cache: Option<Cache<Box<str>, Arc<[f64]>, Bytes>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ScoreCache {
    /// A cache of at most `capacity` bytes; 0 turns it off.
    pub(crate) fn new(capacity: usize) -> Self {
        let cache = (capacity > 0).then(|| {
            // quick_cache sizes its tables for the items expected; a guess
            // too high costs untouched (unresident) memory only.
            let items = (capacity / 256).max(16);
            Cache::with_weighter(items, capacity as u64, Bytes)
        });
        ScoreCache {
            cache,
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Writes the scores of `text` into `scores`: the cached ones, or those
    /// `compute` writes, which are then kept.
    pub(crate) fn scores(&self, text: &str, scores: &mut [f64], compute: impl FnOnce(&mut [f64])) {
        let Some(cache) = &self.cache else {
            return compute(scores);
        };
        if let Some(hit) = cache.get(text) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            scores.copy_from_slice(&hit);
            return;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        compute(scores);
        cache.insert(text.into(), Arc::from(&*scores));
    }

    /// What the cache holds and how often it answered.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            capacity: self.capacity,
            bytes: self.cache.as_ref().map_or(0, |c| c.weight() as usize),
            entries: self.cache.as_ref().map_or(0, Cache::len),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

impl Default for ScoreCache {
    fn default() -> Self {
        ScoreCache::new(DEFAULT_CACHE_BYTES)
    }
}

/// A copy of a model gets an empty cache of the same capacity.
impl Clone for ScoreCache {
    fn clone(&self) -> Self {
        ScoreCache::new(self.capacity)
    }
}

/// How a model's paragraph score cache has done since it was made or resized
/// ([`crate::Model::cache_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    capacity: usize,
    bytes: usize,
    entries: usize,
    hits: u64,
    misses: u64,
}

impl CacheStats {
    /// The most bytes the cache may hold; 0 when it is off.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The bytes it holds now, counted as its capacity is.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The paragraphs it holds now.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Paragraphs whose scores came from the cache.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Paragraphs scored and then kept (none when the cache is off).
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// `hits / (hits + misses)`; 0 before any lookup.
    pub fn hit_rate(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }
}

impl std::fmt::Display for CacheStats {
    /// `cache: 61.2% of 120000 paragraphs, 5000 entries, 1.2 of 32.0 MiB`, or
    /// `cache: off`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.capacity == 0 {
            return write!(f, "cache: off");
        }
        let mib = |b: usize| b as f64 / f64::from(1 << 20);
        write!(
            f,
            "cache: {:.1}% of {} paragraphs, {} entries, {:.1} of {:.1} MiB",
            100.0 * self.hit_rate(),
            self.hits + self.misses,
            self.entries,
            mib(self.bytes),
            mib(self.capacity)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores that tell texts apart: the length and the first byte.
    fn fake(text: &str, out: &mut [f64]) {
        out[0] = text.len() as f64;
        out[1] = f64::from(text.as_bytes().first().copied().unwrap_or(0));
    }

    #[test]
    fn a_repeated_paragraph_is_computed_once_and_answers_the_same() {
        let cache = ScoreCache::new(1 << 20);
        let mut computed = 0;
        let mut first = [0.0; 2];
        cache.scores("推荐阅读", &mut first, |s| {
            computed += 1;
            fake("推荐阅读", s)
        });
        let mut again = [9.0; 2];
        cache.scores("推荐阅读", &mut again, |s| {
            computed += 1;
            fake("推荐阅读", s)
        });
        assert_eq!(computed, 1);
        assert_eq!(first, [12.0, 230.0]);
        assert_eq!(again, first);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.entries()), (1, 1, 1));
        assert_eq!(stats.bytes(), 12 + 16 + ENTRY_OVERHEAD);
        assert!((stats.hit_rate() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn memory_stays_within_capacity() {
        let capacity = 64 << 10;
        let cache = ScoreCache::new(capacity);
        for i in 0..20_000 {
            let text = format!("第{i}段,一段只出现一次的文字");
            let mut s = [0.0; 2];
            cache.scores(&text, &mut s, |s| fake(&text, s));
            assert!(
                cache.stats().bytes() <= capacity,
                "after {i}: {:?}",
                cache.stats()
            );
        }
        let stats = cache.stats();
        assert!(
            stats.entries() > 100 && stats.entries() < 20_000,
            "{stats:?}"
        );
        assert_eq!(stats.misses(), 20_000);
    }

    #[test]
    fn a_paragraph_seen_often_survives_a_stream_of_new_ones() {
        let cache = ScoreCache::new(64 << 10);
        let chrome = "首页 | 新闻 | 体育 | 娱乐";
        let mut s = [0.0; 2];
        for i in 0..5_000 {
            cache.scores(chrome, &mut s, |s| fake(chrome, s));
            let text = format!("第{i}篇文章的正文");
            cache.scores(&text, &mut s, |s| fake(&text, s));
        }
        // Every lookup of the chrome after the first is a hit.
        assert_eq!(cache.stats().hits(), 4_999);
    }

    #[test]
    fn off_computes_every_time_and_holds_nothing() {
        let cache = ScoreCache::new(0);
        let mut computed = 0;
        let mut s = [0.0; 2];
        for _ in 0..3 {
            cache.scores("同一段", &mut s, |s| {
                computed += 1;
                fake("同一段", s)
            });
        }
        assert_eq!(computed, 3);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.bytes()), (0, 0, 0));
        assert_eq!(stats.to_string(), "cache: off");
    }

    #[test]
    fn a_clone_starts_empty_with_the_same_capacity() {
        let cache = ScoreCache::new(1 << 20);
        let mut s = [0.0; 2];
        cache.scores("一段", &mut s, |s| fake("一段", s));
        let copy = cache.clone();
        assert_eq!(copy.stats().capacity(), 1 << 20);
        assert_eq!(copy.stats().entries(), 0);
    }
}
