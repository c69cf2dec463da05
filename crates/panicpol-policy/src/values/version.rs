//! Kernel versions and the version gates of panic-policy features.
//!
//! Every version-dependent fact in panicpol goes through [`Since::gate`], which
//! answers yes, no, or "depends on the kernel" — the last when the target's
//! version is unknown, or when the fact is only known to lie between two
//! releases (e.g. "absent in 6.1, present in 6.12").

use std::fmt;

use serde::Serialize;

/// A mainline release, `major.minor` (e.g. 6.12). Feature gates compare these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Release {
    /// The major number (6 in 6.12).
    pub major: u32,
    /// The minor number (12 in 6.12).
    pub minor: u32,
}

impl Release {
    /// `Release::new(6, 12)` is 6.12.
    pub const fn new(major: u32, minor: u32) -> Release {
        Release { major, minor }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The version of a target kernel, or the explicit statement that it is unknown.
///
/// Parsed from `uname -r` strings. Only `major.minor` drives gates: distribution
/// ABI numbers make the third number unreliable (Debian's `6.1.0-50-cloud-amd64`
/// is really 6.1.176), so [`KernelVersion::patch`] is `None` for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct KernelVersion {
    release: Option<Release>,
    patch: Option<u32>,
}

/// Why a release string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    /// What was wrong, for a human.
    pub message: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VersionError {}

impl KernelVersion {
    /// A kernel whose version nobody knows: every gate answers "depends".
    pub const UNKNOWN: KernelVersion = KernelVersion {
        release: None,
        patch: None,
    };

    /// A known version; `patch` is `None` when the sublevel is not known.
    pub const fn new(major: u32, minor: u32, patch: Option<u32>) -> KernelVersion {
        KernelVersion {
            release: Some(Release { major, minor }),
            patch,
        }
    }

    /// Reads a `uname -r` string (`6.12.117+deb12-cloud-amd64`,
    /// `6.1.0-50-cloud-amd64`, `7.0.0-rc3`, `6.12`), or the same string preceded
    /// by `Linux version ` as in `linux_banner`.
    ///
    /// The third number is kept only when it is a real sublevel: `X.Y.0`
    /// followed by `-<digits>` is a Debian/Ubuntu ABI number, not a sublevel.
    pub fn parse(s: &str) -> Result<KernelVersion, VersionError> {
        let s = s.trim();
        let s = s.strip_prefix("Linux version ").unwrap_or(s);
        let err = |what: &str| VersionError {
            message: format!("not a kernel release ({what}): {s:?}"),
        };
        let (major, rest) = leading_number(s).ok_or_else(|| err("no major number"))?;
        let rest = rest
            .strip_prefix('.')
            .ok_or_else(|| err("no '.' after the major number"))?;
        let (minor, rest) = leading_number(rest).ok_or_else(|| err("no minor number"))?;
        let mut patch = None;
        if let Some(r) = rest.strip_prefix('.') {
            if let Some((p, after)) = leading_number(r) {
                let abi = p == 0
                    && after
                        .strip_prefix('-')
                        .is_some_and(|a| a.bytes().next().is_some_and(|b| b.is_ascii_digit()));
                if !abi {
                    patch = Some(p);
                }
            }
        }
        Ok(KernelVersion::new(major, minor, patch))
    }

    /// The `major.minor` release, if known.
    pub fn release(&self) -> Option<Release> {
        self.release
    }

    /// The sublevel, when it is known to be real (not a distribution ABI number).
    pub fn patch(&self) -> Option<u32> {
        self.patch
    }

    /// Whether anything is known about this version.
    pub fn is_known(&self) -> bool {
        self.release.is_some()
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.release, self.patch) {
            (None, _) => f.write_str("unknown"),
            (Some(r), Some(p)) => write!(f, "{r}.{p}"),
            (Some(r), None) => write!(f, "{r}"),
        }
    }
}

fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let (digits, rest) = s.split_at(end);
    digits.parse().ok().map(|n| (n, rest))
}

/// The answer of a version gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// The target kernel has it.
    Yes,
    /// The target kernel does not have it.
    No,
    /// Cannot tell: the version is unknown, or falls in a range where the
    /// exact release of the change is not known.
    Depends,
}

impl Gate {
    /// `true` only for [`Gate::Yes`].
    pub fn is_yes(self) -> bool {
        self == Gate::Yes
    }

    /// `true` only for [`Gate::No`].
    pub fn is_no(self) -> bool {
        self == Gate::No
    }
}

/// How a version fact is known; diagnostics should say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Read in the kernel sources on both sides of the change (Debian's 6.1 and
    /// 6.12 trees) or in a mainline release's own file.
    Source,
    /// From panicpol's reference notes (LKML copies, linux-next files); the
    /// exact release was not checked in a release tree.
    Notes,
    /// Inferred from indirect evidence (e.g. the merge-window date of a
    /// commit in a kernel.org push log).
    Inferred,
    /// Recalled, not re-read in a primary source.
    Memory,
}

/// When something appeared in mainline.
///
/// `first` is the earliest release known to have it. `absent_in` is the latest
/// release known *not* to have it; `None` means the change is dated exactly,
/// i.e. every release before `first` lacks it. Releases strictly between the
/// two are "depends".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Since {
    /// The earliest release known to have it.
    pub first: Release,
    /// The latest release known to lack it, when the exact release is unknown.
    pub absent_in: Option<Release>,
    /// How this is known.
    pub basis: Basis,
}

impl Since {
    /// Introduced exactly in `major.minor`.
    pub const fn exact(major: u32, minor: u32, basis: Basis) -> Since {
        Since {
            first: Release::new(major, minor),
            absent_in: None,
            basis,
        }
    }

