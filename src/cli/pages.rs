//! Whole pages for `newsbait-eval --pages`: the two page formats, where each
//! page's reference text comes from, and the cleaning score (kept text
//! against the reference by character 6-grams, as the corpus README defines
//! it and `/work/scratch/pages/score.py` computes it).
//!
//! - Text pages (NetEase, `daniel.jsonl`): `{"page", "lines": [{"label",
//!   "text", "link"?}], "site"?, "fold"?, "reference"?}`.
//! - HTML pages (`daniel-html.jsonl`): `{"page", "site", "fold", "date",
//!   "html", "reference"}`. Their blocks come from [`html_blocks`], and each
//!   block is labelled from the reference by the corpus rule
//!   ([`label_from_reference`]).
//!
//! A page's reference is, in this order: its record in `--reference FILE`,
//! its own `reference` field, else its news-labelled lines joined.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::data::{Label, LabelledLine, LabelledPage, OnInvalid, for_each_line, open};
use crate::error::{Error, Result};
use crate::page::HtmlLayout;

/// The length of the character n-grams of the cleaning score.
pub const GRAM: usize = 6;

/// The label the reference holds (what cleaning keeps).
pub const NEWS: &str = "news";
/// The label of every other block.
pub const BAIT: &str = "clickbait";

/// Where a page's blocks come from.
#[derive(Debug, Clone, PartialEq)]
pub enum PageBody {
    /// Labelled text blocks (`lines`).
    Lines(Vec<LabelledLine>),
    /// Raw HTML, cut into blocks by [`html_blocks`] when it is classified.
    Html(String),
}

/// One page of a `--pages` file, in either format.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalPage {
    /// The page's id (`page`).
    pub page: String,
    /// The record's other fields (`site`, `fold`, `date`, ...), `lines`,
    /// `html` and `reference` left out.
    pub fields: Map<String, Value>,
    /// The blocks or the HTML.
    pub body: PageBody,
    /// The record's own `reference` field.
    pub reference: Option<String>,
}

impl EvalPage {
    /// A field of the record as text (numbers such as `fold` as written).
    pub fn field(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }
}

/// Reads a `--pages` file: one page a line, text or HTML form (a record may
/// have `lines` or `html`; `lines` wins when both are present).
pub fn read_eval_pages(path: &Path, policy: OnInvalid) -> Result<Vec<EvalPage>> {
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    for_each_line(path, open(path)?, policy, |n, line| {
        if line.trim().is_empty() {
            return Ok(());
        }
        let page = parse_page(line).map_err(|m| Error::parse(path, n, m))?;
        if !seen.insert(page.page.clone()) {
            return Err(Error::parse(
                path,
                n,
                format!("page {:?} appears twice", page.page),
            ));
        }
        pages.push(page);
        Ok(())
    })?;
    Ok(pages)
}

fn parse_page(line: &str) -> std::result::Result<EvalPage, String> {
    const FORMS: &str = "a page is `{\"page\", \"lines\": [{\"label\", \"text\"}]}` \
                         or `{\"page\", \"html\", \"reference\"}`";
    let mut fields: Map<String, Value> =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object ({FORMS}): {e}"))?;
    let page = match fields.remove("page") {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format!("no \"page\" id ({FORMS})")),
    };
    let reference = match fields.remove("reference") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("\"reference\" is not a string".into()),
    };
    let lines = fields.remove("lines");
    let html = fields.remove("html");
    let body = match (lines, html) {
        (Some(lines), _) => {
            #[derive(Deserialize)]
            struct Line {
                label: String,
                text: String,
            }
            let lines: Vec<Line> = serde_json::from_value(lines)
                .map_err(|e| format!("page {page:?}: bad \"lines\" ({FORMS}): {e}"))?;
            PageBody::Lines(
                lines
                    .into_iter()
                    .map(|l| LabelledLine {
                        label: Label::new(l.label),
                        text: l.text,
                    })
                    .collect(),
            )
        }
        // Without a reference (here or in --reference) its blocks cannot be
        // labelled; that is checked when they are needed.
        (None, Some(Value::String(html))) => PageBody::Html(html),
        (None, Some(_)) => return Err(format!("page {page:?}: \"html\" is not a string")),
        (None, None) => {
            return Err(format!(
                "page {page:?} has neither lines nor html ({FORMS})"
            ));
        }
    };
    Ok(EvalPage {
        page,
        fields,
        body,
        reference,
    })
}

