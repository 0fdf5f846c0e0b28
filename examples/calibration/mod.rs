//! Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) and
//! interval coverage, shared by `examples/sbc.rs` and `tests/calibration.rs`.
//!
//! SBC: draw θ from the prior, data from the model given θ, fit, and take the rank of θ
//! among L posterior draws. When the fit is the exact posterior the rank is uniform on
//! {0, …, L}, whatever the model; a χ² test on binned ranks checks it.
//!
//! Coverage: over simulated data sets, the share of true values inside the central 50 % and
//! 90 % posterior intervals; for an exact posterior it is 50 % and 90 % within binomial
//! error. Non-conjugate fits (logistic regression, eight schools) are approximate, and the
//! figures say how far.
// The test uses part of this module, the example all of it.
#![allow(dead_code)]

use ngvi::dist::{Beta, Gamma, HalfCauchy, Normal, Poisson, Sampling};
use ngvi::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

model! {
    /// n coin flips, p ~ Beta(2, 2).
    pub fn sbc_coin(y: &[f64]) {
        sample p ~ Beta(2.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(p);
        }
    }
}

model! {
    /// Counts, rate ~ Gamma(3, 1).
    pub fn sbc_counts(y: &[f64]) {
        sample lam ~ Gamma(3.0, 1.0);
        for i in 0..y.len() {
            observe y[i] ~ Poisson(lam);
        }
    }
}

model! {
    /// Normal data with sd 1, mean ~ Normal(0, 2).
    pub fn sbc_normal(y: &[f64]) {
        sample mu ~ Normal(0.0, 2.0);
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

model! {
    /// Logistic regression without intercept, weights ~ Normal(0, 1).
    pub fn sbc_logistic(x: &DMatrix<f64>, y: &[f64]) {
        sample w[x.ncols()] ~ Normal(0.0, 1.0);
        for i in 0..y.len() {
            let mut eta = 0.0;
            for j in 0..x.ncols() {
                eta += x[(i, j)] * w[j];
            }
            observe y[i] ~ BernoulliLogit(eta);
        }
    }
}

model! {
    /// Eight schools, non-centred.
    pub fn sbc_eight_schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            let theta = mu + tau * eta[j];
            observe y[j] ~ Normal(theta, sigma[j]);
        }
    }
}

/// The standard errors of the eight schools data set.
pub const SCHOOL_SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// The data generator of simulation `s` (its own stream, apart from the fit's seed).
fn data_rng(seed: u64, s: usize) -> StdRng {
    StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (s as u64 + 1))
}

/// Rank of `truth` among `draws`: how many are below it (0 ..= draws.len()).
pub fn rank(truth: f64, draws: &[f64]) -> usize {
    draws.iter().filter(|&&d| d < truth).count()
}

