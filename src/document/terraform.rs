//! Terraform native syntax (`.tf`): the policy attributes of the alicloud provider's resources,
//! written as a heredoc, a quoted string, `jsonencode({...})`, `file()`, `templatefile()`, or a
//! reference to a `data "alicloud_ram_policy_document"` block (rendered as the provider does).

use std::collections::HashMap;
use std::path::Path;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span as _;

use super::span_map::Builder;
use super::tree::{self, Member, Piece, Tree};
use super::{Document, Host, Problem, ProblemKind, Read, ReadOptions, Vars};
use crate::source::{SourceFile, Span};

/// The attributes that hold RAM-language documents, by resource type, with the kind each is.
pub fn document_attributes(ty: &str) -> &'static [(&'static str, Option<&'static str>)] {
    match ty {
        "alicloud_ram_policy" => &[
            ("policy_document", Some("identity")),
            ("document", Some("identity")),
        ],
        "alicloud_ram_role" => &[
            ("assume_role_policy_document", Some("trust")),
            ("document", Some("trust")),
        ],
        "alicloud_resource_manager_control_policy" => &[("policy_document", Some("control"))],
        "alicloud_resource_manager_policy" | "alicloud_resource_manager_policy_version" => {
            &[("policy_document", Some("identity"))]
        }
        "alicloud_resource_manager_role" => &[("assume_role_policy_document", Some("trust"))],
        "alicloud_oss_bucket_policy" | "alicloud_oss_bucket" => &[("policy", Some("oss-bucket"))],
        "alicloud_kms_key" => &[("policy", Some("kms-key"))],
        "alicloud_log_project" => &[("policy", Some("resource"))],
        "alicloud_privatelink_vpc_endpoint" | "alicloud_vpc_gateway_endpoint" => {
            &[("policy_document", Some("resource"))]
        }
        _ => &[],
    }
}

fn span_of(r: Option<std::ops::Range<usize>>) -> Span {
    r.map_or(Span::default(), |r| Span::new(r.start, r.end))
}

pub fn read(file: SourceFile, dir: Option<&Path>, options: &ReadOptions) -> Read {
    let mut read = Read {
        file: file.clone(),
        host: Host::Terraform,
        documents: Vec::new(),
        problems: Vec::new(),
        foreign: false,
    };
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            let at = e.location().offset().min(file.text.len());
            let end = file
                .text
                .get(at..)
                .unwrap_or("")
                .chars()
                .next()
                .map_or(at, |c| at + c.len_utf8());
            read.problems.push(Problem {
                kind: ProblemKind::Syntax,
                file: file.clone(),
                span: Span::new(at, end),
                message: format!("invalid HCL: {}", e.message()),
                address: None,
            });
            return read;
        }
    };
    let reader = Reader {
        file: &file,
        dir,
        vars: &options.vars,
        data: data_sources(&body),
        options,
    };
    for block in body.blocks() {
        if block.ident.as_str() != "resource" {
            continue;
        }
        let [ty, name] = block.labels.as_slice() else {
            continue;
        };
        let attrs = document_attributes(ty.as_str());
        let first_new = read.documents.len();
        let present: Vec<_> = attrs
            .iter()
            .filter_map(|(a, k)| block.body.get_attribute(a).map(|attr| (attr, *k)))
            .collect();
        if present.is_empty() {
            if let Some(tree) = reader.deprecated_document(ty.as_str(), block) {
                let mut b = Builder::new();
                let mut unknown = Vec::new();
                tree::render(&tree, &mut b, &mut unknown);
                read.documents.push(Document::built(
                    &file,
                    Host::Terraform,
                    Some(format!("{}.{}", ty.as_str(), name.as_str())),
                    attrs.first().and_then(|(_, k)| *k),
                    span_of(block.span()),
                    b.finish(),
                    unknown,
                ));
            }
        }
        for (attr, kind) in &present {
            let mut address = format!("{}.{}", ty.as_str(), name.as_str());
            if present.len() > 1 {
                address = format!("{address}.{}", attr.key.as_str());
            }
            reader.document(&attr.value, address, *kind, &mut read);
        }
        let policy_name = ["policy_name", "role_name", "name"]
            .iter()
            .find_map(|a| block.body.get_attribute(a))
            .and_then(|a| a.value.as_str())
            .map(str::to_string);
        for d in read.documents.iter_mut().skip(first_new) {
            d.policy_name.clone_from(&policy_name);
        }
    }
    // Documents written in this file first, in order; then those `file()` named.
    read.documents
        .sort_by_key(|d| (d.host_file.name != file.name, d.span.start));
    read
}

