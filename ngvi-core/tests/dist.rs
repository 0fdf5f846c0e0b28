//! Distributions: reference log densities, normalisation, derivatives by forward-mode AD
//! against finite differences, sampling moments, and parameter errors.

use ngvi_core::ad::{gradient, hessian, Dual, Dual2, Scalar};
use ngvi_core::dist::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// ln_density at x of a distribution built by `new`.
fn lp<D: Univariate<f64>>(d: Result<D, ParamError>, x: f64) -> f64 {
    d.expect("valid parameters").ln_density(&x)
}

/// |a − b| ≤ rtol · |b| (equal infinities count as equal).
fn rel_close(a: f64, b: f64, rtol: f64) -> bool {
    a == b || (a - b).abs() <= rtol * b.abs()
}

/// |a − b| ≤ tol · max(1, |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// A scalar constant (data in a generic log density).
fn c<S: Scalar>(x: f64) -> S {
    S::constant(x)
}

// ---------------------------------------------------------------------------------------
// a. Reference values

/// (the expression as text, its value, the reference value)
macro_rules! r {
    ($e:expr => $want:expr) => {
        (stringify!($e), $e, $want)
    };
}

#[test]
fn reference_values() {
    let cases: Vec<(&str, f64, f64)> = vec![
        // scipy 1.17.1 stats.norm.logpdf(0.3, loc=-1, scale=2)
        r!(lp(Normal::new(-1.0, 2.0), 0.3) => -1.8233357137646178),
        // scipy 1.17.1 stats.norm.logpdf(-4.0, loc=-1, scale=2)
        r!(lp(Normal::new(-1.0, 2.0), -4.0) => -2.737085713764618),
        // scipy 1.17.1 stats.norm.logpdf(10.0, loc=-1, scale=2)
        r!(lp(Normal::new(-1.0, 2.0), 10.0) => -16.737085713764618),
        // scipy 1.17.1 stats.halfnorm.logpdf(0.2, scale=1.5)
        r!(lp(HalfNormal::new(1.5), 0.2) => -0.6401453496417807),
        // scipy 1.17.1 stats.halfnorm.logpdf(2.0, scale=1.5)
        r!(lp(HalfNormal::new(1.5), 2.0) => -1.5201453496417807),
        // scipy 1.17.1 stats.halfnorm.logpdf(5.0, scale=1.5)
        r!(lp(HalfNormal::new(1.5), 5.0) => -6.186812016308449),
        // scipy 1.17.1 stats.lognorm.logpdf(0.3, s=0.8, scale=math.exp(0.5))
        r!(lp(LogNormal::new(0.5, 0.8), 0.3) => -1.7601997696601475),
        // scipy 1.17.1 stats.lognorm.logpdf(1.7, s=0.8, scale=math.exp(0.5))
        r!(lp(LogNormal::new(0.5, 0.8), 1.7) => -1.2271561155800765),
        // scipy 1.17.1 stats.lognorm.logpdf(9.0, s=0.8, scale=math.exp(0.5))
        r!(lp(LogNormal::new(0.5, 0.8), 9.0) => -5.143465860722079),
        // scipy 1.17.1 stats.t.logpdf(-2.0, 3.5, loc=1, scale=2)
        r!(lp(StudentT::new(3.5, 1.0, 2.0), -2.0) => -2.7996037660257023),
        // scipy 1.17.1 stats.t.logpdf(1.3, 3.5, loc=1, scale=2)
        r!(lp(StudentT::new(3.5, 1.0, 2.0), 1.3) => -1.6970387634839401),
        // scipy 1.17.1 stats.t.logpdf(30.0, 3.5, loc=1, scale=2)
        r!(lp(StudentT::new(3.5, 1.0, 2.0), 30.0) => -10.934720085292827),
        // HalfStudentT has no scipy distribution: mpmath 1.3.0 at 40 digits,
        // log(2) + loggamma((nu+1)/2) - loggamma(nu/2) - log(nu*pi)/2 - log(s)
        //   - (nu+1)/2*log(1 + (x/s)**2/nu), which mp.quad integrates to 1 over (0, inf)
        r!(lp(HalfStudentT::new(3.0, 2.0), 0.1) => -1.0025548222312934),
        r!(lp(HalfStudentT::new(3.0, 2.0), 2.0) => -1.5762529945270716),
        r!(lp(HalfStudentT::new(3.0, 2.0), 50.0) => -11.688744605223688),
        r!(lp(HalfStudentT::new(3.5, 1.5), 0.1) => -0.7046468491401571),
        r!(lp(HalfStudentT::new(3.5, 1.5), 50.0) => -13.669661738207225),
        // scipy 1.17.1 stats.cauchy.logpdf(0.0, loc=-1, scale=0.5)
        r!(lp(Cauchy::new(-1.0, 0.5), 0.0) => -2.061020617723555),
        // scipy 1.17.1 stats.cauchy.logpdf(-1.0, loc=-1, scale=0.5)
        r!(lp(Cauchy::new(-1.0, 0.5), -1.0) => -0.4515827052894549),
        // scipy 1.17.1 stats.cauchy.logpdf(100.0, loc=-1, scale=0.5)
        r!(lp(Cauchy::new(-1.0, 0.5), 100.0) => -11.068142607192799),
        // scipy 1.17.1 stats.halfcauchy.logpdf(0.1, scale=2)
        r!(lp(HalfCauchy::new(2.0), 0.1) => -1.1472267660479873),
        // scipy 1.17.1 stats.halfcauchy.logpdf(2.0, scale=2)
        r!(lp(HalfCauchy::new(2.0), 2.0) => -1.8378770664093453),
        // scipy 1.17.1 stats.halfcauchy.logpdf(50.0, scale=2)
        r!(lp(HalfCauchy::new(2.0), 50.0) => -7.584080256949498),
        // scipy 1.17.1 stats.laplace.logpdf(-1.0, loc=1, scale=0.7)
        r!(lp(Laplace::new(1.0, 0.7), -1.0) => -3.19361509376407),
        // scipy 1.17.1 stats.laplace.logpdf(1.2, loc=1, scale=0.7)
        r!(lp(Laplace::new(1.0, 0.7), 1.2) => -0.6221865223354985),
        // scipy 1.17.1 stats.laplace.logpdf(4.0, loc=1, scale=0.7)
        r!(lp(Laplace::new(1.0, 0.7), 4.0) => -4.6221865223354985),
        // scipy 1.17.1 stats.expon.logpdf(0.01, scale=1/2.5)
        r!(lp(Exponential::new(2.5), 0.01) => 0.891290731874155),
        // scipy 1.17.1 stats.expon.logpdf(1.0, scale=1/2.5)
        r!(lp(Exponential::new(2.5), 1.0) => -1.583709268125845),
        // scipy 1.17.1 stats.expon.logpdf(6.0, scale=1/2.5)
        r!(lp(Exponential::new(2.5), 6.0) => -14.083709268125846),
        // scipy 1.17.1 stats.gamma.logpdf(2.0, a=3, scale=1/2)
        r!(lp(Gamma::new(3.0, 2.0), 2.0) => -1.2274112777602189),
        // scipy 1.17.1 stats.gamma.logpdf(0.05, a=3, scale=1/2)
        r!(lp(Gamma::new(3.0, 2.0), 0.05) => -4.705170185988091),
        // scipy 1.17.1 stats.gamma.logpdf(7.0, a=3, scale=1/2)
        r!(lp(Gamma::new(3.0, 2.0), 7.0) => -8.721885340769482),
        // scipy 1.17.1 stats.gamma.logpdf(0.2, a=0.5, scale=1/1.3)
        r!(lp(Gamma::new(0.5, 1.3), 0.2) => 0.10353614552609558),
        // scipy 1.17.1 stats.invgamma.logpdf(0.3, a=2.5, scale=1.5)
        r!(lp(InverseGamma::new(2.5, 1.5), 0.3) => -0.057115285061730914),
        // scipy 1.17.1 stats.invgamma.logpdf(1.0, a=2.5, scale=1.5)
        r!(lp(InverseGamma::new(2.5, 1.5), 1.0) => -0.7710201002025081),
        // scipy 1.17.1 stats.invgamma.logpdf(8.0, a=2.5, scale=1.5)
        r!(lp(InverseGamma::new(2.5, 1.5), 8.0) => -6.736565496081934),
        // scipy 1.17.1 stats.beta.logpdf(0.1, 2.5, 0.7)
        r!(lp(Beta::new(2.5, 0.7), 0.1) => -3.082414774643398),
        // scipy 1.17.1 stats.beta.logpdf(0.5, 2.5, 0.7)
        r!(lp(Beta::new(2.5, 0.7), 0.5) => -0.49192190652161133),
        // scipy 1.17.1 stats.beta.logpdf(0.99, 2.5, 0.7)
        r!(lp(Beta::new(2.5, 0.7), 0.99) => 1.7063302621664982),
        // scipy 1.17.1 stats.uniform.logpdf(0.0, loc=-2, scale=5)
        r!(lp(Uniform::new(-2.0, 3.0), 0.0) => -1.6094379124341003),
        // scipy 1.17.1 stats.uniform.logpdf(2.9, loc=-2, scale=5)
        r!(lp(Uniform::new(-2.0, 3.0), 2.9) => -1.6094379124341003),
        // scipy 1.17.1 stats.bernoulli.logpmf(0.0, 0.3)
        r!(lp(Bernoulli::new(0.3), 0.0) => -0.35667494393873245),
        // scipy 1.17.1 stats.bernoulli.logpmf(1.0, 0.3)
        r!(lp(Bernoulli::new(0.3), 1.0) => -1.2039728043259361),
        // scipy 1.17.1 stats.bernoulli.logpmf(0.0, expit(-1.2))
        r!(lp(BernoulliLogit::new(-1.2), 0.0) => -0.26328246733803123),
        // scipy 1.17.1 stats.bernoulli.logpmf(1.0, expit(-1.2))
        r!(lp(BernoulliLogit::new(-1.2), 1.0) => -1.4632824673380311),
        // scipy 1.17.1 stats.binom.logpmf(0.0, 10, 0.35)
        r!(lp(Binomial::new(10.0, 0.35), 0.0) => -4.307829160924542),
        // scipy 1.17.1 stats.binom.logpmf(4.0, 10, 0.35)
        r!(lp(Binomial::new(10.0, 0.35), 4.0) => -1.4368784638319676),
        // scipy 1.17.1 stats.binom.logpmf(10.0, 10, 0.35)
        r!(lp(Binomial::new(10.0, 0.35), 10.0) => -10.498221244986778),
        // scipy 1.17.1 stats.binom.logpmf(3.0, 12, expit(0.4))
        r!(lp(BinomialLogit::new(12.0, 0.4), 3.0) => -4.362555482447071),
        // scipy 1.17.1 stats.binom.logpmf(7.0, 12, expit(0.4))
        r!(lp(BinomialLogit::new(12.0, 0.4), 7.0) => -1.4816216369850066),
        // scipy 1.17.1 stats.poisson.logpmf(0.0, 3.7)
        r!(lp(Poisson::new(3.7), 0.0) => -3.7),
        // scipy 1.17.1 stats.poisson.logpmf(2.0, 3.7)
        r!(lp(Poisson::new(3.7), 2.0) => -1.7764815412595878),
        // scipy 1.17.1 stats.poisson.logpmf(15.0, 3.7)
        r!(lp(Poisson::new(3.7), 15.0) => -11.97427908908821),
        // scipy 1.17.1 stats.poisson.logpmf(0.0, math.exp(1.2))
        r!(lp(PoissonLog::new(1.2), 0.0) => -3.3201169227365472),
        // scipy 1.17.1 stats.poisson.logpmf(3.0, math.exp(1.2))
        r!(lp(PoissonLog::new(1.2), 3.0) => -1.5118763919646026),
        // scipy 1.17.1 stats.poisson.logpmf(10.0, math.exp(1.2))
        r!(lp(PoissonLog::new(1.2), 10.0) => -6.424529495812063),
        // scipy 1.17.1 stats.nbinom.logpmf(0.0, n=2.2, p=2.2/(4.5+2.2))
        r!(lp(NegativeBinomial::new(4.5, 2.2), 0.0) => -2.4500303652718305),
        // scipy 1.17.1 stats.nbinom.logpmf(3.0, n=2.2, p=2.2/(4.5+2.2))
        r!(lp(NegativeBinomial::new(4.5, 2.2), 3.0) => -2.049187527902551),
        // scipy 1.17.1 stats.nbinom.logpmf(20.0, n=2.2, p=2.2/(4.5+2.2))
        r!(lp(NegativeBinomial::new(4.5, 2.2), 20.0) => -6.848502183351716),
        // scipy 1.17.1 stats.multinomial.logpmf([1, 0, 0], 1, [0.2, 0.5, 0.3])
        r!(lp(Categorical::new(vec![0.2, 0.5, 0.3]), 0.0) => -1.6094379124341003),
        // scipy 1.17.1 stats.multinomial.logpmf([0, 1, 0], 1, [0.2, 0.5, 0.3]) = −ln 2
        r!(lp(Categorical::new(vec![0.2, 0.5, 0.3]), 1.0) => -std::f64::consts::LN_2),
        // scipy 1.17.1 stats.multinomial.logpmf([0, 0, 1], 1, [0.2, 0.5, 0.3])
        r!(lp(Categorical::new(vec![0.2, 0.5, 0.3]), 2.0) => -1.2039728043259361),
        // scipy 1.17.1 stats.dirichlet.logpdf([0.2, 0.5, 0.3], [2.0, 3.0, 1.5])
        r!(Dirichlet::new(vec![2.0, 3.0, 1.5]).unwrap().ln_density(&[0.2, 0.5, 0.3]) => 1.4924784412154817),
        // scipy 1.17.1 stats.dirichlet.logpdf([0.6, 0.1, 0.3], [2.0, 3.0, 1.5])
        r!(Dirichlet::new(vec![2.0, 3.0, 1.5]).unwrap().ln_density(&[0.6, 0.1, 0.3]) => -0.6277850949846089),
        // exact: −40 − ln(1 + e⁻⁴⁰) rounds to −40 in f64 (a naive ln(1 − σ(40)) is −∞)
        r!(lp(BernoulliLogit::new(40.0), 0.0) => -40.0),
        // exact: p = 0 puts all mass on y = 0
        r!(lp(Binomial::new(10.0, 0.0), 0.0) => 0.0),
        // exact: p = 1 puts all mass on y = n
        r!(lp(Binomial::new(10.0, 1.0), 10.0) => 0.0),
        // exact: p = 1 puts all mass on y = 1
        r!(lp(Bernoulli::new(1.0), 1.0) => 0.0),
        // exact: improper flat densities are 0 on their support
        r!(lp(Flat::new(), -3.5) => 0.0),
        r!(lp(HalfFlat::new(), 2.0) => 0.0),
    ];
    let bad: Vec<String> = cases
        .iter()
        .filter(|(_, got, want)| !rel_close(*got, *want, 1e-12))
        .map(|(what, got, want)| format!("{what}: got {got:e}, want {want:e}"))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn outside_the_support_is_minus_infinity() {
    let cases: Vec<(&str, f64)> = vec![
        r!(lp(Normal::new(0.0, 1.0), f64::NAN) => ()),
        r!(lp(Normal::new(0.0, 1.0), f64::INFINITY) => ()),
        r!(lp(HalfNormal::new(1.0), -0.5) => ()),
        r!(lp(LogNormal::new(0.0, 1.0), 0.0) => ()),
        r!(lp(StudentT::new(3.0, 0.0, 1.0), f64::NAN) => ()),
        r!(lp(HalfStudentT::new(3.0, 1.0), -0.5) => ()),
        r!(lp(HalfStudentT::new(3.0, 1.0), f64::INFINITY) => ()),
        r!(lp(Cauchy::new(0.0, 1.0), f64::NEG_INFINITY) => ()),
        r!(lp(HalfCauchy::new(1.0), -1.0) => ()),
        r!(lp(Laplace::new(0.0, 1.0), f64::NAN) => ()),
        r!(lp(Exponential::new(1.0), -1e-300) => ()),
        r!(lp(Gamma::new(0.5, 1.0), 0.0) => ()),
        r!(lp(InverseGamma::new(2.0, 1.0), -2.0) => ()),
        r!(lp(Beta::new(2.0, 2.0), 1.0) => ()),
        r!(lp(Beta::new(0.5, 0.5), -0.1) => ()),
        r!(lp(Uniform::new(-1.0, 1.0), 1.5) => ()),
        r!(lp(Bernoulli::new(0.5), 2.0) => ()),
        r!(lp(Bernoulli::new(0.5), 0.5) => ()),
        r!(lp(BernoulliLogit::new(0.0), -1.0) => ()),
        r!(lp(Binomial::new(5.0, 0.5), 6.0) => ()),
        r!(lp(Binomial::new(5.0, 0.0), 1.0) => ()),
        r!(lp(BinomialLogit::new(5.0, 0.0), 2.5) => ()),
        r!(lp(Poisson::new(2.0), -1.0) => ()),
        r!(lp(Poisson::new(2.0), 1.5) => ()),
        r!(lp(PoissonLog::new(0.0), f64::INFINITY) => ()),
        r!(lp(NegativeBinomial::new(2.0, 1.0), -3.0) => ()),
        r!(lp(Categorical::new(vec![0.5, 0.5]), 2.0) => ()),
        r!(lp(Categorical::new(vec![1.0, 0.0]), 1.0) => ()),
        r!(lp(Flat::new(), f64::NAN) => ()),
        r!(lp(HalfFlat::new(), 0.0) => ()),
    ]
    .into_iter()
    .map(|(what, got, ())| (what, got))
    .collect();
    for (what, got) in cases {
        assert_eq!(got, f64::NEG_INFINITY, "{what}");
    }
    let d = Dirichlet::new(vec![2.0, 3.0, 1.5]).unwrap();
    for x in [
        vec![0.5, 0.5],
        vec![0.2, 0.5, 0.31],
        vec![0.0, 0.5, 0.5],
        vec![1.2, -0.1, -0.1],
        vec![f64::NAN, 0.5, 0.5],
    ] {
        assert_eq!(d.ln_density(&x), f64::NEG_INFINITY, "Dirichlet at {x:?}");
    }
}

// ---------------------------------------------------------------------------------------
// b. Normalisation

/// Adaptive Simpson on [a, b] given f at a, (a + b)/2, b and the panel's Simpson estimate.
#[allow(clippy::too_many_arguments)]
fn simpson(
    f: &dyn Fn(f64) -> f64,
    a: f64,
    b: f64,
    fa: f64,
    fm: f64,
    fb: f64,
    whole: f64,
    tol: f64,
    depth: u32,
) -> f64 {
    let m = 0.5 * (a + b);
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    if depth == 0 || delta.abs() <= 15.0 * tol {
        left + right + delta / 15.0
    } else {
        simpson(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1)
            + simpson(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1)
    }
}

/// ∫ₐᵇ f, adaptive Simpson started on 64 panels, absolute tolerance `tol`.
fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    const PANELS: usize = 64;
    let w = (b - a) / PANELS as f64;
    (0..PANELS)
        .map(|i| {
            let (lo, hi) = (a + i as f64 * w, a + (i + 1) as f64 * w);
            let (flo, fm, fhi) = (f(lo), f(0.5 * (lo + hi)), f(hi));
            let whole = (hi - lo) / 6.0 * (flo + 4.0 * fm + fhi);
            simpson(f, lo, hi, flo, fm, fhi, whole, tol / PANELS as f64, 50)
        })
        .sum()
}

