//! `panicpol man [SUBCOMMAND]`: roff man pages generated from the clap
//! definitions — `panicpol(1)` and one `panicpol-SUBCOMMAND(1)` per
//! subcommand, as git does — printed, or all written to a folder with
//! `--dir` for packagers.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::{Cli, ManArgs};
use crate::input::Failure;

/// The page of `cmd`, titled `name`, its synopsis starting with `bin`.
fn render(cmd: clap::Command, name: &str, bin: &str) -> Result<Vec<u8>, Failure> {
    let cmd = cmd.display_name(name.to_string()).bin_name(bin.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Failure::io("rendering the man page", &e))?;
    Ok(buf)
}

/// Every page: `("panicpol", page)`, then `("panicpol-check", page)` … in
/// the order of the subcommands.
pub(crate) fn pages() -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let mut cli = Cli::command();
    // Building adds the `help` subcommand, which the top page lists too.
    cli.build();
    let top = with_sections(render(cli.clone(), "panicpol", "panicpol")?);
    let mut out = vec![("panicpol".to_string(), top)];
    for sub in cli.get_subcommands() {
        let name = format!("panicpol-{}", sub.get_name());
        // The version is the tool's; subcommands inherit it for the footer.
        let sub = sub.clone().version(env!("CARGO_PKG_VERSION"));
        let bin = format!("panicpol {}", sub.get_name());
        out.push((name.clone(), render(sub, &name, &bin)?));
    }
    Ok(out)
}

/// What the clap definitions cannot say: exit status, files, environment.
const SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
0
No finding at or above the fail level (or \fB\-\-exit\-zero\fR).
.TP
1
A finding at or above \fB\-\-fail\-level\fR (default \fBerror\fR).
.TP
2
A usage error, an unreadable or malformed input, settings or kernel image.
.SH FILES
.TP
\fIpanicpol.toml\fR
Settings for \fBpanicpol check\fR, found upward from the first checked file
(or the current folder), or named with \fB\-\-config\-file\fR: \fBselect\fR
and \fBignore\fR rule codes, \fB[severity]\fR overrides, \fBfail\-level\fR and
the default kernel (\fBvmlinux\fR, \fBsystem\-map\fR, \fBkallsyms\fR,
\fBkernel\-config\fR, relative to the file's folder).
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, human output has no colour (as when stdout is not a terminal).
.TP
\fBCI\fR
When set and not empty, no progress is shown on stderr (as when stderr is not a terminal).
.SH "SUPPRESSIONS"
In files that have \fB#\fR comments (grub defaults, grub.cfg, BLS entries,
bootconfig, sysctl.d, tmpfiles.d), a line
\fB# panicpol: disable=PP201,PP205 \-\- reason\fR
suppresses those codes on the next line that is not blank or a comment, and
\fB# panicpol: disable\-file=PPnnn \-\- reason\fR in the whole file.
The reason is required. Unused suppressions are reported (PP901).
"#;

/// The top page with [`SECTIONS`] before its VERSION section.
fn with_sections(page: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&page).into_owned();
    let out = match text.find(".SH VERSION") {
        Some(i) => format!("{}{SECTIONS}{}", &text[..i], &text[i..]),
        None => format!("{text}{SECTIONS}"),
    };
    out.into_bytes()
}

pub(super) fn run(a: ManArgs) -> Result<ExitCode, Failure> {
    let pages = pages()?;
    if let Some(dir) = &a.dir {
        return write_all(dir, &pages);
    }
    let want = match &a.subcommand {
        Some(s) => format!("panicpol-{s}"),
        None => "panicpol".to_string(),
    };
    let Some((_, page)) = pages.iter().find(|(n, _)| *n == want) else {
        let names: Vec<&str> = pages
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("panicpol-"))
            .collect();
        return Err(Failure::new(format!(
            "no subcommand {:?}; the pages are: {}",
            a.subcommand.unwrap_or_default(),
            names.join(", ")
        )));
    };
    let mut out = std::io::stdout().lock();
    out.write_all(page)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

fn write_all(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<ExitCode, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::io(dir.display(), &e))?;
    for (name, page) in pages {
        let p = dir.join(format!("{name}.1"));
        std::fs::write(&p, page).map_err(|e| Failure::io(p.display(), &e))?;
    }
    Ok(ExitCode::SUCCESS)
}
