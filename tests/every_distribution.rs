//! Every distribution of the language, through `model!`: one model per row of the spec table
//! (`ngvi::spec::DISTS`), with the distribution in `sample` where it can be a prior and in
//! `observe` where it can be a likelihood, its parameters data or latents named after them.
//! The log joint at a point equals the sum of the distributions' own `ln_density`, and each
//! prior's `prior_params` are its constructor's values. A row without a model here fails
//! `every_row_of_the_table_has_a_model`.

use ngvi::dist::{DistKind, ParamError, Univariate};
use ngvi::prelude::*;

/// ln_density at `x` of a distribution built by `new`.
fn ld<D: Univariate<f64>>(d: Result<D, ParamError>, x: f64) -> f64 {
    d.expect("valid parameters").ln_density(&x)
}

/// What a model gave: its log joint at a point and the distributions' densities summed
/// there; its first latent's prior parameters and the prior's own; the latents' priors and
/// the distributions of its `observe` statements.
struct Found {
    log_joint: f64,
    densities: f64,
    prior_params: Option<Vec<f64>>,
    want_params: Vec<f64>,
    priors: Vec<DistKind>,
    observed: Vec<DistKind>,
}

/// Evaluate `model` at `z`, next to the densities `want` summed by hand and the prior
/// parameters `want_params` of its first latent.
fn check<M: Model>(model: &M, z: &[f64], want: f64, want_params: &[f64]) -> Found {
    let latents = model.latents().expect("latents");
    let observed = model
        .uses()
        .into_iter()
        .filter(|u| u.statement.starts_with("observe"))
        .filter_map(|u| u.dist)
        .collect();
    Found {
        log_joint: model.log_joint(z).expect("log joint"),
        densities: want,
        prior_params: latents[0].prior_params.clone(),
        want_params: want_params.to_vec(),
        priors: latents.iter().map(|l| l.prior).collect(),
        observed,
    }
}

model! {
    fn normal_model(mean: f64, sd: f64, y: f64) {
        sample x ~ Normal(mean, sd);
        observe y ~ Normal(x, sd);
    }
}

fn normal() -> Found {
    let (mean, sd, y, x) = (0.5, 2.0, 1.2, -0.3);
    let want = ld(Normal::new(mean, sd), x) + ld(Normal::new(x, sd), y);
    check(&normal_model(mean, sd, y), &[x], want, &[mean, sd])
}

model! {
    fn half_normal_model(sd: f64, y: f64) {
        sample x ~ HalfNormal(sd);
        observe y ~ HalfNormal(x);
    }
}

fn half_normal() -> Found {
    let (sd, y, x) = (1.5, 0.7, 0.9);
    let want = ld(HalfNormal::new(sd), x) + ld(HalfNormal::new(x), y);
    check(&half_normal_model(sd, y), &[x], want, &[sd])
}

model! {
    fn log_normal_model(mu: f64, sigma: f64, y: f64) {
        sample x ~ LogNormal(mu, sigma);
        observe y ~ LogNormal(mu, x);
    }
}

fn log_normal() -> Found {
    let (mu, sigma, y, x) = (0.2, 0.8, 1.7, 0.6);
    let want = ld(LogNormal::new(mu, sigma), x) + ld(LogNormal::new(mu, x), y);
    check(&log_normal_model(mu, sigma, y), &[x], want, &[mu, sigma])
}

model! {
    fn half_student_t_model(df: f64, scale: f64, y: f64) {
        sample x ~ HalfStudentT(df, scale);
        observe y ~ HalfStudentT(df, x);
    }
}

fn half_student_t() -> Found {
    let (df, scale, y, x) = (3.0, 2.5, 0.4, 1.3);
    let want = ld(HalfStudentT::new(df, scale), x) + ld(HalfStudentT::new(df, x), y);
    check(
        &half_student_t_model(df, scale, y),
        &[x],
        want,
        &[df, scale],
    )
}

