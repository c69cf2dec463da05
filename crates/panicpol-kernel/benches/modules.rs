//! Reading a modules folder (`--modules`): Debian 6.12's installed modules
//! (1,138 `.ko.xz`) and the same kernel's uncompressed `-dbg` modules, when
//! the testkit finds them. The peer is the cost of decompressing alone:
//! `xz -dc` over the same files, in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use panicpol_kernel::elf::read_modules;
use std::hint::black_box;
use std::process::Command;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("modules-6.12");
    g.sample_size(10);
    for which in ["unsigned", "dbg"] {
        let Some(dir) = panicpol_testkit::real_modules("6.12", which) else {
            return;
        };
        g.bench_function(format!("read_modules_{which}"), |b| {
            b.iter(|| read_modules(black_box(&dir)).map(|r| r.notifiers.len()))
        });
        if which == "unsigned" {
            // One shell pipeline, as a user would decompress them.
            let script = "find \"$0\" -name '*.ko.xz' -print0 | xargs -0 xz -dc > /dev/null";
            let run = || Command::new("sh").args(["-c", script]).arg(&dir).status();
            if run().is_ok_and(|s| s.success()) {
                g.bench_function("peer_xz_dc_unsigned", |b| b.iter(run));
            }
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
