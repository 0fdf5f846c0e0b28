//! The distributions of the modelling language, read from the shared table in `ngvi-spec`
//! (the one ngvi-core's `DistKind` reads too), plus the helpers that suggest a name.

pub use ngvi_spec::{
    conjugate_form, lookup, DistSpec as Dist, Domain, LatentForm, SupportKind, DISTS,
};

/// Known names close to `name` (edit distance, case-insensitive), closest first.
pub fn did_you_mean(name: &str) -> Vec<&'static str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &'static str)> = DISTS
        .iter()
        .filter_map(|d| {
            let cand = d.name.to_lowercase();
            let dist = edit_distance(&lower, &cand);
            let limit = (cand.len().max(lower.len()) / 3).max(1);
            let prefix = lower.len() >= 3 && (cand.starts_with(&lower) || lower.starts_with(&cand));
            (dist <= limit || prefix).then_some((dist, d.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, n)| n).collect()
}

/// Levenshtein distance.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("Normall"), vec!["Normal"]);
        assert_eq!(did_you_mean("normal")[0], "Normal");
        assert_eq!(did_you_mean("Gama")[0], "Gamma");
        assert!(did_you_mean("Zzzzzz").is_empty());
        assert_eq!(did_you_mean("HalfStudentT")[0], "HalfStudentT");
        assert_eq!(did_you_mean("HalfStudent")[0], "HalfStudentT");
        assert_eq!(did_you_mean("HalfStudentt")[0], "HalfStudentT");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn signatures() {
        assert_eq!(
            lookup("Normal").map(Dist::signature).as_deref(),
            Some("Normal(mean, sd)")
        );
        assert_eq!(
            lookup("Flat").map(Dist::signature).as_deref(),
            Some("Flat()")
        );
        assert_eq!(DISTS.len(), 24);
    }
}
