//! Trust-policy principals: how a request principal is classified and matched.

use crate::policy::pattern::Pattern;
use crate::policy::{Element, Principal, PrincipalKind};

/// How a request principal is compared with one `RAM` principal value.
#[derive(Clone, Debug)]
pub(crate) enum RamPrincipal {
    /// `acs:ram::<account>:root`: every principal of the account (the account may hold wildcards).
    Root(Pattern),
    /// `acs:ram::<account>:role/<role>` without wildcards, role name lowercased: matches the
    /// role and its sessions, the name compared case-insensitively.
    Role(String),
    /// Any other ARN, matched as a wildcard pattern.
    Arn(Pattern),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CompiledPrincipal {
    /// `"Principal": "*"` (or `["*"]`).
    pub any: bool,
    pub ram: Vec<RamPrincipal>,
    /// Lowercased: service names are DNS names.
    pub service: Vec<Pattern>,
    pub federated: Vec<Pattern>,
    /// A bucket policy's IDs: an account ID matches every principal of the account; any other
    /// value matches a caller given as exactly that value (a RAM user ID).
    pub ids: Vec<String>,
    /// As written, for traces: `RAM: acs:ram::1:root` etc.
    pub texts: Vec<String>,
}

/// The kind of principal a request names, read from its form.
pub(crate) enum PrincipalClass<'a> {
    /// `acs:ram::<account>:<relative-id>` (user, role, role session, root), or the STS form of
    /// a role session `acs:sts::<account>:assumed-role/<role>/<session>`. `role` is the role
    /// ARN of a role session (`acs:ram::<account>:role/<role>`, lowercased role name).
    Ram {
        account: &'a str,
        role: Option<String>,
    },
    /// `acs:ram::<account>:saml-provider/...` or `oidc-provider/...`.
    Federated,
    /// Anything without the `acs:` prefix: `ecs.aliyuncs.com`.
    Service,
    /// Another `acs:` ARN: only an exact RAM pattern can match it.
    Other,
}

pub(crate) fn classify_principal(p: &str) -> PrincipalClass<'_> {
    let Some(rest) = p.strip_prefix("acs:") else {
        return PrincipalClass::Service;
    };
    let mut fields = rest.splitn(4, ':');
    let (svc, _region, account, relative) =
        (fields.next(), fields.next(), fields.next(), fields.next());
    match (svc, account, relative) {
        (Some("ram"), Some(_), Some(rel))
            if rel.starts_with("saml-provider/") || rel.starts_with("oidc-provider/") =>
        {
            PrincipalClass::Federated
        }
        (Some("ram"), Some(account), Some(rel)) => {
            // `role/<role>/<session>`: the session of a role (as AssumeRole returns it).
            let role = rel
                .strip_prefix("role/")
                .and_then(|r| r.split_once('/'))
                .map(|(role, _)| role_arn(account, role));
            PrincipalClass::Ram { account, role }
        }
        (Some("sts"), Some(account), Some(rel)) => match rel
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split_once('/'))
        {
            Some((role, _)) => PrincipalClass::Ram {
                account,
                role: Some(role_arn(account, role)),
            },
            None => PrincipalClass::Other,
        },
        _ => PrincipalClass::Other,
    }
}

fn role_arn(account: &str, role: &str) -> String {
    format!("acs:ram::{account}:role/{}", role.to_lowercase())
}

/// A role ARN with its name lowercased (role names compare case-insensitively).
fn fold_role(arn: &str) -> Option<String> {
    let (head, role) = arn.split_once(":role/")?;
    (head.starts_with("acs:ram::") && !role.contains('/'))
        .then(|| format!("{head}:role/{}", role.to_lowercase()))
}

impl CompiledPrincipal {
    pub fn matches(&self, principal: &str) -> bool {
        if self.any {
            return true;
        }
        match classify_principal(principal) {
            PrincipalClass::Ram { account, role } => {
                self.ids.iter().any(|id| id == account || id == principal)
                    || self.ram.iter().any(|r| match r {
                        RamPrincipal::Root(acct) => acct.matches(account),
                        RamPrincipal::Role(r) => {
                            role.as_deref() == Some(r.as_str())
                                || fold_role(principal).as_deref() == Some(r.as_str())
                        }
                        RamPrincipal::Arn(p) => {
                            p.matches(principal) || role.as_deref().is_some_and(|r| p.matches(r))
                        }
                    })
            }
            PrincipalClass::Other => {
                self.ids.iter().any(|id| id == principal)
                    || self.ram.iter().any(|r| match r {
                        RamPrincipal::Arn(p) => p.matches(principal),
                        RamPrincipal::Root(_) | RamPrincipal::Role(_) => false,
                    })
            }
            PrincipalClass::Federated => self.federated.iter().any(|p| p.matches(principal)),
            PrincipalClass::Service => {
                let lower = principal.to_ascii_lowercase();
                self.ids.iter().any(|id| id == principal)
                    || self.service.iter().any(|p| p.matches(&lower))
            }
        }
    }
}

/// A caller that has no identity policies: a service, or a federated (SAML/OIDC) identity.
/// For it the trust policy alone decides `sts:AssumeRole` (SEMANTICS.md section 4, rev 2).
pub(crate) fn is_external(principal: &str) -> bool {
    matches!(
        classify_principal(principal),
        PrincipalClass::Service | PrincipalClass::Federated
    )
}

/// Compiles a statement's `Principal`.
pub(crate) fn compile_principal(p: &Principal) -> CompiledPrincipal {
    let mut c = CompiledPrincipal {
        any: p.any.is_some(),
        ..CompiledPrincipal::default()
    };
    for (kind, el) in &p.entries {
        compile_principal_values(&mut c, *kind, el);
    }
    if let Some(ids) = &p.ids {
        for v in ids.iter() {
            c.texts.push(v.to_string());
            c.ids.push(v.to_string());
        }
    }
    if c.any {
        c.texts.push("*".to_string());
    }
    c
}

/// The account of `acs:ram::<account>:root`, the ARN of an account itself.
pub(crate) fn root_account(arn: &str) -> Option<&str> {
    arn.strip_prefix("acs:ram::")
        .and_then(|rest| rest.strip_suffix(":root"))
        .filter(|acct| !acct.contains(':'))
}

fn compile_principal_values(c: &mut CompiledPrincipal, kind: PrincipalKind, el: &Element) {
    for v in el.iter() {
        c.texts.push(format!("{}: {v}", kind.as_str()));
        match kind {
            PrincipalKind::Ram => {
                c.ram.push(match root_account(v) {
                    Some(acct) => RamPrincipal::Root(Pattern::new(acct)),
                    None => match fold_role(v).filter(|_| !v.contains(['*', '?'])) {
                        Some(role) => RamPrincipal::Role(role),
                        None => RamPrincipal::Arn(Pattern::new(v)),
                    },
                });
            }
            PrincipalKind::Service => c.service.push(Pattern::new(&v.to_ascii_lowercase())),
            PrincipalKind::Federated => c.federated.push(Pattern::new(v)),
        }
    }
}
