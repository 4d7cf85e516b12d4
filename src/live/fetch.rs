//! From an identity (the caller, a named user or role) to its effective policy set, every
//! document with its provenance (`ram://policy/Custom/dbs-operator@v3`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::ram::{items, str_field, LiveError, Ram};
use crate::credentials::sts::{CallerIdentity, Principal, Sts};
use crate::eval::{LoadError, PolicySet};
use crate::policy::PolicyKind;

/// Whose policies to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Caller,
    User(String),
    Role(String),
}

/// What to fetch besides the attachments.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Resource-group-scoped attachments (ResourceManager `ListPolicyAttachments`).
    pub resource_groups: bool,
    /// Control policies attached to the account (ResourceManager).
    pub control_policies: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            resource_groups: true,
            control_policies: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocLayer {
    Identity,
    Trust,
    Control,
}

/// One live document and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveDocument {
    /// The file `fetch --out` writes it to, relative to the directory.
    pub file: String,
    /// The name findings and explanations show.
    pub source: String,
    pub layer: DocLayer,
    /// `System`, `Custom`, or `Trust` for a role's trust policy.
    pub policy_type: String,
    pub name: String,
    pub version: Option<String>,
    /// `user/alice`, `group/dev`, `role/Runner`, `account/<uid>`.
    pub attached_to: Vec<String>,
    /// Set when the attachment applies only to the resources of one resource group.
    pub resource_group: Option<String>,
    #[serde(skip)]
    pub document: String,
}

/// Whether a layer could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LayerStatus {
    Fetched,
    NotFetched { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub account_id: String,
}

/// A principal's effective policies as attached now.
#[derive(Debug, Clone, Serialize)]
pub struct LivePolicies {
    pub principal: PrincipalRef,
    pub documents: Vec<LiveDocument>,
    pub layers: BTreeMap<String, LayerStatus>,
}

const SESSION_NOT_FETCHED: &str =
    "STS returns no session policy: pass it with --session-policy (or use the credentials' own)";

