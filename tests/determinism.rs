//! Determinism: the same seed gives the same bits — twice in one process, and in a child
//! process (this test binary run again with `NGVI_DETERMINISM_CHILD` set) — and different
//! seeds give different, unrelated draws.

use ngvi::prelude::*;

model! {
    /// Eight schools, non-centred: a non-conjugate fit with Monte Carlo phases, line
    /// searches and fresh draws, so every random stream is used.
    fn schools(y: &[f64], sigma: &[f64]) {
        sample mu ~ Normal(0.0, 5.0);
        sample tau ~ HalfCauchy(5.0);
        sample eta[y.len()] ~ Normal(0.0, 1.0);
        for j in 0..y.len() {
            observe y[j] ~ Normal(mu + tau * eta[j], sigma[j]);
        }
    }
}

model! {
    /// A Beta block (rejection-sampled draws) beside a Gaussian one.
    fn mixed(y: &[f64], flips: &[u8]) {
        sample p ~ Beta(2.0, 2.0);
        sample mu ~ Laplace(0.0, 1.0);
        for i in 0..flips.len() {
            observe flips[i] ~ Bernoulli(p);
        }
        for i in 0..y.len() {
            observe y[i] ~ Normal(mu, 1.0);
        }
    }
}

const Y: [f64; 4] = [2.0, -1.0, 5.0, 1.0];
const SIGMA: [f64; 4] = [5.0, 4.0, 6.0, 5.0];
const FLIPS: [u8; 6] = [1, 0, 1, 1, 0, 1];
const CHILD: &str = "NGVI_DETERMINISM_CHILD";

/// Every number a fit reports, as bits: draws, moments, ELBO trace, k̂, ELBO estimate,
/// iterations.
fn bits(fit: &Fit, names: &[&str]) -> Vec<u64> {
    let mut out = vec![fit.iterations() as u64];
    for name in names {
        for d in fit.draws(name).unwrap() {
            out.extend(d.iter().map(|x| x.to_bits()));
        }
        out.extend(fit.mean(name).unwrap().iter().map(|x| x.to_bits()));
        out.extend(fit.sd(name).unwrap().iter().map(|x| x.to_bits()));
    }
    out.extend(fit.elbo().iter().map(|x| x.to_bits()));
    out.push(fit.pareto_k().unwrap_or(f64::NAN).to_bits());
    let (e, se) = fit.elbo_estimate();
    out.extend([e.to_bits(), se.to_bits()]);
    out
}

/// FNV-1a over the bits, for a line of text a child process can print.
fn digest(bits: &[u64]) -> u64 {
    bits.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        b.to_le_bytes().iter().fold(h, |h, &byte| {
            (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    })
}

fn fit_bits(seed: u64) -> (Vec<u64>, Vec<u64>) {
    let a = Ngvi::new()
        .seed(seed)
        .draws(500)
        .fit(&schools(&Y, &SIGMA))
        .unwrap();
    let b = Ngvi::new()
        .seed(seed)
        .draws(500)
        .fit(&mixed(&Y, &FLIPS))
        .unwrap();
    (bits(&a, &["mu", "tau", "eta"]), bits(&b, &["p", "mu"]))
}

#[test]
fn the_same_seed_gives_the_same_bits_in_one_process() {
    for seed in [0, 7, u64::MAX] {
        assert_eq!(fit_bits(seed), fit_bits(seed), "seed {seed}");
    }
}

/// Run by the parent test in a child process: prints the digests of seed 7.
#[test]
fn child_prints_its_digests() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let (a, b) = fit_bits(7);
    println!("DIGESTS {:016x} {:016x}", digest(&a), digest(&b));
}

#[test]
fn the_same_seed_gives_the_same_bits_in_another_process() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_prints_its_digests",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the test binary again");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("DIGESTS ").map(|(_, d)| d.trim()))
        .unwrap_or_else(|| panic!("no digests in the child's output:\n{stdout}"));
    let (a, b) = fit_bits(7);
    assert_eq!(line, format!("{:016x} {:016x}", digest(&a), digest(&b)));
}

#[test]
fn different_seeds_give_different_unrelated_draws() {
    let draws = |seed: u64| -> Vec<f64> {
        let fit = Ngvi::new()
            .seed(seed)
            .draws(500)
            .fit(&mixed(&Y, &FLIPS))
            .unwrap();
        fit.draws("mu").unwrap().into_iter().map(|d| d[0]).collect()
    };
    let runs: Vec<Vec<f64>> = [0, 1, 2].map(draws).into_iter().collect();
    for i in 0..3 {
        for j in i + 1..3 {
            // Not a shifted copy: no draw of one seed appears among the other's.
            let shared = runs[i].iter().filter(|x| runs[j].contains(x)).count();
            assert_eq!(shared, 0, "seeds {i} and {j} share {shared} draws");
            // Not correlated draw by draw.
            let n = runs[i].len() as f64;
            let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
            let (mi, mj) = (mean(&runs[i]), mean(&runs[j]));
            let cov: f64 = runs[i]
                .iter()
                .zip(&runs[j])
                .map(|(a, b)| (a - mi) * (b - mj))
                .sum();
            let var = |v: &[f64], m: f64| v.iter().map(|a| (a - m).powi(2)).sum::<f64>();
            let r = cov / (var(&runs[i], mi) * var(&runs[j], mj)).sqrt();
            assert!(
                r.abs() < 0.2,
                "seeds {i} and {j}: draw-by-draw correlation {r}"
            );
        }
    }
}