/// Cuts an HTML page (already decoded text, as the JSONL `html` field holds
/// it) into its text blocks, in page order, with the HTML reader
/// ([`crate::html::HtmlPage::parse_str`], default limits), and what the
/// markup says about them.
pub fn html_blocks(html: &str) -> (Vec<String>, HtmlLayout) {
    let page = crate::html::HtmlPage::parse_str(html, &crate::html::HtmlOptions::default());
    let layout = HtmlLayout::of(&page);
    let texts = page
        .into_blocks()
        .into_iter()
        .map(|b| b.into_parts().0)
        .collect();
    (texts, layout)
}

/// Python's `str.isspace` (what `re`'s `\s` matches): Unicode White_Space
/// plus the separators U+001C..U+001F.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The text without whitespace, as characters.
fn squeeze(text: &str) -> Vec<char> {
    text.chars().filter(|&c| !is_space(c)).collect()
}

/// The character n-grams of a squeezed text (none when it is shorter than n).
fn grams(chars: &[char]) -> impl Iterator<Item = &[char]> {
    chars.windows(GRAM)
}

/// A reference prepared for scoring: its distinct 6-grams.
pub struct Reference {
    chars: Vec<char>,
    set: HashSet<Vec<char>>,
}

impl Reference {
    /// Prepares `text` (whitespace removed).
    pub fn new(text: &str) -> Reference {
        let chars = squeeze(text);
        let set = grams(&chars).map(<[char]>::to_vec).collect();
        Reference { chars, set }
    }

    /// The distinct 6-grams.
    pub fn distinct(&self) -> usize {
        self.set.len()
    }

    fn contains(&self, gram: &[char]) -> bool {
        self.set.contains(gram)
    }

    /// The cleaning counts of `kept` (the kept text of the page) against
    /// this reference.
    pub fn score(&self, kept: &str) -> GramCounts {
        let kept = squeeze(kept);
        let mut found: HashSet<&[char]> = HashSet::new();
        let mut counts = GramCounts {
            reference: self.set.len() as u64,
            ..GramCounts::default()
        };
        for g in grams(&kept) {
            counts.kept += 1;
            if self.contains(g) {
                counts.kept_in_reference += 1;
                found.insert(g);
            }
        }
        counts.reference_found = found.len() as u64;
        counts
    }

    /// Whether the reference holds a block, by the rule that labelled
    /// `daniel.jsonl`: the block (whitespace removed) is in the reference
    /// and has at least 6 characters (or equals a whole reference
    /// paragraph), or at least 60% of its 6-grams occur in the reference.
    pub fn holds(&self, block: &str, paragraphs: &HashSet<Vec<char>>) -> bool {
        let b = squeeze(block);
        if b.is_empty() {
            return false;
        }
        if paragraphs.contains(&b) {
            return true;
        }
        if b.len() >= GRAM {
            if contains_slice(&self.chars, &b) {
                return true;
            }
            let total = b.len() + 1 - GRAM;
            let hit = grams(&b).filter(|g| self.contains(g)).count();
            return hit as f64 >= 0.6 * total as f64;
        }
        false
    }
}

