//! Finding the boot sources of an image or root tree, in the places and the
//! order the tools that use them look:
//!
//! - `/etc/default/grub`, then `/etc/default/grub.d/*.cfg` (byte order);
//! - `/boot/grub/grub.cfg`, `/boot/grub2/grub.cfg`, and the EFI copies
//!   under `/boot/efi/EFI/*/grub.cfg`; `grubenv` next to them;
//! - BLS entries in `/boot/loader/entries` and `/efi/loader/entries`;
//!   systemd-boot when `loader/loader.conf` or `EFI/systemd` exists;
//! - `/etc/kernel/cmdline`, else `/usr/lib/kernel/cmdline`;
//! - UKIs in `/boot/EFI/Linux` and `/efi/EFI/Linux` (and `/boot/efi`), with
//!   `loader/addons/*.addon.efi` and `<uki>.efi.extra.d/*.addon.efi`;
//! - kernel configs `/boot/config-*`;
//! - `sysctl.d` and `tmpfiles.d` in `/etc`, `/run`, `/usr/local/lib`,
//!   `/usr/lib`, `/lib`, a file masking every file of the same name in a
//!   directory of lower priority;
//! - `/etc/os-release` for whose `10_linux` wrote the entries.
//!
//! Unreadable directories, symlink loops and oversized files are recorded
//! as problems; discovery goes on.

use panicpol_syntax::grub_default::{Flavor, dropin_order};
use panicpol_syntax::issue::IssueKind;
use panicpol_syntax::{sysctl_d, tmpfiles};

use crate::detect::Format;
use crate::fs::{FsError, Root, TEXT_LIMIT};
use crate::inputs::{Found, Inputs};

/// Lists a directory; a missing one is empty, other errors are problems.
fn list(inp: &mut Inputs, root: &Root, dir: &str) -> Vec<String> {
    match root.list(dir) {
        Ok(v) => v,
        Err(FsError::NotFound) => Vec::new(),
        Err(e) => {
            inp.problem(
                &root.display(dir),
                IssueKind::Io,
                format!("cannot read the directory: {e}; its files are not checked"),
            );
            Vec::new()
        }
    }
}

/// Reads one text file of the image in `format`, if it exists.
fn text(inp: &mut Inputs, root: &Root, path: &str, format: Format) -> bool {
    let shown = root.display(path);
    let read = root.read(path, TEXT_LIMIT);
    match inp.text_file(&shown, read, format, true) {
        Some(id) => {
            inp.add_text_format(id, format, &shown, 0, None);
            true
        }
        None => false,
    }
}

