//! GRUB's environment block (`/boot/grub/grubenv`, `/boot/grub2/grubenv`),
//! the file `load_env` reads and `grub-editenv` writes (grub-core/lib/envblk.c).
//!
//! Format: the header line `# GRUB Environment Block`, then `name=value`
//! lines, then `#` padding up to the block size (1024 bytes). In a value, a
//! backslash escapes the next byte (`grub-editenv` writes `\\` and a
//! backslash before a newline). RHEL 8 keeps `kernelopts` here (the
//! parameters of every BLS entry), tuned keeps `tuned_params`.

use std::collections::BTreeMap;
use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::issue::{Issue, IssueKind};
use crate::provenance::Composed;

/// The header `grub-editenv` writes.
pub const HEADER: &[u8] = b"# GRUB Environment Block\n";

/// One variable of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// Its name.
    pub name: String,
    /// Where the name is.
    pub name_span: Range<usize>,
    /// The value, unescaped, with provenance.
    pub value: Composed,
}

/// A parsed environment block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grubenv {
    /// Variables in file order (a later one of the same name wins, as
    /// `grub_envblk_iterate` hands them to `grub_env_set` in order).
    pub vars: Vec<EnvVar>,
    /// What is wrong with the file.
    pub issues: Vec<Issue>,
}

impl Grubenv {
    /// The value GRUB ends up with for `name`.
    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    /// Every variable's final value.
    pub fn values(&self) -> BTreeMap<String, Composed> {
        let mut out = BTreeMap::new();
        for v in &self.vars {
            out.insert(v.name.clone(), v.value.clone());
        }
        out
    }
}

/// Parses an environment block. A file without the header is what `load_env`
/// refuses ("invalid environment block"); it is parsed anyway, with an issue.
pub fn parse(file: FileId, text: &[u8]) -> Grubenv {
    let mut env = Grubenv::default();
    if !text.starts_with(HEADER) {
        env.issues.push(Issue::new(
            IssueKind::Syntax,
            file,
            0..text.len().min(1),
            "no `# GRUB Environment Block` header: GRUB's load_env refuses this file, so none of its variables are set",
        ));
    }
    let mut pos = if text.starts_with(HEADER) {
        HEADER.len()
    } else {
        0
    };
    while pos < text.len() {
        let rest = text.get(pos..).unwrap_or_default();
        // The padding (and comments) start with `#`; lines end with an
        // unescaped newline.
        if rest.first() == Some(&b'#') {
            let len = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            pos += len;
            continue;
        }
        let mut i = 0;
        let mut line_end = rest.len();
        while i < rest.len() {
            match rest.get(i) {
                Some(b'\\') => i += 2,
                Some(b'\n') => {
                    line_end = i;
                    break;
                }
                _ => i += 1,
            }
        }
        let line = rest.get(..line_end.min(rest.len())).unwrap_or_default();
        match line.iter().position(|&b| b == b'=') {
            Some(eq) if eq > 0 => {
                let mut value = Builder::new();
                let mut j = eq + 1;
                while j < line.len() {
                    if line.get(j) == Some(&b'\\') && j + 1 < line.len() {
                        j += 1;
                    }
                    if let Some(&b) = line.get(j) {
                        value.byte_from(b, file, pos + j);
                    }
                    j += 1;
                }
                env.vars.push(EnvVar {
                    name: String::from_utf8_lossy(line.get(..eq).unwrap_or_default()).into_owned(),
                    name_span: pos..pos + eq,
                    value: value.finish(),
                });
            }
            _ if line.iter().all(u8::is_ascii_whitespace) => {}
            _ => env.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                pos..pos + line.len(),
                "a line without `name=`: GRUB skips it",
            )),
        }
        pos += line_end + 1;
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(lines: &str) -> Vec<u8> {
        let mut b = HEADER.to_vec();
        b.extend_from_slice(lines.as_bytes());
        while b.len() < 1024 {
            b.push(b'#');
        }
        b
    }

    #[test]
    fn rhel8_block() {
        let text = block(
            "saved_entry=ffffffffffffffffffffffffffffffff-4.18.0-513.5.1.el8_9.x86_64\nkernelopts=root=/dev/mapper/rhel-root ro crashkernel=auto resume=/dev/mapper/rhel-swap rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap rhgb quiet \nboot_success=0\n",
        );
        let env = parse(FileId(4), &text);
        assert!(env.issues.is_empty(), "{:?}", env.issues);
        assert_eq!(env.vars.len(), 3);
        let k = env.get("kernelopts").expect("kernelopts");
        assert!(
            k.value
                .text
                .starts_with(b"root=/dev/mapper/rhel-root ro crashkernel=auto")
        );
        let at = text
            .windows(16)
            .position(|w| w == b"crashkernel=auto")
            .expect("ck");
        let v = k
            .value
            .text
            .windows(16)
            .position(|w| w == b"crashkernel=auto")
            .expect("v");
        assert_eq!(k.value.locate(&(v..v + 16)), Some((FileId(4), at..at + 16)));
        assert!(env.get("tuned_params").is_none());
    }

    #[test]
    fn escapes_and_bad_lines() {
        let env = parse(FileId(0), &block("a=x\\\\y\\\nz\ngarbage\nb=\n"));
        assert_eq!(
            env.get("a").map(|v| v.value.text.clone()),
            Some(b"x\\y\nz".to_vec())
        );
        assert_eq!(env.get("b").map(|v| v.value.text.clone()), Some(Vec::new()));
        assert_eq!(env.issues.len(), 1);
        let env = parse(FileId(0), b"kernelopts=ro\n");
        assert_eq!(env.issues.len(), 1);
        assert!(env.get("kernelopts").is_some());
        let garbage: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let _ = parse(FileId(0), &garbage);
    }
}
