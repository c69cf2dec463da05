//! Prints the panic notifiers registered by the `.ko` modules under a
//! folder (e.g. a kernel's debug modules).
//!
//! Usage: `modules DIR`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: modules DIR");
        return ExitCode::from(2);
    };
    match panicpol_kernel::elf::read_modules(&dir) {
        Ok(r) => {
            println!("read {} modules, skipped {}", r.scanned, r.skipped.len());
            for n in &r.notifiers {
                println!(
                    "{:<20} {:<28} block={:<36} prio={:<12} in={} dyn={}",
                    n.module.as_deref().unwrap_or("?"),
                    n.callback.as_deref().unwrap_or("?"),
                    n.block.as_deref().unwrap_or("-"),
                    n.priority.map_or("-".to_string(), |p| p.to_string()),
                    n.registered_in.as_deref().unwrap_or("-"),
                    n.dynamic
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::from(1)
        }
    }
}
