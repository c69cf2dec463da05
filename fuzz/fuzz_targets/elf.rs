//! The vmlinux reader: ELF header and sections, symbols, the parameter
//! tables, the banner, the x86-64 notifier decoding and the DWARF lines.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_kernel::elf::{self, Options};

fuzz_target!(|image: &[u8]| {
    // Everything, DWARF included; when that fails early, the cheaper path
    // too, since it skips the tables and might get further.
    if elf::parse(image, Options::all()).is_err() {
        let _ = elf::parse(image, Options::info());
    }
});
