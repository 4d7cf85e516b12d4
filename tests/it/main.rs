//! The integration tests, one binary (one link instead of one per file): black-box CLI tests,
//! decision cases, the DBS client against a fake server, and the agreement with the reference
//! model. Tests that read `../shared` say they were skipped when it is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails by panicking, helpers included"
)]

mod common;

mod agreement;
mod async_example;
mod call_limits;
mod catalog;
mod cli_call;
mod cli_lint;
mod cli_preflight;
mod cli_simulate;
mod dbs_client;
mod eval_cases;
mod fuzz_policies;
mod hostile_files;
mod hostile_render;
mod hostile_text;
mod hosts;
mod input_checks;
mod lint_fixtures;
mod live;
mod realworld;
mod rev2_simulate;
mod sarif_schema;
mod secrets;
mod simulate_limits;
mod snapshots;
