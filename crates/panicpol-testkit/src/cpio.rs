//! A writer for cpio "newc" archives (the format the kernel's initramfs
//! unpacker reads, `init/initramfs.c`): enough to build a test initrd from
//! memory without root, `cpio` or `mknod`.
//!
//! Each member is a 110-byte ASCII header (magic `070701` and thirteen
//! 8-digit hex fields), the NUL-terminated name padded to a multiple of 4,
//! then the data padded to a multiple of 4. The archive ends with a member
//! named `TRAILER!!!`. Every field is 32 bits wide, so larger members are
//! refused rather than truncated.

use crate::error::RigError;

/// File type bits of `st_mode`, as the newc header carries them.
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;

/// The newc magic (no header checksum; the `070702` variant has one).
const MAGIC: &[u8; 6] = b"070701";
/// The name of the member that ends an archive.
const TRAILER: &str = "TRAILER!!!";

/// Builds a cpio newc archive in memory. Members are written in the order
/// they are added; parents must be added before their children, as the
/// kernel creates each member in turn.
#[derive(Debug)]
pub struct CpioWriter {
    buf: Vec<u8>,
    next_ino: u32,
}

impl Default for CpioWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CpioWriter {
    /// An empty archive.
    pub fn new() -> Self {
        CpioWriter {
            buf: Vec::new(),
            next_ino: 1,
        }
    }

    /// Adds a directory with the given permission bits (e.g. `0o755`).
    pub fn dir(&mut self, name: &str, perm: u32) -> Result<(), RigError> {
        // nlink 2: "." and the entry in the parent, as a real directory has.
        self.member(name, S_IFDIR | (perm & 0o7777), 2, (0, 0), &[])
    }

