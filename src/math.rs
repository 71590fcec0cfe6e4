//! The few numeric helpers every stage shares: log-sum-exp, softmax, arg-max.

/// `ln Σ exp(x)`, computed without overflow.
pub(crate) fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// Probabilities from log-scores: `exp(x - log_sum_exp(x))`, summing to 1.
pub(crate) fn softmax(xs: &[f64]) -> Vec<f64> {
    let lse = log_sum_exp(xs);
    xs.iter().map(|x| (x - lse).exp()).collect()
}

/// The index of the largest value; on ties the last one; 0 when empty.
pub(crate) fn arg_max(xs: &[f64]) -> usize {
    xs.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }

    #[test]
    fn arg_max_takes_the_last_of_ties() {
        assert_eq!(arg_max(&[0.5, 0.5]), 1);
        assert_eq!(arg_max(&[]), 0);
    }
}
