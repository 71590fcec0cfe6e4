//! Page context: a hidden Markov model over the paragraphs of a page.
//!
//! On a scraped page the article comes in one block and the bait in lists, so
//! a paragraph's neighbours say much about it. The model's naive Bayes scores
//! are the emissions; transitions between labels are learned from labelled
//! pages; forward-backward gives each paragraph its posterior given the page.

use serde::{Deserialize, Serialize};

use crate::text::is_letter_or_digit;

/// Start and transition log-probabilities over the model's labels, and the
/// headings that open a list of teasers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextModel {
    /// `log p(first paragraph has label c)`.
    pub start: Vec<f64>,
    /// `log p(next label is c | this label is b)`, indexed `[b][c]`.
    pub transition: Vec<Vec<f64>>,
    /// List headings such as `推荐阅读`, and the label they and their lists have.
    pub markers: Option<ListMarkers>,
}

/// Headings that open a teaser list (`推荐阅读`, `猜你喜欢`, ...). A heading
/// is its list's label for sure; the transitions carry that to the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMarkers {
    /// Index of the label a heading gets.
    pub label: usize,
    /// The headings, normalised.
    pub phrases: Vec<String>,
}

/// Headings of teaser lists on Chinese news pages.
pub const DEFAULT_LIST_MARKERS: &[&str] = &[
    "推荐阅读",
    "相关阅读",
    "热门推荐",
    "猜你喜欢",
    "延伸阅读",
    "相关推荐",
    "相关新闻",
    "热点推荐",
    "精彩推荐",
    "为你推荐",
    "为您推荐",
    "大家都在看",
    "热门文章",
    "热门阅读",
    "更多精彩",
    "更多阅读",
    "推荐新闻",
    "今日推荐",
    "编辑推荐",
    "相关文章",
    "猜你感兴趣",
    "热文推荐",
    "精彩图集",
    "热门资讯",
    "相关链接",
    "看了又看",
    "热门排行",
    "阅读排行",
];

impl ListMarkers {
    /// True when `text` is a list heading: one of the phrases, alone or with
    /// punctuation or a few decorating characters (`推荐阅读:`, `>> 相关阅读`).
    ///
    /// ```
    /// use newsbait::{DEFAULT_LIST_MARKERS, ListMarkers};
    /// let m = ListMarkers { label: 1, phrases: DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect() };
    /// assert!(m.is_heading("推荐阅读"));
    /// assert!(m.is_heading(">> 相关阅读:"));
    /// assert!(!m.is_heading("推荐阅读这篇关于经济形势的长篇报道和评论"));
    /// ```
    pub fn is_heading(&self, text: &str) -> bool {
        self.prepared().is_heading(text)
    }

    /// The phrases ready to check many paragraphs (a page's) against: their
    /// lengths counted once.
    pub(crate) fn prepared(&self) -> Headings<'_> {
        Headings::new(&self.phrases)
    }
}

/// [`ListMarkers`] prepared by [`ListMarkers::prepared`]: each phrase with its
/// length in characters, and the longest.
pub(crate) struct Headings<'a> {
    phrases: Vec<(&'a str, usize)>,
    longest: usize,
}

impl<'a> Headings<'a> {
    /// List headings `phrases` (normalised), ready to check paragraphs against.
    pub(crate) fn new(phrases: &'a [String]) -> Self {
        let phrases: Vec<(&str, usize)> = phrases
            .iter()
            .map(|p| (p.as_str(), p.chars().count()))
            .collect();
        let longest = phrases.iter().map(|&(_, n)| n).max().unwrap_or(0);
        Headings { phrases, longest }
    }

    /// [`ListMarkers::is_heading`]: the paragraph's letters and digits hold a
    /// phrase and are at most two characters more than it.
    pub(crate) fn is_heading(&self, text: &str) -> bool {
        // Most paragraphs are far longer than any heading: stop at the first
        // letter past the longest phrase's length plus two.
        let limit = self.letters();
        let mut core = String::with_capacity(4 * limit);
        let mut len = 0;
        for c in text.chars().filter(is_letter_or_digit) {
            if len == limit {
                return false;
            }
            core.push(c);
            len += 1;
        }
        self.holds(&core, len)
    }

