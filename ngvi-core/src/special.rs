//! Special functions for `f64`: ln Γ, digamma ψ, trigamma ψ′ and tetragamma ψ″.
//!
//! ln Γ and ψ′ come from the `special` crate (accurate to a few ulp on x > 0);
//! ψ uses `special` on x > 0 and the reflection formula below zero (`special`
//! recurses on negative input and can overflow the stack). No crate gives an
//! accurate ψ″, so it is computed here by upward recurrence and the asymptotic
//! series, the standard method (Abramowitz & Stegun 6.4.11–6.4.12).

use std::f64::consts::PI;

/// ln |Γ(x)|.
pub fn lgamma(x: f64) -> f64 {
    special::Gamma::ln_gamma(x).0
}

/// Digamma ψ(x) = d/dx ln Γ(x). NaN at the poles x = 0, −1, −2, …
pub fn digamma(x: f64) -> f64 {
    if !x.is_finite() {
        return if x == f64::INFINITY { x } else { f64::NAN };
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // ψ(x) = ψ(1 − x) − π / tan(πx)   (A&S 6.3.7)
        return digamma(1.0 - x) - PI / (PI * x).tan();
    }
    special::Gamma::digamma(x)
}

/// Trigamma ψ′(x). NaN at the poles.
pub fn trigamma(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        return f64::NAN;
    }
    special::Gamma::trigamma(&x)
}

/// Tetragamma ψ″(x) for x > 0 (NaN elsewhere); relative error below 1e-14.
pub fn tetragamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    // ψ″(x) = ψ″(x + 1) − 2 / x³   (A&S 6.4.6), shifted until x ≥ 20.
    let mut acc = 0.0;
    let mut y = x;
    while y < 20.0 {
        acc -= 2.0 / (y * y * y);
        y += 1.0;
    }
    // ψ″(y) ~ −1/y² − 1/y³ − 1/(2y⁴) + 1/(6y⁶) − 1/(6y⁸) + 3/(10y¹⁰) − 5/(6y¹²)   (A&S 6.4.12)
    let r = 1.0 / y;
    let r2 = r * r;
    let series = -r2 - r2 * r - 0.5 * r2 * r2
        + r2 * r2 * r2 * (1.0 / 6.0 + r2 * (-1.0 / 6.0 + r2 * (0.3 - r2 * 5.0 / 6.0)));
    acc + series
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    lgamma(a) + lgamma(b) - lgamma(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    // Reference values: mpmath 1.3 at 40 digits (`loggamma(x)`, `psi(n, x)`), rounded to f64.
    const LGAMMA: &[(f64, f64)] = &[
        (1e-8, 18.42068073818021),
        (0.1, 2.252712651734206),
        (0.5, 0.5723649429247001),
        (1.5, -0.12078223763524522),
        (2.5, 0.2846828704729192),
        (7.3, 7.147892523022249),
        (30.0, 71.25703896716801),
        (1e3, 5905.220423209181),
        (1e10, 220258509288.81058),
    ];
    const DIGAMMA: &[(f64, f64)] = &[
        (1e-8, -100000000.57721564),
        (0.1, -10.423754940411078),
        (0.5, -1.9635100260214235),
        (1.0, -0.5772156649015329),
        (1.4616321449683622, -1.3669595495722517e-16),
        (2.5, 0.7031566406452432),
        (7.3, 1.9178203356379862),
        (30.0, 3.384438132685525),
        (1e3, 6.907255195648812),
        (-0.5, 0.03648997397857652),
        (-2.7, -1.115347129140687),
    ];
    const TRIGAMMA: &[(f64, f64)] = &[
        (1e-8, 1.0000000000000002e+16),
        (0.1, 101.43329915079276),
        (0.5, 4.934802200544679),
        (1.0, 1.6449340668482264),
        (2.5, 0.49035775610023485),
        (7.3, 0.14679576813142708),
        (30.0, 0.033895060357739946),
        (1e3, 0.0010005001666666333),
    ];
    const TETRAGAMMA: &[(f64, f64)] = &[
        (0.1, -2001.861457378344),
        (0.5, -16.82879664423432),
        (1.0, -2.4041138063191885),
        (2.5, -0.2362040516417274),
        (7.3, -0.02151081444162025),
        (30.0, -0.0011487652037286),
        (1e3, -1.0010004999998333e-06),
    ];

    #[test]
    fn lgamma_matches_reference() {
        for &(x, want) in LGAMMA {
            assert!(
                rel(lgamma(x), want) < 1e-12,
                "lgamma({x}) = {} want {want}",
                lgamma(x)
            );
        }
    }

    #[test]
    fn digamma_matches_reference() {
        for &(x, want) in DIGAMMA {
            let got = digamma(x);
            // Near the root a relative bound is meaningless; use an absolute one there.
            let err = if want.abs() < 1e-10 {
                (got - want).abs()
            } else {
                rel(got, want)
            };
            assert!(err < 1e-12, "digamma({x}) = {got} want {want}");
        }
        assert!(digamma(0.0).is_nan() && digamma(-3.0).is_nan());
        assert!(digamma(-1e6 - 0.5).is_finite());
    }

    #[test]
    fn trigamma_matches_reference() {
        for &(x, want) in TRIGAMMA {
            assert!(
                rel(trigamma(x), want) < 1e-12,
                "trigamma({x}) = {} want {want}",
                trigamma(x)
            );
        }
    }

    #[test]
    fn tetragamma_matches_reference() {
        for &(x, want) in TETRAGAMMA {
            let got = tetragamma(x);
            assert!(
                rel(got, want) < 1e-12,
                "tetragamma({x}) = {got} want {want}"
            );
        }
    }

    #[test]
    fn derivatives_are_consistent() {
        for &x in &[0.3, 1.7, 4.0, 12.5] {
            let h = 1e-5 * x;
            let d_lg = (lgamma(x + h) - lgamma(x - h)) / (2.0 * h);
            let d_dg = (digamma(x + h) - digamma(x - h)) / (2.0 * h);
            let d_tg = (trigamma(x + h) - trigamma(x - h)) / (2.0 * h);
            assert!(rel(d_lg, digamma(x)) < 1e-8);
            assert!(rel(d_dg, trigamma(x)) < 1e-8);
            assert!(rel(d_tg, tetragamma(x)) < 1e-7);
        }
    }
}
