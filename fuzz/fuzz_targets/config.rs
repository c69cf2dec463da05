//! Kernel config files (`/boot/config-*`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(read) = panicpol_kernel::config::read_config(data) {
        let c = &read.config;
        let _ = (
            c.enabled("BOOT_CONFIG"),
            c.value("CMDLINE"),
            c.value("INIT_ENV_ARG_LIMIT"),
        );
        let mut k = panicpol_kernel::Kernel::empty(panicpol_kernel::KernelSource::Catalogue);
        k.config = Some(read.config);
        let _ = panicpol_policy::dispatch::Tables::from_kernel(&k);
    }
});
