//! Pareto-smoothed importance sampling (PSIS) and the Pareto k̂ diagnostic of a variational
//! fit.
//!
//! Given S draws z_s from the guide q and their log importance ratios
//! log r_s = log p(x, z_s) − log q(z_s), [`pareto_k`] fits a generalised Pareto distribution
//! to the largest ratios and reports its shape k̂, the Pareto-smoothed normalised weights and
//! their effective sample size; [`elbo_estimate`] gives the Monte Carlo ELBO with its
//! standard error.
//!
//! k̂ says how heavy the right tail of the ratios is: their moments of order below 1/k̂
//! exist, so k̂ ≤ 0.5 means finite variance, k̂ > 0.7 means importance sampling (and the guide as an
//! approximation of the posterior) is not to be trusted, and k̂ ≥ 1 means the mean is
//! infinite. Yao, Vehtari, Simpson & Gelman (2018) use it to judge a variational fit.
//!
//! The algorithm is that of the reference implementations, R `loo::psis` (with
//! `posterior::ps_tail` and `posterior::gpdfit`) and ArviZ 0.x `psislw` / `_gpdfit`, with
//! r_eff = 1: the tail is the M = ⌈min(S/5, 3√S)⌉ largest ratios (after subtracting the
//! largest log ratio), fitted by the empirical-Bayes estimator of Zhang & Stephens (2009)
//! and pulled towards 0.5 by the weakly informative prior of Vehtari et al. (2024). On every
//! input with a tail to fit, the results are ArviZ's to rounding; a fit that is not finite
//! gives k̂ = ∞, as `loo` (ArviZ returns NaN). `loo` agrees with ArviZ except at edges where
//! it gives k̂ = ∞ and ArviZ fits: a tail of 5 draws (S ≤ 25), where `posterior::gpdfit`
//! wants the first quartile above the minimum, and zero weights among the M + 1 largest,
//! where ArviZ raises the cutoff to the smallest positive normal ratio and fits the fewer
//! draws above it. One deviation from both: when the
//! M + 1 largest ratios are equal in floating point (for instance q = p, all log ratios
//! equal) `loo` and ArviZ report k̂ = ∞ (no fit possible); here, as in PSIS.jl (ArviZ's
//! Julia package), such a tail is bounded and k̂ = −1, the shape of a uniform distribution,
//! with the weights left as they are.
//!
//! References:
//! - Yao, Vehtari, Simpson & Gelman (2018), "Yes, but did it work?: Evaluating variational
//!   inference", ICML, PMLR 80:5581–5590.
//! - Vehtari, Simpson, Gelman, Yao & Gabry (2024), "Pareto smoothed importance sampling",
//!   JMLR 25(72):1–58.
//! - Zhang & Stephens (2009), "A new and efficient estimation method for the generalized
//!   Pareto distribution", Technometrics 51(3):316–325.

use crate::ad::log_sum_exp;

/// The fewest draws [`pareto_k`] accepts: 21, the smallest S whose tail
/// M = ⌈min(S/5, 3√S)⌉ holds 5 draws, the fewest the reference implementations fit a
/// generalised Pareto distribution to (ArviZ's `tail_len <= 4`, `loo`'s
/// `enough_tail_samples`): a shape and a scale fitted to four or fewer ratios say nothing
/// about the tail.
pub const MIN_DRAWS: usize = 21;

/// Fewest tail draws a generalised Pareto distribution is fitted to.
const MIN_TAIL: usize = 5;

/// k̂ above this: "usable with care" (Yao et al. 2018): the ratios' variance is infinite, but
/// the PSIS estimate still converges, more slowly.
pub const K_CAUTION: f64 = 0.5;

/// k̂ above this: "do not trust" (Yao et al. 2018): the bias of the PSIS estimate dominates
/// (Vehtari et al. 2024, §3.2.3), and the guide is far from the posterior.
pub const K_DO_NOT_TRUST: f64 = 0.7;

