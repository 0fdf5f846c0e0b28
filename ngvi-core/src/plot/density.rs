//! The numbers behind a marginal panel: a plotting range, a Gaussian kernel density
//! estimate, and a histogram normalised to a density.

/// Finite values of `v`, sorted.
pub(super) fn sorted_finite(v: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    out.sort_by(f64::total_cmp);
    out
}

/// The q-quantile (type 7) of sorted values; `None` for none.
pub(super) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q * last as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// A range covering the central 99 % of every sample, widened by 5 % on each side (and
/// made non-empty when every value is the same).
pub(super) fn range(samples: &[&[f64]]) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in samples {
        if let (Some(a), Some(b)) = (quantile(s, 0.005), quantile(s, 0.995)) {
            lo = lo.min(a);
            hi = hi.max(b);
        }
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1.0)
    };
    Some((lo - pad, hi + pad))
}

/// Silverman's rule-of-thumb bandwidth, h = 0.9 min(sd, IQR / 1.34) n^(−1/5), for sorted
/// finite values; a small positive width when the values do not spread.
fn bandwidth(sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let sd = (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let iqr = quantile(sorted, 0.75).unwrap_or(0.0) - quantile(sorted, 0.25).unwrap_or(0.0);
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    let h = 0.9 * spread * n.powf(-0.2);
    if h > 0.0 {
        h
    } else {
        1e-3 * mean.abs().max(1.0)
    }
}

/// The Gaussian kernel density estimate of sorted finite values at each point of `grid`:
/// f̂(x) = (n h)⁻¹ Σᵢ φ((x − xᵢ) / h).
pub(super) fn kde(sorted: &[f64], grid: &[f64]) -> Vec<f64> {
    let h = bandwidth(sorted);
    let norm = 1.0 / (sorted.len() as f64 * h * (2.0 * std::f64::consts::PI).sqrt());
    grid.iter()
        .map(|&x| {
            norm * sorted
                .iter()
                .map(|&xi| (-0.5 * ((x - xi) / h).powi(2)).exp())
                .sum::<f64>()
        })
        .collect()
}

/// `n` evenly spaced points from `lo` to `hi`.
pub(super) fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let step = (hi - lo) / (n.max(2) - 1) as f64;
    (0..n.max(2)).map(|i| lo + step * i as f64).collect()
}

/// A histogram of `values` over `bins` equal bins of [lo, hi], as (left, right, density);
/// the density divides by all the finite values, so the bars' area is the share of draws
/// inside the range.
pub(super) fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<(f64, f64, f64)> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut n = 0usize;
    for &v in values.iter().filter(|v| v.is_finite()) {
        n += 1;
        if (lo..=hi).contains(&v) {
            let k = (((v - lo) / width) as usize).min(bins - 1);
            counts[k] += 1;
        }
    }
    let scale = 1.0 / (n.max(1) as f64 * width);
    counts
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let left = lo + width * k as f64;
            (left, left + width, c as f64 * scale)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric, bell-shaped deterministic sample centred at 0: the quantiles of a
    /// logistic distribution with unit variance at evenly spaced probabilities.
    fn bell_sample(n: usize) -> Vec<f64> {
        (1..=n)
            .map(|i| {
                let p = i as f64 / (n + 1) as f64;
                (p / (1.0 - p)).ln() * 3f64.sqrt() / std::f64::consts::PI
            })
            .collect()
    }

    #[test]
    fn kde_integrates_to_one_and_peaks_at_the_centre() {
        let x = bell_sample(2000);
        let (lo, hi) = (-8.0, 8.0);
        let g = grid(lo, hi, 801);
        let f = kde(&x, &g);
        let dx = g[1] - g[0];
        let area: f64 = f.iter().sum::<f64>() * dx;
        assert!((area - 1.0).abs() < 1e-3, "area {area}");
        let peak = f
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| g[i]);
        assert!(peak.is_some_and(|p| p.abs() < 0.05), "peak at {peak:?}");
    }

    #[test]
    fn histogram_area_is_the_share_inside_the_range() {
        let v = [0.1, 0.2, 0.9, 1.5, 5.0, f64::NAN];
        let h = histogram(&v, 0.0, 2.0, 4);
        let area: f64 = h.iter().map(|(a, b, d)| (b - a) * d).sum();
        assert!((area - 4.0 / 5.0).abs() < 1e-12, "area {area}");
        // Bins of width 0.5: {0.1, 0.2}, {0.9}, {}, {1.5}; 5.0 is outside.
        assert_eq!(h[0].2, 2.0 / (5.0 * 0.5));
        assert_eq!(h[2].2, 0.0);
        assert_eq!(h[3].2, 1.0 / (5.0 * 0.5));
    }

    #[test]
    fn range_covers_the_samples_and_is_never_empty() {
        let a = sorted_finite(&[1.0, 2.0, 3.0]);
        let b = sorted_finite(&[10.0, f64::NAN]);
        let (lo, hi) = range(&[a.as_slice(), b.as_slice()]).unwrap_or((f64::NAN, f64::NAN));
        assert!(lo < 1.0 && hi > 10.0, "{lo}..{hi}");
        let (lo, hi) = range(&[&[4.0, 4.0][..]]).unwrap_or((f64::NAN, f64::NAN));
        assert!(lo < 4.0 && hi > 4.0, "{lo}..{hi}");
        assert_eq!(range(&[&[][..]]), None);
    }
}
