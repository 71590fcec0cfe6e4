//! Per-block features relative to the page (see the design in models/MODEL.md).
//!
//! Every feature is a function of the page's blocks: their text, the naive
//! Bayes probability of the positive label (`news`), optionally the page-context
//! HMM's posterior, and for HTML input the block's structure. Text input gives
//! the HTML features neutral values (they are then not in the weight set).

// Index loops mirror the feature definitions (blocks i, j of the page).
#![allow(clippy::needless_range_loop)]

use std::borrow::Borrow;

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
const STOPS: [char; 7] = ['。', '！', '？', '”', '」', '』', '…'];

/// The features of one page, column by column, and what the rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFeatures {
    names: Vec<&'static str>,
    columns: Vec<Vec<f64>>,
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
            .map(|i| self.columns[i].as_slice())
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// True for a page without blocks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows of the features `names`, in that order (missing ones are 0).
    pub fn rows(&self, names: &[String]) -> Vec<Vec<f64>> {
        let cols: Vec<Option<&[f64]>> = names.iter().map(|n| self.column(n)).collect();
        (0..self.len())
            .map(|i| cols.iter().map(|c| c.map_or(0.0, |c| c[i])).collect())
            .collect()
    }
}

/// `ln(p / (1 − p))`, p clamped to [1e−9, 1 − 1e−9], then clamped to ±9.
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln().clamp(-9.0, 9.0)
}

