//! `sysctl.d` files (`/etc/sysctl.d/*.conf` and the vendor directories), as
//! `systemd-sysctl` reads them at boot — after the kernel has applied its
//! command line, so a value here beats `panic=`, `oops=panic` or
//! `sysctl.kernel.panic=` on the command line.
//!
//! Lines (systemd `src/sysctl/sysctl.c`, `sysctl.d(5)`): blank lines and
//! lines starting with `#` or `;` are comments; otherwise `key = value`,
//! both trimmed. A key starting with `-` means "ignore a failure to write".
//! A `-key` line without `=` excludes that key from the glob assignments.
//! A key may use `.` or `/` as separators: if the first separator is `/`,
//! the key is a path as is; otherwise dots and slashes are swapped
//! (`kernel.panic` is `/proc/sys/kernel/panic`). A key may be a glob.
//!
//! Which files apply, and in what order, is the caller's job
//! ([`crate::sysctl_d::order`] gives the rule).

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::issue::{Issue, IssueKind, bounded_lines, trim_range};

/// The longest line read.
pub const MAX_LINE: usize = 64 * 1024;

/// The directories `systemd-sysctl` reads, highest priority first
/// (`/lib/sysctl.d` on systems without merged `/usr`).
pub const DIRS: &[&str] = &[
    "etc/sysctl.d",
    "run/sysctl.d",
    "usr/local/lib/sysctl.d",
    "usr/lib/sysctl.d",
    "lib/sysctl.d",
];

/// One assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysctlLine {
    /// The key as a `/proc/sys` path below `/proc/sys/` (`kernel/panic`).
    pub path: String,
    /// The key as written (without a leading `-`).
    pub key_span: Range<usize>,
    /// The value (trimmed).
    pub value: Vec<u8>,
    /// Where the value is.
    pub value_span: Range<usize>,
    /// The key started with `-`: a write failure is ignored.
    pub ignore_failure: bool,
    /// The key is a glob (`*`, `?`, `[`).
    pub glob: bool,
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysctlFile {
    /// The assignments in order.
    pub lines: Vec<SysctlLine>,
    /// Problems found.
    pub issues: Vec<Issue>,
}

/// `sysctl_normalize`: the key as a path below `/proc/sys`.
pub fn normalize(key: &str) -> String {
    let first_sep = key.find(['.', '/']);
    let slash_first = first_sep.is_some_and(|i| key.as_bytes().get(i) == Some(&b'/'));
    let s: String = if slash_first {
        key.to_string()
    } else {
        key.chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect()
    };
    s.trim_start_matches('/').to_string()
}

/// The dotted form for display (`kernel/panic` → `kernel.panic`).
pub fn dotted(path: &str) -> String {
    path.replace('/', ".")
}

/// Parses one file.
pub fn parse(file: FileId, text: &[u8]) -> SysctlFile {
    let mut out = SysctlFile {
        lines: Vec::new(),
        issues: Vec::new(),
    };
    for l in bounded_lines(file, text, MAX_LINE) {
        let (start, line) = match l {
            Ok(l) => l,
            Err(issue) => {
                out.issues.push(issue);
                continue;
            }
        };
        let t = trim_range(line);
        let body = line.get(t.clone()).unwrap_or_default();
        if body.is_empty() || matches!(body.first(), Some(b'#' | b';')) {
            continue;
        }
        let Some(eq) = body.iter().position(|&b| b == b'=') else {
            // `-key` alone excludes a key from the globs of earlier lines
            // (systemd's own 50-default.conf: `-net.ipv4.conf.all.rp_filter`).
            if body.first() == Some(&b'-') {
                continue;
            }
            out.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + t.start..start + t.end,
                "not an assignment (`key = value`): systemd-sysctl ignores this line",
            ));
            continue;
        };
        let key_raw = body.get(..eq).unwrap_or_default();
        let kt = trim_range(key_raw);
        let mut key = key_raw.get(kt.clone()).unwrap_or_default();
        let mut key_start = start + t.start + kt.start;
        let ignore_failure = key.first() == Some(&b'-');
        if ignore_failure {
            key = key.get(1..).unwrap_or_default();
            key_start += 1;
        }
        let val_raw = body.get(eq + 1..).unwrap_or_default();
        let vt = trim_range(val_raw);
        let value = val_raw.get(vt.clone()).unwrap_or_default();
        let value_start = start + t.start + eq + 1 + vt.start;
        if key.is_empty() {
            out.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + t.start..start + t.end,
                "an empty key: systemd-sysctl ignores this line",
            ));
            continue;
        }
        let key_text = String::from_utf8_lossy(key).into_owned();
        out.lines.push(SysctlLine {
            glob: key_text.contains(['*', '?', '[']),
            path: normalize(&key_text),
            key_span: key_start..key_start + key.len(),
            value: value.to_vec(),
            value_span: value_start..value_start + value.len(),
            ignore_failure,
        });
    }
    out
}

