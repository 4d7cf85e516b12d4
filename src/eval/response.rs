//! The result object of the CLI contract.

use serde::Serialize;

use super::combine::{Decision, Layer};
use crate::policy::Effect;

/// A statement that produced the decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedStatement {
    /// The policy's name (its file path as given).
    pub file: String,
    /// 0-based index in the document's `Statement` array.
    pub statement: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    /// 1-based line and column of the statement's opening brace.
    pub line: usize,
    pub column: usize,
    /// The layer of the statement (rev 2): always the layer that decided.
    pub layer: Layer,
}

/// A problem met while evaluating: a request value that a condition could not read, or a
/// statement that could not be read and took part as unknown (`key` and `value` empty).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EvalError {
    /// Lowercase sentence with the key and value in backticks.
    pub message: String,
    /// The condition key as the policy writes it.
    pub key: String,
    pub value: String,
    /// First statement (in evaluation order) whose condition met the value.
    pub file: String,
    pub statement: usize,
}

/// The decision on one request, serialised exactly as the CLI result object (field order
/// included). Built by [`crate::eval::PolicySet::evaluate`]; never an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Response {
    pub decision: Decision,
    /// The deciding layer; `None` when indeterminate, and also when the decision is certain but
    /// the layer giving it depends on unknown values (e.g. ImplicitDeny from the control policy
    /// or from the identity policies).
    pub layer: Option<Layer>,
    /// Outcomes some choice of the unknowns gives: `Allow`, `ExplicitDeny`, `ImplicitDeny` in
    /// this order; one element unless indeterminate.
    pub possible: Vec<Decision>,
    /// Sorted unknown keys (and unknown resource-part names, and `principal`) the decision
    /// depends on; empty unless indeterminate.
    pub depends_on: Vec<String>,
    /// ExplicitDeny: the Deny statements that matched in the deciding layer(s). Allow: the Allow
    /// statements that matched, identity policies first, then the trust policy, the session
    /// policy and the control policies; each group in load order. Empty otherwise.
    pub matched: Vec<MatchedStatement>,
    /// Sorted, one per (key, value, operator family).
    pub errors: Vec<EvalError>,
    /// Input problems that did not stop the evaluation (CLI.md rev 2). The evaluator leaves it
    /// empty; [`crate::eval::input::warnings`] fills it for a caller that checks its input.
    pub warnings: Vec<super::input::InputWarning>,
    /// Facts a reader needs (rev 2): e.g. that the control policies given allow nothing.
    pub notes: Vec<String>,
    /// `true` for ExplicitDeny/ImplicitDeny, `false` for Allow, `null` when indeterminate.
    pub forbidden: Option<bool>,
}

impl Response {
    /// The CLI exit code for this decision: 0 allowed, 1 denied, 3 indeterminate.
    pub fn exit_code(&self) -> i32 {
        self.decision.exit_code()
    }

    /// The result object as one line of JSON (`--requests` output).
    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail; the fallback keeps the no-panic rule.
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
