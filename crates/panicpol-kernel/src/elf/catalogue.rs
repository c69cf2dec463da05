//! The known-notifier catalogue (`grammar/notifiers.tsv`, embedded): what
//! each upstream panic notifier callback does, Petr Mladek's group, and the
//! list the 2022 refactor put it in. Used to describe proven notifiers and,
//! where code cannot be decoded, to name candidates by their symbols
//! ([`crate::Known::Catalogue`]). Format: `grammar/notifiers.md`.

use super::error::Error;
use crate::model::{Arch, NotifierGroup};
use std::sync::OnceLock;

/// The catalogue source, embedded at build time.
pub const CATALOGUE_TSV: &str = include_str!("../../../../grammar/notifiers.tsv");

/// The list the 2022 "panic notifiers refactor" (V1) proposed for a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefactorList {
    /// `panic_hypervisor_list`.
    Hypervisor,
    /// `panic_info_list`.
    Info,
    /// `panic_pre_reboot_list`.
    PreReboot,
}

/// One catalogue line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogueEntry {
    /// `any` (generic code, any architecture) or an architecture name
    /// (`x86_64`, `arm64`, `powerpc`, …).
    pub arch: String,
    /// The `notifier_call` function.
    pub callback: String,
    /// The `notifier_block` symbol, or `dyn:struct.field` for a block inside
    /// a heap object.
    pub block: String,
    /// Source file, relative to the kernel tree.
    pub file: String,
    /// Petr Mladek's group.
    pub group: NotifierGroup,
    /// The V1 refactor list, when the series covered it.
    pub v1_list: Option<RefactorList>,
    /// The block's priority in the source, when static.
    pub priority: Option<i32>,
    /// Where the entry was confirmed (`src-6.12`, `vmlinux-6.1`, `ko-6.12`,
    /// `ref` for the reference notes only).
    pub confirmed: Vec<String>,
    /// Kernel versions known to have it (`*`, `A-`, `-B`, `A-B`).
    pub versions: String,
    /// What the callback does.
    pub does: String,
}

impl CatalogueEntry {
    /// Whether the entry can apply to an image of this architecture.
    pub fn applies_to(&self, arch: Arch) -> bool {
        matches!(
            (self.arch.as_str(), arch),
            ("any", _) | ("x86_64", Arch::X86_64) | ("arm64", Arch::Aarch64)
        )
    }

    /// Whether the block is a field of a heap object (`dyn:…`).
    pub fn dynamic_block(&self) -> bool {
        self.block.starts_with("dyn:")
    }
}

fn parse_priority(s: &str) -> Result<Option<i32>, String> {
    let s = s.trim();
    if s == "-" {
        return Ok(None);
    }
    let (base, rest) = if let Some(r) = s.strip_prefix("INT_MAX") {
        (i64::from(i32::MAX), r)
    } else if let Some(r) = s.strip_prefix("INT_MIN") {
        (i64::from(i32::MIN), r)
    } else {
        (0, s)
    };
    let delta = if rest.is_empty() {
        0
    } else if base == 0 {
        rest.parse::<i64>()
            .map_err(|_| format!("bad priority `{s}`"))?
    } else if let Some(n) = rest.strip_prefix('+') {
        n.parse::<i64>()
            .map_err(|_| format!("bad priority `{s}`"))?
    } else if let Some(n) = rest.strip_prefix('-') {
        -n.parse::<i64>()
            .map_err(|_| format!("bad priority `{s}`"))?
    } else {
        return Err(format!("bad priority `{s}`"));
    };
    i32::try_from(base + delta)
        .map(Some)
        .map_err(|_| format!("priority `{s}` out of range"))
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Parses catalogue text (the embedded one, or another for tests).
pub fn parse_catalogue(text: &str) -> Result<Vec<CatalogueEntry>, Error> {
    let mut out: Vec<CatalogueEntry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |message: String| Error::Catalogue { line: n, message };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let [
            arch,
            callback,
            block,
            file,
            group,
            v1,
            priority,
            confirmed,
            versions,
            does,
        ] = f[..]
        else {
            return Err(err(format!(
                "expected 10 tab-separated fields, found {}",
                f.len()
            )));
        };
        if !is_ident(callback) {
            return Err(err(format!("callback `{callback}` is not an identifier")));
        }
        let block_ok = match block.strip_prefix("dyn:") {
            Some(b) => b
                .split_once('.')
                .is_some_and(|(s, fld)| is_ident(s) && is_ident(fld)),
            None => is_ident(block),
        };
        if !block_ok {
            return Err(err(format!(
                "block `{block}` is neither an identifier nor dyn:struct.field"
            )));
        }
        if file.is_empty() || file.starts_with('/') || file.contains("..") {
            return Err(err(format!(
                "file `{file}` must be relative to the kernel tree"
            )));
        }
        let group = match group {
            "watchdog" => NotifierGroup::Watchdog,
            "info" => NotifierGroup::Info,
            "hypervisor" => NotifierGroup::Hypervisor,
            "misc" => NotifierGroup::Misc,
            g => return Err(err(format!("unknown group `{g}`"))),
        };
        let v1_list = match v1 {
            "hypervisor" => Some(RefactorList::Hypervisor),
            "info" => Some(RefactorList::Info),
            "pre_reboot" => Some(RefactorList::PreReboot),
            "-" => None,
            l => return Err(err(format!("unknown V1 list `{l}`"))),
        };
        let priority = parse_priority(priority).map_err(err)?;
        let confirmed: Vec<String> = confirmed.split(',').map(str::to_string).collect();
        for c in &confirmed {
            let ok = c == "ref"
                || ["src-", "vmlinux-", "ko-"]
                    .iter()
                    .any(|p| c.strip_prefix(p).is_some_and(|v| !v.is_empty()));
            if !ok {
                return Err(err(format!("unknown confirmation `{c}`")));
            }
        }
        if versions.is_empty() || does.trim().is_empty() {
            return Err(err("empty versions or description".to_string()));
        }
        if out
            .iter()
            .any(|e| e.arch == arch && e.file == file && e.callback == callback)
        {
            return Err(err(format!(
                "duplicate callback `{callback}` for {arch} in {file}"
            )));
        }
        out.push(CatalogueEntry {
            arch: arch.to_string(),
            callback: callback.to_string(),
            block: block.to_string(),
            file: file.to_string(),
            group,
            v1_list,
            priority,
            confirmed,
            versions: versions.to_string(),
            does: does.to_string(),
        });
    }
    Ok(out)
}

