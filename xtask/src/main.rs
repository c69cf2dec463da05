//! `cargo xtask`: the project's own tooling. Everything the tests need comes
//! from Debian's packages and is cached outside the repository (see
//! `panicpol_testkit::cache_dir`):
//!
//! - `deps`: install the Debian packages the tests and the fetch use;
//! - `fetch`: Debian's 6.1 and 6.12 cloud kernels, and the bootconfig
//!   oracles built from Debian's kernel source;
//! - `test`: the project's one test command (what CI runs);
//! - `boot`, `initrd`: the QEMU test rig by hand.

mod apt;
mod bootcmd;
mod deps;
mod kernels;
mod oracles;
mod sh;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::sh::Result;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "panicpol's tooling: deps, fetch, test, boot"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install the Debian packages the tests need (root; otherwise prints the command).
    Deps,
    /// Download Debian's kernels and build the oracles into the cache (idempotent).
    Fetch(FetchArgs),
    /// Run deps, fetch, rustfmt, clippy and every test with real kernels required.
    Test {
        /// Developer mode: no deps/fetch, no clippy, real-kernel tests may skip.
        #[arg(long)]
        quick: bool,
        #[command(flatten)]
        fetch: FetchArgs,
    },
    /// Boot a kernel under QEMU with the test initrd and print the guest's report.
    Boot {
        /// `6.1`, `6.12` (Debian's, from the cache), `oracle` (the bootconfig kernel) or a path.
        #[arg(long, default_value = "6.12")]
        kernel: String,
        /// Use this initrd instead of a fresh rig initrd (e.g. one with a bootconfig attached).
        #[arg(long)]
        initrd: Option<PathBuf>,
        /// Wall-clock limit in seconds; QEMU is killed after it.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// QEMU accelerator.
        #[arg(long, default_value = "tcg")]
        accel: String,
        /// An extra QEMU argument (repeat for more), e.g. `--qemu-arg=-gdb --qemu-arg=tcp:127.0.0.1:1234`.
        #[arg(long = "qemu-arg", allow_hyphen_values = true)]
        qemu_args: Vec<String>,
        /// Print the whole serial log.
        #[arg(long)]
        serial: bool,
        /// Save the serial log (CR stripped) to this file.
        #[arg(long)]
        log: Option<PathBuf>,
        /// The kernel command line (words are joined with spaces; `--` included).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, default_values_t = ["console=ttyS0".to_owned(), "panic=-1".to_owned()])]
        cmdline: Vec<String>,
    },
    /// Write the rig's test initrd (cpio newc with busybox and the reporting /init).
    Initrd {
        /// Where to write it.
        out: PathBuf,
        /// A static busybox (default: $BUSYBOX, else `busybox` on PATH).
        #[arg(long)]
        busybox: Option<PathBuf>,
    },
}

#[derive(clap::Args, Clone)]
struct FetchArgs {
    /// Only the kernels (default: kernels and oracles).
    #[arg(long)]
    kernels: bool,
    /// Only the oracles (default: kernels and oracles).
    #[arg(long)]
    oracles: bool,
    /// The 6.12 kernel ABI, e.g. 6.12.117+deb12, or `latest` (newest apt knows).
    #[arg(long = "abi-612", default_value = kernels::ABI_612_DEFAULT)]
    abi_612: String,
    /// The linux-source-6.12 version, or `candidate` (apt's candidate).
    #[arg(long, default_value = oracles::SOURCE_VERSION_DEFAULT)]
    source_version: String,
    /// make -j for the oracle kernel (default: number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
}

fn fetch(a: &FetchArgs) -> Result<()> {
    let t = Instant::now();
    let cache = panicpol_testkit::cache_dir();
    println!("cache: {}", cache.display());
    let both = !a.kernels && !a.oracles;
    if a.kernels || both {
        let abi = kernels::resolve_612(&a.abi_612)?;
        kernels::fetch(&panicpol_testkit::kernels_dir(), &abi)?;
    }
    if a.oracles || both {
        let build = oracles::Build {
            jobs: a
                .jobs
                .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
                .unwrap_or(1),
            kernel_cc: std::env::var("KERNEL_CC").ok().filter(|s| !s.is_empty()),
        };
        oracles::fetch(
            &panicpol_testkit::oracles_dir(),
            &oracles::SourceVersion::parse(&a.source_version),
            &build,
        )?;
    }
    println!("fetch: done in {}", sh::since(t));
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<i32> = match cli.cmd {
        Cmd::Deps => deps::deps().map(|()| 0),
        Cmd::Fetch(a) => fetch(&a).map(|()| 0),
        Cmd::Test { quick, fetch: f } => test::test(test::Plan { quick }, || fetch(&f)).map(|()| 0),
        Cmd::Boot {
            kernel,
            initrd,
            timeout,
            accel,
            qemu_args,
            serial,
            log,
            cmdline,
        } => bootcmd::boot(bootcmd::BootArgs {
            kernel,
            initrd,
            cmdline: cmdline.join(" "),
            timeout,
            accel,
            qemu_args,
            serial,
            log,
        }),
        Cmd::Initrd { out, busybox } => bootcmd::write_initrd(&out, busybox).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn boot_keeps_the_double_dash_in_the_command_line() {
        let cli = Cli::try_parse_from([
            "xtask",
            "boot",
            "--kernel",
            "oracle",
            "console=ttyS0",
            "foo=bar",
            "--",
            "baz",
        ])
        .unwrap();
        let Cmd::Boot {
            cmdline, kernel, ..
        } = cli.cmd
        else {
            panic!("not boot");
        };
        assert_eq!(kernel, "oracle");
        assert_eq!(cmdline.join(" "), "console=ttyS0 foo=bar -- baz");
    }

    #[test]
    fn fetch_defaults_are_the_pins() {
        let cli = Cli::try_parse_from(["xtask", "fetch", "--kernels"]).unwrap();
        let Cmd::Fetch(a) = cli.cmd else {
            panic!("not fetch");
        };
        assert!(a.kernels && !a.oracles);
        assert_eq!(a.abi_612, "6.12.117+deb12");
        assert_eq!(a.source_version, "6.12.117-1~deb12u1");
    }
}
