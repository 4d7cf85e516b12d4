//! ramguard: lint, simulate and preflight Alibaba Cloud RAM policies, offline.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod dbs;
pub mod document;
pub mod eval;
pub mod json;
pub mod lint;
pub mod policy;
pub mod preflight;
pub mod render;
pub mod source;

#[doc(hidden)]
pub mod cli;
