//! The two stacked logistic regressions of the page model.
//!
//! Stage 1 reads a block's standardised page features; stage 2 reads them
//! again with the stage-1 scores of the block's neighbours, so that a block
//! is judged with what its neighbours look like. Both are L2-regularised
//! logistic regressions fitted by linfa-logistic (L-BFGS), whose objective is
//! scikit-learn's with `C = 1`: `Σ logloss + ½‖w‖²`, intercept unpenalised.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The stage-2 inputs that come from the neighbours' stage-1 scores.
pub const NEIGHBOUR_FEATURES: [&str; 6] = ["s_p1", "s_n1", "s_p2", "s_n2", "s_max3", "s_mean3"];

/// One logistic regression over standardised inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Mean of each input over the training blocks.
    pub mean: Vec<f64>,
    /// Population standard deviation of each input (+1e−9).
    pub std: Vec<f64>,
    /// One weight per standardised input.
    pub coef: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl Stage {
    /// Standardises a row in place.
    pub fn standardise(&self, row: &mut [f64]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *x = (*x - m) / s;
        }
    }

    /// The decision value `w·x + b` of a row already standardised.
    pub fn decision(&self, row: &[f64]) -> f64 {
        self.intercept + row.iter().zip(&self.coef).map(|(x, w)| x * w).sum::<f64>()
    }

    /// Adds input `j`'s term `x_j · w_j` to each block's `sum`, from
    /// `column`, input `j` of every block not yet standardised: a column at a
    /// time, each block's terms added in the order [`Stage::decision`] adds
    /// them, so that `intercept + sum` (`sum` from −0.0, where `f64`'s `Sum`
    /// starts) is its decision value bit for bit.
    pub(crate) fn add_column(&self, j: usize, column: &[f64], sum: &mut [f64]) {
        let (mean, std, w) = (self.mean[j], self.std[j], self.coef[j]);
        for (s, x) in sum.iter_mut().zip(column) {
            *s += (x - mean) / std * w;
        }
    }

    /// [`Stage::add_column`] of a column already standardised.
    pub(crate) fn add_column_standardised(&self, j: usize, column: &[f64], sum: &mut [f64]) {
        let w = self.coef[j];
        for (s, x) in sum.iter_mut().zip(column) {
            *s += x * w;
        }
    }

    /// Checks lengths and values.
    pub(crate) fn check(&self, inputs: usize) -> std::result::Result<(), String> {
        let sane = |x: &f64| x.is_finite() && x.abs() <= 1e9;
        if self.mean.len() != inputs || self.std.len() != inputs || self.coef.len() != inputs {
            return Err("the model's page-model weights do not match its feature list".into());
        }
        if !(self
            .mean
            .iter()
            .chain(&self.coef)
            .chain([&self.intercept])
            .all(sane)
            && self.std.iter().all(|s| sane(s) && *s > 0.0))
        {
            return Err("the model's page-model weights are not finite numbers; retrain it".into());
        }
        Ok(())
    }

    /// Fits a stage on `rows` (raw inputs) with 0/1 targets.
    pub fn fit(rows: &[Vec<f64>], targets: &[bool]) -> Result<Stage> {
        let n = rows.len();
        let d = rows.first().map_or(0, Vec::len);
        let positives = targets.iter().filter(|&&t| t).count();
        if n == 0 || positives == 0 || positives == n {
            return Err(Error::Settings(
                "the page model needs labelled blocks of both kinds (news and not news)".into(),
            ));
        }
        let mut mean = vec![0.0; d];
        for r in rows {
            for (m, x) in mean.iter_mut().zip(r) {
                *m += x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut var = vec![0.0; d];
        for r in rows {
            for ((v, x), m) in var.iter_mut().zip(r).zip(&mean) {
                *v += (x - m) * (x - m);
            }
        }
        let std: Vec<f64> = var.iter().map(|v| (v / n as f64).sqrt() + 1e-9).collect();
        let mut stage = Stage {
            mean,
            std,
            coef: vec![0.0; d],
            intercept: 0.0,
        };
        let mut x = ndarray::Array2::<f64>::zeros((n, d));
        for (i, r) in rows.iter().enumerate() {
            let mut r = r.clone();
            stage.standardise(&mut r);
            for (j, v) in r.into_iter().enumerate() {
                x[[i, j]] = v;
            }
        }
        let y: ndarray::Array1<usize> = targets.iter().map(|&t| usize::from(t)).collect();
        use linfa::prelude::Fit;
        let dataset = linfa::Dataset::new(x, y);
        let fitted = linfa_logistic::LogisticRegression::default()
            .alpha(1.0)
            .max_iterations(1000)
            .gradient_tolerance(1e-6)
            .fit(&dataset)
            .map_err(|e| {
                Error::Settings(format!("the page model's logistic regression failed: {e}"))
            })?;
        // linfa-logistic's positive class is the commoner one: orient to `true`.
        let sign = if fitted.labels().pos.class == 1 {
            1.0
        } else {
            -1.0
        };
        stage.coef = fitted.params().iter().map(|w| sign * w).collect();
        stage.intercept = sign * fitted.intercept();
        Ok(stage)
    }
}

/// The six stage-2 inputs from the stage-1 scores `s` (each clamped to ±9),
/// appended to `out` a column each in the order of [`NEIGHBOUR_FEATURES`]:
/// `s` of the blocks 1 and 2 before and after (0 beyond the page), and the
/// max and mean of `s` over the three blocks on each side (−9 beyond the
/// page), taken in the order −3, −2, −1, +1, +2, +3.
pub fn neighbour_columns(s: &[f64], out: &mut Vec<f64>) {
    let n = s.len();
    // `s` with three blocks of each fill on each side: block `i` is at `i + 3`.
    let padded = |fill: f64| -> Vec<f64> {
        let mut p = vec![fill; n + 6];
        p[3..n + 3].copy_from_slice(s);
        p
    };
    let zero = padded(0.0);
    for d in [-1, 1, -2, 2] {
        let from = (3 + d) as usize;
        out.extend_from_slice(&zero[from..from + n]);
    }
    let low = padded(-9.0);
    // Each block's seven-block window of `low`, itself at the centre.
    let around = |w: &[f64]| [w[0], w[1], w[2], w[4], w[5], w[6]];
    out.extend(
        low.windows(7)
            .map(|w| around(w).into_iter().fold(f64::NEG_INFINITY, f64::max)),
    );
    out.extend(
        low.windows(7)
            .map(|w| around(w).into_iter().sum::<f64>() / 6.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The six inputs of each block as they are defined, a block at a time.
    fn neighbour_inputs(s: &[f64]) -> Vec<[f64; 6]> {
        let n = s.len() as isize;
        let at = |j: isize, fill: f64| {
            if (0..n).contains(&j) {
                s[j as usize]
            } else {
                fill
            }
        };
        (0..n)
            .map(|i| {
                let around = [-3, -2, -1, 1, 2, 3].map(|d| at(i + d, -9.0));
                let max = around.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mean = around.iter().sum::<f64>() / 6.0;
                [
                    at(i - 1, 0.0),
                    at(i + 1, 0.0),
                    at(i - 2, 0.0),
                    at(i + 2, 0.0),
                    max,
                    mean,
                ]
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn neighbour_columns_are_the_inputs_of_each_block(s in proptest::collection::vec(-9.0f64..9.0, 0..12)) {
            let mut columns = Vec::new();
            neighbour_columns(&s, &mut columns);
            let n = s.len();
            proptest::prop_assert_eq!(columns.len(), 6 * n);
            for (i, row) in neighbour_inputs(&s).into_iter().enumerate() {
                for (k, v) in row.into_iter().enumerate() {
                    proptest::prop_assert_eq!(columns[k * n + i].to_bits(), v.to_bits());
                }
            }
        }
    }

    #[test]
    fn a_block_alone_sees_the_fill_values() {
        let mut columns = Vec::new();
        neighbour_columns(&[2.5], &mut columns);
        assert_eq!(columns, [0.0, 0.0, 0.0, 0.0, -9.0, -9.0]);
    }
}
