//! Convergence diagnostics of Markov chains, as Vehtari, Gelman, Simpson, Carpenter &
//! Bürkner (2021), "Rank-normalization, folding, and localization: an improved R̂ for
//! assessing convergence of MCMC", and as ArviZ and the R package posterior compute them:
//! rank-normalised split-R̂ (the larger of the bulk and the folded, tail, R̂), bulk ESS,
//! and the ESS of the mean (for its Monte Carlo standard error).
//!
//! Each function takes the chains of one scalar quantity, one slice per chain. Chains of
//! different lengths are cut to the shortest. Every chain is split in halves (the middle
//! draw of an odd length dropped), so a chain needs at least 4 draws; with fewer, or with a
//! non-finite draw, the result is NaN.

/// Rank-normalised split-R̂: the larger of the R̂ of the rank-normalised split chains (bulk)
/// and of the rank-normalised |x − median| (tail). Close to 1 when the chains agree; Vehtari
/// et al. recommend trusting draws only below 1.01.
pub fn rhat(chains: &[&[f64]]) -> f64 {
    let Some(split) = split_chains(chains) else {
        return f64::NAN;
    };
    let bulk = basic_rhat(&rank_normalise(&split));
    let median = median(split.iter().flatten().copied().collect());
    let folded: Vec<Vec<f64>> = split
        .iter()
        .map(|c| c.iter().map(|x| (x - median).abs()).collect())
        .collect();
    let tail = basic_rhat(&rank_normalise(&folded));
    bulk.max(tail)
}

/// Bulk effective sample size: the ESS of the rank-normalised split chains.
pub fn ess_bulk(chains: &[&[f64]]) -> f64 {
    match split_chains(chains) {
        Some(split) => ess(&rank_normalise(&split)),
        None => f64::NAN,
    }
}

/// Effective sample size of the mean: the ESS of the split chains, not rank-normalised. The
/// Monte Carlo standard error of the mean is sd / √(this).
pub fn ess_mean(chains: &[&[f64]]) -> f64 {
    match split_chains(chains) {
        Some(split) => ess(&split),
        None => f64::NAN,
    }
}

/// Each chain cut in halves (first ⌊n/2⌋ and last ⌊n/2⌋ draws); `None` when a half would
/// have fewer than 2 draws or a draw is not finite.
fn split_chains(chains: &[&[f64]]) -> Option<Vec<Vec<f64>>> {
    let n = chains.iter().map(|c| c.len()).min()?;
    let half = n / 2;
    if half < 2 || chains.iter().any(|c| c[..n].iter().any(|x| !x.is_finite())) {
        return None;
    }
    Some(
        chains
            .iter()
            .flat_map(|c| [c[..half].to_vec(), c[n - half..n].to_vec()])
            .collect(),
    )
}

/// Φ⁻¹((r − 3/8) / (S + 1/4)) of each draw's rank r among all S draws (ties get their
/// average rank), keeping the chains' layout.
fn rank_normalise(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let all: Vec<f64> = chains.iter().flatten().copied().collect();
    let s = all.len();
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| all[a].total_cmp(&all[b]));
    let mut rank = vec![0.0; s];
    let mut i = 0;
    while i < s {
        let mut j = i;
        while j + 1 < s && all[order[j + 1]] == all[order[i]] {
            j += 1;
        }
        // ranks i+1 ..= j+1 shared
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            rank[k] = average;
        }
        i = j + 1;
    }
    let z: Vec<f64> = rank
        .iter()
        .map(|r| normal_quantile((r - 0.375) / (s as f64 + 0.25)))
        .collect();
    let mut out = Vec::with_capacity(chains.len());
    let mut offset = 0;
    for c in chains {
        out.push(z[offset..offset + c.len()].to_vec());
        offset += c.len();
    }
    out
}