/// Pearson's χ² of `ranks` (each in 0 ..= max_rank) against the uniform, in `bins` equal
/// bins (bins must divide max_rank + 1).
pub fn chi_square(ranks: &[usize], max_rank: usize, bins: usize) -> f64 {
    assert_eq!(
        (max_rank + 1) % bins,
        0,
        "bins must divide the number of ranks"
    );
    let width = (max_rank + 1) / bins;
    let mut counts = vec![0usize; bins];
    for &r in ranks {
        counts[r / width] += 1;
    }
    let expected = ranks.len() as f64 / bins as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// The 0.999 quantile of χ² with 9 degrees of freedom (10 bins).
pub const CHI2_9_999: f64 = 27.877;

/// SBC ranks for one of the conjugate models: `sims` simulations of `n` observations, `l`
/// posterior draws each.
pub fn sbc_ranks(which: Conjugate, sims: usize, n: usize, l: usize, seed: u64) -> Vec<usize> {
    (0..sims)
        .map(|s| {
            let mut rng = data_rng(seed, s);
            let ngvi = Ngvi::new().seed(seed ^ s as u64).draws(l);
            let (truth, draws) = match which {
                Conjugate::BetaBernoulli => {
                    let p = Beta::new(2.0, 2.0).unwrap().sample(&mut rng);
                    let flip = ngvi::dist::Bernoulli::new(p).unwrap();
                    let y: Vec<f64> = (0..n).map(|_| flip.sample(&mut rng)).collect();
                    let fit = ngvi.fit(&sbc_coin(&y)).expect("fit");
                    (p, fit.draws("p").unwrap())
                }
                Conjugate::GammaPoisson => {
                    let lam = Gamma::new(3.0, 1.0).unwrap().sample(&mut rng);
                    let count = Poisson::new(lam).unwrap();
                    let y: Vec<f64> = (0..n).map(|_| count.sample(&mut rng)).collect();
                    let fit = ngvi.fit(&sbc_counts(&y)).expect("fit");
                    (lam, fit.draws("lam").unwrap())
                }
                Conjugate::NormalKnownSd => {
                    let mu = Normal::new(0.0, 2.0).unwrap().sample(&mut rng);
                    let obs = Normal::new(mu, 1.0).unwrap();
                    let y: Vec<f64> = (0..n).map(|_| obs.sample(&mut rng)).collect();
                    let fit = ngvi.fit(&sbc_normal(&y)).expect("fit");
                    (mu, fit.draws("mu").unwrap())
                }
            };
            let draws: Vec<f64> = draws.iter().map(|d| d[0]).collect();
            rank(truth, &draws)
        })
        .collect()
}

/// The conjugate models of the SBC check.
#[derive(Debug, Clone, Copy)]
pub enum Conjugate {
    BetaBernoulli,
    GammaPoisson,
    NormalKnownSd,
}

/// How often the central 50 % and 90 % intervals held the truth, per parameter.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Parameter names, in order.
    pub names: Vec<String>,
    /// Hits of the 50 % and the 90 % interval, per parameter.
    pub hits50: Vec<usize>,
    pub hits90: Vec<usize>,
    /// Data sets fitted.
    pub fits: usize,
    /// Fits that ended other than `Converged`, and fits that failed with an error.
    pub not_converged: usize,
    pub errors: usize,
    /// Largest Pareto k̂ seen, and how many fits had k̂ > 0.7.
    pub worst_k: f64,
    pub k_above_07: usize,
    /// Hits of the 50 % and 90 % intervals, pooled over the parameters, among the fits
    /// with k̂ ≤ 0.7 (or no k̂) and among those with k̂ > 0.7.
    pub trusted: (usize, usize),
    pub flagged: (usize, usize),
}

impl Coverage {
    fn record(&mut self, fit: &Fit, truths: &[(String, f64)], components: &[(&str, usize)]) {
        if self.names.is_empty() {
            self.names = truths.iter().map(|(n, _)| n.clone()).collect();
            self.hits50 = vec![0; truths.len()];
            self.hits90 = vec![0; truths.len()];
        }
        self.fits += 1;
        if !fit.stop_reason().is_converged() {
            self.not_converged += 1;
        }
        let flagged = fit.pareto_k().is_some_and(|k| k > 0.7);
        if let Some(k) = fit.pareto_k() {
            self.worst_k = self.worst_k.max(k);
        }
        if flagged {
            self.k_above_07 += 1;
        }
        for (p, ((_, truth), &(latent, i))) in truths.iter().zip(components).enumerate() {
            let q = |level: f64| fit.quantile(latent, level).unwrap()[i];
            let tally = if flagged {
                &mut self.flagged
            } else {
                &mut self.trusted
            };
            if (q(0.25)..=q(0.75)).contains(truth) {
                self.hits50[p] += 1;
                tally.0 += 1;
            }
            if (q(0.05)..=q(0.95)).contains(truth) {
                self.hits90[p] += 1;
                tally.1 += 1;
            }
        }
    }

    /// Coverage of parameter p at the 50 % and 90 % levels.
    pub fn rates(&self, p: usize) -> (f64, f64) {
        let n = self.fits as f64;
        (self.hits50[p] as f64 / n, self.hits90[p] as f64 / n)
    }

    /// Coverage pooled over the parameters.
    pub fn pooled(&self) -> (f64, f64) {
        let n = (self.fits * self.names.len()) as f64;
        (
            self.hits50.iter().sum::<usize>() as f64 / n,
            self.hits90.iter().sum::<usize>() as f64 / n,
        )
    }

