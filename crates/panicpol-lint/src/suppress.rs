//! Suppression comments: `# panicpol: disable=CODE[,CODE…] -- reason` for the
//! next line, `# panicpol: disable-file=CODE[,CODE…] -- reason` for the whole
//! file, in the files whose format has `#` comments.
//!
//! [`apply`] is a pure function of a run's files and findings: it drops the
//! findings a suppression covers and adds the suppressions' own findings —
//! unused codes (PP901), a missing reason (PP902), unreadable or misplaced
//! comments (PP903).
//!
//! Rules of the comment, as in shellcheck and ruff:
//! - it stands on a line of its own (leading blanks allowed);
//! - `disable=` covers the next line that is neither blank nor a comment,
//!   with its `\`-continuations (shell files such as /etc/default/grub);
//! - a finding is covered when its primary span starts on a covered line of
//!   the same file; findings without a location cannot be suppressed by a
//!   comment (use `ignore` in `panicpol.toml`);
//! - the reason after `--` is required: without it the comment is not applied;
//! - PP9xx codes cannot be suppressed by a comment.

use std::ops::Range;

use panicpol_diagnostics::{Diagnostic, FileId, Layer, SourceFile, SourceMap};

use crate::registry::find;
use crate::rules::{
    pp901_unused_suppression, pp902_suppression_without_reason, pp903_invalid_suppression,
};

/// Whether files of this kind have `#` comments, and so suppressions: grub
/// defaults and grub.cfg (shell syntax), BLS entries (UAPI.1: lines starting
/// with `#`), bootconfig (`lib/bootconfig.c:skip_comment`), sysctl.d and
/// tmpfiles.d. Raw command lines (`/etc/kernel/cmdline`, a UKI's `.cmdline`,
/// `CONFIG_CMDLINE`) have none: kernel-install joins its words, the kernel
/// reads every byte.
pub fn allows_comments(layer: &Layer) -> bool {
    match layer {
        Layer::GrubDefault
        | Layer::GrubCfg
        | Layer::BlsEntry
        | Layer::Bootconfig
        | Layer::Runtime => true,
        Layer::Cmdline | Layer::KernelInstall | Layer::Uki | Layer::BuiltIn | Layer::Other => false,
    }
}

/// What a suppression covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Findings starting in this byte range (a line and its continuations).
    Lines(Range<usize>),
    /// Every finding in the file.
    File,
    /// Nothing: no line follows the comment.
    Nothing,
}

/// One code of one suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The rule's code (names are resolved to codes).
    pub code: &'static str,
    /// Where the code is written in the comment.
    pub span: Range<usize>,
}

/// A `# panicpol: disable…` comment that can be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The file it is in.
    pub file: FileId,
    /// The whole comment line (without its newline).
    pub span: Range<usize>,
    /// What it covers.
    pub scope: Scope,
    /// The codes it disables.
    pub codes: Vec<Entry>,
    /// The text after `--`, trimmed; never empty.
    pub reason: String,
}

/// A finding that a suppression removed, with the reason given for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// The reason written after `--`.
    pub reason: String,
    /// The file and span of the comment that suppressed it.
    pub by: (FileId, Range<usize>),
}

/// The result of [`apply`].
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The findings that remain, and the suppressions' own findings, ordered
    /// by file and position (findings without a location first).
    pub diagnostics: Vec<Diagnostic>,
    /// The findings that were suppressed (for SARIF `suppressions`, counts).
    pub suppressed: Vec<Suppressed>,
}