model! {
    fn student_t_model(df: f64, loc: f64, scale: f64, y: f64) {
        sample x ~ StudentT(df, loc, scale);
        observe y ~ StudentT(df, x, scale);
    }
}

fn student_t() -> Found {
    let (df, loc, scale, y, x) = (3.5, -1.0, 2.0, 0.4, 0.1);
    let want = ld(StudentT::new(df, loc, scale), x) + ld(StudentT::new(df, x, scale), y);
    check(
        &student_t_model(df, loc, scale, y),
        &[x],
        want,
        &[df, loc, scale],
    )
}

model! {
    fn cauchy_model(loc: f64, scale: f64, y: f64) {
        sample x ~ Cauchy(loc, scale);
        observe y ~ Cauchy(x, scale);
    }
}

fn cauchy() -> Found {
    let (loc, scale, y, x) = (1.0, 0.5, 2.5, 1.4);
    let want = ld(Cauchy::new(loc, scale), x) + ld(Cauchy::new(x, scale), y);
    check(&cauchy_model(loc, scale, y), &[x], want, &[loc, scale])
}

model! {
    fn half_cauchy_model(scale: f64, y: f64) {
        sample x ~ HalfCauchy(scale);
        observe y ~ HalfCauchy(x);
    }
}

fn half_cauchy() -> Found {
    let (scale, y, x) = (2.0, 3.0, 1.1);
    let want = ld(HalfCauchy::new(scale), x) + ld(HalfCauchy::new(x), y);
    check(&half_cauchy_model(scale, y), &[x], want, &[scale])
}

model! {
    fn laplace_model(loc: f64, scale: f64, y: f64) {
        sample x ~ Laplace(loc, scale);
        observe y ~ Laplace(x, scale);
    }
}

fn laplace() -> Found {
    let (loc, scale, y, x) = (-0.5, 1.5, 0.8, 0.3);
    let want = ld(Laplace::new(loc, scale), x) + ld(Laplace::new(x, scale), y);
    check(&laplace_model(loc, scale, y), &[x], want, &[loc, scale])
}

model! {
    fn exponential_model(rate: f64, y: f64) {
        sample x ~ Exponential(rate);
        observe y ~ Exponential(x);
    }
}

fn exponential() -> Found {
    let (rate, y, x) = (0.5, 2.2, 1.3);
    let want = ld(Exponential::new(rate), x) + ld(Exponential::new(x), y);
    check(&exponential_model(rate, y), &[x], want, &[rate])
}

model! {
    fn gamma_model(shape: f64, rate: f64, y: f64) {
        sample x ~ Gamma(shape, rate);
        observe y ~ Gamma(shape, x);
    }
}

fn gamma() -> Found {
    let (shape, rate, y, x) = (2.5, 1.5, 0.9, 1.2);
    let want = ld(Gamma::new(shape, rate), x) + ld(Gamma::new(shape, x), y);
    check(&gamma_model(shape, rate, y), &[x], want, &[shape, rate])
}

model! {
    fn inverse_gamma_model(shape: f64, scale: f64, y: f64) {
        sample x ~ InverseGamma(shape, scale);
        observe y ~ InverseGamma(shape, x);
    }
}

fn inverse_gamma() -> Found {
    let (shape, scale, y, x) = (3.0, 2.0, 0.8, 1.4);
    let want = ld(InverseGamma::new(shape, scale), x) + ld(InverseGamma::new(shape, x), y);
    check(
        &inverse_gamma_model(shape, scale, y),
        &[x],
        want,
        &[shape, scale],
    )
}

model! {
    fn beta_model(a: f64, b: f64, y: f64) {
        sample x ~ Beta(a, b);
        observe y ~ Beta(x, b);
    }
}

fn beta() -> Found {
    let (a, b, y, x) = (2.0, 3.0, 0.35, 0.6);
    let want = ld(Beta::new(a, b), x) + ld(Beta::new(x, b), y);
    check(&beta_model(a, b, y), &[x], want, &[a, b])
}

model! {
    fn uniform_model(lo: f64, hi: f64, y: f64) {
        sample x ~ Uniform(lo, hi);
        observe y ~ Uniform(lo, x);
    }
}

