//! The boot-source readers, each on every input: /etc/default/grub (the
//! shell subset, with drop-ins), grub.cfg (entries, variables, command
//! lines), grubenv, BLS entries, kernel-install's cmdline, sysctl.d,
//! tmpfiles.d, the kernel config's CONFIG_CMDLINE and bootconfig as a source.
//! Every composed command line is also dispatched.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_diagnostics::FileId;
use panicpol_syntax::{
    bls, bootconfig_source, grub_cfg, grub_default, grubenv, kconfig_cmdline, kernel_install,
    provenance::Composed, sysctl_d, tmpfiles,
};

fn dispatch(c: &Composed) {
    let _ = panicpol_policy::dispatch::dispatch_cmdline(
        &c.text,
        &panicpol_kernel::Kernel::empty(panicpol_kernel::KernelSource::Catalogue),
    );
    let _ = c.locate(&(0..c.text.len()));
}

fuzz_target!(|text: &[u8]| {
    let f = FileId(0);
    // /etc/default/grub, alone and as a drop-in after itself.
    let d = grub_default::GrubDefaults::source(&[(f, text), (FileId(1), text)]);
    let none = |_: &str| None;
    for flavor in [grub_default::Flavor::Debian, grub_default::Flavor::Ubuntu] {
        for e in d.entries(flavor, &none) {
            dispatch(&e.args);
        }
    }
    let _ = d.overrides(grub_default::CMDLINE_LINUX);

    let env = grubenv::parse(f, text);
    let vars = env.values();
    let cfg = grub_cfg::parse(f, text);
    let globals = cfg.globals(Some(&vars));
    for e in &cfg.entries {
        if let Some((c, _)) = cfg.cmdline(e, &globals) {
            dispatch(&c);
        }
    }

    for unquote in [false, true] {
        dispatch(&bls::parse(f, text, unquote).options());
    }
    dispatch(&kernel_install::parse(f, text).options);
    let _ = sysctl_d::parse(f, text);
    let _ = tmpfiles::parse(f, text);
    let k = kconfig_cmdline::parse(f, text);
    let _ = (k.mode(), k.apply(&Composed::single(f, b"panic=1", 0)));
    let _ = bootconfig_source::read(f, text);
});
