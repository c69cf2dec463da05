//! Compressed modules: `.ko.xz`, `.ko.zst`, `.ko.gz` as the kernel's
//! `CONFIG_MODULE_COMPRESS_{XZ,ZSTD,GZIP}` and the distributions install
//! them (Debian: xz; Ubuntu, Fedora, Arch: zstd; some gzip).
//!
//! The format is told by its magic bytes, as kmod does, not by the file
//! name. Everything about a compressed file is untrusted, so three things
//! are bounded before any buffer is sized from it:
//!
//! - the output: [`MAX_DECOMPRESSED`] bytes, past which the file fails
//!   (a header's claimed size only ever sizes a first allocation after
//!   being cut to the bound);
//! - the xz dictionary: [`XZ_MEMORY_LIMIT_KIB`], checked by the decoder
//!   against each block header before it allocates;
//! - the zstd window: [`ZSTD_MAX_WINDOW`], checked here on each frame
//!   header before the decoder sees it (ruzstd sizes its buffer from the
//!   header and only bounds it on a reused decoder).
//!
//! gzip needs no such bound: deflate's window is a fixed 32 KiB.
//! Checksums are verified (xz's CRC/SHA-256, zstd's XXH64 when the frame
//! has one, gzip's CRC-32 and size), so a damaged file fails here instead of
//! reaching the ELF reader as plausible garbage.

use super::error::Error;
use std::fmt;
use std::io::Read;

/// The most a compressed module may decompress to: 256 MiB.
///
/// Measured on Debian's cloud kernels: the largest installed module is
/// `xfs.ko` (6.12: 5,565,887 bytes uncompressed; 6.1: 4,210,945), and the
/// largest module with full debug info is the `-dbg` package's
/// `mlx5_core.ko` (6.12: 69,687,088 bytes; 6.1: 56,354,504). 256 MiB is
/// 46 times the first and 3.8 times the second, so even a distribution
/// that compresses unstripped modules fits, while a "bomb" stops at a cost
/// the machine can pay.
pub const MAX_DECOMPRESSED: usize = 256 << 20;

/// The xz decoder's memory limit, in KiB: 65 MiB, what `xz -9` (64 MiB
/// dictionary, the largest preset) needs to decompress, so any file xz's
/// presets make is read. Kernel-built modules use `--lzma2=dict=1MiB`
/// (scripts/Makefile.modinst; Debian 6.12: every module, 1.06 MiB needed).
pub const XZ_MEMORY_LIMIT_KIB: u32 = 65 * 1024;

/// The largest zstd window accepted: 128 MiB, zstd's own default decoder
/// limit (`ZSTD_WINDOWLOG_LIMIT_DEFAULT` = 27; `zstd -d` refuses more
/// without `--long=31` or `--memory`). The kernel's own build compresses
/// module files of known size, whose window zstd shrinks to fit the file.
pub const ZSTD_MAX_WINDOW: u64 = 128 << 20;

/// How much output is read at a time.
const CHUNK: usize = 64 << 10;

/// A compression format of installed modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// xz (`FD 37 7A 58 5A 00`), `.ko.xz`.
    Xz,
    /// zstd (`28 B5 2F FD`), `.ko.zst`.
    Zstd,
    /// gzip (`1F 8B`), `.ko.gz`.
    Gzip,
}

const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

impl Compression {
    /// The format whose magic bytes `bytes` starts with, if any.
    pub fn detect(bytes: &[u8]) -> Option<Compression> {
        if bytes.starts_with(XZ_MAGIC) {
            Some(Compression::Xz)
        } else if bytes.starts_with(ZSTD_MAGIC) {
            Some(Compression::Zstd)
        } else if bytes.starts_with(GZIP_MAGIC) {
            Some(Compression::Gzip)
        } else {
            None
        }
    }

    /// The format a file-name suffix (without the dot: `xz`, `zst`, `gz`)
    /// stands for.
    pub fn from_suffix(suffix: &str) -> Option<Compression> {
        match suffix {
            "xz" => Some(Compression::Xz),
            "zst" => Some(Compression::Zstd),
            "gz" => Some(Compression::Gzip),
            _ => None,
        }
    }