fn uniform() -> Found {
    let (lo, hi, y, x) = (-1.0, 3.0, 0.5, 2.0);
    let want = ld(Uniform::new(lo, hi), x) + ld(Uniform::new(lo, x), y);
    check(&uniform_model(lo, hi, y), &[x], want, &[lo, hi])
}

model! {
    fn dirichlet_model(alpha: &[f64], y: &[bool]) {
        sample theta ~ Dirichlet(alpha);
        for i in 0..y.len() {
            observe y[i] ~ Bernoulli(theta[0]);
        }
    }
}

fn dirichlet() -> Found {
    let (alpha, y, theta) = ([1.5, 2.0, 0.5], [true, false], [0.2, 0.5, 0.3]);
    let prior = Dirichlet::new(alpha.to_vec()).expect("valid alpha");
    let want =
        prior.ln_density(&theta) + ld(Bernoulli::new(0.2), 1.0) + ld(Bernoulli::new(0.2), 0.0);
    check(&dirichlet_model(&alpha, &y), &theta, want, &alpha)
}

model! {
    fn bernoulli_model(y: bool) {
        sample p ~ Beta(2.0, 3.0);
        observe y ~ Bernoulli(p);
    }
}

fn bernoulli() -> Found {
    let p = 0.3;
    let want = ld(Beta::new(2.0, 3.0), p) + ld(Bernoulli::new(p), 1.0);
    check(&bernoulli_model(true), &[p], want, &[2.0, 3.0])
}

model! {
    fn bernoulli_logit_model(y: u8) {
        sample logit ~ Normal(0.0, 1.5);
        observe y ~ BernoulliLogit(logit);
    }
}

fn bernoulli_logit() -> Found {
    let logit = -0.4;
    let want = ld(Normal::new(0.0, 1.5), logit) + ld(BernoulliLogit::new(logit), 0.0);
    check(&bernoulli_logit_model(0), &[logit], want, &[0.0, 1.5])
}

model! {
    fn binomial_model(n: u32, y: u32) {
        sample p ~ Beta(1.5, 1.5);
        observe y ~ Binomial(n, p);
    }
}

fn binomial() -> Found {
    let (n, y, p) = (10, 4, 0.45);
    let want = ld(Beta::new(1.5, 1.5), p) + ld(Binomial::new(f64::from(n), p), f64::from(y));
    check(&binomial_model(n, y), &[p], want, &[1.5, 1.5])
}

model! {
    fn binomial_logit_model(n: u64, y: u64) {
        sample logit ~ Normal(0.0, 2.0);
        observe y ~ BinomialLogit(n, logit);
    }
}

fn binomial_logit() -> Found {
    let (n, y, logit) = (7_u64, 6_u64, 1.1);
    let want = ld(Normal::new(0.0, 2.0), logit) + ld(BinomialLogit::new(n as f64, logit), y as f64);
    check(&binomial_logit_model(n, y), &[logit], want, &[0.0, 2.0])
}

model! {
    fn poisson_model(y: u32) {
        sample rate ~ Gamma(2.0, 1.0);
        observe y ~ Poisson(rate);
    }
}

fn poisson() -> Found {
    let rate = 2.7;
    let want = ld(Gamma::new(2.0, 1.0), rate) + ld(Poisson::new(rate), 3.0);
    check(&poisson_model(3), &[rate], want, &[2.0, 1.0])
}

model! {
    fn poisson_log_model(y: i32) {
        sample log_rate ~ Normal(0.0, 1.0);
        observe y ~ PoissonLog(log_rate);
    }
}

fn poisson_log() -> Found {
    let log_rate = 0.8;
    let want = ld(Normal::new(0.0, 1.0), log_rate) + ld(PoissonLog::new(log_rate), 5.0);
    check(&poisson_log_model(5), &[log_rate], want, &[0.0, 1.0])
}

