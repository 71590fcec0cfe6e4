//! The page model: which blocks of a page are the article.
//!
//! On top of naive Bayes (the paragraph model), each block gets features
//! relative to its page ([`features`]): its naive Bayes logit, its length
//! against the page's longest blocks, its position, its distance to the main
//! run of body text, punctuation, list headings above it, runs of short
//! lines, shared prefixes, and the same of its neighbours. Two stacked
//! logistic regressions ([`stack`]) turn them into P(news); the block is kept
//! when that is above one half, and segmentation rules ([`rules`]) finish the
//! job: a list heading below the article holds its list, a trailing run of
//! three or more short lines goes. The weights were designed by site-fold
//! cross-validation over 149 sites (models/MODEL.md).
//!
//! A model holds up to two weight sets: `text` (plain-text blocks) and `html`
//! (blocks cut from HTML, with link share, tags, depth and class/id cues).

mod features;
mod rules;
mod stack;

use serde::{Deserialize, Serialize};

use crate::context::{ContextModel, DEFAULT_LIST_MARKERS, Headings, ListMarkers};
use crate::error::{Error, Result};
pub(crate) use features::{BlockText, PageView};
use features::{HMM_FEATURE, HTML_EXTRA_FEATURES, TEXT_FEATURES};
pub use features::{HtmlLayout, PageFeatures, PageInput, page_features};
use stack::NEIGHBOUR_FEATURES;
pub use stack::Stage;

/// One weight set: its features in order and the two stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightSet {
    /// Stage-1 feature names, in the order of the weights.
    pub features: Vec<String>,
    /// Stage 1 over `features`.
    pub stage1: Stage,
    /// Stage 2 over the standardised `features` then the six inputs taken from
    /// the neighbours' stage-1 scores (`s_p1`, `s_n1`, `s_p2`, `s_n2`, `s_max3`,
    /// `s_mean3`).
    pub stage2: Stage,
}

/// Which input a weight set serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain-text blocks (a line each).
    Text,
    /// Blocks cut from HTML, with their structure.
    Html,
}

/// The page model: up to two weight sets, the label they predict and the
/// list headings they read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageModel {
    /// Index of the label the model predicts (`news`) in the model's labels.
    pub positive: usize,
    /// List headings (`推荐阅读`, ...), normalised.
    pub headings: Vec<String>,
    /// The weight set for plain-text blocks.
    pub text: Option<WeightSet>,
    /// The weight set for HTML blocks.
    pub html: Option<WeightSet>,
}

/// What training the page layer takes: a page's input and its block labels
/// (`true` = the positive label).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledInput {
    /// The page's blocks and scores.
    pub input: PageInput,
    /// One label a block.
    pub truth: Vec<bool>,
}

/// Settings of a page-model fit.
#[derive(Debug, Clone, PartialEq)]
pub struct PageParams {
    /// Add the page-context HMM's posterior logit as a stage-1 feature.
    pub hmm_feature: bool,
    /// The label the page model predicts (the article's): `news`.
    pub positive: String,
}

impl Default for PageParams {
    fn default() -> Self {
        PageParams {
            hmm_feature: false,
            positive: "news".to_string(),
        }
    }
}

/// Adds the terms of stage-1 features `j..j + K`, in order, to each
/// block's stage-1 and stage-2 sums: the feature standardised for stage 1
/// (`t`), `t · w1` to `sum1` and `t` standardised again times `w2` to
/// `sum2`. `K` features a pass over the blocks (rather than one) keep each
/// block's two sums in registers across them; each sum still takes its
/// terms one at a time in the features' order, so that the numbers are the
/// same bit for bit.
fn add_terms<const K: usize>(
    (one, two): (&Stage, &Stage),
    j: usize,
    columns: &[&[f64]],
    sum1: &mut [f64],
    sum2: &mut [f64],
) {
    let n = sum1.len();
    let (sum1, sum2) = (&mut sum1[..n], &mut sum2[..n]);
    // Filled by plain loops: `std::array::from_fn`'s closure was left out
    // of line, a call a feature.
    let mut columns_k: [&[f64]; K] = [&[]; K];
    let mut weights = [[0.0; 6]; K];
    for (k, (c, w)) in columns_k.iter_mut().zip(&mut weights).enumerate() {
        let j = j + k;
        *c = &columns[j][..n];
        *w = [
            one.mean[j],
            one.std[j],
            one.coef[j],
            two.mean[j],
            two.std[j],
            two.coef[j],
        ];
    }
    let columns = columns_k;
    for i in 0..n {
        let (mut a, mut b) = (sum1[i], sum2[i]);
        for (&[m1, s1, w1, m2, s2, w2], c) in weights.iter().zip(&columns) {
            let t = (c[i] - m1) / s1;
            a += t * w1;
            b += (t - m2) / s2 * w2;
        }
        sum1[i] = a;
        sum2[i] = b;
    }
}