    /// The format's name: `xz`, `zstd` or `gzip`.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Decompresses `bytes` (format told by its magic bytes) into at most
/// `limit` bytes; [`MAX_DECOMPRESSED`] is the bound [`super::read_modules`]
/// uses. Fails with [`Error::NotCompressed`] when no known magic starts the
/// bytes, [`Error::DecompressedTooLarge`] past `limit`, and
/// [`Error::Decompress`] on damaged, truncated or unsupported data.
pub fn decompress(bytes: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let Some(format) = Compression::detect(bytes) else {
        return Err(Error::NotCompressed {
            head: head(bytes),
            named: None,
        });
    };
    let fail = |reason: String| Error::Decompress { format, reason };
    let mut out = Vec::new();
    match format {
        Compression::Xz => {
            let r = lzma_rust2::XzReader::new_mem_limit(bytes, true, XZ_MEMORY_LIMIT_KIB);
            // No size hint: the uncompressed size sits in the index at the
            // end; a few times the input is the usual ratio (Debian: 5-7x).
            read_capped(r, format, limit, bytes.len().saturating_mul(4), &mut out)?;
        }
        Compression::Gzip => {
            // ISIZE, the last 4 bytes: the size modulo 2^32, a hint only.
            let hint = bytes
                .len()
                .checked_sub(4)
                .and_then(|at| bytes.get(at..))
                .and_then(|t| <[u8; 4]>::try_from(t).ok())
                .map_or(0, |t| u32::from_le_bytes(t) as usize)
                // Deflate expands at most 1032:1, whatever ISIZE claims.
                .min(bytes.len().saturating_mul(1032));
            // Multi-member, as `gzip -d` reads concatenated files.
            let r = flate2::read::MultiGzDecoder::new(bytes);
            read_capped(r, format, limit, hint, &mut out)?;
        }
        Compression::Zstd => {
            // Frame by frame (zstd -d reads concatenated frames), each
            // header checked before the decoder sizes its window from it.
            let mut rest = bytes;
            while !rest.is_empty() {
                if let Some(skip) = skippable_frame_len(rest) {
                    rest = rest.get(skip..).ok_or_else(|| {
                        fail("skippable frame runs past the end of the file".into())
                    })?;
                    continue;
                }
                let header = zstd_frame_header(rest).map_err(fail)?;
                if header.window > ZSTD_MAX_WINDOW {
                    return Err(fail(format!(
                        "frame window of {} bytes exceeds the {} MiB bound",
                        header.window,
                        ZSTD_MAX_WINDOW >> 20
                    )));
                }
                let room = limit.saturating_sub(out.len()) as u64;
                if header.content_size.is_some_and(|size| size > room) {
                    return Err(Error::DecompressedTooLarge {
                        format,
                        limit: limit as u64,
                    });
                }
                let hint = header.content_size.map_or(0, |s| s as usize);
                let mut dec = ruzstd::decoding::StreamingDecoder::new(&mut rest).map_err(|e| {
                    let early = ended_early(Some(&e));
                    fail(if early {
                        format!("truncated file (the data ends early): {e}")
                    } else {
                        e.to_string()
                    })
                })?;
                read_capped(&mut dec, format, limit, hint, &mut out)?;
                let d = &dec.decoder;
                if header.checksum && d.get_checksum_from_data() != d.get_calculated_checksum() {
                    return Err(fail("content checksum mismatch".into()));
                }
            }
        }
    }
    Ok(out)
}

/// The first bytes of a file, for messages about what it is not.
pub(crate) fn head(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().take(6).copied().collect()
}

/// Reads `r` to its end onto `out`, which may hold at most `limit` bytes.
/// The buffer grows by exact reservations (never past `limit`) so the
/// bound on output is the bound on memory; `hint` sizes the first
/// reservation only after being cut to `limit`.
fn read_capped(
    mut r: impl Read,
    format: Compression,
    limit: usize,
    hint: usize,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let fail = |reason: String| Error::Decompress { format, reason };
    let room = limit.saturating_sub(out.len());
    out.try_reserve_exact(hint.min(room))
        .map_err(|e| fail(e.to_string()))?;
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(describe(format, &e))),
        };
        if out.len().saturating_add(n) > limit {
            return Err(Error::DecompressedTooLarge {
                format,
                limit: limit as u64,
            });
        }
        let got = chunk.get(..n).unwrap_or_default();
        if out.capacity() - out.len() < n {
            // Double, as Vec would, but never past the limit.
            let want = out.capacity().max(CHUNK).min(limit - out.len()).max(n);
            out.try_reserve_exact(want)
                .map_err(|e| fail(e.to_string()))?;
        }
        out.extend_from_slice(got);
    }
}

