//! Per-block features relative to the page (see the design in models/MODEL.md).
//!
//! Every feature is a function of the page's blocks: their text, the naive
//! Bayes probability of the positive label (`news`), optionally the page-context
//! HMM's posterior, and for HTML input the block's structure. Text input gives
//! the HTML features neutral values (they are then not in the weight set).

// Index loops mirror the feature definitions (blocks i, j of the page).
#![allow(clippy::needless_range_loop)]

use crate::context::{Headings, ListMarkers};
use crate::html::{BlockFeatures, Cue, HtmlPage};

/// What the markup says about a page's blocks, for the HTML weight set: one
/// [`BlockFeatures`] and one tag path a block (as the HTML reader gives them,
/// [`crate::Block::features`], [`crate::Block::path`]) and the page's
/// `<title>`. A block without an entry reads as neutral.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlLayout {
    features: Vec<BlockFeatures>,
    paths: Vec<String>,
    title: String,
}

impl HtmlLayout {
    /// The layout of a page cut by the HTML reader.
    pub fn of(page: &HtmlPage) -> HtmlLayout {
        HtmlLayout {
            features: page.blocks().iter().map(|b| b.features().clone()).collect(),
            paths: page.blocks().iter().map(|b| b.path().to_string()).collect(),
            title: page.title().to_string(),
        }
    }

    /// A layout from its parts: one features and one tag path a block, in
    /// page order, and the page title.
    pub fn new(features: Vec<BlockFeatures>, paths: Vec<String>, title: String) -> HtmlLayout {
        HtmlLayout {
            features,
            paths,
            title,
        }
    }

    fn path(&self, i: usize) -> &str {
        self.paths.get(i).map_or("", String::as_str)
    }
}

/// One page as the page model reads it: the blocks' text and scores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageInput {
    /// The blocks' text, as on the page (not normalised: punctuation counts).
    pub texts: Vec<String>,
    /// Naive Bayes probability of the positive label, per block.
    pub nb: Vec<f64>,
    /// The page-context HMM's posterior of the positive label, per block
    /// (empty when the model has no page context).
    pub hmm: Vec<f64>,
    /// What the markup says about the blocks (HTML input only).
    pub html: Option<HtmlLayout>,
}

/// A page as [`features_of`] reads it: [`PageInput`]'s fields borrowed, so
/// that classifying a page copies neither its texts nor its layout. Its
/// naive Bayes probabilities are in the blocks' [`BlockText`]s.
pub(crate) struct PageView<'a, S> {
    /// The blocks' text, as on the page.
    pub(crate) texts: &'a [S],
    /// The HMM's posterior of the positive label, per block, or empty.
    pub(crate) hmm: &'a [f64],
    /// What the markup says about the blocks (HTML input only).
    pub(crate) html: Option<&'a HtmlLayout>,
}

impl PageInput {
    /// The page borrowed, as [`features_of`] reads it.
    pub(crate) fn view(&self) -> PageView<'_, String> {
        PageView {
            texts: &self.texts,
            hmm: &self.hmm,
            html: self.html.as_ref(),
        }
    }
}

/// The cue of a `cue_*` feature name.
fn cue_of(feature: &str) -> Option<Cue> {
    let name = feature.strip_prefix("cue_")?;
    Cue::ALL.into_iter().find(|c| c.name() == name)
}

/// The text weight set's features, in order.
pub const TEXT_FEATURES: [&str; 31] = [
    "z",
    "ll",
    "pos",
    "rel_max",
    "rel_med",
    "punct",
    "stop",
    "dmain",
    "dch",
    "before",
    "after",
    "is_main",
    "z_p1",
    "z_n1",
    "z_p2",
    "z_n2",
    "ll_p1",
    "ll_n1",
    "head",
    "head_between",
    "head_above",
    "run",
    "spre",
    "inrun",
    "drun",
    "tcand",
    "run_after",
    "run_before",
    "above",
    "below",
    "body_sim",
];

/// What the HTML weight set adds to the text features, in order.
pub const HTML_EXTRA_FEATURES: [&str; 32] = [
    "link",
    "link_p1",
    "link_n1",
    "cue_article",
    "cue_sidebar",
    "cue_menu",
    "cue_nav",
    "cue_header",
    "cue_rank",
    "cue_footer",
    "cue_ad",
    "cue_title",
    "cue_hot",
    "cue_related",
    "cue_comment",
    "cue_recommend",
    "cue_share",
    "cue_copyright",
    "cue_breadcrumb",
    "tag_li",
    "tag_p",
    "tag_h",
    "tag_td",
    "in_list",
    "in_table",
    "heading",
    "depth",
    "ddepth",
    "links",
    "same_parent",
    "same_gparent",
    "title_sim",
];

/// The HMM posterior logit, an optional stage-1 feature.
pub const HMM_FEATURE: &str = "hmm";

/// Punctuation whose share of a block is the `punct` feature.
const PUNCT: [char; 7] = ['。', '，', '、', '；', '：', '？', '！'];
/// Characters that end a sentence (`stop`).
const STOPS: [char; 4] = ['。', '！', '？', '…'];
/// Closing quotes: a sentence stop only after one of [`STOPS`] (`“…。”`),
/// since a headline or teaser often ends in a quoted name (`下载“…”`) and
/// would otherwise read as a body sentence.
const CLOSING_QUOTES: [char; 3] = ['”', '」', '』'];

