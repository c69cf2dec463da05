//! Gathering what to look at: files (each in its detected format, or the
//! one `--as` names), `--cmdline` strings, standard input, a whole image with
//! `--root`, or this system's /proc/cmdline when none is given; and the
//! kernel config found with them.

use std::path::{Path, PathBuf};

use panicpol_diagnostics::{Layer, SourceFile, SourceMap, Span};
use panicpol_sources::{Format, Options, Sources};
use panicpol_syntax::entry::Loc;
use serde_json::{Value, json};

use crate::input::{self, Failure};

/// What the user named.
pub(crate) struct Wanted<'a> {
    pub(crate) files: &'a [PathBuf],
    pub(crate) cmdlines: &'a [String],
    pub(crate) root: Option<&'a Path>,
    pub(crate) as_format: Option<Format>,
    /// `--config`: applies to every entry.
    pub(crate) kernel_config: Option<&'a Path>,
}

impl Wanted<'_> {
    /// No input named: the running system.
    pub(crate) fn live(&self) -> bool {
        self.files.is_empty() && self.cmdlines.is_empty() && self.root.is_none()
    }
}

/// Reads everything named. Fails (exit 2) only when nothing at all could be
/// read; otherwise unreadable parts are problems inside the result.
pub(crate) fn gather_sources(w: &Wanted<'_>) -> Result<Sources, Failure> {
    let opts = Options {
        flavor: None,
        kernel_config: w.kernel_config.map(Path::to_path_buf),
    };
    let sources = if let Some(root) = w.root {
        panicpol_sources::discover(root, &opts).map_err(|e| Failure::new(e.to_string()))?
    } else {
        let mut cmdlines: Vec<(String, Vec<u8>)> = Vec::new();
        for (i, c) in w.cmdlines.iter().enumerate() {
            let name = if w.cmdlines.len() == 1 {
                "<cmdline>".to_string()
            } else {
                format!("<cmdline {}>", i + 1)
            };
            cmdlines.push((name, c.as_bytes().to_vec()));
        }
        let mut files = Vec::new();
        for f in w.files {
            if f == Path::new("-") {
                cmdlines.push(("<stdin>".into(), input::read_stdin(input::TEXT_LIMIT)?));
            } else {
                files.push(f.clone());
            }
        }
        if w.live() {
            let path = Path::new("/proc/cmdline");
            let bytes = input::read_limited(path, input::TEXT_LIMIT).map_err(|e| {
                Failure::new(format!(
                    "{e}\nwith no FILE, no --cmdline and no --root, panicpol reads this system's /proc/cmdline"
                ))
            })?;
            cmdlines.push(("/proc/cmdline".into(), bytes));
        }
        panicpol_sources::from_files(&files, w.as_format, &cmdlines, &opts)
    };
    if sources.entries.is_empty() {
        return Err(nothing_read(&sources, w));
    }
    Ok(sources)
}

/// The raw command lines named (`--cmdline`, files, `-`, or /proc/cmdline),
/// each read as a command line whatever its format: what `emit` compiles.
pub(crate) fn gather(files: &[PathBuf], cmdlines: &[String]) -> Result<SourceMap, Failure> {
    let mut sources = SourceMap::new();
    for (i, c) in cmdlines.iter().enumerate() {
        let name = if cmdlines.len() == 1 {
            "<cmdline>".to_string()
        } else {
            format!("<cmdline {}>", i + 1)
        };
        sources.add(SourceFile::new(name, c.as_bytes(), Layer::Cmdline));
    }
    for f in files {
        sources.add(input::cmdline_file(f)?);
    }
    if files.is_empty() && cmdlines.is_empty() {
        let path = Path::new("/proc/cmdline");
        let bytes = input::read_limited(path, input::TEXT_LIMIT).map_err(|e| {
            Failure::new(format!(
                "{e}\nwith no FILE and no --cmdline, panicpol reads this system's /proc/cmdline"
            ))
        })?;
        sources.add(SourceFile::new("/proc/cmdline", bytes, Layer::Cmdline));
    }
    Ok(sources)
}

/// The failure when no entry could be made: every problem, one per line.
fn nothing_read(s: &Sources, w: &Wanted<'_>) -> Failure {
    let mut lines: Vec<String> = s
        .problems
        .iter()
        .map(|p| {
            let name = s.map.get(p.file).map_or("?", |f| f.name.as_str());
            format!("{name}: {}", p.message)
        })
        .collect();
    if lines.is_empty() {
        lines.push(match w.root {
            Some(r) => format!(
                "{}: no boot configuration found (no grub, BLS, kernel-install or UKI files, no sysctl.d or tmpfiles.d)",
                r.display()
            ),
            None => "nothing to check: the files hold no boot entry or setting".to_string(),
        });
    }
    Failure::new(lines.join("\n"))
}

/// The kernel config to use for the kernel model when `--config` is not
/// given: the one found under the root for `release`, or the only one.
pub(crate) fn found_config(s: &Sources, release: Option<&str>) -> Option<Vec<u8>> {
    let k = &s.kernel_configs;
    let pick = release
        .and_then(|r| k.iter().find(|(_, rel)| rel.as_deref() == Some(r)))
        .or_else(|| (k.len() == 1).then(|| k.first()).flatten())?;
    s.map.get(pick.0).map(|f| f.text.clone())
}

/// Where a span of a composed text was written: the first piece of a file
/// inside it (a token can start with bytes a tool added, as `BOOT_IMAGE=`
/// before a path from grub.cfg).
pub(crate) fn locate_any(c: &panicpol_syntax::provenance::Composed, span: &Span) -> Option<Loc> {
    c.locate(span).or_else(|| {
        let p = c
            .pieces
            .iter()
            .find(|p| p.at < span.end && p.at + p.len > span.start)?;
        let start = span.start.max(p.at);
        let end = span.end.min(p.at + p.len);
        Some((p.file, p.offset + (start - p.at)..p.offset + (end - p.at)))
    })
}

/// A location as JSON: file, line, column (1-based) and byte span.
pub(crate) fn loc_json(map: &SourceMap, loc: &Loc) -> Value {
    let (file, span) = loc;
    match map.get(*file) {
        Some(f) => {
            let (line, col) = f.line_col(span.start);
            json!({
                "file": f.name,
                "line": line,
                "col": col,
                "span": [span.start, span.end],
                "source": f.layer,
            })
        }
        None => Value::Null,
    }
}

/// `file:line:col` of a location, for people.
pub(crate) fn loc_text(map: &SourceMap, loc: &Loc) -> String {
    match map.get(loc.0) {
        Some(f) => {
            let (line, col) = f.line_col(loc.1.start);
            format!("{}:{line}:{col}", f.name)
        }
        None => "?".into(),
    }
}

/// Cuts every label of a diagnostic to its file's text, so a renderer never
/// sees a span past the end.
pub(crate) fn clamp(map: &SourceMap, d: &mut panicpol_diagnostics::Diagnostic) {
    let fix = |file, span: &mut Span| {
        let len = map.get(file).map_or(0, |f| f.text.len());
        span.end = span.end.min(len);
        span.start = span.start.min(span.end);
    };
    if let Some(p) = d.primary.as_mut() {
        fix(p.file, &mut p.span);
    }
    for l in &mut d.secondary {
        fix(l.file, &mut l.span);
    }
}
