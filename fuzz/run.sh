#!/usr/bin/env bash
# Runs one fuzz target, niced and time-bounded, from its committed seeds plus
# the repository's fixtures. Usage: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags]
# Needs cargo-fuzz (cargo install cargo-fuzz); works on a stable toolchain
# through RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags to rustc).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
secs=${2:-1800}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "corpus/$target" "artifacts/$target"
extra=()
flags=()
case "$target" in
    elf) extra+=(../fixtures/elf) ;;
    elf_module|module_decompress) extra+=(../fixtures/elf) ;;
    bootconfig) extra+=(../fixtures/bootconfig) ;;
    kallsyms) extra+=(../fixtures/kallsyms) ;;
    cmdline|check) extra+=(../fixtures/cmdline seeds/cmdline) ;;
    # Text fixtures only, short inputs: 32 KB ELF seeds and the doubling
    # regressions (each run expands 4 MiB) cut the rate a hundredfold.
    sources) extra+=(../fixtures/roots ../fixtures/bootconfig ../fixtures/cmdline)
        flags+=(-max_len=4096) ;;
    pe) extra+=(../fixtures/uki) ;;
esac
[ -d "seeds/$target" ] && extra+=("seeds/$target")
export RUSTC_BOOTSTRAP=1
# -s none: the code under test has no unsafe, so ASan finds nothing a
# panic would not; without it a run does about twice the executions.
# -a: debug assertions, so arithmetic overflow panics instead of wrapping.
exec nice -n 19 timeout --signal=INT $((secs + 120)) \
    cargo fuzz run -O -a -s none "$target" "corpus/$target" "${extra[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 "${flags[@]}" "$@"
