//! Live RAM: a principal's effective policies as attached now (design note `live-ram.md`),
//! written to files, compared with a repository's copies, and evaluated.

pub mod drift;
pub mod fetch;
pub mod ram;
pub mod write;

pub use fetch::{fetch, DocLayer, FetchOptions, LayerStatus, LiveDocument, LivePolicies, Target};
pub use ram::{LiveError, Ram, MINIMAL_POLICY};