impl WeightSet {
    /// P(positive) of every block of a page, before the rules. The same
    /// numbers as stage 2 over [`WeightSet::stage2_inputs`], with no table:
    /// each feature is standardised once and its terms of both stages added
    /// as it is read, then the neighbours' terms; each block's terms are
    /// added in the order of its row, so that the sums are those of
    /// [`Stage::decision`] bit for bit.
    pub fn probabilities(&self, f: &PageFeatures) -> Vec<f64> {
        let n = f.len();
        let mut sum1 = vec![-0.0; n];
        let mut sum2 = vec![-0.0; n];
        let (one, two) = (&self.stage1, &self.stage2);
        let columns = f.columns_of(&self.features);
        // A feature the page does not have reads as 0 in every block.
        let zeros = if columns.iter().any(Option::is_none) {
            vec![0.0; n]
        } else {
            Vec::new()
        };
        let columns: Vec<&[f64]> = columns.into_iter().map(|c| c.unwrap_or(&zeros)).collect();
        let stages = (one, two);
        let mut j = 0;
        while j + 4 <= columns.len() {
            add_terms::<4>(stages, j, &columns, &mut sum1, &mut sum2);
            j += 4;
        }
        for j in j..columns.len() {
            add_terms::<1>(stages, j, &columns, &mut sum1, &mut sum2);
        }
        let s: Vec<f64> = sum1
            .into_iter()
            .map(|s| (one.intercept + s).clamp(-9.0, 9.0))
            .collect();
        let mut neighbours = Vec::with_capacity(NEIGHBOUR_FEATURES.len() * n);
        stack::neighbour_columns(&s, &mut neighbours);
        let first = self.features.len();
        for (k, column) in neighbours.chunks_exact(n.max(1)).enumerate() {
            two.add_column(first + k, column, &mut sum2);
        }
        sum2.into_iter()
            .map(|s| 1.0 / (1.0 + (-(two.intercept + s)).exp()))
            .collect()
    }

    /// The stage-2 inputs of a page's blocks, column by column in one table
    /// (`[j * n + i]`: input `j` of block `i`), for fitting stage 2: the
    /// features standardised for stage 1, then the six inputs from the
    /// neighbours' stage-1 scores (stage 1 fitted). A column a feature, so
    /// that each step runs over all the blocks at once; each block's numbers
    /// are those of a row read alone ([`Stage::standardise`],
    /// [`Stage::decision`]), in the same order, and those that
    /// [`WeightSet::probabilities`] computes on the way.
    fn stage2_inputs(&self, f: &PageFeatures) -> Vec<f64> {
        let n = f.len();
        let mut table = Vec::with_capacity((self.features.len() + NEIGHBOUR_FEATURES.len()) * n);
        let mut sum = vec![-0.0; n];
        for (j, column) in f.columns_of(&self.features).into_iter().enumerate() {
            let (mean, std) = (self.stage1.mean[j], self.stage1.std[j]);
            let start = table.len();
            match column {
                Some(c) => table.extend(c.iter().map(|c| (c - mean) / std)),
                None => table.extend(std::iter::repeat_n((0.0 - mean) / std, n)),
            }
            self.stage1
                .add_column_standardised(j, &table[start..], &mut sum);
        }
        let s: Vec<f64> = sum
            .into_iter()
            .map(|s| (self.stage1.intercept + s).clamp(-9.0, 9.0))
            .collect();
        stack::neighbour_columns(&s, &mut table);
        table
    }

    /// [`WeightSet::stage2_inputs`] a row a block, for fitting.
    fn stage2_rows(&self, f: &PageFeatures) -> Vec<Vec<f64>> {
        let n = f.len();
        let table = self.stage2_inputs(f);
        let width = self.features.len() + NEIGHBOUR_FEATURES.len();
        (0..n)
            .map(|i| (0..width).map(|j| table[j * n + i]).collect())
            .collect()
    }

