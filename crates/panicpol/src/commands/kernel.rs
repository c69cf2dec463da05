//! Loading the target kernel from the sources the user named.

use std::path::Path;

use panicpol_kernel::{Kernel, KernelSource, config, elf, kallsyms};

use crate::args::KernelArgs;
use crate::input::{self, Failure};

/// The largest System.map or kallsyms dump panicpol reads (6.12's is 7 MB).
const SYMBOL_FILE_LIMIT: u64 = 256 << 20;

/// Where the running system's symbols are.
const LIVE_KALLSYMS: &str = "/proc/kallsyms";

/// The kernel to check against. `live` says that no input was named, so the
/// running system's kallsyms is the default; a kallsyms that cannot be read
/// there (no procfs, a container) falls back to the catalogue.
pub(crate) fn load(a: &KernelArgs, live: bool, opts: elf::Options) -> Result<Kernel, Failure> {
    let mut kernel = if let Some(p) = &a.vmlinux {
        // A 600 MB image on a slow disk takes a while: say so on a terminal.
        let progress = crate::progress::Progress::start(&format!("reading {}", p.display()));
        let k =
            elf::read_vmlinux(p, opts).map_err(|e| Failure::new(format!("{}: {e}", p.display())));
        progress.finish();
        k?
    } else if let Some(p) = &a.system_map {
        let bytes = input::read_limited(p, SYMBOL_FILE_LIMIT)?;
        kallsyms::kernel_from_system_map(&bytes)
            .map_err(|e| Failure::new(format!("{}: {e}", p.display())))?
    } else if let Some(p) = &a.kallsyms {
        let bytes = input::read_limited(p, SYMBOL_FILE_LIMIT)?;
        let mut k = kallsyms::kernel_from_kallsyms(&bytes)
            .map_err(|e| Failure::new(format!("{}: {e}", p.display())))?;
        // The running kernel's own list: its release is the running one.
        if p == Path::new(LIVE_KALLSYMS) {
            k.release = live_release();
        }
        k
    } else if live {
        match input::read_limited(Path::new(LIVE_KALLSYMS), SYMBOL_FILE_LIMIT)
            .ok()
            .and_then(|b| kallsyms::kernel_from_kallsyms(&b).ok())
        {
            Some(mut k) => {
                k.release = live_release();
                k
            }
            None => Kernel::empty(KernelSource::Catalogue),
        }
    } else {
        Kernel::empty(KernelSource::Catalogue)
    };
    if let Some(dir) = &a.modules {
        let r =
            elf::read_modules(dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
        kernel.notifiers.extend(r.notifiers);
        // A module that cannot be read may register a notifier: say so
        // rather than list fewer as if that were all.
        if let Some((path, why)) = r.skipped.first() {
            let more = match r.skipped.len() - 1 {
                0 => String::new(),
                n => format!("; and {n} more"),
            };
            kernel.gaps.push(format!(
                "{} of {} module files could not be read, so their notifiers are missing ({}: {why}{more})",
                r.skipped.len(),
                r.scanned.max(r.skipped.len()),
                path.strip_prefix(dir).unwrap_or(path).display()
            ));
        }
    }
    if live && a.config.is_none() {
        kernel.config = live_config(kernel.release.as_deref());
    }
    if let Some(p) = &a.config {
        let bytes = input::read_limited(p, input::TEXT_LIMIT)?;
        let read = config::read_config(&bytes)
            .map_err(|e| Failure::new(format!("{}: {e}", p.display())))?;
        kernel.config = Some(read.config);
    }
    // A System.map or kallsyms dump does not say which release it is; the
    // name `/boot` gives it does (`System.map-6.12.117+deb12-cloud-amd64`),
    // as does a config's (the config's heading gives the version, read by
    // `policy::kernel_version`).
    if kernel.release.is_none() {
        kernel.release = [&a.system_map, &a.kallsyms, &a.config, &a.vmlinux]
            .into_iter()
            .flatten()
            .filter_map(|p| p.file_name()?.to_str())
            .find_map(config::release_from_file_name);
    }
    // A partial source shows no parameter table: add the panic parameters it
    // proves (or, with nothing at all, the ones the version implies).
    panicpol_policy::supplement::supplement(&mut kernel);
    Ok(kernel)
}

/// The running kernel's config, when it can be read: `/proc/config.gz`
/// (CONFIG_IKCONFIG_PROC), else `/boot/config-RELEASE` as distributions
/// install it. Neither is required: without one, the checks that need the
/// config say they could not tell.
fn live_config(release: Option<&str>) -> Option<panicpol_kernel::KernelConfig> {
    let boot = release.map(|r| format!("/boot/config-{r}"));
    ["/proc/config.gz"]
        .into_iter()
        .chain(boot.as_deref())
        .find_map(|p| {
            let bytes = input::read_limited(Path::new(p), input::TEXT_LIMIT).ok()?;
            config::read_config(&bytes).ok().map(|r| r.config)
        })
}

/// `uname -r` of the running kernel.
fn live_release() -> Option<String> {
    let b = input::read_limited(Path::new("/proc/sys/kernel/osrelease"), 4096).ok()?;
    let s = String::from_utf8_lossy(&b).trim().to_string();
    (!s.is_empty()).then_some(s)
}
