//! Bootconfig text: the parser with both character classes and both value
//! rules, every rendering, and the composed command line dispatched by the
//! kernel's rules.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_syntax::bootconfig::{self, Ctype, Options};

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &[u8]| {
    let newline = Options {
        ctype: Ctype::Kernel,
        newline_ends_value: true,
    };
    for (i, opts) in [Options::KERNEL, Options::TOOL, newline]
        .into_iter()
        .enumerate()
    {
        one(text, opts, i);
    }
});

fn one(text: &[u8], opts: Options, sel: usize) {
    let bc = match bootconfig::parse(text, opts) {
        Ok(bc) => bc,
        Err(e) => {
            let _ = (e.kernel_log(), e.line_col(text), e.tool_message(text));
            return;
        }
    };
    let _ = (
        bc.render_list(),
        bc.render_tree(),
        bc.entries(),
        bc.leaves(None),
    );
    for id in bc.top_keys() {
        let _ = (
            bc.path(id),
            bc.subkeys(id),
            bc.value(id).map(|v| bc.array(v)),
        );
    }
    let boot: &[u8] = b"console=ttyS0 bootconfig panic=5 -- single";
    let _ = bc.render_proc(boot);
    let kernel = bc.cmdline("kernel");
    let init = bc.cmdline("init");
    if let (Ok(k), Ok(i)) = (kernel, init) {
        let composed = bootconfig::compose_command_line(k.as_ref(), boot, i.as_ref());
        for off in 0..composed.text.len().min(64) {
            let _ = composed.locate(off);
        }
        let kernels = common::kernels();
        if let Some(kern) = kernels.get(sel % kernels.len().max(1)) {
            common::plan_cmdline(&composed.text, kern);
        }
        let line = panicpol_policy::dispatch::BootLine {
            bootloader: boot,
            bootconfig: Some(panicpol_policy::dispatch::BootconfigText {
                kernel: k.as_ref().map_or(&[][..], |k| &k.text),
                init: i.as_ref().map_or(&[][..], |i| &i.text),
            }),
        };
        let _ = panicpol_policy::dispatch::dispatch(
            &line,
            &panicpol_policy::dispatch::Tables::unknown(),
        );
    }
}