/// density(x) · dx/dt, taken as 0 where the density vanishes (the Jacobian is infinite at
/// the ends of a mapped infinite range).
fn mapped(density: f64, jacobian: f64) -> f64 {
    if density == 0.0 {
        0.0
    } else {
        density * jacobian
    }
}

/// The total mass of a distribution on its support: an integral (infinite ranges mapped to
/// (−1, 1) by x = t/(1 − t²) or to (0, 1) by x = t/(1 − t)) or a sum (counts truncated at
/// 2000, far in the tail of every case below).
fn total_mass<D: Univariate<f64>>(d: &D) -> f64 {
    const TOL: f64 = 1e-10;
    let p = |x: f64| d.ln_density(&x).exp();
    let sum = |k: usize| (0..k).map(|k| p(k as f64)).sum::<f64>();
    match d.support() {
        Support::Real => integrate(
            &|t| {
                let s = 1.0 - t * t;
                mapped(p(t / s), (1.0 + t * t) / (s * s))
            },
            -1.0,
            1.0,
            TOL,
        ),
        Support::Positive => integrate(
            &|t| mapped(p(t / (1.0 - t)), 1.0 / ((1.0 - t) * (1.0 - t))),
            0.0,
            1.0,
            TOL,
        ),
        Support::UnitInterval => integrate(&p, 0.0, 1.0, TOL),
        Support::Interval(lo, hi) => integrate(&p, lo, hi, TOL),
        Support::Binary => sum(2),
        Support::UpTo(n) => sum(n as usize + 1),
        Support::Categories(k) => sum(k),
        Support::Counts => sum(2000),
        Support::Simplex => unreachable!("Dirichlet is not univariate"),
    }
}

