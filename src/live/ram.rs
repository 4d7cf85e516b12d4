//! The RAM 2015-05-01 and ResourceManager 2020-03-31 read calls the fetcher makes (design note
//! `live-ram.md` sections 3-5), signed like every POP call, with throttling retries, paging,
//! a count of calls and a cache of system policies (their names are global).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::credentials::{Endpoints, ProvideCredentials, ProviderError};
use crate::dbs::rpc::{self, call_json, Retry, RpcError};
use crate::dbs::Endpoint;
use crate::transport::Transport;

pub const RAM_VERSION: &str = "2015-05-01";
pub const RESOURCE_MANAGER_VERSION: &str = "2020-03-31";

/// A bound on the pages of one listing, so a server that never says "done" cannot hold the
/// fetcher forever (RAM's largest listing, 5,000 users, is 5 pages of 1,000).
const MAX_PAGES: u32 = 1000;

/// The least a fetcher's credentials need (design note section 7; `<uid>` is the account).
pub const MINIMAL_POLICY: &str = r#"{"Version":"1","Statement":[
 {"Effect":"Allow","Action":["ram:ListPoliciesForUser","ram:ListGroupsForUser","ram:GetUser"],"Resource":"acs:ram:*:<uid>:user/*"},
 {"Effect":"Allow","Action":["ram:ListPoliciesForGroup"],"Resource":"acs:ram:*:<uid>:group/*"},
 {"Effect":"Allow","Action":["ram:ListPoliciesForRole","ram:GetRole"],"Resource":"acs:ram:*:<uid>:role/*"},
 {"Effect":"Allow","Action":["ram:GetPolicy","ram:GetPolicyVersion"],"Resource":["acs:ram:*:<uid>:policy/*","acs:ram:*:system:policy/*"]},
 {"Effect":"Allow","Action":["ram:ListPolicyAttachments"],"Resource":"*"}]}"#;

/// Why live policies could not be had. Never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The credentials lack a read permission: the action, and what to grant.
    #[error(
        "the credentials may not call {action} ({code}): grant the fetcher's RAM identity the \
         minimal read policy (replace <uid> with the account ID):\n{MINIMAL_POLICY}"
    )]
    Denied { action: String, code: String },
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Credentials(#[from] ProviderError),
    #[error("{0}")]
    Invalid(String),
}

impl LiveError {
    /// The action a denial names (`ram:ListPoliciesForRole`).
    pub fn denied_action(&self) -> Option<&str> {
        match self {
            LiveError::Denied { action, .. } => Some(action),
            _ => None,
        }
    }
}

/// One policy as `GetPolicy` gives it: the default version's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub policy_type: String,
    pub name: String,
    pub version: String,
    /// The document text as RAM stores it.
    pub document: String,
}

/// An attachment row of `ListPoliciesFor*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub policy_type: String,
    pub name: String,
    pub default_version: Option<String>,
}

