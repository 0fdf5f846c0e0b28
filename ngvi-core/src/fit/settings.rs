//! The options a fit ran with, kept in the [`Fit`](super::Fit) for the record (the exports
//! write them beside the draws).

use std::fmt;

/// The value of one option of a fit, as [`Fit::settings`](super::Fit::settings) lists it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "export", derive(serde::Serialize), serde(untagged))]
pub enum Setting {
    /// A count or a seed.
    Count(u64),
    /// A real number.
    Real(f64),
    /// A switch.
    Flag(bool),
    /// A choice among named options.
    Choice(&'static str),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Count(n) => write!(f, "{n}"),
            Setting::Real(x) => write!(f, "{x}"),
            // as CmdStan writes its switches
            Setting::Flag(b) => write!(f, "{}", u8::from(*b)),
            Setting::Choice(s) => f.write_str(s),
        }
    }
}

/// The method a fit ran ("ngvi" or "advi") and its options, by builder-method name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    /// The model's type name, without its path and generic arguments.
    pub(crate) model: &'static str,
    pub(crate) method: &'static str,
    pub(crate) settings: Vec<(&'static str, Setting)>,
}

/// The name of the model type `M` (`Coin` for a `model!` named `coin`), without its
/// module path and generic arguments.
pub(crate) fn model_name<M>() -> &'static str {
    let full = std::any::type_name::<M>();
    let plain = full.split('<').next().unwrap_or(full);
    plain.rsplit("::").next().unwrap_or(plain)
}

/// A count as a [`Setting`] (usize fits in u64 on every supported target).
pub(crate) fn count(n: usize) -> Setting {
    Setting::Count(n as u64)
}