macro_rules! assert_normalised {
    ($($d:expr),* $(,)?) => {$(
        let mass = total_mass(&$d.unwrap());
        assert!((mass - 1.0).abs() < 1e-6, "{}: total mass {mass}", stringify!($d));
    )*};
}

#[test]
fn continuous_densities_integrate_to_one() {
    assert_normalised!(
        Normal::new(-1.0, 2.0),
        Normal::new(3.0, 0.3),
        HalfNormal::new(1.5),
        LogNormal::new(0.5, 0.8),
        StudentT::new(3.5, 1.0, 2.0),
        StudentT::new(1.0, 0.0, 1.0),
        HalfStudentT::new(3.0, 2.0),
        HalfStudentT::new(1.0, 0.5),
        Cauchy::new(-1.0, 0.5),
        HalfCauchy::new(2.0),
        Laplace::new(1.0, 0.7),
        Exponential::new(2.5),
        Gamma::new(3.0, 2.0),
        Gamma::new(0.5, 1.3),
        InverseGamma::new(2.5, 1.5),
        Beta::new(2.5, 0.7),
        Beta::new(2.0, 5.0),
        Uniform::new(-2.0, 3.0),
    );
}

#[test]
fn discrete_pmfs_sum_to_one() {
    assert_normalised!(
        Bernoulli::new(0.3),
        BernoulliLogit::new(-1.2),
        Binomial::new(10.0, 0.35),
        Binomial::new(7.0, 1.0),
        BinomialLogit::new(12.0, 0.4),
        Poisson::new(3.7),
        Poisson::new(250.0),
        PoissonLog::new(1.2),
        NegativeBinomial::new(4.5, 2.2),
        NegativeBinomial::new(20.0, 0.5),
        Categorical::new(vec![0.2, 0.5, 0.3]),
    );
}

