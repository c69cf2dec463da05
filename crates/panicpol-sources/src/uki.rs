//! The `.cmdline` (and `.uname`) section of a unified kernel image or a UKI
//! add-on, read with goblin from the PE headers without loading the image.
//!
//! A UKI is a PE file (systemd-stub plus `.linux`, `.initrd`, `.cmdline`,
//! `.osrel`, `.uname` … sections, `systemd-stub(7)`). The stub uses the
//! `.cmdline` section as the kernel command line; the boot loader's options
//! replace it only when Secure Boot is off or the section is missing or
//! empty. Add-ons (`<uki>.efi.extra.d/*.addon.efi`, and `loader/addons/` for
//! all UKIs) are PE files whose `.cmdline` is appended.
//!
//! Only the first [`HEAD_LIMIT`] bytes (headers and section table) and the
//! wanted sections (at most [`SECTION_LIMIT`] bytes each) are read: a UKI
//! holds a whole kernel and initrd.

use std::path::Path;

use goblin::pe::header::Header;
use goblin::pe::section_table::SectionTable;

use crate::fs::{FsError, read_at};

/// How much of the file is read to find the headers and section table.
pub const HEAD_LIMIT: usize = 1 << 20;
/// The largest section read (a command line is at most a few KiB).
pub const SECTION_LIMIT: usize = 64 * 1024;

/// What a PE file says about the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UkiInfo {
    /// The `.cmdline` section's bytes up to the first NUL, if there is a
    /// section.
    pub cmdline: Option<Vec<u8>>,
    /// The `.uname` section (the kernel release), if there is one.
    pub uname: Option<String>,
    /// The names of all sections, in order.
    pub sections: Vec<String>,
    /// The last bytes of the `.initrd` section (as many as a bootconfig
    /// footer can span), when there is one: where a bootconfig attached to
    /// the embedded initrd would be.
    pub initrd_tail: Option<Vec<u8>>,
    /// Zero bytes the loader adds after `.initrd`'s data (its `VirtualSize`
    /// beyond the raw data): they end the initrd the stub passes on.
    pub initrd_zero_fill: u32,
    /// The stub's version, from `.sdmagic` (`#### LoaderInfo: systemd-stub
    /// 257.4 ####` → `257.4`).
    pub stub_version: Option<String>,
}

impl UkiInfo {
    /// The stub's major version (`257`), when `.sdmagic` tells it.
    pub fn stub_major(&self) -> Option<u32> {
        let v = self.stub_version.as_deref()?;
        let end = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
        v.get(..end)?.parse().ok()
    }
}

/// How much of `.initrd`'s end is read: the largest bootconfig, its footer,
/// and the bytes the kernel tolerates after the magic.
const INITRD_TAIL: usize = panicpol_syntax::bootconfig::XBC_DATA_MAX
    + panicpol_emit::initrd::FOOTER_LEN
    + panicpol_emit::initrd::MAX_TRAILING
    + 8;

/// The version in systemd-stub's `.sdmagic` section.
fn stub_version(sdmagic: &[u8]) -> Option<String> {
    let end = sdmagic
        .iter()
        .position(|&c| c == 0)
        .unwrap_or(sdmagic.len());
    let text = std::str::from_utf8(sdmagic.get(..end)?).ok()?;
    let rest = text.trim().strip_prefix("#### LoaderInfo: systemd-stub ")?;
    let v = rest.split_whitespace().next()?;
    (v.starts_with(|c: char| c.is_ascii_digit()) && v.len() <= 64).then(|| v.to_string())
}

/// Why a file is not a readable PE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UkiError {
    /// The file could not be read.
    Fs(FsError),
    /// Not a PE file, or malformed headers.
    Malformed(String),
    /// A wanted section is larger than [`SECTION_LIMIT`].
    SectionTooLarge {
        /// The section.
        name: String,
        /// Its size.
        size: u32,
    },
}

