//! `cargo xtask fetch --kernels`: Debian bookworm's cloud kernels, as
//! packages, unpacked in the cache, with stable links the tests use:
//!
//! ```text
//! <cache>/kernels/debs/<package>_<version>_amd64.deb      apt-get download
//! <cache>/kernels/debian/<package>/...                      dpkg-deb -x
//! <cache>/kernels/k/<6.1|6.12>/{vmlinuz,config,vmlinux,System.map}   relative links
//! ```
//!
//! `vmlinuz` and `config` come from the `-unsigned` package, `vmlinux` and
//! `System.map` from the `-dbg` package (the `-unsigned` package's
//! System.map is an 83-byte placeholder). Every step skips what is already
//! there, and the result is checked each run, so a cache made by an older
//! tool with the same layout is reused as is.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::apt;
use crate::sh::{self, Context, Result, bail};

/// The 6.1 kernel ABI the tests pin (bookworm's main archive).
pub(crate) const ABI_61: &str = "6.1.0-50";
/// The default 6.12 kernel ABI (bookworm-security); `latest` asks apt for
/// the newest `6.12.N+deb12`.
pub(crate) const ABI_612_DEFAULT: &str = "6.12.117+deb12";
/// Debian's flavour suffix for the cloud kernels.
const FLAVOUR: &str = "cloud-amd64";

/// One kernel series to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Series {
    /// The folder name under `k/`: "6.1" or "6.12".
    pub(crate) name: &'static str,
    /// The ABI with flavour, e.g. `6.12.117+deb12-cloud-amd64`.
    pub(crate) abi: String,
}

impl Series {
    fn new(name: &'static str, abi: &str) -> Series {
        Series {
            name,
            abi: format!("{abi}-{FLAVOUR}"),
        }
    }

    fn unsigned(&self) -> String {
        format!("linux-image-{}-unsigned", self.abi)
    }

    fn dbg(&self) -> String {
        format!("linux-image-{}-dbg", self.abi)
    }

    /// `(link name, target relative to k/<series>/)` for each linked file.
    pub(crate) fn links(&self) -> [(&'static str, String); 4] {
        let (abi, u, d) = (&self.abi, self.unsigned(), self.dbg());
        [
            ("vmlinuz", format!("../../debian/{u}/boot/vmlinuz-{abi}")),
            ("config", format!("../../debian/{u}/boot/config-{abi}")),
            (
                "vmlinux",
                format!("../../debian/{d}/usr/lib/debug/boot/vmlinux-{abi}"),
            ),
            (
                "System.map",
                format!("../../debian/{d}/usr/lib/debug/boot/System.map-{abi}"),
            ),
        ]
    }
}

/// Resolves the 6.12 ABI option: a pinned ABI as given, or `latest`.
pub(crate) fn resolve_612(opt: &str) -> Result<String> {
    if opt != "latest" {
        if !opt.starts_with("6.12.") || opt.ends_with(FLAVOUR) {
            bail!("--abi-612 wants e.g. {ABI_612_DEFAULT} (no flavour) or `latest`, not {opt:?}");
        }
        return Ok(opt.to_owned());
    }
    let list = sh::output(Command::new("apt-cache").args([
        "search",
        "--names-only",
        r"^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$",
    ]))?;
    newest_612(&list).ok_or_else(|| {
        sh::Error(
            "apt knows no linux-image-6.12.*+deb12-cloud-amd64-unsigned; run apt-get update".into(),
        )
    })
}

/// The newest `6.12.N+deb12` in `apt-cache search` output, by N.
fn newest_612(list: &str) -> Option<String> {
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|p| {
            p.strip_prefix("linux-image-")?
                .strip_suffix("-cloud-amd64-unsigned")
        })
        .filter_map(|abi| {
            let n: u32 = abi
                .strip_prefix("6.12.")?
                .strip_suffix("+deb12")?
                .parse()
                .ok()?;
            Some((n, abi.to_owned()))
        })
        .max()
        .map(|(_, abi)| abi)
}

