//! ramguard: lint, simulate and preflight Alibaba Cloud RAM policies, offline.
#![forbid(unsafe_code)]

/// `Display` as the type's `as_str()`: the names the JSON and the messages use.
macro_rules! display_as_str {
    ($($t:ty),+) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

pub mod catalog;
#[cfg(feature = "client")]
pub mod credentials;
pub mod dbs;
pub mod eval;
pub mod json;
pub mod lint;
#[cfg(feature = "client")]
pub mod live;
pub mod policy;
pub mod preflight;
pub mod render;
pub mod source;
pub mod transport;

/// The command-line interface of the `ramguard` binary (feature `cli`); not a library API.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
