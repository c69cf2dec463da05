//! `panicpol check`: lint command lines against a kernel build.

use std::process::ExitCode;

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::cmdline::tokenize;

use crate::args::{CheckArgs, FailLevel};
use crate::input::{self, Failure};
use crate::render::{self, CheckedCmdline};

pub(super) fn run(a: CheckArgs) -> Result<ExitCode, Failure> {
    let live = a.files.is_empty() && a.cmdline.is_empty();
    let sources = super::sources::gather(&a.files, &a.cmdline)?;
    let kernel = super::kernel::load(&a.kernel, live, panicpol_kernel::elf::Options::default())?;

    let version = panicpol_policy::policy::kernel_version(&kernel);
    let mut checked = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for (id, file) in sources.iter() {
        let end = input::cmdline_extent(&file.text);
        let text = &file.text[..end];
        let cmdline = tokenize(text);
        let dispatch = panicpol_policy::dispatch::dispatch_cmdline(text, &kernel);
        let policy = panicpol_policy::policy::lower(&dispatch, &kernel, text);
        let plan = panicpol_policy::plan::resolve(&policy, &kernel);
        let map = panicpol_syntax::provenance::Composed::single(id, text, 0);
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
        diagnostics.extend(panicpol_lint::check(&cx));
        checked.push(CheckedCmdline {
            file: id,
            text: text.to_vec(),
            dispatch,
            policy,
        });
    }

    render::check_report(&a.output, &sources, &kernel, &checked, &diagnostics)?;

    let threshold = match a.output.fail_level {
        FailLevel::Info => Severity::Info,
        FailLevel::Warning => Severity::Warning,
        FailLevel::Error => Severity::Error,
    };
    let failed = diagnostics.iter().any(|d| d.severity >= threshold);
    Ok(if failed && !a.output.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