/// Whether `text` is a dateline on its own line (电头: `本报南昌3月11日讯`,
/// `新华社北京3月11日电`, `本报讯（记者 张三）`): by the convention of Chinese
/// news it opens the article and belongs to it, whereas the date, source and
/// author lines a site prints around the article (`2012年01月12日 14:25 来源：…`)
/// are page furniture that the references drop. Up to 20 characters naming
/// the paper (`本报`) or ending in a date (`…月…日`), then `讯` or `电`, then at
/// most a reporter in brackets.
fn is_dateline(text: &str) -> bool {
    let mut t = text.trim();
    if let Some(inner) = t.strip_suffix(['）', ')']) {
        match inner.rfind(['（', '(']) {
            Some(k) => t = inner[..k].trim_end(),
            None => return false,
        }
    }
    let Some(rest) = t.strip_suffix(['讯', '訊', '电', '電']) else {
        return false;
    };
    (1..=20).contains(&rest.chars().count())
        && (rest.starts_with("本报")
            || rest.starts_with("本報")
            || (rest.ends_with('日') && rest.contains('月')))
}

/// Whether `text` ends a sentence: its last character (whitespace aside) is
/// one of [`STOPS`], or it ends in closing quotes with one of [`STOPS`] just
/// inside them.
fn ends_sentence(text: &str) -> bool {
    text.chars()
        .rev()
        .find(|c| !c.is_whitespace() && !CLOSING_QUOTES.contains(c))
        .is_some_and(|c| STOPS.contains(&c))
}

/// The features of one page, column by column, and what the rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFeatures {
    names: Vec<&'static str>,
    /// The columns one after another, `blocks` values each.
    columns: Vec<f64>,
    blocks: usize,
    /// First and last block of the main run of body text.
    pub run: (usize, usize),
    /// The main block (most characters outside links).
    pub main: usize,
}

impl PageFeatures {
    /// The values of feature `name`, one per block, if it was computed.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.names
            .iter()
            .position(|n| *n == name)
            .map(|i| &self.columns[i * self.blocks..(i + 1) * self.blocks])
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.blocks
    }

    /// True for a page without blocks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends feature `name`'s column, one value a block.
    fn put(&mut self, name: &'static str, column: impl IntoIterator<Item = f64>) {
        let start = self.columns.len();
        self.columns.extend(column);
        debug_assert_eq!(self.columns.len() - start, self.blocks, "{name}");
        self.names.push(name);
    }

    /// The rows of the features `names`, in that order (missing ones are 0).
    pub fn rows(&self, names: &[String]) -> Vec<Vec<f64>> {
        let cols = self.columns_of(names);
        (0..self.len())
            .map(|i| cols.iter().map(|c| c.map_or(0.0, |c| c[i])).collect())
            .collect()
    }

    /// The columns of the features `names`, in that order (`None`: not computed).
    pub(crate) fn columns_of(&self, names: &[String]) -> Vec<Option<&[f64]>> {
        names.iter().map(|n| self.column(n)).collect()
    }
}

/// `ln(p / (1 − p))`, p clamped to [1e−9, 1 − 1e−9], then clamped to ±9.
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln().clamp(-9.0, 9.0)
}

/// `c.is_whitespace()`, with the answer for most Chinese text (above
/// U+3000, the last whitespace character) found by one comparison.
fn is_space(c: char) -> bool {
    c <= '\u{3000}' && c.is_whitespace()
}

/// `PUNCT.contains(&c)`, with the answer for Chinese characters (between
/// the two ranges that hold every [`PUNCT`]) found by two comparisons.
fn is_punct(c: char) -> bool {
    matches!(c, '\u{3001}'..='\u{3002}' | '\u{FF01}'..='\u{FF1F}') && PUNCT.contains(&c)
}

/// The median of `v`: the middle value, or the mean of the two middle ones.
/// Found by selection (what sorting would put there, without sorting).
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    let n = s.len();
    if n == 0 {
        return 0.0;
    }
    let (below, &mut mid, _) = s.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        mid
    } else {
        let low = below.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        (low + mid) / 2.0
    }
}

/// `a` moved `k` blocks down the page (up for a negative `k`), 0 where
/// nothing comes: `a[i − k]` for each block `i`.
fn shifted(a: &[f64], k: isize) -> impl Iterator<Item = f64> + '_ {
    let n = a.len();
    let d = k.unsigned_abs().min(n);
    let (lead, kept, tail) = if k >= 0 {
        (d, &a[..n - d], 0)
    } else {
        (0, &a[d..], d)
    };
    std::iter::repeat_n(0.0, lead)
        .chain(kept.iter().copied())
        .chain(std::iter::repeat_n(0.0, tail))
}

/// `ln(1 + k)` of a count (`(k as f64).ln_1p()`, the same number), from a
/// table for the small counts that are nearly all of a page's: positions,
/// distances, lengths, runs.
fn ln_1p_count(k: usize) -> f64 {
    static SMALL: std::sync::LazyLock<Vec<f64>> =
        std::sync::LazyLock::new(|| (0..1024).map(|k| (k as f64).ln_1p()).collect());
    SMALL.get(k).copied().unwrap_or_else(|| (k as f64).ln_1p())
}

/// Two adjacent characters packed into one number (first character high):
/// 21 bits each, which every `char` fits in.
fn pair(first: char, second: char) -> u64 {
    u64::from(first) << 21 | u64::from(second)
}

