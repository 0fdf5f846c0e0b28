//! The continuous distributions: Normal, HalfNormal, LogNormal, StudentT, HalfStudentT,
//! Cauchy, HalfCauchy, Laplace, Exponential, Gamma, InverseGamma, Beta and Uniform.

use rand::{Rng, RngExt};

use super::draw::{draw, open01, std_gamma};
use super::{DistKind, Sampling, Support, Univariate};
use crate::ad::Scalar;

/// ln √(2π)
pub(super) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// ln √(2/π)
pub(super) const LN_SQRT_2_OVER_PI: f64 = -0.225_791_352_644_727_4;
/// ln π
const LN_PI: f64 = 1.144_729_885_849_400_2;
/// ln(2/π)
const LN_2_OVER_PI: f64 = -0.451_582_705_289_454_8;

distribution! {
    /// Normal(mean, sd): sd > 0.
    Normal {
        /// Mean μ, finite (named `mean_param` because [`Sampling::mean`] is the moment).
        mean as mean_param,
        /// Standard deviation σ, > 0.
        sd,
    }
}

impl<S: Scalar> Univariate<S> for Normal<S> {
    const KIND: DistKind = DistKind::Normal;
    fn ln_density_in_support(&self, x: &S) -> S {
        // −½((x − μ)/σ)² − ln σ − ln √(2π)
        let z = (x.clone() - self.mean.clone()) / self.sd.clone();
        z.clone() * z * (-0.5) - self.sd.ln() - LN_SQRT_2PI
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Normal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        self.mean + self.sd * z
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sd * self.sd)
    }
}

distribution! {
    /// HalfNormal(sd): a Normal(0, sd) folded onto (0, ∞); sd > 0.
    HalfNormal {
        /// Scale (the sd of the unfolded Normal), > 0.
        sd,
    }
}

impl<S: Scalar> Univariate<S> for HalfNormal<S> {
    const KIND: DistKind = DistKind::HalfNormal;
    fn ln_density_in_support(&self, x: &S) -> S {
        // −½(x/σ)² − ln σ + ln √(2/π)
        let z = x.clone() / self.sd.clone();
        z.clone() * z * (-0.5) - self.sd.ln() + LN_SQRT_2_OVER_PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for HalfNormal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        self.sd * z.abs()
    }
    fn mean(&self) -> Option<f64> {
        Some(self.sd * (2.0 / std::f64::consts::PI).sqrt())
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sd * self.sd * (1.0 - 2.0 / std::f64::consts::PI))
    }
}

distribution! {
    /// LogNormal(mu, sigma): ln x ~ Normal(mu, sigma); sigma > 0.
    LogNormal {
        /// Mean of ln x.
        mu,
        /// Standard deviation of ln x, > 0.
        sigma,
    }
}

impl<S: Scalar> Univariate<S> for LogNormal<S> {
    const KIND: DistKind = DistKind::LogNormal;
    fn ln_density_in_support(&self, x: &S) -> S {
        // −½((ln x − μ)/σ)² − ln σ − ln x − ln √(2π)
        let lx = x.ln();
        let z = (lx.clone() - self.mu.clone()) / self.sigma.clone();
        z.clone() * z * (-0.5) - self.sigma.ln() - lx - LN_SQRT_2PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for LogNormal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        (self.mu + self.sigma * z).exp()
    }
    fn mean(&self) -> Option<f64> {
        Some((self.mu + 0.5 * self.sigma * self.sigma).exp())
    }
    fn variance(&self) -> Option<f64> {
        let s2 = self.sigma * self.sigma;
        Some(s2.exp_m1() * (2.0 * self.mu + s2).exp())
    }
}

distribution! {
    /// StudentT(df, loc, scale): df > 0, scale > 0.
    StudentT {
        /// Degrees of freedom ν, > 0.
        df,
        /// Location.
        loc,
        /// Scale, > 0.
        scale,
    }
}

impl<S: Scalar> Univariate<S> for StudentT<S> {
    const KIND: DistKind = DistKind::StudentT;
    fn ln_density_in_support(&self, x: &S) -> S {
        // ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν − ln √π − ln s − (ν+1)/2 · ln(1 + z²/ν), z = (x − μ)/s
        let nu = self.df.clone();
        let z = (x.clone() - self.loc.clone()) / self.scale.clone();
        let half_nu1 = (nu.clone() + 1.0) * 0.5;
        half_nu1.lgamma()
            - (nu.clone() * 0.5).lgamma()
            - nu.ln() * 0.5
            - 0.5 * LN_PI
            - self.scale.ln()
            - half_nu1 * (z.clone() * z / nu).ln_1p()
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for StudentT<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.loc + self.scale * draw(rand_distr::StudentT::new(self.df), rng)
    }
    fn mean(&self) -> Option<f64> {
        (self.df > 1.0).then_some(self.loc)
    }
    fn variance(&self) -> Option<f64> {
        (self.df > 2.0).then(|| self.scale * self.scale * self.df / (self.df - 2.0))
    }
}