    /// Fits both stages on labelled pages' features.
    pub fn fit(features: Vec<String>, pages: &[(PageFeatures, &[bool])]) -> Result<WeightSet> {
        let mut rows = Vec::new();
        let mut truth = Vec::new();
        for (f, t) in pages {
            rows.extend(f.rows(&features));
            truth.extend_from_slice(t);
        }
        let stage1 = Stage::fit(&rows, &truth)?;
        let mut set = WeightSet {
            features,
            stage1,
            stage2: Stage {
                mean: Vec::new(),
                std: Vec::new(),
                coef: Vec::new(),
                intercept: 0.0,
            },
        };
        let mut rows2 = Vec::new();
        for (f, _) in pages {
            rows2.extend(set.stage2_rows(f));
        }
        set.stage2 = Stage::fit(&rows2, &truth)?;
        Ok(set)
    }

    /// Checks that the weights fit the feature list.
    fn check(&self) -> std::result::Result<(), String> {
        self.stage1.check(self.features.len())?;
        self.stage2
            .check(self.features.len() + NEIGHBOUR_FEATURES.len())
    }

    /// The stage-2 input names: the features, then the neighbours' scores.
    pub fn stage2_names(&self) -> Vec<String> {
        self.features
            .iter()
            .cloned()
            .chain(NEIGHBOUR_FEATURES.iter().map(|s| s.to_string()))
            .collect()
    }
}

impl PageModel {
    /// The list headings as [`ListMarkers`].
    pub fn markers(&self) -> ListMarkers {
        ListMarkers {
            label: 1 - self.positive.min(1),
            phrases: self.headings.clone(),
        }
    }

    /// The weight set for `mode`, if the model has it.
    pub fn weights(&self, mode: Mode) -> Option<&WeightSet> {
        match mode {
            Mode::Text => self.text.as_ref(),
            Mode::Html => self.html.as_ref(),
        }
    }

    /// Whether any weight set reads the HMM posterior.
    pub fn needs_hmm(&self) -> bool {
        [&self.text, &self.html]
            .into_iter()
            .flatten()
            .any(|w| w.features.iter().any(|f| f == HMM_FEATURE))
    }

    /// Keep decisions and P(positive) of a page's blocks: the weight set of the
    /// page's kind (HTML when it has structure and the model an HTML set),
    /// then the rules. A block the rules overrule gets the probability of its
    /// new label mirrored (`1 − p`), so that label and probability agree.
    /// `None` when the model has no weight set for the page.
    pub fn decide(&self, page: &PageInput) -> Option<Vec<(bool, f64)>> {
        self.decide_with(&page.view(), &BlockText::of_page(page, &self.headings()))
    }

    /// The list headings, ready to check a page's blocks against
    /// ([`BlockText::of`]).
    pub(crate) fn headings(&self) -> Headings<'_> {
        Headings::new(&self.headings)
    }

    /// [`PageModel::decide`] with the counts of the page's texts already
    /// taken, one a block ([`BlockText::of`] with [`PageModel::headings`]).
    pub(crate) fn decide_with<S: AsRef<str>>(
        &self,
        page: &PageView<S>,
        blocks: &[BlockText],
    ) -> Option<Vec<(bool, f64)>> {
        let set = match (&page.html, &self.html) {
            (Some(_), Some(h)) => h,
            _ => self.text.as_ref()?,
        };
        let f = features::features_of(page, blocks);
        let p = set.probabilities(&f);
        let mut keep: Vec<bool> = p.iter().map(|&p| p > 0.5).collect();
        rules::apply(&f, &mut keep);
        Some(
            keep.into_iter()
                .zip(p)
                .map(|(k, p)| (k, if k == (p > 0.5) { p } else { 1.0 - p }))
                .collect(),
        )
    }

    /// Fits a page model on labelled pages: the text weight set from the pages
    /// without HTML structure, the HTML set from those with it.
    pub fn fit(positive: usize, pages: &[LabelledInput], params: &PageParams) -> Result<PageModel> {
        let headings: Vec<String> = DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect();
        let markers = ListMarkers {
            label: 1 - positive.min(1),
            phrases: headings.clone(),
        };
        let mut model = PageModel {
            positive,
            headings,
            text: None,
            html: None,
        };
        for mode in [Mode::Text, Mode::Html] {
            let chosen: Vec<(PageFeatures, &[bool])> = pages
                .iter()
                .filter(|p| p.input.html.is_some() == (mode == Mode::Html))
                .filter(|p| !p.truth.is_empty())
                .map(|p| {
                    (
                        features::page_features(&p.input, &markers),
                        p.truth.as_slice(),
                    )
                })
                .collect();
            if chosen.is_empty() {
                continue;
            }
            let mut names: Vec<String> = TEXT_FEATURES.iter().map(|s| s.to_string()).collect();
            if params.hmm_feature {
                if chosen.iter().any(|(f, _)| f.column(HMM_FEATURE).is_none()) {
                    return Err(Error::Settings(
                        "the HMM feature needs page context (train it with --pages first)".into(),
                    ));
                }
                names.push(HMM_FEATURE.to_string());
            }
            if mode == Mode::Html {
                names.extend(HTML_EXTRA_FEATURES.iter().map(|s| s.to_string()));
            }
            let set = WeightSet::fit(names, &chosen)?;
            match mode {
                Mode::Text => model.text = Some(set),
                Mode::Html => model.html = Some(set),
            }
        }
        if model.text.is_none() && model.html.is_none() {
            return Err(Error::Settings(
                "no labelled pages to fit the page model on".into(),
            ));
        }
        Ok(model)
    }

    /// Checks the model against its labels.
    pub(crate) fn check(&self, classes: usize) -> std::result::Result<(), String> {
        if classes != 2 || self.positive >= classes {
            return Err("the page model needs a model of two labels".into());
        }
        for set in [&self.text, &self.html].into_iter().flatten() {
            set.check()?;
        }
        Ok(())
    }
}

