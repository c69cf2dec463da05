//! The command-line tokenizer and everything downstream of it: the kernel's
//! dispatch of every token, the lowering to a policy, the panic plan and the
//! lint rules, against three kernels (catalogue only, ELF tables, kallsyms).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &[u8]| {
    // Dispatch, policy and plan on every kernel; the lint rules (whose
    // "did you mean" search dominates the time) on one, picked by length.
    // Seeds stay plain command lines that the CLI test can read as files.
    let kernels = common::kernels();
    for (i, k) in kernels.iter().enumerate() {
        if i == text.len() % kernels.len() {
            common::check_cmdline(text, k);
        } else {
            common::plan_cmdline(text, k);
        }
    }
});