/// Why [`pareto_k`] cannot judge the log weights.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiagnosticError {
    /// Fewer than [`MIN_DRAWS`] draws: the tail would hold fewer than 5 ratios.
    #[error(
        "{draws} draws are too few: Pareto k needs at least {min} so that its tail holds 5 \
         ratios"
    )]
    TooFewDraws {
        /// The number of log weights given.
        draws: usize,
        /// [`MIN_DRAWS`].
        min: usize,
    },
    /// A log weight is NaN or +∞ (−∞ is a legitimate zero weight).
    #[error("log weight {index} is {value}: log importance ratios must be finite or -inf")]
    InvalidLogWeight {
        /// Its index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Every log weight is −∞: p(x, z) = 0 at every draw from q.
    #[error("all {draws} log weights are -inf: the target is zero at every draw of the guide")]
    AllZeroWeights {
        /// The number of log weights given.
        draws: usize,
    },
}

/// What the Pareto k̂ says of the importance ratios (and so of the guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// k̂ ≤ 0.5 (and below the sample-size threshold): finite variance, reliable.
    Good,
    /// 0.5 < k̂ ≤ [`khat_threshold`]: usable with care.
    UsableWithCare,
    /// [`khat_threshold`] < k̂ ≤ 0.7: too few draws for a reliable estimate at this k̂; more
    /// draws may make it reliable.
    MoreDrawsNeeded,
    /// k̂ > 0.7: do not trust the importance-weighted estimates nor the guide.
    DoNotTrust,
}

/// The Pareto k̂ diagnostic of a set of log importance ratios and their smoothed weights.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoK {
    /// The shape estimate k̂. Never NaN: +∞ when the tail could not be fitted (fewer than 5
    /// ratios strictly above the cutoff, or a fit that is not finite), as `loo`; −1 when the
    /// M + 1 largest ratios are all equal (bounded ratios), as PSIS.jl.
    pub k: f64,
    /// Number of ratios in the tail: M, or fewer when ratios tie at the cutoff or zero
    /// weights reach into the M + 1 largest.
    pub tail_len: usize,
    /// Pareto-smoothed, truncated and normalised log weights, in the order of the input
    /// (log-sum-exp 0; a −∞ input stays −∞).
    pub log_weights: Vec<f64>,
    /// Effective sample size of the smoothed weights, 1 / Σ w_s² (S when all are equal).
    pub ess: f64,
}

impl ParetoK {
    /// Classifies [`k`](Self::k) with [`K_CAUTION`], [`khat_threshold`] of the number of
    /// draws and [`K_DO_NOT_TRUST`].
    pub fn verdict(&self) -> Verdict {
        if self.k > K_DO_NOT_TRUST {
            Verdict::DoNotTrust
        } else if self.k > khat_threshold(self.log_weights.len()) {
            Verdict::MoreDrawsNeeded
        } else if self.k > K_CAUTION {
            Verdict::UsableWithCare
        } else {
            Verdict::Good
        }
    }
}

/// The sample-size-dependent k̂ threshold min(1 − 1/log₁₀ S, 0.7): above it, S draws are too
/// few for a small probability of a large error (Vehtari et al. 2024, §3.2.4, eq. (13), capped
/// at 0.7 as `loo`'s `ps_khat_threshold`). It is ≤ 0 for 1 ≤ S ≤ 10 (−∞ at S = 1), 0.5 at
/// S = 100, and 0.7 from S ≈ 2154 on.
pub fn khat_threshold(draws: usize) -> f64 {
    // Vehtari et al. (2024) eq. (13): k < 1 − 1/log10(S).
    (1.0 - 1.0 / (draws as f64).log10()).min(K_DO_NOT_TRUST)
}

/// The tail length M = ⌈min(S/5, 3√S)⌉ the generalised Pareto distribution is fitted to
/// (Vehtari et al. 2024, with r_eff = 1; `loo`'s `n_pareto`, ArviZ's `psislw`).
pub fn tail_length(draws: usize) -> usize {
    let s = draws as f64;
    // M = ⌈min(0.2 S, 3 √S)⌉ (Vehtari et al. 2024; S/5 as ArviZ, the same for every S).
    (s / 5.0).min(3.0 * s.sqrt()).ceil() as usize
}

