//! Unit tests of the parser: spans, every error kind, recovery, duplicates, depth.

use super::*;
use crate::source::{LineCol, SourceFile};
use JsonErrorKind as K;

/// The errors of `text`, each with the text its span covers.
fn faults(text: &str) -> Vec<(JsonErrorKind, &str)> {
    parse(text)
        .errors
        .into_iter()
        .map(|e| {
            (
                e.kind,
                text.get(e.span.range()).unwrap_or("<span outside text>"),
            )
        })
        .collect()
}

/// The errors of `text` with their byte spans.
fn errors(text: &str) -> Vec<(JsonErrorKind, (u32, u32))> {
    parse(text)
        .errors
        .into_iter()
        .map(|e| (e.kind, (e.span.start, e.span.end)))
        .collect()
}

/// The value of a document that must parse without errors.
fn clean(text: &str) -> Option<Value> {
    let p = parse(text);
    assert_eq!(p.errors, [], "{text:?}");
    assert_eq!(p.duplicates, [], "{text:?}");
    p.root.map(|n| n.value)
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

fn num(text: &str) -> Value {
    Value::Number(text.into())
}

fn unexpected(found: char, expected: &'static str) -> JsonErrorKind {
    K::UnexpectedChar { found, expected }
}

fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let LineCol { line, column } = SourceFile::new("t", text).line_col(offset as usize);
    (line, column)
}

// ---- values and spans ----

#[test]
fn scalars() {
    assert_eq!(clean("null"), Some(Value::Null));
    assert_eq!(clean(" true "), Some(Value::Bool(true)));
    assert_eq!(clean("false"), Some(Value::Bool(false)));
    assert_eq!(clean("\"\""), Some(s("")));
    for n in [
        "0",
        "-0",
        "12",
        "-3.25",
        "1e5",
        "1E+5",
        "2.5e-3",
        "-0.0e0",
        "123456789012345678901234567890",
    ] {
        assert_eq!(clean(n), Some(num(n)), "{n}");
    }
}

#[test]
fn containers_keep_document_order() {
    let v = clean(r#"{"b": [1, {}], "a": [], "c": {"x": null}}"#);
    let Some(Value::Object(members)) = v else {
        unreachable!("an object: {v:?}");
    };
    let keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "c"]);
    assert_eq!(
        members.first().map(|m| m.value.value.type_name()),
        Some("array")
    );
}

#[test]
fn spans_cover_the_text() {
    let text = "\t{ \"k\" : [ \"v\\n\", -1.5e3, true, null, { } ] }\n";
    let p = parse(text);
    assert_eq!(p.errors, []);
    let Some(root) = p.root else {
        unreachable!("parses");
    };
    let slice = |span: Span| text.get(span.range()).unwrap_or("");
    assert_eq!(
        slice(root.span),
        "{ \"k\" : [ \"v\\n\", -1.5e3, true, null, { } ] }"
    );
    let Value::Object(members) = &root.value else {
        unreachable!("an object");
    };
    let [member] = members.as_slice() else {
        unreachable!("one member");
    };
    assert_eq!(slice(member.key_span), "\"k\"");
    assert_eq!(
        slice(member.value.span),
        "[ \"v\\n\", -1.5e3, true, null, { } ]"
    );
    let Value::Array(items) = &member.value.value else {
        unreachable!("an array");
    };
    let texts: Vec<&str> = items.iter().map(|n| slice(n.span)).collect();
    assert_eq!(texts, ["\"v\\n\"", "-1.5e3", "true", "null", "{ }"]);
    assert_eq!(items.first().map(|n| &n.value), Some(&s("v\n")));
}

