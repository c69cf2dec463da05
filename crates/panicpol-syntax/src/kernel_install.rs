//! `/etc/kernel/cmdline` and `/usr/lib/kernel/cmdline`, as systemd's
//! `kernel-install` reads them to write BLS entries (`90-loaderentry.install`)
//! and as `ukify`/`kernel-install` use them for a UKI's `.cmdline`.
//!
//! Precedence: `/etc/kernel/cmdline` if it exists, else
//! `/usr/lib/kernel/cmdline`, else the running system's `/proc/cmdline`
//! (without `BOOT_IMAGE=` and `initrd=`). The first file found is used
//! whole; the other is ignored, not merged.
//!
//! Reading: `tr -s "$IFS" ' '` — every run of spaces, tabs and newlines
//! becomes one space — then one trailing space is dropped. There is no
//! comment syntax: a `#` line reaches the kernel.

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::issue::{Issue, IssueKind, lines};
use crate::provenance::Composed;

/// The command line `kernel-install` builds from the file, and problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelCmdline {
    /// The options, with provenance.
    pub options: Composed,
    /// Problems found.
    pub issues: Vec<Issue>,
}

/// Reads a kernel-install command-line file.
pub fn parse(file: FileId, text: &[u8]) -> KernelCmdline {
    let mut b = Builder::new();
    let mut in_blank = false;
    for (i, &c) in text.iter().enumerate() {
        if matches!(c, b' ' | b'\t' | b'\n') {
            if !in_blank {
                b.byte_from(b' ', file, i);
            }
            in_blank = true;
        } else {
            b.byte_from(c, file, i);
            in_blank = false;
        }
    }
    if b.text().last() == Some(&b' ') {
        b.truncate(b.len() - 1);
    }
    let mut issues = Vec::new();
    for (start, line) in lines(text) {
        let lead = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if line.get(lead) == Some(&b'#') {
            issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + lead..start + line.len(),
                "kernel-install has no comment syntax: this line reaches the kernel command line as parameters",
            ));
        }
    }
    KernelCmdline {
        options: b.finish(),
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeezes_whitespace() {
        // (file, options)
        let cases: &[(&str, &str)] = &[
            ("root=UUID=1 rw quiet\n", "root=UUID=1 rw quiet"),
            ("a\tb\n\nc  d\n", "a b c d"),
            ("  a\n", " a"),
            ("a  \n\n", "a"),
            ("", ""),
        ];
        for (text, want) in cases {
            let k = parse(FileId(0), text.as_bytes());
            assert_eq!(String::from_utf8_lossy(&k.options.text), *want, "{text:?}");
        }
        let text = "a\n  panic=5\n";
        let k = parse(FileId(3), text.as_bytes());
        assert_eq!(k.options.text, b"a panic=5");
        assert_eq!(k.options.locate(&(2..9)), Some((FileId(3), 4..11)));
    }

    #[test]
    fn comments_are_parameters() {
        let k = parse(FileId(0), b"# set by admin\nroot=/dev/sda1\n");
        assert_eq!(k.options.text, b"# set by admin root=/dev/sda1");
        assert_eq!(k.issues.len(), 1);
        assert_eq!(k.issues[0].span, 0..14);
    }
}
