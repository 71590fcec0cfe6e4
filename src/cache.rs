//! The paragraph score cache: from a paragraph's text, as it stands on the
//! page, to its naive Bayes scores (`log prior(c) + Σ x_j · w(c, j)` for each
//! class) and what the page model reads of its text alone.
//!
//! A paragraph's scores depend on its text alone, never on its neighbours, so
//! a paragraph seen before (a site's navigation, footer and teaser lists,
//! repeated on every page of a crawl) costs a hash lookup instead of
//! normalisation, segmentation and feature hashing, and its page-model
//! counts (characters, punctuation, distinct bigrams, ...) are not taken
//! again. An entry holds numbers only besides its key: the page holds the
//! text, which the page model reads again for what depends on the page (the
//! bigrams shared with the main run). Page decoding (the page model, the
//! HMM) still runs on every page, from these.
//!
//! A long paragraph (over [`DOORKEEPER_FROM`] bytes) is kept from its second
//! sighting on: a doorkeeper, a fixed table of the hashes of paragraphs seen
//! once, tells a first sighting from a second, so that an article's
//! paragraphs, seen once, cost neither an entry nor the memory it would take.
//! A site's chrome (menus, teaser headlines, footers) is short: it is kept at
//! once, and a crawl's second page already finds it. The
//! cache holds at most its capacity in bytes, counted per entry as the
//! paragraph's bytes, what it keeps of it and [`ENTRY_OVERHEAD`], plus the
//! doorkeeper's table (at most 1/32 of the capacity); quick_cache evicts by CLOCK-PRO (new
//! entries start cold, so a stream of text seen once does not push out what
//! repeats).
//!
//! Admission follows the hits: on text where nothing repeats (every
//! paragraph new) a lookup and an entry per paragraph cost more than the
//! cache saves, yet text may start repeating at any point and at any
//! distance. So one paragraph in [`SAMPLE`], picked by its hash, always goes
//! through the cache, and its hits over the last [`WINDOW`] such lookups
//! tell whether the cache pays: while they are fewer than [`OPEN_HITS`], the
//! other paragraphs neither look it up nor enter it (they are scored as with
//! the cache off), and the sample, still kept, notices when repetition
//! starts. A fixed rule (every paragraph from its second sighting) was tried
//! and lost most of the hits on pages whose paragraphs repeat at long
//! distances.
//!
//! A value is the exact result of the
//! computation it replaces, so output is the same bytes with the cache on or
//! off, whatever it admits, and for any number of threads; only the hit counts can differ between
//! runs on several threads (two threads may miss on the same paragraph at once).

use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use quick_cache::sync::Cache;
use quick_cache::sync::DefaultLifecycle;
use quick_cache::{Equivalent, Weighter};

use crate::page::BlockText;

/// The size of a model's paragraph score cache unless set otherwise
/// ([`crate::Model::set_cache_bytes`]): 32 MiB, room for about 130,000
/// paragraphs of 85 bytes (the mean of the pages speed input), more of
/// shorter ones.
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

/// What an entry costs besides its text and its [`Scored`]: quick_cache's
/// slot (the key's hash, pointer and length, the value, its state) and hash-table
/// entry, its share of the ghost entries CLOCK-PRO keeps of evicted keys,
/// and the allocator's rounding of the text's allocation, the only one an
/// entry makes (of a model of two labels). Counted so, a full cache of
/// 88-byte paragraphs asks the allocator for 15% more than its capacity, the
/// slack of quick_cache's tables, which grow by doubling and are not all
/// touched (`cargo run --release --example cache_memory`).
const ENTRY_OVERHEAD: usize = 96;

/// The joint log-likelihoods of a paragraph, one a label: in place for a
/// model of two labels (every model with a page model), else on the heap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Jll {
    /// Two labels.
    Two([f64; 2]),
    /// Any other number of labels.
    Many(Box<[f64]>),
}

impl Jll {
    /// A copy of `values`.
    pub(crate) fn new(values: &[f64]) -> Jll {
        match *values {
            [a, b] => Jll::Two([a, b]),
            _ => Jll::Many(values.into()),
        }
    }

