//! The typed policy model, lowered from the spanned JSON tree with every leaf spanned.

mod lower;
mod model;
mod operator;
pub mod pattern;
pub mod values;

pub use lower::{lower, Lowered};
pub use model::{
    Condition, Effect, Element, Policy, PolicyKind, Principal, PrincipalKind, Statement, Unreadable,
};
pub use operator::{qualified_name, Comparison, Family, Operator, SetOp};
