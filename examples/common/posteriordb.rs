//! The six public posteriordb cases (`examples/data/posteriordb/`), each Stan program
//! translated into `model!`, with its data and reference.
//!
//! Translation rules: Stan's `normal(mu, sigma)` is our `Normal(mean, sd)`,
//! `student_t(nu, mu, sigma)` is `StudentT(df, loc, scale)`, `gamma(a, b)` is
//! `Gamma(shape, rate)`; a `<lower=0>` parameter with a `normal`/`cauchy`/`student_t`
//! statement (location 0) is the half distribution (`HalfNormal`, `HalfCauchy`,
//! `HalfStudentT`); a parameter without a statement has
//! Stan's improper flat prior on its constrained scale (`Flat`, `HalfFlat`). Stan's
//! `transformed data` is computed once in Rust before the model is built, as Stan computes
//! it once, except kidiq's one product, written inline. posteriordb names are 1-based: its
//! `beta[1]` is our `beta[0]`.

use std::error::Error;
use std::path::{Path, PathBuf};

use nalgebra::DMatrix;
use ngvi::prelude::*;
use serde::Deserialize;

use super::cases::{case, fit_and_compare, mcmc_compare, Case};
use super::compare::{derived_row, read_json, Labels, Reference};

/// The case names, as posteriordb names its posteriors (`<data>-<model>`).
pub const CASES: [&str; 6] = [
    "arK-arK",
    "diamonds-diamonds",
    "gp_pois_regr-gp_pois_regr",
    "kidiq-kidscore_interaction",
    "mesquite-logmesquite_logvash",
    "sblrc-blr",
];

/// The environment variable naming a posteriordb folder laid out like
/// `examples/data/posteriordb/` (one folder per case), read for the data not shipped here.
pub const ENV: &str = "NGVI_POSTERIORDB";

/// `examples/data/posteriordb/<case>/<file>`.
fn shipped(case: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/posteriordb")
        .join(case)
        .join(file)
}

fn reference(case: &str) -> Result<Reference, Box<dyn Error>> {
    Reference::posteriordb(&shipped(case, "reference.json"))
}

/// The case of that name.
pub fn case(name: &str) -> Result<Case, Box<dyn Error>> {
    match name {
        "arK-arK" => ark(),
        "diamonds-diamonds" => diamonds_case(),
        "gp_pois_regr-gp_pois_regr" => gp_pois_regr_case(),
        "kidiq-kidscore_interaction" => kidiq(),
        "mesquite-logmesquite_logvash" => mesquite(),
        "sblrc-blr" => sblrc(),
        _ => Err(format!(
            "no posteriordb case `{name}`; the cases: {}",
            CASES.join(", ")
        )
        .into()),
    }
}

/// A matrix from Stan JSON's array of rows.
fn rows_to_matrix(rows: &[Vec<f64>], what: &str) -> Result<DMatrix<f64>, Box<dyn Error>> {
    let ncols = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != ncols) {
        return Err(format!("{what}: rows of different lengths").into());
    }
    Ok(DMatrix::from_fn(rows.len(), ncols, |i, j| rows[i][j]))
}

// ---------------------------------------------------------------------------------------
// arK-arK

model! {
    /// posteriordb `arK`: an AR(K) time series, conditional on the first K observations.
    /// alpha ~ normal(0, 10); beta ~ normal(0, 10); sigma ~ cauchy(0, 2.5), sigma > 0;
    /// y[t] ~ normal(alpha + Σ_k beta[k] y[t - k], sigma) for t = K+1..T (Stan, 1-based).
    pub fn ar_k(k_lags: usize, y: &[f64]) {
        sample alpha ~ Normal(0.0, 10.0);
        sample beta[k_lags] ~ Normal(0.0, 10.0);
        sample sigma ~ HalfCauchy(2.5);
        for t in k_lags..y.len() {
            let mut mu = alpha;
            for k in 0..k_lags {
                // Stan's y[t - k] with t and k 1-based.
                mu = mu + beta[k] * y[t - k - 1];
            }
            observe y[t] ~ Normal(mu, sigma);
        }
    }
}

