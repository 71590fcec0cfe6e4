//! Scoring: from paragraphs to labels and probabilities.
//!
//! A paragraph's score for class `c` is `log prior(c) + Σ x_j · w(c, j)` over
//! the features it has, so scoring costs one lookup and one add per feature.
//! Probabilities come from a log-sum-exp softmax, which stays finite for
//! paragraphs of any length.

use serde::Serialize;

use crate::context::softmax;
use crate::data::Label;
use crate::model::Model;

/// A paragraph's label and the probability of every label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Index of the most probable label in [`Model::labels`].
    pub label: usize,
    /// Probability of each label, in the order of [`Model::labels`]; sums to 1.
    pub probs: Vec<f64>,
}

impl Prediction {
    fn from_probs(probs: Vec<f64>) -> Self {
        let label = probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        Prediction { label, probs }
    }
}

/// One feature's push towards a label, for explaining a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub feature: String,
    /// How much the feature raised the log-odds of the label against the others.
    pub weight: f64,
}

impl Model {
    /// The sparse feature vector of a raw paragraph.
    fn features_of(&self, text: &str) -> Vec<(u32, f64)> {
        let text = self.settings.normalizer.normalize(text);
        let words = self.segmenter().cut(&text);
        self.vocabulary
            .vectorize(&text, &words, &self.settings.features)
    }

    /// `log prior(c) + Σ x_j · w(c, j)` for each class `c`.
    ///
    /// For a multinomial model this is naive Bayes's joint log-likelihood, the
    /// quantity linfa-bayes computes on dense input.
    pub fn joint_log_likelihood(&self, text: &str) -> Vec<f64> {
        let text = self.settings.normalizer.normalize(text);
        self.normalized_jll(&text)
    }

    /// [`Model::joint_log_likelihood`] of text already normalised.
    fn normalized_jll(&self, text: &str) -> Vec<f64> {
        let mut jll = vec![0.0; self.log_priors.len()];
        self.normalized_jll_into(text, &mut jll);
        jll
    }

    /// [`Model::normalized_jll`] written into `jll` (one value per class).
    fn normalized_jll_into(&self, text: &str, jll: &mut [f64]) {
        let words = self.segmenter().cut(text);
        jll.copy_from_slice(&self.log_priors);
        self.vocabulary.score_into(
            self.scoring_table(),
            text,
            &words,
            &self.settings.features,
            jll,
        );
    }

    /// `log prior(c) + Σ x_j · w(c, j)` for each class `c`, of a feature vector
    /// from [`crate::features::Vocabulary::vectorize`]. Panics on a column
    /// outside the vocabulary.
    pub fn score_vector(&self, x: &[(u32, f64)]) -> Vec<f64> {
        self.log_priors
            .iter()
            .zip(&self.weights)
            .map(|(prior, w)| prior + x.iter().map(|&(j, v)| v * w[j as usize]).sum::<f64>())
            .collect()
    }

    /// Label and probabilities of one paragraph on its own.
    ///
    /// ```
    /// let model = newsbait::Model::shipped().unwrap();
    /// let p = model.classify_paragraph("国务院召开常务会议,部署稳就业工作。");
    /// assert_eq!(model.labels[p.label].0, "news");
    /// assert!((p.probs.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    /// ```
    pub fn classify_paragraph(&self, text: &str) -> Prediction {
        let jll = self.joint_log_likelihood(text);
        let scaled: Vec<f64> = jll.iter().map(|s| s / self.temperature).collect();
        Prediction::from_probs(softmax(&scaled))
    }

    /// Labels the paragraphs of one document. With `context` and a model that
    /// has learned page structure, each paragraph's probabilities take its
    /// neighbours into account; otherwise each is scored on its own.
    pub fn classify_document<S: AsRef<str>>(
        &self,
        paragraphs: &[S],
        context: bool,
    ) -> Vec<Prediction> {
        // Each paragraph is normalised once, for its features and its heading check.
        let normalized: Vec<String> = paragraphs
            .iter()
            .map(|p| self.settings.normalizer.normalize(p.as_ref()))
            .collect();
        // One flat table of scores (`[t * k + c]`): no vectors per paragraph.
        let k = self.log_priors.len();
        let mut jll = vec![0.0; normalized.len() * k];
        for (row, p) in jll.chunks_exact_mut(k).zip(&normalized) {
            self.normalized_jll_into(p, row);
        }
        match (&self.context, context) {
            (Some(ctx), true) if paragraphs.len() > 1 => {
                let mut emissions: Vec<Vec<f64>> = jll
                    .chunks_exact(k)
                    .map(|s| {
                        s.iter()
                            .zip(&self.log_priors)
                            .map(|(s, prior)| (s - prior) / self.temperature)
                            .collect()
                    })
                    .collect();
                ctx.mark_headings(&normalized, &mut emissions);
                ctx.posteriors(&emissions)
                    .into_iter()
                    .map(Prediction::from_probs)
                    .collect()
            }
            _ => jll
                .chunks_exact(k)
                .map(|s| {
                    let scaled: Vec<f64> = s.iter().map(|v| v / self.temperature).collect();
                    Prediction::from_probs(softmax(&scaled))
                })
                .collect(),
        }
    }

    /// The `top` features that pushed `text` most towards `label` against the
    /// other labels (their weight is `x_j · (w(label, j) − mean of the others)`).
    pub fn explain(&self, text: &str, label: usize, top: usize) -> Vec<Contribution> {
        let others = (self.labels.len() - 1).max(1) as f64;
        let mut out: Vec<Contribution> = self
            .features_of(text)
            .into_iter()
            .map(|(j, v)| {
                let own = self.weights[label][j as usize];
                let rest: f64 = (0..self.labels.len())
                    .filter(|&c| c != label)
                    .map(|c| self.weights[c][j as usize])
                    .sum::<f64>()
                    / others;
                Contribution {
                    feature: self.vocabulary.describe(j),
                    weight: v * (own - rest),
                }
            })
            .collect();
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        out.truncate(top);
        out
    }

    /// The label of a prediction.
    pub fn label_of(&self, p: &Prediction) -> &Label {
        &self.labels[p.label]
    }
}
