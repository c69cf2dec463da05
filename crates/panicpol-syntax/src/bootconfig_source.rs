//! A bootconfig as a source of command-line parameters: the `kernel.*` and
//! `init.*` fragments the kernel renders from it ([`crate::bootconfig`]),
//! with every byte traced back to the key word or value in the bootconfig
//! file it came from.
//!
//! The kernel writes `a.b=value ` for each leaf: the key words are copied
//! from the file and joined with `.`, the value is copied (in double quotes
//! when it holds a blank). Here the words and values point into the file;
//! the dots, `=`, quotes and spaces the kernel adds are synthetic.

use panicpol_diagnostics::FileId;

use crate::bootconfig::{self, Bootconfig, ComposeError, Options, ParseError, RenderedCmdline};
use crate::compose::Builder;
use crate::provenance::Composed;

/// A bootconfig read for its command-line fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootconfigSource {
    /// The file (or pseudo-file holding an initrd's attached text) whose
    /// offsets the provenance uses.
    pub file: FileId,
    /// The tree, or the kernel's parse error.
    pub parsed: Result<Bootconfig, ParseError>,
    /// The `kernel.*` fragment (prepended to the command line).
    pub kernel: Option<Composed>,
    /// The `init.*` fragment (init's arguments).
    pub init: Option<Composed>,
    /// A fragment the kernel drops because rendering it fails.
    pub compose_errors: Vec<(&'static str, ComposeError)>,
}

/// Parses `data` (the text the kernel hands to `xbc_init`, offsets equal to
/// the file's) and renders both fragments as the 6.12 kernel does.
pub fn read(file: FileId, data: &[u8]) -> BootconfigSource {
    let parsed = bootconfig::parse(data, Options::KERNEL);
    let mut out = BootconfigSource {
        file,
        parsed,
        kernel: None,
        init: None,
        compose_errors: Vec::new(),
    };
    let Ok(cfg) = &out.parsed else {
        return out;
    };
    for key in ["kernel", "init"] {
        match cfg.cmdline(key) {
            Ok(Some(r)) => {
                let c = traced(cfg, key, &r, file);
                if key == "kernel" {
                    out.kernel = Some(c);
                } else {
                    out.init = Some(c);
                }
            }
            Ok(None) => {}
            Err(e) => out
                .compose_errors
                .push((if key == "kernel" { "kernel" } else { "init" }, e)),
        }
    }
    out
}

/// The rendered fragment with provenance. Falls back to synthetic text for
/// a parameter whose rebuilt text differs from the kernel's (a key cut at
/// 255 bytes), so the text always equals the kernel's.
fn traced(cfg: &Bootconfig, root_key: &str, r: &RenderedCmdline, file: FileId) -> Composed {
    let root = cfg.find(root_key);
    let mut b = Builder::new();
    for p in &r.params {
        let want = r.text.get(p.span.clone()).unwrap_or_default();
        let mut one = Builder::new();
        let words: Vec<_> = cfg
            .path(p.leaf)
            .into_iter()
            .skip_while(|&w| Some(w) != root)
            .skip(1)
            .collect();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                one.synthetic(b".");
            }
            if let Some(n) = cfg.node(*w) {
                one.bytes_from(cfg.slice(&n.span), file, n.span.start);
            }
        }
        if let Some(v) = p.value.and_then(|v| cfg.node(v)) {
            one.synthetic(b"=");
            if p.quoted {
                one.synthetic(b"\"");
            }
            one.bytes_from(cfg.slice(&v.span), file, v.span.start);
            if p.quoted {
                one.synthetic(b"\"");
            }
        }
        if one.text() == want {
            b.append_all(one.composed());
        } else {
            b.synthetic(want);
        }
        b.synthetic(b" ");
    }
    let c = b.finish();
    if c.text == r.text {
        c
    } else {
        let mut s = Composed::default();
        s.push_synthetic(&r.text);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_point_into_the_file() {
        let text = "kernel {\n  panic = 10\n  panic_print = 0x3\n  dyndbg = \"file a.c +p\"\n}\ninit.systemd.log_level = debug\n";
        let s = read(FileId(4), text.as_bytes());
        let k = s.kernel.expect("kernel");
        assert_eq!(
            String::from_utf8_lossy(&k.text),
            "panic=10 panic_print=0x3 dyndbg=\"file a.c +p\" "
        );
        let p = text.find("panic_print").expect("pp");
        let at = 9;
        assert_eq!(k.locate(&(at..at + 11)), Some((FileId(4), p..p + 11)));
        let v = text.find("0x3").expect("v");
        assert_eq!(k.locate(&(at + 12..at + 15)), Some((FileId(4), v..v + 3)));
        assert_eq!(k.locate(&(at + 11..at + 12)), None);
        let i = s.init.expect("init");
        assert_eq!(i.text, b"systemd.log_level=debug ");
        let w = text.find("systemd").expect("w");
        assert_eq!(i.locate(&(0..7)), Some((FileId(4), w..w + 7)));
        assert_eq!(i.locate(&(7..8)), None);
    }

    #[test]
    fn errors() {
        let s = read(FileId(0), b"kernel.panic = \"10\n");
        assert!(s.parsed.is_err());
        assert!(s.kernel.is_none());
        let s = read(FileId(0), b"kernel = x\nkernel.panic = 1\n");
        assert!(s.kernel.is_none());
        assert_eq!(s.compose_errors.len(), 1);
        let garbage: Vec<u8> = (1..=255u8).cycle().take(20_000).collect();
        let _ = read(FileId(0), &garbage);
    }
}
