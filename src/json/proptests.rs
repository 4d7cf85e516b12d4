//! Property tests: serde_json as the oracle.

use std::fmt;

use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;

use super::*;

/// The serde_json value of a parsed node (numbers parsed by serde_json from their text, so both
/// sides round the same way).
fn to_serde(node: &Node) -> Option<J> {
    Some(match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => serde_json::from_str(n).ok()?,
        Value::String(s) => J::String(s.clone()),
        Value::Array(items) => J::Array(items.iter().map(to_serde).collect::<Option<_>>()?),
        Value::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.clone(), to_serde(&m.value)?);
            }
            J::Object(map)
        }
    })
}

/// What serde_json saw, duplicate keys included (its `Value` keeps only the last).
enum Oracle {
    Scalar,
    Array(Vec<Oracle>),
    Object(Vec<(String, Oracle)>),
}

impl Oracle {
    fn depth(&self) -> usize {
        match self {
            Oracle::Scalar => 0,
            Oracle::Array(items) => 1 + items.iter().map(Oracle::depth).max().unwrap_or(0),
            Oracle::Object(members) => {
                1 + members.iter().map(|(_, v)| v.depth()).max().unwrap_or(0)
            }
        }
    }

    /// Keys equal up to ASCII case within one object, anywhere inside.
    fn has_duplicates(&self) -> bool {
        match self {
            Oracle::Scalar => false,
            Oracle::Array(items) => items.iter().any(Oracle::has_duplicates),
            Oracle::Object(members) => {
                members.iter().enumerate().any(|(i, (k, _))| {
                    members
                        .iter()
                        .take(i)
                        .any(|(earlier, _)| earlier.eq_ignore_ascii_case(k))
                }) || members.iter().any(|(_, v)| v.has_duplicates())
            }
        }
    }
}

impl<'de> Deserialize<'de> for Oracle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OracleVisitor)
    }
}

struct OracleVisitor;

impl<'de> Visitor<'de> for OracleVisitor {
    type Value = Oracle;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> Result<Oracle, E> {
        Ok(Oracle::Scalar)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Oracle, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Oracle::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Oracle, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Oracle>()? {
            members.push(member);
        }
        Ok(Oracle::Object(members))
    }
}

/// Whether strict JSON rules (ours) accept `text` cleanly, by serde_json. `None` when serde_json
/// cannot tell: it rejects numbers beyond f64 range, which RFC 8259 allows.
fn oracle_clean(text: &str) -> Option<bool> {
    // serde_json does not skip a BOM; we do (reporting it apart from the errors).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<Oracle>(text) {
        Ok(o) => Some(o.depth() <= MAX_DEPTH && !o.has_duplicates()),
        Err(e) if e.to_string().contains("number out of range") => None,
        Err(_) => Some(false),
    }
}

/// JSON values whose objects have no keys equal up to ASCII case.
fn arb_json() -> impl Strategy<Value = J> {
    let text = prop_oneof![
        any::<String>(),
        "[\\x00-\\x20\"\\\\/~a-cA-C0-9é😀\u{2028}\u{7f}\u{fffd}]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(J::Number)),
        text.clone().prop_map(J::String),
    ];
    leaf.prop_recursive(8, 128, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(J::Array),
            prop::collection::vec((text.clone(), inner), 0..8).prop_map(|members| {
                let mut map = serde_json::Map::new();
                for (k, v) in members {
                    if !map.keys().any(|e| e.eq_ignore_ascii_case(&k)) {
                        map.insert(k, v);
                    }
                }
                J::Object(map)
            }),
        ]
    })
}

const FRAGMENTS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\"A\"", "\"a\":", "'", "0", "1", "-", ".", "e",
    "E", "+", "01", "1.5", "1e400", "true", "tru", "null", "false", "NaN", " ", "\n", "\t", "\r",
    "\\", "\\u", "\\ud83d", "\\ude00", "\\u00e9", "\\n", "\\x", "\\\"", "//", "/*", "*/", "\u{0}",
    "\u{1f}", "\u{7f}", "é", "😀", "\u{feff}", "x", "a",
];

/// Strings built from JSON-ish pieces (mostly invalid, often nearly valid).
fn arb_fragments() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Valid documents with a few characters deleted, inserted or replaced.
fn arb_mutated() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        0..3u8,
        prop::sample::select(FRAGMENTS),
    );
    (arb_json(), any::<bool>(), prop::collection::vec(edit, 1..3)).prop_map(|(v, pretty, edits)| {
        let text = if pretty {
            serde_json::to_string_pretty(&v)
        } else {
            serde_json::to_string(&v)
        };
        let mut chars: Vec<char> = text.unwrap_or_default().chars().collect();
        for (at, op, fragment) in edits {
            let i = at.index(chars.len() + 1);
            match op {
                0 if i < chars.len() => {
                    chars.remove(i);
                }
                1 if i < chars.len() => {
                    chars.splice(i..=i, fragment.chars());
                }
                _ => {
                    chars.splice(i..i, fragment.chars());
                }
            }
        }
        chars.into_iter().collect()
    })
}

