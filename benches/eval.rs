//! Decisions per second of the evaluator.
//!
//! - `one_dbs_policy`: one least-privilege DBS policy;
//! - `100x10_mixed`: 100 policies of 10 statements over 14 services, with conditions, each
//!   service with a catalogue of about 30 actions (statements list 1-3 of them, or
//!   `svc:Describe*`, or `svc:*`);
//! - `100x10_dense`: the same with only the 3-6 actions per service of the benchmark corpus
//!   generator, so that about 40 statements apply to every request (a worst case);
//! - `1000_policies_10_dbs`: 1,000 policies of which 10 mention `dbs`, asked only DBS actions.
//!
//! Each iteration evaluates a batch of prepared requests; criterion reports elements/s.
//! `cargo bench --bench eval -- --warm-up-time 1 --measurement-time 3`
//!
//! Hostile input (issue 10), each of which must stay well under 0.5 s:
//! - `pattern/<case>`: the 5 KB wildcard patterns that made the old greedy matcher cost
//!   |pattern|·|text| (13 s), against a 1 MB action, case-sensitive and ignoring case;
//! - `evaluate/hostile_*`: such a pattern as a policy's `Action` and in a `StringLike`
//!   condition, against request fields at the request cap.
//!   `cargo bench --bench eval -- hostile\|pattern --warm-up-time 1 --measurement-time 3`

