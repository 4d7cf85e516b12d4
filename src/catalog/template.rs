//! ARN templates as written in Alibaba's authorization tables:
//! `acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}`.
//!
//! A preflight renders a template with the region, the account and the request parameters to
//! get the resource a call is authorized against; a value it does not know stays an explicit
//! [`ArnPart::Unknown`] so that evaluation can treat it as unknown (SEMANTICS.md section 5)
//! instead of guessing. `regionId` and `accountId` are ordinary variables.

use std::fmt;

/// One piece of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart<'a> {
    /// Text copied as is.
    Literal(&'a str),
    /// `{#Name}`; holds `Name`.
    Var(&'a str),
}

/// A parsed template. Borrows the text it was parsed from (the catalogue's are `'static`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArnTemplate<'a> {
    raw: &'a str,
    parts: Vec<TemplatePart<'a>>,
}

/// Why a template could not be parsed. `offset` is the byte offset of the offending `{`/`}`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unterminated `{{#` at byte {offset}")]
    Unterminated { offset: usize },
    #[error("empty or malformed variable name at byte {offset}")]
    BadVariable { offset: usize },
    #[error("`{{` or `}}` outside a `{{#Name}}` variable at byte {offset}")]
    StrayBrace { offset: usize },
}

/// The value [`ArnTemplate::sample_arn`] gives every variable: free of `*`, `?` (so a policy
/// pattern cannot match it by accident of its own wildcards being in the subject), and of `:`
/// and `/` (so it cannot shift ARN fields or path segments).
pub const SAMPLE_VALUE: &str = "x";

impl<'a> ArnTemplate<'a> {
    /// Splits `raw` into literals and `{#Name}` variables. Any other `{` or `}` is an error,
    /// because it is far more likely a typo than part of an ARN.
    pub fn parse(raw: &'a str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = raw;
        let mut offset = 0;
        loop {
            let (literal, after) = match rest.split_once("{#") {
                Some(split) => split,
                None => (rest, ""),
            };
            if let Some(i) = literal.find(['{', '}']) {
                return Err(TemplateError::StrayBrace { offset: offset + i });
            }
            if !literal.is_empty() {
                parts.push(TemplatePart::Literal(literal));
            }
            if literal.len() == rest.len() {
                break;
            }
            let open = offset + literal.len();
            let (name, after) = after
                .split_once('}')
                .ok_or(TemplateError::Unterminated { offset: open })?;
            if name.is_empty() || name.contains(['{', '#']) {
                return Err(TemplateError::BadVariable { offset: open });
            }
            parts.push(TemplatePart::Var(name));
            offset = open + 2 + name.len() + 1;
            rest = after;
        }
        Ok(ArnTemplate { raw, parts })
    }

