//! Trust-policy principals: how a request principal is classified and matched.

use crate::policy::pattern::Pattern;
use crate::policy::{Element, Principal, PrincipalKind};

/// How a request principal is compared with one `RAM` principal value.
#[derive(Clone, Debug)]
pub(crate) enum RamPrincipal {
    /// `acs:ram::<account>:root`: every principal of the account (the account may hold wildcards).
    Root(Pattern),
    /// Any other ARN, matched as a wildcard pattern.
    Arn(Pattern),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CompiledPrincipal {
    /// `"Principal": "*"`.
    pub any: bool,
    pub ram: Vec<RamPrincipal>,
    /// Lowercased: service names are DNS names.
    pub service: Vec<Pattern>,
    pub federated: Vec<Pattern>,
    /// As written, for traces: `RAM: acs:ram::1:root` etc.
    pub texts: Vec<String>,
}

/// The kind of principal a request names, read from its form.
pub(crate) enum PrincipalClass<'a> {
    /// `acs:ram::<account>:<relative-id>` (user, role, assumed-role, root).
    Ram { account: &'a str },
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
        (Some("ram"), Some(account), Some(_)) => PrincipalClass::Ram { account },
        _ => PrincipalClass::Other,
    }
}

impl CompiledPrincipal {
    pub fn matches(&self, principal: &str) -> bool {
        if self.any {
            return true;
        }
        match classify_principal(principal) {
            PrincipalClass::Ram { account } => self.ram.iter().any(|r| match r {
                RamPrincipal::Root(acct) => acct.matches(account),
                RamPrincipal::Arn(p) => p.matches(principal),
            }),
            PrincipalClass::Other => self.ram.iter().any(|r| match r {
                RamPrincipal::Arn(p) => p.matches(principal),
                RamPrincipal::Root(_) => false,
            }),
            PrincipalClass::Federated => self.federated.iter().any(|p| p.matches(principal)),
            PrincipalClass::Service => {
                let lower = principal.to_ascii_lowercase();
                self.service.iter().any(|p| p.matches(&lower))
            }
        }
    }
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
                    None => RamPrincipal::Arn(Pattern::new(v)),
                });
            }
            PrincipalKind::Service => c.service.push(Pattern::new(&v.to_ascii_lowercase())),
            PrincipalKind::Federated => c.federated.push(Pattern::new(v)),
        }
    }
}