pub struct Ram {
    pub ram: Endpoint,
    pub resource_manager: Endpoint,
    transport: Arc<dyn Transport>,
    credentials: Arc<dyn ProvideCredentials>,
    pub retry: Retry,
    calls: AtomicUsize,
    system: Mutex<HashMap<String, PolicyVersion>>,
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ram")
            .field("ram", &self.ram)
            .field("resource_manager", &self.resource_manager)
            .field("credentials", &self.credentials)
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl Ram {
    pub fn new(
        endpoints: &Endpoints,
        credentials: Arc<dyn ProvideCredentials>,
        transport: Arc<dyn Transport>,
    ) -> Self {
        Ram {
            ram: endpoints.ram.clone(),
            resource_manager: endpoints.resource_manager.clone(),
            transport,
            credentials,
            retry: Retry::default(),
            calls: AtomicUsize::new(0),
            system: Mutex::new(HashMap::new()),
        }
    }

    pub fn credentials(&self) -> &Arc<dyn ProvideCredentials> {
        &self.credentials
    }

    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// Calls made so far (each retry counts).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    fn call(
        &self,
        endpoint: &Endpoint,
        version: &str,
        product: &str,
        action: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<Map<String, Value>, LiveError> {
        let credentials = self.credentials.credentials()?;
        let result = call_json(&*self.transport, self.retry, action, &|| {
            self.calls.fetch_add(1, Ordering::Relaxed);
            Ok(rpc::signed_request(
                endpoint,
                &credentials,
                action,
                version,
                params,
            )?)
        });
        match result {
            Err(e) if e.is_denied() => Err(LiveError::Denied {
                action: format!("{product}:{action}"),
                code: e.code().unwrap_or("HTTP 403").to_string(),
            }),
            other => Ok(other?),
        }
    }

    pub fn ram_call(
        &self,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Map<String, Value>, LiveError> {
        let params = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        self.call(&self.ram, RAM_VERSION, "ram", action, &params)
    }

    pub fn rm_call(
        &self,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Map<String, Value>, LiveError> {
        let params = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        self.call(
            &self.resource_manager,
            RESOURCE_MANAGER_VERSION,
            "resourcemanager",
            action,
            &params,
        )
    }

    /// `ListPoliciesForUser` / `ForRole` / `ForGroup`.
    pub fn attached(
        &self,
        action: &str,
        key: &str,
        name: &str,
    ) -> Result<Vec<Attached>, LiveError> {
        let obj = self.ram_call(action, &[(key, name)])?;
        Ok(items(&obj, "Policies", "Policy")
            .filter_map(|p| {
                Some(Attached {
                    policy_type: str_field(p, "PolicyType")?,
                    name: str_field(p, "PolicyName")?,
                    default_version: str_field(p, "DefaultVersion"),
                })
            })
            .collect())
    }

    pub fn groups_for_user(&self, user: &str) -> Result<Vec<String>, LiveError> {
        let obj = self.ram_call("ListGroupsForUser", &[("UserName", user)])?;
        Ok(items(&obj, "Groups", "Group")
            .filter_map(|g| str_field(g, "GroupName"))
            .collect())
    }

    /// The role's trust policy text.
    pub fn trust_policy(&self, role: &str) -> Result<String, LiveError> {
        let obj = self.ram_call("GetRole", &[("RoleName", role)])?;
        obj.get("Role")
            .and_then(|r| str_field(r, "AssumeRolePolicyDocument"))
            .ok_or_else(|| {
                LiveError::Invalid(format!("GetRole {role}: no AssumeRolePolicyDocument"))
            })
    }

    /// The default version of a policy; system policies are asked for once per `Ram`.
    pub fn policy(&self, policy_type: &str, name: &str) -> Result<PolicyVersion, LiveError> {
        let system = policy_type.eq_ignore_ascii_case("System");
        if system {
            if let Some(p) = self.system.lock().ok().and_then(|c| c.get(name).cloned()) {
                return Ok(p);
            }
        }
        let obj = self.ram_call(
            "GetPolicy",
            &[("PolicyType", policy_type), ("PolicyName", name)],
        )?;
        let version = obj.get("DefaultPolicyVersion");
        // `Policy.PolicyDocument` is deprecated ("N/A" in the examples); read it only when the
        // default version is absent.
        let document = version
            .and_then(|v| str_field(v, "PolicyDocument"))
            .or_else(|| {
                obj.get("Policy")
                    .and_then(|p| str_field(p, "PolicyDocument"))
                    .filter(|d| d != "N/A")
            })
            .ok_or_else(|| {
                LiveError::Invalid(format!(
                    "GetPolicy {policy_type}/{name}: no DefaultPolicyVersion.PolicyDocument"
                ))
            })?;
        let p = PolicyVersion {
            policy_type: obj
                .get("Policy")
                .and_then(|p| str_field(p, "PolicyType"))
                .unwrap_or_else(|| policy_type.to_string()),
            name: name.to_string(),
            version: version
                .and_then(|v| str_field(v, "VersionId"))
                .or_else(|| {
                    obj.get("Policy")
                        .and_then(|p| str_field(p, "DefaultVersion"))
                })
                .unwrap_or_else(|| "v1".to_string()),
            document,
        };
        if system {
            if let Ok(mut c) = self.system.lock() {
                c.insert(name.to_string(), p.clone());
            }
        }
        Ok(p)
    }

    /// Every page of a `PageNumber`/`PageSize` listing (ResourceManager style).
    pub fn rm_pages(
        &self,
        action: &str,
        params: &[(&str, &str)],
        outer: &str,
        inner: &str,
    ) -> Result<Vec<Value>, LiveError> {
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_text = page.to_string();
            let mut p = params.to_vec();
            p.push(("PageNumber", &page_text));
            p.push(("PageSize", "100"));
            let obj = self.rm_call(action, &p)?;
            let before = out.len();
            out.extend(items(&obj, outer, inner).cloned());
            let total = obj
                .get("TotalCount")
                .and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()))
                .unwrap_or(0);
            if out.len() == before || out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    /// Every page of a `Marker`/`IsTruncated` listing (RAM style), e.g. `ListPolicies`.
    pub fn ram_pages(
        &self,
        action: &str,
        params: &[(&str, &str)],
        outer: &str,
        inner: &str,
    ) -> Result<Vec<Value>, LiveError> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut p = params.to_vec();
            if let Some(m) = &marker {
                p.push(("Marker", m));
            }
            let obj = self.ram_call(action, &p)?;
            out.extend(items(&obj, outer, inner).cloned());
            let truncated = obj.get("IsTruncated").and_then(Value::as_bool) == Some(true);
            match obj.get("Marker").and_then(Value::as_str) {
                Some(m) if truncated && !m.is_empty() && marker.as_deref() != Some(m) => {
                    marker = Some(m.to_string());
                }
                _ => break,
            }
        }
        Ok(out)
    }
}

/// `obj[outer][inner][]`, the XML-heritage list shape (`"Policies": {"Policy": [...]}`).
pub(crate) fn items<'a>(
    obj: &'a Map<String, Value>,
    outer: &str,
    inner: &str,
) -> impl Iterator<Item = &'a Value> {
    obj.get(outer)
        .and_then(|o| o.get(inner))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
