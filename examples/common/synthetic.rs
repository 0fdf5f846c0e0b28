//! Simulated data of any size, from fixed recurrences (no random-number crate, the same on
//! every platform): coin flips and logistic-regression data for the scale examples and
//! benches.

use nalgebra::DMatrix;

/// `n` coin flips, 3 in 10 ones: flip i is 1 (`true`) when (7919 i) mod 10 < 3, a pattern
/// of period 10, so the flips made so far are copied onto the end until there are `n`.
pub fn flips<T: From<bool> + Copy>(n: usize) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(n);
    out.extend((0..n.min(10)).map(|i| T::from((i * 7919) % 10 < 3)));
    while out.len() < n {
        // a whole number of periods, so the pattern carries on
        let take = (n - out.len()).min(out.len());
        out.extend_from_within(..take);
    }
    out
}

/// The intercept the data are simulated with.
pub const INTERCEPT: f64 = 0.25;

/// The weight of predictor `j` the data are simulated with: 0.5 sin(1.7 (j + 1)), between
/// −0.5 and 0.5, so that the linear predictor's sd stays near √(d / 24).
pub fn weight(j: usize) -> f64 {
    0.5 * (1.7 * (j as f64 + 1.0)).sin()
}

/// `n` rows of `d` predictors uniform in [−1, 1] and the outcomes
/// y ~ Bernoulli(logit = `INTERCEPT` + x · w) with w_j = `weight(j)`.
pub fn logistic_data(n: usize, d: usize) -> (DMatrix<f64>, Vec<f64>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64 ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut uniform = move || {
        // xorshift64, the top 53 bits as a number in [0, 1)
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let weights: Vec<f64> = (0..d).map(weight).collect();
    let mut x = DMatrix::zeros(n, d);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let mut eta = INTERCEPT;
        for (j, w) in weights.iter().enumerate() {
            let v = 2.0 * uniform() - 1.0;
            x[(i, j)] = v;
            eta += v * w;
        }
        y.push(f64::from(uniform() < 1.0 / (1.0 + (-eta).exp())));
    }
    (x, y)
}
