//! ramguard: lint, simulate and preflight Alibaba Cloud RAM policies, offline.
#![forbid(unsafe_code)]

pub mod dbs;
pub mod json;
pub mod source;
