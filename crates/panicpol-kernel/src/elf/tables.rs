//! The kernel's own parameter tables, read from the image: `__param`
//! (`struct kernel_param`, 40 bytes on 64-bit), `.init.setup`
//! (`struct obs_kernel_param`, 24 bytes), and `linux_banner`.
//!
//! Layouts (include/linux/moduleparam.h and include/linux/init.h, the same
//! in 6.1 and 6.12): `kernel_param { const char *name; struct module *mod;
//! const struct kernel_param_ops *ops; const u16 perm; s8 level; u8 flags;
//! union { void *arg; ... } }` and `obs_kernel_param { const char *str;
//! int (*setup_func)(char *); int early; }`.

use super::error::Error;
use super::image::Image;
use super::symtab::Symtab;
use crate::model::{DefaultValue, KernelParam, Known, ParamType, SetupParam};

/// `sizeof(struct kernel_param)` on 64-bit.
pub(crate) const KERNEL_PARAM_SIZE: u64 = 40;
/// `sizeof(struct obs_kernel_param)` on 64-bit.
pub(crate) const OBS_KERNEL_PARAM_SIZE: u64 = 24;

/// The bounds of a linker-built array: its start/stop symbols, else the
/// section that holds it; `None` when the image has neither.
fn bounds(
    img: &Image<'_>,
    syms: &Symtab<'_>,
    start: &str,
    stop: &str,
    section: &str,
    entry: u64,
) -> Result<Option<(u64, u64)>, Error> {
    let (lo, hi) = match (syms.addr(start), syms.addr(stop)) {
        (Some(a), Some(b)) => (a, b),
        _ => match img.section(section) {
            Some(s) => (s.addr, s.addr.saturating_add(s.size)),
            None => return Ok(None),
        },
    };
    if hi < lo || (hi - lo) % entry != 0 {
        return Err(Error::Absurd {
            what: format!("size of the {section} table ({start}..{stop})"),
            value: hi.wrapping_sub(lo),
        });
    }
    if lo != hi && img.section_at(lo, hi - lo).is_none() {
        return Err(Error::BadPointer {
            what: format!("{start}..{stop} is not inside one section"),
            addr: lo,
        });
    }
    Ok(Some((lo, hi)))
}

fn ptr(img: &Image<'_>, va: u64, what: impl Fn() -> String) -> Result<u64, Error> {
    img.ptr_at(va).ok_or_else(|| Error::BadPointer {
        what: what(),
        addr: va,
    })
}

/// Reads every `struct kernel_param` of the image.
pub(crate) fn params(img: &Image<'_>, syms: &Symtab<'_>) -> Result<Vec<KernelParam>, Error> {
    let Some((lo, hi)) = bounds(
        img,
        syms,
        "__start___param",
        "__stop___param",
        "__param",
        KERNEL_PARAM_SIZE,
    )?
    else {
        return Ok(Vec::new());
    };
    let n = (hi - lo) / KERNEL_PARAM_SIZE;
    // The table lies inside one section of the file (checked in `bounds`),
    // so `n` is bounded by the file size.
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let e = lo + i * KERNEL_PARAM_SIZE;
        let what = |f: &str| format!("{f} of __param entry {i}");
        let name_p = ptr(img, e, || what("name"))?;
        let name = img.cstr_at(name_p, &|| what("name"))?;
        let ops_p = ptr(img, e + 16, || what("ops"))?;
        let perm = img.u16_at(e + 24).unwrap_or(0);
        let level = img.u8_at(e + 26).unwrap_or(0) as i8;
        let flags = img.u8_at(e + 27).unwrap_or(0);
        let arg_p = ptr(img, e + 32, || what("arg"))?;
        let ty = match syms.at(ops_p) {
            Some(s) if ops_p != 0 => ParamType::from_ops_symbol(&s.name()),
            _ => ParamType::Unknown,
        };
        let arg_symbol = if arg_p == 0 {
            None
        } else {
            syms.describe(arg_p)
        };
        let default = default_value(img, &ty, arg_p);
        out.push(KernelParam {
            name,
            level,
            ty,
            perm,
            flags,
            arg_symbol,
            default,
            known: Known::Table,
        });
    }
    Ok(out)
}

