//! The command-line tokenizer and everything downstream of it: the kernel's
//! dispatch of every token, the lowering to a policy, the panic plan and the
//! lint rules, against three kernels (catalogue only, ELF tables, kallsyms).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &[u8]| {
    // Every kernel on every input: seeds stay plain command lines that the
    // CLI test can read as files.
    for k in common::kernels() {
        common::check_cmdline(text, k);
    }
});