/// The HMM posterior of label `positive` for each block, from naive Bayes
/// log-likelihoods (`jll`, `k` labels a row, priors removed, tempered).
pub(crate) fn hmm_posteriors(
    ctx: &ContextModel,
    normalized: &[String],
    mut emissions: Vec<Vec<f64>>,
    positive: usize,
) -> Vec<f64> {
    ctx.mark_headings(normalized, &mut emissions);
    ctx.posteriors(&emissions)
        .into_iter()
        .map(|p| p[positive])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stage of `inputs` made-up weights, spread by `seed`.
    fn stage(inputs: usize, seed: f64) -> Stage {
        let wave = |k: usize, a: f64| ((k as f64 + 1.0) * a * seed).sin();
        Stage {
            mean: (0..inputs).map(|k| wave(k, 0.7)).collect(),
            std: (0..inputs).map(|k| 0.5 + wave(k, 1.3).abs()).collect(),
            coef: (0..inputs).map(|k| 2.0 * wave(k, 2.9)).collect(),
            intercept: wave(inputs, 0.3),
        }
    }

    #[test]
    fn probabilities_are_stage_two_over_the_rows_bit_for_bit() {
        let texts = [
            "推荐阅读",
            "国务院召开常务会议，部署稳就业工作。会议指出，要稳住就业基本盘。",
            "会议要求各地区各部门压实责任，确保政策落地见效。",
            "震惊！她竟然这样做",
            "新华社北京3月11日电",
            "相关新闻",
            "a b",
        ];
        let page = PageInput {
            texts: texts.iter().map(|t| t.to_string()).collect(),
            nb: vec![0.2, 0.9, 0.8, 0.01, 0.6, 0.3, 0.5],
            hmm: Vec::new(),
            html: None,
        };
        let markers = ListMarkers {
            label: 1,
            phrases: DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect(),
        };
        let f = features::page_features(&page, &markers);
        // Every text feature, and one the page does not have (read as 0);
        // then one feature fewer, so that the features do not come in fours.
        let mut all: Vec<String> = TEXT_FEATURES.iter().map(|s| s.to_string()).collect();
        all.insert(3, "link".to_string());
        for (names, seed) in [(&all[..], 0.37), (&all[..], 1.91), (&all[1..], 4.2)] {
            let names = names.to_vec();
            let width = names.len() + NEIGHBOUR_FEATURES.len();
            let set = WeightSet {
                stage1: stage(names.len(), seed),
                stage2: stage(width, seed + 0.5),
                features: names.clone(),
            };
            let expected: Vec<u64> = set
                .stage2_rows(&f)
                .into_iter()
                .map(|mut row| {
                    set.stage2.standardise(&mut row);
                    let d = set.stage2.decision(&row);
                    (1.0 / (1.0 + (-d).exp())).to_bits()
                })
                .collect();
            let got: Vec<u64> = set.probabilities(&f).iter().map(|p| p.to_bits()).collect();
            assert_eq!(got, expected, "seed {seed}");
            assert_eq!(got.len(), texts.len());
        }
    }
}