#[test]
fn escapes() {
    assert_eq!(
        clean(r#""\" \\ \/ \b \f \n \r \t""#),
        Some(s("\" \\ / \u{8} \u{c} \n \r \t"))
    );
    assert_eq!(clean(r#""caf\u00e9 \u00E9""#), Some(s("café é")));
    assert_eq!(clean(r#""\ud83d\ude00""#), Some(s("😀")));
    assert_eq!(clean(r#""a\uD83D\uDE00b\u0000""#), Some(s("a😀b\0")));
    assert_eq!(
        clean(r#""\u2028 é 😀 \u007f""#),
        Some(s("\u{2028} é 😀 \u{7f}"))
    );
    // Long strings go through the 8-byte scan, escapes past the first chunk included.
    let long = format!("\"{}\\t{}\"", "x".repeat(37), "ü".repeat(20));
    assert_eq!(
        clean(&long),
        Some(s(&format!("{}\t{}", "x".repeat(37), "ü".repeat(20))))
    );
}

#[test]
fn bom_is_skipped_and_counted() {
    let text = "\u{feff}{\"a\": 1}";
    let p = parse(text);
    assert!(p.bom);
    assert_eq!(p.errors, []);
    assert_eq!(
        p.root.as_ref().map(|n| n.span),
        Some(Span::new(3, text.len()))
    );
    let p = parse("{\"a\": 1}");
    assert!(!p.bom);
    // Only at the start: elsewhere it is an ordinary unexpected character.
    assert_eq!(
        faults("[\u{feff}1]"),
        [(unexpected('\u{feff}', "a value"), "\u{feff}")]
    );
    let p = parse("\u{feff}");
    assert!(p.bom);
    assert_eq!(
        p.errors,
        [JsonError {
            kind: K::Empty,
            span: Span::new(3, 3)
        }]
    );
}

// ---- every error kind, with its span ----

#[test]
fn empty_input() {
    for text in ["", " ", "\n\t\r\n  "] {
        let p = parse(text);
        assert_eq!(
            p.errors,
            [JsonError {
                kind: K::Empty,
                span: Span::new(0, text.len())
            }]
        );
        assert!(p.root.is_none());
    }
    // A comment alone is reported, and the document is still empty.
    assert_eq!(
        faults(" // nothing\n"),
        [(K::Empty, " // nothing\n"), (K::Comment, "// nothing")]
    );
}

#[test]
fn comments_are_reported_and_skipped() {
    let text = "// head\n{\"a\": /* inline */ 1 // tail\r\n}/**/";
    assert_eq!(
        faults(text),
        [
            (K::Comment, "// head"),
            (K::Comment, "/* inline */"),
            (K::Comment, "// tail"),
            (K::Comment, "/**/")
        ]
    );
    assert!(parse(text).root.is_some());
    assert_eq!(
        faults("[1 /* open"),
        [(K::Comment, "/* open"), (K::UnexpectedEof, "")]
    );
    assert_eq!(
        faults("[1 //"),
        [(K::Comment, "//"), (K::UnexpectedEof, "")]
    );
    // Errors stay in document order though the trailing comma is known only at the `]`.
    assert_eq!(
        faults("[1, // c\n]"),
        [(K::TrailingComma, ","), (K::Comment, "// c")]
    );
    assert_eq!(faults("[1 / 2]"), [(unexpected('/', "`,` or `]`"), "/")]);
    assert_eq!(
        faults("[/*/]"),
        [(K::Comment, "/*/]"), (K::UnexpectedEof, "")]
    );
}

#[test]
fn trailing_commas() {
    assert_eq!(errors("[1,]"), [(K::TrailingComma, (2, 3))]);
    assert_eq!(errors("{\"a\": 1 , \n}"), [(K::TrailingComma, (8, 9))]);
    let p = parse("[[1,],{\"a\":[],},]");
    assert_eq!(p.errors.len(), 3);
    let v = p.root.map(|n| n.value.type_name());
    assert_eq!(v, Some("array"));
    // A comma alone is no element.
    assert_eq!(faults("[,]"), [(unexpected(',', "a value"), ",")]);
    assert_eq!(faults("[1,,2]"), [(unexpected(',', "a value"), ",")]);
    assert_eq!(
        faults("{,}"),
        [(unexpected(',', "a string key or `}`"), ",")]
    );
}

#[test]
fn leading_zeros() {
    assert_eq!(faults("01"), [(K::LeadingZero, "01")]);
    assert_eq!(
        faults("[-01, 00, 0.5, 007.5e1]"),
        [
            (K::LeadingZero, "-01"),
            (K::LeadingZero, "00"),
            (K::LeadingZero, "007.5e1")
        ]
    );
    // Kept as written.
    assert_eq!(parse("-01").root.map(|n| n.value), Some(num("-01")));
}

#[test]
fn invalid_numbers() {
    for bad in [
        "1.",
        ".5",
        "+1",
        "1e",
        "1e+",
        "-",
        "--1",
        "1.2.3",
        "0x1F",
        "1e5e5",
        "NaN",
        "Infinity",
        "-Infinity",
        "+Infinity",
        "1_000",
        "1.e3",
    ] {
        let text = format!("[{bad}, 2]");
        assert_eq!(faults(&text), [(K::InvalidNumber, bad)], "{bad}");
        assert!(parse(&text).root.is_some(), "{bad}");
    }
    assert_eq!(errors("{\"n\": 1.}"), [(K::InvalidNumber, (6, 8))]);
    // A number runs into letters: one bad token, not a missing comma.
    assert_eq!(faults("[1true]"), [(K::InvalidNumber, "1true")]);
    assert_eq!(faults("[1-2]"), [(K::InvalidNumber, "1-2")]);
    assert_eq!(faults("[NaNa]"), [(K::InvalidNumber, "NaNa")]);
}

#[test]
fn control_characters() {
    let p = parse("[\"a\tb\", \"\u{0}\u{1f}\", \"\u{7f}\"]");
    let spans: Vec<_> = p.errors.iter().map(|e| (e.kind.clone(), e.span)).collect();
    assert_eq!(
        spans,
        [
            (K::ControlCharacter, Span::new(3, 4)),
            (K::ControlCharacter, Span::new(9, 10)),
            (K::ControlCharacter, Span::new(10, 11))
        ]
    );
    // Kept in the value; DEL is allowed.
    let Some(Value::Array(items)) = p.root.map(|n| n.value) else {
        unreachable!("an array");
    };
    let values: Vec<_> = items.into_iter().map(|n| n.value).collect();
    assert_eq!(values, [s("a\tb"), s("\0\u{1f}"), s("\u{7f}")]);
    // A newline inside a string: where a missing quote usually shows.
    assert_eq!(line_col("{\"a\": \"x\n\"}", 8), (1, 9));
    assert_eq!(faults("{\"a\": \"x\n\"}"), [(K::ControlCharacter, "\n")]);
}

#[test]
fn invalid_escapes() {
    let text = r#"["\x41", "\é", "\u12G4", "\u00e", "\'"]"#;
    assert_eq!(
        faults(text),
        [
            (K::InvalidEscape, r"\x"),
            (K::InvalidEscape, r"\é"),
            (K::InvalidEscape, r"\u12"),
            (K::InvalidEscape, r"\u00e"),
            (K::InvalidEscape, r"\'")
        ]
    );
    assert_eq!(errors(text).first(), Some(&(K::InvalidEscape, (2, 4))));
    let p = parse(text);
    let Some(Value::Array(items)) = p.root.map(|n| n.value) else {
        unreachable!("an array");
    };
    let values: Vec<_> = items.into_iter().map(|n| n.value).collect();
    assert_eq!(
        values,
        [
            s("\u{fffd}41"),
            s("\u{fffd}"),
            s("\u{fffd}G4"),
            s("\u{fffd}"),
            s("\u{fffd}")
        ]
    );
    assert_eq!(faults(r#""\u12"#), [(K::UnexpectedEof, "")]);
    assert_eq!(faults("\"\\"), [(K::UnexpectedEof, "")]);
}

#[test]
fn lone_surrogates() {
    let cases = [
        (r#""\ud800""#, "\u{fffd}", vec![(1, 7)]),
        (r#""\udc00x""#, "\u{fffd}x", vec![(1, 7)]),
        (r#""\ud800\u0041""#, "\u{fffd}A", vec![(1, 7)]),
        (r#""\ud800\ud800\ude00""#, "\u{fffd}\u{10200}", vec![(1, 7)]),
        (
            r#""\ude00\ud83d""#,
            "\u{fffd}\u{fffd}",
            vec![(1, 7), (7, 13)],
        ),
        (r#""\ud83d\n""#, "\u{fffd}\n", vec![(1, 7)]),
    ];
    for (text, value, spans) in cases {
        let p = parse(text);
        let got: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.span.start, e.span.end))
            .collect();
        assert_eq!(got, spans, "{text}");
        assert!(
            p.errors.iter().all(|e| e.kind == K::LoneSurrogate),
            "{text}"
        );
        assert_eq!(p.root.map(|n| n.value), Some(s(value)), "{text}");
    }
}

#[test]
fn single_quotes_and_unquoted_keys_are_read() {
    let text = "{'a': 'x\\'y\"', b_1: 2}";
    let p = parse(text);
    let f: Vec<_> = p.errors.iter().map(|e| (e.kind.clone(), e.span)).collect();
    assert_eq!(
        f,
        [
            (unexpected('\'', "a double-quoted key"), Span::new(1, 2)),
            (unexpected('\'', "a double-quoted string"), Span::new(6, 7)),
            (unexpected('b', "a double-quoted key"), Span::new(15, 16))
        ]
    );
    let Some(Value::Object(members)) = p.root.map(|n| n.value) else {
        unreachable!("an object");
    };
    let got: Vec<_> = members
        .into_iter()
        .map(|m| (m.key, m.key_span, m.value.value))
        .collect();
    assert_eq!(
        got,
        [
            ("a".to_string(), Span::new(1, 4), s("x'y\"")),
            ("b_1".to_string(), Span::new(15, 18), num("2"))
        ]
    );
    // `\'` is only an escape inside single quotes.
    assert_eq!(faults(r#""\'""#), [(K::InvalidEscape, r"\'")]);
    assert_eq!(
        faults("['abc"),
        [
            (unexpected('\'', "a double-quoted string"), "'"),
            (K::UnexpectedEof, "")
        ]
    );
}

#[test]
fn missing_commas_and_colons() {
    assert_eq!(errors("{\"a\" 1}"), [(unexpected('1', "`:`"), (5, 6))]);
    assert_eq!(
        parse("{\"a\" 1}").root.map(|n| n.span),
        Some(Span::new(0, 7))
    );
    assert_eq!(errors("[1 2]"), [(unexpected('2', "`,` or `]`"), (3, 4))]);
    let p = parse("[1 2]");
    let items = match p.root.map(|n| n.value) {
        Some(Value::Array(items)) => items.into_iter().map(|n| n.value).collect(),
        _ => vec![],
    };
    assert_eq!(items, [num("1"), num("2")]);
    assert_eq!(
        faults("{\"a\": 1 \"b\": 2}"),
        [(unexpected('"', "`,` or `}`"), "\"")]
    );
    assert_eq!(faults("[\"a\" \"b\" {} []]").len(), 3);
}

#[test]
fn broken_structure_stops() {
    let cases: &[(&str, &[(JsonErrorKind, &str)])] = &[
        ("{\"a\":}", &[(unexpected('}', "a value"), "}")]),
        ("{\"a\"}", &[(unexpected('}', "`:`"), "}")]),
        ("{\"a\":1:}", &[(unexpected(':', "`,` or `}`"), ":")]),
        ("[1}", &[(unexpected('}', "`,` or `]`"), "}")]),
        ("{\"a\":1]", &[(unexpected(']', "`,` or `}`"), "]")]),
        ("{1:2}", &[(unexpected('1', "a string key or `}`"), "1")]),
        ("{\"a\":1,]", &[(unexpected(']', "a string key"), "]")]),
        ("]", &[(unexpected(']', "a value"), "]")]),
        ("trux", &[(unexpected('x', "`true`"), "x")]),
        ("True", &[(unexpected('T', "a value"), "T")]),
        ("[nul]", &[(unexpected(']', "`null`"), "]")]),
        ("[é]", &[(unexpected('é', "a value"), "é")]),
        ("undefined", &[(unexpected('u', "a value"), "u")]),
        ("tru", &[(K::UnexpectedEof, "")]),
        ("[1,", &[(K::UnexpectedEof, "")]),
        ("[", &[(K::UnexpectedEof, "")]),
        ("{\"a\":", &[(K::UnexpectedEof, "")]),
        ("{\"a\"", &[(K::UnexpectedEof, "")]),
        ("{", &[(K::UnexpectedEof, "")]),
        ("\"abc", &[(K::UnexpectedEof, "")]),
        ("[1 // c", &[(K::Comment, "// c"), (K::UnexpectedEof, "")]),
    ];
    for &(text, want) in cases {
        let p = parse(text);
        assert!(p.root.is_none(), "{text}");
        assert_eq!(faults(text), want, "{text}");
        if let Some(e) = p.errors.last().filter(|e| e.kind == K::UnexpectedEof) {
            assert_eq!(e.span, Span::new(text.len(), text.len()), "{text}");
        }
    }
    // Errors before the fatal one are kept.
    assert_eq!(
        faults("[01, 1.,"),
        [
            (K::LeadingZero, "01"),
            (K::InvalidNumber, "1."),
            (K::UnexpectedEof, "")
        ]
    );
}

#[test]
fn trailing_content() {
    assert_eq!(faults("{} x y \n"), [(K::TrailingContent, "x y")]);
    assert_eq!(faults("[1] [2]"), [(K::TrailingContent, "[2]")]);
    assert_eq!(faults("1 2"), [(K::TrailingContent, "2")]);
    assert_eq!(faults("{}}"), [(K::TrailingContent, "}")]);
    // The value itself is fine, so it is kept; comments after it are just comments.
    assert!(parse("{} x").root.is_some());
    assert_eq!(faults("{} // done\n"), [(K::Comment, "// done")]);
    assert_eq!(
        faults("{} /* a */ x"),
        [(K::Comment, "/* a */"), (K::TrailingContent, "x")]
    );
}

#[test]
fn recovery_reports_everything_and_keeps_the_root() {
    let text = "{\n  // why not\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"N\": 007,},\n  ],\n}\n";
    let p = parse(text);
    let file = SourceFile::new("p.json", text);
    let found: Vec<_> = p
        .errors
        .iter()
        .map(|e| {
            let LineCol { line, column } = file.line_col(e.span.start as usize);
            (e.kind.clone(), line, column, file.slice(e.span))
        })
        .collect();
    assert_eq!(
        found,
        [
            (K::Comment, 2, 3, "// why not"),
            (K::LeadingZero, 5, 30, "007"),
            (K::TrailingComma, 5, 33, ","),
            (K::TrailingComma, 5, 35, ","),
            (K::TrailingComma, 6, 4, ",")
        ]
    );
    let Some(root) = p.root else {
        unreachable!("recoverable faults keep the root");
    };
    assert_eq!(
        pointer_for(&root, p.errors.get(1).map_or(Span::default(), |e| e.span)),
        "/Statement/0/N"
    );
}

// ---- duplicates ----

#[test]
fn duplicate_keys() {
    let text = r#"{"Effect": 1, "effect": 2, "Effect": 3, "x": {"Effect": 4}, "EFFECT": 5}"#;
    let p = parse(text);
    assert_eq!(p.errors, []);
    let at = |needle: &str| {
        let start = text.find(needle).unwrap_or(usize::MAX);
        Span::new(start, start + needle.len())
    };
    let second = |needle: &str| {
        let first = text.find(needle).unwrap_or(0) + 1;
        let start = text
            .get(first..)
            .and_then(|t| t.find(needle))
            .map_or(0, |i| first + i);
        Span::new(start, start + needle.len())
    };
    assert_eq!(
        p.duplicates,
        [
            DuplicateKey {
                key: "effect".into(),
                first: at("\"Effect\""),
                second: at("\"effect\""),
                exact: false
            },
            DuplicateKey {
                key: "Effect".into(),
                first: at("\"Effect\""),
                second: second("\"Effect\""),
                exact: true
            },
            DuplicateKey {
                key: "EFFECT".into(),
                first: at("\"Effect\""),
                second: at("\"EFFECT\""),
                exact: false
            },
        ]
    );
    // All members are kept, in order.
    let Some(Value::Object(members)) = p.root.map(|n| n.value) else {
        unreachable!("an object");
    };
    assert_eq!(members.len(), 5);
    // Exact wins over an earlier case-only match; keys are compared decoded.
    let p = parse(r#"{"a": 1, "A": 2, "\u0041": 3}"#);
    let d: Vec<_> = p
        .duplicates
        .iter()
        .map(|d| (d.first.start, d.second.start, d.exact))
        .collect();
    assert_eq!(d, [(1, 9, false), (9, 17, true)]);
    // Only ASCII case folds.
    assert_eq!(parse(r#"{"é": 1, "É": 2}"#).duplicates, []);
}

/// Same answers from the linear scan and the hash index, on both sides of the switch.
#[test]
fn duplicate_keys_in_big_objects() {
    for n in [10, 15, 16, 17, 40] {
        let mut keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        keys.extend(["K3", "k3", "k0", "Z", "z", "z", "K3"].map(String::from));
        let body: Vec<String> = keys.iter().map(|k| format!("\"{k}\": 0")).collect();
        let text = format!("{{{}}}", body.join(", "));
        let p = parse(&text);
        let got: Vec<_> = p
            .duplicates
            .iter()
            .map(|d| {
                (
                    d.key.as_str(),
                    text.get(d.first.range()).unwrap_or(""),
                    d.exact,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("K3", "\"k3\"", false),
                ("k3", "\"k3\"", true),
                ("k0", "\"k0\"", true),
                ("z", "\"Z\"", false),
                ("z", "\"z\"", true),
                ("K3", "\"K3\"", true)
            ],
            "{n} keys"
        );
        assert!(p.duplicates.iter().all(|d| d.first.start < d.second.start));
    }
}

#[test]
fn huge_object_is_not_quadratic() {
    let n = 100_000;
    let mut text = String::from("{");
    for i in 0..n {
        text.push_str(&format!("\"key{i}\":{i},"));
    }
    text.push_str("\"KEY7\":0,\"key99999\":1}");
    let started = std::time::Instant::now();
    let p = parse(&text);
    // Quadratic would be 5e9 key comparisons: minutes even in a release build.
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(p.errors, []);
    let d: Vec<_> = p
        .duplicates
        .iter()
        .map(|d| (d.key.as_str(), d.exact))
        .collect();
    assert_eq!(d, [("KEY7", false), ("key99999", true)]);
}

// ---- depth ----

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn depth_limit() {
    assert!(clean(&nested(MAX_DEPTH)).is_some());
    let p = parse(&nested(MAX_DEPTH + 1));
    assert_eq!(
        p.errors,
        [JsonError {
            kind: K::TooDeep,
            span: Span::new(MAX_DEPTH, MAX_DEPTH + 1)
        }]
    );
    assert!(p.root.is_none());
    // Objects count too, and the parse goes on after the skipped value.
    let deep = format!("{}1{}", "{\"a\":[".repeat(33), "]}".repeat(33));
    assert_eq!(errors(&deep), [(K::TooDeep, (192, 193))]);
    let text = format!("[{}, 01, \"]\\\"[\", [1,]]", nested(MAX_DEPTH));
    assert_eq!(
        faults(&text),
        [
            (K::TooDeep, "["),
            (K::LeadingZero, "01"),
            (K::TrailingComma, ",")
        ]
    );
    // Strings inside the skipped part do not confuse the bracket count.
    let text = format!(
        "[{}\"]]]\\\"]]\"{}, 01]",
        "[".repeat(MAX_DEPTH),
        "]".repeat(MAX_DEPTH)
    );
    assert_eq!(
        text.get(MAX_DEPTH + 1..MAX_DEPTH + 10),
        Some("\"]]]\\\"]]\"")
    );
    assert_eq!(faults(&text), [(K::TooDeep, "["), (K::LeadingZero, "01")]);
}

/// Runs `f` on a thread with a small stack, where recursion per level would overflow.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let joined = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .map(|h| h.join().is_ok());
    assert_eq!(joined.ok(), Some(true));
}

#[test]
fn hundred_thousand_open_brackets() {
    on_small_stack(|| {
        let text = "[".repeat(100_000);
        let started = std::time::Instant::now();
        let p = parse(&text);
        assert!(started.elapsed().as_secs() < 5);
        assert_eq!(
            p.errors,
            [
                JsonError {
                    kind: K::TooDeep,
                    span: Span::new(64, 65)
                },
                JsonError {
                    kind: K::UnexpectedEof,
                    span: Span::new(100_000, 100_000)
                }
            ]
        );
        assert!(p.root.is_none());
    });
}

#[test]
fn hundred_thousand_balanced_brackets() {
    on_small_stack(|| {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}{}", open.repeat(100_000), close.repeat(100_000));
            let started = std::time::Instant::now();
            let p = parse(&text);
            assert!(started.elapsed().as_secs() < 5);
            let first_too_deep = open.len() * MAX_DEPTH;
            assert_eq!(
                p.errors,
                [JsonError {
                    kind: K::TooDeep,
                    span: Span::new(first_too_deep, first_too_deep + 1)
                }]
            );
            assert!(p.root.is_none());
        }
    });
}

#[test]
fn deep_but_allowed_on_a_small_stack() {
    on_small_stack(|| {
        let text = format!("{}{}", "{\"a\":[".repeat(32), "]}".repeat(32));
        let p = parse(&text);
        assert_eq!(p.errors, []);
        // Dropping the 64-level tree must not overflow either.
        drop(p);
    });
}

// ---- throughput ----

/// A policy of about 3.5 KB, pretty-printed the way the console writes them.
fn sample_policy(seed: usize) -> String {
    let statement = |i: usize| {
        format!(
            r#"    {{
      "Sid": "Stmt{seed}x{i}",
      "Effect": "{}",
      "Action": [
        "dbs:DescribeBackupPlanList",
        "dbs:CreateBackupPlan",
        "rds:DescribeDBInstances",
        "ecs:Describe*"
      ],
      "Resource": ["acs:dbs:*:1234567890123456:backupplan/dbs{seed}{i}", "acs:rds:cn-hangzhou:*:dbinstance/*"],
      "Condition": {{"IpAddress": {{"acs:SourceIp": ["10.0.0.0/8", "192.168.1.1"]}}, "Bool": {{"acs:MFAPresent": "true"}}}}
    }}"#,
            if i % 3 == 0 { "Deny" } else { "Allow" }
        )
    };
    let statements: Vec<String> = (0..8).map(statement).collect();
    format!(
        "{{\n  \"Version\": \"1\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
        statements.join(",\n")
    )
}

/// `cargo test --release --lib json::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn throughput() {
    let docs: Vec<String> = (0..10_000).map(|i| sample_policy(i % 97)).collect();
    let megabytes = docs.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let (mut ours, mut theirs) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        let started = std::time::Instant::now();
        assert!(docs.iter().all(|d| parse(d).errors.is_empty()));
        ours = ours.min(started.elapsed().as_secs_f64());
        let started = std::time::Instant::now();
        assert!(docs
            .iter()
            .all(|d| serde_json::from_str::<serde_json::Value>(d).is_ok()));
        theirs = theirs.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{megabytes:.1} MB in 10,000 documents: ramguard {:.0} ms ({:.0} MB/s), \
         serde_json::Value {:.0} ms ({:.0} MB/s)",
        ours * 1e3,
        megabytes / ours,
        theirs * 1e3,
        megabytes / theirs
    );
}