#[derive(Deserialize)]
struct ArKData {
    #[serde(rename = "K")]
    k: usize,
    #[serde(rename = "T")]
    t: usize,
    y: Vec<f64>,
}

fn ark() -> Result<Case, Box<dyn Error>> {
    let name = "arK-arK";
    let d: ArKData = read_json(&shipped(name, "data.json"))?;
    if d.y.len() != d.t {
        return Err(format!("{name}: T = {} but y has {} values", d.t, d.y.len()).into());
    }
    Ok(case!(
        name,
        "AR(5) time series, T = 200; Normal(0, 10) priors, half-Cauchy(2.5) sigma",
        reference(name)?,
        d,
        |d| ar_k(d.k, &d.y),
        Labels::STAN,
    ))
}

// ---------------------------------------------------------------------------------------
// diamonds-diamonds

model! {
    /// posteriordb `diamonds` (brms): b ~ normal(0, 1); Intercept ~ student_t(3, 8, 10);
    /// sigma ~ student_t(3, 0, 10) truncated to sigma > 0 (the half-Student-t);
    /// Y ~ normal(Intercept + Xc b, sigma), Xc the centred design without its intercept
    /// column (Stan's transformed data, computed in Rust).
    pub fn diamonds(xc: &DMatrix<f64>, y: &[f64], prior_only: bool) {
        sample b[xc.ncols()] ~ Normal(0.0, 1.0);
        sample intercept ~ StudentT(3.0, 8.0, 10.0);
        sample sigma ~ HalfStudentT(3.0, 10.0);
        if !prior_only {
            for i in 0..y.len() {
                // `xc.row(i)` is checked: too few rows is a `ModelError`.
                let mu = intercept + dot(xc.row(i).iter(), b);
                observe y[i] ~ Normal(mu, sigma);
            }
        }
    }
}

#[derive(Deserialize)]
struct DiamondsData {
    #[serde(rename = "Y")]
    y: Vec<f64>,
    #[serde(rename = "X")]
    x: Vec<Vec<f64>>,
    prior_only: i64,
}

struct DiamondsPrepared {
    xc: DMatrix<f64>,
    means: Vec<f64>,
    y: Vec<f64>,
    prior_only: bool,
}

fn diamonds_case() -> Result<Case, Box<dyn Error>> {
    let name = "diamonds-diamonds";
    let Some(root) = std::env::var_os(ENV) else {
        return Err(format!(
            "data not shipped (2.3 MB); set {ENV}=/path/to/posteriordb to read \
             {name}/data.json from there"
        )
        .into());
    };
    let d: DiamondsData = read_json(&Path::new(&root).join(name).join("data.json"))?;
    let x = rows_to_matrix(&d.x, name)?;
    if x.nrows() != d.y.len() || x.ncols() < 2 {
        return Err(format!(
            "{name}: X is {}x{}, Y has {}",
            x.nrows(),
            x.ncols(),
            d.y.len()
        )
        .into());
    }
    // transformed data: Xc = X[:, 2:K] with its column means subtracted.
    let means: Vec<f64> = (1..x.ncols()).map(|j| x.column(j).mean()).collect();
    let xc = DMatrix::from_fn(x.nrows(), x.ncols() - 1, |i, j| x[(i, j + 1)] - means[j]);
    let data = DiamondsPrepared {
        xc,
        means,
        y: d.y,
        prior_only: d.prior_only != 0,
    };
    const LABELS: Labels<'static> = Labels {
        rename: &[("intercept", "Intercept")],
        base: 1,
    };
    Ok(Case::new(
        name,
        "linear regression on a centred 5000 x 24 design, very ill-conditioned; \
         half-Student-t sigma",
        reference(name)?,
        data,
        |ngvi, d, r| {
            let model = diamonds(&d.xc, &d.y, d.prior_only);
            let mut out = fit_and_compare(ngvi, &model, r, LABELS)?;
            // The generated quantity b_Intercept = Intercept − means_X · b, over the draws.
            let (b, a) = (out.fit.draws("b"), out.fit.draws("intercept"));
            if let (Some(b), Some(a), Some(want)) = (b, a, r.get("b_Intercept")) {
                let v: Vec<f64> = b
                    .iter()
                    .zip(&a)
                    .map(|(b, a)| a[0] - b.iter().zip(&d.means).map(|(b, m)| b * m).sum::<f64>())
                    .collect();
                out.rows.push(derived_row("b_Intercept".into(), &v, want));
            }
            Ok(out)
        },
        |settings, d, r| mcmc_compare(&diamonds(&d.xc, &d.y, d.prior_only), settings, r, LABELS),
    ))
}

