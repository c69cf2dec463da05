//! Gathering the command lines to look at: `--cmdline` strings, files, or this
//! system's /proc/cmdline when neither is given.

use std::path::{Path, PathBuf};

use panicpol_diagnostics::{Layer, SourceFile, SourceMap};

use crate::input::{self, Failure};

pub(crate) fn gather(files: &[PathBuf], cmdlines: &[String]) -> Result<SourceMap, Failure> {
    let mut sources = SourceMap::new();
    for (i, c) in cmdlines.iter().enumerate() {
        let name = if cmdlines.len() == 1 {
            "<cmdline>".to_string()
        } else {
            format!("<cmdline {}>", i + 1)
        };
        sources.add(SourceFile::new(name, c.as_bytes(), Layer::Cmdline));
    }
    for f in files {
        sources.add(input::cmdline_file(f)?);
    }
    if files.is_empty() && cmdlines.is_empty() {
        let path = Path::new("/proc/cmdline");
        let bytes = input::read_limited(path, input::TEXT_LIMIT).map_err(|e| {
            Failure::new(format!(
                "{e}\nwith no FILE and no --cmdline, panicpol reads this system's /proc/cmdline"
            ))
        })?;
        sources.add(SourceFile::new("/proc/cmdline", bytes, Layer::Cmdline));
    }
    Ok(sources)
}