/// R̂ = √((n − 1)/n + B / (n W)), with B = n × the variance of the chain means and W the
/// mean of the chain variances (Gelman et al., BDA3 §11.4).
fn basic_rhat(chains: &[Vec<f64>]) -> f64 {
    let n = chains[0].len() as f64;
    let moments: Vec<(f64, f64)> = chains.iter().map(|c| mean_var(c)).collect();
    let means: Vec<f64> = moments.iter().map(|m| m.0).collect();
    let between = n * mean_var(&means).1;
    let within = moments.iter().map(|m| m.1).sum::<f64>() / moments.len() as f64;
    ((between / within + n - 1.0) / n).sqrt()
}

/// ESS = M N / τ̂ with τ̂ = −1 + 2 Σ ρ̂_t over Geyer's initial monotone sequence of paired
/// autocorrelations, ρ̂_t = 1 − (W − mean autocovariance at lag t) / var⁺ (Vehtari et al.
/// 2021, eq. 10; Stan's and ArviZ's estimator, with τ̂ at least 1 / log₁₀(M N)).
fn ess(chains: &[Vec<f64>]) -> f64 {
    let m = chains.len();
    let n = chains[0].len();
    let total = (m * n) as f64;
    let (lo, hi) = chains
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if hi - lo < 1e-15 {
        return total;
    }
    let centred: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / n as f64;
            c.iter().map(|x| x - mean).collect()
        })
        .collect();
    // The mean over chains of the biased (divided by n) autocovariance at lag t.
    let acov = |t: usize| -> f64 {
        centred
            .iter()
            .map(|c| {
                c[..n - t]
                    .iter()
                    .zip(&c[t..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            })
            .sum::<f64>()
            / (n as f64 * m as f64)
    };
    let nf = n as f64;
    let within = acov(0) * nf / (nf - 1.0);
    let chain_means: Vec<f64> = chains.iter().map(|c| c.iter().sum::<f64>() / nf).collect();
    let mut var_plus = within * (nf - 1.0) / nf;
    if m > 1 {
        var_plus += mean_var(&chain_means).1;
    }
    let rho = |t: usize| 1.0 - (within - acov(t)) / var_plus;

    let mut rho_hat = vec![0.0; n];
    rho_hat[0] = 1.0;
    let (mut even, mut odd) = (1.0, rho(1));
    rho_hat[1] = odd;
    // Geyer's initial positive sequence.
    let mut t = 1;
    while t + 3 < n && even + odd > 0.0 {
        even = rho(t + 1);
        odd = rho(t + 2);
        if even + odd >= 0.0 {
            rho_hat[t + 1] = even;
            rho_hat[t + 2] = odd;
        }
        t += 2;
    }
    let max_t = t - 1;
    if even > 0.0 {
        rho_hat[max_t] = even;
    }
    // Geyer's initial monotone sequence.
    let mut t = 1;
    while t + 2 < max_t {
        if rho_hat[t + 1] + rho_hat[t + 2] > rho_hat[t - 1] + rho_hat[t] {
            rho_hat[t + 1] = (rho_hat[t - 1] + rho_hat[t]) / 2.0;
            rho_hat[t + 2] = rho_hat[t + 1];
        }
        t += 2;
    }
    let tau = -1.0 + 2.0 * rho_hat[..max_t].iter().sum::<f64>() + rho_hat[max_t];
    total / tau.max(1.0 / total.log10())
}

/// Mean and variance (n − 1 in the denominator).
fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// The median (the mean of the two middle values for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1: Wichura's algorithm AS 241
/// (PPND16, Applied Statistics 37, 1988), relative error about 1e-16. The coefficients are
/// written as published, hence the lint's allowance.
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    fn ratio(num: &[f64; 8], den: &[f64; 8], r: f64) -> f64 {
        let poly = |c: &[f64; 8]| c.iter().rev().fold(0.0, |acc, &k| acc * r + k);
        poly(num) / poly(den)
    }
    if !(p > 0.0 && p < 1.0) {
        return match p {
            0.0 => f64::NEG_INFINITY,
            1.0 => f64::INFINITY,
            _ => f64::NAN,
        };
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return q * ratio(&A, &B, 0.180625 - q * q);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 {
        ratio(&C, &D, r - 1.6)
    } else {
        ratio(&E, &F, r - 5.0)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}