fn contains_slice(hay: &[char], needle: &[char]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Labels the blocks of an HTML page from its reference (see
/// [`Reference::holds`]).
pub fn label_from_reference(blocks: Vec<String>, reference: &str) -> Vec<LabelledLine> {
    let r = Reference::new(reference);
    let paragraphs: HashSet<Vec<char>> = reference
        .lines()
        .map(squeeze)
        .filter(|p| !p.is_empty())
        .collect();
    blocks
        .into_iter()
        .map(|text| LabelledLine {
            label: Label::new(if r.holds(&text, &paragraphs) {
                NEWS
            } else {
                BAIT
            }),
            text,
        })
        .collect()
}

/// The 6-gram counts of one page's cleaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GramCounts {
    /// 6-gram occurrences in the kept text.
    pub kept: u64,
    /// Those that occur in the reference's 6-gram set.
    pub kept_in_reference: u64,
    /// Distinct 6-grams of the reference.
    pub reference: u64,
    /// Those that occur in the kept text.
    pub reference_found: u64,
}

impl GramCounts {
    fn add(&mut self, o: &GramCounts) {
        self.kept += o.kept;
        self.kept_in_reference += o.kept_in_reference;
        self.reference += o.reference;
        self.reference_found += o.reference_found;
    }

    /// kept_in_reference / kept (0 when nothing is kept).
    pub fn precision(&self) -> f64 {
        ratio(self.kept_in_reference, self.kept)
    }

    /// reference_found / reference (0 for an empty reference).
    pub fn recall(&self) -> f64 {
        ratio(self.reference_found, self.reference)
    }

    /// The harmonic mean of both (0 when both are 0).
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// The median (the mean of the middle two for an even count; 0 for none),
/// as Python's `statistics.median`.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Micro-averaged cleaning figures of a set of pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleaningFigures {
    pub pages: usize,
    /// Summed kept_in_reference / summed kept.
    pub precision: f64,
    /// Summed reference_found / summed reference.
    pub recall: f64,
    pub f1: f64,
    /// The median of the pages' own F1.
    pub median_page_f1: f64,
    /// The summed counts.
    pub counts: GramCounts,
}

impl CleaningFigures {
    fn of(pages: &[&PageCleaning]) -> CleaningFigures {
        let mut counts = GramCounts::default();
        pages.iter().for_each(|p| counts.add(&p.counts));
        let f1s: Vec<f64> = pages.iter().map(|p| p.f1).collect();
        CleaningFigures {
            pages: pages.len(),
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
            median_page_f1: median(&f1s),
            counts,
        }
    }
}

/// One group of pages (a site, a fold) and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleaningGroup {
    pub value: String,
    #[serde(flatten)]
    pub figures: CleaningFigures,
}

/// One page's cleaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageCleaning {
    pub page: String,
    pub site: Option<String>,
    pub fold: Option<String>,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub counts: GramCounts,
}

/// The cleaning score of a set of pages: over all, per site, per fold, per page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cleaning {
    /// The n of the character n-grams (6).
    pub gram: usize,
    /// How many pages took their reference from where: `reference file`,
    /// `record`, `news lines`.
    pub reference_sources: BTreeMap<String, usize>,
    /// Over all pages (counts summed over pages).
    pub all: CleaningFigures,
    /// Per value of the pages' `site` field, sorted; empty when no page has one.
    pub per_site: Vec<CleaningGroup>,
    /// Per value of the pages' `fold` field, sorted; empty when no page has one.
    pub per_fold: Vec<CleaningGroup>,
    /// Every page, in file order.
    pub per_page: Vec<PageCleaning>,
}