/// A block's characters other than whitespace, and how many of them are
/// [`PUNCT`], counted in one pass.
fn char_counts(t: &str) -> (usize, usize) {
    t.chars()
        .filter(|c| !c.is_whitespace())
        .fold((0, 0), |(n, p), c| {
            (n + 1, p + usize::from(PUNCT.contains(&c)))
        })
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn shift(a: &[f64], k: isize) -> Vec<f64> {
    let n = a.len() as isize;
    (0..n)
        .map(|i| {
            let j = i - k;
            if (0..n).contains(&j) {
                a[j as usize]
            } else {
                0.0
            }
        })
        .collect()
}

/// The distinct pairs of adjacent characters of `t` (whitespace left out),
/// each packed into one number (first character high), sorted.
fn bigrams(t: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(t.len() / 3 + 1);
    let mut chars = t.chars().filter(|c| !c.is_whitespace());
    if let Some(mut prev) = chars.next() {
        for c in chars {
            out.push(u64::from(prev) << 32 | u64::from(c));
            prev = c;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How many elements two sorted slices without repeats share.
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
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
/// the model's paragraph cache.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BlockText {
    /// Characters other than whitespace.
    len: f64,
    /// The share of them that are [`PUNCT`].
    punct: f64,
    /// It ends in one of [`STOPS`] (trailing whitespace aside).
    stop: bool,
    /// It is a list heading.
    head: bool,
    /// Its first two letters or digits, if it has two.
    pre: Option<(char, char)>,
    /// Its character bigrams ([`bigrams`]).
    bigrams: Box<[u64]>,
}

impl BlockText {
    /// [`BlockText::of`] each of a page's blocks, in order.
    pub(crate) fn of_page(page: &PageInput, headings: &Headings) -> Vec<BlockText> {
        page.texts
            .iter()
            .map(|t| BlockText::of(t, headings))
            .collect()
    }

    /// The counts of a block's text, `headings` deciding what a list heading is.
    pub(crate) fn of(text: &str, headings: &Headings) -> BlockText {
        let (n, p) = char_counts(text);
        let mut core = text.chars().filter(crate::text::is_letter_or_digit);
        BlockText {
            len: n as f64,
            punct: p as f64 / (n as f64).max(1.0),
            stop: text
                .trim_end()
                .chars()
                .last()
                .is_some_and(|c| STOPS.contains(&c)),
            head: headings.is_heading(text),
            pre: core.next().zip(core.next()),
            bigrams: bigrams(text).into_boxed_slice(),
        }
    }

    /// The bytes it holds outside its own struct.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[u64]>(&self.bigrams)
    }
}

/// `body_sim`: the share of a block's character bigrams (whitespace left out)
/// found in the main run `[a, b]`, the block itself left out; 0 for a block
/// of fewer than three bigrams. A headline repeats the words of its article;
/// chrome and teasers do not.
fn body_similarity(sets: &[&[u64]], (a, b): (usize, usize)) -> Vec<f64> {
    // In how many run blocks each bigram occurs.
    let mut in_run: rustc_hash::FxHashMap<u64, usize> = Default::default();
    for set in sets.iter().take(b + 1).skip(a) {
        for g in set.iter() {
            *in_run.entry(*g).or_default() += 1;
        }
    }
    sets.iter()
        .enumerate()
        .map(|(i, set)| {
            if set.len() < 3 {
                return 0.0;
            }
            let own = usize::from(a <= i && i <= b);
            let found = set
                .iter()
                .filter(|g| in_run.get(g).is_some_and(|&c| c > own))
                .count();
            found as f64 / set.len() as f64
        })
        .collect()
}

/// Computes every feature of a page. `markers` decides what a list heading is.
pub fn page_features(page: &PageInput, markers: &ListMarkers) -> PageFeatures {
    features_of(page, &BlockText::of_page(page, &markers.prepared()))
}

/// [`page_features`] from the counts of the page's texts, one a block (in
/// the order of `page.texts`, which is not read again).
pub(crate) fn features_of<B: Borrow<BlockText>>(page: &PageInput, texts: &[B]) -> PageFeatures {
    let texts: Vec<&BlockText> = texts.iter().map(Borrow::borrow).collect();
    let n = texts.len();
    let bool_f = |b: bool| if b { 1.0 } else { 0.0 };
    let len: Vec<f64> = texts.iter().map(|b| b.len).collect();
    let punct: Vec<f64> = texts.iter().map(|b| b.punct).collect();
    let ll: Vec<f64> = len.iter().map(|l| l.ln_1p()).collect();
    let z: Vec<f64> = page.nb.iter().map(|&p| logit(p)).collect();
    let neutral = BlockFeatures::default();
    let blocks: Vec<&BlockFeatures> = (0..n)
        .map(|i| {
            page.html
                .as_ref()
                .and_then(|h| h.features.get(i))
                .unwrap_or(&neutral)
        })
        .collect();
    let link: Vec<f64> = blocks.iter().map(|b| f64::from(b.link_share)).collect();
    let stop: Vec<f64> = texts.iter().map(|b| bool_f(b.stop)).collect();
    let head: Vec<bool> = texts.iter().map(|b| b.head).collect();
    // Main block: most characters outside links, first on ties, among the
    // blocks that end a sentence when there are any (on a short page the
    // headline can be the longest block).
    let weight = |i: usize| {
        if stop[i] == 1.0 || !stop.contains(&1.0) {
            len[i] * (1.0 - link[i])
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
    let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let mut head_between = vec![0.0; n];
    let mut seen = false;
    for i in (m + 1)..n {
        if seen {
            head_between[i] = 1.0;
        }
        seen |= head[i];
    }
    let mut head_above = vec![0.0; n];
    seen = false;
    for i in 0..n {
        if seen {
            head_above[i] = 1.0;
        }
        seen |= head[i];
    }
    // Runs of short blocks without a sentence stop.
    let short: Vec<bool> = (0..n).map(|i| len[i] <= 50.0 && stop[i] == 0.0).collect();
    let mut run = vec![0.0; n];
    let mut i = 0;
    while i < n {
        if short[i] {
            let mut j = i;
            while j < n && short[j] {
                j += 1;
            }
            let v = ((j - i) as f64).ln_1p();
            run[i..j].iter_mut().for_each(|r| *r = v);
            i = j;
        } else {
            i += 1;
        }
    }
    let pre: Vec<Option<(char, char)>> = texts.iter().map(|b| b.pre).collect();
    let spre: Vec<f64> = (0..n)
        .map(|i| {
            bool_f(
                pre[i].is_some()
                    && ((i > 0 && pre[i - 1] == pre[i]) || (i + 1 < n && pre[i + 1] == pre[i])),
            )
        })
        .collect();
    // Main run around the main block: gaps of at most two weak blocks.
    let mut strong: Vec<bool> = (0..n)
        .map(|i| len[i] >= 40.0 && punct[i] >= 0.02 && link[i] < 0.5)
        .collect();
    let (mut a, mut b) = (m, m);
    if n > 0 {
        strong[m] = true;
        let mut gap = 0;
        for j in (0..m).rev() {
            if strong[j] {
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
            if strong[j] {
                b = j;
                gap = 0;
            } else {
                gap += 1;
                if gap > 2 {
                    break;
                }
            }
        }
        while a > 0 && stop[a - 1] == 1.0 && link[a - 1] < 0.5 {
            a -= 1;
        }
        while b + 1 < n && stop[b + 1] == 1.0 && link[b + 1] < 0.5 {
            b += 1;
        }
    }
    let inrun: Vec<f64> = (0..n).map(|i| bool_f(a <= i && i <= b)).collect();
    let mut tcand = vec![0.0; n];
    let mut best: Option<usize> = None;
    for j in (a.saturating_sub(5)..a).rev() {
        if (6.0..=80.0).contains(&len[j])
            && stop[j] == 0.0
            && link[j] < 0.5
            && best.is_none_or(|bj| z[j] > z[bj])
        {
            best = Some(j);
        }
    }
    if let Some(j) = best {
        tcand[j] = 1.0;
    }
    let run_after: Vec<f64> = (0..n).map(|i| if i > b { run[i] } else { 0.0 }).collect();
    let sets: Vec<&[u64]> = texts.iter().map(|b| &*b.bigrams).collect();
    let body_sim = body_similarity(&sets, (a, b));
    let run_before: Vec<f64> = (0..n).map(|i| if i < a { run[i] } else { 0.0 }).collect();
    let drun: Vec<f64> = (0..n)
        .map(|i| {
            let d = if i < a {
                i as f64 - a as f64
            } else if i > b {
                (i - b) as f64
            } else {
                0.0
            };
            d.signum() * d.abs().ln_1p() * bool_f(d != 0.0)
        })
        .collect();

    let mut names: Vec<&'static str> = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut put = |name: &'static str, col: Vec<f64>| {
        names.push(name);
        columns.push(col);
    };
    let mf = m as f64;
    put("z", z.clone());
    put("ll", ll.clone());
    put("pos", idx.iter().map(|i| i / span).collect());
    put("rel_max", ll.iter().map(|l| l - lmax).collect());
    put("rel_med", ll.iter().map(|l| l - lmed).collect());
    put("punct", punct);
    put("stop", stop);
    put("dmain", idx.iter().map(|i| (i - mf) / span).collect());
    put(
        "dch",
        (0..n)
            .map(|i| (cum[i] - cum.get(m).copied().unwrap_or(0.0)) / total)
            .collect(),
    );
    put("before", (0..n).map(|i| bool_f(i < m)).collect());
    put("after", (0..n).map(|i| bool_f(i > m)).collect());
    put("is_main", (0..n).map(|i| bool_f(i == m)).collect());
    put("z_p1", shift(&z, 1));
    put("z_n1", shift(&z, -1));
    put("z_p2", shift(&z, 2));
    put("z_n2", shift(&z, -2));
    put("ll_p1", shift(&ll, 1));
    put("ll_n1", shift(&ll, -1));
    put("head", head.iter().map(|&h| bool_f(h)).collect());
    put("head_between", head_between);
    put("head_above", head_above);
    put("run", run);
    put("spre", spre);
    put("inrun", inrun);
    put("drun", drun);
    put("tcand", tcand);
    put("run_after", run_after);
    put("run_before", run_before);
    put("above", idx.iter().map(|i| i.ln_1p()).collect());
    put(
        "below",
        (0..n).map(|i| ((n - 1 - i) as f64).ln_1p()).collect(),
    );
    put("body_sim", body_sim);
    if page.hmm.len() == n {
        put(HMM_FEATURE, page.hmm.iter().map(|&p| logit(p)).collect());
    }
    if let Some(layout) = &page.html {
        let title = &layout.title;
        put("link", link.clone());
        put("link_p1", shift(&link, 1));
        put("link_n1", shift(&link, -1));
        for name in &HTML_EXTRA_FEATURES[3..19] {
            let cue = cue_of(name).expect("a cue_ feature names a cue");
            put(
                name,
                blocks.iter().map(|b| bool_f(b.cues.has(cue))).collect(),
            );
        }
        let tag = |f: &dyn Fn(&str) -> bool| -> Vec<f64> {
            blocks.iter().map(|b| bool_f(f(&b.tag))).collect()
        };
        put("tag_li", tag(&|t| matches!(t, "li" | "dd" | "dt")));
        put("tag_p", tag(&|t| t == "p"));
        put(
            "tag_h",
            tag(&|t| matches!(t, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")),
        );
        put("tag_td", tag(&|t| matches!(t, "td" | "th")));
        put(
            "in_list",
            blocks.iter().map(|b| bool_f(b.in_list)).collect(),
        );
        put(
            "in_table",
            blocks.iter().map(|b| bool_f(b.in_table)).collect(),
        );
        put(
            "heading",
            blocks.iter().map(|b| bool_f(b.heading > 0)).collect(),
        );
        let depth: Vec<f64> = blocks.iter().map(|b| f64::from(b.depth)).collect();
        let dm = depth.get(m).copied().unwrap_or(0.0);
        put("depth", depth.iter().map(|d| d.ln_1p()).collect());
        put(
            "ddepth",
            depth
                .iter()
                .map(|d| (d - dm).clamp(-10.0, 10.0) / 10.0)
                .collect(),
        );
        put(
            "links",
            blocks.iter().map(|b| f64::from(b.links).ln_1p()).collect(),
        );
        let main_path = if n > 0 { layout.path(m) } else { "" };
        let (p1, p2) = (parent(main_path, 1), parent(main_path, 2));
        put(
            "same_parent",
            (0..n)
                .map(|i| bool_f(parent(layout.path(i), 1) == p1))
                .collect(),
        );
        put(
            "same_gparent",
            (0..n)
                .map(|i| bool_f(parent(layout.path(i), 2) == p2))
                .collect(),
        );
        let tb = bigrams(title);
        put(
            "title_sim",
            sets.iter()
                .map(|bg| {
                    if bg.len() >= 3 {
                        shared(bg, &tb) as f64 / bg.len() as f64
                    } else {
                        0.0
                    }
                })
                .collect(),
        );
    }
    PageFeatures {
        names,
        columns,
        run: (a, b),
        main: m,
    }
}
