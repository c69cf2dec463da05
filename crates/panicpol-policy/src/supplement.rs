//! Filling in what a partial kernel source cannot show, from panicpol's
//! catalogue.
//!
//! A vmlinux gives the complete `__param` and `.init.setup` tables. A
//! System.map or kallsyms gives only symbol names (`__param_str_<ident>`
//! without the module prefix, `__setup_str_<handler>` without the option
//! string); with no kernel at all there is nothing. For the panic-relevant
//! parameters panicpol knows how each is registered, so it adds those entries
//! — marked [`Known::Catalogue`] so every fate built on them says it is
//! inferred — when the source proves the registration (its symbol is in the
//! table) or, with no symbols at all, when the kernel version says the
//! parameter exists.

use panicpol_kernel::elf::catalogue as notifier_catalogue;
use panicpol_kernel::{
    Arch, Kernel, KernelParam, KernelSource, Known, Notifier, ParamType, SetupParam,
};

use crate::catalogue::{self, Grammar, Registration};
use crate::policy::kernel_version;
use crate::values::{Gate, IntType};

fn param_type(g: Grammar) -> ParamType {
    match g {
        Grammar::Bool => ParamType::Bool,
        Grammar::Int(t) => match t {
            IntType::U8 | IntType::S8 => ParamType::Byte,
            IntType::S16 => ParamType::Short,
            IntType::U16 => ParamType::Ushort,
            IntType::S32 => ParamType::Int,
            IntType::U32 => ParamType::Uint,
            IntType::S64 => ParamType::Long,
            IntType::U64 => ParamType::Ulong,
        },
        Grammar::PanicPrint => ParamType::Ulong,
        Grammar::Panic | Grammar::PanicOnWarn => ParamType::Int,
        _ => ParamType::Unknown,
    }
}

/// Adds the catalogue's entries a partial source lacks. Does nothing to a
/// kernel whose tables are complete (a vmlinux).
pub fn supplement(kernel: &mut Kernel) {
    if kernel.tables_complete {
        return;
    }
    let v = kernel_version(kernel);
    // Only a source that lists data symbols can prove a parameter absent: a
    // /proc/kallsyms without CONFIG_KALLSYMS_ALL has text symbols only, and no
    // `__param_str_*` or `__setup_str_*` at all.
    let have_symbols = kernel
        .symbols
        .symbols()
        .iter()
        .any(|s| s.name.starts_with("__param_str_") || s.name.starts_with("__setup_str_"));
    for spec in catalogue::all() {
        let proven = spec
            .symbol
            .is_some_and(|s| kernel.symbols.get(s).next().is_some());
        let present = match (kernel.source, have_symbols) {
            // No symbols: believe the version (out-of-tree never).
            (KernelSource::Catalogue, _) | (_, false) => {
                spec.registration != Registration::OutOfTree && spec.exists_in(&v) != Gate::No
            }
            // Symbols without the proving symbol: the parameter is absent
            // when the catalogue knows which symbol would prove it.
            _ => proven || (spec.symbol.is_none() && spec.exists_in(&v) == Gate::Yes),
        };
        if !present {
            continue;
        }
        let known = if proven {
            Known::SymbolName
        } else {
            Known::Catalogue
        };
        match spec.registration {
            Registration::CoreParam | Registration::ModuleParam { .. } => {
                // Replace an identifier-only entry from the symbol names.
                kernel.params.retain(|p| p.name != spec.name);
                kernel.params.push(KernelParam {
                    name: spec.name.to_string(),
                    level: -1,
                    ty: param_type(spec.grammar),
                    perm: 0,
                    flags: 0,
                    arg_symbol: Some(spec.variable.to_string()),
                    default: None,
                    known,
                });
            }
            Registration::Setup { string } => {
                if !kernel.setups.iter().any(|s| s.string == string) {
                    kernel.setups.push(SetupParam {
                        string: string.to_string(),
                        early: false,
                        handler: None,
                        known,
                    });
                }
            }
            Registration::EarlyParam | Registration::ArchCmdline | Registration::OutOfTree => {
                if !kernel.setups.iter().any(|s| s.string == spec.name) {
                    kernel.setups.push(SetupParam {
                        string: spec.name.to_string(),
                        early: true,
                        handler: None,
                        known,
                    });
                }
            }
            Registration::SysctlAlias | Registration::SysctlOnly => {}
        }
    }
    notifiers_by_name(kernel);
}