/// Calls `on_pair` with each pair of adjacent characters of `t` (whitespace
/// left out), in order, repeats kept, the pair one number: the UTF-8 bytes
/// of each character, read as a little-endian `u32` (one character, one
/// number), first character high. Read from the bytes rather than decoded:
/// a character of three bytes from U+4000 up (every Chinese character of a
/// page, and none of them whitespace) is taken as it stands, and an ASCII
/// one checked for whitespace as a byte; only the others are decoded, to be
/// checked. The numbers are not [`pair`]'s, and only
/// [`bigram_similarities`] compares them.
fn for_each_bigram(t: &str, mut on_pair: impl FnMut(u64)) {
    let bytes = t.as_bytes();
    let mut prev: Option<u32> = None;
    let mut i = 0;
    while i < bytes.len() {
        let key = if let [x @ 0xE4..=0xEF, y, z, ..] = bytes[i..] {
            i += 3;
            u32::from_le_bytes([x, y, z, 0])
        } else if let [x @ 0..=0x7F, ..] = bytes[i..] {
            i += 1;
            // `char::is_whitespace` of an ASCII character.
            if matches!(x, b'\t'..=b'\r' | b' ') {
                continue;
            }
            u32::from(x)
        } else {
            let Some(c) = t[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            if is_space(c) {
                continue;
            }
            let mut key = [0; 4];
            c.encode_utf8(&mut key);
            u32::from_le_bytes(key)
        };
        if let Some(p) = prev {
            on_pair(u64::from(p) << 32 | u64::from(key));
        }
        prev = Some(key);
    }
}

/// The distinct pairs of one block, counted: an open-addressing table of
/// [`pair`]s (42 bits) with the number of the block that stored each in the
/// 22 bits above, so that starting the next block is one increment, not a
/// clearing of the table; a slot another block stored reads as empty. One
/// multiply and, at under half full, about one probe a pair: the pairs of a
/// block are mostly new to it, and a general hash set spends more on each.
struct PairCounter {
    slots: Vec<u64>,
    /// The current block's number, in the high bits of its slots; never 0,
    /// which is what a fresh slot holds.
    block: u64,
    /// Distinct pairs of the current block.
    distinct: u32,
}

/// The multiplier of the multiplicative hashes of bigrams (2^64 over the
/// golden ratio): its top bits index a table.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// Bits of a [`pair`]: two 21-bit characters.
const PAIR_BITS: u32 = 42;

impl PairCounter {
    const fn new() -> PairCounter {
        PairCounter {
            slots: Vec::new(),
            block: 0,
            distinct: 0,
        }
    }

    /// Starts a block of at most `pairs` pairs: room for all of them at
    /// under half full, the table of a block over [`KEPT_PAIRS`] dropped
    /// for a smaller one at the next short block.
    fn start(&mut self, pairs: usize) {
        let want = (2 * pairs).max(64).next_power_of_two();
        let keep = self.slots.len() >= want
            && (self.slots.len() <= 2 * KEPT_PAIRS || want > 2 * KEPT_PAIRS);
        self.block += 1;
        if !keep || self.block == 1 << (64 - PAIR_BITS) {
            self.slots = vec![0; want];
            self.block = 1;
        }
        self.distinct = 0;
    }

    /// Counts `g` if the block has not met it yet.
    #[inline(always)]
    fn insert(&mut self, g: u64) {
        let stamp = self.block << PAIR_BITS;
        let mask = self.slots.len() - 1;
        let shift = 64 - self.slots.len().trailing_zeros();
        let mut i = (g.wrapping_mul(SPREAD) >> shift) as usize;
        loop {
            let s = self.slots[i];
            if s & !((1 << PAIR_BITS) - 1) != stamp {
                self.slots[i] = stamp | g;
                self.distinct += 1;
                return;
            }
            if s == stamp | g {
                return;
            }
            i = (i + 1) & mask;
        }
    }
}

/// What [`BlockText::of`] reuses from one block to the next in a thread: the
/// counter of its pairs and the buffer of its first letters.
struct Scratch {
    pairs: PairCounter,
    core: String,
}

/// The most pairs [`Scratch`]'s counter keeps room for between blocks (64
/// KiB of table): a longer block's table is dropped after it.
const KEPT_PAIRS: usize = 1 << 12;

thread_local! {
    /// Each thread's [`Scratch`].
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new(Scratch {
            pairs: PairCounter::new(),
            core: String::new(),
        })
    };
}

/// What one character bigram of the main run or the title is: in how many
/// blocks of the run it occurs, whether the title has it, and which block
/// last met it.
#[derive(Clone, Copy)]
struct Bigram {
    in_run: u32,
    in_title: bool,
    /// 1 + the block that last met it (0: none).
    block: u32,
}

