//! Prints what panicpol reads from a vmlinux: release, table counts, and the
//! panic notifier registrations with file:line. Used to measure the whole
//! "kernel notifiers" job (time, peak RSS) against nm/readelf/addr2line.
//!
//! Usage: `notifiers VMLINUX [--no-lines] [--no-symbols] [--info] [--all-chains]`

use panicpol_kernel::elf::{Options, Vmlinux};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: notifiers VMLINUX [--no-lines] [--no-symbols] [--info] [--all-chains]");
        return ExitCode::from(2);
    };
    let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    let mut opts = Options::all();
    if rest.iter().any(|a| a == "--no-lines") {
        opts.lines = false;
    }
    if rest.iter().any(|a| a == "--info") {
        opts = Options::info();
    }
    if rest.iter().any(|a| a == "--no-symbols") {
        opts.symbols = false;
    }
    let report = match Vmlinux::open(&path).and_then(|v| v.read(opts)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let k = &report.kernel;
    println!("release: {}", k.release.as_deref().unwrap_or("?"));
    println!("arch: {:?}", k.arch);
    println!("symbols: {}", k.symbols.len());
    println!("params: {}  setups: {}", k.params.len(), k.setups.len());
    println!(
        "scan: {} candidates, {} confirmed, {} outside functions",
        report.scan.candidates, report.scan.confirmed, report.scan.outside_functions
    );
    for n in &k.notifiers {
        println!(
            "notifier: {:<30} block={:<34} prio={:<12} in={:<32} dyn={} {:?} {}",
            n.callback.as_deref().unwrap_or("?"),
            n.block.as_deref().unwrap_or("-"),
            n.priority.map_or("-".to_string(), |p| p.to_string()),
            n.registered_in.as_deref().unwrap_or("-"),
            n.dynamic,
            n.known,
            n.location.as_deref().unwrap_or("")
        );
    }
    if rest.iter().any(|a| a == "--all-chains") {
        for r in &report.registrations {
            println!(
                "call {:#x} {} {} chain={} block={} expr={} cb={} prio={:?}",
                r.site,
                r.function,
                if r.tail { "jmp" } else { "call" },
                r.chain.as_deref().unwrap_or("?"),
                r.block.as_deref().unwrap_or("-"),
                r.block_expr.as_deref().unwrap_or("-"),
                r.callback.as_deref().unwrap_or("?"),
                r.priority
            );
        }
    }
    ExitCode::SUCCESS
}
