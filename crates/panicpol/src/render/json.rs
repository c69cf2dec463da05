//! The JSON output of `check`, version 1: a stable, documented format
//! (docs/output-formats.md; a test keeps the two in step). Fields may be
//! added within a version; renaming, removing or changing the meaning of a
//! field bumps [`VERSION`].

use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, Label, SourceMap};
use panicpol_kernel::Kernel;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
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
            crate::render::set_field(&mut v, k, p.get(k).cloned().unwrap_or(Value::Null));
        }
        crate::render::set_field(
            &mut v,
            "label",
            p.get("message").cloned().unwrap_or(Value::Null),
        );
    }
    v
}

/// The document, serialized as it is written: each input's tokens and the
/// diagnostics are turned into JSON one at a time, so a command line of
/// 500 000 tokens costs the output, not a tree of values (a
/// `serde_json::Value` of the whole document took ~5 KB a token: 2.8 GB).
#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    kernel: KernelRef<'a>,
    inputs: Vec<Input<'a>>,
    diagnostics: Diagnostics<'a>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct KernelRef<'a> {
    release: &'a Option<String>,
    source: &'a panicpol_kernel::KernelSource,
    /// What the reader could not read (omitted when nothing).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    gaps: &'a [String],
}

#[derive(Serialize)]
struct Input<'a> {
    file: Option<&'a str>,
    entry: &'a str,
    cmdline: std::borrow::Cow<'a, str>,
    tokens: Tokens<'a>,
    init: &'a panicpol_policy::dispatch::InitSummary,
    messages: &'a [panicpol_policy::dispatch::KernelMessage],
    proc_cmdline: &'a panicpol_policy::dispatch::Bytes,
    values: &'a panicpol_policy::policy::Policy,
}

/// One input's tokens, each with where it was written.
struct Tokens<'a> {
    sources: &'a SourceMap,
    c: &'a CheckedCmdline,
}

impl Serialize for Tokens<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.c;
        let mut seq = s.serialize_seq(Some(c.dispatch.tokens.len()))?;
        for t in &c.dispatch.tokens {
            let mut v = serde_json::to_value(t).map_err(serde::ser::Error::custom)?;
            // Each bootloader token says which file, line and column it was
            // written at, so a machine can point at the place to edit.
            if t.layer == panicpol_policy::dispatch::Layer::Bootloader
                && let Some((fid, span)) = c.map.locate(&t.span)
                && let Some(f) = self.sources.get(fid)
            {
                let (line, col) = f.line_col(span.start);
                crate::render::set_field(
                    &mut v,
                    "origin",
                    json!({"file": f.name, "line": line, "col": col, "span": [span.start, span.end]}),
                );
            }
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

struct Diagnostics<'a> {
    sources: &'a SourceMap,
    diags: &'a [Diagnostic],
}

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.diags.len()))?;
        for d in self.diags {
            seq.serialize_element(&diagnostic(self.sources, d))?;
        }
        seq.end()
    }
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    kernel: &Kernel,
    checked: &[CheckedCmdline],
    diags: &[Diagnostic],
) -> io::Result<()> {
    let doc = Doc {
        version: VERSION,
        tool: Tool {
            name: "panicpol",
            version: env!("CARGO_PKG_VERSION"),
        },
        kernel: KernelRef {
            release: &kernel.release,
            source: &kernel.source,
            gaps: &kernel.gaps,
        },
        inputs: checked
            .iter()
            .map(|c| Input {
                file: sources.get(c.file).map(|f| f.name.as_str()),
                entry: &c.entry,
                cmdline: String::from_utf8_lossy(&c.text),
                tokens: Tokens { sources, c },
                init: &c.dispatch.init,
                messages: &c.dispatch.messages,
                proc_cmdline: &c.dispatch.proc_cmdline,
                values: &c.policy,
            })
            .collect(),
        diagnostics: Diagnostics { sources, diags },
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}