/// A decoder's I/O error in words a user can act on.
fn describe(format: Compression, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::OutOfMemory {
        return format!(
            "{e}: the {format} dictionary needs more than the {} MiB bound",
            XZ_MEMORY_LIMIT_KIB / 1024
        );
    }
    // ruzstd wraps its own errors, which wrap the reader's: the cause may
    // be a few sources down.
    let inner = e.get_ref().map(|i| i as &(dyn std::error::Error + 'static));
    if e.kind() == std::io::ErrorKind::UnexpectedEof || ended_early(inner) {
        format!("truncated file (the data ends early): {e}")
    } else {
        e.to_string()
    }
}

/// Whether an error or one of its sources is an unexpected end of input.
fn ended_early(mut e: Option<&(dyn std::error::Error + 'static)>) -> bool {
    // Error chains are short; the bound only guards against a cycle.
    for _ in 0..16 {
        let Some(cur) = e else { return false };
        if cur
            .downcast_ref::<std::io::Error>()
            .is_some_and(|i| i.kind() == std::io::ErrorKind::UnexpectedEof)
        {
            return true;
        }
        e = cur.source();
    }
    false
}

/// What a zstd frame header says (RFC 8878, 3.1.1.1).
struct FrameHeader {
    /// The window the decoder must keep.
    window: u64,
    /// The content size, when the header has it.
    content_size: Option<u64>,
    /// Whether a 4-byte XXH64 checksum ends the frame.
    checksum: bool,
}

/// Parses the frame header at the start of `b` (which starts with the
/// zstd magic or is not a zstd frame).
fn zstd_frame_header(b: &[u8]) -> Result<FrameHeader, String> {
    if !b.starts_with(ZSTD_MAGIC) {
        return Err(format!(
            "expected a zstd frame, found bytes {}",
            hex(&head(b))
        ));
    }
    let short = || "frame header cut short (truncated file?)".to_string();
    let fhd = *b.get(4).ok_or_else(short)?;
    let fcs_flag = fhd >> 6;
    let single_segment = fhd & 0x20 != 0;
    let checksum = fhd & 0x04 != 0;
    if fhd & 0x08 != 0 {
        return Err("reserved bit set in the frame header".into());
    }
    let dict_len = match fhd & 3 {
        0 => 0,
        1 => 1,
        2 => 2,
        _ => 4,
    };
    let fcs_len = match (fcs_flag, single_segment) {
        (0, false) => 0,
        (0, true) => 1,
        (1, _) => 2,
        (2, _) => 4,
        _ => 8,
    };
    let mut at = 5;
    let window_desc = if single_segment {
        None
    } else {
        at += 1;
        Some(*b.get(5).ok_or_else(short)?)
    };
    at += dict_len;
    let content_size = if fcs_len == 0 {
        None
    } else {
        let f = b.get(at..at + fcs_len).ok_or_else(short)?;
        let mut v = [0u8; 8];
        v.get_mut(..fcs_len).ok_or_else(short)?.copy_from_slice(f);
        let v = u64::from_le_bytes(v);
        Some(if fcs_len == 2 { v + 256 } else { v })
    };
    let window = match (window_desc, content_size) {
        (Some(w), _) => {
            let log = 10 + u64::from(w >> 3);
            let base = 1u64 << log;
            base + (base / 8) * u64::from(w & 7)
        }
        (None, Some(size)) => size,
        (None, None) => 0,
    };
    Ok(FrameHeader {
        window,
        content_size,
        checksum,
    })
}

/// The total length of a skippable frame at the start of `b`
/// (magic `0x184D2A5?`, then a 4-byte size), if it is one.
fn skippable_frame_len(b: &[u8]) -> Option<usize> {
    let magic = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
    if magic & 0xffff_fff0 != 0x184d_2a50 {
        return None;
    }
    let size = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?);
    Some((size as usize).saturating_add(8))
}

/// Bytes as `fd 37 7a …`.
pub(crate) fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_decides_the_format() {
        assert_eq!(
            Compression::detect(&[0xfd, b'7', b'z', b'X', b'Z', 0, 1]),
            Some(Compression::Xz)
        );
        assert_eq!(
            Compression::detect(&[0x28, 0xb5, 0x2f, 0xfd]),
            Some(Compression::Zstd)
        );
        assert_eq!(
            Compression::detect(&[0x1f, 0x8b, 8]),
            Some(Compression::Gzip)
        );
        // Five of xz's six bytes are not xz.
        assert_eq!(Compression::detect(&[0xfd, b'7', b'z', b'X', b'Z']), None);
        assert_eq!(Compression::detect(b"\x7fELF"), None);
        assert_eq!(Compression::detect(&[]), None);
    }

    #[test]
    fn zstd_window_from_the_descriptor() {
        // Window_Descriptor 0x58: exponent 11 → 2^21, mantissa 0.
        let h = zstd_frame_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58]).unwrap();
        assert_eq!(
            (h.window, h.content_size, h.checksum),
            (2 << 20, None, true)
        );
        // Exponent 17, mantissa 1: 2^27 + 2^24, just over the bound.
        let h = zstd_frame_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x89]).unwrap();
        assert_eq!(h.window, (1 << 27) + (1 << 24));
        assert!(h.window > ZSTD_MAX_WINDOW);
    }

    #[test]
    fn zstd_single_segment_window_is_the_content_size() {
        // FCS flag 3 (8 bytes), single segment: window = content size.
        let mut b = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
        b.extend_from_slice(&(1u64 << 40).to_le_bytes());
        let h = zstd_frame_header(&b).unwrap();
        assert_eq!((h.window, h.content_size), (1 << 40, Some(1 << 40)));
        // FCS of 2 bytes counts from 256.
        let h = zstd_frame_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x60, 0, 0]).unwrap();
        assert_eq!(h.content_size, Some(256));
    }

    #[test]
    fn a_lying_zstd_header_is_refused_before_decoding() {
        // A frame claiming 1 TiB of content in one segment: the claim alone
        // is past the limit; nothing is allocated for it.
        let mut b = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
        b.extend_from_slice(&(1u64 << 40).to_le_bytes());
        b.extend_from_slice(&[1, 0, 0]);
        match decompress(&b, MAX_DECOMPRESSED) {
            Err(Error::Decompress { reason, .. }) => assert!(reason.contains("window"), "{reason}"),
            other => panic!("{other:?}"),
        }
        // A window over the bound, content size unknown.
        let b = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x89, 1, 0, 0];
        let e = decompress(&b, MAX_DECOMPRESSED).unwrap_err().to_string();
        assert!(e.contains("128 MiB bound"), "{e}");
    }

    #[test]
    fn truncated_zstd_headers_are_errors() {
        for n in 4..6 {
            let b = &[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58][..n];
            let e = decompress(b, MAX_DECOMPRESSED).unwrap_err().to_string();
            assert!(e.contains("cut short"), "{n}: {e}");
        }
    }

    #[test]
    fn skippable_frames_are_measured() {
        assert_eq!(
            skippable_frame_len(&[0x5f, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]),
            Some(11)
        );
        assert_eq!(
            skippable_frame_len(&[0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]),
            None
        );
        assert_eq!(skippable_frame_len(&[0x50, 0x2a, 0x4d, 0x18, 3]), None);
    }

    #[test]
    fn garbage_is_not_compressed() {
        let e = decompress(b"hello world", 100).unwrap_err();
        assert!(e.to_string().contains("68 65 6c 6c 6f 20"), "{e}");
    }
}
