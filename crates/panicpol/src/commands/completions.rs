//! `panicpol completions SHELL`: a completion script generated from the clap
//! definitions, so it never falls behind the real options.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::input::Failure;

pub(super) fn run(a: CompletionsArgs) -> Result<ExitCode, Failure> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "panicpol", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}
