//! Adaptive random-walk Metropolis (Haario, Saksman & Tamminen 2001, "An adaptive Metropolis
//! algorithm", Bernoulli 7(2)) over a model's log joint on the unconstrained scale, to make
//! reference posteriors independently of the NGVI engine: it uses only
//! `Model::log_joint::<f64>` and `Model::latents` (for the supports).
//!
//! Coordinates with positive support are sampled as u = ln z, with the Jacobian ln z added
//! to the log density; those on (0, 1) as u = logit z, with ln z(1 − z); real coordinates
//! as they are. Other supports are refused.
//!
//! Each chain starts from the mode (found by damped Newton steps, with derivatives from
//! `ngvi::hessian`) plus an over-dispersed draw from the Laplace approximation there, whose
//! covariance H⁻¹ is also the initial proposal covariance C₀ (Haario et al.'s initial
//! period). During burn-in the proposal is N(0, s C) with C = s_d (Cov + ε I), Cov the running
//! covariance of the chain (Haario et al.: s_d = 2.4² / d), and a global scale s tuned by
//! Robbins–Monro towards acceptance 0.234 (Andrieu & Thoms 2008, algorithm 4). After burn-in
//! the proposal is frozen, so the kept draws come from a plain random-walk Metropolis chain
//! with the posterior as its stationary law: the mode and the Laplace covariance only make
//! the burn-in short, they do not enter the draws.

use std::error::Error;

use nalgebra::{DMatrix, DVector};
use ngvi::dist::Support;
use ngvi::{hessian, Dual2, F64Ops, Model, Scalar};

/// xoshiro256** seeded through splitmix64: small, fast, and the same on every platform and
/// every version of every crate (the references and the simulated data depend on it).
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller; one of the pair is discarded).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Chain lengths and seed.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub chains: usize,
    /// Adaptation iterations per chain, discarded.
    pub burn_in: usize,
    /// Iterations per chain after burn-in.
    pub iterations: usize,
    /// Keep every `thin`-th draw.
    pub thin: usize,
    pub seed: u64,
}

/// The kept draws, on the latents' own (constrained) scale.
#[derive(Debug, Clone)]
pub struct Chains {
    /// draws[chain][draw][coordinate]
    pub draws: Vec<Vec<Vec<f64>>>,
    /// Acceptance rate of each chain after burn-in.
    pub acceptance: Vec<f64>,
    /// Each chain's final proposal scale factor s.
    pub scale: Vec<f64>,
}

/// How a coordinate maps from the sampler's scale to the model's.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Map {
    Real,
    Log,
    Logit,
}

/// The model's log joint on the unconstrained scale, with the log-transform Jacobians.
struct Target<'m, M> {
    model: &'m M,
    maps: Vec<Map>,
}

impl<M: Model> Target<'_, M> {
    fn constrain(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(&self.maps)
            .map(|(&x, m)| match m {
                Map::Real => x,
                Map::Log => x.exp(),
                Map::Logit => 1.0 / (1.0 + (-x).exp()),
            })
            .collect()
    }

    fn unconstrain(&self, z: &[f64]) -> Vec<f64> {
        z.iter()
            .zip(&self.maps)
            .map(|(&x, m)| match m {
                Map::Real => x,
                Map::Log => x.ln(),
                Map::Logit => (x / (1.0 - x)).ln(),
            })
            .collect()
    }

    /// ln p(data, g(u)) + Σ ln |g′(u)|, −∞ where the model gives an error or a non-finite
    /// value.
    fn log_density<S: Scalar>(&self, u: &[S]) -> S
    where
        f64: F64Ops<S>,
    {
        let mut jac = S::constant(0.0);
        let mut z = Vec::with_capacity(u.len());
        for (x, m) in u.iter().zip(&self.maps) {
            match m {
                Map::Real => z.push(x.clone()),
                Map::Log => {
                    jac += x.clone();
                    z.push(x.exp());
                }
                Map::Logit => {
                    // z = σ(u), ln z′ = ln σ(u) + ln σ(−u)
                    jac += x.ln_sigmoid() + (-x.clone()).ln_sigmoid();
                    z.push(x.sigmoid());
                }
            }
        }
        match self.model.log_joint::<S>(&z) {
            Ok(lp) if lp.value().is_finite() => lp + jac,
            _ => S::constant(f64::NEG_INFINITY),
        }
    }

    fn value(&self, u: &[f64]) -> f64 {
        self.log_density::<f64>(u)
    }
}