/// Fetches, unpacks, links and checks both kernel series under `dir`.
pub(crate) fn fetch(dir: &Path, abi_612: &str) -> Result<()> {
    let series = [Series::new("6.1", ABI_61), Series::new("6.12", abi_612)];
    println!(
        "kernels: 6.1 = {}, 6.12 = {} in {}",
        series[0].abi,
        series[1].abi,
        dir.display()
    );
    let debs = dir.join("debs");
    let debian = dir.join("debian");
    for d in [&debs, &debian] {
        fs::create_dir_all(d).ctx(|| format!("creating {}", d.display()))?;
    }
    for s in &series {
        for pkg in [s.unsigned(), s.dbg()] {
            let deb = ensure_deb(&debs, &pkg)?;
            ensure_unpacked(&debian, &pkg, &deb)?;
        }
        link(dir, s)?;
    }
    println!("kernels: checking");
    for s in &series {
        for (name, _) in s.links() {
            let p = dir.join("k").join(s.name).join(name);
            let what = check_file(name, &p)?;
            println!(
                "  {:>11} bytes  k/{}/{name}  ({what})",
                sh::size(&p),
                s.name
            );
        }
    }
    Ok(())
}

/// The .deb of `pkg` in `debs`, downloading it when there is none.
fn ensure_deb(debs: &Path, pkg: &str) -> Result<PathBuf> {
    if let Some(deb) = find_deb(debs, pkg)? {
        println!("  have {}", file_name(&deb));
        return Ok(deb);
    }
    println!("  downloading {pkg}");
    apt::download(pkg, debs)?;
    match find_deb(debs, pkg)? {
        Some(deb) => Ok(deb),
        None => bail!(
            "apt-get download {pkg} left no {pkg}_*.deb in {}",
            debs.display()
        ),
    }
}

/// The first `<pkg>_*.deb` in `debs` whose control file names `pkg`.
fn find_deb(debs: &Path, pkg: &str) -> Result<Option<PathBuf>> {
    let prefix = format!("{pkg}_");
    let mut found: Vec<PathBuf> = fs::read_dir(debs)
        .ctx(|| format!("listing {}", debs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = file_name(p);
            n.starts_with(&prefix) && n.ends_with(".deb")
        })
        .collect();
    found.sort();
    for deb in found {
        // A truncated download fails here rather than half-way through dpkg-deb -x.
        if apt::deb_field(&deb, "Package").is_ok_and(|p| p == pkg) {
            return Ok(Some(deb));
        }
        println!("  ignoring {}: not a readable {pkg} package", deb.display());
    }
    Ok(None)
}

/// Unpacks `deb` into `debian/<pkg>/` unless it is already there. The
/// unpacking goes to a temporary folder first, so an interrupted run never
/// leaves a half-filled folder that looks complete.
fn ensure_unpacked(debian: &Path, pkg: &str, deb: &Path) -> Result<()> {
    let out = debian.join(pkg);
    if out.join("boot").is_dir() || out.join("usr").is_dir() {
        println!("  already unpacked: debian/{pkg}");
        return Ok(());
    }
    let tmp = debian.join(format!("{pkg}.partial"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).ctx(|| format!("removing {}", tmp.display()))?;
    }
    if out.exists() {
        // Exists but holds neither boot/ nor usr/: a leftover, not a result.
        fs::remove_dir_all(&out).ctx(|| format!("removing {}", out.display()))?;
    }
    fs::create_dir_all(&tmp)?;
    sh::run(Command::new("dpkg-deb").arg("-x").arg(deb).arg(&tmp))?;
    fs::rename(&tmp, &out).ctx(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
    Ok(())
}

/// Makes `k/<series>/<file>` links, replacing wrong ones atomically.
fn link(dir: &Path, s: &Series) -> Result<()> {
    let k = dir.join("k").join(s.name);
    fs::create_dir_all(&k).ctx(|| format!("creating {}", k.display()))?;
    for (name, target) in s.links() {
        let l = k.join(name);
        if fs::read_link(&l).is_ok_and(|t| t == Path::new(&target)) {
            continue;
        }
        let tmp = k.join(format!(".{name}.new"));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&target, &tmp).ctx(|| format!("linking {}", tmp.display()))?;
        fs::rename(&tmp, &l).ctx(|| format!("renaming {}", tmp.display()))?;
        println!("  linked k/{}/{name} -> {target}", s.name);
    }
    Ok(())
}

