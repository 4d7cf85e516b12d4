//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run; the driver lists every rule of the registry (so a viewer can tell "ran and found
//! nothing" from "unknown rule" and close fixed alerts); results point at the file as given,
//! relative to `%SRCROOT%`. Findings accepted by a `[[suppress]]` entry are included with an
//! external, accepted suppression carrying the entry's reason, so the exception stays on record.

use std::io::{self, Write};

use serde::Serialize;

use super::{docs, Located, Suppressed};
use crate::lint::{registry, Category, Rule, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ramguard/ramguard";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// Our columns count Unicode scalar values (CLI.md), not SARIF's default UTF-16 units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    /// Names the action catalogue's date, which decides what the catalogue rules know.
    full_name: String,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
    properties: DriverProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DriverProperties {
    /// The RAM action catalogue embedded in this build: its date and metadata sources.
    action_catalogue: CatalogueInfo,
}

#[derive(Serialize)]
struct CatalogueInfo {
    date: &'static str,
    sources: &'static [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
    /// GitHub's 0-10 score for security rules (critical >= 9, high >= 7, medium >= 4).
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &Rule) -> Descriptor {
    let security = rule.category == Category::Security;
    // `security` is what GitHub code scanning looks for; the security category is already
    // called that, and SARIF requires unique tags.
    let mut tags = vec![rule.category.as_str()];
    if security && !tags.contains(&"security") {
        tags.push("security");
    }
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: format!("{} {}", rule.summary, rule.why),
        },
        help_uri: rule.url().to_string(),
        help: Help {
            text: format!("{}\n\n{}\n\n{}", rule.summary, rule.why, rule.url()),
            markdown: docs::rule_sections(rule, 2),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: Properties {
            tags,
            security_severity: security.then_some(match rule.severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            }),
        },
    }
}

fn result(l: &Located, suppressions: Vec<Suppression>) -> SarifResult {
    let mut text = l.message.clone();
    if let Some(document) = &l.document {
        text = format!("{text} (in `{document}`)");
    }
    if let Some(help) = &l.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let (uri, uri_base_id) = uri(&l.file);
    SarifResult {
        rule_id: l.code,
        rule_index: registry::all()
            .binary_search_by(|r| r.code.cmp(l.code))
            .ok(),
        level: level(l.severity),
        message: Text { text },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri, uri_base_id },
                region: Region {
                    start_line: l.line,
                    start_column: l.column,
                    end_line: l.end_line,
                    end_column: l.end_column,
                },
            },
        }],
        suppressions,
    }
}

/// A path as a URI reference: relative paths stay relative to `%SRCROOT%` (the checkout),
/// absolute ones become `file://` URIs. Forward slashes; everything outside RFC 3986's
/// unreserved and sub-delimiter characters is percent-encoded.
fn uri(path: &str) -> (String, Option<&'static str>) {
    let path = path.replace('\\', "/");
    let drive = matches!(path.as_bytes(), [d, b':', b'/', ..] if d.is_ascii_alphabetic());
    let absolute = path.starts_with('/') || drive;
    let mut out = String::with_capacity(path.len() + 8);
    if absolute {
        out.push_str("file://");
        if !path.starts_with('/') {
            out.push('/');
        }
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'@' => {
                out.push(char::from(b));
            }
            // In a relative reference a colon would read as a scheme.
            b':' if absolute => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    (out, (!absolute).then_some("%SRCROOT%"))
}

/// Renders the findings (sorted) and the suppressed findings (sorted) as one SARIF log.
pub fn render(
    out: &mut dyn Write,
    located: &[&Located],
    suppressed: &[&Suppressed],
) -> io::Result<()> {
    let mut results: Vec<SarifResult> = located.iter().map(|l| result(l, Vec::new())).collect();
    results.extend(suppressed.iter().map(|s| {
        result(
            &s.located,
            vec![Suppression {
                kind: "external",
                status: "accepted",
                justification: s.reason.clone(),
            }],
        )
    }));
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ramguard",
                    full_name: format!(
                        "ramguard {} (RAM action catalogue as of {})",
                        env!("CARGO_PKG_VERSION"),
                        crate::catalog::date()
                    ),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: registry::all().iter().map(|r| descriptor(r)).collect(),
                    properties: DriverProperties {
                        action_catalogue: CatalogueInfo {
                            date: crate::catalog::date(),
                            sources: crate::catalog::sources(),
                        },
                    },
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            uri("policies/a.json"),
            ("policies/a.json".into(), Some("%SRCROOT%"))
        );
        assert_eq!(uri("a b%.json").0, "a%20b%25.json");
        assert_eq!(uri("dir\\x.json").0, "dir/x.json");
        assert_eq!(uri("/tmp/x.json"), ("file:///tmp/x.json".into(), None));
        assert_eq!(uri("C:\\x.json"), ("file:///C:/x.json".into(), None));
        assert_eq!(uri("a:b.json").0, "a%3Ab.json");
        assert_eq!(uri("é.json").0, "%C3%A9.json");
    }
}
