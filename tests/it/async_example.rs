//! The async example (`examples/async_guard.rs`) against the fake DBS server: a tokio task
//! sends the guard's signed request with its own HTTP client; a predicted denial sends nothing.

#[allow(dead_code, reason = "the example's main is not called here")]
#[path = "../../examples/async_guard.rs"]
mod async_guard;

use std::sync::Arc;

use crate::common::fake_dbs::{json, FakeDbs, AK_ID, SECRET};

#[test]
fn the_async_example_runs_against_the_fake_dbs_server() {
    let fake = FakeDbs::start(vec![json(
        200,
        r#"{"HttpStatusCode":200,"RequestId":"r-1","Success":true,"BackupPlanId":"dbsqdss5tmh1"}"#,
    )]);
    let creds: Arc<dyn ramguard::credentials::ProvideCredentials> =
        Arc::new(ramguard::dbs::Credentials::new(AK_ID, SECRET));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = rt
        .block_on(async_guard::run(&fake.url, "dbsqdss5tmh1", creds.clone()))
        .unwrap();
    assert!(out.contains("\"Success\":true"), "{out}");
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", fake.rejected());
    assert_eq!(
        accepted[0].param("BackupPlanId").as_deref(),
        Some("dbsqdss5tmh1")
    );
    assert!(accepted[0].param("ClientToken").is_some());

    // A plan the policy does not list: the predicted 403, and no request.
    let out = rt
        .block_on(async_guard::run(&fake.url, "dbsother", creds))
        .unwrap();
    assert!(out.contains("Request.Forbidden"), "{out}");
    assert_eq!(fake.requests(), 1);
}
