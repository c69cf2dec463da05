//! Suppressions and settings over real findings: the rules run on the
//! `options` line of a Boot Loader Spec entry (spans in the file's
//! coordinates, as `check` makes them), then `Settings::finish` applies the
//! entry's `# panicpol:` comments and a `panicpol.toml`.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use panicpol_diagnostics::{Diagnostic, Layer, Severity, SourceFile, SourceMap};
use panicpol_kernel::{Kernel, KernelSource};
use panicpol_lint::settings::Settings;
use panicpol_syntax::cmdline::tokenize;
use panicpol_syntax::provenance::Composed;

/// Runs every rule on each `options` line of a BLS entry.
fn lint_bls(entry: &str) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(
        "entries/debian.conf",
        entry,
        Layer::BlsEntry,
    ));
    let mut kernel = Kernel::empty(KernelSource::Catalogue);
    panicpol_policy::supplement::supplement(&mut kernel);
    let version = panicpol_policy::policy::kernel_version(&kernel);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in entry.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("options ") {
            let text = rest.trim_end().as_bytes();
            let base = offset + "options ".len();
            let map = Composed::single(id, text, base);
            let cmdline = tokenize(text);
            let dispatch = panicpol_policy::dispatch::dispatch_cmdline(text, &kernel);
            let policy = panicpol_policy::policy::lower(&dispatch, &kernel, text);
            let plan = panicpol_policy::plan::resolve(&policy, &kernel);
            let cx = panicpol_lint::Context {
                file: id,
                text,
                map: &map,
                cmdline: &cmdline,
                kernel: &kernel,
                version: &version,
                dispatch: &dispatch,
                policy: &policy,
                plan: &plan,
                entry: None,
                after_boot: None,
            };
            out.extend(panicpol_lint::check(&cx));
        }
        offset += line.len();
    }
    (sources, out)
}

fn settings(toml: &str) -> Settings {
    match Settings::parse(toml) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

const ENTRY: &str = "\
title Debian 6.12
# panicpol: disable=PP205 -- the fleet default is overridden below on purpose
options root=/dev/vda1 panic=10 quiet panic=30
options panic=1 panic=2
";

#[test]
fn real_findings_are_suppressed_on_the_next_line_only() {
    let (sources, diags) = lint_bls(ENTRY);
    assert_eq!(codes(&diags), ["PP205", "PP205"], "{diags:?}");
    let out = Settings::default().finish(&sources, diags);
    assert_eq!(codes(&out.diagnostics), ["PP205"]);
    let Some(left) = out.diagnostics[0].primary.as_ref() else {
        panic!("located")
    };
    // The one left is on line 4, `panic=1`.
    let file = sources.get(left.file).map(|f| f.line_col(left.span.start));
    assert_eq!(file, Some((4, 9)));
    assert_eq!(out.suppressed.len(), 1);
    assert_eq!(
        out.suppressed[0].reason,
        "the fleet default is overridden below on purpose"
    );
}

#[test]
fn settings_apply_after_suppressions() {
    let (sources, diags) = lint_bls(ENTRY);
    // PP205 raised to an error: the unsuppressed one is an error now.
    let out = settings("[severity]\nPP205 = \"error\"\n").finish(&sources, diags.clone());
    assert_eq!(codes(&out.diagnostics), ["PP205"]);
    assert_eq!(out.diagnostics[0].severity, Severity::Error);
    // PP205 ignored: nothing left, and the suppression still counts as used
    // (the rule ran), so no PP901.
    let out = settings("ignore = [\"repeated-param\"]\n").finish(&sources, diags.clone());
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // Only PP1xx selected: the comment's own findings would be PP9xx, also off.
    let out = settings("select = [\"PP1\"]\n").finish(&sources, diags);
    assert!(out.diagnostics.is_empty());
}

#[test]
fn a_stale_suppression_is_reported_against_real_findings() {
    let entry = ENTRY.replace("panic=10 quiet panic=30", "panic=10 quiet");
    let (sources, diags) = lint_bls(&entry);
    let out = Settings::default().finish(&sources, diags);
    assert_eq!(
        codes(&out.diagnostics),
        ["PP901", "PP205"],
        "{:?}",
        out.diagnostics
    );
    assert_eq!(out.diagnostics[0].severity, Severity::Warning);
}
