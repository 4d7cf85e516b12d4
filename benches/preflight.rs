//! The preflight's own cost on top of the evaluator.
//!
//! A warm [`Preflight`] with the shipped operator policy answers three calls: an allowed one
//! (listed plan, source IP inside the range), a denied one (unlisted plan: the 403 body is
//! built) and an indeterminate one (default context: the source IP is unknown).
//!
//! - `check/*`: [`Preflight::check`], everything a guarded call pays before sending: ARN
//!   rendering, request building (context, current time), evaluation, and the 403 body on a
//!   denial;
//! - `evaluate/*`: [`PolicySet::evaluate`] of the same request, built once outside the loop;
//! - `request/*` and `predict/*`: the two halves of `check`, to see where the overhead goes.
//!
//! `cargo bench --bench preflight -- --warm-up-time 1 --measurement-time 3`

// Test and benchmark harness code: a failed setup step should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ramguard::eval::{Decision, PolicySet};
use ramguard::policy::PolicyKind;
use ramguard::preflight::{Call, CallContext, Prediction, Preflight};

const OPERATOR: &str = include_str!("../policies/dbs-backup-operator.json");

fn preflight() -> Preflight {
    let mut set = PolicySet::new();
    set.add_text(PolicyKind::Identity, "dbs-backup-operator.json", OPERATOR)
        .unwrap();
    Preflight::new(set)
}

fn start(plan: &str) -> Call {
    Call::new("StartBackupPlan", "cn-hangzhou")
        .unwrap()
        .account("1234567890123456")
        .param("BackupPlanId", plan)
}

/// (name, call, context, expected decision).
fn scenarios() -> Vec<(&'static str, Call, CallContext, Decision)> {
    let inside = CallContext::default().value("acs:SourceIp", "192.0.2.10");
    vec![
        (
            "allowed",
            start("dbsqdss5tmh1"),
            inside.clone(),
            Decision::Allow,
        ),
        (
            "denied",
            start("dbsunlisted01"),
            inside,
            Decision::ImplicitDeny,
        ),
        (
            "indeterminate",
            start("dbsqdss5tmh1"),
            CallContext::default(),
            Decision::Indeterminate,
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let pf = preflight();
    for (name, call, context, want) in scenarios() {
        // The scenario is what it says, before anything is timed.
        let prediction = pf.check(&call, &context).unwrap();
        assert_eq!(prediction.response().decision, want, "{name}");
        assert_eq!(
            matches!(prediction, Prediction::Forbidden(_)),
            want == Decision::ImplicitDeny,
            "{name}"
        );
        let request = pf.request(&call, &context).unwrap();
        assert_eq!(pf.policies().evaluate(&request).decision, want, "{name}");

        c.bench_function(&format!("check/{name}"), |b| {
            b.iter(|| pf.check(black_box(&call), black_box(&context)))
        });
        c.bench_function(&format!("evaluate/{name}"), |b| {
            b.iter(|| pf.policies().evaluate(black_box(&request)))
        });
        c.bench_function(&format!("request/{name}"), |b| {
            b.iter(|| pf.request(black_box(&call), black_box(&context)))
        });
        c.bench_function(&format!("predict/{name}"), |b| {
            b.iter(|| pf.predict(black_box(&call), black_box(&request)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