    /// The most letters and digits a heading can have: a paragraph with more
    /// is none, whatever they are.
    pub(crate) fn letters(&self) -> usize {
        self.longest + 2
    }

    /// Whether a paragraph whose letters and digits are `core` (`len` of
    /// them, at most [`Headings::letters`]) is a heading: for a caller that
    /// collects them in a pass of its own.
    pub(crate) fn holds(&self, core: &str, len: usize) -> bool {
        self.phrases
            .iter()
            .any(|&(p, plen)| (plen..=plen + 2).contains(&len) && contains(core, p))
    }
}

/// `haystack.contains(needle)` for a haystack of a few characters, without
/// the set-up of a substring searcher.
fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

impl ContextModel {
    /// Learns start and transition probabilities from label sequences (one per
    /// page, labels as indices below `classes`), with add-`smoothing` counts so
    /// that no transition is impossible.
    ///
    pub fn learn(pages: &[Vec<usize>], classes: usize, smoothing: f64) -> Self {
        let mut start = vec![smoothing; classes];
        let mut trans = vec![vec![smoothing; classes]; classes];
        for page in pages {
            if let Some(&first) = page.first() {
                start[first] += 1.0;
            }
            for pair in page.windows(2) {
                trans[pair[0]][pair[1]] += 1.0;
            }
        }
        ContextModel {
            start: log_normalize(&start),
            transition: trans.iter().map(|row| log_normalize(row)).collect(),
            markers: None,
        }
    }

    /// Checks that the vectors fit a model of `classes` labels.
    pub fn check(&self, classes: usize) -> Result<(), String> {
        let ok = self.start.len() == classes
            && self.transition.len() == classes
            && self.transition.iter().all(|r| r.len() == classes)
            && self
                .start
                .iter()
                .chain(self.transition.iter().flatten())
                .all(|p| !p.is_nan())
            && self.markers.as_ref().is_none_or(|m| m.label < classes);
        if ok {
            Ok(())
        } else {
            Err("the model's page-context tables do not match its labels".into())
        }
    }

    /// Overrides the emissions of list headings: a heading is its label for sure.
    pub fn mark_headings<S: AsRef<str>>(&self, paragraphs: &[S], emissions: &mut [Vec<f64>]) {
        let Some(markers) = &self.markers else { return };
        let headings = markers.prepared();
        for (p, e) in paragraphs.iter().zip(emissions.iter_mut()) {
            if headings.is_heading(p.as_ref()) {
                for (c, v) in e.iter_mut().enumerate() {
                    // Far beyond any naive Bayes margin, yet finite.
                    *v = if c == markers.label { 0.0 } else { -50.0 };
                }
            }
        }
    }

    /// Posterior label probabilities of each paragraph given the whole page.
    ///
    /// `emissions[t][c]` is `log p(paragraph t | label c)` up to a constant per
    /// paragraph (the naive Bayes log-likelihood without the prior).
    pub fn posteriors(&self, emissions: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = emissions.len();
        if n == 0 {
            return Vec::new();
        }
        let k = self.start.len();
        // Forward-backward in probabilities, each step rescaled to sum 1
        // (Rabiner's scaling), rather than in logs: one `exp` per paragraph and
        // label instead of a log-sum-exp for every pair of labels. A paragraph's
        // likelihoods are taken relative to its best label, so they stay in (0, 1].
        let start: Vec<f64> = self.start.iter().map(|p| p.exp()).collect();
        let trans: Vec<f64> = self.transition.iter().flatten().map(|p| p.exp()).collect();
        let mut like = vec![0.0; n * k];
        for (row, e) in like.chunks_exact_mut(k).zip(emissions) {
            let max = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for (l, &x) in row.iter_mut().zip(e) {
                *l = (x - max).exp();
            }
        }
        let rescale = |row: &mut [f64]| {
            let sum: f64 = row.iter().sum();
            row.iter_mut().for_each(|x| *x /= sum);
        };
        // Flat tables (`[t * k + c]`): a page costs a few allocations, not
        // several per paragraph.
        let mut forward = vec![0.0; n * k];
        for c in 0..k {
            forward[c] = start[c] * like[c];
        }
        rescale(&mut forward[..k]);
        for t in 1..n {
            let (done, row) = forward.split_at_mut(t * k);
            let prev = &done[(t - 1) * k..];
            for c in 0..k {
                let reach: f64 = (0..k).map(|b| prev[b] * trans[b * k + c]).sum();
                row[c] = like[t * k + c] * reach;
            }
            rescale(&mut row[..k]);
        }
        let mut backward = vec![1.0; n * k];
        for t in (0..n - 1).rev() {
            let (row, later) = backward.split_at_mut((t + 1) * k);
            for b in 0..k {
                row[t * k + b] = (0..k)
                    .map(|c| trans[b * k + c] * like[(t + 1) * k + c] * later[c])
                    .sum();
            }
            rescale(&mut row[t * k..]);
        }
        (0..n)
            .map(|t| {
                let mut p: Vec<f64> = (0..k)
                    .map(|c| forward[t * k + c] * backward[t * k + c])
                    .collect();
                rescale(&mut p);
                p
            })
            .collect()
    }
}