/// `body_sim` and `title_sim` of every block of a page: the share of a
/// block's distinct character bigrams (whitespace left out) found in the main
/// run `[a, b]` (the block itself left out), and in `title`; 0 for a block of
/// fewer than three distinct bigrams (their number is in `counts`). A
/// headline repeats the words of its article; chrome and teasers do not.
///
/// One table a page of the run's and the title's bigrams, built reading the
/// run's text once; a run block's distinct bigrams are listed as it is read,
/// and every other block's text is looked up in the table: no set of bigrams
/// a block.
fn bigram_similarities<S: AsRef<str>>(
    texts: &[S],
    counts: &[BlockText],
    (a, b): (usize, usize),
    title: Option<&str>,
) -> (Vec<f64>, Vec<f64>) {
    let n = texts.len();
    let run = a.min(n)..(b + 1).min(n);
    let title = title.unwrap_or("");
    let bytes = title.len()
        + texts[run.clone()]
            .iter()
            .map(|t| t.as_ref().len())
            .sum::<usize>();
    // Bigram → its index in `seen`.
    let mut index: rustc_hash::FxHashMap<u64, u32> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(bytes / 3 + 1, Default::default());
    let mut seen: Vec<Bigram> = Vec::with_capacity(bytes / 3 + 1);
    // One bit of 2^k for each bigram of the table, by its hash: most
    // bigrams of the other blocks are not in the run, and the bit says so
    // without a probe of the table. Eight bits a byte of the run (24 a
    // Chinese character), up to 2^16: a short run's page zeroes no more
    // than it needs.
    let k = (8 * bytes)
        .clamp(64, 1 << 16)
        .next_power_of_two()
        .trailing_zeros();
    let mut bits = vec![0u64; 1 << (k - 6)];
    let bit = |g: u64| (g.wrapping_mul(SPREAD) >> (64 - k)) as usize;
    let mut id_of = |g: u64, seen: &mut Vec<Bigram>| -> usize {
        *index.entry(g).or_insert_with(|| {
            bits[bit(g) >> 6] |= 1 << (bit(g) & 63);
            seen.push(Bigram {
                in_run: 0,
                in_title: false,
                block: 0,
            });
            (seen.len() - 1) as u32
        }) as usize
    };
    for_each_bigram(title, |g| {
        let id = id_of(g, &mut seen);
        seen[id].in_title = true;
    });
    // The distinct bigrams of each run block, one list after another.
    let mut own: Vec<u32> = Vec::with_capacity(bytes / 3 + 1);
    let mut ends = Vec::with_capacity(run.len());
    for j in run.clone() {
        let mark = j as u32 + 1;
        for_each_bigram(texts[j].as_ref(), |g| {
            let id = id_of(g, &mut seen);
            let e = &mut seen[id];
            if e.block != mark {
                e.block = mark;
                e.in_run += 1;
                own.push(id as u32);
            }
        });
        ends.push(own.len());
    }
    let share = |found: (u32, u32), distinct: u32| {
        let d = f64::from(distinct);
        (f64::from(found.0) / d, f64::from(found.1) / d)
    };
    let mut out = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (i, (text, count)) in texts.iter().zip(counts).enumerate() {
        let (body, title) = if count.bigrams < 3 {
            (0.0, 0.0)
        } else if run.contains(&i) {
            let k = i - run.start;
            let ids = &own[if k == 0 { 0 } else { ends[k - 1] }..ends[k]];
            let found = ids.iter().fold((0, 0), |(r, t), &id| {
                let e = seen[id as usize];
                (r + u32::from(e.in_run > 1), t + u32::from(e.in_title))
            });
            share(found, count.bigrams)
        } else {
            let mark = i as u32 + 1;
            let mut found = (0, 0);
            for_each_bigram(text.as_ref(), |g| {
                if bits[bit(g) >> 6] & 1 << (bit(g) & 63) == 0 {
                    return;
                }
                if let Some(&id) = index.get(&g) {
                    let e = &mut seen[id as usize];
                    if e.block != mark {
                        e.block = mark;
                        found.0 += u32::from(e.in_run > 0);
                        found.1 += u32::from(e.in_title);
                    }
                }
            });
            share(found, count.bigrams)
        };
        out.0.push(body);
        out.1.push(title);
    }
    out
}

fn parent(path: &str, k: usize) -> String {
    let parts: Vec<&str> = path.split('>').collect();
    if parts.len() > k {
        parts[..parts.len() - k].join(">")
    } else {
        String::new()
    }
}

/// What the page features read of one block's text alone, whatever the page
/// around it: computed once per distinct text and kept with its scores in
/// the model's paragraph cache, with the logit of its naive Bayes
/// probability (so that a paragraph seen again costs neither a softmax nor a
/// logarithm). Its bigrams are not kept, only their number:
/// they are read from the page's text, one table a page
/// ([`bigram_similarities`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BlockText {
    /// [`logit`] of the naive Bayes probability of the positive label.
    z: f64,
    /// Characters other than whitespace. This and `punct` are counts, not
    /// `f64`s, so that with `z` the struct (and a cache entry) is no larger
    /// than it was without it: 32 bytes.
    len: u32,
    /// How many of them are [`PUNCT`].
    punct: u32,
    /// Its first two letters or digits, if it has two.
    pre: Option<(char, char)>,
    /// How many distinct character bigrams it has (pairs of adjacent
    /// characters, whitespace left out).
    bigrams: u32,
    /// It ends a sentence ([`ends_sentence`]).
    stop: bool,
    /// It is a list heading.
    head: bool,
    /// It is a dateline ([`is_dateline`]).
    dateline: bool,
}

impl BlockText {
    /// The share of its characters that are [`PUNCT`].
    fn punct(&self) -> f64 {
        f64::from(self.punct) / f64::from(self.len).max(1.0)
    }

    /// [`BlockText::of`] each of a page's blocks, in order (a block without
    /// a naive Bayes probability reads as 0.5).
    pub(crate) fn of_page(page: &PageInput, headings: &Headings) -> Vec<BlockText> {
        page.texts
            .iter()
            .enumerate()
            .map(|(i, t)| BlockText::of(t, headings, page.nb.get(i).copied().unwrap_or(0.5)))
            .collect()
    }

    /// [`BlockText::of`] before the naive Bayes probability is known (for
    /// work done while jieba's dictionary builds): give it with
    /// [`BlockText::with_nb`].
    #[cfg(feature = "cli")]
    pub(crate) fn scanned(text: &str, headings: &Headings) -> BlockText {
        BlockText::of(text, headings, 0.5)
    }

    /// The block with `nb` as its naive Bayes probability of the positive
    /// label: `BlockText::scanned(t, h).with_nb(p) == BlockText::of(t, h, p)`.
    pub(crate) fn with_nb(self, nb: f64) -> BlockText {
        BlockText {
            z: logit(nb),
            ..self
        }
    }

