//! `panicpol check`: lint every boot entry of the named files, of a whole
//! image (`--root`), of `--cmdline` strings, or of this system, against a
//! kernel build.
//!
//! Each entry is analysed by `panicpol_lint::context::EntryAnalysis` (its
//! bootconfig, built-in command line and runtime files included) and every
//! rule runs on it; findings about a shared file (a drop-in used by several
//! grub.cfg entries) are reported once. `panicpol.toml` settings and
//! suppression comments then apply.

use std::collections::HashSet;
use std::process::ExitCode;

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_lint::context::EntryAnalysis;

use crate::args::{CheckArgs, FailLevel, Format};
use crate::commands::sources::{self, Wanted};
use crate::config;
use crate::input::Failure;
use crate::render::{self, CheckedCmdline};

pub(super) fn run(a: CheckArgs) -> Result<ExitCode, Failure> {
    let wanted = Wanted {
        files: &a.files,
        cmdlines: &a.cmdline,
        root: a.root.as_deref(),
        as_format: a.as_format,
        kernel_config: a.kernel.config.as_deref(),
    };
    let live = wanted.live();
    // panicpol.toml is looked for from the first file's folder upward; for
    // a root, from the root (a name inside it stands for "a file there").
    let inputs: Vec<std::path::PathBuf> = match &a.root {
        Some(r) => vec![r.join("panicpol.toml")],
        None => a.files.clone(),
    };
    let cfg = config::load(&inputs, None)?;
    let kernel_args = config::kernel_args(&a.kernel, cfg.as_ref());
    let found = sources::gather_sources(&wanted)?;
    let mut kernel =
        super::kernel::load(&kernel_args, live, panicpol_kernel::elf::Options::default())?;
    if kernel.config.is_none()
        && let Some(text) = sources::found_config(&found, kernel.release.as_deref())
        && let Ok(read) = panicpol_kernel::config::read_config(&text)
    {
        kernel.config = Some(read.config);
    }

    let mut checked = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for entry in &found.entries {
        let analysis = EntryAnalysis::new(entry, &kernel);
        let cx = analysis.context(&kernel);
        for mut d in panicpol_lint::check(&cx) {
            sources::clamp(&found.map, &mut d);
            // A finding in a file several entries share is one finding.
            if seen.insert(format!("{d:?}")) {
                diagnostics.push(d);
            }
        }
        checked.push(CheckedCmdline {
            file: entry.file,
            entry: entry.name.clone(),
            text: entry.cmdline.text.clone(),
            map: entry.cmdline.clone(),
            dispatch: analysis.dispatch,
            policy: analysis.policy,
        });
    }
    let outcome = config::settings(cfg.as_ref()).finish(&found.map, diagnostics);
    let mut diagnostics = outcome.diagnostics;
    if a.output.format == Format::Human {
        // A snippet shows one file: the places in other files become notes.
        for d in &mut diagnostics {
            let Some(file) = d.primary.as_ref().map(|p| p.file) else {
                continue;
            };
            let elsewhere: Vec<String> = d
                .secondary
                .iter()
                .filter(|l| l.file != file)
                .map(|l| {
                    let at = sources::loc_text(&found.map, &(l.file, l.span.clone()));
                    format!("{}: {at}", l.message)
                })
                .collect();
            d.notes.extend(elsewhere);
        }
    }

    render::check_report(&a.output, &found.map, &kernel, &checked, &diagnostics)?;

    // The default `--fail-level error` yields to panicpol.toml's.
    let given = match a.output.fail_level {
        FailLevel::Info => Some(Severity::Info),
        FailLevel::Warning => Some(Severity::Warning),
        FailLevel::Error => None,
    };
    let threshold = config::fail_level(given, cfg.as_ref());
    let failed = diagnostics.iter().any(|d| d.severity >= threshold);
    Ok(if failed && !a.output.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