/// Checks that a linked file resolves and looks like what it should be;
/// returns a short description.
pub(crate) fn check_file(name: &str, p: &Path) -> Result<String> {
    let len = match p.metadata() {
        Ok(m) => m.len(),
        Err(e) => bail!(
            "{} does not resolve ({e}); delete the kernels folder's debian/ and k/ and run `cargo xtask fetch --kernels`",
            p.display()
        ),
    };
    let head = read_head(p, 4096)?;
    let (min, ok, what) = match name {
        // The x86 boot protocol puts "HdrS" at offset 0x202 of a bzImage.
        "vmlinuz" => (4 << 20, head.get(0x202..0x206) == Some(b"HdrS"), "bzImage"),
        "vmlinux" => (100 << 20, head.starts_with(b"\x7fELF\x02"), "ELF64"),
        "config" => (50 << 10, contains(&head, b"\nCONFIG_"), "kernel config"),
        // Lines are "<16 hex digits> <type> <name>"; the placeholder in the
        // -unsigned package is 83 bytes and fails the size check.
        "System.map" => (1 << 20, looks_like_system_map(&head), "System.map"),
        _ => bail!("unknown kernel file {name}"),
    };
    if len < min || !ok {
        bail!(
            "{} does not look like a {what} ({len} bytes); delete it and its package folder and fetch again",
            p.display()
        );
    }
    Ok(what.to_owned())
}

fn looks_like_system_map(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.lines().next().is_some_and(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() == 3 && f[0].len() == 16 && f[0].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn read_head(p: &Path, n: u64) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    fs::File::open(p)
        .and_then(|f| f.take(n).read_to_end(&mut buf))
        .ctx(|| format!("reading {}", p.display()))?;
    Ok(buf)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_into_the_unsigned_and_dbg_packages() {
        let s = Series::new("6.12", "6.12.117+deb12");
        let l = s.links();
        assert_eq!(
            l[0].1,
            "../../debian/linux-image-6.12.117+deb12-cloud-amd64-unsigned/boot/vmlinuz-6.12.117+deb12-cloud-amd64"
        );
        assert_eq!(
            l[3].1,
            "../../debian/linux-image-6.12.117+deb12-cloud-amd64-dbg/usr/lib/debug/boot/System.map-6.12.117+deb12-cloud-amd64"
        );
        assert_eq!(
            l.map(|(n, _)| n),
            panicpol_testkit::layout::KERNEL_FILES,
            "the testkit reads the same names"
        );
    }

    #[test]
    fn the_newest_612_is_chosen_numerically() {
        let list = "\
linux-image-6.12.9+deb12-cloud-amd64-unsigned - Linux 6.12 for x86-64 cloud
linux-image-6.12.117+deb12-cloud-amd64-unsigned - Linux 6.12 for x86-64 cloud
linux-image-6.12.101+deb12-cloud-amd64-unsigned - Linux 6.12 for x86-64 cloud
linux-image-6.12.200+deb13-cloud-amd64-unsigned - not bookworm
";
        assert_eq!(newest_612(list).as_deref(), Some("6.12.117+deb12"));
        assert_eq!(newest_612(""), None);
    }

    #[test]
    fn abi_option_is_checked() {
        assert_eq!(resolve_612("6.12.115+deb12").unwrap(), "6.12.115+deb12");
        assert!(resolve_612("6.1.0-50").is_err());
        assert!(resolve_612("6.12.117+deb12-cloud-amd64").is_err());
    }

    #[test]
    fn system_map_shape() {
        assert!(looks_like_system_map(
            b"0000000000000000 D __per_cpu_start\nffff T x\n"
        ));
        assert!(!looks_like_system_map(
            b"ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n"
        ));
        assert!(!looks_like_system_map(b""));
    }

    #[test]
    fn wrong_files_are_rejected() {
        let dir = std::env::temp_dir().join(format!("panicpol-xtask-k-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let small = dir.join("vmlinuz");
        fs::write(&small, b"tiny").unwrap();
        let err = check_file("vmlinuz", &small).unwrap_err();
        assert!(err.0.contains("does not look like a bzImage"), "{err}");
        let err = check_file("vmlinuz", &dir.join("absent")).unwrap_err();
        assert!(err.0.contains("does not resolve"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }
}
