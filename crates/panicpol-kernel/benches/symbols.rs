//! Reading symbol files and answering name queries: the real 6.12 System.map
//! (154,691 lines, 6.9 MB; skipped when absent), a synthetic /proc/kallsyms of
//! 150k lines with module columns, and the "did you mean" query. Peers on the
//! same System.map: `grep -w hung_task_panic` and an `awk` match (hyperfine).

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use panicpol_kernel::kallsyms::read_kallsyms;
use panicpol_kernel::symbols::SymbolTable;
use std::hint::black_box;

/// 150k lines shaped like a root /proc/kallsyms: vmlinux text with `__pfx_`
/// pairs and clones, data, then module symbols after a tab.
fn synthetic_kallsyms() -> Vec<u8> {
    let mut out = String::with_capacity(150_000 * 48);
    let mut addr: u64 = 0xffffffff81000000;
    for i in 0..120_000u32 {
        addr += 0x10;
        let (kind, name) = match i % 6 {
            0 => ('t', format!("__pfx_subsys{}_handler_{i}", i % 97)),
            1 => ('t', format!("subsys{}_handler_{i}", i % 97)),
            2 => ('T', format!("__pfx_exported_fn_{i}")),
            3 => ('T', format!("exported_fn_{i}")),
            4 => ('t', format!("helper_{i}.constprop.0")),
            _ => ('d', format!("__key.{i}")),
        };
        out.push_str(&format!("{addr:016x} {kind} {name}\n"));
    }
    let mut addr: u64 = 0xffffffffc0000000;
    for i in 0..30_000u32 {
        addr += 0x10;
        let kind = if i % 3 == 0 { 'T' } else { 't' };
        out.push_str(&format!(
            "{addr:016x} {kind} mod_fn_{i}\t[module_{}]\n",
            i % 60
        ));
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("symbols");
    let real =
        panicpol_testkit::real_kernel("6.12", "System.map").and_then(|p| std::fs::read(p).ok());
    if let Some(map) = &real {
        g.throughput(Throughput::Bytes(map.len() as u64));
        g.bench_function("read_system_map_6.12", |b| {
            b.iter(|| read_kallsyms(black_box(map)))
        });
        // The indexing alone (parsing excluded), to see where the time goes.
        if let Ok(f) = read_kallsyms(map) {
            let symbols = f.symbols.into_symbols();
            g.bench_function("index_system_map_6.12", |b| {
                b.iter_batched(|| symbols.clone(), SymbolTable::new, BatchSize::LargeInput)
            });
        }
    }
    // Peers on the same file, in the same run (process start included, as a
    // user would run them): what panicpol's in-process read is measured against.
    if let Some(path) = panicpol_testkit::real_kernel("6.12", "System.map") {
        let peers: [(&str, &str, Vec<std::ffi::OsString>); 2] = [
            (
                "peer_grep_w",
                "grep",
                vec!["-w".into(), "hung_task_panic".into(), path.clone().into()],
            ),
            (
                "peer_awk",
                "awk",
                vec!["$3 == \"hung_task_panic\"".into(), path.clone().into()],
            ),
        ];
        for (id, prog, args) in peers {
            let run = || std::process::Command::new(prog).args(&args).output();
            if run().is_ok_and(|o| o.status.success()) {
                g.bench_function(id, |b| b.iter(run));
            }
        }
    }
    let synthetic = synthetic_kallsyms();
    g.throughput(Throughput::Bytes(synthetic.len() as u64));
    g.bench_function("read_kallsyms_synthetic_150k", |b| {
        b.iter(|| read_kallsyms(black_box(&synthetic)))
    });
    g.finish();

    // Queries run on the real table when there is one.
    let file = match real.as_deref().map(read_kallsyms) {
        Some(Ok(f)) => f,
        _ => match read_kallsyms(&synthetic) {
            Ok(f) => f,
            Err(e) => panic!("synthetic kallsyms: {e}"),
        },
    };
    let t = &file.symbols;
    let mut g = c.benchmark_group("queries");
    g.bench_function("did_you_mean_hung_task_panik", |b| {
        b.iter(|| t.did_you_mean(black_box("hung_task_panik")))
    });
    g.bench_function("check_notifier_name_exists", |b| {
        b.iter(|| t.check_notifier_name(black_box("hung_task_panic")))
    });
    g.bench_function("check_notifier_name_missing", |b| {
        b.iter(|| t.check_notifier_name(black_box("hung_task_panik")))
    });
    g.bench_function("symbol_at", |b| {
        b.iter(|| t.symbol_at(black_box(0xffffffff81208cf4)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
