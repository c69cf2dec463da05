//! Tokenizer throughput on real-shaped command lines.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    // A Debian cloud kernel's command line plus a panic policy, as a grub entry
    // would produce it.
    let typical: &[u8] = b"BOOT_IMAGE=/boot/vmlinuz-6.12.117+deb12-cloud-amd64 root=PARTUUID=6c0b8e52-1b0e-4d2a-9a53-1f1c2e3d4f50 ro console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 crashkernel=384M-:256M crash_kexec_post_notifiers panic_print=0x3 panic=10 oops=panic \"acpi_osi=!Windows 2012\" -- single";
    // The longest line an x86 kernel accepts (2047 bytes).
    let mut long = Vec::new();
    while long.len() < 2000 {
        long.extend_from_slice(b"printk.time=1 foo=\"a b\" panic_print=0x3 ");
    }
    long.truncate(2047);
    let mut g = c.benchmark_group("tokenize");
    for (name, text) in [("typical", typical), ("2047_bytes", &long[..])] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| panicpol_syntax::cmdline::tokenize(black_box(text)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
