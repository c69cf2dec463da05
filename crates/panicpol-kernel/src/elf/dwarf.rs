//! Source file:line for a handful of addresses, read lazily from DWARF.
//!
//! `.debug_aranges` maps each address to its compilation unit; only those
//! units' headers, root DIEs and line programs are read. Without aranges
//! (clang's default), each unit's root DIE gives its ranges. Nothing walks
//! all of `.debug_info` (160–210 MB in a Debian kernel, seconds to walk).
//! Paths come out relative to the kernel tree: Debian's relative comp_dir
//! (`debian/build/build_amd64_none_cloud-amd64`) is not prepended, and an
//! absolute path loses the build directory's prefix.

use super::image::Image;
use addr2line::gimli;
use gimli::{EndianSlice, LittleEndian, SectionId};
use std::collections::BTreeMap;

type R<'a> = EndianSlice<'a, LittleEndian>;

/// What [`locate`] found, and what it could not read.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// Address → `path:line`, for the addresses DWARF covers.
    pub found: BTreeMap<u64, String>,
    /// Each damaged structure met, as `section: what`; the addresses it
    /// would have answered for are simply missing from `found`.
    pub problems: Vec<String>,
}

impl Lines {
    fn problem(&mut self, what: &str, e: gimli::Error) {
        let p = format!("{what}: {e}");
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }
}

/// Where each address is defined, for the addresses DWARF covers.
///
/// Damage in one place costs only what depends on it: a bad
/// `.debug_aranges` falls back to the units' own ranges, a bad unit or line
/// program loses its own addresses. A vmlinux whose DWARF is corrupt still
/// has its notifiers, only without file:line.
pub(crate) fn locate(img: &Image<'_>, addrs: &[u64]) -> Lines {
    let mut out = Lines::default();
    if addrs.is_empty() {
        return out;
    }
    let load = |id: SectionId| -> Result<R<'_>, gimli::Error> {
        let data = img.section(id.name()).map_or(&[][..], |s| img.bytes(s));
        Ok(EndianSlice::new(data, LittleEndian))
    };
    let dwarf = match gimli::Dwarf::load(load) {
        Ok(d) => d,
        Err(e) => {
            out.problem("DWARF", e);
            return out;
        }
    };

    // Address → CU offset from .debug_aranges (small: 160 KB in 6.12).
    let mut units: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    if let Err(e) = aranges(&dwarf, addrs, &mut units) {
        out.problem(".debug_aranges", e);
    }

    // No .debug_aranges entry (clang emits none unless asked, or the table
    // is damaged): find the unit from the root DIEs' ranges instead. Still
    // no full .debug_info scan: one root entry per unit, and only for the
    // addresses missing.
    let covered: Vec<u64> = units.values().flatten().copied().collect();
    let missing: Vec<u64> = addrs
        .iter()
        .copied()
        .filter(|a| !covered.contains(a))
        .collect();
    if !missing.is_empty() {
        if let Err(e) = unit_ranges(&dwarf, &missing, &mut units, &mut out) {
            out.problem(".debug_info", e);
        }
    }

    for (offset, probes) in units {
        let unit = match dwarf
            .debug_info
            .header_from_offset(gimli::DebugInfoOffset(offset))
            .and_then(|h| dwarf.unit(h))
        {
            Ok(u) => u,
            Err(e) => {
                out.problem(&format!(".debug_info unit at {offset:#x}"), e);
                continue;
            }
        };
        let comp_dir = unit
            .comp_dir
            .map(|d| String::from_utf8_lossy(d.slice()).into_owned());
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        match lines_in(&dwarf, &unit, program, &probes) {
            Ok(found) => {
                for (a, (path, line)) in found {
                    out.found.insert(
                        a,
                        format!("{}:{line}", relative_path(&path, comp_dir.as_deref())),
                    );
                }
            }
            Err(e) => out.problem(&format!(".debug_line of the unit at {offset:#x}"), e),
        }
    }
    out
}

fn add(units: &mut BTreeMap<usize, Vec<u64>>, offset: usize, a: u64) {
    let v = units.entry(offset).or_default();
    if !v.contains(&a) {
        v.push(a);
    }
}

/// Adds the unit of each address `.debug_aranges` covers; on damage,
/// keeps what was read before it.
fn aranges(
    dwarf: &gimli::Dwarf<R<'_>>,
    addrs: &[u64],
    units: &mut BTreeMap<usize, Vec<u64>>,
) -> Result<(), gimli::Error> {
    let mut headers = dwarf.debug_aranges.headers();
    while let Some(h) = headers.next()? {
        let mut entries = h.entries();
        while let Some(e) = entries.next()? {
            let (lo, len) = (e.address(), e.length());
            for &a in addrs {
                if a >= lo && a - lo < len {
                    add(units, h.debug_info_offset().0, a);
                }
            }
        }
    }
    Ok(())
}