    /// Absent in `absent`, present in `present`; in between unknown.
    pub const fn between(absent: Release, present: Release, basis: Basis) -> Since {
        Since {
            first: present,
            absent_in: Some(absent),
            basis,
        }
    }

    /// Does `v` have it?
    pub fn gate(&self, v: &KernelVersion) -> Gate {
        let Some(r) = v.release else {
            return Gate::Depends;
        };
        if r >= self.first {
            return Gate::Yes;
        }
        match self.absent_in {
            None => Gate::No,
            Some(a) if r <= a => Gate::No,
            Some(_) => Gate::Depends,
        }
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.absent_in {
            None => write!(f, "{}", self.first),
            Some(a) => write!(f, "after {a}, by {}", self.first),
        }
    }
}

/// The span of releases in which something exists: from `since` until (and
/// excluding) `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Lifetime {
    /// When it appeared; `None` for "long before any kernel panicpol supports".
    pub since: Option<Since>,
    /// When it was removed, if it was.
    pub until: Option<Since>,
}

impl Lifetime {
    /// Present in every kernel panicpol knows.
    pub const ALWAYS: Lifetime = Lifetime {
        since: None,
        until: None,
    };

    /// Present from `since` on.
    pub const fn from(since: Since) -> Lifetime {
        Lifetime {
            since: Some(since),
            until: None,
        }
    }

    /// Does `v` have it?
    pub fn gate(&self, v: &KernelVersion) -> Gate {
        let added = self.since.map_or(Gate::Yes, |s| s.gate(v));
        let removed = self.until.map_or(Gate::No, |u| u.gate(v));
        match (added, removed) {
            (Gate::No, _) | (_, Gate::Yes) => Gate::No,
            (Gate::Yes, Gate::No) => Gate::Yes,
            _ => Gate::Depends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_uname_strings() {
        type Case = (&'static str, Option<(u32, u32)>, Option<u32>);
        let cases: &[Case] = &[
            ("6.12.117+deb12-cloud-amd64", Some((6, 12)), Some(117)),
            ("6.1.0-50-cloud-amd64", Some((6, 1)), None),
            ("5.15.0-91-generic", Some((5, 15)), None),
            ("6.1.0", Some((6, 1)), Some(0)),
            ("7.0.0-rc3", Some((7, 0)), Some(0)),
            ("6.12", Some((6, 12)), None),
            ("6.19.2-arch1-1", Some((6, 19)), Some(2)),
            (
                "Linux version 6.12.117+deb12-cloud-amd64 (debian-kernel@lists.debian.org)",
                Some((6, 12)),
                Some(117),
            ),
            ("  6.16.1\n", Some((6, 16)), Some(1)),
        ];
        for (s, rel, patch) in cases {
            let v = KernelVersion::parse(s).unwrap_or(KernelVersion::UNKNOWN);
            assert_eq!(v.release().map(|r| (r.major, r.minor)), *rel, "{s}");
            assert_eq!(v.patch(), *patch, "{s}");
        }
    }

    #[test]
    fn rejects_non_versions() {
        for s in [
            "",
            "six",
            "6",
            "6.",
            "6.x",
            "v6.12",
            "-6.12",
            "99999999999.1",
        ] {
            assert!(KernelVersion::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn exact_gate() {
        let s = Since::exact(6, 16, Basis::Inferred);
        assert_eq!(s.gate(&KernelVersion::new(6, 15, Some(9))), Gate::No);
        assert_eq!(s.gate(&KernelVersion::new(6, 16, None)), Gate::Yes);
        assert_eq!(s.gate(&KernelVersion::new(7, 0, None)), Gate::Yes);
        assert_eq!(s.gate(&KernelVersion::new(5, 99, None)), Gate::No);
        assert_eq!(s.gate(&KernelVersion::UNKNOWN), Gate::Depends);
    }

    #[test]
    fn ranged_gate() {
        let s = Since::between(Release::new(6, 1), Release::new(6, 12), Basis::Source);
        assert_eq!(s.gate(&KernelVersion::new(6, 1, None)), Gate::No);
        assert_eq!(s.gate(&KernelVersion::new(5, 10, None)), Gate::No);
        assert_eq!(s.gate(&KernelVersion::new(6, 6, None)), Gate::Depends);
        assert_eq!(s.gate(&KernelVersion::new(6, 12, None)), Gate::Yes);
    }

    #[test]
    fn lifetime_with_removal() {
        let l = Lifetime {
            since: Some(Since::exact(5, 0, Basis::Memory)),
            until: Some(Since::exact(6, 18, Basis::Notes)),
        };
        assert_eq!(l.gate(&KernelVersion::new(4, 19, None)), Gate::No);
        assert_eq!(l.gate(&KernelVersion::new(6, 12, None)), Gate::Yes);
        assert_eq!(l.gate(&KernelVersion::new(6, 18, None)), Gate::No);
        assert_eq!(l.gate(&KernelVersion::UNKNOWN), Gate::Depends);
        assert_eq!(
            Lifetime::ALWAYS.gate(&KernelVersion::new(3, 0, None)),
            Gate::Yes
        );
        assert_eq!(Lifetime::ALWAYS.gate(&KernelVersion::UNKNOWN), Gate::Yes);
    }

    #[test]
    fn display_round_trips_the_reliable_part() {
        assert_eq!(
            KernelVersion::parse("6.1.0-50-cloud-amd64")
                .map(|v| v.to_string())
                .ok()
                .as_deref(),
            Some("6.1")
        );
        assert_eq!(
            KernelVersion::parse("6.12.117+deb12")
                .map(|v| v.to_string())
                .ok()
                .as_deref(),
            Some("6.12.117")
        );
        assert_eq!(KernelVersion::UNKNOWN.to_string(), "unknown");
    }
}
