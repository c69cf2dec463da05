//! One module per subcommand. Each turns arguments into calls to the library
//! crates and hands the results to a renderer.

mod check;
pub(crate) mod cmdline;
mod completions;
pub(crate) mod emit;
mod explain;
pub(crate) mod initrd;
mod kernel;
mod kernel_show;
mod man;
mod rule;
mod sources;

use std::process::ExitCode;

use crate::args::{Cli, Command};
use crate::input::Failure;

pub(crate) fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Kernel(a) => kernel_show::run(a),
        Command::Rule(a) => rule::run(a),
        Command::Cmdline(a) => cmdline::run(a),
        Command::Emit(a) => emit::run(a),
        Command::Initrd(a) => initrd::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}