model! {
    fn categorical_model(alpha: &[f64], k: usize) {
        sample p ~ Dirichlet(alpha);
        observe k ~ Categorical(p);
    }
}

fn categorical() -> Found {
    let (alpha, k, p) = ([1.0, 1.0, 2.0, 1.0], 2_usize, [0.1, 0.2, 0.4, 0.3]);
    let prior = Dirichlet::new(alpha.to_vec()).expect("valid alpha");
    let want = prior.ln_density(&p) + ld(Categorical::new(p.to_vec()), k as f64);
    check(&categorical_model(&alpha, k), &p, want, &alpha)
}

model! {
    fn negative_binomial_model(phi: f64, y: u32) {
        sample mu ~ Exponential(0.5);
        observe y ~ NegativeBinomial(mu, phi);
    }
}

fn negative_binomial() -> Found {
    let (phi, y, mu) = (1.5, 6, 3.2);
    let want = ld(Exponential::new(0.5), mu) + ld(NegativeBinomial::new(mu, phi), f64::from(y));
    check(&negative_binomial_model(phi, y), &[mu], want, &[0.5])
}

model! {
    fn flat_model(y: f64) {
        sample x ~ Flat();
        observe y ~ Normal(x, 1.0);
    }
}

fn flat() -> Found {
    let (y, x) = (0.4, -0.6);
    let want = ld(Normal::new(x, 1.0), y);
    check(&flat_model(y), &[x], want, &[])
}

model! {
    fn half_flat_model(y: f64) {
        sample s ~ HalfFlat();
        observe y ~ Normal(0.0, s);
    }
}

fn half_flat() -> Found {
    let (y, s) = (0.4, 1.6);
    let want = ld(Normal::new(0.0, s), y);
    check(&half_flat_model(y), &[s], want, &[])
}

/// A distribution's name and its model.
type Case = (&'static str, fn() -> Found);

/// One model per row of the spec table, in its order.
const CASES: &[Case] = &[
    ("Normal", normal),
    ("HalfNormal", half_normal),
    ("LogNormal", log_normal),
    ("StudentT", student_t),
    ("HalfStudentT", half_student_t),
    ("Cauchy", cauchy),
    ("HalfCauchy", half_cauchy),
    ("Laplace", laplace),
    ("Exponential", exponential),
    ("Gamma", gamma),
    ("InverseGamma", inverse_gamma),
    ("Beta", beta),
    ("Uniform", uniform),
    ("Dirichlet", dirichlet),
    ("Bernoulli", bernoulli),
    ("BernoulliLogit", bernoulli_logit),
    ("Binomial", binomial),
    ("BinomialLogit", binomial_logit),
    ("Poisson", poisson),
    ("PoissonLog", poisson_log),
    ("Categorical", categorical),
    ("NegativeBinomial", negative_binomial),
    ("Flat", flat),
    ("HalfFlat", half_flat),
];

#[test]
fn every_row_of_the_table_has_a_model() {
    let covered: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    let table: Vec<&str> = ngvi::spec::DISTS.iter().map(|d| d.name).collect();
    assert_eq!(covered, table, "one model per row, in the table's order");
}

#[test]
fn each_model_matches_its_densities_and_uses_its_distribution_where_valid() {
    for (row, (name, case)) in ngvi::spec::DISTS.iter().zip(CASES) {
        let f = case();
        let (got, want) = (f.log_joint, f.densities);
        assert!(
            want.is_finite(),
            "{name}: the point must lie in every support"
        );
        let tol = 1e-12 * want.abs().max(1.0);
        assert!(
            (got - want).abs() <= tol,
            "{name}: log joint {got}, densities {want}"
        );
        assert_eq!(f.prior_params, Some(f.want_params), "{name}: prior_params");
        let is = |k: &DistKind| k.name() == row.name;
        if row.is_prior() {
            assert!(f.priors.iter().any(is), "{name}: not the prior of a latent");
        }
        if row.is_likelihood() {
            assert!(
                f.observed.iter().any(is),
                "{name}: not observed with a latent argument"
            );
        }
    }
}