/// Reads the suppression comments of every file that allows comments, drops
/// the findings they cover, and reports unused, reasonless and malformed
/// suppressions.
///
/// Call it once per run, after every rule ran on every command line and
/// before [`crate::settings::Settings::apply`].
pub fn apply(sources: &SourceMap, diagnostics: Vec<Diagnostic>) -> Outcome {
    let mut directives = Vec::new();
    let mut own = Vec::new();
    for (id, file) in sources.iter() {
        let (d, findings) = directives_of(id, file);
        directives.extend(d);
        own.extend(findings);
    }
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.codes.len()])
        .collect();
    let mut out = Outcome::default();
    'next: for diag in diagnostics {
        if let Some(p) = &diag.primary {
            for (di, dir) in directives.iter().enumerate() {
                if dir.file != p.file || !covers(&dir.scope, p.span.start) {
                    continue;
                }
                if let Some(ci) = dir.codes.iter().position(|e| e.code == diag.code) {
                    if let Some(u) = used.get_mut(di).and_then(|u| u.get_mut(ci)) {
                        *u = true;
                    }
                    out.suppressed.push(Suppressed {
                        diagnostic: diag,
                        reason: dir.reason.clone(),
                        by: (dir.file, dir.span.clone()),
                    });
                    continue 'next;
                }
            }
        }
        out.diagnostics.push(diag);
    }
    for (dir, used) in directives.iter().zip(&used) {
        for (e, _) in dir.codes.iter().zip(used).filter(|(_, u)| !**u) {
            let m = &pp901_unused_suppression::META;
            let what = match dir.scope {
                Scope::File => "in this file",
                Scope::Lines(_) => "on the next line",
                Scope::Nothing => "after this comment (no line follows it)",
            };
            own.push(
                Diagnostic::new(
                    m.code,
                    m.severity,
                    format!("no `{}` finding {what} to suppress", e.code),
                )
                .with_primary(dir.file, e.span.clone(), "unused")
                .with_help(if dir.codes.len() == 1 {
                    "remove the comment".to_string()
                } else {
                    format!("remove `{}` from the comment", e.code)
                }),
            );
        }
    }
    out.diagnostics.extend(own);
    out.diagnostics
        .sort_by_key(|d| d.primary.as_ref().map(|l| (l.file, l.span.start)));
    out
}

fn covers(scope: &Scope, offset: usize) -> bool {
    match scope {
        Scope::File => true,
        Scope::Lines(r) => r.contains(&offset),
        Scope::Nothing => false,
    }
}