    /// The counts of a block's text, `headings` deciding what a list
    /// heading is, and the logit of `nb`, its naive Bayes probability of the
    /// positive label.
    pub(crate) fn of(text: &str, headings: &Headings, nb: f64) -> BlockText {
        let limit = headings.letters();
        SCRATCH.with_borrow_mut(|Scratch { pairs, core }| {
            // A character is at least one byte: no more pairs than bytes.
            pairs.start(text.len());
            let scan = Scan::of(text, limit, core, |g| pairs.insert(g));
            let distinct = pairs.distinct;
            let mut first = core.chars();
            BlockText {
                z: logit(nb),
                len: u32::try_from(scan.chars).unwrap_or(u32::MAX),
                punct: u32::try_from(scan.punct).unwrap_or(u32::MAX),
                pre: first.next().zip(first.next()),
                bigrams: distinct,
                // Only a block ending in a closing quote is read again, from its end.
                stop: scan.last.is_some_and(|c| {
                    if CLOSING_QUOTES.contains(&c) {
                        ends_sentence(text)
                    } else {
                        STOPS.contains(&c)
                    }
                }),
                head: scan.letters <= limit && headings.holds(core, scan.letters),
                dateline: is_dateline(text),
            }
        })
    }
}

/// What one pass over a block's characters finds for [`BlockText`].
struct Scan {
    /// Characters other than whitespace.
    chars: usize,
    /// How many of them are [`PUNCT`].
    punct: usize,
    /// The last of them.
    last: Option<char>,
    /// Letters and digits, counted up to `limit + 1` (more: not a heading).
    letters: usize,
}

impl Scan {
    /// Reads `text` once: each character not whitespace is counted, checked
    /// for [`PUNCT`] and handed to `on_pair` packed with the one before it
    /// ([`pair`]); while there can still be a heading, letters and digits
    /// are kept in `core` (the first `limit` of them).
    fn of(text: &str, limit: usize, core: &mut String, mut on_pair: impl FnMut(u64)) -> Scan {
        core.clear();
        let mut scan = Scan {
            chars: 0,
            punct: 0,
            last: None,
            letters: 0,
        };
        for c in text.chars() {
            // Most of a page is Chinese characters: letters, and neither
            // whitespace nor punctuation.
            let han = ('\u{4E00}'..='\u{9FFF}').contains(&c);
            if !han {
                if is_space(c) {
                    continue;
                }
                scan.punct += usize::from(is_punct(c));
            }
            scan.chars += 1;
            if let Some(prev) = scan.last {
                on_pair(pair(prev, c));
            }
            scan.last = Some(c);
            // `crate::text::is_letter_or_digit`, its first test done above.
            if scan.letters <= limit && (han || c.is_alphanumeric()) {
                if scan.letters < limit {
                    core.push(c);
                }
                scan.letters += 1;
            }
        }
        scan
    }
}

/// Computes every feature of a page. `markers` decides what a list heading is.
pub fn page_features(page: &PageInput, markers: &ListMarkers) -> PageFeatures {
    features_of(&page.view(), &BlockText::of_page(page, &markers.prepared()))
}

