//! A one-hidden-layer Bayesian neural network for regression, simulated data for it, and
//! the posterior predictive check of `examples/bnn.rs` and `tests/bnn.rs`.

use nalgebra::DMatrix;
use ngvi::dist::{Normal, ParamError, Sampling, Uniform};
use ngvi::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

model! {
    /// y[i] ~ Normal(b2 + Σⱼ w2[j] tanh(b1[j] + Σₚ w1[j P + p] x[i, p]), sigma), with
    /// w1, b1, b2 ~ Normal(0, 1), w2 ~ Normal(0, 1/√H) and sigma ~ HalfNormal(1).
    pub fn bnn(x: &DMatrix<f64>, y: &[f64], hidden: usize, w2_sd: f64) {
        sample w1[hidden * x.ncols()] ~ Normal(0.0, 1.0);
        sample b1[hidden] ~ Normal(0.0, 1.0);
        sample w2[hidden] ~ Normal(0.0, w2_sd);
        sample b2 ~ Normal(0.0, 1.0);
        sample sigma ~ HalfNormal(1.0);
        for i in plate(0..y.len()) {
            let mut out = b2;
            for j in 0..hidden {
                let mut a = b1[j];
                for p in 0..x.ncols() {
                    a += w1[j * x.ncols() + p] * x[(i, p)];
                }
                out += w2[j] * a.tanh();
            }
            observe y[i] ~ Normal(out, sigma);
        }
    }
}

/// The regression function the data are drawn from.
pub fn truth(x: &[f64]) -> f64 {
    (1.5 * x[0]).sin() + 0.5 * x[1] * x[1] - 0.3 * x[0] * x[2]
}

/// The sd of the simulated noise.
pub const NOISE_SD: f64 = 0.3;

/// `n` rows of three inputs, uniform on (−2, 2), and y = truth(x) + Normal(0, `NOISE_SD`).
pub fn simulate(n: usize, seed: u64) -> Result<(DMatrix<f64>, Vec<f64>), ParamError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let input = Uniform::new(-2.0, 2.0)?;
    let x = DMatrix::from_fn(n, 3, |_, _| input.sample(&mut rng));
    let noise = Normal::new(0.0, NOISE_SD)?;
    let y = (0..n)
        .map(|i| truth(&[x[(i, 0)], x[(i, 1)], x[(i, 2)]]) + noise.sample(&mut rng))
        .collect();
    Ok((x, y))
}

/// The posterior predictive on held-out rows: its mean's RMSE and how often the central
/// 90 % interval holds the held-out y.
#[derive(Debug, Clone, Copy)]
pub struct Predictive {
    pub rmse: f64,
    pub coverage: f64,
    /// Mean width of the 90 % intervals.
    pub width: f64,
}

/// For each posterior draw of the weights and of sigma, the network's output plus
/// Normal(0, sigma) noise at every held-out row: the predictive draws, summarised per row
/// by their mean and their 5 % and 95 % quantiles.
pub fn predictive(
    fit: &Fit,
    hidden: usize,
    x: &DMatrix<f64>,
    y: &[f64],
    seed: u64,
) -> Result<Predictive, Box<dyn std::error::Error>> {
    let get = |name: &str| fit.draws(name).ok_or(format!("no draws of {name}"));
    let (w1, b1, w2, b2, sigma) = (
        get("w1")?,
        get("b1")?,
        get("w2")?,
        get("b2")?,
        get("sigma")?,
    );
    let unit = Normal::new(0.0, 1.0)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let p = x.ncols();
    let mut per_row = vec![Vec::with_capacity(w1.len()); x.nrows()];
    for s in 0..w1.len() {
        for (i, row) in per_row.iter_mut().enumerate() {
            let mut out = b2[s][0];
            for j in 0..hidden {
                let a: f64 = b1[s][j] + (0..p).map(|k| w1[s][j * p + k] * x[(i, k)]).sum::<f64>();
                out += w2[s][j] * a.tanh();
            }
            row.push(out + sigma[s][0] * unit.sample(&mut rng));
        }
    }
    let (mut sq, mut inside, mut width) = (0.0, 0usize, 0.0);
    for (row, &yi) in per_row.iter_mut().zip(y) {
        let mean = row.iter().sum::<f64>() / row.len() as f64;
        row.sort_by(f64::total_cmp);
        let (lo, hi) = (quantile(row, 0.05), quantile(row, 0.95));
        sq += (mean - yi).powi(2);
        inside += usize::from(lo <= yi && yi <= hi);
        width += hi - lo;
    }
    let n = y.len() as f64;
    Ok(Predictive {
        rmse: (sq / n).sqrt(),
        coverage: inside as f64 / n,
        width: width / n,
    })
}

/// The type-7 quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, frac) = (h.floor() as usize, h.fract());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// The RMSE of predicting every held-out y by the training mean.
pub fn baseline_rmse(train: &[f64], held_out: &[f64]) -> f64 {
    let mean = train.iter().sum::<f64>() / train.len() as f64;
    let sq: f64 = held_out.iter().map(|y| (y - mean).powi(2)).sum();
    (sq / held_out.len() as f64).sqrt()
}