/// Fetches the target's policies; `sts` answers who the caller is (and the account ID).
pub fn fetch(
    ram: &Ram,
    sts: &Sts,
    target: &Target,
    options: FetchOptions,
) -> Result<LivePolicies, LiveError> {
    let credentials = ram.credentials().credentials()?;
    let caller: CallerIdentity = sts.get_caller_identity(&credentials)?;
    let principal = match target {
        Target::User(u) => Principal::User(u.clone()),
        Target::Role(r) => Principal::Role(r.clone()),
        Target::Caller => caller.principal().ok_or_else(|| {
            LiveError::Invalid(format!("cannot tell the principal of `{}`", caller.arn))
        })?,
    };
    let account = caller.account_id.clone();
    let mut docs: BTreeMap<(DocLayer, String, String), LiveDocument> = BTreeMap::new();
    let mut layers = BTreeMap::new();
    layers.insert(
        "session".to_string(),
        match ram.credentials().session_policy() {
            Some(_) => LayerStatus::Fetched,
            None => LayerStatus::NotFetched {
                reason: SESSION_NOT_FETCHED.to_string(),
            },
        },
    );
    let (kind, name) = match &principal {
        Principal::User(u) => ("user", u.clone()),
        Principal::Role(r) => ("role", r.clone()),
        Principal::Root => {
            // RAM policies do not bind the account's root identity.
            return Ok(LivePolicies {
                principal: PrincipalRef {
                    kind: "account".into(),
                    name: account.clone(),
                    account_id: account,
                },
                documents: Vec::new(),
                layers,
            });
        }
    };
    let attach = |ram: &Ram,
                  docs: &mut BTreeMap<(DocLayer, String, String), LiveDocument>,
                  policy_type: &str,
                  policy: &str,
                  to: String,
                  group: Option<String>|
     -> Result<(), LiveError> {
        let p = ram.policy(policy_type, policy)?;
        let key = (DocLayer::Identity, p.policy_type.clone(), p.name.clone());
        let doc = docs.entry(key).or_insert_with(|| LiveDocument {
            file: format!("{}/{}.json", safe(&p.policy_type), safe(&p.name)),
            source: format!("ram://policy/{}/{}@{}", p.policy_type, p.name, p.version),
            layer: DocLayer::Identity,
            policy_type: p.policy_type.clone(),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            attached_to: Vec::new(),
            resource_group: group.clone(),
            document: p.document.clone(),
        });
        // An account-scope attachment wins over a resource-group one of the same policy.
        if group.is_none() {
            doc.resource_group = None;
        }
        if !doc.attached_to.contains(&to) {
            doc.attached_to.push(to);
            doc.attached_to.sort();
        }
        Ok(())
    };

    let mut principals = vec![(kind, name.clone())];
    if kind == "user" {
        for a in ram.attached("ListPoliciesForUser", "UserName", &name)? {
            attach(
                ram,
                &mut docs,
                &a.policy_type,
                &a.name,
                format!("user/{name}"),
                None,
            )?;
        }
        for g in ram.groups_for_user(&name)? {
            for a in ram.attached("ListPoliciesForGroup", "GroupName", &g)? {
                attach(
                    ram,
                    &mut docs,
                    &a.policy_type,
                    &a.name,
                    format!("group/{g}"),
                    None,
                )?;
            }
            principals.push(("group", g));
        }
    } else {
        for a in ram.attached("ListPoliciesForRole", "RoleName", &name)? {
            attach(
                ram,
                &mut docs,
                &a.policy_type,
                &a.name,
                format!("role/{name}"),
                None,
            )?;
        }
        let trust = ram.trust_policy(&name)?;
        docs.insert(
            (DocLayer::Trust, "Trust".into(), name.clone()),
            LiveDocument {
                file: format!("trust/{}.json", safe(&name)),
                source: format!("ram://role/{name}/trust"),
                layer: DocLayer::Trust,
                policy_type: "Trust".into(),
                name: name.clone(),
                version: None,
                attached_to: vec![format!("role/{name}")],
                resource_group: None,
                document: trust,
            },
        );
    }

    if options.resource_groups {
        let status = resource_groups(ram, &account, &principals, &mut |ram, p, t, to, g| {
            attach(ram, &mut docs, p, t, to, g)
        });
        layers.insert("resource_group".into(), status?);
    }
    if options.control_policies {
        let status = control_policies(ram, &account, &mut docs)?;
        layers.insert("control".into(), status);
    }

    Ok(LivePolicies {
        principal: PrincipalRef {
            kind: kind.into(),
            name,
            account_id: account,
        },
        documents: docs.into_values().collect(),
        layers,
    })
}

type Attach<'a> = dyn FnMut(&Ram, &str, &str, String, Option<String>) -> Result<(), LiveError> + 'a;

/// Resource-group-scoped attachments of each principal. A denied listing makes the layer
/// "not fetched", never an empty one.
fn resource_groups(
    ram: &Ram,
    account: &str,
    principals: &[(&str, String)],
    attach: &mut Attach<'_>,
) -> Result<LayerStatus, LiveError> {
    for (kind, name) in principals {
        let (principal_type, principal_name) = match *kind {
            "user" => ("IMSUser", format!("{name}@{account}.onaliyun.com")),
            "group" => ("IMSGroup", format!("{name}@group.{account}.onaliyun.com")),
            _ => (
                "ServiceRole",
                format!("{name}@role.{account}.onaliyunservice.com"),
            ),
        };
        let rows = match ram.rm_pages(
            "ListPolicyAttachments",
            &[
                ("PrincipalType", principal_type),
                ("PrincipalName", &principal_name),
            ],
            "PolicyAttachments",
            "PolicyAttachment",
        ) {
            Ok(rows) => rows,
            Err(e) => return not_fetched(e),
        };
        for row in rows {
            let (Some(policy_type), Some(policy), Some(group)) = (
                str_field(&row, "PolicyType"),
                str_field(&row, "PolicyName"),
                str_field(&row, "ResourceGroupId"),
            ) else {
                continue;
            };
            // The account itself as the "group" is the account scope, already listed.
            if group == account {
                continue;
            }
            attach(
                ram,
                &policy_type,
                &policy,
                format!("{kind}/{name}"),
                Some(group),
            )?;
        }
    }
    Ok(LayerStatus::Fetched)
}

