//! ARN templates as written in Alibaba's authorization tables:
//! `acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}`.
//!
//! The linter parses them to decide which policy resources can match an operation; a preflight
//! renders them into a request resource with [`crate::eval::Resource::from_template`], where a
//! value it does not know stays an unknown part (SEMANTICS.md section 5).

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
    fn glob() {
        let t = ArnTemplate::parse(BACKUP_PLAN).unwrap();
        assert_eq!(t.to_glob(), "acs:dbs:*:*:backupplan/*");
    }
}