    /// Adds a regular file with the given permission bits and contents.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> Result<(), RigError> {
        self.member(name, S_IFREG | (perm & 0o7777), 1, (0, 0), data)
    }

    /// Adds a symbolic link; newc stores the target as the member's data.
    pub fn symlink(&mut self, name: &str, target: &str) -> Result<(), RigError> {
        self.member(name, S_IFLNK | 0o777, 1, (0, 0), target.as_bytes())
    }

    /// Adds a character device node (e.g. `/dev/console` is 5:1).
    pub fn char_dev(
        &mut self,
        name: &str,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> Result<(), RigError> {
        self.member(name, S_IFCHR | (perm & 0o7777), 1, (major, minor), &[])
    }

    /// Writes the trailer and returns the archive's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        // The trailer has a fixed short name and no data, so it always fits.
        let _ = self.member(TRAILER, 0, 1, (0, 0), &[]);
        self.buf
    }

    fn member(
        &mut self,
        name: &str,
        mode: u32,
        nlink: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> Result<(), RigError> {
        let bad = |reason: &str| RigError::Cpio {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        if name.is_empty() || name.contains('\0') {
            return Err(bad(
                "a member name must be non-empty and contain no NUL byte",
            ));
        }
        // The kernel's unpacker reads names relative to the root; a leading
        // slash or a ".." would make the archive depend on how it is unpacked.
        if name.starts_with('/') || name.split('/').any(|c| c == "..") {
            return Err(bad("a member name must be relative and contain no `..`"));
        }
        let namesize = u32::try_from(name.len() + 1).map_err(|_| bad("name too long"))?;
        let filesize =
            u32::try_from(data.len()).map_err(|_| bad("data larger than 4 GiB - 1 bytes"))?;
        let ino = self.next_ino;
        self.next_ino = self.next_ino.wrapping_add(1);

        let fields = [
            ino, mode, 0, // uid: root
            0, // gid: root
            nlink, 0, // mtime: fixed, so the archive is reproducible
            filesize, 0, // major of the device holding the file: meaningless here
            0, // minor of the same
            rdev.0, rdev.1, namesize, 0, // check: only used by the 070702 variant
        ];
        self.buf.extend_from_slice(MAGIC);
        for v in fields {
            self.buf.extend_from_slice(format!("{v:08x}").as_bytes());
        }
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(0);
        self.pad4();
        self.buf.extend_from_slice(data);
        self.pad4();
        Ok(())
    }

    fn pad4(&mut self) {
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
    }
}

/// A strict newc reader for tests, independent of the writer's code paths.
#[cfg(test)]
pub(crate) mod reader {
    use super::TRAILER;

    /// One member read back from an archive, for checking the writer.
    #[derive(Debug, PartialEq)]
    pub(crate) struct Member {
        pub(crate) name: String,
        pub(crate) mode: u32,
        pub(crate) nlink: u32,
        pub(crate) rdev: (u32, u32),
        pub(crate) data: Vec<u8>,
        /// Offset of the header: every header must start 4-aligned.
        pub(crate) offset: usize,
    }

    /// A strict newc reader, independent of the writer's code paths.
    pub(crate) fn read(archive: &[u8]) -> Vec<Member> {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let hdr = &archive[at..at + 110];
            assert_eq!(&hdr[..6], b"070701", "magic at offset {at}");
            let field = |i: usize| {
                let s = std::str::from_utf8(&hdr[6 + 8 * i..14 + 8 * i]).unwrap();
                u32::from_str_radix(s, 16).unwrap()
            };
            let namesize = field(11) as usize;
            let filesize = field(6) as usize;
            let name_start = at + 110;
            let name = &archive[name_start..name_start + namesize];
            assert_eq!(name.last(), Some(&0), "name is NUL-terminated");
            let name = String::from_utf8(name[..namesize - 1].to_vec()).unwrap();
            let data_start = (name_start + namesize).next_multiple_of(4);
            let data = archive[data_start..data_start + filesize].to_vec();
            let m = Member {
                name,
                mode: field(1),
                nlink: field(4),
                rdev: (field(9), field(10)),
                data,
                offset: at,
            };
            at = (data_start + filesize).next_multiple_of(4);
            let done = m.name == TRAILER;
            out.push(m);
            if done {
                assert_eq!(at, archive.len(), "nothing after the trailer");
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reader::read;
    use super::*;

    #[test]
    fn members_round_trip_with_types_devices_and_alignment() {
        let mut w = CpioWriter::new();
        w.dir("bin", 0o755).unwrap();
        w.file("bin/x", 0o755, b"12345").unwrap(); // odd length: data padding
        w.symlink("bin/sh", "busybox").unwrap();
        w.char_dev("dev/console", 0o600, 5, 1).unwrap();
        w.file("e", 0o644, b"").unwrap();
        let a = w.finish();
        assert_eq!(a.len() % 4, 0);
        let m = read(&a);
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["bin", "bin/x", "bin/sh", "dev/console", "e", "TRAILER!!!"]
        );
        assert!(m.iter().all(|m| m.offset % 4 == 0));
        assert_eq!((m[0].mode, m[0].nlink), (0o040755, 2));
        assert_eq!((m[1].mode, m[1].data.as_slice()), (0o100755, &b"12345"[..]));
        assert_eq!(
            (m[2].mode, m[2].data.as_slice()),
            (0o120777, &b"busybox"[..])
        );
        assert_eq!((m[3].mode, m[3].rdev), (0o020600, (5, 1)));
        assert!(m[4].data.is_empty());
    }

    #[test]
    fn same_input_gives_same_bytes() {
        let build = || {
            let mut w = CpioWriter::new();
            w.file("init", 0o755, b"#!/bin/sh\n").unwrap();
            w.finish()
        };
        assert_eq!(build(), build());
    }

    #[test]
    fn bad_names_are_refused() {
        let mut w = CpioWriter::new();
        for name in ["", "a\0b", "/init", "a/../b", ".."] {
            assert!(
                matches!(w.file(name, 0o644, b"x"), Err(RigError::Cpio { .. })),
                "{name:?} accepted"
            );
        }
        // Nothing was written for the refused members.
        assert_eq!(read(&w.finish()).len(), 1);
    }
}