// Test and benchmark harness code: a failed setup step should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ramguard::eval::{PolicySet, Request, MAX_FIELD_BYTES};
use ramguard::policy::pattern::{
    glob_match, glob_match_ignore_ascii_case, hostile_patterns, Pattern,
};
use ramguard::policy::PolicyKind;
use serde_json::{json, Value};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// (RAM code, resource type path, actions).
const SERVICES: &[(&str, &str, &[&str])] = &[
    (
        "ecs",
        "instance",
        &[
            "StartInstance",
            "StopInstance",
            "RebootInstance",
            "DeleteInstance",
            "DescribeInstances",
            "DescribeDisks",
        ],
    ),
    (
        "oss",
        "bucket",
        &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "ListObjects",
            "GetBucketInfo",
        ],
    ),
    (
        "rds",
        "dbinstance",
        &[
            "DescribeDBInstances",
            "RestartDBInstance",
            "DeleteDBInstance",
            "ModifyDBInstanceSpec",
        ],
    ),
    (
        "kms",
        "key",
        &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "DescribeKey",
            "ListKeys",
        ],
    ),
    (
        "ram",
        "user",
        &[
            "GetUser",
            "DeleteUser",
            "AttachPolicyToUser",
            "CreateAccessKey",
            "ListUsers",
        ],
    ),
    (
        "slb",
        "loadbalancer",
        &[
            "DeleteLoadBalancer",
            "DescribeLoadBalancers",
            "SetBackendServers",
        ],
    ),
    (
        "fc",
        "services",
        &[
            "InvokeFunction",
            "GetFunction",
            "DeleteFunction",
            "UpdateFunction",
        ],
    ),
    (
        "log",
        "project",
        &[
            "GetLogStoreLogs",
            "ListShards",
            "ListProject",
            "PostLogStoreLogs",
        ],
    ),
    (
        "mns",
        "queues",
        &[
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
        ],
    ),
    (
        "cr",
        "repository",
        &["PullRepository", "PushRepository", "GetRepository"],
    ),
    (
        "cs",
        "cluster",
        &["DescribeClusterDetail", "DeleteCluster", "DescribeClusters"],
    ),
    (
        "vpc",
        "vpc",
        &["DescribeVpcs", "CreateVSwitch", "DeleteVpc"],
    ),
    (
        "ess",
        "scalinggroup",
        &[
            "CreateScalingGroup",
            "DescribeScalingGroups",
            "DeleteScalingGroup",
        ],
    ),
    (
        "dbs",
        "backupplan",
        &[
            "StartBackupPlan",
            "StopBackupPlan",
            "ConfigureBackupPlan",
            "DescribeBackupPlanList",
            "ReleaseBackupPlan",
        ],
    ),
];
const REGIONS: &[&str] = &["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];
const ACCOUNT: &str = "1234567890123456";

fn id(rng: &mut Rng) -> String {
    format!("r{:06x}", rng.below(0x40))
}

/// A service's actions: the corpus generator's few, or those plus verb x noun combinations
/// (about 30), closer to a real RAM service.
fn catalog(service: usize, dense: bool) -> Vec<String> {
    let (_, _, actions) = SERVICES[service];
    let mut out: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    if !dense {
        for verb in [
            "Describe", "List", "Get", "Create", "Delete", "Modify", "Update", "Tag",
        ] {
            for noun in ["Attribute", "Quota", "Config"] {
                out.push(format!("{verb}{noun}"));
            }
        }
    }
    out
}

fn statement(rng: &mut Rng, service: usize, dense: bool) -> Value {
    let (svc, rtype, _) = SERVICES[service];
    let actions = catalog(service, dense);
    let action: Value = if rng.chance(20) {
        json!(format!("{svc}:Describe*"))
    } else if rng.chance(10) {
        json!(format!("{svc}:*"))
    } else {
        let n = 1 + rng.below(3);
        json!((0..n)
            .map(|_| format!("{svc}:{}", rng.pick(&actions)))
            .collect::<std::collections::BTreeSet<_>>())
    };
    let region = *rng.pick(REGIONS);
    let resource = match rng.below(4) {
        0 => json!("*"),
        1 => json!(format!("acs:{svc}:*:{ACCOUNT}:{rtype}/*")),
        2 => json!(format!("acs:{svc}:{region}:{ACCOUNT}:{rtype}/{}", id(rng))),
        _ => json!([
            format!("acs:{svc}:{region}:{ACCOUNT}:{rtype}/{}", id(rng)),
            format!("acs:{svc}:{region}:{ACCOUNT}:{rtype}/{}*", &id(rng)[..3]),
        ]),
    };
    let mut st = json!({
        "Effect": if rng.chance(85) { "Allow" } else { "Deny" },
        "Action": action,
        "Resource": resource,
    });
    let mut cond = serde_json::Map::new();
    if rng.chance(30) {
        cond.insert(
            "IpAddress".into(),
            json!({"acs:SourceIp": ["192.0.2.0/24", "10.0.0.0/8"]}),
        );
    }
    if rng.chance(20) {
        cond.insert("Bool".into(), json!({"acs:SecureTransport": "true"}));
    }
    if rng.chance(10) {
        cond.insert(
            "DateLessThan".into(),
            json!({"acs:CurrentTime": "2027-01-01T00:00:00Z"}),
        );
    }
    if rng.chance(10) {
        cond.insert(
            "StringEquals".into(),
            json!({"acs:SourceVpc": ["vpc-a", "vpc-b"]}),
        );
    }
    if !cond.is_empty() {
        st["Condition"] = Value::Object(cond);
    }
    st
}

fn policy(rng: &mut Rng, services: &[usize], statements: usize, dense: bool) -> String {
    let st: Vec<Value> = (0..statements)
        .map(|_| {
            let service = *rng.pick(services);
            statement(rng, service, dense)
        })
        .collect();
    json!({"Version": "1", "Statement": st}).to_string()
}

fn request(rng: &mut Rng, services: &[usize], dense: bool) -> Request {
    let service = *rng.pick(services);
    let (svc, rtype, _) = SERVICES[service];
    let actions = catalog(service, dense);
    let resource = format!(
        "acs:{svc}:{}:{ACCOUNT}:{rtype}/{}",
        rng.pick(REGIONS),
        id(rng)
    );
    Request::builder(format!("{svc}:{}", rng.pick(&actions)), resource)
        .context(
            "acs:SourceIp",
            *rng.pick(&["192.0.2.10", "10.1.2.3", "203.0.113.9"]),
        )
        .context("acs:SecureTransport", *rng.pick(&["true", "false"]))
        .context("acs:CurrentTime", "2026-06-01T12:00:00Z")
        .context("acs:SourceVpc", *rng.pick(&["vpc-a", "vpc-c"]))
        .context("acs:MFAPresent", "false")
        .build()
        .unwrap()
}

fn set_of(policies: &[String]) -> PolicySet {
    let mut set = PolicySet::new();
    for (i, text) in policies.iter().enumerate() {
        set.add_text(PolicyKind::Identity, &format!("p{i}.json"), text)
            .unwrap();
    }
    set
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate");
    let dbs = SERVICES.len() - 1;
    let others: Vec<usize> = (0..dbs).collect();
    let all: Vec<usize> = (0..SERVICES.len()).collect();

    // (a) one least-privilege DBS policy.
    let mut one = PolicySet::new();
    one.add_text(
        PolicyKind::Identity,
        "dbs-operator.json",
        r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "dbs:Describe*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["dbs:StartBackupPlan", "dbs:StopBackupPlan"],
             "Resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1",
             "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}, "Bool": {"acs:SecureTransport": "true"}}},
            {"Effect": "Deny", "Action": "dbs:ReleaseBackupPlan", "Resource": "*"}]}"#,
    )
    .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Requests are prepared once; a few hundred distinct ones, so that the figures are those of
    // evaluating a request just built (as the CLI does), not of fetching it from memory.
    const REQUESTS: usize = 256;
    let reqs: Vec<Request> = (0..REQUESTS)
        .map(|_| request(&mut rng, &[dbs], true))
        .collect();
    run(&mut g, "one_dbs_policy", &one, &reqs);

    // (b) 100 policies x 10 statements over every service.
    for (name, dense) in [("100x10_mixed", false), ("100x10_dense", true)] {
        let policies: Vec<String> = (0..100)
            .map(|_| policy(&mut rng, &all, 10, dense))
            .collect();
        let mixed = set_of(&policies);
        let reqs: Vec<Request> = (0..REQUESTS)
            .map(|_| request(&mut rng, &all, dense))
            .collect();
        run(&mut g, name, &mixed, &reqs);
    }

    // (c) 1,000 policies, 10 of which mention dbs; DBS requests only.
    let policies: Vec<String> = (0..1000)
        .map(|i| {
            if i % 100 == 0 {
                policy(&mut rng, &[dbs], 10, false)
            } else {
                policy(&mut rng, &others, 10, false)
            }
        })
        .collect();
    let large = set_of(&policies);
    let reqs: Vec<Request> = (0..REQUESTS)
        .map(|_| request(&mut rng, &[dbs], false))
        .collect();
    run(&mut g, "1000_policies_10_dbs", &large, &reqs);

    // (d) hostile patterns in policies, against request fields as long as a request takes.
    let long = "a".repeat(MAX_FIELD_BYTES - 4);
    let action = format!("dbs:{long}");
    let reqs = vec![Request::builder(action.clone(), "*")
        .context("acs:UserAgent", long.clone())
        .build()
        .unwrap()];
    for (name, pattern) in hostile_patterns() {
        let like = format!("*{}", pattern.trim_start_matches("dbs:"));
        let doc = json!({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": pattern, "Resource": "*"},
            {"Effect": "Allow", "Action": "dbs:*", "Resource": "*",
             "Condition": {"StringLike": {"acs:UserAgent": like}}}]});
        let set = set_of(&[doc.to_string()]);
        run(&mut g, &format!("hostile_{name}"), &set, &reqs);
    }
    g.finish();

    // (e) the matcher alone on a 1 MB text.
    let mut g = c.benchmark_group("pattern");
    g.sample_size(10);
    let text = format!("dbs:{}", "a".repeat(1 << 20));
    let upper = text.to_ascii_uppercase();
    for (name, pattern) in hostile_patterns() {
        let compiled = Pattern::new(&pattern);
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(glob_match(&pattern, &text));
                black_box(compiled.matches(&text));
            })
        });
        g.bench_function(format!("{name}_ignore_case"), |b| {
            b.iter(|| black_box(glob_match_ignore_ascii_case(&pattern, &upper)))
        });
    }
    g.finish();
}

fn run(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    set: &PolicySet,
    reqs: &[Request],
) {
    g.throughput(Throughput::Elements(reqs.len() as u64));
    g.bench_with_input(BenchmarkId::from_parameter(name), reqs, |b, reqs| {
        b.iter(|| {
            for r in reqs {
                black_box(set.evaluate(black_box(r)));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
