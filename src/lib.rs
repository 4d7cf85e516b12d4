//! ramguard: lint, simulate and preflight Alibaba Cloud RAM policies, offline.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod credentials;
pub mod dbs;
pub mod eval;
pub mod json;
pub mod lint;
pub mod live;
pub mod policy;
pub mod preflight;
pub mod render;
pub mod source;
pub mod transport;

#[doc(hidden)]
pub mod cli;
