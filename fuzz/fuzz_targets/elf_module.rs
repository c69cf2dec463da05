//! Loadable modules (`.ko`): the panic notifiers read through relocations.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = panicpol_kernel::elf::read_module(data, "fuzz.ko");
});