    pub(crate) fn as_slice(&self) -> &[f64] {
        match self {
            Jll::Two(v) => v,
            Jll::Many(v) => v,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [f64] {
        match self {
            Jll::Two(v) => v,
            Jll::Many(v) => v,
        }
    }

    /// The bytes it holds outside its own struct.
    fn heap_bytes(&self) -> usize {
        match self {
            Jll::Two(_) => 0,
            Jll::Many(v) => std::mem::size_of_val::<[f64]>(v),
        }
    }
}

/// What is known of a paragraph's text alone: its scores and, when a page
/// model asked for it, what that reads of the text (a few numbers: not the
/// text, which the page holds).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scored {
    /// `log prior(c) + Σ x_j · w(c, j)` for each class.
    pub(crate) jll: Jll,
    /// The page model's counts of the text ([`BlockText::of`]).
    pub(crate) block: Option<BlockText>,
}

/// Paragraphs of at most this many bytes are kept at once; longer ones from
/// their second sighting. In a crawl-shaped input (`benches/speed.sh`), 98%
/// of the distinct paragraphs seen more than once are this short, and 90% of
/// the text seen only once is longer.
const DOORKEEPER_FROM: usize = 128;

/// The doorkeeper's table takes one byte of the capacity in this many.
const DOORKEEPER_SHARE: usize = 32;

/// One paragraph in this many (by hash) always goes through the cache, so
/// that its hits tell whether the others should.
const SAMPLE: u64 = 16;

/// The sampled lookups over which the hits are counted before the others are
/// let in or kept out again: about 4096 paragraphs.
const WINDOW: u64 = 256;

/// The hits in a [`WINDOW`] of sampled lookups from which every paragraph
/// goes through the cache: 2 (0.8%), near none. A hit saves about 38 times
/// what a lookup and an entry cost a paragraph that misses (callgrind on the
/// distinct-small speed input: 1000 instructions against 38,000), so the
/// cache pays from about 2.6% of hits on; but a low rate can come before a
/// high one (the pages speed input's first 140,000 paragraphs hit 2% to 9%,
/// the rest over 90%), and what is kept out then misses when it comes back:
/// closing under 8 hits (3%) there gave 69.2% hits instead of 71.4%.
const OPEN_HITS: u64 = 2;

/// An entry's weight: the bytes it holds.
#[derive(Clone, Copy)]
struct Bytes;

impl Weighter<Key, Scored> for Bytes {
    fn weight(&self, key: &Key, value: &Scored) -> u64 {
        (key.text.len() + std::mem::size_of::<Scored>() + value.jll.heap_bytes() + ENTRY_OVERHEAD)
            as u64
    }
}

/// A paragraph kept, with its hash: the cache and the sample both need it,
/// and it is taken once.
#[derive(PartialEq, Eq)]
struct Key {
    hash: u64,
    text: Box<str>,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A paragraph looked up, with its hash.
struct Probe<'a> {
    hash: u64,
    text: &'a str,
}

impl Hash for Probe<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl Equivalent<Key> for Probe<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.hash == key.hash && *self.text == *key.text
    }
}

/// The cache's hasher: a [`Key`]'s or [`Probe`]'s hash as it is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    /// Only hashes are written; anything else is hashed as well.
    fn write(&mut self, bytes: &[u8]) {
        self.0 = rustc_hash::FxBuildHasher.hash_one((self.0, bytes));
    }
}

/// A bounded, thread-safe map from paragraph to what is known of it.
pub(crate) struct ScoreCache {
    /// `None` when the cache is off (capacity 0).
    cache: Option<Cache<Key, Scored, Bytes, BuildHasherDefault<Prehashed>>>,
    /// The doorkeeper: in the slot its hash picks, the hash of a paragraph
    /// seen once and not kept (0: none).
    seen: Box<[AtomicU64]>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Whether every paragraph goes through the cache, or only the sample.
    open: AtomicBool,
    /// The current window of sampled lookups: their number in the low 32
    /// bits, their hits in the high ones.
    window: AtomicU64,
}