#[test]
fn dirichlet_integrates_to_one_and_reduces_to_beta() {
    // K = 2: Dirichlet(a, b) at (x, 1 − x) is Beta(a, b) at x.
    let d2 = Dirichlet::new(vec![2.5, 0.7]).unwrap();
    let beta = Beta::new(2.5, 0.7).unwrap();
    for x in [0.1, 0.5, 0.93] {
        let (got, want) = (d2.ln_density(&[x, 1.0 - x]), beta.ln_density(&x));
        assert!(rel_close(got, want, 1e-12), "x = {x}: {got} vs {want}");
    }
    let mass2 = integrate(&|x| d2.ln_density(&[x, 1.0 - x]).exp(), 0.0, 1.0, 1e-10);
    assert!((mass2 - 1.0).abs() < 1e-6, "K = 2: mass {mass2}");
    // K = 3: over the triangle x, y > 0, x + y < 1.
    let d3 = Dirichlet::new(vec![2.0, 3.0, 1.5]).unwrap();
    let inner = |x: f64| {
        integrate(
            &|y| d3.ln_density(&[x, y, 1.0 - x - y]).exp(),
            0.0,
            1.0 - x,
            1e-10,
        )
    };
    let mass3 = integrate(&inner, 0.0, 1.0, 1e-9);
    assert!((mass3 - 1.0).abs() < 1e-6, "K = 3: mass {mass3}");
}

// ---------------------------------------------------------------------------------------
// c. Derivatives

/// A log density as a function of a vector of reals (x and parameters), for any scalar.
trait LogDensity {
    fn eval<S: Scalar>(&self, v: &[S]) -> S;
}

/// A unit struct implementing [`LogDensity`] with the given body.
macro_rules! log_density {
    ($($name:ident: |$v:ident| $body:expr;)*) => {$(
        struct $name;
        impl LogDensity for $name {
            fn eval<S: Scalar>(&self, $v: &[S]) -> S {
                $body
            }
        }
    )*};
}

/// v[i] as a scalar.
fn a<S: Scalar>(v: &[S], i: usize) -> S {
    v[i].clone()
}

