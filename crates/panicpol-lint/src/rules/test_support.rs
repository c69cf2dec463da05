//! A compact way to run one rule on a command line in tests.

use panicpol_diagnostics::{Diagnostic, FileId};
use panicpol_kernel::{Kernel, KernelSource};
use panicpol_syntax::cmdline::tokenize;

use crate::{Context, Rule};

/// Runs `rule` on `text` against an empty kernel; returns (code, span text,
/// message) for every finding.
pub(crate) fn run(rule: &dyn Rule, text: &[u8]) -> Vec<(String, String, String)> {
    let mut kernel = Kernel::empty(KernelSource::Catalogue);
    panicpol_policy::supplement::supplement(&mut kernel);
    run_with(rule, text, &kernel)
        .into_iter()
        .map(|d| {
            let span = d
                .primary
                .as_ref()
                .map(|l| String::from_utf8_lossy(&text[l.span.clone()]).into_owned())
                .unwrap_or_default();
            (d.code.to_string(), span, d.message)
        })
        .collect()
}

/// Runs `rule` on `text` against `kernel`.
pub(crate) fn run_with(rule: &dyn Rule, text: &[u8], kernel: &Kernel) -> Vec<Diagnostic> {
    let cmdline = tokenize(text);
    let dispatch = panicpol_policy::dispatch::dispatch_cmdline(text, kernel);
    let policy = panicpol_policy::policy::lower(&dispatch, kernel, text);
    let version = panicpol_policy::policy::kernel_version(kernel);
    let plan = panicpol_policy::plan::resolve(&policy, kernel);
    let map = panicpol_syntax::provenance::Composed::single(FileId(0), text, 0);
    let cx = Context {
        file: FileId(0),
        text,
        map: &map,
        cmdline: &cmdline,
        kernel,
        version: &version,
        dispatch: &dispatch,
        policy: &policy,
        plan: &plan,
        entry: None,
        after_boot: None,
    };
    let mut out = Vec::new();
    rule.check(&cx, &mut out);
    out
}
