#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test and benchmark code: a failure should stop with a message"
)]
//! Catalogue lookups: exact (binary search per service, ASCII case ignored), a miss with its
//! suggestion, and patterns (pre-filtered by service, and across every service).
//!
//! `cargo bench --bench catalog`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use ramguard::catalog::{lookup_action, matches_any, matching_actions, ActionLookup};

fn lookups(c: &mut Criterion) {
    let mut g = c.benchmark_group("catalog");
    g.bench_function("exact ecs:DescribeInstances", |b| {
        b.iter(|| {
            assert!(matches!(
                lookup_action(black_box("ecs:describeinstances")),
                ActionLookup::Found(_)
            ))
        })
    });
    g.bench_function("exact ims:CreateUser (alias)", |b| {
        b.iter(|| lookup_action(black_box("ims:CreateUser")))
    });
    g.bench_function("miss ecs:DescribeInstancess", |b| {
        b.iter(|| lookup_action(black_box("ecs:DescribeInstancess")))
    });
    let ecs = ramguard::catalog::service("ecs").unwrap();
    g.bench_function("suggestion for DescribeInstancess (ecs list)", |b| {
        b.iter(|| ecs.suggest(black_box("DescribeInstancess")))
    });
    g.bench_function("pattern ecs:Describe*", |b| {
        b.iter(|| matching_actions(black_box("ecs:Describe*")).len())
    });
    g.bench_function("pattern matches_any oss:Get*", |b| {
        b.iter(|| matches_any(black_box("oss:Get*")))
    });
    g.bench_function("pattern *:Get* (every service)", |b| {
        b.iter(|| matching_actions(black_box("*:Get*")).len())
    });
    g.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