/// Without code to decode (System.map, kallsyms), the panic notifiers are the
/// catalogue's callbacks that exist among the symbols: candidates by name, not
/// proven registrations ([`Known::Catalogue`]). Module symbols of a kallsyms
/// dump count, marked with their module. Notifiers already known (proven
/// from module files read with `--modules`) are kept and not repeated.
fn notifiers_by_name(kernel: &mut Kernel) {
    if kernel.source == KernelSource::Vmlinux {
        return;
    }
    let Ok(entries) = notifier_catalogue() else {
        return;
    };
    let mut found = Vec::new();
    for e in entries {
        if kernel.arch != Arch::Other && !e.applies_to(kernel.arch) {
            continue;
        }
        let Some(sym) = kernel.symbols.get(&e.callback).find(|s| s.is_function()) else {
            continue;
        };
        if found
            .iter()
            .chain(&kernel.notifiers)
            .any(|n: &Notifier| n.callback.as_deref() == Some(e.callback.as_str()))
        {
            continue;
        }
        let block = (!e.dynamic_block() && kernel.symbols.get(&e.block).next().is_some())
            .then(|| e.block.clone());
        found.push(Notifier {
            callback: Some(e.callback.clone()),
            block,
            priority: e.priority,
            registered_in: None,
            dynamic: e.dynamic_block(),
            module: sym.module.clone(),
            location: Some(e.file.clone()),
            known: Known::Catalogue,
        });
    }
    kernel.notifiers.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_kernel::{Symbol, symbols::SymbolTable};

    #[test]
    fn catalogue_only_kernel_knows_the_panic_params() {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        supplement(&mut k);
        let p = k
            .params
            .iter()
            .find(|p| p.name == "crash_kexec_post_notifiers")
            .expect("param");
        assert_eq!(p.ty, ParamType::Bool);
        assert_eq!(p.known, Known::Catalogue);
        assert!(k.setups.iter().any(|s| s.string == "oops" && s.early));
        // Never merged: not assumed without proof.
        assert!(!k.setups.iter().any(|s| s.string == "panic_notifier_filter"));
    }

    #[test]
    fn symbols_prove_or_disprove() {
        let sym = |name: &str| Symbol {
            name: name.into(),
            addr: 1,
            kind: 'd',
            module: None,
        };
        let mut k = Kernel::empty(KernelSource::SystemMap);
        k.symbols = SymbolTable::new(vec![
            sym("__setup_str_panic_notifier_filter_setup"),
            sym("__setup_str_oops_setup"),
        ]);
        supplement(&mut k);
        assert!(
            k.setups
                .iter()
                .any(|s| s.string == "panic_notifier_filter" && s.early)
        );
        assert!(k.setups.iter().any(|s| s.string == "oops"));
        // panic_sys_info's symbol is absent: so is the parameter.
        assert!(
            !k.setups
                .iter()
                .any(|s| s.string.starts_with("panic_sys_info"))
        );
    }

    #[test]
    fn text_only_kallsyms_proves_nothing_absent() {
        // /proc/kallsyms without CONFIG_KALLSYMS_ALL: no data symbols at all.
        let mut k = Kernel::empty(KernelSource::Kallsyms);
        k.release = Some("6.18.44".into());
        k.symbols = SymbolTable::new(vec![Symbol {
            name: "hung_task_panic".into(),
            addr: 1,
            kind: 't',
            module: None,
        }]);
        supplement(&mut k);
        assert!(k.params.iter().any(|p| p.name == "panic"));
        // The notifier is named from the catalogue, not proven.
        let n = k
            .notifiers
            .iter()
            .find(|n| n.callback.as_deref() == Some("hung_task_panic"))
            .expect("notifier");
        assert_eq!(n.known, Known::Catalogue);
    }

    #[test]
    fn complete_tables_are_left_alone() {
        let mut k = Kernel::empty(KernelSource::Vmlinux);
        k.tables_complete = true;
        supplement(&mut k);
        assert!(k.params.is_empty() && k.setups.is_empty());
    }
}
