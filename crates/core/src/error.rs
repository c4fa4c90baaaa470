use std::fmt;

/// What a kernel call can reject. The binding maps each to one JavaScript error class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// An argument has the wrong shape, length or count: `(argument, what was expected)`.
    Invalid(String, String),
    /// The rule name or index is not in the registry.
    UnknownRule(String),
}

impl CoreError {
    pub fn invalid(argument: impl Into<String>, expected: impl Into<String>) -> Self {
        CoreError::Invalid(argument.into(), expected.into())
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Invalid(argument, expected) => write!(f, "{argument}: expected {expected}"),
            CoreError::UnknownRule(name) => write!(f, "rule: unknown optimizer rule '{name}'"),
        }
    }
}

impl std::error::Error for CoreError {}
