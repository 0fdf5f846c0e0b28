//! Errors: a model's run-time errors ([`ModelError`]) and the fit's ([`Error`]).

use std::fmt;

use crate::dist::ParamError;

/// A run-time error in a model statement, found while evaluating the log joint on the data.
///
/// It names the statement (its source text and line), the variable and the index, so the
/// user can find the offending data, for instance
/// "line 9: `observe y[j] ~ Bernoulli(p);`: `y[3] = 2` is outside the support {0, 1} of Bernoulli".
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// Source text of the statement, as written in `model!`.
    pub statement: &'static str,
    /// Line of the statement in the source file.
    pub line: u32,
    /// The variable the error is about (a data argument, or a distribution parameter).
    pub variable: String,
    /// The index into that variable (empty for a scalar).
    pub index: Vec<usize>,
    /// What went wrong.
    pub kind: ModelErrorKind,
}

/// What went wrong in a [`ModelError`].
#[derive(Debug, Clone, PartialEq)]
pub enum ModelErrorKind {
    /// A data value is NaN or infinite.
    NonFinite { value: f64 },
    /// An observed value is outside the support of its distribution.
    OutsideSupport {
        value: f64,
        dist: &'static str,
        support: String,
    },
    /// An index is past the end of the data (data of the wrong length).
    IndexOutOfRange { index: usize, len: usize },
    /// A distribution parameter computed from data is outside its domain.
    Parameter(ParamError),
    /// The latent vector passed to the log joint has the wrong length.
    LatentLength { expected: usize, got: usize },
}

impl ModelError {
    fn location(&self) -> String {
        let mut name = self.variable.clone();
        for i in &self.index {
            name.push_str(&format!("[{i}]"));
        }
        name
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: `{}`: ", self.line, self.statement)?;
        let at = self.location();
        match &self.kind {
            ModelErrorKind::NonFinite { value } => {
                write!(f, "{at} = {value} is not finite; data must be finite numbers")
            }
            ModelErrorKind::OutsideSupport {
                value,
                dist,
                support,
            } => write!(
                f,
                "{at} = {value} is outside the support {support} of {dist}"
            ),
            ModelErrorKind::IndexOutOfRange { index, len } => write!(
                f,
                "index {index} is out of range for `{}` of length {len} (is the data the right length?)",
                self.variable
            ),
            ModelErrorKind::Parameter(e) => write!(f, "{e} (computed from data at {at})"),
            ModelErrorKind::LatentLength { expected, got } => write!(
                f,
                "the latent vector has length {got}, the model expects {expected}"
            ),
        }
    }
}

impl std::error::Error for ModelError {}

/// The error of a fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The model rejected its data.
    #[error("model error: {0}")]
    Model(Box<ModelError>),
    /// An option of the fit is invalid (a negative step size, an unknown latent name, …).
    #[error("invalid option: {0}")]
    Config(String),
    /// The fit met a numerical failure it could not step around.
    #[error("numerical failure: {0}")]
    Numerical(String),
}

impl From<ModelError> for Error {
    fn from(e: ModelError) -> Self {
        Error::Model(Box::new(e))
    }
}
