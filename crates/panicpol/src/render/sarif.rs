//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, the
//! rules that fired with short and full descriptions and help, results with
//! a physical location (1-based line and column, columns counted in Unicode
//! code points as `columnKind` says), related locations for secondary labels,
//! and `partialFingerprints` that stay the same when lines move.
//!
//! GitHub's required fields (docs "SARIF support for code scanning"): `$schema`,
//! `version`, `runs[].tool.driver.{name,rules}`, `rules[].{id,shortDescription,
//! fullDescription,help}`, `results[].{message.text,locations,partialFingerprints}`,
//! `physicalLocation.artifactLocation.uri`, `region.{startLine,startColumn,
//! endLine,endColumn}`. The tests validate the output against the SARIF 2.1.0
//! JSON schema and check those fields.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, Label, Severity, SourceFile, SourceMap};
use panicpol_lint::RuleMeta;
use serde_json::{Value, json};

/// The schema URI GitHub documents for uploads.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Key of panicpol's own fingerprint; the suffix versions the recipe.
const FINGERPRINT_KEY: &str = "panicpol/v1";

/// GitHub truncates longer descriptions.
const DESCRIPTION_LIMIT: usize = 1024;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, 64 bits: a fingerprint must not change between Rust releases,
/// which `std`'s `DefaultHasher` does not promise.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// At most `limit` bytes of `s`, cut at a character boundary.
fn clip(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_string();
    }
    let mut end = limit.saturating_sub(1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The "What it does" paragraph of a rule's documentation, as plain text.
fn what_it_does(m: &RuleMeta) -> String {
    let body = m
        .doc
        .split("## What it does")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| m.summary.to_string());
    clip(&body, DESCRIPTION_LIMIT)
}

fn rule(m: &RuleMeta) -> Value {
    let group = panicpol_lint::registry::group_of(m.code)
        .map(|g| format!("PP{}xx", g.hundreds))
        .unwrap_or_default();
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": {"text": clip(m.summary, DESCRIPTION_LIMIT)},
        "fullDescription": {"text": what_it_does(m)},
        "help": {
            "text": format!("{}\n\nDocumentation: `panicpol rule {}`.", m.doc.trim_end(), m.code),
            "markdown": m.doc.trim_end(),
        },
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "tags": ["panic-policy", group],
            "precision": "very-high",
            "problem.severity": match m.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            },
        },
    })
}

