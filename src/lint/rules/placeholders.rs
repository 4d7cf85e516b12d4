//! RG113 `template-placeholder`: templates that were never rendered and documentation masks.

use super::common::{placeholder, Placeholder};
use crate::lint::{Diagnostic, RuleContext};
use crate::source::Spanned;

rule!(
    TEMPLATE_PLACEHOLDER, "RG113", "template-placeholder", Security, Warning, Identity, check,
    summary: "Reports a value that still holds a template placeholder (`${var.account_id}`, `%{...}`, `$accountId`, `<namespace>`, `{#regionId}`) or a documentation mask (`123456789012****`, `42.120.XX.X/24`).",
    why: "A policy copied from documentation or rendered by a template that failed does not mean what its author intended: `<name>` and `$name` are literal text that matches nothing, and a mask such as `123456789012****` is a wildcard that matches every account whose ID starts with those digits. Substitute the real value before the policy is deployed.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram::$accountId:role/$roleName"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram::1234567890123456:role/dbs-backup-runner"}
  ]
}
"#,
);

/// One finding per statement, at its first placeholder, naming every distinct one.
fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        let principal = st.principal.iter().flat_map(|p| {
            p.entries
                .iter()
                .flat_map(|(_, e)| e.values.iter())
                .chain(p.ids.iter().flat_map(|e| e.values.iter()))
        });
        let values = st
            .action
            .values
            .iter()
            .chain(st.resource.iter().flat_map(|r| r.values.iter()))
            .chain(principal)
            .chain(st.conditions.iter().flat_map(|c| c.values.iter()));
        let mut first: Option<(&Spanned<String>, Placeholder<'_>)> = None;
        let mut tokens: Vec<&str> = Vec::new();
        for v in values {
            let Some(p) = placeholder(&v.value) else {
                continue;
            };
            let t = match p {
                Placeholder::Template(t) | Placeholder::Mask(t) => t,
            };
            if !tokens.contains(&t) {
                tokens.push(t);
            }
            first.get_or_insert((v, p));
        }
        let Some((v, p)) = first else { continue };
        let shown: Vec<String> = tokens.iter().map(|t| format!("`{t}`")).collect();
        let (what, help) = match p {
            Placeholder::Template(_) => (
                "a template placeholder that was never filled in",
                "render the template (or substitute the value) before the policy is used",
            ),
            Placeholder::Mask(_) => (
                "a value masked by documentation, not a real one",
                "substitute the real value: a mask is literal text, or a wildcard that matches far more than meant",
            ),
        };
        let message = if tokens.len() == 1 {
            format!("`{}` holds {}: {what}", v.value, shown.join(", "))
        } else {
            format!(
                "this statement holds placeholders {}; `{}` holds {what}",
                shown.join(", "),
                v.value
            )
        };
        out.push(Diagnostic::new(&TEMPLATE_PLACEHOLDER, v.span, message).help(help));
    }
}