impl Cleaning {
    /// Figures from per-page counts.
    pub fn of(per_page: Vec<PageCleaning>, reference_sources: BTreeMap<String, usize>) -> Self {
        let all = CleaningFigures::of(&per_page.iter().collect::<Vec<_>>());
        let group = |key: fn(&PageCleaning) -> Option<&String>| {
            let mut by: BTreeMap<&String, Vec<&PageCleaning>> = BTreeMap::new();
            for p in &per_page {
                if let Some(k) = key(p) {
                    by.entry(k).or_default().push(p);
                }
            }
            by.into_iter()
                .map(|(value, pages)| CleaningGroup {
                    value: value.clone(),
                    figures: CleaningFigures::of(&pages),
                })
                .collect::<Vec<_>>()
        };
        let mut per_site = group(|p| p.site.as_ref());
        let mut per_fold = group(|p| p.fold.as_ref());
        // Folds are numbers: sort them as such where they are.
        per_fold.sort_by(
            |a, b| match (a.value.parse::<i64>(), b.value.parse::<i64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => a.value.cmp(&b.value),
            },
        );
        per_site.sort_by(|a, b| a.value.cmp(&b.value));
        Cleaning {
            gram: GRAM,
            reference_sources,
            all,
            per_site,
            per_fold,
            per_page,
        }
    }
}

/// The reference of every page, and where it came from.
pub struct References {
    texts: Vec<Option<String>>,
    sources: Vec<&'static str>,
}

impl References {
    /// Resolves each page's reference: `file` (page id to reference, from
    /// `--reference`), then the record's own field, then its news lines.
    /// An HTML page without any is `None`.
    pub fn resolve(pages: &[EvalPage], file: Option<&HashMap<String, String>>) -> References {
        let mut texts = Vec::with_capacity(pages.len());
        let mut sources = Vec::with_capacity(pages.len());
        for p in pages {
            if let Some(r) = file.and_then(|f| f.get(&p.page)) {
                texts.push(Some(r.clone()));
                sources.push("reference file");
            } else if let Some(r) = &p.reference {
                texts.push(Some(r.clone()));
                sources.push("record");
            } else if let PageBody::Lines(lines) = &p.body {
                let news: Vec<&str> = lines
                    .iter()
                    .filter(|l| l.label.0 == NEWS)
                    .map(|l| l.text.as_str())
                    .collect();
                texts.push(Some(news.join("\n")));
                sources.push("news lines");
            } else {
                texts.push(None);
                sources.push("none");
            }
        }
        References { texts, sources }
    }

    /// The reference of page `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.texts[i].as_deref()
    }

    /// Pages per source, for the report.
    pub fn counts(&self, of: impl IntoIterator<Item = usize>) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for i in of {
            *out.entry(self.sources[i].to_string()).or_default() += 1;
        }
        out
    }
}

