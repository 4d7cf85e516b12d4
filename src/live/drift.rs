//! `drift`: the repository's documents against the live ones, matched by policy name (a role's
//! trust policy by `trust/<RoleName>.json`). Equal means equal as JSON: key order and
//! whitespace do not count. A changed document shows the statements that differ. A policy
//! attached live (system or custom) without a repository copy is drift; a trust or control
//! policy is compared only when the repository holds it.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::{DocLayer, LiveDocument};

/// One repository document.
#[derive(Debug, Clone)]
pub struct RepoDocument {
    /// As shown (the path given).
    pub file: String,
    /// The name it is matched by: the file name without extension.
    pub name: String,
    /// Whether it sits in a `trust` directory (a role's trust policy).
    pub trust: bool,
    pub text: String,
}

impl RepoDocument {
    /// The documents of one repository file. A policy file is one document, matched by its file
    /// name; a host (Terraform, plan, ROS template) gives each document that has a literal
    /// policy name (`policy_name`, `PolicyName`; a role's name for its trust policy), matched by
    /// that name. The second list names the host documents without one: they cannot be matched.
    pub fn read_all(path: &Path) -> std::io::Result<(Vec<RepoDocument>, Vec<String>)> {
        let name = path.display().to_string();
        let read =
            crate::document::read_path(path, &name, &crate::document::ReadOptions::default())?;
        let mut docs = Vec::new();
        let mut unnamed = Vec::new();
        for d in &read.documents {
            let Some(source) = &d.source else {
                unnamed.push(d.display_name());
                continue;
            };
            if d.address.is_none() {
                docs.push(RepoDocument {
                    file: name.clone(),
                    name: path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    trust: d.kind == Some("trust")
                        || path
                            .parent()
                            .and_then(Path::file_name)
                            .is_some_and(|dir| dir == "trust"),
                    text: source.text.to_string(),
                });
                continue;
            }
            match &d.policy_name {
                Some(policy_name) => docs.push(RepoDocument {
                    file: d.display_name(),
                    name: policy_name.clone(),
                    trust: d.kind == Some("trust"),
                    text: source.text.to_string(),
                }),
                None => unnamed.push(d.display_name()),
            }
        }
        Ok((docs, unnamed))
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatementDiff {
    /// 0-based index in `Statement`.
    pub index: usize,
    pub repo: Option<Value>,
    pub live: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub name: String,
    pub file: String,
    pub source: String,
    pub statements: Vec<StatementDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LiveOnly {
    pub name: String,
    pub policy_type: String,
    pub source: String,
    pub attached_to: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepoOnly {
    pub name: String,
    pub file: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub drift: bool,
    pub changed: Vec<Changed>,
    pub live_only: Vec<LiveOnly>,
    pub repo_only: Vec<RepoOnly>,
    /// Documents that matched and are equal.
    pub unchanged: Vec<String>,
}

/// Compares; a repository document that is not JSON counts as changed (whole document).
pub fn compare(repo: &[RepoDocument], live: &[LiveDocument]) -> Drift {
    let mut used = vec![false; repo.len()];
    let mut changed = Vec::new();
    let mut live_only = Vec::new();
    let mut unchanged = Vec::new();
    for d in live {
        let found = repo.iter().enumerate().find(|(i, r)| {
            !used[*i] && r.name == d.name && r.trust == (d.layer == DocLayer::Trust)
        });
        let Some((i, r)) = found else {
            // A trust policy or a control policy is not attached to the principal: it is
            // compared when the repository has a copy, and not missed when it has none.
            if d.layer != DocLayer::Identity {
                continue;
            }
            live_only.push(LiveOnly {
                name: d.name.clone(),
                policy_type: d.policy_type.clone(),
                source: d.source.clone(),
                attached_to: d.attached_to.clone(),
            });
            continue;
        };
        used[i] = true;
        let ours: Option<Value> = serde_json::from_str(&r.text).ok();
        let theirs: Option<Value> = serde_json::from_str(&d.document).ok();
        if ours.is_some() && ours == theirs {
            unchanged.push(r.file.clone());
            continue;
        }
        changed.push(Changed {
            name: d.name.clone(),
            file: r.file.clone(),
            source: d.source.clone(),
            statements: statement_diff(ours.as_ref(), theirs.as_ref()),
        });
    }
    let repo_only: Vec<RepoOnly> = repo
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(r, _)| RepoOnly {
            name: r.name.clone(),
            file: r.file.clone(),
        })
        .collect();
    Drift {
        drift: !(changed.is_empty() && live_only.is_empty() && repo_only.is_empty()),
        changed,
        live_only,
        repo_only,
        unchanged,
    }
}

/// The statements that differ, by index (a lone statement object counts as a list of one).
/// When the documents differ elsewhere (e.g. `Version`), index 0 holds the whole documents
/// unless a statement differs.
fn statement_diff(repo: Option<&Value>, live: Option<&Value>) -> Vec<StatementDiff> {
    let list = |v: Option<&Value>| -> Vec<Value> {
        match v.and_then(|v| v.get("Statement")) {
            Some(Value::Array(a)) => a.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        }
    };
    let (a, b) = (list(repo), list(live));
    let out: Vec<StatementDiff> = (0..a.len().max(b.len()))
        .filter(|&i| a.get(i) != b.get(i))
        .map(|i| StatementDiff {
            index: i,
            repo: a.get(i).cloned(),
            live: b.get(i).cloned(),
        })
        .collect();
    if out.is_empty() {
        return vec![StatementDiff {
            index: 0,
            repo: repo.cloned(),
            live: live.cloned(),
        }];
    }
    out
}

impl Drift {
    /// Human report: one block per finding, a changed statement as `-`/`+` lines.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for c in &self.changed {
            out += &format!(
                "changed: {} ({} differs from {})\n",
                c.name, c.file, c.source
            );
            for s in &c.statements {
                out += &format!("  statement {}:\n", s.index);
                for (sign, v) in [("-", &s.repo), ("+", &s.live)] {
                    match v {
                        Some(v) => {
                            let text = serde_json::to_string_pretty(v).unwrap_or_default();
                            for line in text.lines() {
                                out += &format!("  {sign} {line}\n");
                            }
                        }
                        None => out += &format!("  {sign} (none)\n"),
                    }
                }
            }
        }
        for l in &self.live_only {
            out += &format!(
                "attached live, not in the repository: {} ({}, attached to {})\n",
                l.name,
                l.source,
                l.attached_to.join(", ")
            );
        }
        for r in &self.repo_only {
            out += &format!(
                "in the repository, not attached live: {} ({})\n",
                r.name, r.file
            );
        }
        if !self.drift {
            out += &format!("no drift: {} document(s) equal\n", self.unchanged.len());
        }
        out
    }

    /// GitHub workflow commands, one per finding.
    pub fn github(&self) -> String {
        let esc = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let mut out = String::new();
        for c in &self.changed {
            let idx: Vec<String> = c.statements.iter().map(|s| s.index.to_string()).collect();
            out += &format!(
                "::error file={},title=ramguard drift::{}\n",
                c.file,
                esc(&format!(
                    "{} differs from the live {} (statement {})",
                    c.name,
                    c.source,
                    idx.join(", ")
                ))
            );
        }
        for l in &self.live_only {
            out += &format!(
                "::error title=ramguard drift::{}\n",
                esc(&format!(
                    "{} ({}) is attached live to {} but not in the repository",
                    l.name,
                    l.source,
                    l.attached_to.join(", ")
                ))
            );
        }
        for r in &self.repo_only {
            out += &format!(
                "::error file={},title=ramguard drift::{}\n",
                r.file,
                esc(&format!("{} is not attached live", r.name))
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(name: &str, doc: &str) -> LiveDocument {
        LiveDocument {
            file: format!("Custom/{name}.json"),
            source: format!("ram://policy/Custom/{name}@v1"),
            layer: DocLayer::Identity,
            policy_type: "Custom".into(),
            name: name.into(),
            version: Some("v1".into()),
            attached_to: vec!["role/r".into()],
            resource_group: None,
            document: doc.into(),
        }
    }

    fn repo(name: &str, text: &str) -> RepoDocument {
        RepoDocument {
            file: format!("p/{name}.json"),
            name: name.into(),
            trust: false,
            text: text.into(),
        }
    }

    #[test]
    fn key_order_and_whitespace_do_not_count_a_statement_does() {
        let a =
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:*","Resource":"*"}]}"#;
        let b = "{ \"Statement\": [ {\"Resource\":\"*\", \"Action\":\"dbs:*\",\n \"Effect\":\"Allow\"} ], \"Version\": \"1\" }";
        let d = compare(&[repo("x", a)], &[live("x", b)]);
        assert!(!d.drift, "{d:?}");
        let c = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:Describe*","Resource":"*"}]}"#;
        let d = compare(&[repo("x", a), repo("y", a)], &[live("x", c), live("z", a)]);
        assert!(d.drift);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].statements[0].index, 0);
        assert_eq!(d.live_only[0].name, "z");
        assert_eq!(d.repo_only[0].name, "y");
        let h = d.human();
        assert!(
            h.contains("-   \"Action\": \"dbs:*\"")
                && h.contains("+   \"Action\": \"dbs:Describe*\""),
            "{h}"
        );
        assert!(d.github().starts_with("::error file=p/x.json"));
    }
}