/// A glob match (`*`, `?`; a `[…]` class matches any one byte) of a
/// normalized key against a path. Iterative, at most `pattern × path` steps.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    // Tokens: Some(b) a literal byte, None a one-byte wildcard, and `*`
    // kept as a marker.
    #[derive(Clone, Copy, PartialEq)]
    enum T {
        Byte(u8),
        One,
        Star,
    }
    let mut toks = Vec::new();
    let p = pattern.as_bytes();
    let mut i = 0;
    while let Some(&c) = p.get(i) {
        match c {
            b'*' => toks.push(T::Star),
            b'?' => toks.push(T::One),
            b'[' => {
                let close = p.get(i..).and_then(|r| r.iter().position(|&b| b == b']'));
                toks.push(T::One);
                if let Some(c) = close {
                    i += c;
                }
            }
            c => toks.push(T::Byte(c)),
        }
        i += 1;
    }
    let s = path.as_bytes();
    let (mut ti, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match toks.get(ti) {
            Some(T::Star) => {
                star = Some((ti, si));
                ti += 1;
            }
            Some(T::One) => {
                ti += 1;
                si += 1;
            }
            Some(T::Byte(b)) if s.get(si) == Some(b) => {
                ti += 1;
                si += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    ti = st + 1;
                    si = ss + 1;
                    star = Some((st, ss + 1));
                }
                None => return false,
            },
        }
    }
    toks.get(ti..)
        .unwrap_or_default()
        .iter()
        .all(|t| *t == T::Star)
}

/// Orders the files of the sysctl.d directories as systemd does: a file
/// name in a higher-priority directory masks the same name elsewhere; the
/// remaining files apply sorted by name, whatever their directory. `files`
/// is `(directory priority, name, …)`; lower priority numbers win.
pub fn order<T: Clone>(files: &[(usize, String, T)]) -> Vec<(String, T, Vec<T>)> {
    let mut by_name: std::collections::BTreeMap<Vec<u8>, Vec<(usize, T)>> = Default::default();
    for (prio, name, t) in files {
        by_name
            .entry(name.as_bytes().to_vec())
            .or_default()
            .push((*prio, t.clone()));
    }
    by_name
        .into_iter()
        .filter_map(|(name, mut v)| {
            v.sort_by_key(|(p, _)| *p);
            let mut it = v.into_iter().map(|(_, t)| t);
            let first = it.next()?;
            Some((
                String::from_utf8_lossy(&name).into_owned(),
                first,
                it.collect(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_keys() {
        let text = "# comment\n; also\n-net.ipv4.conf.all.rp_filter\nkernel.panic = 10\n  -kernel.panic_on_oops=1  \nnet/ipv4/conf/eth0.1/rp_filter = 0\nkernel.panic_print\n = x\nkernel.*panic* = 3\n";
        let f = parse(FileId(2), text.as_bytes());
        assert_eq!(f.lines.len(), 4, "{:?}", f.lines);
        assert_eq!(f.issues.len(), 2);
        let l = &f.lines[0];
        assert_eq!(l.path, "kernel/panic");
        assert_eq!(l.value, b"10");
        assert_eq!(&text[l.key_span.clone()], "kernel.panic");
        assert_eq!(&text[l.value_span.clone()], "10");
        assert!(f.lines[1].ignore_failure);
        assert_eq!(f.lines[1].path, "kernel/panic_on_oops");
        assert_eq!(&text[f.lines[1].key_span.clone()], "kernel.panic_on_oops");
        assert_eq!(f.lines[2].path, "net/ipv4/conf/eth0.1/rp_filter");
        assert!(f.lines[3].glob);
    }

    #[test]
    fn normalization() {
        for (key, path) in [
            ("kernel.panic", "kernel/panic"),
            ("kernel/panic", "kernel/panic"),
            (
                "net.ipv4.conf.eth0/1.rp_filter",
                "net/ipv4/conf/eth0.1/rp_filter",
            ),
            ("/kernel/panic", "kernel/panic"),
        ] {
            assert_eq!(normalize(key), path, "{key}");
        }
        assert!(glob_matches("kernel/panic*", "kernel/panic_on_oops"));
        assert!(glob_matches("kernel/p?nic", "kernel/panic"));
        assert!(!glob_matches("kernel/panic", "kernel/panic_print"));
        assert!(glob_matches(&"*".repeat(50), &"a".repeat(60)));
        assert!(!glob_matches(
            &format!("{}b", "*a".repeat(30)),
            &"a".repeat(200)
        ));
        assert!(glob_matches(
            "net/ipv4/conf/[ae]th0/x",
            "net/ipv4/conf/eth0/x"
        ));
    }

    #[test]
    fn masking_and_order() {
        let files = vec![
            (3, "50-default.conf".to_string(), "usr/50"),
            (0, "90-panic.conf".to_string(), "etc/90"),
            (3, "90-panic.conf".to_string(), "usr/90"),
            (1, "10-run.conf".to_string(), "run/10"),
        ];
        let o = order(&files);
        let names: Vec<_> = o.iter().map(|(n, t, _)| (n.as_str(), *t)).collect();
        assert_eq!(
            names,
            [
                ("10-run.conf", "run/10"),
                ("50-default.conf", "usr/50"),
                ("90-panic.conf", "etc/90")
            ]
        );
        assert_eq!(o[2].2, vec!["usr/90"]);
    }
}
