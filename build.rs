//! Generates the embedded catalogue: the whole-cloud action list from
//! `src/catalog/services.txt` (with the resource types of `src/catalog/resource-types.json`)
//! and the DBS operation details from `src/catalog/dbs-actions.json`.
//!
//! The DBS table is Rust source (`$OUT_DIR/dbs_operations.rs`) that `src/catalog/dbs.rs`
//! includes; the action list is a names blob and fixed-size binary records (see
//! `build/catalog.rs`) that `src/catalog/actions.rs` reads in place, so the catalogue costs
//! nothing at start-up and a malformed data file fails the build instead of a user's lint run.
//! Only the fields the library uses are read; the rest (sources, dates, condition keys, which
//! are always empty for DBS) stay in the JSON for humans.

#[path = "build/catalog.rs"]
mod catalog_build;

use std::collections::BTreeSet;
use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Deserialize;

const CATALOG: &str = "src/catalog/dbs-actions.json";

type BuildResult<T> = Result<T, Box<dyn Error>>;

#[derive(Deserialize)]
struct RawOperation {
    action: String,
    api: String,
    api_version: String,
    access_level: Option<String>,
    resources: Option<Vec<String>>,
    request_params: Option<Vec<RawParam>>,
    verified: bool,
    #[serde(default)]
    deprecated: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
struct RawParam {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    required: Option<bool>,
}

fn main() -> BuildResult<()> {
    println!("cargo:rerun-if-changed={CATALOG}");
    println!("cargo:rerun-if-changed=build.rs");

    let text = std::fs::read_to_string(CATALOG).map_err(|e| format!("reading {CATALOG}: {e}"))?;
    let mut ops: Vec<RawOperation> =
        serde_json::from_str(&text).map_err(|e| format!("parsing {CATALOG}: {e}"))?;
    validate(&ops)?;
    ops.sort_by(|a, b| a.api.cmp(&b.api));

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("dbs_operations.rs"), generate(&ops)?)?;
    let dbs_apis: Vec<&str> = ops.iter().map(|o| o.api.as_str()).collect();
    catalog_build::run(&out_dir, &dbs_apis)?;
    Ok(())
}

/// Refuses data the library would otherwise have to second-guess at run time.
fn validate(ops: &[RawOperation]) -> BuildResult<()> {
    let mut seen = BTreeSet::new();
    for op in ops {
        let ctx = |msg: String| format!("{CATALOG}: operation `{}`: {msg}", op.api);
        if op.api.is_empty() || !op.api.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ctx("api name must be non-empty ASCII alphanumerics".into()).into());
        }
        if op.action != format!("dbs:{}", op.api) {
            return Err(ctx(format!("action `{}` is not `dbs:<api>`", op.action)).into());
        }
        if !seen.insert(op.api.to_ascii_lowercase()) {
            return Err(ctx("duplicate api name (case-insensitively)".into()).into());
        }
        if let Some(raw) = &op.access_level {
            access_level_variant(raw)
                .ok_or_else(|| ctx(format!("unknown access level `{raw}`")))?;
        }
        if let Some(resources) = &op.resources {
            if resources.is_empty() {
                return Err(ctx("empty resources list (use null for unknown)".into()).into());
            }
            if resources.len() > 1 && resources.iter().any(|r| r == "*") {
                return Err(ctx("`*` mixed with ARN templates".into()).into());
            }
            for r in resources {
                template_parts(r).map_err(|e| ctx(format!("ARN template `{r}`: {e}")))?;
            }
        }
        let mut names = BTreeSet::new();
        for p in op.request_params.iter().flatten() {
            if !names.insert(p.name.to_ascii_lowercase()) {
                return Err(ctx(format!("duplicate parameter `{}`", p.name)).into());
            }
        }
    }
    Ok(())
}

/// Both authorization-table formats: current (`create`/`list`/`get`/`update`/`delete`) and
/// legacy (`Read`/`Write`/`List`). Must agree with `AccessLevel::from_raw`.
fn access_level_variant(raw: &str) -> Option<&'static str> {
    Some(match raw {
        "list" | "List" => "List",
        "get" => "Get",
        "create" => "Create",
        "update" => "Update",
        "delete" => "Delete",
        "Read" => "Read",
        "Write" => "Write",
        _ => return None,
    })
}

/// The grammar of `catalog::template::ArnTemplate::parse`: literal text and `{#Name}`
/// variables; any other brace is an error. The parts are written as `TemplatePart`s, empty
/// literals left out as the parser does.
fn template_parts(t: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut rest = t;
    loop {
        let (literal, after) = rest.split_once("{#").unwrap_or((rest, ""));
        if literal.contains(['{', '}']) {
            return Err("brace outside a `{#Name}` variable".into());
        }
        if !literal.is_empty() {
            parts.push(format!("TemplatePart::Literal({literal:?})"));
        }
        if literal.len() == rest.len() {
            return Ok(parts);
        }
        let (name, after) = after.split_once('}').ok_or("unterminated `{#`")?;
        if name.is_empty() || name.contains(['{', '#']) {
            return Err(format!("bad variable name `{name}`"));
        }
        parts.push(format!("TemplatePart::Var({name:?})"));
        rest = after;
    }
}

fn generate(ops: &[RawOperation]) -> BuildResult<String> {
    let mut s = String::new();
    writeln!(s, "// @generated by build.rs from {CATALOG}; do not edit.")?;
    writeln!(s, "static DBS_OPERATIONS: &[Operation] = &[")?;
    for op in ops {
        writeln!(s, "    Operation {{")?;
        writeln!(s, "        action: {:?},", op.action)?;
        // Validated ASCII, so this is what `str::to_lowercase` gives.
        writeln!(
            s,
            "        action_lower: {:?},",
            op.action.to_ascii_lowercase()
        )?;
        writeln!(s, "        api: {:?},", op.api)?;
        writeln!(s, "        api_version: {:?},", op.api_version)?;
        match &op.access_level {
            Some(raw) => {
                let v = access_level_variant(raw).ok_or("unreachable: validated")?;
                writeln!(s, "        access_level: Some(AccessLevel::{v}),")?;
                writeln!(s, "        access_level_raw: Some({raw:?}),")?;
            }
            None => {
                writeln!(s, "        access_level: None,")?;
                writeln!(s, "        access_level_raw: None,")?;
            }
        }
        match &op.resources {
            Some(rs) => writeln!(s, "        resources: Some(&{rs:?}),")?,
            None => writeln!(s, "        resources: None,")?,
        }
        let first = match op.resources.as_deref() {
            Some([first, ..]) if first != "*" => template_parts(first)?,
            _ => Vec::new(),
        };
        writeln!(s, "        first_template: &[{}],", first.join(", "))?;
        writeln!(s, "        params: &[")?;
        for p in op.request_params.iter().flatten() {
            writeln!(
                s,
                "            Param {{ name: {:?}, ty: {:?}, required: {:?} }},",
                p.name, p.ty, p.required
            )?;
        }
        writeln!(s, "        ],")?;
        writeln!(s, "        verified: {},", op.verified)?;
        writeln!(s, "        deprecated: {},", op.deprecated)?;
        writeln!(s, "        note: {:?},", op.note)?;
        writeln!(s, "    }},")?;
    }
    writeln!(s, "];")?;
    Ok(s)
}
