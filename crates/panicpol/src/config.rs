//! Finding and reading `panicpol.toml`: upward from the first checked file
//! (or from the current folder when only `--cmdline` or /proc/cmdline is
//! checked), or the file named by `--config-file`. Parsing and applying the
//! settings is `panicpol_lint::settings`; this module owns only the file
//! system side: where the file is, reading it with a size limit, error
//! messages with `file:line:col`, and kernel paths made relative to the
//! file's folder.
//!
//! How `check` uses it (in this order):
//!
//! ```text
//! let cfg = config::load(&a.files, a.config_file.as_deref())?;       // Option<Loaded>
//! let kernel_args = config::kernel_args(&a.kernel, cfg.as_ref());     // CLI flags win
//! ... run the rules on every command line of the run → diagnostics ...
//! let out = config::settings(cfg.as_ref()).finish(&sources, diagnostics);
//! // out.diagnostics: to render and to decide the exit code;
//! // out.suppressed: findings silenced by `# panicpol: disable=` comments.
//! let threshold = config::fail_level(cli_fail_level_if_given, cfg.as_ref());
//! ```

use std::path::{Path, PathBuf};

use panicpol_diagnostics::{Layer, Severity, SourceFile};
use panicpol_lint::settings::{FILE_NAME, Settings};

use crate::args::KernelArgs;
use crate::input::{self, Failure};

/// A `panicpol.toml` that was found and parsed.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// Where it is, as found (absolute when discovered).
    pub(crate) path: PathBuf,
    /// Its settings, kernel paths resolved against its folder.
    pub(crate) settings: Settings,
}

/// The folder discovery starts from: the first checked file's folder, else
/// the current folder. `-` (stdin) counts as no file.
fn start_dir(inputs: &[PathBuf]) -> Option<PathBuf> {
    let first = inputs.iter().find(|p| p.as_os_str() != "-");
    let base = match first {
        Some(p) => {
            let abs = std::path::absolute(p).ok()?;
            abs.parent()?.to_path_buf()
        }
        None => std::env::current_dir().ok()?,
    };
    Some(base)
}

