//! The typed policy model, lowered from the spanned JSON tree with every leaf spanned.

pub mod arn;
mod lower;
mod model;
mod operator;
pub mod pattern;
pub mod placeholder;
mod problem;
pub mod values;

pub use lower::{lower, well_formed_resource, Lowered};
pub use model::{
    Condition, Effect, Element, Policy, PolicyKind, Principal, PrincipalKind, Statement, Unreadable,
};
pub use operator::{qualified_name, Comparison, Family, Operator, SetOp};
pub use problem::{Level, Problem, ProblemKind};