/// The embedded catalogue, parsed once.
pub fn catalogue() -> Result<&'static [CatalogueEntry], Error> {
    static CAT: OnceLock<Result<Vec<CatalogueEntry>, String>> = OnceLock::new();
    match CAT.get_or_init(|| parse_catalogue(CATALOGUE_TSV).map_err(|e| e.to_string())) {
        Ok(v) => Ok(v),
        Err(m) => Err(Error::Catalogue {
            line: 0,
            message: m.clone(),
        }),
    }
}

/// The base name of a symbol without GCC's clone suffixes
/// (`hung_task_panic.cold` → `hung_task_panic`).
pub(crate) fn base_name(sym: &str) -> &str {
    sym.split('.').next().unwrap_or(sym)
}

/// The catalogue entry for a callback symbol on this architecture.
pub fn lookup(arch: Arch, callback: &str) -> Option<&'static CatalogueEntry> {
    let name = base_name(callback);
    catalogue()
        .ok()?
        .iter()
        .find(|e| e.callback == name && e.applies_to(arch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_parses_and_is_unique() {
        let cat = parse_catalogue(CATALOGUE_TSV).expect("catalogue parses");
        assert!(cat.len() >= 50, "{} entries", cat.len());
        // Uniqueness per arch/file is enforced by the parser; check the
        // parser really rejects a duplicate.
        let first = CATALOGUE_TSV
            .lines()
            .find(|l| !l.starts_with('#'))
            .expect("a data line");
        let dup = format!("{first}\n{first}\n");
        assert!(matches!(
            parse_catalogue(&dup),
            Err(Error::Catalogue { line: 2, .. })
        ));
    }

    #[test]
    fn priorities_parse_like_the_c_constants() {
        let cases = [
            ("0", Some(0)),
            ("150", Some(150)),
            ("-", None),
            ("INT_MAX", Some(i32::MAX)),
            ("INT_MAX-1", Some(i32::MAX - 1)),
            ("INT_MIN", Some(i32::MIN)),
            ("INT_MIN+10", Some(i32::MIN + 10)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_priority(s), Ok(want), "{s}");
        }
        for bad in ["INT_MAX+1", "INT_MIN-1", "x", "INT_MAX*2", "99999999999"] {
            assert!(parse_priority(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let cases = [
            (
                "any\tcb\tblk\tf.c\twatchdog\tinfo\t0\tref\t*",
                "10 tab-separated",
            ),
            (
                "any\tc b\tblk\tf.c\twatchdog\tinfo\t0\tref\t*\tx",
                "identifier",
            ),
            (
                "any\tcb\tdyn:x\tf.c\twatchdog\tinfo\t0\tref\t*\tx",
                "dyn:struct.field",
            ),
            (
                "any\tcb\tblk\t/abs.c\twatchdog\tinfo\t0\tref\t*\tx",
                "relative",
            ),
            ("any\tcb\tblk\tf.c\tloud\tinfo\t0\tref\t*\tx", "group"),
            ("any\tcb\tblk\tf.c\tinfo\tlate\t0\tref\t*\tx", "V1 list"),
            ("any\tcb\tblk\tf.c\tinfo\tinfo\tlots\tref\t*\tx", "priority"),
            (
                "any\tcb\tblk\tf.c\tinfo\tinfo\t0\tmaybe\t*\tx",
                "confirmation",
            ),
        ];
        for (line, want) in cases {
            let text = format!("# header\n{line}\n");
            match parse_catalogue(&text) {
                Err(Error::Catalogue { line: 2, message }) => {
                    assert!(message.contains(want), "{line}: {message}")
                }
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn lookup_respects_architecture_and_clone_suffixes() {
        let e = lookup(Arch::X86_64, "dump_kernel_offset").expect("x86 entry");
        assert_eq!(e.file, "arch/x86/kernel/setup.c");
        let e = lookup(Arch::Aarch64, "arm64_panic_block_dump").expect("arm64 entry");
        assert_eq!(e.group, NotifierGroup::Info);
        assert!(lookup(Arch::Aarch64, "xen_panic_event").is_none());
        let e = lookup(Arch::Other, "hung_task_panic.cold").expect("generic entry");
        assert_eq!(e.block, "panic_block");
    }
}
