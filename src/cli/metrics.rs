//! Evaluation metrics for the classifiers.
//!
//! Everything here is a pure function of labels and scores so that reports
//! are reproducible and can be checked against scikit-learn, whose
//! conventions (zero division gives 0, ties, curve shapes) we copy so numbers
//! from both sides of a comparison mean the same thing.
//!
//! Multi-class labels are class indices `0..n_classes`. Binary metrics take
//! `y: &[bool]` (true = positive class) and `p: &[f64]`, the predicted
//! probability of the positive class. Binary functions panic if `y` and `p`
//! differ in length or `p` holds a non-finite value: both are caller bugs that
//! would otherwise surface as silently wrong numbers or NaN in a report.

use serde::{Deserialize, Serialize};

/// Precision, recall and F1 of one class, one-vs-rest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of examples whose true label is this class.
    pub support: u64,
}

/// Counts of (truth, prediction) pairs: `counts[truth][pred]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfusionMatrix {
    pub n_classes: usize,
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// Panics if the slices differ in length or a label is `>= n`: a label
    /// outside the model's classes means the caller mixed up label maps.
    pub fn from_pairs(n: usize, truth: &[usize], pred: &[usize]) -> Self {
        assert_eq!(
            truth.len(),
            pred.len(),
            "truth and pred must have the same length"
        );
        let mut counts = vec![vec![0u64; n]; n];
        for (&t, &p) in truth.iter().zip(pred) {
            assert!(
                t < n && p < n,
                "label out of range: ({t}, {p}) with n = {n}"
            );
            counts[t][p] += 1;
        }
        Self {
            n_classes: n,
            counts,
        }
    }

    /// Two-class matrix (class 1 = positive) from probabilities, predicting
    /// positive when `p >= threshold`, as scikit-learn's threshold tuning does.
    pub fn from_binary(y: &[bool], p: &[f64], threshold: f64) -> Self {
        check_binary(y, p);
        let truth: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
        let pred: Vec<usize> = p.iter().map(|&v| usize::from(v >= threshold)).collect();
        Self::from_pairs(2, &truth, &pred)
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// 0 for an empty matrix rather than NaN, so reports stay serialisable.
    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..self.n_classes).map(|i| self.counts[i][i]).sum();
        ratio(correct, self.total())
    }

    /// One entry per class index, including classes that never occur
    /// (those get all zeros, like scikit-learn with `zero_division=0`).
    pub fn per_class(&self) -> Vec<ClassMetrics> {
        (0..self.n_classes)
            .map(|i| {
                let tp = self.counts[i][i];
                let support: u64 = self.counts[i].iter().sum();
                let predicted: u64 = self.counts.iter().map(|row| row[i]).sum();
                let (fp, fn_) = (predicted - tp, support - tp);
                ClassMetrics {
                    precision: ratio(tp, predicted),
                    recall: ratio(tp, support),
                    // This form equals 2PR/(P+R) when defined and is what
                    // scikit-learn computes, so P or R being 0 needs no care.
                    f1: ratio(2 * tp, 2 * tp + fp + fn_),
                    support,
                }
            })
            .collect()
    }

    /// Unweighted mean of F1 over the labels that occur in the truth *or* the
    /// predictions, like scikit-learn's default `labels=unique_labels(y_true,
    /// y_pred)`. Classes absent from both would otherwise drag the mean down
    /// for a reason unrelated to the model (e.g. a small test split). A class
    /// that is only ever predicted still counts, with F1 = 0.
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<f64> = self
            .per_class()
            .iter()
            .enumerate()
            .filter(|(i, m)| m.support > 0 || self.counts.iter().any(|row| row[*i] > 0))
            .map(|(_, m)| m.f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }

    /// F1 averaged with weights = support, so frequent classes dominate as
    /// they do in the data; 0 for an empty matrix.
    pub fn weighted_f1(&self) -> f64 {
        let per = self.per_class();
        let total: u64 = per.iter().map(|m| m.support).sum();
        if total == 0 {
            return 0.0;
        }
        per.iter().map(|m| m.f1 * m.support as f64).sum::<f64>() / total as f64
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn check_binary(y: &[bool], p: &[f64]) {
    assert_eq!(y.len(), p.len(), "y and p must have the same length");
    assert!(
        p.iter().all(|v| v.is_finite()),
        "probabilities must be finite"
    );
}

/// (false positives, true positives, threshold) at each distinct score,
/// thresholds decreasing. Tied scores are one threshold: a classifier cannot
/// split them, which is how scikit-learn's `_binary_clf_curve` treats ties.
fn binary_clf_curve(y: &[bool], p: &[f64]) -> Vec<(u64, u64, f64)> {
    check_binary(y, p);
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut out = Vec::new();
    let (mut fp, mut tp) = (0u64, 0u64);
    for (k, &i) in order.iter().enumerate() {
        if y[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order.get(k + 1).is_none_or(|&j| p[j] != p[i]);
        if last_of_tie {
            out.push((fp, tp, p[i]));
        }
    }
    out
}

fn class_counts(y: &[bool]) -> (u64, u64) {
    let pos = y.iter().filter(|&&b| b).count() as u64;
    (pos, y.len() as u64 - pos)
}

/// Points `(fpr, tpr, threshold)` with fpr increasing, one per distinct score
/// plus a leading `(0, 0, +inf)` (scikit-learn's `roc_curve` with
/// `drop_intermediate=False`). Empty when a class is missing, since one of the
/// rates would be 0/0. The infinite threshold serialises to JSON as `null`.
pub fn roc_curve(y: &[bool], p: &[f64]) -> Vec<(f64, f64, f64)> {
    let (pos, neg) = class_counts(y);
    let curve = binary_clf_curve(y, p);
    if pos == 0 || neg == 0 {
        return Vec::new();
    }
    std::iter::once((0.0, 0.0, f64::INFINITY))
        .chain(
            curve
                .into_iter()
                .map(|(fp, tp, t)| (fp as f64 / neg as f64, tp as f64 / pos as f64, t)),
        )
        .collect()
}

/// Area under the ROC curve by the trapezoid rule over distinct thresholds,
/// so a tied positive/negative pair counts one half (as in scikit-learn).
/// `None` when only one class is present: the AUC is undefined there, and a
/// made-up 0.5 would look like a real (useless) model.
pub fn roc_auc(y: &[bool], p: &[f64]) -> Option<f64> {
    let curve = roc_curve(y, p);
    if curve.is_empty() {
        return None;
    }
    Some(
        curve
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum(),
    )
}

/// Points `(recall, precision, threshold)` with thresholds decreasing (recall
/// non-decreasing), starting at `(0, 1, +inf)` like the extra final point of
/// scikit-learn's `precision_recall_curve` (which lists them in reverse).
/// Empty when there is no positive example, since recall would be 0/0.
pub fn pr_curve(y: &[bool], p: &[f64]) -> Vec<(f64, f64, f64)> {
    let (pos, _) = class_counts(y);
    let curve = binary_clf_curve(y, p);
    if pos == 0 {
        return Vec::new();
    }
    std::iter::once((0.0, 1.0, f64::INFINITY))
        .chain(
            curve
                .into_iter()
                .map(|(fp, tp, t)| (tp as f64 / pos as f64, ratio(tp, tp + fp), t)),
        )
        .collect()
}

/// scikit-learn's step-wise AP, `sum_n (R_n - R_{n-1}) P_n` over thresholds,
/// not the trapezoid area, which is optimistic for PR curves. `None` without
/// positive examples, where recall is undefined.
pub fn average_precision(y: &[bool], p: &[f64]) -> Option<f64> {
    let curve = pr_curve(y, p);
    if curve.is_empty() {
        return None;
    }
    Some(curve.windows(2).map(|w| (w[1].0 - w[0].0) * w[1].1).sum())
}

const LOG_LOSS_EPS: f64 = 1e-15;

/// Mean negative log-likelihood. Probabilities are clipped to
/// `[1e-15, 1 - 1e-15]` so one confident mistake costs ~34.5 instead of
/// infinity. 0 for empty input.
pub fn log_loss(y: &[bool], p: &[f64]) -> f64 {
    mean_loss(y, p, |b, v| {
        let v = v.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
        -(if b { v } else { 1.0 - v }).ln()
    })
}

/// Mean squared error of the probability against the 0/1 outcome; unlike log
/// loss it stays bounded, so a few overconfident errors cannot dominate it.
/// 0 for empty input.
pub fn brier(y: &[bool], p: &[f64]) -> f64 {
    mean_loss(y, p, |b, v| (v - f64::from(u8::from(b))).powi(2))
}

/// The mean of `loss(outcome, probability)` over the examples; 0 for none.
fn mean_loss(y: &[bool], p: &[f64], loss: impl Fn(bool, f64) -> f64) -> f64 {
    check_binary(y, p);
    if y.is_empty() {
        return 0.0;
    }
    let total: f64 = y.iter().zip(p).map(|(&b, &v)| loss(b, v)).sum();
    total / y.len() as f64
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub count: u64,
    /// Mean predicted probability in the bin; 0 when the bin is empty.
    pub mean_predicted: f64,
    /// Observed share of positives in the bin; 0 when the bin is empty.
    pub fraction_positive: f64,
}

/// `bins` equal-width bins over `[0, 1]`, all returned (empty ones with
/// `count == 0`) so every report has the same layout. A probability on an edge
/// goes to the upper bin (`[lower, upper)`), and 1.0 to the last bin. Edges
/// are `i / bins` so a literal 0.3 lands in `[0.3, 0.4)` as a reader expects.
/// Panics if `bins == 0`.
pub fn reliability_bins(y: &[bool], p: &[f64], bins: usize) -> Vec<ReliabilityBin> {
    check_binary(y, p);
    assert!(bins > 0, "need at least one bin");
    let edge = |i: usize| i as f64 / bins as f64;
    let mut count = vec![0u64; bins];
    let mut sum_p = vec![0.0f64; bins];
    let mut positives = vec![0u64; bins];
    for (&b, &v) in y.iter().zip(p) {
        let v = v.clamp(0.0, 1.0);
        // The float product can land one bin off near an edge; fix it up
        // against the exact edges.
        let mut k = ((v * bins as f64).floor() as usize).min(bins - 1);
        while k > 0 && v < edge(k) {
            k -= 1;
        }
        while k + 1 < bins && v >= edge(k + 1) {
            k += 1;
        }
        count[k] += 1;
        sum_p[k] += v;
        positives[k] += u64::from(b);
    }
    (0..bins)
        .map(|k| ReliabilityBin {
            lower: edge(k),
            upper: edge(k + 1),
            count: count[k],
            mean_predicted: if count[k] == 0 {
                0.0
            } else {
                sum_p[k] / count[k] as f64
            },
            fraction_positive: ratio(positives[k], count[k]),
        })
        .collect()
}

/// Expected calibration error: `sum_k (n_k / N) |mean_p_k - freq_k|` over the
/// bins of [`reliability_bins`]. Tells whether the probabilities can be taken
/// at face value, which AUC and F1 ignore. 0 for empty input.
pub fn expected_calibration_error(y: &[bool], p: &[f64], bins: usize) -> f64 {
    let table = reliability_bins(y, p, bins);
    if y.is_empty() {
        return 0.0;
    }
    table
        .iter()
        .map(|b| b.count as f64 * (b.mean_predicted - b.fraction_positive).abs())
        .sum::<f64>()
        / y.len() as f64
}

/// Quality of the hard decision `p >= threshold`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThresholdPoint {
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Precision/recall/F1 at thresholds 0.01, 0.02, ..., 0.99 (predict positive
/// when `p >= t`), to choose an operating point other than 0.5 when classes
/// are imbalanced. Zero divisions give 0.
pub fn threshold_sweep(y: &[bool], p: &[f64]) -> Vec<ThresholdPoint> {
    check_binary(y, p);
    let (pos, _) = class_counts(y);
    (1..=99)
        .map(|i| {
            let threshold = f64::from(i) / 100.0;
            let (mut tp, mut fp) = (0u64, 0u64);
            for (&b, &v) in y.iter().zip(p) {
                if v >= threshold {
                    if b {
                        tp += 1;
                    } else {
                        fp += 1;
                    }
                }
            }
            let fn_ = pos - tp;
            ThresholdPoint {
                threshold,
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, pos),
                f1: ratio(2 * tp, 2 * tp + fp + fn_),
            }
        })
        .collect()
}

/// The sweep point with the highest F1; on ties the lowest threshold. `None`
/// without positive examples, where every F1 is 0 and no choice is meaningful.
pub fn best_f1_threshold(y: &[bool], p: &[f64]) -> Option<ThresholdPoint> {
    if class_counts(y).0 == 0 {
        check_binary(y, p);
        return None;
    }
    threshold_sweep(y, p)
        .into_iter()
        .fold(None, |best: Option<ThresholdPoint>, pt| match best {
            Some(b) if b.f1 >= pt.f1 => Some(b),
            _ => Some(pt),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {{
            let (a, b) = ($a, $b);
            assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
        }};
    }

    /// Ten (label, probability) pairs; 5 positives, 5 negatives, one tied
    /// positive/negative pair at 0.35, no probability on a bin edge.
    fn ten() -> (Vec<bool>, Vec<f64>) {
        let pairs = [
            (true, 0.95),
            (true, 0.85),
            (false, 0.75),
            (true, 0.65),
            (true, 0.55),
            (false, 0.45),
            (true, 0.35),
            (false, 0.35),
            (false, 0.15),
            (false, 0.05),
        ];
        pairs.iter().copied().unzip()
    }

    // ROC-AUC = share of (positive, negative) pairs ranked correctly, tie = 1/2.
    //   positives 0.95, 0.85, 0.65, 0.55, 0.35; negatives 0.75, 0.45, 0.35, 0.15, 0.05
    //   0.95 beats 5, 0.85 beats 5, 0.65 beats 4, 0.55 beats 4,
    //   0.35 beats 2 (0.15, 0.05) + ties 1 -> 2.5
    //   (5 + 5 + 4 + 4 + 2.5) / 25 = 20.5 / 25 = 0.82
    #[test]
    fn ten_roc_auc() {
        let (y, p) = ten();
        assert_close!(roc_auc(&y, &p).unwrap(), 0.82);
    }

    // Average precision, thresholds high to low (TP, FP -> P, R):
    //   0.95: 1,0 -> 1,   0.2     0.55: 4,1 -> 4/5, 0.8
    //   0.85: 2,0 -> 1,   0.4     0.45: 4,2 -> 4/6, 0.8
    //   0.75: 2,1 -> 2/3, 0.4     0.35: 5,3 -> 5/8, 1.0
    //   0.65: 3,1 -> 3/4, 0.6     0.15, 0.05: recall stays 1.0
    //   AP = 0.2*1 + 0.2*1 + 0.2*3/4 + 0.2*4/5 + 0.2*5/8
    //      = 0.2 * (1 + 1 + 0.75 + 0.8 + 0.625) = 0.2 * 4.175 = 0.835
    #[test]
    fn ten_average_precision_and_curve() {
        let (y, p) = ten();
        assert_close!(average_precision(&y, &p).unwrap(), 0.835);
        let curve = pr_curve(&y, &p);
        // leading (0, 1) + 9 distinct scores
        assert_eq!(curve.len(), 10);
        assert_eq!(curve[0], (0.0, 1.0, f64::INFINITY));
        let (r, pr, t) = curve[7];
        assert_close!(r, 1.0);
        assert_close!(pr, 5.0 / 8.0);
        assert_close!(t, 0.35);
    }

    // ECE, 10 bins; each bin's |mean p - fraction positive| times its count:
    //   [0.0,0.1) 0.05 neg: 0.05      [0.5,0.6) 0.55 pos: 0.45
    //   [0.1,0.2) 0.15 neg: 0.15      [0.6,0.7) 0.65 pos: 0.35
    //   [0.3,0.4) 0.35 pos + 0.35 neg: |0.35 - 0.5| * 2 = 0.30
    //   [0.4,0.5) 0.45 neg: 0.45      [0.7,0.8) 0.75 neg: 0.75
    //   [0.8,0.9) 0.85 pos: 0.15      [0.9,1.0] 0.95 pos: 0.05
    //   sum = 2.70, ECE = 2.70 / 10 = 0.27
    #[test]
    fn ten_ece_and_bins() {
        let (y, p) = ten();
        assert_close!(expected_calibration_error(&y, &p, 10), 0.27);
        let bins = reliability_bins(&y, &p, 10);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins[2].count, 0);
        assert_eq!(bins[3].count, 2);
        assert_close!(bins[3].mean_predicted, 0.35);
        assert_close!(bins[3].fraction_positive, 0.5);
        assert_close!(bins[3].lower, 0.3);
        assert_close!(bins[3].upper, 0.4);
    }

    // Log loss = -(1/10) * sum ln(probability given to the true class):
    //   true-class probabilities 0.95, 0.85, 0.25, 0.65, 0.55, 0.55, 0.35, 0.65, 0.85, 0.95
    //   ln: 2*(-0.0512933) + 2*(-0.1625189) + 2*(-0.4307829) + 2*(-0.5978370)
    //       + (-1.3862944) + (-1.0498221) = -4.9209807
    //   log loss = 0.49209807 (= -ln(0.95^2 0.85^2 0.25 0.65^2 0.55^2 0.35) / 10)
    #[test]
    fn ten_log_loss() {
        let (y, p) = ten();
        let exact =
            -(0.95f64.powi(2) * 0.85f64.powi(2) * 0.25 * 0.65f64.powi(2) * 0.55f64.powi(2) * 0.35)
                .ln()
                / 10.0;
        assert_close!(log_loss(&y, &p), exact);
        assert!((log_loss(&y, &p) - 0.492_098_07).abs() < 1e-8);
    }

    // Brier = mean (p - y)^2:
    //   0.05^2 + 0.15^2 + 0.75^2 + 0.35^2 + 0.45^2 + 0.45^2 + 0.65^2 + 0.35^2 + 0.15^2 + 0.05^2
    //   = 0.0025 + 0.0225 + 0.5625 + 0.1225 + 0.2025 + 0.2025 + 0.4225 + 0.1225 + 0.0225 + 0.0025
    //   = 1.685, / 10 = 0.1685
    #[test]
    fn ten_brier() {
        let (y, p) = ten();
        assert_close!(brier(&y, &p), 0.1685);
    }

    // At threshold 0.5 (positive when p >= 0.5):
    //   predicted positive: 0.95 T, 0.85 T, 0.75 F, 0.65 T, 0.55 T -> TP 4, FP 1
    //   predicted negative: 0.45 F, 0.35 T, 0.35 F, 0.15 F, 0.05 F -> FN 1, TN 4
    //   rows = truth [neg, pos]: [[4, 1], [1, 4]]; accuracy 8/10;
    //   both classes P = R = F1 = 4/5, so macro = weighted = 0.8.
    #[test]
    fn ten_confusion_at_half() {
        let (y, p) = ten();
        let cm = ConfusionMatrix::from_binary(&y, &p, 0.5);
        assert_eq!(cm.counts, vec![vec![4, 1], vec![1, 4]]);
        assert_close!(cm.accuracy(), 0.8);
        for m in cm.per_class() {
            assert_close!(m.precision, 0.8);
            assert_close!(m.recall, 0.8);
            assert_close!(m.f1, 0.8);
            assert_eq!(m.support, 5);
        }
        assert_close!(cm.macro_f1(), 0.8);
        assert_close!(cm.weighted_f1(), 0.8);
    }

    #[test]
    fn ten_threshold_sweep() {
        let (y, p) = ten();
        let sweep = threshold_sweep(&y, &p);
        assert_eq!(sweep.len(), 99);
        assert_close!(sweep[0].threshold, 0.01);
        assert_close!(sweep[98].threshold, 0.99);
        // t = 0.50: TP 4, FP 1, FN 1
        assert_close!(sweep[49].f1, 0.8);
        // Best F1 = 0.8, first reached at t = 0.46 (0.45 excluded, 0.55 included);
        // t <= 0.35 gives TP 5 FP 3: F1 = 10/13 < 0.8.
        let best = best_f1_threshold(&y, &p).unwrap();
        assert_close!(best.threshold, 0.46);
        assert_close!(best.f1, 0.8);
    }

    // truth [0,0,1,1,2,2], pred [0,1,1,1,2,0], n = 4 (class 3 never occurs):
    //   class 0: TP 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
    //   class 1: TP 2, predicted 3, support 2 -> P 2/3, R 1,   F1 4/5
    //   class 2: TP 1, predicted 1, support 2 -> P 1,   R 1/2, F1 2/3
    //   macro over the 3 present classes = (1/2 + 4/5 + 2/3) / 3 = 59/90
    #[test]
    fn multiclass_macro_skips_absent_labels() {
        let cm = ConfusionMatrix::from_pairs(4, &[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 2, 0]);
        assert_close!(cm.accuracy(), 4.0 / 6.0);
        let per = cm.per_class();
        assert_close!(per[1].precision, 2.0 / 3.0);
        assert_close!(per[1].f1, 0.8);
        assert_eq!(per[3].support, 0);
        assert_close!(per[3].f1, 0.0);
        assert_close!(cm.macro_f1(), 59.0 / 90.0);
        assert_close!(cm.weighted_f1(), 59.0 / 90.0);
    }

    // truth [0,0,1], pred [0,2,1]: class 2 is only predicted, so it counts
    // in the macro mean with F1 0 (P = 0/1, R = 0/0 -> 0).
    //   F1: class 0 = 2/(2+0+1) = 2/3, class 1 = 1, class 2 = 0
    //   macro = 5/9, weighted = (2/3*2 + 1*1 + 0*0) / 3 = 7/9
    #[test]
    fn multiclass_predicted_only_label_counts() {
        let cm = ConfusionMatrix::from_pairs(3, &[0, 0, 1], &[0, 2, 1]);
        assert_close!(cm.macro_f1(), 5.0 / 9.0);
        assert_close!(cm.weighted_f1(), 7.0 / 9.0);
        assert_eq!(cm.per_class()[2].precision, 0.0);
    }

    #[test]
    fn empty_matrix_is_zero_not_nan() {
        let cm = ConfusionMatrix::from_pairs(3, &[], &[]);
        assert_eq!(cm.accuracy(), 0.0);
        assert_eq!(cm.macro_f1(), 0.0);
        assert_eq!(cm.weighted_f1(), 0.0);
        assert!(cm.per_class().iter().all(|m| m.f1 == 0.0));
    }

    #[test]
    #[should_panic(expected = "label out of range")]
    fn out_of_range_label_panics() {
        ConfusionMatrix::from_pairs(2, &[2], &[0]);
    }

    #[test]
    fn auc_separated_reversed_tied() {
        let y = [false, false, true, true];
        assert_eq!(roc_auc(&y, &[0.1, 0.2, 0.8, 0.9]), Some(1.0));
        assert_eq!(roc_auc(&y, &[0.9, 0.8, 0.2, 0.1]), Some(0.0));
        assert_eq!(roc_auc(&y, &[0.5; 4]), Some(0.5));
        // one positive tied with one of two negatives: (1 + 0.5) / 2
        assert_eq!(roc_auc(&[true, false, false], &[0.5, 0.5, 0.1]), Some(0.75));
        // separated scores give AP 1 too
        assert_eq!(average_precision(&y, &[0.1, 0.2, 0.8, 0.9]), Some(1.0));
    }

    #[test]
    fn auc_invariant_under_monotone_transform() {
        let (y, p) = ten();
        let q: Vec<f64> = p.iter().map(|v| v * v * 0.5).collect();
        assert_eq!(roc_auc(&y, &p), roc_auc(&y, &q));
        assert_eq!(average_precision(&y, &p), average_precision(&y, &q));
    }

    #[test]
    fn roc_curve_shape() {
        let (y, p) = ten();
        let c = roc_curve(&y, &p);
        assert_eq!(c.len(), 10); // origin + 9 distinct scores
        assert_eq!(c[0], (0.0, 0.0, f64::INFINITY));
        assert_eq!(*c.last().unwrap(), (1.0, 1.0, 0.05));
        assert!(c.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
    }

    #[test]
    fn single_class_is_none() {
        let p = [0.2, 0.7, 0.9];
        assert_eq!(roc_auc(&[true; 3], &p), None);
        assert_eq!(roc_auc(&[false; 3], &p), None);
        assert!(roc_curve(&[true; 3], &p).is_empty());
        assert_eq!(average_precision(&[false; 3], &p), None);
        assert!(pr_curve(&[false; 3], &p).is_empty());
        assert_eq!(best_f1_threshold(&[false; 3], &p), None);
        // only positives: AP is defined and perfect
        assert_eq!(average_precision(&[true; 3], &p), Some(1.0));
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn extremes_and_empty_never_nan() {
        let y = [true, false, true, false];
        let p = [0.0, 1.0, 1.0, 0.0];
        let ll = log_loss(&y, &p);
        // two confident mistakes: 2 * -ln(1e-15) / 4, plus two ~0 terms; loose
        // because 1 - (1 - 1e-15) is 9.99e-16 in f64 (as in scikit-learn)
        assert!((ll - (-(1e-15f64).ln()) / 2.0).abs() < 1e-3, "{ll}");
        let checks = [
            ll,
            brier(&y, &p),
            expected_calibration_error(&y, &p, 10),
            log_loss(&[], &[]),
            brier(&[], &[]),
            expected_calibration_error(&[], &[], 5),
            roc_auc(&y, &p).unwrap(),
            average_precision(&y, &p).unwrap(),
        ];
        assert!(checks.iter().all(|v| v.is_finite()), "{checks:?}");
        for b in reliability_bins(&[], &[], 4) {
            assert!(b.mean_predicted.is_finite() && b.fraction_positive.is_finite());
        }
        for t in threshold_sweep(&[false, false], &[0.3, 0.6]) {
            assert!(t.precision.is_finite() && t.recall.is_finite() && t.f1.is_finite());
        }
    }

    #[test]
    fn bin_edges() {
        let p = [0.0, 0.3, 0.7, 0.1, 1.0, 0.999_999];
        let y = [false; 6];
        let bins = reliability_bins(&y, &p, 10);
        let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![1, 1, 0, 1, 0, 0, 0, 1, 0, 2]);
        let bins = reliability_bins(&y, &p, 3);
        let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![3, 0, 3]);
    }

    #[test]
    #[should_panic(expected = "same length")]
    fn length_mismatch_panics() {
        brier(&[true], &[0.5, 0.5]);
    }

    #[test]
    fn serde_roundtrip() {
        let (y, p) = ten();
        let bins = reliability_bins(&y, &p, 5);
        let json = serde_json::to_string(&bins).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<ReliabilityBin>>(&json).unwrap(),
            bins
        );
        let cm = ConfusionMatrix::from_binary(&y, &p, 0.5);
        let json = serde_json::to_string(&cm).unwrap();
        assert_eq!(serde_json::from_str::<ConfusionMatrix>(&json).unwrap(), cm);
    }
}
