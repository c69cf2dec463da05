//! Compressed modules (`.ko.xz`, `.ko.zst`, `.ko.gz`): the bounded
//! decompression (format by magic, checksums, xz dictionary and zstd window
//! bounds), then the module reader on whatever comes out.

#![no_main]

use libfuzzer_sys::fuzz_target;

/// A smaller output bound than `read_modules`' 256 MiB, so that a "bomb"
/// input costs well under run.sh's 10 s and 2 GiB; the bounding code is the
/// same at any limit.
const LIMIT: usize = 16 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = panicpol_kernel::elf::decompress::decompress(data, LIMIT) {
        let _ = panicpol_kernel::elf::read_module(&out, "fuzz.ko");
    }
});