impl ScoreCache {
    /// A cache of at most `capacity` bytes; 0 turns it off.
    pub(crate) fn new(capacity: usize) -> Self {
        // The largest power of two of slots within the doorkeeper's share;
        // none for a cache too small to hold an entry anyway.
        let most = capacity / (DOORKEEPER_SHARE * std::mem::size_of::<AtomicU64>());
        let slots = if most == 0 { 0 } else { 1 << most.ilog2() };
        let cache = (capacity > 0).then(|| {
            let capacity = capacity.saturating_sub(slots * std::mem::size_of::<AtomicU64>());
            // quick_cache sizes its tables for the items expected; a guess
            // too high costs untouched (unresident) memory only.
            let items = (capacity / 256).max(16);
            Cache::with(
                items,
                capacity as u64,
                Bytes,
                BuildHasherDefault::default(),
                DefaultLifecycle::default(),
            )
        });
        ScoreCache {
            cache,
            seen: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            open: AtomicBool::new(true),
            window: AtomicU64::new(0),
        }
    }

    /// What is known of `text`: the cached value if it is there and
    /// `usable`, else what `compute` gives, which is then kept if `text` was
    /// seen before (or kept without what `usable` asks). While the sample
    /// finds almost nothing, a paragraph outside it is computed at once.
    pub(crate) fn get(
        &self,
        text: &str,
        usable: impl Fn(&Scored) -> bool,
        compute: impl FnOnce() -> Scored,
    ) -> Scored {
        let Some(cache) = &self.cache else {
            return compute();
        };
        let hash = hash(text);
        let sampled = sampled(hash);
        if !sampled && !self.open.load(Ordering::Relaxed) {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return compute();
        }
        let found = cache.get(&Probe { hash, text });
        let hit = found.as_ref().filter(|hit| usable(hit));
        if sampled {
            self.observe(hit.is_some());
        }
        if let Some(hit) = hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return hit.clone();
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = compute();
        // A paragraph kept but without what is asked now is replaced.
        if found.is_some() || self.seen_before(text, hash) {
            let text = text.into();
            cache.insert(Key { hash, text }, value.clone());
        }
        value
    }

    /// Counts a sampled lookup; the one that ends a window opens or closes
    /// the cache to the other paragraphs by the window's hits and starts the
    /// next. Two threads may count into a window being reset and lose a
    /// count: that moves a decision, not a value.
    fn observe(&self, hit: bool) {
        let before = self
            .window
            .fetch_add(1 | u64::from(hit) << 32, Ordering::Relaxed);
        if before & u64::from(u32::MAX) == WINDOW - 1 {
            let hits = (before >> 32) + u64::from(hit);
            self.window.store(0, Ordering::Relaxed);
            self.open.store(hits >= OPEN_HITS, Ordering::Relaxed);
        }
    }

    /// Whether to keep `text` (of hash `hash`): a short one always; a long one if it was seen
    /// before and not kept: true for a paragraph met in the doorkeeper's
    /// table (its slot is then freed), false for one met for the first time
    /// (it takes the slot of its hash). Two threads
    /// racing on a slot can only keep or forget a paragraph once too often:
    /// the values, and so the output, do not change.
    fn seen_before(&self, text: &str, hash: u64) -> bool {
        if self.seen.is_empty() || text.len() <= DOORKEEPER_FROM {
            return true;
        }
        // Never 0, the empty slot.
        let hash = hash | 1;
        let slot = &self.seen[hash as usize & (self.seen.len() - 1)];
        if slot.load(Ordering::Relaxed) == hash {
            slot.store(0, Ordering::Relaxed);
            true
        } else {
            slot.store(hash, Ordering::Relaxed);
            false
        }
    }