/// Reads `--reference FILE`: JSONL records with `page` and `reference`
/// (such as `daniel-html.jsonl`; other fields are ignored).
pub fn read_references(path: &Path, policy: OnInvalid) -> Result<HashMap<String, String>> {
    #[derive(Deserialize)]
    struct Record {
        page: Value,
        reference: Option<String>,
    }
    let mut out = HashMap::new();
    let what = "a reference record (`{\"page\", \"reference\"}`)";
    for_each_page_record(path, policy, what, |_, r: Record| {
        if let Some(reference) = r.reference {
            out.insert(page_key(r.page), reference);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Reads `--extracted FILE`: JSONL `{"page", "text"}`, another tool's kept
/// text of each page. A page given twice is an error.
pub fn read_extracted(path: &Path, policy: OnInvalid) -> Result<HashMap<String, String>> {
    #[derive(Deserialize)]
    struct Record {
        page: Value,
        text: Option<String>,
    }
    let mut out = HashMap::new();
    let what = "an extraction (`{\"page\", \"text\"}`)";
    for_each_page_record(path, policy, what, |n, r: Record| {
        let page = page_key(r.page);
        if out
            .insert(page.clone(), r.text.unwrap_or_default())
            .is_some()
        {
            return Err(Error::parse(
                path,
                n,
                format!("page {page:?} appears twice"),
            ));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f` with the line number and record of every non-blank line of a
/// JSONL file; a line that is not `what` is an error naming the file and line.
fn for_each_page_record<R: serde::de::DeserializeOwned>(
    path: &Path,
    policy: OnInvalid,
    what: &str,
    mut f: impl FnMut(usize, R) -> Result<()>,
) -> Result<()> {
    for_each_line(path, open(path)?, policy, |n, line| {
        if line.trim().is_empty() {
            return Ok(());
        }
        let record = serde_json::from_str(line)
            .map_err(|e| Error::parse(path, n, format!("not {what}: {e}")))?;
        f(n, record)
    })?;
    Ok(())
}

/// A record's `page` as a key: a string as it is, any other value as JSON.
fn page_key(page: Value) -> String {
    match page {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Scores the kept text of the pages at `idx` (`kept[j]` for `pages[idx[j]]`;
/// `None` for a page the tool gave nothing for: it keeps nothing) against
/// their references. Pages without a reference are left out.
pub fn score_cleaning(
    pages: &[EvalPage],
    refs: &References,
    idx: &[usize],
    kept: &[Option<String>],
) -> Cleaning {
    use rayon::prelude::*;
    assert_eq!(idx.len(), kept.len(), "one kept text per page");
    let per_page: Vec<Option<PageCleaning>> = idx
        .par_iter()
        .zip(kept)
        .map(|(&i, kept)| {
            let p = &pages[i];
            let reference = refs.get(i)?;
            let counts = Reference::new(reference).score(kept.as_deref().unwrap_or(""));
            Some(PageCleaning {
                page: p.page.clone(),
                site: p.field("site"),
                fold: p.field("fold"),
                precision: counts.precision(),
                recall: counts.recall(),
                f1: counts.f1(),
                counts,
            })
        })
        .collect();
    let scored = idx
        .iter()
        .zip(&per_page)
        .filter(|(_, c)| c.is_some())
        .map(|(&i, _)| i);
    let sources = refs.counts(scored);
    Cleaning::of(per_page.into_iter().flatten().collect(), sources)
}

/// A page as labelled blocks: its lines, or its HTML cut into blocks (with
/// their layout) and labelled from its reference.
pub fn labelled_page(page: &EvalPage, reference: Option<&str>) -> Result<LabelledPage> {
    let (lines, layout) = match &page.body {
        PageBody::Lines(lines) => (lines.clone(), None),
        PageBody::Html(html) => {
            let reference = reference.ok_or_else(|| {
                Error::Settings(format!(
                    "HTML page {:?} has no reference to label its blocks by; give --reference",
                    page.page
                ))
            })?;
            let (texts, layout) = html_blocks(html);
            (label_from_reference(texts, reference), Some(layout))
        }
    };
    Ok(LabelledPage {
        page: page.page.clone(),
        lines,
        layout,
    })
}

/// Every page as labelled blocks (HTML pages cut and labelled).
pub fn labelled_pages(pages: &[EvalPage], refs: &References) -> Result<Vec<LabelledPage>> {
    use rayon::prelude::*;
    pages
        .par_iter()
        .enumerate()
        .map(|(i, p)| labelled_page(p, refs.get(i)))
        .collect()
}

/// Reads labelled pages for training in either form: a page of labelled
/// `lines`, or its `html` and `reference`, cut into blocks and labelled.
pub fn read_labelled_pages(path: &Path, policy: OnInvalid) -> Result<Vec<LabelledPage>> {
    let pages = read_eval_pages(path, policy)?;
    labelled_pages(&pages, &References::resolve(&pages, None))
}

/// How many pages a line's text must be labelled news on for the line to
/// count towards a repeated news box ([`repeated_news_boxes`]).
pub const BOX_PAGES: usize = 3;
/// The fewest consecutive such lines that make a box.
pub const BOX_RUN: usize = 3;

/// Which lines of `pages` sit in a repeated news box: a run of at least
/// [`BOX_RUN`] consecutive lines labelled news whose texts are each labelled
/// news on at least [`BOX_PAGES`] pages of the set. An article's text is on
/// its own page; the same lines labelled article on many pages are a box the
/// site glues to every article (NetEase: an app ad and section teasers right
/// after the body, which its extractor kept as body). One flag a line, page
/// by page.
pub fn repeated_news_boxes(pages: &[LabelledPage]) -> Vec<Vec<bool>> {
    let is_news = |l: &LabelledLine| l.label.0 == NEWS;
    let mut news_pages: HashMap<&str, usize> = HashMap::new();
    for p in pages {
        let texts: HashSet<&str> = p
            .lines
            .iter()
            .filter(|l| is_news(l))
            .map(|l| l.text.as_str())
            .collect();
        texts
            .into_iter()
            .for_each(|t| *news_pages.entry(t).or_default() += 1);
    }
    pages
        .iter()
        .map(|p| {
            let candidate: Vec<bool> = p
                .lines
                .iter()
                .map(|l| is_news(l) && news_pages[l.text.as_str()] >= BOX_PAGES)
                .collect();
            let mut boxed = vec![false; candidate.len()];
            let mut start = 0;
            while start < candidate.len() {
                let end = candidate[start..]
                    .iter()
                    .position(|&c| c != candidate[start])
                    .map_or(candidate.len(), |n| start + n);
                if candidate[start] && end - start >= BOX_RUN {
                    boxed[start..end].iter_mut().for_each(|b| *b = true);
                }
                start = end;
            }
            boxed
        })
        .collect()
}

/// Line accuracy inside and outside the repeated news boxes of a set of
/// pages ([`repeated_news_boxes`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoxBreakdown {
    /// Pages with a box.
    pub pages: usize,
    /// Lines inside the boxes.
    pub lines: usize,
    /// Of them, right.
    pub correct: usize,
    /// correct / lines.
    pub line_accuracy: f64,
    /// Lines outside the boxes.
    pub outside_lines: usize,
    /// Of them, right.
    pub outside_correct: usize,
    /// outside_correct / outside_lines.
    pub outside_line_accuracy: f64,
}

impl BoxBreakdown {
    /// The breakdown of the lines' outcomes (`right`: whether each line of
    /// the pages, in order, got its label) by `boxes` (one flag a line, page
    /// by page); `None` when no line is in a box.
    pub fn of(boxes: &[Vec<bool>], right: impl IntoIterator<Item = bool>) -> Option<BoxBreakdown> {
        let (mut inside, mut outside) = ((0, 0), (0, 0));
        let mut flags = boxes.iter().flatten();
        for right in right {
            let boxed = *flags.next().expect("one flag a line");
            let (n, r) = if boxed { &mut inside } else { &mut outside };
            *n += 1;
            *r += usize::from(right);
        }
        assert!(flags.next().is_none(), "one outcome a line");
        let ((lines, correct), (outside_lines, outside_correct)) = (inside, outside);
        let share = |a: usize, b: usize| ratio(a as u64, b as u64);
        (lines > 0).then(|| BoxBreakdown {
            pages: boxes.iter().filter(|b| b.contains(&true)).count(),
            lines,
            correct,
            line_accuracy: share(correct, lines),
            outside_lines,
            outside_correct,
            outside_line_accuracy: share(outside_correct, outside_lines),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand() {
        // reference "abcdefgh" → grams abcdef bcdefg cdefgh (3 distinct).
        let r = Reference::new("abc def\ngh");
        assert_eq!(r.distinct(), 3);
        // kept "abcdefgXYZ": abcdef bcdefg cdefgX defgXY efgXYZ → 2 of 5 in ref.
        let c = r.score("abcd efg\nXYZ");
        assert_eq!(
            c,
            GramCounts {
                kept: 5,
                kept_in_reference: 2,
                reference: 3,
                reference_found: 2
            }
        );
        assert_eq!(median(&[1.0, 0.0, 0.5, 0.25]), 0.375);
    }
}