/// [`page_features`] from the counts of the page's texts, one a block (in
/// the order of `page.texts`, which is read again for its bigrams only).
///
/// Each column is written straight into the page's one table
/// ([`PageFeatures::put`]); only what several columns read (lengths, naive
/// Bayes logits, runs of short blocks) is held on its own.
pub(crate) fn features_of<S: AsRef<str>>(page: &PageView<S>, texts: &[BlockText]) -> PageFeatures {
    let n = texts.len();
    let bool_f = |b: bool| if b { 1.0 } else { 0.0 };
    let len: Vec<f64> = texts.iter().map(|b| f64::from(b.len)).collect();
    let ll: Vec<f64> = len.iter().map(|&l| ln_1p_count(l as usize)).collect();
    let z: Vec<f64> = texts.iter().map(|b| b.z).collect();
    let neutral = BlockFeatures::default();
    let block = |i: usize| {
        page.html
            .and_then(|h| h.features.get(i))
            .unwrap_or(&neutral)
    };
    let link = |i: usize| f64::from(block(i).link_share);
    let stop = |i: usize| texts[i].stop;
    // Main block: most characters outside links, first on ties, among the
    // blocks that end a sentence when there are any (on a short page the
    // headline can be the longest block).
    let any_stop = texts.iter().any(|b| b.stop);
    let weight = |i: usize| {
        if stop(i) || !any_stop {
            len[i] * (1.0 - link(i))
        } else {
            -1.0
        }
    };
    let mut m = 0;
    for i in 0..n {
        if weight(i) > weight(m) {
            m = i;
        }
    }
    let lmax = len.iter().copied().fold(0.0, f64::max).ln_1p();
    let lmed = median(&len).ln_1p();
    let span = (n.max(2) - 1) as f64;
    let mut cum = vec![0.0; n + 1];
    for i in 0..n {
        cum[i + 1] = cum[i] + len[i];
    }
    let total = cum[n].max(1.0);
    // Runs of short blocks without a sentence stop.
    let short = |i: usize| len[i] <= 50.0 && !stop(i);
    let mut run = vec![0.0; n];
    let mut i = 0;
    while i < n {
        if short(i) {
            let mut j = i;
            while j < n && short(j) {
                j += 1;
            }
            let v = ln_1p_count(j - i);
            run[i..j].iter_mut().for_each(|r| *r = v);
            i = j;
        } else {
            i += 1;
        }
    }
    // Main run around the main block: gaps of at most two weak blocks.
    let strong = |j: usize| j == m || (len[j] >= 40.0 && texts[j].punct() >= 0.02 && link(j) < 0.5);
    let (mut a, mut b) = (m, m);
    if n > 0 {
        let mut gap = 0;
        for j in (0..m).rev() {
            if strong(j) {
                a = j;
                gap = 0;
            } else {
                gap += 1;
                if gap > 2 {
                    break;
                }
            }
        }
        gap = 0;
        for j in (m + 1)..n {
            if strong(j) {
                b = j;
                gap = 0;
            } else {
                gap += 1;
                if gap > 2 {
                    break;
                }
            }
        }
        while a > 0 && stop(a - 1) && link(a - 1) < 0.5 {
            a -= 1;
        }
        while b + 1 < n && stop(b + 1) && link(b + 1) < 0.5 {
            b += 1;
        }
    }
    let mut tcand = None;
    for j in (a.saturating_sub(5)..a).rev() {
        if (6.0..=80.0).contains(&len[j])
            && !stop(j)
            && link(j) < 0.5
            && tcand.is_none_or(|bj: usize| z[j] > z[bj])
        {
            tcand = Some(j);
        }
    }
    let title = page.html.map(|h| h.title.as_str());
    let (body_sim, title_sim) = bigram_similarities(page.texts, texts, (a, b), title);

    // One table for all the columns, room made for the HTML set's.
    let mut f = PageFeatures {
        names: Vec::with_capacity(80),
        columns: Vec::with_capacity(80 * n),
        blocks: n,
        run: (a, b),
        main: m,
    };
    let mf = m as f64;
    f.put("z", z.iter().copied());
    f.put("ll", ll.iter().copied());
    f.put("pos", (0..n).map(|i| i as f64 / span));
    f.put("rel_max", ll.iter().map(|l| l - lmax));
    f.put("rel_med", ll.iter().map(|l| l - lmed));
    f.put("punct", texts.iter().map(BlockText::punct));
    f.put("stop", texts.iter().map(|b| bool_f(b.stop)));
    f.put("dmain", (0..n).map(|i| (i as f64 - mf) / span));
    f.put(
        "dch",
        (0..n).map(|i| (cum[i] - cum.get(m).copied().unwrap_or(0.0)) / total),
    );
    f.put("before", (0..n).map(|i| bool_f(i < m)));
    f.put("after", (0..n).map(|i| bool_f(i > m)));
    f.put("is_main", (0..n).map(|i| bool_f(i == m)));
    f.put("z_p1", shifted(&z, 1));
    f.put("z_n1", shifted(&z, -1));
    f.put("z_p2", shifted(&z, 2));
    f.put("z_n2", shifted(&z, -2));
    f.put("ll_p1", shifted(&ll, 1));
    f.put("ll_n1", shifted(&ll, -1));
    f.put("head", texts.iter().map(|b| bool_f(b.head)));
    // 1 below a list heading: one below the main block, one anywhere.
    let first_head = |from: usize| (from..n).find(|&i| texts[i].head);
    let below_head = |from: usize| first_head(from).map_or(n, |h| h + 1);
    let (between, above) = (below_head(m + 1), below_head(0));
    f.put("head_between", (0..n).map(|i| bool_f(i >= between)));
    f.put("head_above", (0..n).map(|i| bool_f(i >= above)));
    f.put("run", run.iter().copied());
    let pre = |i: usize| texts[i].pre;
    f.put(
        "spre",
        (0..n).map(|i| {
            bool_f(
                pre(i).is_some()
                    && ((i > 0 && pre(i - 1) == pre(i)) || (i + 1 < n && pre(i + 1) == pre(i))),
            )
        }),
    );
    f.put("inrun", (0..n).map(|i| bool_f(a <= i && i <= b)));
    f.put(
        "drun",
        (0..n).map(|i| {
            let d = if i < a {
                i as f64 - a as f64
            } else if i > b {
                (i - b) as f64
            } else {
                0.0
            };
            d.signum() * ln_1p_count(d.abs() as usize) * bool_f(d != 0.0)
        }),
    );
    f.put("tcand", (0..n).map(|i| bool_f(tcand == Some(i))));
    f.put(
        "run_after",
        (0..n).map(|i| if i > b { run[i] } else { 0.0 }),
    );
    f.put(
        "run_before",
        (0..n).map(|i| if i < a { run[i] } else { 0.0 }),
    );
    f.put("above", (0..n).map(ln_1p_count));
    f.put("below", (0..n).map(|i| ln_1p_count(n - 1 - i)));
    f.put("body_sim", body_sim);
    // Read by the rules only (R7), not by a weight set.
    f.put("dateline", texts.iter().map(|b| bool_f(b.dateline)));
    if page.hmm.len() == n {
        f.put(HMM_FEATURE, page.hmm.iter().map(|&p| logit(p)));
    }
    if let Some(layout) = page.html {
        let blocks: Vec<&BlockFeatures> = (0..n).map(block).collect();
        let link: Vec<f64> = (0..n).map(link).collect();
        f.put("link", link.iter().copied());
        f.put("link_p1", shifted(&link, 1));
        f.put("link_n1", shifted(&link, -1));
        for name in &HTML_EXTRA_FEATURES[3..19] {
            let cue = cue_of(name).expect("a cue_ feature names a cue");
            f.put(name, blocks.iter().map(|b| bool_f(b.cues.has(cue))));
        }
        let tag = |f: &dyn Fn(&str) -> bool| -> Vec<f64> {
            blocks.iter().map(|b| bool_f(f(&b.tag))).collect()
        };
        f.put("tag_li", tag(&|t| matches!(t, "li" | "dd" | "dt")));
        f.put("tag_p", tag(&|t| t == "p"));
        f.put(
            "tag_h",
            tag(&|t| matches!(t, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")),
        );
        f.put("tag_td", tag(&|t| matches!(t, "td" | "th")));
        f.put("in_list", blocks.iter().map(|b| bool_f(b.in_list)));
        f.put("in_table", blocks.iter().map(|b| bool_f(b.in_table)));
        f.put("heading", blocks.iter().map(|b| bool_f(b.heading > 0)));
        let depth: Vec<f64> = blocks.iter().map(|b| f64::from(b.depth)).collect();
        let dm = depth.get(m).copied().unwrap_or(0.0);
        f.put(
            "depth",
            blocks.iter().map(|b| ln_1p_count(b.depth as usize)),
        );
        f.put(
            "ddepth",
            depth.iter().map(|d| (d - dm).clamp(-10.0, 10.0) / 10.0),
        );
        f.put(
            "links",
            blocks.iter().map(|b| ln_1p_count(b.links as usize)),
        );
        let main_path = if n > 0 { layout.path(m) } else { "" };
        let (p1, p2) = (parent(main_path, 1), parent(main_path, 2));
        f.put(
            "same_parent",
            (0..n).map(|i| bool_f(parent(layout.path(i), 1) == p1)),
        );
        f.put(
            "same_gparent",
            (0..n).map(|i| bool_f(parent(layout.path(i), 2) == p2)),
        );
        f.put("title_sim", title_sim);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`BlockText::of`] as its fields are defined, one pass for each, the
    /// distinct bigrams in a `BTreeSet`.
    fn reference(text: &str, headings: &Headings) -> BlockText {
        let nb = 0.3;
        let kept: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let n = kept.len();
        let p = kept.iter().filter(|c| PUNCT.contains(c)).count();
        let mut core = text.chars().filter(crate::text::is_letter_or_digit);
        let pairs: std::collections::BTreeSet<(char, char)> =
            kept.windows(2).map(|w| (w[0], w[1])).collect();
        BlockText {
            z: logit(nb),
            len: n as u32,
            punct: p as u32,
            pre: core.next().zip(core.next()),
            bigrams: pairs.len() as u32,
            stop: kept
                .iter()
                .rev()
                .find(|c| !CLOSING_QUOTES.contains(c))
                .is_some_and(|c| STOPS.contains(c)),
            head: headings.is_heading(text),
            dateline: is_dateline(text),
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_counts_match_the_definitions(text in "[a-z0-9 .!?…\n\u{a0}\u{3000}\u{2028}\u{3001}\u{3002}\u{ff01}-\u{ff1f}\u{4dff}\u{4e00}-\u{4e08}\u{9fff}\u{a000}推荐阅读相关😂”」]{0,60}") {
            let phrases: Vec<String> = ["推荐阅读", "相关", "a1"].map(String::from).to_vec();
            let headings = Headings::new(&phrases);
            let counts = BlockText::of(&text, &headings, 0.3);
            proptest::prop_assert_eq!(counts, reference(&text, &headings));
            // The share as it was computed when it was kept as one.
            let kept: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
            let p = kept.iter().filter(|c| PUNCT.contains(c)).count();
            let share = p as f64 / (kept.len() as f64).max(1.0);
            proptest::prop_assert_eq!(counts.punct().to_bits(), share.to_bits());
        }
    }

    #[test]
    fn counts_with_their_logit_cost_the_cache_no_more_than_before() {
        // 32 bytes, as before `z` was kept: the cache's budget holds as many
        // paragraphs.
        assert!(std::mem::size_of::<Option<BlockText>>() <= 32);
    }

    #[test]
    fn a_block_with_more_pairs_than_the_kept_set_is_counted_alike() {
        // 100 * 100 distinct pairs of Chinese characters, past what the
        // thread's set keeps room for between blocks.
        let chars: Vec<char> = ('\u{4e00}'..'\u{4e64}').collect();
        let mut text = String::new();
        for &x in &chars {
            for &y in &chars {
                text.push(x);
                text.push(y);
                text.push(' ');
            }
        }
        let no_headings: Vec<String> = Vec::new();
        let headings = Headings::new(&no_headings);
        let long = BlockText::of(&text, &headings, 0.3);
        assert_eq!(long, reference(&text, &headings));
        assert!(long.bigrams as usize > KEPT_PAIRS);
        // And the set, used again for a short block, forgets the long one.
        assert_eq!(BlockText::of("ab ab", &headings, 0.3).bigrams, 2);
    }

    #[test]
    fn the_pair_counter_forgets_each_block_and_survives_its_stamps_running_out() {
        let mut pairs = PairCounter::new();
        let count = |pairs: &mut PairCounter, gs: &[u64]| {
            pairs.start(gs.len());
            gs.iter().for_each(|&g| pairs.insert(g));
            pairs.distinct
        };
        // 0 and the largest pair are pairs like any other.
        let top = (1 << PAIR_BITS) - 1;
        assert_eq!(count(&mut pairs, &[0, 5, 0, top, 5, top]), 3);
        // What the last block stored is not in this one.
        assert_eq!(count(&mut pairs, &[5, top, 7]), 3);
        // 31 pairs that all hash to the slot of 0 in a short block's table
        // of 64 slots: each probes on past the ones before it.
        let home = |g: u64| g.wrapping_mul(SPREAD) >> 58;
        let many: Vec<u64> = (0..).filter(|&g| home(g) == home(0)).take(31).collect();
        assert_eq!(
            count(&mut pairs, &[many.clone(), many.clone()].concat()),
            31
        );
        // The last stamp, then the table starts again from a clean one.
        pairs.block = (1 << (64 - PAIR_BITS)) - 2;
        assert_eq!(count(&mut pairs, &[1, 2, 1]), 2);
        assert_eq!(count(&mut pairs, &[1, 2, 3]), 3);
        assert_eq!(pairs.block, 1);
        assert_eq!(count(&mut pairs, &[2, 3, 3]), 2);
    }

    proptest::proptest! {
        #[test]
        fn median_and_shift_are_what_sorting_and_indexing_give(v in proptest::collection::vec(0u32..60, 0..15), k in -16isize..16) {
            let v: Vec<f64> = v.into_iter().map(f64::from).collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let n = v.len();
            let expected = match n {
                0 => 0.0,
                _ if n % 2 == 1 => sorted[n / 2],
                _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
            };
            proptest::prop_assert_eq!(median(&v).to_bits(), expected.to_bits());
            let shifted: Vec<f64> = (0..n as isize)
                .map(|i| usize::try_from(i - k).ok().and_then(|j| v.get(j)).copied().unwrap_or(0.0))
                .collect();
            proptest::prop_assert_eq!(super::shifted(&v, k).collect::<Vec<_>>(), shifted);
        }
    }

    #[test]
    fn counts_take_ln_1p_from_the_table_bit_for_bit() {
        for k in (0..1100).chain([5000, 1 << 20]) {
            assert_eq!(
                ln_1p_count(k).to_bits(),
                (k as f64).ln_1p().to_bits(),
                "{k}"
            );
        }
    }

    #[test]
    fn punctuation_lies_in_the_ranges_its_quick_test_reads() {
        for c in PUNCT {
            assert!(is_punct(c), "{c}");
        }
        for c in [
            '.', ',', '\u{3000}', '\u{3003}', '\u{FF00}', '\u{FF20}', '中',
        ] {
            assert!(!is_punct(c), "{c}");
        }
    }

    #[test]
    fn datelines_are_told_from_date_and_source_lines() {
        for t in [
            "本报南昌3月11日讯",
            "新华社北京3月11日电",
            "本报讯（记者 张三）",
            "中新网3月11日电 (记者 李四)",
            " 本報訊 ",
        ] {
            assert!(is_dateline(t), "{t:?}");
        }
        for t in [
            "资讯",
            "企业资讯",
            "2012年01月12日 14:25 来源：某某网",
            "本报讯 三月十日，省政府召开会议。",
            "记者张三／台北报导",
            "（记者 张三）",
            "电",
            "国家电网公司在京召开会议部署今年迎峰度夏工作并对全国各地电",
        ] {
            assert!(!is_dateline(t), "{t:?}");
        }
    }

    #[test]
    fn a_closing_quote_ends_a_sentence_only_after_a_stop() {
        for t in [
            "会议为期一天。",
            "真的吗？",
            "好！ ",
            "未完……",
            "“绿色是财富。”",
            "他说：「走吧！」",
            "『好。』”",
        ] {
            assert!(ends_sentence(t), "{t:?}");
        }
        for t in [
            "下载“某某客户端”",
            "报道「新政」",
            "专题『春耕』",
            "”",
            "",
            "本报讯",
            "会议，",
        ] {
            assert!(!ends_sentence(t), "{t:?}");
        }
    }

    /// `body_sim` and `title_sim` as they are defined, with a `BTreeSet` of
    /// each block's distinct pairs of characters.
    fn similarities_by_sets(
        texts: &[String],
        (a, b): (usize, usize),
        title: &str,
    ) -> (Vec<f64>, Vec<f64>) {
        let pairs = |t: &str| -> std::collections::BTreeSet<(char, char)> {
            let kept: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
            kept.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let sets: Vec<_> = texts.iter().map(|t| pairs(t)).collect();
        let in_title = pairs(title);
        let in_run = |g: &(char, char), i: usize| {
            (a..=b).any(|j| j != i && j < sets.len() && sets[j].contains(g))
        };
        sets.iter()
            .enumerate()
            .map(|(i, own)| {
                if own.len() < 3 {
                    return (0.0, 0.0);
                }
                let d = own.len() as f64;
                let body = own.iter().filter(|g| in_run(g, i)).count() as f64 / d;
                let title = own.iter().filter(|g| in_title.contains(g)).count() as f64 / d;
                (body, title)
            })
            .unzip()
    }

    proptest::proptest! {
        #[test]
        fn bigram_shares_are_those_of_the_sets_of_pairs(
            texts in proptest::collection::vec("[ab \t\n\u{b}\u{c}\r\u{a0}\u{85}\u{1680}\u{2000}\u{205f}\u{3000}\u{3001}\u{e000}é中文😂]{0,12}", 0..8),
            a in 0usize..8,
            len in 0usize..8,
            title in proptest::option::of("[ab \u{3000}中文é]{0,8}"),
        ) {
            let no_headings: Vec<String> = Vec::new();
            let headings = Headings::new(&no_headings);
            let counts: Vec<BlockText> = texts.iter().map(|t| BlockText::of(t, &headings, 0.5)).collect();
            let run = (a, a + len);
            let (body, title_sim) = bigram_similarities(&texts, &counts, run, title.as_deref());
            let (body_ref, title_ref) = similarities_by_sets(&texts, run, title.as_deref().unwrap_or(""));
            proptest::prop_assert_eq!(body, body_ref);
            proptest::prop_assert_eq!(title_sim, title_ref);
        }
    }

    #[test]
    fn bigram_shares_count_each_distinct_bigram_once_and_leave_the_block_out() {
        let texts = ["ABCD", "ABCX", "A BCD", "xy", "ABABC"];
        let no_headings: Vec<String> = Vec::new();
        let headings = Headings::new(&no_headings);
        let counts: Vec<BlockText> = texts
            .iter()
            .map(|t| BlockText::of(t, &headings, 0.5))
            .collect();
        let (body, title) = bigram_similarities(&texts, &counts, (0, 1), Some("ABQ"));
        // The run is ABCD, ABCX: AB and BC in both, CD and CX in one. A run
        // block finds only what the other run block has; the whitespace of
        // "A BCD" is left out; "xy" has one bigram; "ABABC" has AB twice.
        let third = 1.0 / 3.0;
        assert_eq!(body, [2.0 * third, 2.0 * third, 1.0, 0.0, 2.0 * third]);
        assert_eq!(title, [third, third, third, 0.0, third]);
        assert_eq!(
            counts.iter().map(|c| c.bigrams).collect::<Vec<_>>(),
            [3, 3, 3, 1, 3]
        );
    }
}