// ---------------------------------------------------------------------------------------
// gp_pois_regr-gp_pois_regr

/// f = L f_tilde with L the Cholesky factor of the exponentiated-quadratic kernel
/// K[i][j] = alpha² exp(−(x_i − x_j)² / (2 rho²)) + 1e-10 δ_ij (Stan's
/// `gp_exp_quad_cov(x, alpha, rho)` with its jitter, then `cholesky_decompose`).
///
/// Written with the scalar on the left of every operation with data (`S * f64`), without a
/// `where f64: F64Ops<S>` bound: under that bound rustc reads `f64 - f64` as `f64 - S`
/// (docs/language.md, "Expressions").
pub fn gp_exp_quad_f<S: Scalar>(x: &[f64], rho: &S, alpha: &S, f_tilde: &[S]) -> Vec<S> {
    let n = x.len().min(f_tilde.len());
    let a2 = alpha.clone() * alpha.clone();
    let inv_2rho2 = (rho.clone() * rho.clone()).recip() * -0.5;
    let mut l: Vec<S> = vec![S::constant(0.0); n * n];
    for i in 0..n {
        for j in 0..=i {
            let d2 = (x[i] - x[j]) * (x[i] - x[j]);
            let mut s = a2.clone() * (inv_2rho2.clone() * d2).exp();
            if i == j {
                s += 1e-10;
            }
            for m in 0..j {
                s -= l[i * n + m].clone() * l[j * n + m].clone();
            }
            l[i * n + j] = if i == j {
                s.sqrt()
            } else {
                s / l[j * n + j].clone()
            };
        }
    }
    (0..n)
        .map(|i| {
            (0..=i).fold(S::constant(0.0), |acc, j| {
                acc + l[i * n + j].clone() * f_tilde[j].clone()
            })
        })
        .collect()
}

model! {
    /// posteriordb `gp_pois_regr`: a latent Gaussian process under Poisson counts.
    /// rho ~ gamma(25, 4); alpha ~ normal(0, 2), alpha > 0; f_tilde ~ normal(0, 1);
    /// f = cholesky(gp_exp_quad_cov(x, alpha, rho) + 1e-10 I) f_tilde; k ~ poisson_log(f).
    pub fn gp_pois_regr(x: &[f64], k: &[u32]) {
        sample rho ~ Gamma(25.0, 4.0);
        sample alpha ~ HalfNormal(2.0);
        sample f_tilde[x.len()] ~ Normal(0.0, 1.0);
        let f = gp_exp_quad_f(x, &rho, &alpha, f_tilde);
        for i in 0..k.len() {
            observe k[i] ~ PoissonLog(f[i]);
        }
    }
}

#[derive(Deserialize)]
struct GpData {
    x: Vec<f64>,
    k: Vec<u32>,
}

