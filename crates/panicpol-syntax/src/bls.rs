//! Boot Loader Specification type #1 entries (`loader/entries/*.conf`), as
//! systemd-boot and GRUB's `blscfg` read them.
//!
//! Each line is `key value`: the key is the first word, the value the rest
//! of the line with surrounding blanks removed (and, for systemd-boot, one
//! pair of enclosing double quotes); lines starting with `#` are comments.
//! `options` may appear several times: the values are joined with one space,
//! in order. What the boot loader does with the joined text differs:
//!
//! - systemd-boot passes it as is (a `$kernelopts` reaches the kernel
//!   literally);
//! - GRUB's `blscfg` pastes it into a `linux` command, so GRUB expands its
//!   variables (from `grubenv` and `grub.cfg`: RHEL 8's `$kernelopts
//!   $tuned_params`) and re-quotes it ([`crate::grub_script`]).

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::issue::{Issue, IssueKind, bounded_lines, trim_range};
use crate::provenance::Composed;

/// The longest line read; longer lines are skipped with an issue.
pub const MAX_LINE: usize = 64 * 1024;

/// Keys the specification and its GRUB and systemd-boot readers know.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "version",
    "machine-id",
    "sort-key",
    "linux",
    "initrd",
    "efi",
    "options",
    "devicetree",
    "devicetree-overlay",
    "architecture",
    "uki",
    "uki-url",
    "profile",
    "grub_users",
    "grub_arg",
    "grub_class",
    "grub_hotkey",
    "id",
];

/// One `key value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key.
    pub key: String,
    /// Where the key is.
    pub key_span: Range<usize>,
    /// The value with its provenance.
    pub value: Composed,
    /// Where the value is (after trimming).
    pub value_span: Range<usize>,
}

/// A parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlsEntry {
    /// The file.
    pub file: FileId,
    /// The lines in order.
    pub fields: Vec<Field>,
    /// Problems found.
    pub issues: Vec<Issue>,
}

impl BlsEntry {
    /// The first field with this key.
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Every field with this key, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.key == key)
    }

    /// A field's value as text.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(|f| String::from_utf8_lossy(&f.value.text).into_owned())
    }

    /// The `options` lines joined with one space, in order.
    pub fn options(&self) -> Composed {
        let mut b = Builder::new();
        for (i, f) in self.all("options").enumerate() {
            if i > 0 {
                b.synthetic(b" ");
            }
            b.append_all(&f.value);
        }
        b.finish()
    }
}

/// Parses an entry. `unquote` removes one pair of double quotes enclosing a
/// value, as systemd-boot does.
pub fn parse(file: FileId, text: &[u8], unquote: bool) -> BlsEntry {
    let mut entry = BlsEntry {
        file,
        fields: Vec::new(),
        issues: Vec::new(),
    };
    for l in bounded_lines(file, text, MAX_LINE) {
        let (start, line) = match l {
            Ok(l) => l,
            Err(issue) => {
                entry.issues.push(issue);
                continue;
            }
        };
        let t = trim_range(line);
        let body = line.get(t.clone()).unwrap_or_default();
        if body.is_empty() || body.starts_with(b"#") {
            continue;
        }
        let key_len = body
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(body.len());
        let key = String::from_utf8_lossy(body.get(..key_len).unwrap_or_default()).into_owned();
        let key_span = start + t.start..start + t.start + key_len;
        let after = body.get(key_len..).unwrap_or_default();
        let vt = trim_range(after);
        let mut vstart = start + t.start + key_len + vt.start;
        let mut vbytes = after.get(vt).unwrap_or_default();
        if unquote
            && vbytes.len() >= 2
            && vbytes.first() == Some(&b'"')
            && vbytes.last() == Some(&b'"')
        {
            vbytes = vbytes.get(1..vbytes.len() - 1).unwrap_or_default();
            vstart += 1;
        }
        if !KNOWN_KEYS.contains(&key.as_str()) {
            entry.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                key_span.clone(),
                format!("`{key}` is not a key of the Boot Loader Specification: boot loaders ignore the line"),
            ));
        }
        let mut b = Builder::new();
        b.bytes_from(vbytes, file, vstart);
        entry.fields.push(Field {
            key,
            key_span,
            value: b.finish(),
            value_span: vstart..vstart + vbytes.len(),
        });
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    const RHEL8: &str = "title Red Hat Enterprise Linux (4.18.0-513.5.1.el8_9.x86_64) 8.9 (Ootpa)\n\
version 4.18.0-513.5.1.el8_9.x86_64\n\
linux /vmlinuz-4.18.0-513.5.1.el8_9.x86_64\n\
initrd /initramfs-4.18.0-513.5.1.el8_9.x86_64.img $tuned_initrd\n\
options $kernelopts $tuned_params\n\
id rhel-20231108150000-4.18.0-513.5.1.el8_9.x86_64\n\
grub_users $grub_users\n\
grub_arg --unrestricted\n\
grub_class kernel\n";

    #[test]
    fn rhel8_entry() {
        let e = parse(FileId(1), RHEL8.as_bytes(), false);
        assert!(e.issues.is_empty(), "{:?}", e.issues);
        assert_eq!(
            e.text("version").as_deref(),
            Some("4.18.0-513.5.1.el8_9.x86_64")
        );
        assert_eq!(e.options().text, b"$kernelopts $tuned_params");
        let at = RHEL8.find("$kernelopts").expect("k");
        assert_eq!(e.options().locate(&(0..11)), Some((FileId(1), at..at + 11)));
    }

    #[test]
    fn options_lines_join_in_order() {
        let text = "title x\noptions root=UUID=1 ro\n# options commented\noptions   panic=10  \nlinux /vmlinuz\n";
        let e = parse(FileId(0), text.as_bytes(), true);
        let o = e.options();
        assert_eq!(o.text, b"root=UUID=1 ro panic=10");
        let at = text.find("panic=10").expect("p");
        assert_eq!(o.locate(&(15..23)), Some((FileId(0), at..at + 8)));
        assert_eq!(o.locate(&(14..15)), None);
    }

    #[test]
    fn unquote_and_unknown_keys() {
        let e = parse(FileId(0), b"options \"a b\"\nfoo bar\n", true);
        assert_eq!(e.options().text, b"a b");
        assert_eq!(e.issues.len(), 1);
        let e = parse(FileId(0), b"options \"a b\"\n", false);
        assert_eq!(e.options().text, b"\"a b\"");
        let garbage: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let _ = parse(FileId(0), &garbage, true).options();
    }
}