log_density! {
    NormalLp: |v| Normal::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    HalfNormalLp: |v| HalfNormal::new(a(v, 1)).unwrap().ln_density(&v[0]);
    LogNormalLp: |v| LogNormal::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    StudentTLp: |v| StudentT::new(a(v, 1), a(v, 2), a(v, 3)).unwrap().ln_density(&v[0]);
    HalfStudentTLp: |v| HalfStudentT::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    CauchyLp: |v| Cauchy::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    HalfCauchyLp: |v| HalfCauchy::new(a(v, 1)).unwrap().ln_density(&v[0]);
    LaplaceLp: |v| Laplace::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    ExponentialLp: |v| Exponential::new(a(v, 1)).unwrap().ln_density(&v[0]);
    GammaLp: |v| Gamma::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    InverseGammaLp: |v| InverseGamma::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    BetaLp: |v| Beta::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    UniformLp: |v| Uniform::new(a(v, 1), a(v, 2)).unwrap().ln_density(&v[0]);
    FlatLp: |v| Flat::new().unwrap().ln_density(&v[0]);
    HalfFlatLp: |v| HalfFlat::new().unwrap().ln_density(&v[0]);
    // Discrete: the observation is data; differentiate in the parameters only.
    Bernoulli0Lp: |v| Bernoulli::new(a(v, 0)).unwrap().ln_density(&c(0.0));
    Bernoulli1Lp: |v| Bernoulli::new(a(v, 0)).unwrap().ln_density(&c(1.0));
    BernoulliLogit0Lp: |v| BernoulliLogit::new(a(v, 0)).unwrap().ln_density(&c(0.0));
    BernoulliLogit1Lp: |v| BernoulliLogit::new(a(v, 0)).unwrap().ln_density(&c(1.0));
    BinomialLp: |v| Binomial::new(c(10.0), a(v, 0)).unwrap().ln_density(&c(4.0));
    BinomialLogitLp: |v| BinomialLogit::new(c(12.0), a(v, 0)).unwrap().ln_density(&c(7.0));
    PoissonLp: |v| Poisson::new(a(v, 0)).unwrap().ln_density(&c(2.0));
    PoissonLogLp: |v| PoissonLog::new(a(v, 0)).unwrap().ln_density(&c(3.0));
    NegativeBinomial0Lp: |v| NegativeBinomial::new(a(v, 0), a(v, 1)).unwrap().ln_density(&c(0.0));
    NegativeBinomial5Lp: |v| NegativeBinomial::new(a(v, 0), a(v, 1)).unwrap().ln_density(&c(5.0));
    // Categorical(p0, p1, 1 − p0 − p1) at k = 0 and k = 2
    Categorical0Lp: |v| categorical(v).ln_density(&c(0.0));
    Categorical2Lp: |v| categorical(v).ln_density(&c(2.0));
    // Dirichlet(a1, a2, a3) at (x1, x2, 1 − x1 − x2)
    DirichletLp: |v| {
        let x = [a(v, 0), a(v, 1), c::<S>(1.0) - a(v, 0) - a(v, 1)];
        Dirichlet::new(v[2..5].to_vec()).unwrap().ln_density(&x)
    };
}

fn categorical<S: Scalar>(v: &[S]) -> Categorical<S> {
    Categorical::new(vec![a(v, 0), a(v, 1), c::<S>(1.0) - a(v, 0) - a(v, 1)]).unwrap()
}

/// `at` with `at[i]` moved by `h`.
fn shifted(at: &[f64], i: usize, h: f64) -> Vec<f64> {
    let mut x = at.to_vec();
    x[i] += h;
    x
}

/// Value, gradient (Dual and Dual2) and Hessian (Dual2) against central finite differences:
/// of the f64 value for the gradient, of the Dual gradient for the Hessian.
fn check_derivatives<F: LogDensity>(name: &str, f: F, at: &[f64]) {
    const TOL: f64 = 1e-6;
    let f0 = |x: &[f64]| f.eval::<f64>(x);
    let grad = |x: &[f64]| gradient(|v: &[Dual]| f.eval(v), x);
    let (v1, g1) = grad(at);
    let (v2, g2, h2) = hessian(|v: &[Dual2]| f.eval(v), at);
    let value = f0(at);
    assert!(value.is_finite(), "{name}: value {value} at {at:?}");
    // duals divide as a · (1/b), so their value may differ from f64's a / b by an ulp or so
    assert!(
        rel_close(v1, value, 1e-14) && rel_close(v2, value, 1e-14),
        "{name}: values {value}, {v1}, {v2}"
    );
    for i in 0..at.len() {
        let h = 1e-5 * at[i].abs().max(1.0);
        let fd = (f0(&shifted(at, i, h)) - f0(&shifted(at, i, -h))) / (2.0 * h);
        assert!(
            close(g1[i], fd, TOL),
            "{name}: Dual ∂{i} {} vs fd {fd}",
            g1[i]
        );
        assert!(
            close(g2[i], fd, TOL),
            "{name}: Dual2 ∂{i} {} vs fd {fd}",
            g2[i]
        );
        let (gp, gm) = (grad(&shifted(at, i, h)).1, grad(&shifted(at, i, -h)).1);
        for j in 0..at.len() {
            let fd2 = (gp[j] - gm[j]) / (2.0 * h);
            let hji = h2[(j, i)];
            assert!(close(hji, fd2, TOL), "{name}: ∂²{j},{i} {hji} vs fd {fd2}");
        }
    }
}

#[test]
fn continuous_derivatives_match_finite_differences() {
    // v = [x, parameters…]
    check_derivatives("Normal", NormalLp, &[0.3, -1.0, 2.0]);
    check_derivatives("HalfNormal", HalfNormalLp, &[0.7, 1.5]);
    check_derivatives("LogNormal", LogNormalLp, &[1.7, 0.5, 0.8]);
    check_derivatives("StudentT", StudentTLp, &[-2.0, 3.5, 1.0, 2.0]);
    check_derivatives("HalfStudentT", HalfStudentTLp, &[1.3, 3.5, 2.0]);
    check_derivatives("Cauchy", CauchyLp, &[0.2, -1.0, 0.5]);
    check_derivatives("HalfCauchy", HalfCauchyLp, &[0.9, 2.0]);
    check_derivatives("Laplace x < loc", LaplaceLp, &[-1.0, 1.0, 0.7]);
    check_derivatives("Laplace x > loc", LaplaceLp, &[2.5, 1.0, 0.7]);
    check_derivatives("Exponential", ExponentialLp, &[0.8, 2.5]);
    check_derivatives("Gamma", GammaLp, &[2.0, 3.0, 2.0]);
    check_derivatives("Gamma shape < 1", GammaLp, &[0.2, 0.5, 1.3]);
    check_derivatives("InverseGamma", InverseGammaLp, &[1.0, 2.5, 1.5]);
    check_derivatives("Beta", BetaLp, &[0.3, 2.5, 0.7]);
    check_derivatives("Uniform", UniformLp, &[0.5, -2.0, 3.0]);
    check_derivatives("Flat", FlatLp, &[-0.4]);
    check_derivatives("HalfFlat", HalfFlatLp, &[0.4]);
    check_derivatives("Dirichlet", DirichletLp, &[0.2, 0.5, 2.0, 3.0, 1.5]);
}