/// The mode of the unconstrained log density from `u0` by damped Newton steps
/// (Levenberg–Marquardt when the Hessian is not negative definite), and the Cholesky
/// factor of the inverse negative Hessian there.
fn laplace<M: Model>(
    target: &Target<'_, M>,
    u0: &[f64],
) -> Result<(Vec<f64>, DMatrix<f64>), Box<dyn Error>> {
    let d = u0.len();
    let mut u = u0.to_vec();
    let mut f = target.value(&u);
    let mut lambda = 1e-3;
    for _ in 0..500 {
        let (_, g, h) = hessian(|x: &[Dual2]| target.log_density(x), &u);
        let g = DVector::from_vec(g);
        let mut improved = false;
        for _ in 0..60 {
            let mut a = -h.clone();
            let scale = a.diagonal().abs().max().max(1e-12);
            for i in 0..d {
                a[(i, i)] += lambda * scale;
            }
            let Some(c) = a.clone().cholesky() else {
                lambda *= 10.0;
                continue;
            };
            let step = c.solve(&g);
            let v: Vec<f64> = u.iter().zip(step.iter()).map(|(a, b)| a + b).collect();
            let fv = target.value(&v);
            if fv.is_finite() && fv >= f {
                let small = fv - f < 1e-10 * (1.0 + f.abs());
                u = v;
                f = fv;
                lambda = (lambda / 10.0).max(1e-12);
                improved = !small;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    let (_, _, h) = hessian(|x: &[Dual2]| target.log_density(x), &u);
    let cov = (-h)
        .try_inverse()
        .ok_or("the Hessian at the mode is singular")?;
    let chol = cov
        .cholesky()
        .ok_or("the Hessian at the mode is not negative definite")?
        .l();
    Ok((u, chol))
}

/// Run `settings.chains` chains of adaptive Metropolis on `model`. The mode search starts at
/// `init` (constrained scale); each chain starts at the mode plus `spread` times a draw of
/// the Laplace approximation.
pub fn sample<M: Model>(
    model: &M,
    init: &[f64],
    spread: f64,
    settings: Settings,
) -> Result<Chains, Box<dyn Error>> {
    let mut maps = Vec::new();
    for l in model.latents()? {
        let map = match l.support {
            Support::Real => Map::Real,
            Support::Positive => Map::Log,
            Support::UnitInterval => Map::Logit,
            other => {
                return Err(format!("latent `{}`: support {other:?} not handled", l.name).into())
            }
        };
        maps.extend(std::iter::repeat_n(map, l.shape.len()));
    }
    if init.len() != maps.len() {
        return Err(format!("init has {} values, the model {}", init.len(), maps.len()).into());
    }
    let target = Target { model, maps };
    let u0 = target.unconstrain(init);
    if !target.value(&u0).is_finite() {
        return Err("the log joint is not finite at init".into());
    }
    let (mode, chol0) = laplace(&target, &u0)?;
    let mut out = Chains {
        draws: Vec::new(),
        acceptance: Vec::new(),
        scale: Vec::new(),
    };
    for c in 0..settings.chains {
        let mut rng = Rng::new(settings.seed.wrapping_add(c as u64 * 0x1000_0001));
        let (draws, acc, scale) = chain(&target, &mode, &chol0, spread, settings, &mut rng);
        out.draws.push(draws);
        out.acceptance.push(acc);
        out.scale.push(scale);
    }
    Ok(out)
}

/// The model's latents with positive support at 1, on (0, 1) at ½, the others at 0: a
/// starting point for the mode search.
pub fn default_init<M: Model>(model: &M) -> Result<Vec<f64>, Box<dyn Error>> {
    let mut z = Vec::new();
    for l in model.latents()? {
        let v = match l.support {
            Support::Positive => 1.0,
            Support::UnitInterval => 0.5,
            _ => 0.0,
        };
        z.extend(std::iter::repeat_n(v, l.shape.len()));
    }
    Ok(z)
}

/// The labels of a model's latent components: `mu`, `w[0]`, `w[1]`, …
pub fn labels<M: Model>(model: &M) -> Result<Vec<String>, Box<dyn Error>> {
    let mut out = Vec::new();
    for l in model.latents()? {
        if l.shape == ngvi::Shape::Scalar {
            out.push(l.name.to_string());
        } else {
            out.extend((0..l.shape.len()).map(|k| format!("{}[{k}]", l.name)));
        }
    }
    Ok(out)
}

fn chain<M: Model>(
    target: &Target<'_, M>,
    mode: &[f64],
    chol0: &DMatrix<f64>,
    spread: f64,
    settings: Settings,
    rng: &mut Rng,
) -> (Vec<Vec<f64>>, f64, f64) {
    let d = mode.len();
    let sd = 2.4 * 2.4 / d as f64;
    let eps = 1e-10;
    let m = DVector::from_column_slice(mode);
    let mut x = m.clone();
    let mut lp = f64::NEG_INFINITY;
    for _ in 0..100 {
        let z = DVector::from_iterator(d, (0..d).map(|_| rng.normal()));
        x = &m + chol0 * z * spread;
        lp = target.value(x.as_slice());
        if lp.is_finite() {
            break;
        }
    }
    if !lp.is_finite() {
        x = m.clone();
        lp = target.value(x.as_slice());
    }
    // Running mean and covariance (Welford) of the burn-in path.
    let mut mean = x.clone();
    let mut m2 = DMatrix::<f64>::zeros(d, d);
    let mut n = 1.0;
    let mut log_scale = 0.0f64;
    // Haario's initial period: the Laplace covariance, until the path has its own.
    let t0 = (20 * d).max(1000).min(settings.burn_in / 2);
    let mut chol = chol0 * sd.sqrt();
    let mut kept = Vec::with_capacity(settings.iterations / settings.thin.max(1));
    let mut accepted = 0usize;
    let total = settings.burn_in + settings.iterations;
    for t in 0..total {
        let burning = t < settings.burn_in;
        let z = DVector::from_iterator(d, (0..d).map(|_| rng.normal()));
        let y = &x + &chol * z * log_scale.exp();
        let lq = target.value(y.as_slice());
        let alpha = if lq.is_nan() {
            0.0
        } else {
            (lq - lp).min(0.0).exp()
        };
        let accept = rng.uniform() < alpha;
        if accept {
            x = y;
            lp = lq;
        }
        if burning {
            // Robbins–Monro on the global scale, towards acceptance 0.234.
            let gamma = 1.0 / ((t + 1) as f64).powf(0.6);
            log_scale += gamma * (alpha - 0.234);
            n += 1.0;
            let delta = &x - &mean;
            mean += &delta / n;
            let delta2 = &x - &mean;
            m2 += &delta * delta2.transpose();
            // Haario: after the initial period, C = s_d (Cov + ε I), refactored now and then.
            if t >= t0 && (t % 100 == 0 || t + 1 == settings.burn_in) {
                let cov = (&m2 / (n - 1.0) + DMatrix::identity(d, d) * eps) * sd;
                if let Some(c) = cov.cholesky() {
                    chol = c.l();
                }
            }
        } else {
            accepted += usize::from(accept);
            if (t - settings.burn_in).is_multiple_of(settings.thin.max(1)) {
                kept.push(target.constrain(x.as_slice()));
            }
        }
    }
    (
        kept,
        accepted as f64 / settings.iterations.max(1) as f64,
        log_scale.exp(),
    )
}

/// Pooled mean and sd of each coordinate, with split-R̂ (Gelman et al. 2013, over the chains
/// split in halves) and an effective sample size from batch means (√n batches).
#[derive(Debug, Clone)]
pub struct Moments {
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    pub r_hat: Vec<f64>,
    pub ess: Vec<f64>,
}

impl Chains {
    /// Apply `f` to every draw (a derived quantity, or a selection of coordinates).
    pub fn map(&self, f: impl Fn(&[f64]) -> Vec<f64>) -> Chains {
        Chains {
            draws: self
                .draws
                .iter()
                .map(|c| c.iter().map(|z| f(z)).collect())
                .collect(),
            acceptance: self.acceptance.clone(),
            scale: self.scale.clone(),
        }
    }

    pub fn moments(&self) -> Moments {
        let d = self.draws[0][0].len();
        let mut out = Moments {
            mean: Vec::new(),
            sd: Vec::new(),
            r_hat: Vec::new(),
            ess: Vec::new(),
        };
        for j in 0..d {
            let chains: Vec<Vec<f64>> = self
                .draws
                .iter()
                .map(|c| c.iter().map(|z| z[j]).collect())
                .collect();
            let all: Vec<f64> = chains.iter().flatten().copied().collect();
            let (m, v) = mean_var(&all);
            out.mean.push(m);
            out.sd.push(v.sqrt());
            out.r_hat.push(split_r_hat(&chains));
            out.ess.push(batch_ess(&chains, v));
        }
        out
    }
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn split_r_hat(chains: &[Vec<f64>]) -> f64 {
    let halves: Vec<&[f64]> = chains
        .iter()
        .flat_map(|c| {
            let h = c.len() / 2;
            [&c[..h], &c[h..2 * h]]
        })
        .collect();
    let n = halves[0].len() as f64;
    let stats: Vec<(f64, f64)> = halves.iter().map(|h| mean_var(h)).collect();
    let w = stats.iter().map(|s| s.1).sum::<f64>() / stats.len() as f64;
    let means: Vec<f64> = stats.iter().map(|s| s.0).collect();
    let b = n * mean_var(&means).1;
    (((n - 1.0) / n * w + b / n) / w).sqrt()
}

fn batch_ess(chains: &[Vec<f64>], var: f64) -> f64 {
    // Batch means within each chain: Var(batch mean) ≈ σ² τ / b, so ESS = N σ² / (b Var).
    let n = chains[0].len();
    let b = (n as f64).sqrt().floor() as usize;
    let batches: Vec<f64> = chains
        .iter()
        .flat_map(|c| {
            c.chunks_exact(b)
                .map(|ch| ch.iter().sum::<f64>() / b as f64)
        })
        .collect();
    let (_, vb) = mean_var(&batches);
    let total = (chains.len() * (n / b) * b) as f64;
    (total * var / (b as f64 * vb)).min(total)
}
