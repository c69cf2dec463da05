//! `cargo xtask boot` and `cargo xtask initrd`: the test rig by hand. Boots
//! a cached or given kernel with the rig's initrd (or one you prepared, e.g.
//! with a bootconfig attached) and prints what the guest reported.

use std::path::{Path, PathBuf};
use std::time::Duration;

use panicpol_testkit::{InitrdOptions, Qemu, layout, make_initrd};

use crate::sh::{Context, Result, bail};

/// The kernel to boot: `6.1`, `6.12`, `oracle`, or a path.
pub(crate) fn kernel_path(which: &str) -> Result<PathBuf> {
    let p = match which {
        "6.1" | "6.12" => panicpol_testkit::kernels_dir()
            .join("k")
            .join(which)
            .join("vmlinuz"),
        "oracle" => panicpol_testkit::oracles_dir().join(layout::ORACLE_BZIMAGE),
        path => PathBuf::from(path),
    };
    if !p.exists() {
        bail!("{} does not exist (run `cargo xtask fetch`)", p.display());
    }
    Ok(p)
}

/// Writes the rig's initrd to `out`.
pub(crate) fn write_initrd(out: &Path, busybox: Option<PathBuf>) -> Result<()> {
    let img =
        make_initrd(&InitrdOptions { busybox }).map_err(|e| crate::sh::Error(e.to_string()))?;
    std::fs::write(out, &img).ctx(|| format!("writing {}", out.display()))?;
    println!(
        "{}: cpio newc, {} bytes, uncompressed",
        out.display(),
        img.len()
    );
    Ok(())
}

/// What `cargo xtask boot` was asked to do.
pub(crate) struct BootArgs {
    pub(crate) kernel: String,
    pub(crate) initrd: Option<PathBuf>,
    pub(crate) cmdline: String,
    pub(crate) timeout: u64,
    pub(crate) accel: String,
    pub(crate) qemu_args: Vec<String>,
    pub(crate) serial: bool,
    pub(crate) log: Option<PathBuf>,
}

/// Boots and prints the result; returns QEMU's exit code (124 on timeout,
/// like `timeout(1)`), which becomes the xtask's.
pub(crate) fn boot(a: BootArgs) -> Result<i32> {
    let kernel = kernel_path(&a.kernel)?;
    let tmp;
    let initrd = match &a.initrd {
        Some(p) => p.clone(),
        None => {
            tmp = std::env::temp_dir()
                .join(format!("panicpol-xtask-initrd-{}.img", std::process::id()));
            write_initrd(&tmp, None)?;
            tmp.clone()
        }
    };
    let qemu = Qemu {
        timeout: Duration::from_secs(a.timeout),
        accel: a.accel.clone(),
        extra_args: a.qemu_args.iter().map(Into::into).collect(),
        ..Qemu::default()
    };
    let shown: Vec<String> = qemu
        .args(&kernel, &initrd, &a.cmdline)
        .iter()
        .map(|s| crate::sh::quote(s))
        .collect();
    println!("$ {} {}", qemu.binary.display(), shown.join(" "));
    let result = qemu.boot(&kernel, &initrd, &a.cmdline);
    if a.initrd.is_none() {
        let _ = std::fs::remove_file(&initrd);
    }
    let r = result.map_err(|e| crate::sh::Error(e.to_string()))?;
    if let Some(log) = &a.log {
        std::fs::write(log, &r.serial).ctx(|| format!("writing {}", log.display()))?;
    }
    if a.serial {
        println!("### serial log");
        print!("{}", r.serial);
    }
    println!(
        "### qemu exit status: {}{}",
        r.status.map_or("killed".to_owned(), |s| s.to_string()),
        if r.timed_out { " (timeout)" } else { "" }
    );
    println!("### host wall time: {:.2} s", r.wall.as_secs_f64());
    if !r.qemu_stderr.trim().is_empty() {
        println!("### qemu stderr:\n{}", r.qemu_stderr.trim_end());
    }
    println!(
        "### kernel command line: {}",
        r.kernel_cmdline
            .as_deref()
            .unwrap_or("(not in the log; add console=ttyS0)")
    );
    match &r.report {
        Some(rep) => {
            println!(
                "### guest report{}",
                if rep.complete { "" } else { " (incomplete)" }
            );
            for (k, v) in &rep.values {
                if v.contains('\n') {
                    println!("{k}:");
                    for l in v.lines() {
                        println!("    {l}");
                    }
                } else {
                    println!("{k}: {v}");
                }
            }
            for k in &rep.absent {
                println!("{k}: (absent)");
            }
            for l in &rep.stray {
                println!("(kernel, during the report) {l}");
            }
        }
        None => println!("### no guest report (did the kernel reach /init? try --serial)"),
    }
    if !r.panic_lines.is_empty() {
        println!("### panic output ({} lines)", r.panic_lines.len());
        for l in &r.panic_lines {
            println!("{l}");
        }
    }
    Ok(match (r.timed_out, r.status) {
        (true, _) => 124,
        (false, Some(s)) => s,
        (false, None) => 125,
    })
}