fn log_normalize(counts: &[f64]) -> Vec<f64> {
    let total: f64 = counts.iter().sum();
    counts.iter().map(|c| (c / total).ln()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learn_smooths_the_counts() {
        let ctx = ContextModel::learn(&[vec![0, 0, 1]], 2, 1.0);
        // starts: 0 seen once -> (1+1)/(1+2)
        assert!((ctx.start[0].exp() - 2.0 / 3.0).abs() < 1e-12);
        // from 0: to 0 once, to 1 once -> (1+1)/(2+2)
        assert!((ctx.transition[0][1].exp() - 0.5).abs() < 1e-12);
    }

    /// Brute force: sum the joint probability over every label sequence.
    fn brute_force(ctx: &ContextModel, emissions: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = emissions.len();
        let k = ctx.start.len();
        let mut marg = vec![vec![0.0; k]; n];
        let total_paths = k.pow(n as u32);
        for code in 0..total_paths {
            let path: Vec<usize> = (0..n).map(|t| (code / k.pow(t as u32)) % k).collect();
            let mut lp = ctx.start[path[0]] + emissions[0][path[0]];
            for t in 1..n {
                lp += ctx.transition[path[t - 1]][path[t]] + emissions[t][path[t]];
            }
            for t in 0..n {
                marg[t][path[t]] += lp.exp();
            }
        }
        marg.iter()
            .map(|row| {
                let s: f64 = row.iter().sum();
                row.iter().map(|x| x / s).collect()
            })
            .collect()
    }

    #[test]
    fn forward_backward_matches_brute_force() {
        let ctx = ContextModel::learn(&[vec![0, 0, 0, 1, 1], vec![0, 1, 1, 1], vec![1, 0]], 2, 0.5);
        let emissions = vec![
            vec![-1.0, -2.0],
            vec![-3.0, -0.5],
            vec![-0.2, -0.9],
            vec![-4.0, -1.0],
        ];
        let fast = ctx.posteriors(&emissions);
        let slow = brute_force(&ctx, &emissions);
        for (a, b) in fast.iter().flatten().zip(slow.iter().flatten()) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn posteriors_sum_to_one_even_for_huge_scores() {
        let ctx = ContextModel::learn(&[vec![0, 1]], 2, 1.0);
        let emissions = vec![vec![-1e6, -2e6], vec![-3e5, -1.0]];
        for row in ctx.posteriors(&emissions) {
            assert!(row.iter().all(|p| p.is_finite()));
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert!(ctx.posteriors(&[]).is_empty());
    }

    #[test]
    fn neighbours_pull_an_unsure_paragraph() {
        // Sticky transitions: an undecided paragraph between two sure "1"s is a "1".
        let ctx = ContextModel::learn(&[vec![0, 0, 0, 0, 1, 1, 1, 1]], 2, 0.1);
        let post = ctx.posteriors(&[vec![-5.0, 0.0], vec![0.0, 0.0], vec![-5.0, 0.0]]);
        assert!(post[1][1] > 0.9, "{:?}", post[1]);
    }
}
