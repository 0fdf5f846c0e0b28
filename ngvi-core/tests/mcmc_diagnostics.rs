//! Split-R̂ and effective sample sizes (`diagnostics::mcmc`) against ArviZ 0.22 on fixed
//! chains, and their behaviour on i.i.d. draws and on chains that disagree.

use ngvi_core::diagnostics::mcmc::{ess_bulk, ess_mean, normal_quantile, rhat};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// m chains of n draws of x_i = ρ x_{i−1} + (u_i − ½), u_i from the LCG
/// s ← (1103515245 s + 12345) mod 2³¹, the last chain shifted by `shift`: exactly the arrays
/// the ArviZ script below builds.
///
/// ```python
/// import numpy as np, arviz as az
/// def lcg_chains(m, n, rho, shift, seed):
///     s = seed; out = np.zeros((m, n))
///     for c in range(m):
///         x = 0.0
///         for i in range(n):
///             s = (s * 1103515245 + 12345) % 2147483648
///             x = rho * x + (s / 2147483648.0 - 0.5)
///             out[c, i] = x + (shift if c == m - 1 else 0.0)
///     return out
/// a = lcg_chains(4, 100, 0.9, 0.0, 2)  # for instance
/// az.rhat(a, method="rank"), az.ess(a, method="bulk"), az.ess(a, method="mean")
/// ```
fn lcg_chains(m: usize, n: usize, rho: f64, shift: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut s = seed;
    (0..m)
        .map(|c| {
            let mut x = 0.0;
            (0..n)
                .map(|_| {
                    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
                    x = rho * x + (s as f64 / 2_147_483_648.0 - 0.5);
                    x + if c == m - 1 { shift } else { 0.0 }
                })
                .collect()
        })
        .collect()
}

fn slices(chains: &[Vec<f64>]) -> Vec<&[f64]> {
    chains.iter().map(Vec::as_slice).collect()
}

fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-10 * want.abs(),
        "got {got}, ArviZ gives {want}"
    );
}

#[test]
fn matches_arviz() {
    // (chains, R̂ rank, ESS bulk, ESS mean) from ArviZ 0.22.0.
    let ties: Vec<Vec<f64>> = lcg_chains(3, 51, 0.5, 0.0, 4)
        .into_iter()
        .map(|c| c.into_iter().map(|x| (x * 4.0).floor()).collect())
        .collect();
    let cases = [
        (
            lcg_chains(4, 100, 0.0, 0.0, 1),
            1.0135520222075782,
            369.8043769642404,
            354.1914304997155,
        ),
        (
            lcg_chains(4, 100, 0.9, 0.0, 2),
            1.050607052818359,
            56.1756337811198,
            54.85161755804511,
        ),
        (
            lcg_chains(4, 100, 0.5, 2.0, 3),
            1.5454943383837993,
            7.803039192190107,
            5.029937735544681,
        ),
        (
            ties,
            1.0185318251241062,
            102.93357965085293,
            103.4574952144852,
        ),
    ];
    for (chains, r, bulk, mean) in &cases {
        let c = slices(chains);
        close(rhat(&c), *r);
        close(ess_bulk(&c), *bulk);
        close(ess_mean(&c), *mean);
    }
}

#[test]
fn iid_normal_draws_have_rhat_one_and_ess_n() {
    let mut rng = StdRng::seed_from_u64(11);
    let chains: Vec<Vec<f64>> = (0..4)
        .map(|_| (0..1000).map(|_| StandardNormal.sample(&mut rng)).collect())
        .collect();
    let c = slices(&chains);
    let r = rhat(&c);
    assert!((r - 1.0).abs() < 0.01, "R-hat {r}");
    for ess in [ess_bulk(&c), ess_mean(&c)] {
        assert!(
            (3400.0..4600.0).contains(&ess),
            "ESS {ess} of 4000 i.i.d. draws"
        );
    }
}

#[test]
fn chains_with_different_means_have_large_rhat() {
    let mut rng = StdRng::seed_from_u64(12);
    let chains: Vec<Vec<f64>> = (0..4)
        .map(|k| {
            (0..500)
                .map(|_| {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z + 3.0 * k as f64
                })
                .collect()
        })
        .collect();
    let r = rhat(&slices(&chains));
    assert!(r > 2.0, "R-hat {r}");
}

#[test]
fn autocorrelated_draws_have_the_ar1_ess() {
    // AR(1) with ρ = 0.8: ESS ≈ N (1 − ρ) / (1 + ρ) = N / 9.
    let mut rng = StdRng::seed_from_u64(13);
    let chains: Vec<Vec<f64>> = (0..4)
        .map(|_| {
            let mut x = 0.0;
            (0..5000)
                .map(|_| {
                    let e: f64 = StandardNormal.sample(&mut rng);
                    x = 0.8 * x + 0.6 * e;
                    x
                })
                .collect()
        })
        .collect();
    let ess = ess_mean(&slices(&chains));
    let expected = 20_000.0 / 9.0;
    assert!(
        (ess / expected - 1.0).abs() < 0.15,
        "ESS {ess}, expected ≈ {expected}"
    );
}

#[test]
fn too_short_or_non_finite_chains_give_nan() {
    let short = [vec![1.0, 2.0, 3.0], vec![2.0, 1.0, 0.5]];
    assert!(rhat(&slices(&short)).is_nan());
    assert!(ess_bulk(&slices(&short)).is_nan());
    let bad = [vec![1.0, 2.0, f64::NAN, 3.0, 4.0]];
    assert!(rhat(&slices(&bad)).is_nan());
    assert!(rhat(&[]).is_nan());
}

#[test]
fn constant_chains_count_every_draw() {
    let flat = [vec![2.0; 10], vec![2.0; 10]];
    assert_eq!(ess_bulk(&slices(&flat)), 20.0);
}

#[test]
fn normal_quantile_matches_known_values() {
    // Φ⁻¹ of these doubles to 16 digits (SciPy's norm.ppf).
    for (p, z) in [
        (0.5, 0.0),
        (0.975, 1.959963984540054),
        (0.9, 1.2815515655446004),
        (0.01, -2.3263478740408408),
        (1e-10, -6.361340902404056),
        (1.0 - 1e-6, 4.753424308817087),
        (0.3, -0.5244005127080409),
    ] {
        let got = normal_quantile(p);
        assert!(
            (got - z).abs() <= 1e-14 * z.abs().max(1.0),
            "Φ⁻¹({p}) = {got}, want {z}"
        );
    }
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert!(normal_quantile(1.5).is_nan());
}
