//! The value grammars: the first byte picks a grammar and a kernel version,
//! the rest is the value as the kernel's handler receives it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_policy::values as v;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, val)) = data.split_first() else {
        return;
    };
    let ver = &common::VERSIONS[usize::from(sel >> 5) % common::VERSIONS.len()];
    // A handler sees no value at all for a bare `name`.
    let opt = if sel & 0x10 != 0 { None } else { Some(val) };
    let ty = [
        v::IntType::U8,
        v::IntType::S8,
        v::IntType::U16,
        v::IntType::S16,
        v::IntType::U32,
        v::IntType::S32,
        v::IntType::U64,
    ];
    let base = [v::Base::Auto, v::Base::Oct, v::Base::Dec, v::Base::Hex];
    let n = usize::from(sel);
    let _ = match sel & 0x0f {
        0 => format!("{:?}", v::parse_bool(opt, ver)),
        1 => format!("{:?}", v::kstrtoint(val, base[n % 4], ty[(n >> 2) % 7])),
        2 => format!(
            "{:?}{:?}",
            v::memparse(val),
            v::simple_strtoull(val, base[n % 4])
        ),
        3 => format!("{:?}", v::parse_crashkernel(val, ver)),
        4 => format!(
            "{:?}",
            v::eval_crashkernel(val, u64::from_le_bytes([sel; 8]) >> (n % 64), ver)
        ),
        5 => format!("{:?}", v::select_crashkernel(val, ver)),
        6 => format!("{:?}", v::parse_panic_print(opt, ver)),
        7 => format!("{:?}", v::parse_panic_sys_info(val)),
        8 => format!("{:?}{:?}", v::parse_panic(opt), v::parse_panic_on_warn(opt)),
        9 => format!("{:?}", v::parse_oops(opt)),
        10 => format!("{:?}", v::parse_panic_on_taint(opt, ver)),
        11 => format!("{:?}", v::parse_panic_force_cpu(opt)),
        12 => format!(
            "{:?}{:?}",
            v::parse_panic_notifier_filter(opt),
            v::parse_ftrace_dump_on_oops(val, ver)
        ),
        13 => format!(
            "{:?}{:?}{:?}",
            v::parse_reboot(val),
            v::parse_nmi_watchdog(val, ver),
            v::parse_softlockup_panic(val)
        ),
        14 => {
            let h = [
                v::SysctlHandler::Int,
                v::SysctlHandler::IntMinMax { min: -1, max: 1 },
                v::SysctlHandler::Ulong,
                v::SysctlHandler::String { maxlen: 16 },
                v::SysctlHandler::SysInfo,
            ];
            format!(
                "{:?}{:?}",
                v::parse_sysctl_name(val),
                v::parse_sysctl_value(h[n % h.len()].clone(), opt)
            )
        }
        _ => format!(
            "{:?}{:?}",
            v::parse_unknown_nmi_panic(val),
            std::str::from_utf8(val).map(v::KernelVersion::parse)
        ),
    };
});