/// A file name as a SARIF URI: relative paths stay relative (GitHub resolves
/// them against the repository root), absolute ones become `file://` URIs,
/// pseudo-files such as `<cmdline>` are percent-encoded.
pub(crate) fn uri(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 1-based line and column in code points of a byte offset.
fn line_col_chars(f: &SourceFile, offset: usize) -> (usize, usize) {
    let (line, byte_col) = f.line_col(offset);
    let start = offset.min(f.text.len()).saturating_sub(byte_col - 1);
    let end = offset.min(f.text.len());
    let prefix = f.text.get(start..end).unwrap_or_default();
    // Every byte of an invalid sequence shows as one replacement character.
    let chars = prefix
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum::<usize>();
    (line, chars + 1)
}

fn region(f: &SourceFile, l: &Label) -> Value {
    let (sl, sc) = line_col_chars(f, l.span.start);
    let (el, ec) = line_col_chars(f, l.span.end);
    json!({
        "startLine": sl,
        "startColumn": sc,
        "endLine": el,
        // endColumn is exclusive; an empty span is an insertion point.
        "endColumn": ec,
        "snippet": {"text": f.snippet(&l.span)},
    })
}

fn physical(f: &SourceFile, l: &Label) -> Value {
    json!({
        "artifactLocation": {"uri": uri(&f.name)},
        "region": region(f, l),
    })
}

/// Builds the SARIF document.
pub(crate) fn document(sources: &SourceMap, diags: &[Diagnostic], gaps: &[String]) -> Value {
    let used: BTreeSet<&str> = diags.iter().map(|d| d.code).collect();
    let metas: Vec<&RuleMeta> = panicpol_lint::RULES
        .iter()
        .map(|r| r.meta())
        .filter(|m| used.contains(m.code))
        .collect();
    let rules: Vec<Value> = metas.iter().map(|m| rule(m)).collect();
    // Findings without a location are about the whole input: GitHub needs a
    // file, so they point at the first line of the first file checked.
    let fallback = sources.iter().next().map(|(_, f)| f);
    let mut seen: HashMap<(String, &str, String), usize> = HashMap::new();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            for n in &d.notes {
                message.push_str("\nnote: ");
                message.push_str(n);
            }
            let mut r = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": message},
            });
            if let Some(i) = metas.iter().position(|m| m.code == d.code) {
                crate::render::set_field(&mut r, "ruleIndex", json!(i));
            }
            let primary = d
                .primary
                .as_ref()
                .and_then(|l| sources.get(l.file).map(|f| (f, l)));
            let (location, text, name) = match primary {
                Some((f, l)) => (physical(f, l), f.snippet(&l.span), f.name.clone()),
                None => {
                    let name = fallback.map(|f| f.name.clone()).unwrap_or_else(|| "<kernel>".into());
                    (
                        json!({
                            "artifactLocation": {"uri": uri(&name)},
                            "region": {"startLine": 1, "startColumn": 1},
                        }),
                        String::new(),
                        name,
                    )
                }
            };
            crate::render::set_field(&mut r, "locations", json!([{"physicalLocation": location}]));
            let related: Vec<Value> = d
                .secondary
                .iter()
                .filter_map(|l| sources.get(l.file).map(|f| (f, l)))
                .enumerate()
                .map(|(i, (f, l))| {
                    json!({"id": i, "physicalLocation": physical(f, l), "message": {"text": l.message}})
                })
                .collect();
            if !related.is_empty() {
                crate::render::set_field(&mut r, "relatedLocations", json!(related));
            }
            // What the finding is about, not where: the code, the file and the
            // text under the span, and which occurrence of that it is.
            let n = seen.entry((name.clone(), d.code, text.clone())).or_insert(0);
            *n += 1;
            let fp = fnv1a(&[d.code.as_bytes(), name.as_bytes(), text.as_bytes(), n.to_string().as_bytes()]);
            crate::render::set_field(&mut r, "partialFingerprints", json!({FINGERPRINT_KEY: format!("{fp:016x}")}));
            r
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "panicpol",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    // What the kernel reader could not read, as notifications of the run
    // (not results: nothing in the inputs is wrong).
    if !gaps.is_empty() {
        let notes: Vec<Value> = gaps
            .iter()
            .map(|g| json!({"level": "warning", "message": {"text": g}}))
            .collect();
        super::set_field(
            &mut run,
            "invocations",
            json!([{"executionSuccessful": true, "toolExecutionNotifications": notes}]),
        );
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    gaps: &[String],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(sources, diags, gaps))?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_diagnostics::Layer;

    #[test]
    fn uris() {
        assert_eq!(uri("etc/default/grub"), "etc/default/grub");
        assert_eq!(
            uri("/boot/loader/entries/a b.conf"),
            "file:///boot/loader/entries/a%20b.conf"
        );
        assert_eq!(uri("<cmdline>"), "%3Ccmdline%3E");
    }

    #[test]
    fn columns_count_code_points() {
        let f = SourceFile::new("f", "é=1 panic=x\nab\u{a0}c", Layer::Cmdline);
        // "é" is two bytes, one code point.
        assert_eq!(line_col_chars(&f, 4), (1, 4));
        assert_eq!(f.line_col(4), (1, 5));
        assert_eq!(line_col_chars(&f, 17), (2, 4));
        let bad = SourceFile::new("f", b"\xff\xfe x".to_vec(), Layer::Cmdline);
        assert_eq!(line_col_chars(&bad, 3), (1, 4));
    }

    #[test]
    fn fingerprints_follow_the_text_not_the_line() {
        let mut a = SourceMap::new();
        let fa = a.add(SourceFile::new(
            "g",
            "panic=1 panic=2\n",
            Layer::GrubDefault,
        ));
        let mut b = SourceMap::new();
        let fb = b.add(SourceFile::new(
            "g",
            "\n\n  panic=1 panic=2\n",
            Layer::GrubDefault,
        ));
        let da = Diagnostic::warning("PP205", "x").with_primary(fa, 0..7, "");
        let db = Diagnostic::warning("PP205", "x").with_primary(fb, 4..11, "");
        let fp = |doc: &Value| {
            doc["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY].clone()
        };
        let (x, y) = (
            document(&a, std::slice::from_ref(&da), &[]),
            document(&b, &[db], &[]),
        );
        assert_eq!(fp(&x), fp(&y));
        assert_ne!(
            x["runs"][0]["results"][0]["locations"],
            y["runs"][0]["results"][0]["locations"]
        );
        // Two identical findings in one file get different fingerprints.
        let two = document(&a, &[da.clone(), da], &[]);
        let r = &two["runs"][0]["results"];
        assert_ne!(r[0]["partialFingerprints"], r[1]["partialFingerprints"]);
        // A fixed recipe: this value must never change (alerts would reopen).
        assert_eq!(fnv1a(&[b"PP205", b"g"]), 0x563e_770e_b051_fc81);
    }

    #[test]
    fn descriptions() {
        let Some(r) = panicpol_lint::find("PP201") else {
            panic!()
        };
        let d = what_it_does(r.meta());
        assert!(d.starts_with("Finds tokens before `--`"), "{d}");
        assert!(!d.contains("##"), "{d}");
        assert_eq!(clip("ééé", 4), "é…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