/// Adds the unit of each address from the root DIEs' ranges. A unit that
/// does not parse is skipped (and noted); a damaged unit list ends the walk.
fn unit_ranges(
    dwarf: &gimli::Dwarf<R<'_>>,
    missing: &[u64],
    units: &mut BTreeMap<usize, Vec<u64>>,
    out: &mut Lines,
) -> Result<(), gimli::Error> {
    let mut headers = dwarf.units();
    while let Some(h) = headers.next()? {
        let Some(offset) = h.offset().as_debug_info_offset() else {
            continue;
        };
        let unit = match dwarf.unit(h) {
            Ok(u) => u,
            Err(e) => {
                out.problem(&format!(".debug_info unit at {:#x}", offset.0), e);
                continue;
            }
        };
        let mut ranges = match dwarf.unit_ranges(&unit) {
            Ok(r) => r,
            Err(e) => {
                out.problem(&format!("ranges of the unit at {:#x}", offset.0), e);
                continue;
            }
        };
        while let Ok(Some(r)) = ranges.next() {
            for &a in missing {
                if a >= r.begin && a < r.end {
                    add(units, offset.0, a);
                }
            }
        }
    }
    Ok(())
}

/// Runs one line program and returns, for each probe, the row that covers
/// it; when several rows share an address, the last one (as binutils'
/// addr2line and the addr2line crate do).
fn lines_in<'a>(
    dwarf: &gimli::Dwarf<R<'a>>,
    unit: &gimli::Unit<R<'a>>,
    program: gimli::IncompleteLineProgram<R<'a>>,
    probes: &[u64],
) -> Result<BTreeMap<u64, (String, u64)>, gimli::Error> {
    let mut best: BTreeMap<u64, (u64, u64, u64)> = BTreeMap::new(); // probe -> (row addr, file, line)
    let mut rows = program.rows();
    let mut prev: Option<(u64, u64, u64)> = None; // (address, file, line) of the previous row
    while let Some((_, row)) = rows.next_row()? {
        let addr = row.address();
        if let Some((pa, pf, pl)) = prev {
            for &p in probes {
                // The previous row covers [pa, addr). Keep the first row at
                // the highest start address <= p.
                if pa <= p && p < addr {
                    let better = match best.get(&p) {
                        Some(&(ba, _, _)) => pa > ba,
                        None => true,
                    };
                    if better {
                        best.insert(p, (pa, pf, pl));
                    }
                }
            }
        }
        // A later row at the same address replaces the previous one: the
        // previous row covered an empty range.
        prev = if row.end_sequence() {
            None
        } else {
            Some((addr, row.file_index(), row.line().map_or(0, |l| l.get())))
        };
    }
    let header = rows.header().clone();
    let mut out = BTreeMap::new();
    for (p, (_, file, line)) in best {
        let Some(entry) = header.file(file) else {
            continue;
        };
        let name = dwarf
            .attr_string(unit, entry.path_name())
            .map(|s| String::from_utf8_lossy(s.slice()).into_owned())
            .unwrap_or_default();
        let dir = entry
            .directory(&header)
            .and_then(|d| dwarf.attr_string(unit, d).ok())
            .map(|s| String::from_utf8_lossy(s.slice()).into_owned());
        let path = match dir {
            Some(d) if !name.starts_with('/') && !d.is_empty() => format!("{d}/{name}"),
            _ => name,
        };
        out.insert(p, (path, line));
    }
    Ok(out)
}

/// A path relative to the kernel tree: drop the comp_dir prefix (absolute
/// or relative), then `./` and `x/../` segments.
pub(crate) fn relative_path(path: &str, comp_dir: Option<&str>) -> String {
    let mut p = path;
    if let Some(cd) = comp_dir.filter(|c| !c.is_empty()) {
        let cd = cd.trim_end_matches('/');
        if let Some(rest) = p.strip_prefix(cd).and_then(|r| r.strip_prefix('/')) {
            p = rest;
        }
    }
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if absolute {
        return format!("/{}", parts.join("/"));
    }
    // A path that still climbs out of the build directory (`../../kernel/x.c`
    // for an out-of-tree build) is relative to the source tree once the
    // leading `..` are gone.
    let first = parts.iter().position(|s| *s != "..").unwrap_or(parts.len());
    parts.get(first..).unwrap_or(&[]).join("/")
}

#[cfg(test)]
mod tests {
    use super::relative_path;

    #[test]
    fn paths_become_relative_to_the_kernel_tree() {
        let deb = Some("debian/build/build_amd64_none_cloud-amd64");
        let cases = [
            ("kernel/hung_task.c", deb, "kernel/hung_task.c"),
            (
                "debian/build/build_amd64_none_cloud-amd64/kernel/hung_task.c",
                deb,
                "kernel/hung_task.c",
            ),
            (
                "/build/linux/kernel/panic.c",
                Some("/build/linux"),
                "kernel/panic.c",
            ),
            (
                "../../kernel/./trace/../panic.c",
                Some("/o"),
                "kernel/panic.c",
            ),
            ("./include/linux/list.h", None, "include/linux/list.h"),
            ("/usr/include/stdio.h", None, "/usr/include/stdio.h"),
        ];
        for (path, cd, want) in cases {
            assert_eq!(relative_path(path, cd), want, "{path} in {cd:?}");
        }
    }
}