/// Fills `inp` from the tree at `root`.
pub(crate) fn discover(inp: &mut Inputs, root: &Root) {
    if let Ok(os) = root.read("/etc/os-release", 64 * 1024) {
        let s = String::from_utf8_lossy(&os);
        let ubuntu = s.lines().any(|l| {
            let l = l.trim();
            l == "ID=ubuntu"
                || l == "ID=\"ubuntu\""
                || l.starts_with("ID_LIKE=") && l.contains("ubuntu")
        });
        inp.flavor = if ubuntu {
            Flavor::Ubuntu
        } else {
            Flavor::Debian
        };
    }
    inp.systemd_boot = ["/boot", "/efi", "/boot/efi"].iter().any(|p| {
        root.exists(&format!("{p}/loader/loader.conf")) || root.is_dir(&format!("{p}/EFI/systemd"))
    });

    // GRUB defaults: the main file, then the drop-ins.
    text(inp, root, "/etc/default/grub", Format::GrubDefault);
    let mut dropins = list(inp, root, "/etc/default/grub.d");
    dropin_order(&mut dropins);
    for d in dropins {
        text(
            inp,
            root,
            &format!("/etc/default/grub.d/{d}"),
            Format::GrubDefault,
        );
    }

    // grub.cfg and grubenv: the first that exists.
    let mut grub_dirs = vec!["/boot/grub".to_string(), "/boot/grub2".to_string()];
    for vendor in list(inp, root, "/boot/efi/EFI") {
        grub_dirs.push(format!("/boot/efi/EFI/{vendor}"));
    }
    for d in &grub_dirs {
        if inp.grub_cfg.is_none() {
            text(inp, root, &format!("{d}/grub.cfg"), Format::GrubCfg);
        }
        if inp.grubenv.is_none() {
            text(inp, root, &format!("{d}/grubenv"), Format::Grubenv);
        }
    }

    // BLS entries.
    for part in ["/boot", "/efi", "/boot/efi"] {
        let dir = format!("{part}/loader/entries");
        for name in list(inp, root, &dir) {
            if name.ends_with(".conf") && !name.starts_with('.') {
                text(inp, root, &format!("{dir}/{name}"), Format::Bls);
            }
        }
    }

    // kernel-install: /etc wins over /usr/lib, whole file.
    if !text(inp, root, "/etc/kernel/cmdline", Format::KernelCmdline) {
        text(inp, root, "/usr/lib/kernel/cmdline", Format::KernelCmdline);
    } else if root.exists("/usr/lib/kernel/cmdline") {
        inp.found.push(Found {
            path: root.display("/usr/lib/kernel/cmdline"),
            format: Format::KernelCmdline,
            file: None,
            note: Some("not used: /etc/kernel/cmdline takes precedence".into()),
        });
    }

    // UKIs and add-ons.
    for part in ["/boot", "/efi", "/boot/efi"] {
        let global: Vec<String> = list(inp, root, &format!("{part}/loader/addons"))
            .into_iter()
            .filter(|n| n.ends_with(".addon.efi"))
            .map(|n| format!("{part}/loader/addons/{n}"))
            .collect();
        let dir = format!("{part}/EFI/Linux");
        for name in list(inp, root, &dir) {
            if !name.ends_with(".efi") || name.ends_with(".addon.efi") {
                continue;
            }
            let path = format!("{dir}/{name}");
            let mut addons: Vec<String> = global.clone();
            let extra = format!("{path}.extra.d");
            addons.extend(
                list(inp, root, &extra)
                    .into_iter()
                    .filter(|n| n.ends_with(".addon.efi"))
                    .map(|n| format!("{extra}/{n}")),
            );
            let host = match root.resolve(&path) {
                Ok(h) => h,
                Err(e) => {
                    inp.fs_problem(&root.display(&path), &e, false);
                    continue;
                }
            };
            let addons = addons
                .into_iter()
                .filter_map(|a| root.resolve(&a).ok().map(|h| (h, root.display(&a))))
                .collect();
            inp.add_uki(&host, &root.display(&path), addons);
        }
    }

    // Kernel configs.
    for name in list(inp, root, "/boot") {
        if name.starts_with("config-") {
            text(inp, root, &format!("/boot/{name}"), Format::KernelConfig);
        }
    }

    // Runtime files: sysctl.d, then tmpfiles.d.
    runtime_dirs(inp, root, sysctl_d::DIRS, Format::SysctlD);
    runtime_dirs(inp, root, tmpfiles::DIRS, Format::Tmpfiles);
}

/// Reads the `*.conf` files of systemd's configuration directories in the
/// order systemd applies them, masked files noted.
fn runtime_dirs(inp: &mut Inputs, root: &Root, dirs: &[&str], format: Format) {
    let mut files = Vec::new();
    for (prio, dir) in dirs.iter().enumerate() {
        let dir = format!("/{dir}");
        // /lib is a link to /usr/lib on merged-/usr systems: the same files
        // are not read twice.
        if dir == "/lib/sysctl.d" || dir == "/lib/tmpfiles.d" {
            let usr = format!("/usr{dir}");
            if let (Ok(a), Ok(b)) = (root.resolve(&dir), root.resolve(&usr))
                && a == b
            {
                continue;
            }
        }
        for name in list(inp, root, &dir) {
            if name.ends_with(".conf") {
                files.push((prio, name.clone(), format!("{dir}/{name}")));
            }
        }
    }
    for (_name, winner, masked) in sysctl_d::order(&files) {
        if root.is_masked_link(&winner) {
            inp.found.push(Found {
                path: root.display(&winner),
                format,
                file: None,
                note: Some("a link to /dev/null: masks the files of this name".into()),
            });
            for m in &masked {
                inp.found.push(Found {
                    path: root.display(m),
                    format,
                    file: None,
                    note: Some(format!("masked by {}", root.display(&winner))),
                });
            }
            continue;
        }
        let shown = root.display(&winner);
        let read = root.read(&winner, TEXT_LIMIT);
        let Some(id) = inp.text_file(&shown, read, format, false) else {
            continue;
        };
        inp.add_text_format(id, format, &shown, 0, None);
        for m in masked {
            let ms = root.display(&m);
            let read = root.read(&m, TEXT_LIMIT);
            if let Some(mid) = inp.text_file(&ms, read, format, true) {
                if let Some(f) = inp.found.last_mut() {
                    f.note = Some(format!("masked by {shown}"));
                }
                inp.add_text_format(mid, format, &ms, 0, Some(id));
            }
        }
    }
}
