//! The integration tests, one binary (one link instead of one per file): black-box CLI tests,
//! decision cases, the DBS client against a fake server, and the agreement with the reference
//! model. Tests that read `../shared` say they were skipped when it is absent.

mod common;

mod agreement;
mod cli_call;
mod cli_lint;
mod cli_preflight;
mod cli_simulate;
mod dbs_client;
mod eval_cases;
mod lint_fixtures;