distribution! {
    /// HalfStudentT(df, scale): a StudentT(df, 0, scale) folded onto (0, ∞), density
    /// 2 t_df(x / scale) / scale for x > 0 (Stan's `student_t(df, 0, scale)` on a
    /// parameter with `lower=0`); df > 0, scale > 0. Mean for df > 1, variance for df > 2.
    HalfStudentT {
        /// Degrees of freedom ν, > 0.
        df,
        /// Scale, > 0.
        scale,
    }
}

impl<S: Scalar> Univariate<S> for HalfStudentT<S> {
    const KIND: DistKind = DistKind::HalfStudentT;
    fn ln_density_in_support(&self, x: &S) -> S {
        // ln 2 + ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν − ln √π − ln s − (ν+1)/2 · ln(1 + z²/ν),
        // z = x/s
        let nu = self.df.clone();
        let z = x.clone() / self.scale.clone();
        let half_nu1 = (nu.clone() + 1.0) * 0.5;
        half_nu1.lgamma()
            - (nu.clone() * 0.5).lgamma()
            - nu.ln() * 0.5
            - self.scale.ln()
            - half_nu1 * (z.clone() * z / nu).ln_1p()
            + (std::f64::consts::LN_2 - 0.5 * LN_PI)
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for HalfStudentT<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.scale * draw(rand_distr::StudentT::new(self.df), rng).abs()
    }
    fn mean(&self) -> Option<f64> {
        // 2 s √(ν/π) Γ((ν+1)/2) / (Γ(ν/2) (ν − 1))
        let nu = self.df;
        (nu > 1.0).then(|| {
            let ln_ratio =
                crate::special::lgamma(0.5 * (nu + 1.0)) - crate::special::lgamma(0.5 * nu);
            2.0 * self.scale * (nu / std::f64::consts::PI).sqrt() * ln_ratio.exp() / (nu - 1.0)
        })
    }
    fn variance(&self) -> Option<f64> {
        // s² ν/(ν − 2) − mean²
        let nu = self.df;
        let mean = self.mean()?;
        (nu > 2.0).then(|| self.scale * self.scale * nu / (nu - 2.0) - mean * mean)
    }
}

distribution! {
    /// Cauchy(loc, scale): scale > 0. No mean or variance.
    Cauchy {
        /// Location (the median).
        loc,
        /// Scale (half the interquartile range), > 0.
        scale,
    }
}

impl<S: Scalar> Univariate<S> for Cauchy<S> {
    const KIND: DistKind = DistKind::Cauchy;
    fn ln_density_in_support(&self, x: &S) -> S {
        // −ln π − ln s − ln(1 + z²), z = (x − μ)/s
        let z = (x.clone() - self.loc.clone()) / self.scale.clone();
        -(z.clone() * z).ln_1p() - self.scale.ln() - LN_PI
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Cauchy<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf: μ + s · tan(π(u − ½))
        self.loc + self.scale * (std::f64::consts::PI * (open01(rng) - 0.5)).tan()
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
}

distribution! {
    /// HalfCauchy(scale): a Cauchy(0, scale) folded onto (0, ∞); scale > 0. No mean or
    /// variance.
    HalfCauchy {
        /// Scale, > 0.
        scale,
    }
}

impl<S: Scalar> Univariate<S> for HalfCauchy<S> {
    const KIND: DistKind = DistKind::HalfCauchy;
    fn ln_density_in_support(&self, x: &S) -> S {
        // ln(2/π) − ln s − ln(1 + (x/s)²)
        let z = x.clone() / self.scale.clone();
        -(z.clone() * z).ln_1p() - self.scale.ln() + LN_2_OVER_PI
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for HalfCauchy<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // the inverse cdf: s · tan(πu/2)
        self.scale * (std::f64::consts::FRAC_PI_2 * open01(rng)).tan()
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
}

distribution! {
    /// Laplace(loc, scale) (double exponential): scale > 0.
    Laplace {
        /// Location (mean and median).
        loc,
        /// Scale b, > 0 (variance 2b²).
        scale,
    }
}

impl<S: Scalar> Univariate<S> for Laplace<S> {
    const KIND: DistKind = DistKind::Laplace;
    fn ln_density_in_support(&self, x: &S) -> S {
        // −|x − μ|/b − ln b − ln 2
        (x.clone() - self.loc.clone()).abs() / self.scale.clone() * (-1.0)
            - self.scale.ln()
            - std::f64::consts::LN_2
    }
    fn support(&self) -> Support {
        Support::Real
    }
}

impl Sampling for Laplace<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // μ ± b · Exp(1), each sign with probability ½
        let e: f64 = rng.sample(rand_distr::Exp1);
        let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
        self.loc + sign * self.scale * e
    }
    fn mean(&self) -> Option<f64> {
        Some(self.loc)
    }
    fn variance(&self) -> Option<f64> {
        Some(2.0 * self.scale * self.scale)
    }
}