    /// The text the template was parsed from.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    pub fn parts(&self) -> &[TemplatePart<'a>] {
        &self.parts
    }

    /// Variable names in order of first appearance, each once.
    pub fn variables(&self) -> Vec<&'a str> {
        let mut vars: Vec<&'a str> = Vec::new();
        for part in &self.parts {
            if let TemplatePart::Var(name) = *part {
                if !vars.contains(&name) {
                    vars.push(name);
                }
            }
        }
        vars
    }

    /// Fills the variables with `lookup(name)`; a `None` becomes [`ArnPart::Unknown`].
    ///
    /// `lookup` receives the name exactly as the template spells it (`BackupPlanId`); wrap
    /// user-supplied parameters with [`lookup_ignore_case`] to accept `backupPlanId`. Values are
    /// inserted verbatim: a value containing `*` or `/` yields an ARN that policy wildcards
    /// treat specially, which is for the caller to reject if it matters. Consecutive known
    /// pieces are merged into one [`ArnPart::Known`].
    pub fn render(&self, lookup: impl Fn(&str) -> Option<String>) -> RenderedArn {
        let mut parts: Vec<ArnPart> = Vec::new();
        for part in &self.parts {
            let piece = match *part {
                TemplatePart::Literal(text) => ArnPart::Known(text.to_owned()),
                TemplatePart::Var(name) => match lookup(name) {
                    Some(value) => ArnPart::Known(value),
                    None => ArnPart::Unknown(name.to_owned()),
                },
            };
            match (parts.last_mut(), piece) {
                (Some(ArnPart::Known(prev)), ArnPart::Known(next)) => prev.push_str(&next),
                (_, piece) => parts.push(piece),
            }
        }
        RenderedArn { parts }
    }

    /// The template with every variable set to [`SAMPLE_VALUE`]: one concrete ARN of the
    /// resource type, for asking "does this policy pattern cover *some* resource of this
    /// type?". Limits: it is one ARN among many. A pattern naming a specific region or ID
    /// (`acs:dbs:cn-hangzhou:*:backupplan/*`) does not match it although it does match real
    /// resources of the type, so a miss on the sample proves nothing on its own; combine it
    /// with [`to_glob`](Self::to_glob).
    pub fn sample_arn(&self) -> String {
        self.render(|_| Some(SAMPLE_VALUE.to_owned())).to_string()
    }

    /// The template with every variable as `*`: a policy-style pattern covering every ARN
    /// the template can produce. Limits: `*` also spans `:` and `/`, so the glob
    /// over-approximates (real IDs contain neither), and literals are copied unescaped (RAM
    /// patterns have no escape for `*`/`?`; no catalogued template contains them).
    pub fn to_glob(&self) -> String {
        let mut glob = String::with_capacity(self.raw.len());
        for part in &self.parts {
            match *part {
                TemplatePart::Literal(text) => glob.push_str(text),
                TemplatePart::Var(_) => glob.push('*'),
            }
        }
        glob
    }
}

impl fmt::Display for ArnTemplate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

/// Builds a [`render`](ArnTemplate::render) lookup over name/value pairs that matches names
/// case-insensitively, because users write `--param backupPlanId=...` while templates say
/// `BackupPlanId`. An exact-case name wins over a case variant; among several case variants
/// the smallest name in byte order wins, so the result never depends on map iteration order.
pub fn lookup_ignore_case<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> impl Fn(&str) -> Option<String>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
        .collect();
    pairs.sort();
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| v.clone())
    }
}

/// A rendered piece of an ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArnPart {
    Known(String),
    /// A variable the lookup could not fill; holds the variable name.
    Unknown(String),
}

/// The result of [`ArnTemplate::render`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RenderedArn {
    pub parts: Vec<ArnPart>,
}

impl RenderedArn {
    /// The complete ARN when every variable was known.
    pub fn as_known(&self) -> Option<String> {
        let mut arn = String::new();
        for part in &self.parts {
            match part {
                ArnPart::Known(text) => arn.push_str(text),
                ArnPart::Unknown(_) => return None,
            }
        }
        Some(arn)
    }

    /// Names of the variables left unknown, in order, each once.
    pub fn unknown_vars(&self) -> Vec<&str> {
        let mut vars: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let ArnPart::Unknown(name) = part {
                if !vars.contains(&name.as_str()) {
                    vars.push(name);
                }
            }
        }
        vars
    }

    pub fn is_complete(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, ArnPart::Known(_)))
    }
}