/// `data "alicloud_ram_policy_document" "NAME"` blocks by name.
fn data_sources(body: &Body) -> HashMap<String, &Block> {
    body.blocks()
        .filter(|b| b.ident.as_str() == "data")
        .filter_map(|b| match b.labels.as_slice() {
            [ty, name] if ty.as_str() == "alicloud_ram_policy_document" => {
                Some((name.as_str().to_string(), b))
            }
            _ => None,
        })
        .collect()
}

struct Reader<'a> {
    file: &'a SourceFile,
    dir: Option<&'a Path>,
    vars: &'a Vars,
    data: HashMap<String, &'a Block>,
    options: &'a ReadOptions,
}

impl Reader<'_> {
    fn text(&self, span: Span) -> &str {
        self.file.slice(span)
    }

    fn document(
        &self,
        expr: &Expression,
        address: String,
        kind: Option<&'static str>,
        read: &mut Read,
    ) {
        let span = span_of(expr.span());
        let built = |read: &mut Read, b: Builder, unknown: Vec<String>| {
            read.documents.push(Document::built(
                self.file,
                Host::Terraform,
                Some(address.clone()),
                kind,
                span,
                b.finish(),
                unknown,
            ));
        };
        match expr {
            Expression::String(_) | Expression::StringTemplate(_) => {
                let mut t = Template::new(self.vars);
                t.quoted(&self.file.text, span);
                let unknown = std::mem::take(&mut t.unknown);
                built(read, t.out, unknown);
            }
            Expression::HeredocTemplate(h) => {
                let mut t = Template::new(self.vars);
                t.heredoc(&self.file.text, span, h.indent().unwrap_or(0));
                let unknown = std::mem::take(&mut t.unknown);
                built(read, t.out, unknown);
            }
            Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
                match call.args.iter().next() {
                    Some(arg) => {
                        let tree = self.tree(arg);
                        let mut b = Builder::new();
                        let mut unknown = Vec::new();
                        tree::render(&tree, &mut b, &mut unknown);
                        built(read, b, unknown);
                    }
                    None => {
                        self.unreadable(read, &address, span, "`jsonencode()` needs an argument")
                    }
                }
            }
            Expression::FuncCall(call)
                if matches!(call.name.name.as_str(), "file" | "templatefile") =>
            {
                let template = call.name.name.as_str() == "templatefile";
                let arg = call.args.iter().next();
                match arg.map(|a| self.tree(a)).and_then(|t| t.as_known_str()) {
                    Some(path) => self.file_document(&path, template, address, kind, span, read),
                    None => read.documents.push(Document::opaque(
                        self.file,
                        Host::Terraform,
                        address,
                        kind,
                        span,
                        self.text(span).to_string(),
                    )),
                }
            }
            Expression::Traversal(tr) => {
                let name = self.data_reference(tr);
                match name.and_then(|n| self.data.get(&n).map(|b| (n, *b))) {
                    Some((_, block)) => {
                        let tree = self.render_data_source(block);
                        let mut b = Builder::new();
                        let mut unknown = Vec::new();
                        tree::render(&tree, &mut b, &mut unknown);
                        read.documents.push(Document::built(
                            self.file,
                            Host::Terraform,
                            Some(address),
                            kind,
                            span_of(block.span()),
                            b.finish(),
                            unknown,
                        ));
                    }
                    None => read.documents.push(Document::opaque(
                        self.file,
                        Host::Terraform,
                        address,
                        kind,
                        span,
                        self.text(span).to_string(),
                    )),
                }
            }
            Expression::Parenthesis(p) => self.document(p.inner(), address, kind, read),
            Expression::Number(_)
            | Expression::Bool(_)
            | Expression::Array(_)
            | Expression::Object(_) => self.unreadable(
                read,
                &address,
                span,
                "the document must be a string (a heredoc, a quoted string or `jsonencode(...)`)",
            ),
            Expression::Null(_) => {}
            _ => read.documents.push(Document::opaque(
                self.file,
                Host::Terraform,
                address,
                kind,
                span,
                self.text(span).to_string(),
            )),
        }
    }

    fn unreadable(&self, read: &mut Read, address: &str, span: Span, message: &str) {
        read.problems.push(Problem {
            kind: ProblemKind::Unreadable,
            file: self.file.clone(),
            span,
            message: format!("`{address}`: {message}"),
            address: Some(address.into()),
        });
    }

    /// `file("x.json")`: the named file's documents, located there; `templatefile` reads its
    /// `${...}` parts as unknown.
    fn file_document(
        &self,
        path: &str,
        template: bool,
        address: String,
        kind: Option<&'static str>,
        span: Span,
        read: &mut Read,
    ) {
        let rel = path.strip_prefix("./").unwrap_or(path);
        let full = match self.dir {
            Some(d) => d.join(rel),
            None => Path::new(rel).to_path_buf(),
        };
        let shown = match self.file.name.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{rel}"),
            None => rel.to_string(),
        };
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                return self.unreadable(
                    read,
                    &address,
                    span,
                    &format!("cannot read `{shown}`: {e}"),
                );
            }
        };
        let target = SourceFile::new(shown, text);
        if template {
            let mut t = Template::new(self.vars);
            t.file(&target.text);
            let unknown = std::mem::take(&mut t.unknown);
            read.documents.push(Document::built(
                &target,
                Host::Terraform,
                Some(address),
                kind,
                Span::new(0, target.text.len()),
                t.out.finish(),
                unknown,
            ));
            return;
        }
        let inner = super::json_host::read(target.clone(), None, self.options);
        read.problems.extend(inner.problems);
        if let Some(mut doc) = inner.documents.into_iter().next() {
            doc.address = Some(address.into());
            doc.kind = kind.or(doc.kind);
            doc.host = Host::Terraform;
            read.documents.push(doc);
        }
    }

    /// `data.alicloud_ram_policy_document.NAME.document` -> `NAME`.
    fn data_reference(&self, tr: &hcl_edit::expr::Traversal) -> Option<String> {
        let Expression::Variable(root) = &tr.expr else {
            return None;
        };
        let names: Vec<&str> = tr
            .operators
            .iter()
            .filter_map(|op| match op.value() {
                TraversalOperator::GetAttr(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        match (root.as_str(), names.as_slice()) {
            ("data", ["alicloud_ram_policy_document", name, "document"]) => Some(name.to_string()),
            _ => None,
        }
    }

    /// An HCL value as a tree; expressions that are not values are unknown.
    fn tree(&self, expr: &Expression) -> Tree {
        let span = span_of(expr.span());
        match expr {
            Expression::Null(_) => Tree::Null(span),
            Expression::Bool(b) => Tree::Bool(*b.value(), span),
            Expression::Number(n) => Tree::Number(n.value().to_string(), span),
            Expression::String(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_) => {
                let mut t = Template::new(self.vars);
                t.raw = true;
                match expr {
                    Expression::HeredocTemplate(h) => {
                        t.heredoc(&self.file.text, span, h.indent().unwrap_or(0))
                    }
                    _ => t.quoted(&self.file.text, span),
                }
                Tree::Str(t.pieces, span)
            }
            Expression::Array(items) => {
                Tree::Array(items.iter().map(|e| self.tree(e)).collect(), span)
            }
            Expression::Object(obj) => Tree::Object(
                obj.iter()
                    .map(|(k, v)| {
                        let (key, key_span) = match k {
                            ObjectKey::Ident(id) => (id.as_str().to_string(), span_of(id.span())),
                            ObjectKey::Expression(e) => {
                                let t = self.tree(e);
                                let ks = t.span();
                                (
                                    t.as_known_str()
                                        .unwrap_or_else(|| self.text(ks).to_string()),
                                    ks,
                                )
                            }
                        };
                        Member {
                            key,
                            key_span,
                            value: self.tree(v.expr()),
                        }
                    })
                    .collect(),
                span,
            ),
            Expression::Parenthesis(p) => self.tree(p.inner()),
            _ => {
                let text = self.text(span).trim();
                match self.vars.get(text) {
                    Some(v) => Tree::text(v, span),
                    None => Tree::unknown(text, span),
                }
            }
        }
    }

    /// The deprecated arguments the provider assembles a document from: `alicloud_ram_policy`
    /// `statement` blocks (`{"Statement":[{"Effect","Action","Resource"}],"Version":"1"}`, lists
    /// always arrays) and `alicloud_ram_role` `services` / `ram_users` (an `sts:AssumeRole`
    /// statement with `Principal` `Service` then `RAM`).
    fn deprecated_document(&self, ty: &str, block: &Block) -> Option<Tree> {
        let block_span = span_of(block.span());
        let member = |key: &str, value: Tree| Member {
            key: key.to_string(),
            key_span: value.span(),
            value,
        };
        let attr = |body: &Body, key: &str| body.get_attribute(key).map(|a| self.tree(&a.value));
        let statements = match ty {
            "alicloud_ram_policy" => {
                let sts: Vec<Tree> = block
                    .body
                    .get_blocks("statement")
                    .map(|st| {
                        let ms = [
                            ("effect", "Effect"),
                            ("action", "Action"),
                            ("resource", "Resource"),
                        ]
                        .iter()
                        .filter_map(|(hcl, json)| attr(&st.body, hcl).map(|v| member(json, v)))
                        .collect();
                        Tree::Object(ms, span_of(st.span()))
                    })
                    .collect();
                if sts.is_empty() {
                    return None;
                }
                sts
            }
            "alicloud_ram_role" => {
                let principals: Vec<Member> = [("services", "Service"), ("ram_users", "RAM")]
                    .iter()
                    .filter_map(|(hcl, json)| attr(&block.body, hcl).map(|v| member(json, v)))
                    .collect();
                if principals.is_empty() {
                    return None;
                }
                vec![Tree::Object(
                    vec![
                        member("Effect", Tree::text("Allow", block_span)),
                        member("Action", Tree::text("sts:AssumeRole", block_span)),
                        member("Principal", Tree::Object(principals, block_span)),
                    ],
                    block_span,
                )]
            }
            _ => return None,
        };
        let version = attr(&block.body, "version").unwrap_or_else(|| Tree::text("1", block_span));
        Some(Tree::Object(
            vec![
                member("Statement", Tree::Array(statements, block_span)),
                member("Version", version),
            ],
            block_span,
        ))
    }

    /// The data source's `document`, as the provider renders it: `Statement` then `Version`;
    /// per statement `Effect`, `Action`, `Resource`, `Principal`, `Condition`; one-element
    /// lists as a bare string; principal identifiers in reverse order; conditions by operator
    /// and key, sorted. Every value is located on the HCL that produced it.
    fn render_data_source(&self, block: &Block) -> Tree {
        let block_span = span_of(block.span());
        let attr = |body: &Body, key: &str| body.get_attribute(key).map(|a| self.tree(&a.value));
        let one_or_all = |t: Tree| match t {
            Tree::Array(mut items, s) if items.len() == 1 => items.pop().unwrap_or(Tree::Null(s)),
            other => other,
        };
        let member = |key: &str, span: Span, value: Tree| Member {
            key: key.to_string(),
            key_span: span,
            value,
        };
        let mut statements = Vec::new();
        for st in block.body.get_blocks("statement") {
            let st_span = span_of(st.span());
            let mut ms = Vec::new();
            let effect = attr(&st.body, "effect").unwrap_or_else(|| Tree::text("Allow", st_span));
            ms.push(member("Effect", effect.span(), effect));
            for (hcl, json) in [("action", "Action"), ("resource", "Resource")] {
                if let Some(v) = attr(&st.body, hcl) {
                    ms.push(member(json, v.span(), one_or_all(v)));
                }
            }
            let mut principals: Vec<(String, Span, Vec<Tree>)> = Vec::new();
            for p in st.body.get_blocks("principal") {
                let ps = span_of(p.span());
                let entity = attr(&p.body, "entity")
                    .and_then(|e| e.as_known_str())
                    .unwrap_or_default();
                let mut ids = match attr(&p.body, "identifiers") {
                    Some(Tree::Array(items, _)) => items,
                    Some(other) => vec![other],
                    None => Vec::new(),
                };
                match principals.iter_mut().find(|(e, _, _)| *e == entity) {
                    Some((_, _, all)) => all.append(&mut ids),
                    None => principals.push((entity, ps, ids)),
                }
            }
            if !principals.is_empty() {
                principals.sort_by(|a, b| a.0.cmp(&b.0));
                let ms_p = principals
                    .into_iter()
                    .map(|(entity, ps, mut ids)| {
                        ids.sort_by_key(|t| {
                            std::cmp::Reverse(t.as_known_str().unwrap_or_default())
                        });
                        member(&entity, ps, Tree::Array(ids, ps))
                    })
                    .collect();
                ms.push(member("Principal", st_span, Tree::Object(ms_p, st_span)));
            }
            let mut ops: Vec<(String, Span, Vec<Member>)> = Vec::new();
            for c in st.body.get_blocks("condition") {
                let cs = span_of(c.span());
                let text = |k| {
                    attr(&c.body, k)
                        .and_then(|t| t.as_known_str())
                        .unwrap_or_default()
                };
                let (op, var) = (text("operator"), text("variable"));
                let values =
                    attr(&c.body, "values").map_or(Tree::Array(Vec::new(), cs), one_or_all);
                let m = member(&var, cs, values);
                match ops.iter_mut().find(|(o, _, _)| *o == op) {
                    Some((_, _, vars)) => vars.push(m),
                    None => ops.push((op, cs, vec![m])),
                }
            }
            if !ops.is_empty() {
                ops.sort_by(|a, b| a.0.cmp(&b.0));
                let ms_c = ops
                    .into_iter()
                    .map(|(op, cs, mut vars)| {
                        vars.sort_by(|a, b| a.key.cmp(&b.key));
                        member(&op, cs, Tree::Object(vars, cs))
                    })
                    .collect();
                ms.push(member("Condition", st_span, Tree::Object(ms_c, st_span)));
            }
            statements.push(Tree::Object(ms, st_span));
        }
        let version = attr(&block.body, "version").unwrap_or_else(|| Tree::text("1", block_span));
        Tree::Object(
            vec![
                member("Statement", block_span, Tree::Array(statements, block_span)),
                member("Version", version.span(), version),
            ],
            block_span,
        )
    }
}

/// Reads a template's text (a quoted string, a heredoc body, a template file) into a
/// document's text: literal text copied with its map, `${...}` parts filled in from the
/// variables or kept as unknown parts.
struct Template<'a> {
    vars: &'a Vars,
    out: Builder,
    unknown: Vec<String>,
    /// Also collect the text as pieces (for values inside `jsonencode`).
    raw: bool,
    pieces: Vec<Piece>,
    /// Whether the document's text is inside a JSON string, and just after a backslash.
    in_string: bool,
    escaped: bool,
}

impl<'a> Template<'a> {
    fn new(vars: &'a Vars) -> Template<'a> {
        Template {
            vars,
            out: Builder::new(),
            unknown: Vec::new(),
            raw: false,
            pieces: Vec::new(),
            in_string: false,
            escaped: false,
        }
    }

    fn track(&mut self, text: &str) {
        for c in text.chars() {
            if self.escaped {
                self.escaped = false;
            } else if self.in_string && c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.in_string = !self.in_string;
            }
        }
    }

    fn literal(&mut self, text: &str, at: usize, exact: bool, host: Span) {
        if self.raw {
            match self.pieces.last_mut() {
                Some(Piece::Text(t)) => t.push_str(text),
                _ => self.pieces.push(Piece::Text(text.to_string())),
            }
        }
        self.track(text);
        if exact {
            self.out.copy(text, at);
        } else {
            self.out.emit(text, host);
        }
    }

    /// A `${...}` part at `span` whose expression is `expr`.
    fn interpolation(&mut self, expr: &str, span: Span) {
        let expr = expr
            .trim()
            .trim_start_matches('~')
            .trim_end_matches('~')
            .trim();
        // `file()` paths are relative to the module, which is the host's directory.
        let here = matches!(expr, "path.module" | "path.root" | "path.cwd").then_some(".");
        if let Some(value) = here.or_else(|| self.vars.get(expr)) {
            let value = value.to_string();
            if self.raw {
                self.literal(&value, 0, false, span);
                return;
            }
            let text = if self.in_string {
                let quoted = tree::json_string(&value);
                quoted.get(1..quoted.len() - 1).unwrap_or("").to_string()
            } else {
                value
            };
            self.out.emit(&text, span);
            return;
        }
        if self.raw {
            self.pieces.push(Piece::Unknown(expr.to_string()));
        }
        if !self.unknown.iter().any(|u| u == expr) {
            self.unknown.push(expr.to_string());
        }
        let text = tree::unknown_text(expr);
        if self.in_string {
            self.out.emit(&text, span);
        } else {
            self.out.emit(&format!("\"{text}\""), span);
        }
    }

    /// A quoted HCL string at `span` (quotes included): escapes decoded.
    fn quoted(&mut self, host: &str, span: Span) {
        let start = span.start as usize + 1;
        let end = (span.end as usize).saturating_sub(1).max(start);
        self.scan(host, start, end, true, None);
    }

    /// A heredoc at `span` (`<<EOF` to the closing delimiter); `indent` is what `<<-` strips.
    fn heredoc(&mut self, host: &str, span: Span, indent: usize) {
        let text = host.get(span.range()).unwrap_or("");
        let Some(nl) = text.find('\n') else { return };
        let body_start = span.start as usize + nl + 1;
        // The body ends at the line break before the closing delimiter's line; that break is
        // part of the value.
        let body_end = match text.trim_end().rfind('\n') {
            Some(i) if span.start as usize + i + 1 > body_start => span.start as usize + i + 1,
            _ => body_start,
        };
        self.scan(host, body_start, body_end, false, Some(indent));
    }

    /// A template file's whole text.
    fn file(&mut self, text: &str) {
        self.scan(text, 0, text.len(), false, None);
    }

    fn scan(&mut self, host: &str, start: usize, end: usize, quoted: bool, indent: Option<usize>) {
        let bytes = host.as_bytes();
        let mut i = start;
        let mut run = start;
        let mut line_start = indent.is_some_and(|n| n > 0);
        while i < end {
            if line_start {
                line_start = false;
                let mut j = i;
                while j < end
                    && j - i < indent.unwrap_or(0)
                    && matches!(bytes.get(j), Some(b' ' | b'\t'))
                {
                    j += 1;
                }
                i = j;
                run = i;
                continue;
            }
            let b = bytes.get(i).copied().unwrap_or(0);
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let flush = |t: &mut Self, to: usize| {
                if let Some(s) = host.get(run..to) {
                    t.literal(s, run, true, Span::default());
                }
            };
            if (b == b'$' && next == b'$' || b == b'%' && next == b'%')
                && bytes.get(i + 2) == Some(&b'{')
            {
                // `$${` and `%%{` are the literal `${` and `%{`.
                flush(self, i);
                let lit = if b == b'$' { "${" } else { "%{" };
                self.literal(lit, 0, false, Span::new(i, i + 3));
                i += 3;
                run = i;
            } else if (b == b'$' || b == b'%') && next == b'{' {
                flush(self, i);
                let close = matching_brace(host, i + 1, end);
                let inner = host.get(i + 2..close).unwrap_or("");
                let span = Span::new(i, (close + 1).min(end));
                if b == b'$' {
                    self.interpolation(inner, span);
                } else {
                    self.interpolation(&format!("%{{{}}}", inner.trim()), span);
                }
                i = (close + 1).min(end);
                run = i;
            } else if quoted && b == b'\\' {
                flush(self, i);
                let (text, len) = hcl_escape(host, i);
                self.literal(&text, 0, false, Span::new(i, i + len));
                i += len;
                run = i;
            } else {
                if b == b'\n' && indent.is_some_and(|n| n > 0) {
                    line_start = true;
                }
                i += 1;
                if line_start {
                    flush(self, i);
                    run = i;
                }
            }
        }
        if let Some(s) = host.get(run..end) {
            self.literal(s, run, true, Span::default());
        }
    }
}

/// The `}` that closes the `{` at `open` (nested braces and quoted strings skipped), or `end`.
fn matching_brace(host: &str, open: usize, end: usize) -> usize {
    let bytes = host.as_bytes();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut i = open;
    while i < end {
        match bytes.get(i).copied().unwrap_or(0) {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'{' if !in_str => depth += 1,
            b'}' if !in_str => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    end
}

/// An escape in a quoted HCL string at `at`: its text and length.
fn hcl_escape(host: &str, at: usize) -> (String, usize) {
    let letter = host.as_bytes().get(at + 1).copied().unwrap_or(b'\\');
    let hex = |n: usize| {
        host.get(at + 2..at + 2 + n)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
            .map(String::from)
    };
    match letter {
        b'n' => ("\n".into(), 2),
        b'r' => ("\r".into(), 2),
        b't' => ("\t".into(), 2),
        b'"' => ("\"".into(), 2),
        b'\\' => ("\\".into(), 2),
        b'u' => (hex(4).unwrap_or_else(|| "\u{FFFD}".into()), 6),
        b'U' => (hex(8).unwrap_or_else(|| "\u{FFFD}".into()), 10),
        other => (char::from(other).to_string(), 2),
    }
}

/// A `.tfvars` file: `name = value` attributes whose values are literals.
pub fn tfvars(text: &str) -> Result<Vec<(String, String)>, String> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        format!(
            "invalid HCL at line {}, column {}: {}",
            e.location().line(),
            e.location().column(),
            e.message()
        )
    })?;
    Ok(body
        .attributes()
        .filter_map(|a| {
            let v = match &a.value {
                Expression::String(s) => s.value().to_string(),
                Expression::Number(n) => n.value().to_string(),
                Expression::Bool(b) => b.value().to_string(),
                _ => return None,
            };
            Some((a.key.as_str().to_string(), v))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_tf(text: &str) -> Read {
        read(SourceFile::new("t.tf", text), None, &ReadOptions::default())
    }

    fn text_of(doc: &Document) -> String {
        doc.source
            .as_ref()
            .map(|s| s.text.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn data_source_renders_as_the_provider_does() {
        let r = read_tf(
            r#"
data "alicloud_ram_policy_document" "d" {
  statement {
    effect   = "Allow"
    action   = ["oss:ListObjects"]
    resource = ["acs:oss:*:*:myphotos"]
    principal {
      entity      = "RAM"
      identifiers = ["acs:ram::1:root", "acs:ram::2:root"]
    }
    condition {
      operator = "StringLike"
      variable = "oss:Prefix"
      values   = ["", "hangzhou/"]
    }
    condition {
      operator = "StringLike"
      variable = "oss:Delimiter"
      values   = ["/"]
    }
  }
}
resource "alicloud_ram_role" "r" {
  assume_role_policy_document = data.alicloud_ram_policy_document.d.document
}
"#,
        );
        let doc = r.documents.first().expect("document");
        let v: serde_json::Value = serde_json::from_str(&text_of(doc)).expect("json");
        let want = serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "oss:ListObjects",
            "Resource": "acs:oss:*:*:myphotos",
            "Principal": {"RAM": ["acs:ram::2:root", "acs:ram::1:root"]},
            "Condition": {"StringLike": {"oss:Delimiter": "/", "oss:Prefix": ["", "hangzhou/"]}}}],
            "Version": "1"});
        assert_eq!(v, want);
        // Key order as Go's encoder writes it: Statement before Version.
        assert!(text_of(doc).starts_with("{\"Statement\""));
        assert_eq!(doc.kind, Some("trust"));
    }

    #[test]
    fn heredoc_indent_escapes_and_interpolations() {
        let mut vars = Vars::new();
        vars.set("region", "cn-hangzhou");
        let text = "resource \"alicloud_ram_policy\" \"p\" {\n  policy_document = <<-EOT\n    {\"Resource\": \"acs:oss:${var.region}:${var.account}:$${literal}\"}\n    EOT\n}\n";
        let r = read(SourceFile::new("t.tf", text), None, &ReadOptions { vars });
        let doc = r.documents.first().expect("document");
        assert_eq!(
            text_of(doc),
            "{\"Resource\": \"acs:oss:cn-hangzhou:${var.account}:${literal}\"}\n"
        );
        assert_eq!(doc.unknown, vec!["var.account".to_string()]);
        // `{` of the document maps back to its column in the host, after the stripped indent.
        let span = doc.map.map(Span::new(0, 1));
        assert_eq!(&text[span.range()], "{");
        assert_eq!(doc.host_file.line_col(span.start as usize).column, 5);
    }

    #[test]
    fn an_interpolation_outside_a_string_is_a_string() {
        let text = "resource \"alicloud_ram_policy\" \"p\" {\n  policy_document = <<EOT\n{\"Version\": \"1\", \"Statement\": ${jsonencode(local.statements)}}\nEOT\n}\n";
        let r = read_tf(text);
        let doc = r.documents.first().expect("document");
        assert!(text_of(doc).contains("\"Statement\": \"${jsonencode(local.statements)}\""));
        let parsed = doc.parsed.as_ref().expect("parsed");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    }

    #[test]
    fn unknown_types_are_skipped_and_non_strings_are_problems() {
        let r = read_tf(
            "resource \"aws_iam_policy\" \"a\" {\n  policy = \"{}\"\n}\nresource \"alicloud_ram_policy\" \"b\" {\n  policy_document = 5\n}\n",
        );
        assert!(r.documents.is_empty());
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].kind, ProblemKind::Unreadable);
    }
}
