//! The command-line tokenizer and the kernel's dispatch of every token,
//! lowered to a policy and resolved to a panic plan, against three kernels
//! (catalogue only, ELF tables, kallsyms). The lint rules on top are the
//! `check` target (their "did you mean" search is a hundred times slower).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &[u8]| {
    // Seeds stay plain command lines that the CLI test can read as files.
    for k in common::kernels() {
        common::plan_cmdline(text, k);
    }
});