#[test]
fn discrete_derivatives_match_finite_differences() {
    // v = [parameters…]
    check_derivatives("Bernoulli y = 0", Bernoulli0Lp, &[0.3]);
    check_derivatives("Bernoulli y = 1", Bernoulli1Lp, &[0.3]);
    check_derivatives("BernoulliLogit y = 0", BernoulliLogit0Lp, &[-1.2]);
    check_derivatives("BernoulliLogit y = 1", BernoulliLogit1Lp, &[2.5]);
    check_derivatives("Binomial", BinomialLp, &[0.35]);
    check_derivatives("BinomialLogit", BinomialLogitLp, &[0.4]);
    check_derivatives("Poisson", PoissonLp, &[3.7]);
    check_derivatives("PoissonLog", PoissonLogLp, &[1.2]);
    check_derivatives("NegativeBinomial y = 0", NegativeBinomial0Lp, &[4.5, 2.2]);
    check_derivatives("NegativeBinomial y = 5", NegativeBinomial5Lp, &[4.5, 2.2]);
    check_derivatives("Categorical k = 0", Categorical0Lp, &[0.2, 0.5]);
    check_derivatives("Categorical k = 2", Categorical2Lp, &[0.2, 0.5]);
}

// ---------------------------------------------------------------------------------------
// d. Sampling

const DRAWS: usize = 100_000;

/// `DRAWS` draws with a fixed seed, each checked to lie in the support.
fn draws<D: Sampling + Univariate<f64>>(name: &str, d: &D, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let xs: Vec<f64> = (0..DRAWS).map(|_| d.sample(&mut rng)).collect();
    let support = d.support();
    if let Some(x) = xs.iter().find(|&&x| !support.contains(x)) {
        panic!("{name}: draw {x} outside {support}");
    }
    xs
}

/// The sample mean is within 5 standard errors of `mean` and the sample variance within
/// 5 standard errors of `variance` (the latter's error from the sample fourth moment).
fn check_moments(name: &str, xs: &[f64], mean: f64, variance: Option<f64>) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let central = |p: i32| xs.iter().map(|x| (x - m).powi(p)).sum::<f64>() / n;
    let (s2, m4) = (central(2), central(4));
    let se_mean = (s2 / n).sqrt();
    assert!(
        (m - mean).abs() <= 5.0 * se_mean,
        "{name}: sample mean {m}, mean {mean}, se {se_mean}"
    );
    if let Some(var) = variance {
        let se_var = ((m4 - s2 * s2) / n).sqrt();
        assert!(
            (s2 - var).abs() <= 5.0 * se_var,
            "{name}: sample variance {s2}, variance {var}, se {se_var}"
        );
    }
}

/// Sample mean (and variance, if `with_variance`) against `mean()` and `variance()`.
fn check_sampling<D: Sampling + Univariate<f64>>(
    name: &str,
    d: Result<D, ParamError>,
    with_variance: bool,
) {
    let d = d.expect("valid parameters");
    let xs = draws(name, &d, 42);
    let mean = d.mean().expect("mean defined");
    let variance = d.variance().filter(|_| with_variance);
    check_moments(name, &xs, mean, variance);
}

/// Sample quantiles against the true ones, within 5 standard errors
/// √(q(1 − q)/n) / p(x_q).
fn check_quantiles<D: Sampling + Univariate<f64>>(name: &str, d: D, quantiles: &[(f64, f64)]) {
    let mut xs = draws(name, &d, 7);
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    for &(q, xq) in quantiles {
        let sample = xs[(q * n) as usize];
        let se = (q * (1.0 - q) / n).sqrt() / d.ln_density(&xq).exp();
        assert!(
            (sample - xq).abs() <= 5.0 * se,
            "{name}: quantile {q}: sample {sample}, true {xq}, se {se}"
        );
    }
}

#[test]
fn sampling_matches_moments() {
    check_sampling("Normal", Normal::new(-1.0, 2.0), true);
    check_sampling("HalfNormal", HalfNormal::new(1.5), true);
    check_sampling("LogNormal", LogNormal::new(0.5, 0.5), true);
    // df = 3: the variance is finite but its sample variance's error is not; df = 7: both.
    check_sampling("StudentT df = 3", StudentT::new(3.0, 1.0, 2.0), false);
    check_sampling("StudentT df = 7", StudentT::new(7.0, 1.0, 2.0), true);
    check_sampling("HalfStudentT df = 3", HalfStudentT::new(3.0, 2.0), false);
    check_sampling("HalfStudentT df = 7", HalfStudentT::new(7.0, 2.0), true);
    check_sampling("Laplace", Laplace::new(1.0, 0.7), true);
    check_sampling("Exponential", Exponential::new(2.5), true);
    check_sampling("Gamma", Gamma::new(3.0, 2.0), true);
    check_sampling("Gamma shape < 1", Gamma::new(0.5, 1.3), true);
    check_sampling("InverseGamma", InverseGamma::new(6.0, 1.5), true);
    check_sampling("Beta", Beta::new(2.5, 0.7), true);
    check_sampling("Uniform", Uniform::new(-2.0, 3.0), true);
    check_sampling("Bernoulli", Bernoulli::new(0.3), true);
    check_sampling("BernoulliLogit", BernoulliLogit::new(-1.2), true);
    check_sampling("Binomial", Binomial::new(10.0, 0.35), true);
    check_sampling("BinomialLogit", BinomialLogit::new(12.0, 0.4), true);
    check_sampling("Poisson", Poisson::new(3.7), true);
    check_sampling("Poisson large rate", Poisson::new(250.0), true);
    check_sampling("PoissonLog", PoissonLog::new(1.2), true);
    check_sampling("NegativeBinomial", NegativeBinomial::new(4.5, 2.2), true);
    check_sampling("Categorical", Categorical::new(vec![0.2, 0.5, 0.3]), true);
}