/// Nesting around the depth limits (ours 64, serde_json's 128).
fn arb_deep() -> impl Strategy<Value = String> {
    let open = prop::sample::select(&["[", "{\"a\":", "[0,", "{\"a\":0,\"b\":"][..]);
    (open, 55..140usize, -1..2isize, any::<bool>()).prop_map(|(open, depth, skew, bom)| {
        let close = if open.starts_with('[') { "]" } else { "}" };
        let closing = depth.saturating_add_signed(skew);
        let bom = if bom { "\u{feff}" } else { "" };
        format!("{bom}{}1{}", open.repeat(depth), close.repeat(closing))
    })
}

/// Checks every node's span against its text, and `pointer_for` against serde_json's `pointer`.
fn check_spans(text: &str, root: &Node, node: &Node, pointer: &str) -> Result<(), TestCaseError> {
    let own = text.get(node.span.range()).unwrap_or("");
    prop_assert_eq!(
        serde_json::from_str::<J>(own).ok(),
        to_serde(node),
        "span {:?}",
        own
    );
    prop_assert_eq!(pointer_for(root, node.span), pointer);
    match &node.value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_spans(text, root, item, &format!("{pointer}/{i}"))?;
            }
        }
        Value::Object(members) => {
            for m in members {
                let key = text.get(m.key_span.range()).unwrap_or("");
                prop_assert_eq!(
                    serde_json::from_str::<String>(key).ok(),
                    Some(m.key.clone())
                );
                let escaped = m.key.replace('~', "~0").replace('/', "~1");
                let child = format!("{pointer}/{escaped}");
                prop_assert_eq!(pointer_for(root, m.key_span), child.as_str());
                check_spans(text, root, &m.value, &child)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Properties of any parse: spans in bounds, errors in order, a missing root explained.
fn check_shape(text: &str, p: &Parsed) -> Result<(), TestCaseError> {
    for e in &p.errors {
        prop_assert!(text.get(e.span.range()).is_some(), "{:?} in {:?}", e, text);
    }
    let starts: Vec<u32> = p.errors.iter().map(|e| e.span.start).collect();
    prop_assert!(
        starts.windows(2).all(|w| w.first() <= w.get(1)),
        "{:?}",
        p.errors
    );
    prop_assert!(p.root.is_some() || !p.errors.is_empty());
    prop_assert_eq!(p.bom, text.starts_with('\u{feff}'));
    Ok(())
}

/// Ours is clean exactly when serde_json (with our extra rules) is, and then agrees on the value.
fn agrees_with_serde(text: &str) -> Result<(), TestCaseError> {
    let p = parse(text);
    check_shape(text, &p)?;
    let Some(expected) = oracle_clean(text) else {
        return Ok(());
    };
    let ours = p.errors.is_empty() && p.duplicates.is_empty();
    prop_assert_eq!(
        ours,
        expected,
        "{:?}: {:?} {:?}",
        text,
        p.errors,
        p.duplicates
    );
    if ours {
        let stripped = text.strip_prefix('\u{feff}').unwrap_or(text);
        let theirs = serde_json::from_str::<J>(stripped).ok();
        prop_assert_eq!(p.root.as_ref().and_then(to_serde), theirs);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn serialized_values_parse_to_the_same_value(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
        let text = text.unwrap_or_default();
        let p = parse(&text);
        prop_assert_eq!(&p.errors, &[]);
        prop_assert_eq!(&p.duplicates, &[]);
        let Some(root) = p.root else {
            return Err(TestCaseError::fail("no root"));
        };
        prop_assert_eq!(to_serde(&root), serde_json::from_str::<J>(&text).ok());
        check_spans(&text, &root, &root, "")?;
    }

    #[test]
    fn fragments_agree_with_serde(text in arb_fragments()) {
        agrees_with_serde(&text)?;
    }

    #[test]
    fn mutated_documents_agree_with_serde(text in arb_mutated()) {
        agrees_with_serde(&text)?;
    }

    #[test]
    fn arbitrary_strings_agree_with_serde(text in any::<String>()) {
        agrees_with_serde(&text)?;
    }

    #[test]
    fn nesting_agrees_with_serde(text in arb_deep()) {
        agrees_with_serde(&text)?;
    }

    #[test]
    fn duplicates_found_like_a_naive_scan(keys in prop::collection::vec("[aAbB]{1,2}|k[0-9]{1,2}", 0..40)) {
        let body: Vec<String> = keys.iter().map(|k| format!("\"{k}\":0")).collect();
        let p = parse(&format!("{{{}}}", body.join(",")));
        let mut expected = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let earlier = keys.iter().take(i);
            let exact = earlier.clone().position(|e| e == k);
            let caseless = earlier.clone().position(|e| e.eq_ignore_ascii_case(k));
            if let Some(j) = exact.or(caseless) {
                expected.push((j, i, exact.is_some()));
            }
        }
        // Map spans back to member positions.
        let Some(Value::Object(members)) = p.root.map(|n| n.value) else {
            return Err(TestCaseError::fail("no object"));
        };
        let position = |s: Span| members.iter().position(|m| m.key_span == s).unwrap_or(usize::MAX);
        let got: Vec<_> =
            p.duplicates.iter().map(|d| (position(d.first), position(d.second), d.exact)).collect();
        prop_assert_eq!(got, expected);
    }
}