impl std::fmt::Display for UkiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UkiError::Fs(e) => write!(f, "{e}"),
            UkiError::Malformed(m) => write!(f, "not a readable PE file: {m}"),
            UkiError::SectionTooLarge { name, size } => write!(
                f,
                "section {name} is {size} bytes, more than the {SECTION_LIMIT} panicpol reads"
            ),
        }
    }
}

fn section_name(s: &SectionTable) -> String {
    let end = s.name.iter().position(|&b| b == 0).unwrap_or(s.name.len());
    String::from_utf8_lossy(s.name.get(..end).unwrap_or_default()).into_owned()
}

/// The section table of a PE whose first bytes are `head`.
pub fn sections(head: &[u8]) -> Result<Vec<SectionTable>, UkiError> {
    let header = Header::parse(head).map_err(|e| UkiError::Malformed(e.to_string()))?;
    let opt = usize::from(header.coff_header.size_of_optional_header);
    let mut offset = (header.dos_header.pe_pointer as usize)
        .checked_add(4 + 20)
        .and_then(|o| o.checked_add(opt))
        .ok_or_else(|| UkiError::Malformed("header offsets overflow".into()))?;
    if offset > head.len() {
        return Err(UkiError::Malformed(
            "the section table lies beyond the headers read".into(),
        ));
    }
    header
        .coff_header
        .sections(head, &mut offset)
        .map_err(|e| UkiError::Malformed(e.to_string()))
}

/// The bytes of a section: `VirtualSize` bytes (the data's real length;
/// the raw size is padded to the file alignment), at most the raw size.
fn section_bytes(path: &Path, s: &SectionTable) -> Result<Vec<u8>, UkiError> {
    let len = if s.virtual_size == 0 {
        s.size_of_raw_data
    } else {
        s.virtual_size.min(s.size_of_raw_data)
    };
    if len as usize > SECTION_LIMIT {
        return Err(UkiError::SectionTooLarge {
            name: section_name(s),
            size: len,
        });
    }
    read_at(path, u64::from(s.pointer_to_raw_data), len as usize).map_err(UkiError::Fs)
}

/// Reads the command-line facts of a PE file.
pub fn read(path: &Path) -> Result<UkiInfo, UkiError> {
    let head = read_at(path, 0, HEAD_LIMIT).map_err(UkiError::Fs)?;
    let table = sections(&head)?;
    let mut info = UkiInfo {
        cmdline: None,
        uname: None,
        sections: table.iter().map(section_name).collect(),
        initrd_tail: None,
        initrd_zero_fill: 0,
        stub_version: None,
    };
    for s in &table {
        match section_name(s).as_str() {
            ".cmdline" if info.cmdline.is_none() => {
                let mut b = section_bytes(path, s)?;
                if let Some(nul) = b.iter().position(|&c| c == 0) {
                    b.truncate(nul);
                }
                info.cmdline = Some(b);
            }
            ".uname" if info.uname.is_none() => {
                let b = section_bytes(path, s)?;
                let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                let u = String::from_utf8_lossy(b.get(..end).unwrap_or_default())
                    .trim()
                    .to_string();
                info.uname = (!u.is_empty()).then_some(u);
            }
            ".sdmagic" if info.stub_version.is_none() => {
                info.stub_version = stub_version(&section_bytes(path, s)?);
            }
            ".initrd" if info.initrd_tail.is_none() => {
                // Only the end: the section holds a whole initramfs.
                let len = if s.virtual_size == 0 {
                    s.size_of_raw_data
                } else {
                    s.virtual_size.min(s.size_of_raw_data)
                };
                let want = (len as usize).min(INITRD_TAIL);
                let at = u64::from(s.pointer_to_raw_data) + u64::from(len) - want as u64;
                info.initrd_tail = Some(read_at(path, at, want).map_err(UkiError::Fs)?);
                info.initrd_zero_fill = s.virtual_size.saturating_sub(s.size_of_raw_data);
            }
            _ => {}
        }
    }
    Ok(info)
}