    /// A table: each parameter's coverage with the binomial standard error of the nominal.
    pub fn table(&self, title: &str) -> String {
        let n = self.fits as f64;
        let se50 = (0.25 / n).sqrt();
        let se90 = (0.09 / n).sqrt();
        let mut out =
            format!(
            "{title}: {} data sets; {} not converged, {} errors; k̂ > 0.7 in {}, largest k̂ {:.2}\n\
             nominal 50 % ± {:.3} (1 binomial se), 90 % ± {:.3}\n\
             {:<10} {:>8} {:>8}\n",
            self.fits, self.not_converged, self.errors, self.k_above_07, self.worst_k, se50, se90,
            "parameter", "50 %", "90 %"
        );
        for (p, name) in self.names.iter().enumerate() {
            let (a, b) = self.rates(p);
            out += &format!("{name:<10} {a:>8.3} {b:>8.3}\n");
        }
        let (a, b) = self.pooled();
        out += &format!("{:<10} {a:>8.3} {b:>8.3}\n", "pooled");
        let k = self.names.len();
        for (label, fits, (h50, h90)) in [
            ("k̂ ≤ 0.7", self.fits - self.k_above_07, self.trusted),
            ("k̂ > 0.7", self.k_above_07, self.flagged),
        ] {
            if fits > 0 {
                let n = (fits * k) as f64;
                out += &format!(
                    "{label:<10} {:>8.3} {:>8.3}   (pooled over the {fits} fits with {label})\n",
                    h50 as f64 / n,
                    h90 as f64 / n
                );
            }
        }
        out
    }
}

/// Coverage for logistic regression: D weights ~ N(0, 1), N rows of x ~ N(0, 1).
pub fn logistic_coverage(sims: usize, d: usize, n: usize, seed: u64) -> Coverage {
    let mut cov = Coverage::default();
    let std = Normal::new(0.0, 1.0).unwrap();
    for s in 0..sims {
        let mut rng = data_rng(seed, s);
        let w: Vec<f64> = (0..d).map(|_| std.sample(&mut rng)).collect();
        let x = DMatrix::from_fn(n, d, |_, _| std.sample(&mut rng));
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let eta: f64 = (0..d).map(|j| x[(i, j)] * w[j]).sum();
                ngvi::dist::BernoulliLogit::new(eta)
                    .unwrap()
                    .sample(&mut rng)
            })
            .collect();
        match Ngvi::new().seed(seed ^ s as u64).fit(&sbc_logistic(&x, &y)) {
            Ok(fit) => {
                let truths: Vec<(String, f64)> = w
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| (format!("w[{j}]"), v))
                    .collect();
                let components: Vec<(&str, usize)> = (0..d).map(|j| ("w", j)).collect();
                cov.record(&fit, &truths, &components);
            }
            Err(_) => cov.errors += 1,
        }
    }
    cov
}

/// Coverage for eight schools (non-centred), the classic standard errors.
pub fn eight_schools_coverage(sims: usize, seed: u64) -> Coverage {
    let mut cov = Coverage::default();
    let (std, mu_prior, tau_prior) = (
        Normal::new(0.0, 1.0).unwrap(),
        Normal::new(0.0, 5.0).unwrap(),
        HalfCauchy::new(5.0).unwrap(),
    );
    for s in 0..sims {
        let mut rng = data_rng(seed, s);
        let mu = mu_prior.sample(&mut rng);
        let tau = tau_prior.sample(&mut rng);
        let eta: Vec<f64> = (0..8).map(|_| std.sample(&mut rng)).collect();
        let y: Vec<f64> = (0..8)
            .map(|j| mu + tau * eta[j] + SCHOOL_SIGMA[j] * std.sample(&mut rng))
            .collect();
        match Ngvi::new()
            .seed(seed ^ s as u64)
            .fit(&sbc_eight_schools(&y, &SCHOOL_SIGMA))
        {
            Ok(fit) => {
                let mut truths = vec![("mu".to_string(), mu), ("tau".to_string(), tau)];
                let mut components = vec![("mu", 0), ("tau", 0)];
                for (j, &e) in eta.iter().enumerate() {
                    truths.push((format!("eta[{j}]"), e));
                    components.push(("eta", j));
                }
                cov.record(&fit, &truths, &components);
            }
            Err(_) => cov.errors += 1,
        }
    }
    cov
}
