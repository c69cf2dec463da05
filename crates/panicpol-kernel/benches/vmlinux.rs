//! Reading a vmlinux: the whole "kernel notifiers" job (symbols, tables,
//! proven registrations, file:line) and its cheaper variants, on Debian's
//! 6.12 debug vmlinux when the testkit finds it, and always on the small
//! x86-64 fixture. Peers (nm, readelf, addr2line, eu-addr2line) are timed
//! with hyperfine on the same file; see the crate's report for the numbers.

use criterion::{Criterion, criterion_group, criterion_main};
use panicpol_kernel::elf::{Options, Vmlinux};
use std::hint::black_box;

const FIXTURE: &[u8] = include_bytes!("../../../fixtures/elf/x86_64.elf");

fn variants() -> [(&'static str, Options); 4] {
    let no_symbols = Options {
        symbols: false,
        ..Options::all()
    };
    [
        ("all", Options::all()),
        ("no_lines", Options::default()),
        ("no_symbols", no_symbols),
        ("info", Options::info()),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("fixture");
    for (name, opts) in variants() {
        g.bench_function(name, |b| {
            b.iter(|| panicpol_kernel::elf::parse(black_box(FIXTURE), opts).is_ok())
        });
    }
    g.finish();

    // Opening (mmap) is part of the job: open inside the loop.
    let Some(path) = panicpol_testkit::real_kernel("6.12", "vmlinux") else {
        return;
    };
    let mut g = c.benchmark_group("vmlinux-6.12");
    g.sample_size(20);
    for (name, opts) in variants() {
        g.bench_function(name, |b| {
            b.iter(|| {
                Vmlinux::open(black_box(&path))
                    .and_then(|v| v.read(opts))
                    .map(|r| r.kernel.notifiers.len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
