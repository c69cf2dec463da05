//! System.map and /proc/kallsyms dumps, and the symbol-table queries the
//! checks make on them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_kernel::kallsyms::{self, SymbolFormat};

fuzz_target!(|text: &[u8]| {
    let reads = [
        kallsyms::read_kallsyms(text),
        kallsyms::read_kallsyms_as(text, SymbolFormat::SystemMap),
        kallsyms::read_kallsyms_as(text, SymbolFormat::Kallsyms),
    ];
    for file in reads.into_iter().flatten() {
        let k = file.into_kernel();
        let s = &k.symbols;
        let _ = (s.addresses_hidden(), s.did_you_mean("panic_notifer_list"));
        let _ = (
            s.function("panic"),
            s.symbol_at(0xffff_ffff_8100_0000),
            s.symbol_at(0),
        );
        let _ = s.check_notifier_name("hung_task_panic");
        for sym in s.symbols().iter().take(8) {
            let _ = panicpol_kernel::symbols::SymbolOrigin::of(sym);
            let _ = s
                .by_base_name(panicpol_kernel::symbols::base_name(&sym.name))
                .count();
        }
    }
    let _ = kallsyms::kernel_from_system_map(text);
});