/// The control policies attached to the account itself (folders above it are not read).
fn control_policies(
    ram: &Ram,
    account: &str,
    docs: &mut BTreeMap<(DocLayer, String, String), LiveDocument>,
) -> Result<LayerStatus, LiveError> {
    let obj = match ram.rm_call(
        "ListControlPolicyAttachmentsForTarget",
        &[("TargetId", account)],
    ) {
        Ok(obj) => obj,
        Err(e) => return not_fetched(e),
    };
    let rows: Vec<Value> = items(&obj, "ControlPolicyAttachments", "ControlPolicyAttachment")
        .cloned()
        .collect();
    for row in rows {
        let Some(id) = str_field(&row, "PolicyId") else {
            continue;
        };
        let got = match ram.rm_call("GetControlPolicy", &[("PolicyId", &id)]) {
            Ok(got) => got,
            Err(e) => return not_fetched(e),
        };
        let cp = got.get("ControlPolicy").cloned().unwrap_or(Value::Null);
        let name = str_field(&cp, "PolicyName").unwrap_or_else(|| id.clone());
        let policy_type = str_field(&cp, "PolicyType").unwrap_or_else(|| "Custom".into());
        let Some(document) = str_field(&cp, "PolicyDocument") else {
            continue;
        };
        docs.insert(
            (DocLayer::Control, policy_type.clone(), name.clone()),
            LiveDocument {
                file: format!("control/{}.json", safe(&name)),
                source: format!("ram://control-policy/{policy_type}/{name}"),
                layer: DocLayer::Control,
                policy_type,
                name,
                version: None,
                attached_to: vec![format!("account/{account}")],
                resource_group: None,
                document,
            },
        );
    }
    Ok(LayerStatus::Fetched)
}

/// An optional layer that could not be read: a denial or any answer the service gave (a
/// private gateway may not serve ResourceManager at all) makes it "not fetched", never empty;
/// a missing credential is still an error.
fn not_fetched(e: LiveError) -> Result<LayerStatus, LiveError> {
    match e {
        LiveError::Denied { action, code } => Ok(LayerStatus::NotFetched {
            reason: format!("{action} was denied ({code})"),
        }),
        LiveError::Rpc(e) => Ok(LayerStatus::NotFetched {
            reason: e.to_string(),
        }),
        e => Err(e),
    }
}

/// A name safe as one path component.
fn safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

impl LivePolicies {
    /// The documents as a policy set, through the same load path as files; each is named by
    /// its provenance. `session_policy` (from the credentials) becomes the session layer.
    pub fn policy_set(&self, session_policy: Option<&str>) -> Result<PolicySet, LoadError> {
        let mut set = PolicySet::new();
        self.add_to(&mut set, session_policy)?;
        Ok(set)
    }

    pub fn add_to(
        &self,
        set: &mut PolicySet,
        session_policy: Option<&str>,
    ) -> Result<(), LoadError> {
        for d in &self.documents {
            let kind = match d.layer {
                DocLayer::Identity => PolicyKind::Identity,
                DocLayer::Trust => PolicyKind::Trust,
                DocLayer::Control => PolicyKind::Control,
            };
            set.add_text(kind, &d.source, &d.document)?;
        }
        if let Some(policy) = session_policy {
            set.add_text(PolicyKind::Session, "ram://session-policy", policy)?;
        }
        Ok(())
    }

    /// The manifest (`manifest.json`); with `inline`, each document's JSON too. Stable: the
    /// same account gives the same bytes.
    pub fn manifest(&self, inline: bool) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if inline {
            if let Some(list) = v.get_mut("documents").and_then(Value::as_array_mut) {
                for (entry, doc) in list.iter_mut().zip(&self.documents) {
                    let parsed = serde_json::from_str::<Value>(&doc.document)
                        .unwrap_or_else(|_| Value::String(doc.document.clone()));
                    if let Some(obj) = entry.as_object_mut() {
                        obj.insert("document".into(), parsed);
                    }
                }
            }
        }
        v
    }
}
