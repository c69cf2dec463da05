//! SARIF 2.1.0 for GitHub code scanning: one run, the tool's rules with short
//! and full descriptions and help, results with physical locations (1-based
//! line and column) and `partialFingerprints` so alerts stay stable when lines
//! move.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, Severity, SourceMap};
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A fingerprint of what a finding is about, independent of its line: the
/// code, the file and the text under the primary span.
fn fingerprint(d: &Diagnostic, file: &str, text: &str) -> String {
    let mut h = DefaultHasher::new();
    (d.code, file, text).hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Builds the SARIF document.
pub(crate) fn document(sources: &SourceMap, diags: &[Diagnostic]) -> Value {
    let used: BTreeSet<&str> = diags.iter().map(|d| d.code).collect();
    let rules: Vec<Value> = panicpol_lint::RULES
        .iter()
        .map(|r| r.meta())
        .filter(|m| used.contains(m.code))
        .map(|m| {
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.summary},
                "help": {"text": m.doc, "markdown": m.doc},
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {"tags": ["panic-policy"]},
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": match &d.help {
                    Some(h) => format!("{}\nhelp: {h}", d.message),
                    None => d.message.clone(),
                }},
            });
            if let Some(rule_index) = rules.iter().position(|x| x["id"] == d.code) {
                r["ruleIndex"] = json!(rule_index);
            }
            let (uri, region, text) = match d.primary.as_ref().and_then(|l| sources.get(l.file).map(|f| (l, f))) {
                Some((l, f)) => {
                    let (sl, sc) = f.line_col(l.span.start);
                    let (el, ec) = f.line_col(l.span.end);
                    (
                        f.name.clone(),
                        json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec.max(if el == sl { sc + 1 } else { 1 })}),
                        f.snippet(&l.span),
                    )
                }
                None => ("<kernel>".to_string(), json!({"startLine": 1}), String::new()),
            };
            r["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": region,
                }
            }]);
            r["partialFingerprints"] = json!({"panicpol/v1": fingerprint(d, &uri, &text)});
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "panicpol",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    })
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(sources, diags))?;
    writeln!(w)
}