fn gp_pois_regr_case() -> Result<Case, Box<dyn Error>> {
    let name = "gp_pois_regr-gp_pois_regr";
    let d: GpData = read_json(&shipped(name, "data.json"))?;
    if d.x.len() != d.k.len() {
        return Err(format!("{name}: x and k differ in length").into());
    }
    Ok(Case::new(
        name,
        "Poisson counts over a latent GP (11 x 11 Cholesky of an exp-quad kernel of the \
         latent rho, alpha); f_tilde against posteriordb's derived f_tilde, f derived",
        reference(name)?,
        d,
        |ngvi, d, r| {
            let mut out = fit_and_compare(ngvi, &gp_pois_regr(&d.x, &d.k), r, Labels::STAN)?;
            // The transformed parameter f = L(alpha, rho) f_tilde, over the draws.
            let fit = &out.fit;
            let (Some(rho), Some(alpha), Some(ft)) =
                (fit.draws("rho"), fit.draws("alpha"), fit.draws("f_tilde"))
            else {
                return Ok(out);
            };
            let f: Vec<Vec<f64>> = (0..ft.len())
                .map(|s| gp_exp_quad_f(&d.x, &rho[s][0], &alpha[s][0], &ft[s]))
                .collect();
            for i in 0..d.x.len() {
                let label = format!("f[{}]", i + 1);
                if let Some(want) = r.get(&label) {
                    let v: Vec<f64> = f.iter().map(|f| f[i]).collect();
                    out.rows.push(derived_row(format!("f[{i}]"), &v, want));
                }
            }
            Ok(out)
        },
        |settings, d, r| mcmc_compare(&gp_pois_regr(&d.x, &d.k), settings, r, Labels::STAN),
    ))
}

// ---------------------------------------------------------------------------------------
// kidiq-kidscore_interaction

model! {
    /// posteriordb `kidscore_interaction`: beta flat (improper), sigma ~ cauchy(0, 2.5),
    /// sigma > 0; kid_score ~ normal(beta[1] + beta[2] mom_hs + beta[3] mom_iq
    /// + beta[4] inter, sigma) with inter = mom_hs .* mom_iq (Stan's transformed data,
    /// written inline here: arithmetic on data compiles inside `model!`).
    pub fn kidscore_interaction(kid_score: &[f64], mom_hs: &[f64], mom_iq: &[f64]) {
        sample beta[4] ~ Flat();
        sample sigma ~ HalfCauchy(2.5);
        for i in 0..kid_score.len() {
            let inter = mom_hs[i] * mom_iq[i];
            let mu = beta[0] + beta[1] * mom_hs[i] + beta[2] * mom_iq[i] + beta[3] * inter;
            observe kid_score[i] ~ Normal(mu, sigma);
        }
    }
}

#[derive(Deserialize)]
struct KidiqData {
    kid_score: Vec<f64>,
    mom_hs: Vec<f64>,
    mom_iq: Vec<f64>,
}

fn kidiq() -> Result<Case, Box<dyn Error>> {
    let name = "kidiq-kidscore_interaction";
    let d: KidiqData = read_json(&shipped(name, "data.json"))?;
    Ok(case!(
        name,
        "regression with an uncentred interaction (posterior correlations up to 0.99); flat \
         beta, half-Cauchy(2.5) sigma",
        reference(name)?,
        d,
        |d| kidscore_interaction(&d.kid_score, &d.mom_hs, &d.mom_iq),
        Labels::STAN,
    ))
}

// ---------------------------------------------------------------------------------------
// mesquite-logmesquite_logvash