/// Pareto-smoothed importance sampling of the log importance ratios
/// log p(x, z_s) − log q(z_s) of S draws z_s from q: the shape k̂ of the ratios' tail, the
/// smoothed normalised log weights and their effective sample size. See the module docs.
///
/// # Errors
///
/// [`DiagnosticError::TooFewDraws`] for fewer than [`MIN_DRAWS`] log weights,
/// [`DiagnosticError::InvalidLogWeight`] for the first NaN or +∞ and
/// [`DiagnosticError::AllZeroWeights`] when every log weight is −∞.
pub fn pareto_k(log_weights: &[f64]) -> Result<ParetoK, DiagnosticError> {
    let max = validate(log_weights)?;
    // r_s / max r, for stable exponentials (loo's do_psis_i, ArviZ's _psislw).
    let mut x: Vec<f64> = log_weights.iter().map(|lw| lw - max).collect();
    let (k, tail_len) = smooth_tail(&mut x, tail_length(log_weights.len()));
    // Self-normalised weights w_s = r̃_s / Σ r̃ (Vehtari et al. 2024, eq. (1)).
    let norm = log_sum_exp(&x);
    x.iter_mut().for_each(|lw| *lw -= norm);
    // PSIS effective sample size 1 / Σ w_s² (Vehtari et al. 2024; loo's psis_n_eff).
    let ess = 1.0 / x.iter().map(|lw| (2.0 * lw).exp()).sum::<f64>();
    Ok(ParetoK {
        k,
        tail_len,
        log_weights: x,
        ess,
    })
}