#[test]
fn heavy_tails_sample_the_right_quantiles() {
    let (loc, scale) = (-1.0, 0.5);
    check_quantiles(
        "Cauchy",
        Cauchy::new(loc, scale).unwrap(),
        &[(0.25, loc - scale), (0.5, loc), (0.75, loc + scale)],
    );
    let s = 2.0;
    let eighth = std::f64::consts::PI / 8.0;
    check_quantiles(
        "HalfCauchy",
        HalfCauchy::new(s).unwrap(),
        &[
            (0.25, s * eighth.tan()),
            (0.5, s),
            (0.75, s * (3.0 * eighth).tan()),
        ],
    );
    let d = StudentT::new(1.5, 0.0, 1.0).unwrap();
    assert_eq!(d.mean(), Some(0.0));
    assert_eq!(d.variance(), None);
    // t with 1.5 df is symmetric: the median is the location
    check_quantiles("StudentT df = 1.5", d, &[(0.5, 0.0)]);
    let d = Cauchy::new(0.0, 1.0).unwrap();
    assert_eq!((d.mean(), d.variance()), (None, None));
    let d = HalfCauchy::new(1.0).unwrap();
    assert_eq!((d.mean(), d.variance()), (None, None));
    let d = InverseGamma::new(1.5, 1.0).unwrap();
    assert_eq!((d.mean(), d.variance()), (Some(2.0), None));
}

#[test]
fn dirichlet_sampling_matches_moments() {
    let d = Dirichlet::new(vec![2.0, 3.0, 1.5]).unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let xs: Vec<Vec<f64>> = (0..DRAWS).map(|_| d.sample(&mut rng)).collect();
    assert!(
        xs.iter().all(|x| d.ln_density(x).is_finite()),
        "a draw off the simplex"
    );
    let (mean, var) = (d.mean(), d.variance());
    for i in 0..3 {
        let component: Vec<f64> = xs.iter().map(|x| x[i]).collect();
        check_moments(
            &format!("Dirichlet[{i}]"),
            &component,
            mean[i],
            Some(var[i]),
        );
    }
}

// ---------------------------------------------------------------------------------------
// e. Parameter errors

/// The distribution and parameter named by the error `r` must be.
fn err<T: std::fmt::Debug>(r: Result<T, ParamError>) -> (DistKind, &'static str) {
    let e = r.expect_err("invalid parameters must be an error");
    (e.dist, e.param)
}

