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

/// `softmax(xs)[i]` for `xs[j] = f(j)`, `n` of them, bit for bit (the same
/// operations in the same order), without building either vector: the page
/// model wants one class's probability of every paragraph of every page.
pub(crate) fn softmax_at(n: usize, f: impl Fn(usize) -> f64, i: usize) -> f64 {
    let max = (0..n).map(&f).fold(f64::NEG_INFINITY, f64::max);
    let lse = if max == f64::NEG_INFINITY {
        max
    } else {
        max + (0..n).map(|j| (f(j) - max).exp()).sum::<f64>().ln()
    };
    (f(i) - lse).exp()
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
    fn softmax_at_is_softmax_bit_for_bit() {
        let cases: [&[f64]; 6] = [
            &[-3.25, -0.5],
            &[-1234.5678, -1200.0001, -1250.5],
            &[1e-300, -1e-300],
            &[f64::NEG_INFINITY, -2.0],
            &[f64::NEG_INFINITY, f64::NEG_INFINITY],
            &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        ];
        for xs in cases {
            let t = 1.37;
            let scaled: Vec<f64> = xs.iter().map(|x| x / t).collect();
            let whole = softmax(&scaled);
            for (i, p) in whole.iter().enumerate() {
                let one = softmax_at(xs.len(), |j| xs[j] / t, i);
                assert_eq!(one.to_bits(), p.to_bits(), "{xs:?} at {i}");
            }
        }
    }

    #[test]
    fn arg_max_takes_the_last_of_ties() {
        assert_eq!(arg_max(&[0.5, 0.5]), 1);
        assert_eq!(arg_max(&[]), 0);
    }
}