model! {
    /// posteriordb `logmesquite_logvash`: all priors flat (beta on the real line, sigma on
    /// (0, ∞), flat in sigma); log_weight ~ normal(beta[1] + beta[2] log_canopy_volume
    /// + beta[3] log_canopy_area + beta[4] log_canopy_shape + beta[5] log_total_height
    /// + beta[6] group, sigma). The logs are Stan's transformed data, computed in Rust.
    pub fn logmesquite_logvash(
        log_weight: &[f64],
        log_canopy_volume: &[f64],
        log_canopy_area: &[f64],
        log_canopy_shape: &[f64],
        log_total_height: &[f64],
        group: &[f64],
    ) {
        sample beta[6] ~ Flat();
        sample sigma ~ HalfFlat();
        for i in 0..log_weight.len() {
            let mu = beta[0]
                + beta[1] * log_canopy_volume[i]
                + beta[2] * log_canopy_area[i]
                + beta[3] * log_canopy_shape[i]
                + beta[4] * log_total_height[i]
                + beta[5] * group[i];
            observe log_weight[i] ~ Normal(mu, sigma);
        }
    }
}

#[derive(Deserialize)]
struct MesquiteData {
    weight: Vec<f64>,
    diam1: Vec<f64>,
    diam2: Vec<f64>,
    canopy_height: Vec<f64>,
    total_height: Vec<f64>,
    group: Vec<f64>,
}

struct MesquitePrepared {
    log_weight: Vec<f64>,
    log_canopy_volume: Vec<f64>,
    log_canopy_area: Vec<f64>,
    log_canopy_shape: Vec<f64>,
    log_total_height: Vec<f64>,
    group: Vec<f64>,
}

fn mesquite() -> Result<Case, Box<dyn Error>> {
    let name = "mesquite-logmesquite_logvash";
    let d: MesquiteData = read_json(&shipped(name, "data.json"))?;
    let n = d.weight.len();
    let (d1, d2, ch) = (&d.diam1, &d.diam2, &d.canopy_height);
    let data = MesquitePrepared {
        log_weight: d.weight.iter().map(|w| w.ln()).collect(),
        log_canopy_volume: (0..n).map(|i| (d1[i] * d2[i] * ch[i]).ln()).collect(),
        log_canopy_area: (0..n).map(|i| (d1[i] * d2[i]).ln()).collect(),
        log_canopy_shape: (0..n).map(|i| (d1[i] / d2[i]).ln()).collect(),
        log_total_height: d.total_height.iter().map(|h| h.ln()).collect(),
        group: d.group,
    };
    Ok(case!(
        name,
        "log-log regression, N = 46, all priors flat (sigma flat in sigma)",
        reference(name)?,
        data,
        |d| logmesquite_logvash(
            &d.log_weight,
            &d.log_canopy_volume,
            &d.log_canopy_area,
            &d.log_canopy_shape,
            &d.log_total_height,
            &d.group,
        ),
        Labels::STAN,
    ))
}

// ---------------------------------------------------------------------------------------
// sblrc-blr

model! {
    /// posteriordb `blr`: beta ~ normal(0, 10); sigma ~ normal(0, 10), sigma > 0;
    /// y ~ normal(X beta, sigma).
    pub fn blr(x: &DMatrix<f64>, y: &[f64]) {
        sample beta[x.ncols()] ~ Normal(0.0, 10.0);
        sample sigma ~ HalfNormal(10.0);
        for i in 0..y.len() {
            // `x.row(i)` is checked: too few rows is a `ModelError`.
            observe y[i] ~ Normal(dot(x.row(i).iter(), beta), sigma);
        }
    }
}

#[derive(Deserialize)]
struct SblrcData {
    #[serde(rename = "X")]
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
}

fn sblrc() -> Result<Case, Box<dyn Error>> {
    let name = "sblrc-blr";
    let d: SblrcData = read_json(&shipped(name, "data.json"))?;
    let x = rows_to_matrix(&d.x, name)?;
    if x.nrows() != d.y.len() {
        return Err(format!("{name}: X has {} rows, y {}", x.nrows(), d.y.len()).into());
    }
    Ok(case!(
        name,
        "linear regression, N = 100, 5 correlated coefficients; Normal(0, 10), \
         half-Normal(10) sigma",
        reference(name)?,
        (x, d.y),
        |(x, y)| blr(x, y),
        Labels::STAN,
    ))
}