/// The nearest `panicpol.toml` in `dir` or one of its ancestors.
pub(crate) fn discover(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Finds and reads the settings for a run over `inputs`: `explicit` when
/// given (it must exist), else the nearest `panicpol.toml` above the first
/// input. `Ok(None)` when there is none.
pub(crate) fn load(inputs: &[PathBuf], explicit: Option<&Path>) -> Result<Option<Loaded>, Failure> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match start_dir(inputs).and_then(|d| discover(&d)) {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    read(&path).map(Some)
}

/// Reads and parses one settings file.
pub(crate) fn read(path: &Path) -> Result<Loaded, Failure> {
    let bytes = input::read_limited(path, input::TEXT_LIMIT)?;
    let shown = path.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(format!("{shown}: not UTF-8 text (TOML files are UTF-8)")))?;
    let mut settings = Settings::parse(&text).map_err(|e| {
        let at = e.span.map(|s| {
            let f = SourceFile::new(shown.clone(), text.as_bytes(), Layer::Other);
            f.line_col(s.start)
        });
        match at {
            Some((line, col)) => Failure::new(format!("{shown}:{line}:{col}: {}", e.message)),
            None => Failure::new(format!("{shown}: {}", e.message)),
        }
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for p in settings.kernel.paths_mut() {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        settings,
    })
}

/// The settings to apply: the file's, or the defaults (every rule, each at
/// its own severity).
pub(crate) fn settings(cfg: Option<&Loaded>) -> Settings {
    cfg.map(|c| c.settings.clone()).unwrap_or_default()
}

/// The kernel to check against: the command line's choice when it names a
/// kernel (vmlinux, System.map or kallsyms), else the file's. A kernel config
/// from the command line wins over the file's, independently.
pub(crate) fn kernel_args(given: &KernelArgs, cfg: Option<&Loaded>) -> KernelArgs {
    let mut out = given.clone();
    let Some(k) = cfg.map(|c| &c.settings.kernel) else {
        return out;
    };
    if given.vmlinux.is_none() && given.system_map.is_none() && given.kallsyms.is_none() {
        out.vmlinux = k.vmlinux.clone();
        // Only one symbol source is read; the richest the file names.
        if out.vmlinux.is_none() {
            out.system_map = k.system_map.clone();
            if out.system_map.is_none() {
                out.kallsyms = k.kallsyms.clone();
            }
        }
    }
    if given.config.is_none() {
        out.config = k.kernel_config.clone();
    }
    out
}

/// The fail level: the command line's when given, else the file's, else
/// `error`.
pub(crate) fn fail_level(given: Option<Severity>, cfg: Option<&Loaded>) -> Severity {
    given
        .or_else(|| cfg.and_then(|c| c.settings.fail_level))
        .unwrap_or(Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder.
    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("panicpol-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        if let Err(e) = std::fs::create_dir_all(d.join("a/b")) {
            panic!("{}: {e}", d.display());
        }
        d
    }

    fn write(p: &Path, text: &str) {
        if let Err(e) = std::fs::write(p, text) {
            panic!("{}: {e}", p.display());
        }
    }

    #[test]
    fn found_upward_from_the_first_file_with_paths_relative_to_it() {
        let d = tmp("up");
        write(
            &d.join(FILE_NAME),
            "vmlinux = \"k/vmlinux\"\nkernel-config = \"/abs/config\"\nfail-level = \"warning\"\n",
        );
        let grub = d.join("a/b/grub");
        write(&grub, "GRUB_CMDLINE_LINUX=\"\"\n");
        let loaded = match load(std::slice::from_ref(&grub), None) {
            Ok(Some(l)) => l,
            other => panic!("{other:?}"),
        };
        assert_eq!(loaded.path, d.join(FILE_NAME));
        assert_eq!(loaded.settings.kernel.vmlinux, Some(d.join("k/vmlinux")));
        assert_eq!(
            loaded.settings.kernel.kernel_config,
            Some(PathBuf::from("/abs/config"))
        );

        // A nearer file wins.
        write(&d.join("a").join(FILE_NAME), "ignore = [\"PP205\"]\n");
        let loaded = match load(&[grub], None) {
            Ok(Some(l)) => l,
            other => panic!("{other:?}"),
        };
        assert_eq!(loaded.path, d.join("a").join(FILE_NAME));
        assert!(!loaded.settings.is_enabled("PP205"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn explicit_file_must_exist_and_errors_say_where() {
        let d = tmp("explicit");
        let missing = d.join("nope.toml");
        let e = match load(&[], Some(&missing)) {
            Err(e) => e.to_string(),
            Ok(x) => panic!("{x:?}"),
        };
        assert!(e.contains("nope.toml") && e.contains("no such file"), "{e}");

        let bad = d.join("bad.toml");
        write(&bad, "# fleet settings\nignore = [\"PP2O5\"]\n");
        let e = match load(&[], Some(&bad)) {
            Err(e) => e.to_string(),
            Ok(x) => panic!("{x:?}"),
        };
        assert!(e.contains("bad.toml:2:11: no rule \"PP2O5\""), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn command_line_kernel_wins_over_the_file() {
        let mut loaded = Loaded {
            path: PathBuf::from("x"),
            settings: Settings::default(),
        };
        loaded.settings.kernel.system_map = Some(PathBuf::from("/k/System.map"));
        loaded.settings.kernel.kernel_config = Some(PathBuf::from("/k/config"));
        let none = KernelArgs::default();
        let k = kernel_args(&none, Some(&loaded));
        assert_eq!(k.system_map, Some(PathBuf::from("/k/System.map")));
        assert_eq!(k.config, Some(PathBuf::from("/k/config")));
        let given = KernelArgs {
            vmlinux: Some(PathBuf::from("/other/vmlinux")),
            ..KernelArgs::default()
        };
        let k = kernel_args(&given, Some(&loaded));
        assert_eq!(k.vmlinux, Some(PathBuf::from("/other/vmlinux")));
        assert_eq!(k.system_map, None);
        assert_eq!(k.config, Some(PathBuf::from("/k/config")));

        loaded.settings.fail_level = Some(Severity::Warning);
        assert_eq!(fail_level(None, Some(&loaded)), Severity::Warning);
        assert_eq!(
            fail_level(Some(Severity::Info), Some(&loaded)),
            Severity::Info
        );
        assert_eq!(fail_level(None, None), Severity::Error);
        assert!(settings(None).is_enabled("PP205"));
    }
}