/// The compiled-in value of the variable a parameter writes, read with the
/// width its ops use (kernel/params.c: bool is a C `bool`, bint an `int`,
/// hexint an `unsigned int`). `.bss` reads as zero. `None` for a NULL
/// `charp`, for arrays and for custom ops, whose layout we do not know.
fn default_value(img: &Image<'_>, ty: &ParamType, arg: u64) -> Option<DefaultValue> {
    if arg == 0 {
        return None;
    }
    Some(match ty {
        ParamType::Bool | ParamType::Invbool | ParamType::BoolEnableOnly => {
            DefaultValue::Bool(img.u8_at(arg)? != 0)
        }
        ParamType::Bint => DefaultValue::Bool(img.u32_at(arg)? != 0),
        ParamType::Byte => DefaultValue::Uint(u64::from(img.u8_at(arg)?)),
        ParamType::Short => DefaultValue::Int(i64::from(img.u16_at(arg)? as i16)),
        ParamType::Ushort => DefaultValue::Uint(u64::from(img.u16_at(arg)?)),
        ParamType::Int => DefaultValue::Int(i64::from(img.u32_at(arg)? as i32)),
        ParamType::Uint | ParamType::Hexint => DefaultValue::Uint(u64::from(img.u32_at(arg)?)),
        ParamType::Long => DefaultValue::Int(img.u64_at(arg)? as i64),
        ParamType::Ulong | ParamType::Ullong => DefaultValue::Uint(img.u64_at(arg)?),
        ParamType::Charp => {
            let p = img.ptr_at(arg)?;
            if p == 0 {
                return None;
            }
            DefaultValue::Str(img.cstr_at(p, &String::new).ok()?)
        }
        ParamType::String => {
            // `struct kparam_string { unsigned int maxlen; char *string; }`:
            // the buffer itself holds the default.
            let p = img.ptr_at(arg + 8)?;
            if p == 0 {
                return None;
            }
            DefaultValue::Str(img.cstr_at(p, &String::new).ok()?)
        }
        ParamType::Array | ParamType::Custom(_) | ParamType::Unknown => return None,
    })
}

/// Reads every `struct obs_kernel_param` of the image.
pub(crate) fn setups(img: &Image<'_>, syms: &Symtab<'_>) -> Result<Vec<SetupParam>, Error> {
    let Some((lo, hi)) = bounds(
        img,
        syms,
        "__setup_start",
        "__setup_end",
        ".init.setup",
        OBS_KERNEL_PARAM_SIZE,
    )?
    else {
        return Ok(Vec::new());
    };
    let n = (hi - lo) / OBS_KERNEL_PARAM_SIZE;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let e = lo + i * OBS_KERNEL_PARAM_SIZE;
        let what = |f: &str| format!("{f} of .init.setup entry {i}");
        let str_p = ptr(img, e, || what("str"))?;
        let string = img.cstr_at(str_p, &|| what("str"))?;
        let fn_p = ptr(img, e + 8, || what("setup_func"))?;
        let early = img.u32_at(e + 16).unwrap_or(0) != 0;
        // A NULL handler is legal: "Parameter %s is obsolete, ignored".
        let handler = if fn_p == 0 {
            None
        } else {
            syms.func_at(fn_p)
                .map(|s| s.name().into_owned())
                .or_else(|| syms.describe(fn_p))
        };
        out.push(SetupParam {
            string,
            early,
            handler,
            known: Known::Table,
        });
    }
    Ok(out)
}

/// `linux_banner` ("Linux version 6.12.117+deb12-cloud-amd64 (…) #1 SMP …")
/// and the release it names.
pub(crate) fn banner(img: &Image<'_>, syms: &Symtab<'_>) -> Option<(String, Option<String>)> {
    let addr = syms.addr("linux_banner")?;
    let text = img.cstr_at(addr, &|| "linux_banner".to_string()).ok()?;
    let text = text.trim_end().to_string();
    let release = release_of(&text);
    Some((text, release))
}

/// The `uname -r` part of a banner.
pub(crate) fn release_of(banner: &str) -> Option<String> {
    banner
        .strip_prefix("Linux version ")
        .and_then(|r| r.split_whitespace().next())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_is_the_third_word_of_the_banner() {
        let cases = [
            (
                "Linux version 6.12.117+deb12-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP",
                Some("6.12.117+deb12-cloud-amd64"),
            ),
            (
                "Linux version 6.1.0-50-cloud-amd64",
                Some("6.1.0-50-cloud-amd64"),
            ),
            ("Linux version ", None),
            ("something else", None),
        ];
        for (banner, want) in cases {
            assert_eq!(release_of(banner).as_deref(), want, "{banner}");
        }
    }
}