#[test]
fn invalid_parameters_are_errors_naming_the_parameter() {
    use DistKind as K;
    let nan = f64::NAN;
    let cases = [
        (err(Normal::new(0.0, -1.0)), (K::Normal, "sd")),
        (err(Normal::new(nan, 1.0)), (K::Normal, "mean")),
        (err(HalfNormal::new(0.0)), (K::HalfNormal, "sd")),
        (err(HalfNormal::new(nan)), (K::HalfNormal, "sd")),
        (
            err(LogNormal::new(f64::INFINITY, 1.0)),
            (K::LogNormal, "mu"),
        ),
        (err(LogNormal::new(0.0, nan)), (K::LogNormal, "sigma")),
        (err(StudentT::new(0.0, 0.0, 1.0)), (K::StudentT, "df")),
        (err(StudentT::new(3.0, nan, 1.0)), (K::StudentT, "loc")),
        (err(StudentT::new(3.0, 0.0, -2.0)), (K::StudentT, "scale")),
        (err(HalfStudentT::new(-3.0, 1.0)), (K::HalfStudentT, "df")),
        (err(HalfStudentT::new(3.0, 0.0)), (K::HalfStudentT, "scale")),
        (err(Cauchy::new(0.0, 0.0)), (K::Cauchy, "scale")),
        (err(Cauchy::new(nan, 1.0)), (K::Cauchy, "loc")),
        (err(HalfCauchy::new(-1.0)), (K::HalfCauchy, "scale")),
        (err(HalfCauchy::new(nan)), (K::HalfCauchy, "scale")),
        (err(Laplace::new(0.0, -0.5)), (K::Laplace, "scale")),
        (err(Laplace::new(nan, 1.0)), (K::Laplace, "loc")),
        (err(Exponential::new(0.0)), (K::Exponential, "rate")),
        (
            err(Exponential::new(f64::INFINITY)),
            (K::Exponential, "rate"),
        ),
        (err(Gamma::new(-1.0, 1.0)), (K::Gamma, "shape")),
        (err(Gamma::new(1.0, nan)), (K::Gamma, "rate")),
        (err(InverseGamma::new(nan, 1.0)), (K::InverseGamma, "shape")),
        (err(InverseGamma::new(1.0, 0.0)), (K::InverseGamma, "scale")),
        (err(Beta::new(0.0, 1.0)), (K::Beta, "a")),
        (err(Beta::new(1.0, nan)), (K::Beta, "b")),
        (err(Uniform::new(1.0, 1.0)), (K::Uniform, "hi")),
        (err(Uniform::new(2.0, 1.0)), (K::Uniform, "hi")),
        (err(Uniform::new(nan, 1.0)), (K::Uniform, "lo")),
        (err(Uniform::new(0.0, nan)), (K::Uniform, "hi")),
        (
            err(Uniform::new(f64::NEG_INFINITY, 0.0)),
            (K::Uniform, "lo"),
        ),
        (err(Bernoulli::new(1.5)), (K::Bernoulli, "p")),
        (err(Bernoulli::new(nan)), (K::Bernoulli, "p")),
        (err(BernoulliLogit::new(nan)), (K::BernoulliLogit, "logit")),
        (err(Binomial::new(2.5, 0.5)), (K::Binomial, "n")),
        (err(Binomial::new(-1.0, 0.5)), (K::Binomial, "n")),
        (err(Binomial::new(3.0, -0.1)), (K::Binomial, "p")),
        (err(Binomial::new(nan, 0.5)), (K::Binomial, "n")),
        (
            err(BinomialLogit::new(3.0, nan)),
            (K::BinomialLogit, "logit"),
        ),
        (err(BinomialLogit::new(0.5, 0.0)), (K::BinomialLogit, "n")),
        (err(Poisson::new(-1.0)), (K::Poisson, "rate")),
        (err(Poisson::new(nan)), (K::Poisson, "rate")),
        (err(PoissonLog::new(nan)), (K::PoissonLog, "log_rate")),
        (
            err(NegativeBinomial::new(0.0, 1.0)),
            (K::NegativeBinomial, "mu"),
        ),
        (
            err(NegativeBinomial::new(1.0, nan)),
            (K::NegativeBinomial, "phi"),
        ),
        (err(Categorical::new(vec![0.5, 0.6])), (K::Categorical, "p")),
        (
            err(Categorical::new(vec![1.5, -0.5])),
            (K::Categorical, "p"),
        ),
        (err(Categorical::new(vec![0.5, nan])), (K::Categorical, "p")),
        (err(Categorical::<f64>::new(vec![])), (K::Categorical, "p")),
        (err(Dirichlet::new(vec![1.0, 0.0])), (K::Dirichlet, "alpha")),
        (err(Dirichlet::new(vec![1.0, nan])), (K::Dirichlet, "alpha")),
        (err(Dirichlet::new(vec![1.0])), (K::Dirichlet, "alpha")),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    assert!(Flat::new().is_ok() && HalfFlat::new().is_ok());
    let e = Normal::new(0.0, -1.0).unwrap_err();
    assert_eq!(e.to_string(), "Normal(mean, sd): sd = -1 must be > 0");
    let e = Uniform::new(2.0, 1.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Uniform(lo, hi): hi = 1 must be greater than lo"
    );
}

#[test]
fn extreme_parameters_neither_panic_nor_give_nan() {
    /// 200 draws (not NaN; within `range` if given) and densities at `at` (not NaN).
    fn run<D: Sampling + Univariate<f64>>(name: &str, d: Result<D, ParamError>, at: &[f64]) {
        run_in(name, d, at, (f64::NEG_INFINITY, f64::INFINITY));
    }
    fn run_in<D: Sampling + Univariate<f64>>(
        name: &str,
        d: Result<D, ParamError>,
        at: &[f64],
        range: (f64, f64),
    ) {
        let d = d.expect("valid parameters");
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..200 {
            let x = d.sample(&mut rng);
            assert!(x >= range.0 && x <= range.1, "{name}: draw {x}");
        }
        for x in at {
            assert!(!d.ln_density(x).is_nan(), "{name}: NaN density at {x}");
        }
        let _ = (d.mean(), d.variance());
    }
    run("Gamma tiny shape", Gamma::new(1e-300, 1.0), &[1e-300, 1.0]);
    run("Gamma tiny rate", Gamma::new(2.0, 1e-300), &[1e300]);
    run(
        "InverseGamma",
        InverseGamma::new(1e-3, 1e300),
        &[1e-300, 1e300],
    );
    run("Beta tiny", Beta::new(1e-5, 1e-5), &[1e-300, 0.5]);
    run("Beta huge", Beta::new(1e300, 1e300), &[0.5]);
    run(
        "StudentT huge df",
        StudentT::new(1e300, 0.0, 1.0),
        &[0.0, 1e300],
    );
    run(
        "StudentT tiny df",
        StudentT::new(1e-300, 0.0, 1.0),
        &[0.0, 1e300],
    );
    run("Cauchy", Cauchy::new(1e300, 1e300), &[-1e300, 1e300]);
    run(
        "HalfStudentT huge df",
        HalfStudentT::new(1e300, 1.0),
        &[1e-300, 1e300],
    );
    run(
        "HalfStudentT tiny df",
        HalfStudentT::new(1e-300, 1.0),
        &[1e-300, 1e300],
    );
    run("LogNormal", LogNormal::new(700.0, 10.0), &[1e-300, 1e300]);
    run("Exponential", Exponential::new(1e-300), &[1e300]);
    run("Uniform wide", Uniform::new(-1e300, 1e300), &[0.0]);
    // ± 10 sd
    run_in(
        "Poisson huge",
        Poisson::new(1e20),
        &[0.0, 1e20],
        (1e20 - 1e11, 1e20 + 1e11),
    );
    run("Poisson tiny", Poisson::new(1e-300), &[0.0, 5.0]);
    // exp(800) overflows: the rate, the mean and every draw are +∞
    run_in(
        "PoissonLog huge",
        PoissonLog::new(800.0),
        &[0.0, 3.0],
        (f64::INFINITY, f64::INFINITY),
    );
    run("PoissonLog tiny", PoissonLog::new(-800.0), &[0.0, 3.0]);
    // ± 10 sd
    let (lo, hi) = (5e29 - 5e15, 5e29 + 5e15);
    run_in(
        "Binomial n > u64::MAX",
        Binomial::new(1e30, 0.5),
        &[0.0, 5e29],
        (lo, hi),
    );
    run_in(
        "Binomial n > u64::MAX, p small",
        Binomial::new(1e30, 1e-28),
        &[0.0],
        (0.0, 300.0),
    );
    run_in(
        "Binomial n = u64::MAX",
        Binomial::new(u64::MAX as f64, 0.25),
        &[0.0],
        (4.6116e18, 4.6118e18),
    );
    run("Binomial p = 0", Binomial::new(10.0, 0.0), &[0.0, 3.0]);
    run("BinomialLogit", BinomialLogit::new(1e6, 40.0), &[0.0, 1e6]);
    run("BernoulliLogit", BernoulliLogit::new(-1e300), &[0.0, 1.0]);
    run(
        "NegativeBinomial",
        NegativeBinomial::new(1e300, 1e-300),
        &[0.0, 1e300],
    );
    run(
        "NegativeBinomial huge phi",
        NegativeBinomial::new(3.0, 1e300),
        &[0.0, 2.0],
    );
    run("Categorical", Categorical::new(vec![0.0, 1.0, 0.0]), &[1.0]);
}

#[test]
fn half_student_t_is_the_student_t_folded() {
    // the moments (mpmath: 2 s √(ν/π) Γ((ν+1)/2) / (Γ(ν/2)(ν − 1)), s² ν/(ν − 2) − mean²,
    // and the mean as mp.quad of x p(x))
    let d = HalfStudentT::new(3.0, 2.0).unwrap();
    assert!(close(d.mean().unwrap(), 2.205_315_581_687_168_2, 1e-13));
    assert!(close(d.variance().unwrap(), 7.136_583_185_167_787, 1e-13));
    let d = HalfStudentT::new(3.5, 1.5).unwrap();
    assert!(close(d.mean().unwrap(), 1.561_443_843_674_800_4, 1e-13));
    assert!(close(d.variance().unwrap(), 2.811_893_123_050_065_5, 1e-13));
    assert_eq!(HalfStudentT::new(1.0, 1.0).unwrap().mean(), None);
    assert_eq!(HalfStudentT::new(2.0, 1.0).unwrap().variance(), None);
    // 2 t_df(x / s) / s on (0, ∞)
    for (df, s) in [(1.0, 1.0), (3.0, 2.0), (30.0, 0.5)] {
        let half = HalfStudentT::new(df, s).unwrap();
        let t = StudentT::new(df, 0.0, s).unwrap();
        for x in [1e-3, 0.4, 2.0, 40.0] {
            let want = std::f64::consts::LN_2 + t.ln_density(&x);
            assert!(close(half.ln_density(&x), want, 1e-13), "df {df}, x {x}");
        }
    }
}