/// The byte ranges of the lines of `text`, without their `\n`.
fn lines(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            out.push(start..i);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// The offset of the first non-blank byte in `r`, if any.
fn first_non_blank(text: &[u8], r: &Range<usize>) -> Option<usize> {
    (r.start..r.end).find(|&i| text.get(i).is_some_and(|b| !is_blank(*b)))
}

/// The `panicpol:` marker after a `#`: the offset just past it.
fn marker_after_hash(text: &[u8], hash: usize, end: usize) -> Option<usize> {
    let mut i = hash + 1;
    while i < end && text.get(i).is_some_and(|b| is_blank(*b)) {
        i += 1;
    }
    let word = b"panicpol:";
    let got = text.get(i..(i + word.len()).min(end))?;
    got.eq_ignore_ascii_case(word).then_some(i + word.len())
}

fn invalid(file: FileId, span: Range<usize>, message: impl Into<String>, help: &str) -> Diagnostic {
    let m = &pp903_invalid_suppression::META;
    Diagnostic::new(m.code, m.severity, message)
        .with_primary(file, span, "not a suppression")
        .with_help(help)
}

/// The suppression comments of one file, and the findings about them
/// (PP902, PP903).
pub fn directives_of(id: FileId, file: &SourceFile) -> (Vec<Directive>, Vec<Diagnostic>) {
    let text = &file.text;
    let lines = lines(text);
    let mut dirs = Vec::new();
    let mut findings = Vec::new();
    if !allows_comments(&file.layer) {
        // No comments here: a `#` is just a byte the kernel (or init) gets.
        if let Some(pos) = find_marker(text, 0..text.len()) {
            findings.push(invalid(
                id,
                pos..line_end(&lines, pos),
                "this file's format has no comments; the kernel reads these words",
                "remove it, and turn the rule off in panicpol.toml (`ignore = [\"PPnnn\"]`) instead",
            ));
        }
        return (dirs, findings);
    }
    for (li, line) in lines.iter().enumerate() {
        let Some(first) = first_non_blank(text, line) else {
            continue;
        };
        if text.get(first) != Some(&b'#') {
            // A trailing `# panicpol:` after a setting is not a suppression.
            if let Some(pos) = find_marker(text, line.clone()) {
                findings.push(invalid(
                    id,
                    pos..line.end,
                    "a suppression must stand on a line of its own",
                    "move the comment to its own line above the line it is for",
                ));
            }
            continue;
        }
        let Some(body) = marker_after_hash(text, first, line.end) else {
            continue;
        };
        match parse_directive(id, text, first..line.end, body) {
            Ok(Parsed {
                file_wide,
                codes,
                reason,
                mut problems,
            }) => {
                findings.append(&mut problems);
                match reason {
                    Some(reason) => {
                        let scope = if file_wide {
                            Scope::File
                        } else {
                            target_lines(text, &lines, li + 1)
                        };
                        dirs.push(Directive {
                            file: id,
                            span: first..line.end,
                            scope,
                            codes,
                            reason,
                        });
                    }
                    None => {
                        let m = &pp902_suppression_without_reason::META;
                        findings.push(
                            Diagnostic::new(
                                m.code,
                                m.severity,
                                "suppression without a reason is not applied",
                            )
                            .with_primary(id, first..line.end, "no `-- reason`")
                            .with_help("say why after `--`: `# panicpol: disable=PPnnn -- why this is fine`"),
                        );
                    }
                }
            }
            Err(d) => findings.push(*d),
        }
    }
    (dirs, findings)
}

/// The first `#panicpol:` / `# panicpol:` in a range of the text.
fn find_marker(text: &[u8], r: Range<usize>) -> Option<usize> {
    (r.start..r.end)
        .find(|&i| text.get(i) == Some(&b'#') && marker_after_hash(text, i, r.end).is_some())
}

fn line_end(lines: &[Range<usize>], pos: usize) -> usize {
    lines
        .iter()
        .find(|l| l.start <= pos && pos <= l.end)
        .map(|l| l.end)
        .unwrap_or(pos)
}

/// The next line from `from` that is neither blank nor a comment, extended
/// over `\` continuations.
fn target_lines(text: &[u8], lines: &[Range<usize>], from: usize) -> Scope {
    let mut i = from;
    while let Some(l) = lines.get(i) {
        match first_non_blank(text, l) {
            None => i += 1,
            Some(f) if text.get(f) == Some(&b'#') => i += 1,
            Some(_) => break,
        }
    }
    let Some(first) = lines.get(i) else {
        return Scope::Nothing;
    };
    let mut end = first.end;
    let mut cur = first.clone();
    loop {
        // `\` before the newline (ignoring a CR) continues the line.
        let mut e = cur.end;
        while e > cur.start && text.get(e - 1) == Some(&b'\r') {
            e -= 1;
        }
        if e == cur.start || text.get(e - 1) != Some(&b'\\') {
            break;
        }
        i += 1;
        match lines.get(i) {
            Some(next) => {
                end = next.end;
                cur = next.clone();
            }
            None => break,
        }
    }
    // Include the newline so a finding at the end of the line is covered.
    Scope::Lines(first.start..(end + 1).min(text.len().max(end)))
}

struct Parsed {
    file_wide: bool,
    codes: Vec<Entry>,
    /// `None` when there is no `-- reason`.
    reason: Option<String>,
    /// PP903 findings about single codes; the rest still applies.
    problems: Vec<Diagnostic>,
}

/// Reads `disable=…`/`disable-file=…` and the reason, starting at `body`
/// (just past `panicpol:`) in the comment `line`.
fn parse_directive(
    id: FileId,
    text: &[u8],
    line: Range<usize>,
    body: usize,
) -> Result<Parsed, Box<Diagnostic>> {
    let mut i = body;
    while i < line.end && text.get(i).is_some_and(|b| is_blank(*b)) {
        i += 1;
    }
    let rest = text.get(i..line.end).unwrap_or_default();
    let (file_wide, skip) = if rest.starts_with(b"disable-file=") {
        (true, "disable-file=".len())
    } else if rest.starts_with(b"disable=") {
        (false, "disable=".len())
    } else {
        let word_end = (i..line.end)
            .find(|&j| text.get(j).is_some_and(|b| is_blank(*b) || *b == b'='))
            .unwrap_or(line.end);
        return Err(Box::new(invalid(
            id,
            i..word_end.max(i),
            "a `# panicpol:` comment must say `disable=` or `disable-file=`",
            "write `# panicpol: disable=PPnnn -- reason` (next line) or `# panicpol: disable-file=PPnnn -- reason`",
        )));
    };
    let codes_start = i + skip;
    // The reason starts at the first `--` preceded by a blank or the codes.
    let sep = (codes_start..line.end.saturating_sub(1))
        .find(|&j| text.get(j..j + 2) == Some(b"--".as_slice()));
    let codes_end = sep.unwrap_or(line.end);
    let reason = sep.and_then(|s| {
        let r = String::from_utf8_lossy(text.get(s + 2..line.end).unwrap_or_default())
            .trim()
            .to_string();
        (!r.is_empty()).then_some(r)
    });
    let mut codes = Vec::new();
    let mut problems = Vec::new();
    let mut start = codes_start;
    for j in codes_start..=codes_end {
        if j < codes_end && text.get(j) != Some(&b',') {
            continue;
        }
        // One item: trim blanks on both sides.
        let (mut a, mut b) = (start, j);
        while a < b && text.get(a).is_some_and(|c| is_blank(*c)) {
            a += 1;
        }
        while b > a && text.get(b - 1).is_some_and(|c| is_blank(*c)) {
            b -= 1;
        }
        start = j + 1;
        if a == b {
            if j < codes_end || codes.is_empty() && problems.is_empty() {
                problems.push(invalid(
                    id,
                    a..b,
                    "empty code in a suppression",
                    "list codes separated by commas: `disable=PP201,PP205`",
                ));
            }
            continue;
        }
        let word = String::from_utf8_lossy(text.get(a..b).unwrap_or_default()).into_owned();
        match find(&word) {
            Some(r) if r.meta().code.starts_with("PP9") => problems.push(invalid(
                id,
                a..b,
                format!("`{}` cannot be suppressed by a comment", r.meta().code),
                "turn it off in panicpol.toml: `ignore = [\"PP9xx code\"]`",
            )),
            Some(r) => codes.push(Entry {
                code: r.meta().code,
                span: a..b,
            }),
            None => problems.push(invalid(
                id,
                a..b,
                format!("no rule `{word}`"),
                "`panicpol rule --all` lists the codes",
            )),
        }
    }
    Ok(Parsed {
        file_wide,
        codes,
        reason,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(layer: Layer, text: &str) -> SourceMap {
        let mut m = SourceMap::new();
        m.add(SourceFile::new("f", text, layer));
        m
    }

    /// A finding of `code` at the first occurrence of `needle` in file 0.
    fn at(text: &str, code: &'static str, needle: &str) -> Diagnostic {
        let Some(pos) = text.find(needle) else {
            panic!("{needle:?} not in {text:?}")
        };
        Diagnostic::warning(code, format!("{code} at {needle}")).with_primary(
            FileId(0),
            pos..pos + needle.len(),
            "here",
        )
    }

    fn codes(o: &Outcome) -> Vec<&'static str> {
        o.diagnostics.iter().map(|d| d.code).collect()
    }

    const GRUB: &str = "\
# panicpol: disable=PP205 -- the drop-in raises panic= on purpose
GRUB_CMDLINE_LINUX=\"panic=10 quiet panic=0\"
GRUB_CMDLINE_LINUX_DEFAULT=\"panic=5 panic=1\"
";

    #[test]
    fn next_line_only() {
        let m = map(Layer::GrubDefault, GRUB);
        let o = apply(
            &m,
            vec![at(GRUB, "PP205", "panic=10"), at(GRUB, "PP205", "panic=5")],
        );
        assert_eq!(codes(&o), ["PP205"]);
        assert_eq!(o.diagnostics[0].message, "PP205 at panic=5");
        assert_eq!(o.suppressed.len(), 1);
        assert_eq!(
            o.suppressed[0].reason,
            "the drop-in raises panic= on purpose"
        );
    }

    #[test]
    fn only_the_named_codes() {
        let m = map(Layer::GrubDefault, GRUB);
        let o = apply(
            &m,
            vec![at(GRUB, "PP205", "panic=10"), at(GRUB, "PP201", "quiet")],
        );
        assert_eq!(codes(&o), ["PP201"]);
    }

    #[test]
    fn skips_blank_and_comment_lines_and_follows_continuations() {
        let t = "# panicpol: disable=PP201 -- reason\n\n# other comment\nA=\"x \\\n  quiet\"\nB=\"quiet\"\n";
        let m = map(Layer::GrubDefault, t);
        let first = at(t, "PP201", "quiet");
        let Some(second_pos) = t.rfind("quiet") else {
            panic!()
        };
        let second = Diagnostic::warning("PP201", "second").with_primary(
            FileId(0),
            second_pos..second_pos + 5,
            "",
        );
        let o = apply(&m, vec![first, second]);
        assert_eq!(
            o.diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>(),
            ["second"]
        );
    }

    #[test]
    fn file_wide_and_names() {
        let t = "title x\n# panicpol: disable-file=repeated-param,PP201 -- fleet default\noptions panic=1 panic=2 quiet\n";
        let m = map(Layer::BlsEntry, t);
        let o = apply(
            &m,
            vec![
                at(t, "PP205", "panic=1"),
                at(t, "PP201", "quiet"),
                at(t, "PP101", "title"),
            ],
        );
        assert_eq!(codes(&o), ["PP101"]);
        assert_eq!(o.suppressed.len(), 2);
    }

    #[test]
    fn unused_codes_are_reported_each() {
        let m = map(
            Layer::GrubDefault,
            GRUB.replace("PP205", "PP205,PP201").as_str(),
        );
        let t = GRUB.replace("PP205", "PP205,PP201");
        let o = apply(&m, vec![at(&t, "PP205", "panic=10")]);
        assert_eq!(codes(&o), ["PP901"]);
        let d = &o.diagnostics[0];
        let span = d.primary.as_ref().map(|l| &t[l.span.clone()]);
        assert_eq!(span, Some("PP201"));
        assert_eq!(d.help.as_deref(), Some("remove `PP201` from the comment"));
        // Nothing at all: the one code is unused.
        let o = apply(&m, vec![]);
        assert_eq!(codes(&o), ["PP901", "PP901"]);
    }

    #[test]
    fn reason_is_required() {
        for t in [
            "# panicpol: disable=PP205\nA=\"panic=1 panic=2\"\n",
            "# panicpol: disable=PP205 --   \nA=\"panic=1 panic=2\"\n",
        ] {
            let m = map(Layer::GrubDefault, t);
            let o = apply(&m, vec![at(t, "PP205", "panic=1")]);
            assert_eq!(codes(&o), ["PP902", "PP205"], "{t}");
            assert!(o.suppressed.is_empty());
        }
    }

    #[test]
    fn malformed_comments() {
        let cases: &[(&str, &str)] = &[
            ("# panicpol: disable=PP2O5 -- r\nA=1\n", "PP2O5"),
            ("# panicpol: ignore=PP205 -- r\nA=1\n", "ignore"),
            ("# panicpol: disable=PP901 -- r\nA=1\n", "PP901"),
            ("# panicpol: disable= -- r\nA=1\n", ""),
            (
                "A=\"panic=1\" # panicpol: disable=PP205 -- r\n",
                "# panicpol: disable=PP205 -- r",
            ),
        ];
        for (t, span) in cases {
            let m = map(Layer::GrubDefault, t);
            let o = apply(&m, vec![]);
            assert_eq!(codes(&o), ["PP903"], "{t}");
            let got = o.diagnostics[0]
                .primary
                .as_ref()
                .map(|l| &t[l.span.clone()]);
            assert_eq!(got, Some(*span), "{t}");
        }
        // A bad code next to a good one: the good one still applies.
        let t = "# panicpol: disable=PP205,bogus -- r\nA=\"panic=1 panic=2\"\n";
        let m = map(Layer::GrubDefault, t);
        let o = apply(&m, vec![at(t, "PP205", "panic=1")]);
        assert_eq!(codes(&o), ["PP903"]);
        assert_eq!(o.suppressed.len(), 1);
    }

    #[test]
    fn raw_command_lines_have_no_comments() {
        let t = "# panicpol: disable=PP201 -- r quiet";
        let m = map(Layer::Cmdline, t);
        let o = apply(&m, vec![at(t, "PP201", "quiet")]);
        assert_eq!(codes(&o), ["PP903", "PP201"]);
        assert!(o.suppressed.is_empty());
        for layer in [
            Layer::Cmdline,
            Layer::KernelInstall,
            Layer::Uki,
            Layer::BuiltIn,
        ] {
            assert!(!allows_comments(&layer));
        }
        for layer in [
            Layer::GrubDefault,
            Layer::GrubCfg,
            Layer::BlsEntry,
            Layer::Bootconfig,
            Layer::Runtime,
        ] {
            assert!(allows_comments(&layer));
        }
    }

    #[test]
    fn ordinary_comments_and_other_files_are_untouched() {
        let t = "# a comment about panicpol\n#panicpol\nA=\"panic=1 panic=2\"\n";
        let mut m = map(Layer::GrubDefault, t);
        m.add(SourceFile::new("g", GRUB, Layer::GrubDefault));
        // A finding in file 0 is not covered by file 1's suppression.
        let o = apply(&m, vec![at(t, "PP205", "panic=1")]);
        assert_eq!(codes(&o), ["PP205", "PP901"]);
    }

    #[test]
    fn a_comment_at_the_end_suppresses_nothing() {
        let t = "A=1\n# panicpol: disable=PP205 -- r";
        let m = map(Layer::GrubDefault, t);
        let o = apply(&m, vec![]);
        assert_eq!(codes(&o), ["PP901"]);
        assert!(o.diagnostics[0].message.contains("no line follows"));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let alphabet = b"# panicpol:disable-file=PP205,\\\n\r\t-x\xff";
        for _ in 0..3000 {
            let mut t = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 60) as usize;
            let mut s = seed;
            for _ in 0..len {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push(alphabet[(s >> 33) as usize % alphabet.len()]);
            }
            let mut m = SourceMap::new();
            m.add(SourceFile::new("f", t.clone(), Layer::GrubDefault));
            let d = Diagnostic::warning("PP205", "x").with_primary(FileId(0), 0..t.len(), "");
            let o = apply(&m, vec![d]);
            for d in &o.diagnostics {
                if let Some(l) = &d.primary {
                    assert!(
                        l.span.start <= l.span.end && l.span.end <= t.len(),
                        "{t:?} {d:?}"
                    );
                }
            }
        }
    }
}