/// The ARN with unknown parts shown as `{#Name}`, as in the template.
impl fmt::Display for RenderedArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                ArnPart::Known(text) => f.write_str(text)?,
                ArnPart::Unknown(name) => write!(f, "{{#{name}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKUP_PLAN: &str = "acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}";

    #[test]
    fn parse_backup_plan() {
        let t = ArnTemplate::parse(BACKUP_PLAN).unwrap();
        assert_eq!(
            t.parts(),
            &[
                TemplatePart::Literal("acs:dbs:"),
                TemplatePart::Var("regionId"),
                TemplatePart::Literal(":"),
                TemplatePart::Var("accountId"),
                TemplatePart::Literal(":backupplan/"),
                TemplatePart::Var("BackupPlanId"),
            ]
        );
        assert_eq!(t.variables(), ["regionId", "accountId", "BackupPlanId"]);
        assert_eq!(t.as_str(), BACKUP_PLAN);
        assert_eq!(t.to_string(), BACKUP_PLAN);
    }

    #[test]
    fn parse_edge_cases() {
        let star = ArnTemplate::parse("*").unwrap();
        assert_eq!(star.parts(), &[TemplatePart::Literal("*")]);
        assert!(star.variables().is_empty());
        assert!(ArnTemplate::parse("").unwrap().parts().is_empty());
        let t = ArnTemplate::parse("{#a}{#b}/{#a}").unwrap();
        assert_eq!(t.variables(), ["a", "b"]);
        assert_eq!(t.to_glob(), "**/*");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            ArnTemplate::parse("acs:dbs:{#regionId"),
            Err(TemplateError::Unterminated { offset: 8 })
        );
        assert_eq!(
            ArnTemplate::parse("acs:{#}"),
            Err(TemplateError::BadVariable { offset: 4 })
        );
        assert_eq!(
            ArnTemplate::parse("acs:dbs:{regionId}"),
            Err(TemplateError::StrayBrace { offset: 8 })
        );
        assert_eq!(
            ArnTemplate::parse("{#a}:x}"),
            Err(TemplateError::StrayBrace { offset: 6 })
        );
        assert_eq!(
            ArnTemplate::parse("{#a{#b}"),
            Err(TemplateError::BadVariable { offset: 0 })
        );
    }

    #[test]
    fn render_complete() {
        let t = ArnTemplate::parse(BACKUP_PLAN).unwrap();
        let lookup = lookup_ignore_case([
            ("regionId", "cn-hangzhou"),
            ("accountId", "1234567890123456"),
            ("backupPlanId", "dbsqdss5tmh1"),
        ]);
        let r = t.render(lookup);
        let arn = "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1";
        assert_eq!(r.as_known().as_deref(), Some(arn));
        assert_eq!(r.parts, [ArnPart::Known(arn.to_owned())]);
        assert!(r.is_complete());
        assert!(r.unknown_vars().is_empty());
        assert_eq!(r.to_string(), arn);
    }

    #[test]
    fn render_with_missing_var() {
        let t = ArnTemplate::parse(BACKUP_PLAN).unwrap();
        let r = t.render(lookup_ignore_case([
            ("regionId", "cn-hangzhou"),
            ("BackupPlanId", "dbsqdss5tmh1"),
        ]));
        assert_eq!(r.as_known(), None);
        assert!(!r.is_complete());
        assert_eq!(r.unknown_vars(), ["accountId"]);
        assert_eq!(
            r.parts,
            [
                ArnPart::Known("acs:dbs:cn-hangzhou:".into()),
                ArnPart::Unknown("accountId".into()),
                ArnPart::Known(":backupplan/dbsqdss5tmh1".into()),
            ]
        );
        assert_eq!(
            r.to_string(),
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/dbsqdss5tmh1"
        );
        let none = t.render(|_| None);
        assert_eq!(none.to_string(), BACKUP_PLAN);
        assert_eq!(
            none.unknown_vars(),
            ["regionId", "accountId", "BackupPlanId"]
        );
    }

    #[test]
    fn lookup_prefers_exact_case_and_is_order_independent() {
        let a = lookup_ignore_case([("ID", "upper"), ("id", "lower"), ("Id", "mixed")]);
        assert_eq!(a("id").as_deref(), Some("lower"));
        assert_eq!(a("iD").as_deref(), Some("upper"));
        let b = lookup_ignore_case([("Id", "mixed"), ("id", "lower"), ("ID", "upper")]);
        assert_eq!(b("iD").as_deref(), Some("upper"));
        assert_eq!(b("other"), None);
        let map: std::collections::HashMap<String, String> =
            [("BackupPlanId".to_owned(), "p1".to_owned())].into();
        assert_eq!(
            lookup_ignore_case(&map)("backupplanid").as_deref(),
            Some("p1")
        );
    }

    #[test]
    fn sample_and_glob() {
        let t = ArnTemplate::parse(BACKUP_PLAN).unwrap();
        assert_eq!(t.sample_arn(), "acs:dbs:x:x:backupplan/x");
        assert_eq!(t.to_glob(), "acs:dbs:*:*:backupplan/*");
        for c in ['*', '?', ':', '/'] {
            assert!(!SAMPLE_VALUE.contains(c));
        }
    }
}
