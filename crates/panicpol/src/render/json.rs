//! The JSON output of `check`, version 1: a stable, documented format
//! (docs/output-formats.md; a test keeps the two in step). Fields may be
//! added within a version; renaming, removing or changing the meaning of a
//! field bumps [`VERSION`].

use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, Label, SourceMap};
use panicpol_kernel::Kernel;
use serde_json::{Value, json};

use super::CheckedCmdline;

/// Bumped on any incompatible change of the document's shape.
pub(crate) const VERSION: u32 = 1;

fn label(sources: &SourceMap, l: &Label) -> Value {
    let f = sources.get(l.file);
    let (line, col) = f.map(|f| f.line_col(l.span.start)).unwrap_or((1, 1));
    json!({
        "file": f.map(|f| f.name.as_str()),
        "span": [l.span.start, l.span.end],
        "line": line,
        "col": col,
        "text": f.map(|f| f.snippet(&l.span)),
        "message": l.message,
    })
}

fn diagnostic(sources: &SourceMap, d: &Diagnostic) -> Value {
    let mut v = json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help,
        "notes": d.notes,
        "labels": d.secondary.iter().map(|l| label(sources, l)).collect::<Vec<_>>(),
    });
    if let Some(p) = &d.primary {
        let p = label(sources, p);
        for k in ["file", "line", "col", "span"] {
            v[k] = p[k].clone();
        }
        v["label"] = p["message"].clone();
    }
    v
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    kernel: &Kernel,
    checked: &[CheckedCmdline],
    diags: &[Diagnostic],
) -> io::Result<()> {
    let inputs: Vec<Value> = checked
        .iter()
        .map(|c| {
            let name = sources.get(c.file).map(|f| f.name.as_str());
            // Each bootloader token says which file, line and column it was
            // written at, so a machine can point at the place to edit.
            let tokens: Vec<Value> = c
                .dispatch
                .tokens
                .iter()
                .map(|t| {
                    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
                    if t.layer == panicpol_policy::dispatch::Layer::Bootloader
                        && let Some((fid, span)) = c.map.locate(&t.span)
                        && let Some(f) = sources.get(fid)
                    {
                        let (line, col) = f.line_col(span.start);
                        v["origin"] = json!({"file": f.name, "line": line, "col": col, "span": [span.start, span.end]});
                    }
                    v
                })
                .collect();
            json!({
                "file": name,
                "entry": c.entry,
                "cmdline": String::from_utf8_lossy(&c.text),
                "tokens": tokens,
                "init": c.dispatch.init,
                "messages": c.dispatch.messages,
                "proc_cmdline": c.dispatch.proc_cmdline,
                "values": c.policy,
            })
        })
        .collect();
    let doc = json!({
        "version": VERSION,
        "tool": {"name": "panicpol", "version": env!("CARGO_PKG_VERSION")},
        "kernel": {
            "release": kernel.release,
            "source": kernel.source,
        },
        "inputs": inputs,
        "diagnostics": diags.iter().map(|d| diagnostic(sources, d)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