distribution! {
    /// Exponential(rate): rate > 0.
    Exponential {
        /// Rate λ, > 0 (mean 1/λ).
        rate,
    }
}

impl<S: Scalar> Univariate<S> for Exponential<S> {
    const KIND: DistKind = DistKind::Exponential;
    fn ln_density_in_support(&self, x: &S) -> S {
        // ln λ − λx
        self.rate.ln() - self.rate.clone() * x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for Exponential<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rng.sample(rand_distr::Exp1);
        e / self.rate
    }
    fn mean(&self) -> Option<f64> {
        Some(1.0 / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(1.0 / (self.rate * self.rate))
    }
}

distribution! {
    /// Gamma(shape, rate): shape > 0, rate > 0 (mean shape / rate).
    Gamma {
        /// Shape α, > 0.
        shape,
        /// Rate β (inverse scale), > 0.
        rate,
    }
}

impl<S: Scalar> Univariate<S> for Gamma<S> {
    const KIND: DistKind = DistKind::Gamma;
    fn ln_density_in_support(&self, x: &S) -> S {
        // α ln β − ln Γ(α) + (α − 1) ln x − βx
        let a = self.shape.clone();
        a.clone() * self.rate.ln() - a.lgamma() + (a - 1.0) * x.ln() - self.rate.clone() * x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for Gamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        std_gamma(self.shape, rng) / self.rate
    }
    fn mean(&self) -> Option<f64> {
        Some(self.shape / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.shape / (self.rate * self.rate))
    }
}

distribution! {
    /// InverseGamma(shape, scale): 1/x ~ Gamma(shape, rate = scale); shape > 0, scale > 0.
    InverseGamma {
        /// Shape α, > 0.
        shape,
        /// Scale β, > 0.
        scale,
    }
}

impl<S: Scalar> Univariate<S> for InverseGamma<S> {
    const KIND: DistKind = DistKind::InverseGamma;
    fn ln_density_in_support(&self, x: &S) -> S {
        // α ln β − ln Γ(α) − (α + 1) ln x − β/x
        let a = self.shape.clone();
        a.clone() * self.scale.ln()
            - a.lgamma()
            - (a + 1.0) * x.ln()
            - self.scale.clone() / x.clone()
    }
    fn support(&self) -> Support {
        Support::Positive
    }
}

impl Sampling for InverseGamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.scale / std_gamma(self.shape, rng)
    }
    fn mean(&self) -> Option<f64> {
        (self.shape > 1.0).then(|| self.scale / (self.shape - 1.0))
    }
    fn variance(&self) -> Option<f64> {
        let a = self.shape;
        (a > 2.0).then(|| self.scale * self.scale / ((a - 1.0) * (a - 1.0) * (a - 2.0)))
    }
}

distribution! {
    /// Beta(a, b): a > 0, b > 0.
    Beta {
        /// First shape (the pseudo-count of successes), > 0.
        a,
        /// Second shape (the pseudo-count of failures), > 0.
        b,
    }
}

impl<S: Scalar> Univariate<S> for Beta<S> {
    const KIND: DistKind = DistKind::Beta;
    fn ln_density_in_support(&self, x: &S) -> S {
        // (a − 1) ln x + (b − 1) ln(1 − x) − ln B(a, b)
        (self.a.clone() - 1.0) * x.ln() + (self.b.clone() - 1.0) * (-x.clone()).ln_1p()
            - crate::ad::ln_beta(&self.a, &self.b)
    }
    fn support(&self) -> Support {
        Support::UnitInterval
    }
}

impl Sampling for Beta<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        draw(rand_distr::Beta::new(self.a, self.b), rng)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.a / (self.a + self.b))
    }
    fn variance(&self) -> Option<f64> {
        let s = self.a + self.b;
        Some(self.a * self.b / (s * s * (s + 1.0)))
    }
}

distribution! {
    /// Uniform(lo, hi): lo < hi, both finite.
    Uniform {
        /// Lower bound, finite.
        lo,
        /// Upper bound, finite and > lo.
        hi,
    }
}

impl<S: Scalar> Univariate<S> for Uniform<S> {
    const KIND: DistKind = DistKind::Uniform;
    fn ln_density_in_support(&self, _x: &S) -> S {
        // −ln(hi − lo)
        -(self.hi.clone() - self.lo.clone()).ln()
    }
    fn support(&self) -> Support {
        Support::Interval(self.lo.value(), self.hi.value())
    }
}

impl Sampling for Uniform<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // written so that hi − lo cannot overflow
        let u = open01(rng);
        self.lo * (1.0 - u) + self.hi * u
    }
    fn mean(&self) -> Option<f64> {
        Some(0.5 * self.lo + 0.5 * self.hi)
    }
    fn variance(&self) -> Option<f64> {
        let w = self.hi - self.lo;
        Some(w * w / 12.0)
    }
}
