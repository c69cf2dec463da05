//! Everything `panicpol check` computes for one command line: tokens,
//! fates, policy, panic plan and every lint rule, against one of three
//! kernels picked by the input's length.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &[u8]| {
    let kernels = common::kernels();
    if let Some(k) = kernels.get(text.len() % kernels.len().max(1)) {
        common::check_cmdline(text, k);
    }
});