/// The Monte Carlo ELBO estimate from the log importance ratios log p(x, z_s) − log q(z_s),
/// z_s ~ q, and its Monte Carlo standard error: `(mean, sd / √n)` with the sample standard
/// deviation (denominator n − 1) over the n finite log weights.
///
/// A −∞ log weight (a draw where p(x, z) = 0) makes the mean −∞, the ELBO being −∞ then;
/// the standard error is still that of the finite ones. A NaN or +∞ gives `(NaN, NaN)`
/// ([`pareto_k`] names its index). The standard error is NaN with fewer than two finite
/// values; the mean is NaN for no values.
pub fn elbo_estimate(log_weights: &[f64]) -> (f64, f64) {
    if log_weights
        .iter()
        .any(|lw| lw.is_nan() || *lw == f64::INFINITY)
    {
        return (f64::NAN, f64::NAN);
    }
    let finite: Vec<f64> = log_weights
        .iter()
        .copied()
        .filter(|lw| lw.is_finite())
        .collect();
    let n = finite.len() as f64;
    // ELBO = E_q[log p(x, z) − log q(z)] (Yao et al. 2018), estimated by the sample mean.
    let mean = finite.iter().sum::<f64>() / n;
    // Sample variance (n − 1 denominator) of the finite log weights.
    let var = finite.iter().map(|lw| (lw - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = if finite.len() < 2 {
        f64::NAN
    } else {
        (var / n).sqrt()
    };
    if finite.len() < log_weights.len() {
        (f64::NEG_INFINITY, se)
    } else {
        (mean, se)
    }
}

/// Checks the log weights and returns the largest.
fn validate(log_weights: &[f64]) -> Result<f64, DiagnosticError> {
    if log_weights.len() < MIN_DRAWS {
        return Err(DiagnosticError::TooFewDraws {
            draws: log_weights.len(),
            min: MIN_DRAWS,
        });
    }
    let mut max = f64::NEG_INFINITY;
    for (index, &value) in log_weights.iter().enumerate() {
        if value.is_nan() || value == f64::INFINITY {
            return Err(DiagnosticError::InvalidLogWeight { index, value });
        }
        max = max.max(value);
    }
    if max == f64::NEG_INFINITY {
        return Err(DiagnosticError::AllZeroWeights {
            draws: log_weights.len(),
        });
    }
    Ok(max)
}

/// Replaces the largest log ratios in `x` (shifted so that its maximum is 0) by the log
/// quantiles of the generalised Pareto distribution fitted to them, truncated at 0, as
/// ArviZ's `_psislw`. Returns k̂ and the number of ratios in the tail.
fn smooth_tail(x: &mut [f64], m: usize) -> (f64, usize) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    // Cutoff: the (M + 1)-th largest log ratio, at least ln of the smallest normal double
    // (ArviZ `cutoffmin`), so that its exponential is positive.
    let cutoff = x[order[x.len() - m - 1]].max(f64::MIN_POSITIVE.ln());
    let exp_cutoff = cutoff.exp();
    if exp_cutoff == 1.0 {
        // The M + 1 largest ratios equal the maximum: a bounded tail, k = −1 (PSIS.jl).
        return (-1.0, m);
    }
    let tail = &order[order.partition_point(|&i| x[i] <= cutoff)..];
    if tail.len() < MIN_TAIL {
        return (f64::INFINITY, tail.len());
    }
    // Vehtari et al. (2024) §3: fit to the exceedances r_s − r_cutoff, in ascending order.
    let excess: Vec<f64> = tail.iter().map(|&i| x[i].exp() - exp_cutoff).collect();
    let Some((k, sigma)) = gpd_fit(&excess) else {
        return (f64::INFINITY, tail.len());
    };
    let len = tail.len() as f64;
    for (j, &i) in tail.iter().enumerate() {
        // Vehtari et al. (2024) §3: z-th smallest tail ratio ← r_cutoff + F⁻¹((z − ½)/M).
        let smoothed = gpd_quantile((j as f64 + 0.5) / len, k, sigma) + exp_cutoff;
        // Vehtari et al. (2024) §3: truncate at the largest raw ratio (here 1, log 0).
        x[i] = smoothed.ln().min(0.0);
    }
    (k, tail.len())
}

/// Zhang & Stephens's (2009) empirical-Bayes estimate of the generalised Pareto shape k and
/// scale σ from positive exceedances sorted in ascending order (at least [`MIN_TAIL`]), with
/// k pulled towards 0.5 by the weakly informative prior of Vehtari et al. (2024). The sign of
/// k is that of `loo` (k > 0 is a heavy tail), the negative of Zhang & Stephens's. As ArviZ's
/// `_gpdfit`; `None` when the fit is not finite.
fn gpd_fit(x: &[f64]) -> Option<(f64, f64)> {
    let n = x.len() as f64;
    // m = 30 + ⌊√n⌋ grid points for θ (posterior's gpdfit and ArviZ's _gpdfit).
    let grid = 30 + n.sqrt() as usize;
    // Zhang & Stephens (2009) §4: the first quartile x_(⌊n/4 + ½⌋) and the maximum x_(n).
    let (quartile, largest) = (x[(n / 4.0 + 0.5) as usize - 1], x[x.len() - 1]);
    let theta: Vec<f64> = (1..=grid)
        .map(|j| {
            // Zhang & Stephens (2009) §4: θ_j = 1/x_(n) + (1 − √(m / (j − ½))) / (3 x_(n/4)).
            (1.0 - (grid as f64 / (j as f64 - 0.5)).sqrt()) / (3.0 * quartile) + 1.0 / largest
        })
        .collect();
    // Zhang & Stephens (2009) §4: k(θ) = mean log(1 − θ x_i) (here −k of their k).
    let k_of = |t: f64| x.iter().map(|xi| (-t * xi).ln_1p()).sum::<f64>() / n;
    // Zhang & Stephens (2009) §4: profile log-likelihood l(θ) = n (log(−θ/k) − k − 1).
    let profile: Vec<f64> = theta
        .iter()
        .map(|&t| {
            let k = k_of(t);
            n * ((-(t / k)).ln() - k - 1.0)
        })
        .collect();
    // Zhang & Stephens (2009) §4: posterior weights w_j ∝ exp(l(θ_j)), the negligible ones
    // (below 10 ε, as ArviZ) dropped and the rest renormalised.
    let lse = log_sum_exp(&profile);
    let kept: Vec<(f64, f64)> = theta
        .iter()
        .zip(&profile)
        .map(|(&t, l)| (t, (l - lse).exp()))
        .filter(|&(_, w)| w >= 10.0 * f64::EPSILON)
        .collect();
    let total: f64 = kept.iter().map(|&(_, w)| w).sum();
    // Zhang & Stephens (2009) §4: θ̂ = Σ θ_j w_j, k̂ = k(θ̂), σ̂ = −k̂ / θ̂.
    let theta_hat = kept.iter().map(|&(t, w)| t * w).sum::<f64>() / total;
    let k = k_of(theta_hat);
    let sigma = -k / theta_hat;
    // Weakly informative prior (Vehtari et al. 2024; loo): k̂ = (n k + 10 · 0.5) / (n + 10).
    let k = (n * k + 10.0 * 0.5) / (n + 10.0);
    (k.is_finite() && sigma.is_finite() && sigma > 0.0).then_some((k, sigma))
}

/// Quantile function of the generalised Pareto distribution with location 0, shape k and
/// scale σ, at p in (0, 1), as ArviZ's `_gpinv`.
fn gpd_quantile(p: f64, k: f64, sigma: f64) -> f64 {
    if k.abs() < f64::EPSILON {
        // Exponential limit k → 0: F⁻¹(p) = −σ log(1 − p).
        -(-p).ln_1p() * sigma
    } else {
        // Generalised Pareto: F⁻¹(p) = σ ((1 − p)^(−k) − 1) / k.
        (-k * (-p).ln_1p()).exp_m1() / k * sigma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpd_quantile_closed_forms() {
        for p in [0.01_f64, 0.3, 0.5, 0.9, 0.999] {
            // k = 0.5: σ ((1 − p)^(−½) − 1) / ½; k = −1: uniform on [0, σ]; k = 0: exponential.
            let half = 2.0 * ((1.0 - p).powf(-0.5) - 1.0) * 3.0;
            assert!((gpd_quantile(p, 0.5, 3.0) - half).abs() < 1e-12 * half.max(1.0));
            assert!((gpd_quantile(p, -1.0, 3.0) - 3.0 * p).abs() < 1e-14);
            let exponential = -3.0 * (1.0 - p).ln();
            assert!((gpd_quantile(p, 0.0, 3.0) - exponential).abs() < 1e-12);
            // Continuous through the k → 0 branch.
            assert!((gpd_quantile(p, 1e-9, 3.0) - exponential).abs() < 1e-7);
        }
    }

    #[test]
    fn gpd_fit_without_a_finite_fit_is_none() {
        // A zero first quartile makes θ infinite and the profile likelihood NaN.
        assert_eq!(gpd_fit(&[0.0, 0.0, 0.0, 1.0, 2.0]), None);
        assert!(gpd_fit(&[0.1, 0.2, 0.3, 0.5, 0.8]).is_some());
    }

    #[test]
    fn smooth_tail_keeps_order_and_truncates_at_the_largest_ratio() {
        // Exceedances of a heavy tail: the smoothed tail keeps the order of the raw ratios and
        // no smoothed log ratio exceeds the largest raw one, 0.
        let mut x: Vec<f64> = (0..100)
            .map(|i| -8.0 + 8.0 * (i as f64 / 99.0).powi(3))
            .collect();
        let (k, len) = smooth_tail(&mut x, tail_length(100));
        assert!(k.is_finite() && len == 20, "k {k}, tail {len}");
        assert!(x.windows(2).all(|w| w[0] <= w[1]) && x[99] <= 0.0);
    }
}