    /// What the cache holds and how often it answered.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            capacity: self.capacity,
            bytes: self.cache.as_ref().map_or(0, |c| c.weight() as usize)
                + std::mem::size_of_val::<[AtomicU64]>(&self.seen),
            entries: self.cache.as_ref().map_or(0, Cache::len),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// A paragraph's hash, for the cache, its sample and the doorkeeper.
pub(crate) fn hash(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

/// Whether a paragraph of this hash is in the sample that always goes
/// through the cache. Bits that neither the cache's tables (the lowest and
/// the highest ones) nor the doorkeeper (the lowest) read pick it, so that
/// the sample alone spreads over them as well as all paragraphs do.
fn sampled(hash: u64) -> bool {
    (hash >> 48).is_multiple_of(SAMPLE)
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

    /// Paragraphs scored, not taken from the cache: not found there, or not
    /// looked up while it was closed to all but its sample (none when the
    /// cache is off).
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
    fn fake(text: &str) -> Scored {
        Scored {
            jll: Jll::new(&[
                text.len() as f64,
                f64::from(text.as_bytes().first().copied().unwrap_or(0)),
            ]),
            block: None,
        }
    }

    /// A paragraph longer than [`DOORKEEPER_FROM`] bytes.
    fn long(text: &str) -> String {
        let long = text.repeat(DOORKEEPER_FROM / text.len() + 1);
        assert!(long.len() > DOORKEEPER_FROM);
        long
    }

    /// [`ScoreCache::get`] of a value that is always usable.
    fn get(cache: &ScoreCache, text: &str) -> Scored {
        cache.get(text, |_| true, || fake(text))
    }

    /// What the doorkeeper's table takes of a cache of `capacity` bytes.
    fn door(capacity: usize) -> usize {
        ScoreCache::new(capacity).stats().bytes()
    }

    #[test]
    fn a_short_paragraph_is_kept_at_once_and_answers_the_same() {
        let cache = ScoreCache::new(1 << 20);
        let mut computed = 0;
        let mut count = || {
            cache.get(
                "推荐阅读",
                |_| true,
                || {
                    computed += 1;
                    fake("推荐阅读")
                },
            )
        };
        let first = count();
        let again = count();
        assert_eq!(computed, 1);
        assert_eq!(first.jll.as_slice(), [12.0, 230.0]);
        assert_eq!(again, first);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.entries()), (1, 1, 1));
        // 4096 doorkeeper slots of 8 bytes (1/32 of the capacity), and the entry.
        assert_eq!(door(1 << 20), 4096 * 8);
        assert_eq!(
            stats.bytes(),
            4096 * 8 + 12 + std::mem::size_of::<Scored>() + ENTRY_OVERHEAD
        );
        assert!((stats.hit_rate() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_long_paragraph_is_kept_from_its_second_sighting() {
        let cache = ScoreCache::new(1 << 20);
        let text = long("国务院召开常务会议,部署稳就业工作。");
        let first = get(&cache, &text);
        assert_eq!(cache.stats().entries(), 0);
        let second = get(&cache, &text);
        let third = get(&cache, &text);
        assert_eq!(second, first);
        assert_eq!(third, first);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.entries()), (1, 2, 1));
    }

    #[test]
    fn long_text_seen_once_is_not_kept() {
        let cache = ScoreCache::new(1 << 20);
        for i in 0..1000 {
            get(&cache, &long(&format!("第{i}篇文章的正文。")));
        }
        let stats = cache.stats();
        assert_eq!(
            (stats.hits(), stats.misses(), stats.entries()),
            (0, 1000, 0)
        );
        assert_eq!(stats.bytes(), door(1 << 20));
    }

    #[test]
    fn a_value_that_will_not_do_is_computed_again_and_replaced() {
        let cache = ScoreCache::new(1 << 20);
        get(&cache, "推荐阅读");
        assert!(
            cache
                .get("推荐阅读", |_| true, || unreachable!())
                .block
                .is_none()
        );
        let mut computed = 0;
        let full = |text: &str| Scored {
            block: Some(BlockText::default()),
            ..fake(text)
        };
        let want_block = |s: &Scored| s.block.is_some();
        let value = cache.get("推荐阅读", want_block, || {
            computed += 1;
            full("推荐阅读")
        });
        assert!(value.block.is_some());
        let again = cache.get("推荐阅读", want_block, || {
            computed += 1;
            full("推荐阅读")
        });
        assert_eq!(computed, 1);
        assert_eq!(again, value);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.entries()), (2, 2, 1));
    }

    #[test]
    fn memory_stays_within_capacity() {
        let capacity = 64 << 10;
        let cache = ScoreCache::new(capacity);
        for i in 0..20_000 {
            let text = format!("第{i}段,一段只出现一次的文字");
            get(&cache, &text);
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

    /// The first paragraph `第{i}段,...` from `from` on that is, or is
    /// not, in the sample.
    fn numbered(from: usize, in_sample: bool) -> (usize, String) {
        (from..)
            .map(|i| (i, format!("第{i}段,一段只出现一次的文字")))
            .find(|(_, text)| sampled(hash(text)) == in_sample)
            .unwrap()
    }

    #[test]
    fn a_paragraph_seen_often_survives_a_stream_of_new_ones() {
        let cache = ScoreCache::new(64 << 10);
        // In the sample, so that it is looked up whatever the stream does
        // to the cache's admission.
        let chrome = (0..)
            .map(|i| format!("首页 | 新闻 | 体育 | 娱乐 {i}"))
            .find(|text| sampled(hash(text)))
            .unwrap();
        for i in 0..5_000 {
            get(&cache, &chrome);
            get(&cache, &format!("第{i}篇文章的正文"));
        }
        // Every lookup of the chrome after the first is a hit.
        assert_eq!(cache.stats().hits(), 4_999);
    }

    #[test]
    fn text_that_never_repeats_is_kept_only_in_its_sample_after_a_window() {
        let cache = ScoreCache::new(16 << 20);
        let texts: Vec<String> = (0..30_000)
            .map(|i| format!("第{i}段,一段只出现一次的文字"))
            .collect();
        for text in &texts {
            get(&cache, text);
        }
        // Open until the end of the first window of sampled lookups (no
        // hits), then only the sample is kept.
        let in_sample: Vec<bool> = texts.iter().map(|t| sampled(hash(t))).collect();
        let closes = in_sample
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .nth(WINDOW as usize - 1)
            .unwrap()
            .0;
        let kept = closes + 1 + in_sample[closes + 1..].iter().filter(|s| **s).count();
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses()), (0, 30_000));
        assert_eq!(stats.entries(), kept);
        // About one in SAMPLE after the first window.
        assert!(closes > 2_000 && closes < 8_000, "{closes}");
        assert!(kept < closes + 2 * 30_000 / SAMPLE as usize, "{kept}");
        // Closed, a paragraph outside the sample is computed every time.
        let (_, outside) = numbered(30_000, false);
        let mut computed = 0;
        for _ in 0..3 {
            let value = cache.get(
                &outside,
                |_| true,
                || {
                    computed += 1;
                    fake(&outside)
                },
            );
            assert_eq!(value, fake(&outside));
        }
        assert_eq!(computed, 3);
    }

    #[test]
    fn repetition_reopens_the_cache_to_every_paragraph() {
        let cache = ScoreCache::new(16 << 20);
        for i in 0..30_000 {
            get(&cache, &format!("第{i}段,一段只出现一次的文字"));
        }
        // Then pages that repeat: 1000 paragraphs, again and again. The
        // sample's hits open the cache after a window; the paragraphs
        // outside it are kept from then on and hit from their next round.
        let round: Vec<String> = (0..1000)
            .map(|i| format!("第{i}条,会再出现的文字"))
            .collect();
        for _ in 0..8 {
            for text in &round {
                get(&cache, text);
            }
        }
        let before = cache.stats().hits();
        for text in &round {
            get(&cache, text);
        }
        assert_eq!(cache.stats().hits() - before, 1000);
        // And one outside the sample is computed once, then found.
        let (_, outside) = numbered(40_000, false);
        let mut computed = 0;
        for _ in 0..3 {
            cache.get(
                &outside,
                |_| true,
                || {
                    computed += 1;
                    fake(&outside)
                },
            );
        }
        assert_eq!(computed, 1);
    }

    #[test]
    fn off_computes_every_time_and_holds_nothing() {
        let cache = ScoreCache::new(0);
        let mut computed = 0;
        for _ in 0..3 {
            cache.get(
                "同一段",
                |_| true,
                || {
                    computed += 1;
                    fake("同一段")
                },
            );
        }
        assert_eq!(computed, 3);
        let stats = cache.stats();
        assert_eq!((stats.hits(), stats.misses(), stats.bytes()), (0, 0, 0));
        assert_eq!(stats.to_string(), "cache: off");
    }

    #[test]
    fn a_tiny_cache_works_and_stays_within_its_capacity() {
        for capacity in [1, 100, 1000, 5000] {
            let cache = ScoreCache::new(capacity);
            for _ in 0..3 {
                assert_eq!(get(&cache, "一段").jll.as_slice(), [6.0, 228.0]);
            }
            assert!(cache.stats().bytes() <= capacity, "{capacity}");
        }
    }

    #[test]
    fn a_clone_starts_empty_with_the_same_capacity() {
        let cache = ScoreCache::new(1 << 20);
        get(&cache, "一段");
        assert_eq!(cache.stats().entries(), 1);
        let copy = cache.clone();
        assert_eq!(copy.stats().capacity(), 1 << 20);
        assert_eq!(copy.stats().entries(), 0);
    }
}
