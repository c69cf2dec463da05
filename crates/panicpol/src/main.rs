//! The `panicpol` command line: parse arguments, run, map the result to an exit code.
//!
//! Exit codes: 0 clean, 1 findings at or above `--fail-level`, 2 usage or I/O
//! error. A closed pipe on stdout is not an error.

mod args;
mod commands;
mod config;
mod input;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status,
        Err(err) => {
            if err.is_broken_pipe() {
                return ExitCode::SUCCESS;
            }
            render::report_failure(&err);
            ExitCode::from(2)
        }
    }
}
