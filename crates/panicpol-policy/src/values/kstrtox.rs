//! `lib/kstrtox.c` and friends: `kstrtobool`, `kstrto<type>` with their base
//! detection, `simple_strtoull` and `memparse` (`lib/cmdline.c`).
//!
//! Confirmed line by line in Debian's 6.1.192 and 6.12.117 sources (the two
//! `kstrtox.c` differ only in `c | 0x20` versus `_tolower(c)`, which is the
//! same macro).

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while};
use nom::combinator::opt;
use serde::Serialize;

use super::version::{Basis, Gate, KernelVersion, Since};
use super::{Errno, Note, NoteKind, Reason, Span, ValueError, cstr};

/// `kstrtobool()` accepts `e`/`E` (true) and `d`/`D` (false) since
/// ae5b3500856f "kstrtox: add support for enabled and disabled in
/// kstrtobool()". Absent from 6.1.192 and 6.12.117 (read); the commit is in a
/// kernel.org push log of 2025-06-01 next to the 6.16 merge-window mm-nonmm
/// batch, so 6.16 is inferred, not read in a 6.16 tree.
pub const KSTRTOBOOL_ENABLED_DISABLED: Since = Since::exact(6, 16, Basis::Inferred);

/// How a boolean was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoolForm {
    /// No `=value` at all (`param_set_bool` reads it as `"1"`).
    BareFlag,
    /// One of the usual spellings: `y n t f 1 0`, `yes no true false on off`,
    /// `enable(d) disable(d)` (any case), optionally with one trailing newline.
    Word,
    /// Anything else the kernel accepts because it reads only one or two
    /// characters (`yellow`, `1x`, `of`).
    Prefix,
}

/// A boolean the kernel accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoolValue {
    /// The value stored.
    pub value: bool,
    /// How it was written.
    pub form: BoolForm,
    /// Accepted-but-suspicious remarks.
    pub notes: Vec<Note>,
}

/// `param_set_bool()` (kernel/params.c): a bare flag means true, anything else
/// goes to [`kstrtobool`]. This is the grammar of every `bool` kernel
/// parameter (`crash_kexec_post_notifiers`, `panic_console_replay`,
/// `kfence.check_on_panic` …).
pub fn parse_bool(val: Option<&[u8]>, v: &KernelVersion) -> Result<BoolValue, ValueError> {
    match val {
        None => Ok(BoolValue {
            value: true,
            form: BoolForm::BareFlag,
            notes: Vec::new(),
        }),
        Some(s) => kstrtobool(s, v),
    }
}

/// `kstrtobool()` (lib/kstrtox.c): only the first character matters, or the
/// first two for `o`: `y Y t T 1` → true, `n N f F 0` → false, `on` → true,
/// `of` → false (any case), `e E`/`d D` → true/false from
/// [`KSTRTOBOOL_ENABLED_DISABLED`]; everything else, including the empty
/// string, is `-EINVAL`.
pub fn kstrtobool(val: &[u8], v: &KernelVersion) -> Result<BoolValue, ValueError> {
    let s = cstr(val);
    let first = s.first().copied();
    let second = s.get(1).copied();
    let value = match first {
        None => return Err(ValueError::new(Errno::Einval, Reason::Empty, 0..0)),
        Some(b'y' | b'Y' | b't' | b'T' | b'1') => true,
        Some(b'n' | b'N' | b'f' | b'F' | b'0') => false,
        Some(b'o' | b'O') => match second {
            Some(b'n' | b'N') => true,
            Some(b'f' | b'F') => false,
            _ => {
                return Err(ValueError::new(
                    Errno::Einval,
                    Reason::NotBool,
                    0..s.len().min(2),
                ));
            }
        },
        Some(c @ (b'e' | b'E' | b'd' | b'D')) => {
            let value = matches!(c, b'e' | b'E');
            match KSTRTOBOOL_ENABLED_DISABLED.gate(v) {
                Gate::No => {
                    return Err(ValueError::new(
                        Errno::Einval,
                        Reason::NotInThisKernel {
                            since: KSTRTOBOOL_ENABLED_DISABLED,
                        },
                        0..1,
                    ));
                }
                Gate::Yes => value,
                Gate::Depends => {
                    let mut b = classify_bool(s, value);
                    b.notes.insert(
                        0,
                        Note::at(
                            NoteKind::VersionDependent {
                                since: KSTRTOBOOL_ENABLED_DISABLED,
                            },
                            0..1,
                        ),
                    );
                    return Ok(b);
                }
            }
        }
        Some(_) => return Err(ValueError::new(Errno::Einval, Reason::NotBool, 0..1)),
    };
    Ok(classify_bool(s, value))
}

/// Decides whether an accepted boolean is a usual word or a lucky prefix.
fn classify_bool(s: &[u8], value: bool) -> BoolValue {
    let body = s.strip_suffix(b"\n").unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    const WORDS: &[&[u8]] = &[
        b"y",
        b"n",
        b"t",
        b"f",
        b"1",
        b"0",
        b"yes",
        b"no",
        b"true",
        b"false",
        b"on",
        b"off",
        b"enable",
        b"enabled",
        b"disable",
        b"disabled",
    ];
    if WORDS.contains(&lower.as_slice()) {
        return BoolValue {
            value,
            form: BoolForm::Word,
            notes: Vec::new(),
        };
    }
    let numeric = body.len() > 1 && kstrtoull(body, Base::Auto).is_ok();
    let kind = if numeric {
        NoteKind::BoolLooksNumeric
    } else {
        NoteKind::BoolUnusualSpelling
    };
    BoolValue {
        value,
        form: BoolForm::Prefix,
        notes: vec![Note::at(kind, 0..s.len())],
    }
}

/// The C integer types of kernel parameters, by width and signedness.
///
/// Map parameter types with the target's data model: on 64-bit kernels
/// (LP64) `long`/`ulong` are [`IntType::S64`]/[`IntType::U64`]; on 32-bit
/// ones they are `S32`/`U32` (see [`IntType::long`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntType {
    /// `u8` (`byte`).
    U8,
    /// `s8`.
    S8,
    /// `u16` (`ushort`).
    U16,
    /// `s16` (`short`).
    S16,
    /// `u32` (`uint`, `hexint`).
    U32,
    /// `s32` (`int`).
    S32,
    /// `u64` (`ullong`; `ulong` on 64-bit).
    U64,
    /// `s64` (`long` on 64-bit).
    S64,
}

impl IntType {
    /// `long` for a kernel whose `long` has `bits` bits (32 or 64).
    pub fn long(bits: u8) -> IntType {
        if bits == 32 {
            IntType::S32
        } else {
            IntType::S64
        }
    }

    /// `unsigned long` for a kernel whose `long` has `bits` bits (32 or 64).
    pub fn ulong(bits: u8) -> IntType {
        if bits == 32 {
            IntType::U32
        } else {
            IntType::U64
        }
    }

    /// Whether the type accepts a leading `-`.
    pub fn signed(self) -> bool {
        matches!(
            self,
            IntType::S8 | IntType::S16 | IntType::S32 | IntType::S64
        )
    }

    /// The smallest value.
    pub fn min(self) -> i128 {
        match self {
            IntType::U8 | IntType::U16 | IntType::U32 | IntType::U64 => 0,
            IntType::S8 => i8::MIN.into(),
            IntType::S16 => i16::MIN.into(),
            IntType::S32 => i32::MIN.into(),
            IntType::S64 => i64::MIN.into(),
        }
    }

    /// The largest value.
    pub fn max(self) -> i128 {
        match self {
            IntType::U8 => u8::MAX.into(),
            IntType::U16 => u16::MAX.into(),
            IntType::U32 => u32::MAX.into(),
            IntType::U64 => u64::MAX.into(),
            IntType::S8 => i8::MAX.into(),
            IntType::S16 => i16::MAX.into(),
            IntType::S32 => i32::MAX.into(),
            IntType::S64 => i64::MAX.into(),
        }
    }

    /// The kernel function that parses it (`kstrtouint` …).
    pub fn kernel_fn(self) -> &'static str {
        match self {
            IntType::U8 => "kstrtou8",
            IntType::S8 => "kstrtos8",
            IntType::U16 => "kstrtou16",
            IntType::S16 => "kstrtos16",
            IntType::U32 => "kstrtouint",
            IntType::S32 => "kstrtoint",
            IntType::U64 => "kstrtoull",
            IntType::S64 => "kstrtoll",
        }
    }
}

/// The base argument of `kstrto*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// Base 0: `0x` + hex digit ⇒ 16, leading `0` ⇒ 8, else 10.
    Auto,
    /// Base 8.
    Oct,
    /// Base 10.
    Dec,
    /// Base 16 (`0x` prefix optional).
    Hex,
}

/// The base a number was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Radix {
    /// Octal.
    Oct,
    /// Decimal.
    Dec,
    /// Hexadecimal.
    Hex,
}

impl Radix {
    fn value(self) -> u32 {
        match self {
            Radix::Oct => 8,
            Radix::Dec => 10,
            Radix::Hex => 16,
        }
    }
}

/// An integer the kernel accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntValue {
    /// The value stored (wide enough for every type).
    pub value: i128,
    /// The destination type.
    pub ty: IntType,
    /// The base it was read in.
    pub radix: Radix,
    /// Accepted-but-suspicious remarks.
    pub notes: Vec<Note>,
}

impl IntValue {
    /// The value as `u64`, when it fits.
    pub fn as_u64(&self) -> Option<u64> {
        u64::try_from(self.value).ok()
    }

    /// The value as `i64`, when it fits.
    pub fn as_i64(&self) -> Option<i64> {
        i64::try_from(self.value).ok()
    }
}

/// `param_set_<type>()` (kernel/params.c `STANDARD_PARAM_DEF`): a bare flag is
/// `-EINVAL` (these ops lack `KERNEL_PARAM_OPS_FL_NOARG`, so `parse_one`
/// rejects it), anything else is `kstrto<type>(val, 0, …)`.
pub fn parse_int(val: Option<&[u8]>, ty: IntType) -> Result<IntValue, ValueError> {
    match val {
        None => Err(ValueError::whole(Errno::Einval, Reason::NoValue)),
        Some(s) => kstrtoint(s, Base::Auto, ty),
    }
}

/// `kstrto<type>(s, base, &res)`: `kstrtoull`/`kstrtoll` then a narrowing check
/// (`-ERANGE`). One leading `+` (or, for signed types, one `-`), base
/// detection after the sign, digits, at most one trailing newline.
pub fn kstrtoint(val: &[u8], base: Base, ty: IntType) -> Result<IntValue, ValueError> {
    let s = cstr(val);
    if s.is_empty() {
        return Err(ValueError::new(Errno::Einval, Reason::Empty, 0..0));
    }
    let (value, radix, digits) = if ty.signed() {
        kstrtoll(s, base)?
    } else {
        let (u, radix, digits) = kstrtoull(s, base)?;
        (i128::from(u), radix, digits)
    };
    if value < ty.min() || value > ty.max() {
        return Err(ValueError::new(
            Errno::Erange,
            Reason::OutOfRange {
                min: ty.min(),
                max: ty.max(),
            },
            0..s.len(),
        ));
    }
    let mut notes = Vec::new();
    if radix == Radix::Oct && digits.len() > 1 {
        notes.push(Note::at(NoteKind::Octal, digits));
    }
    Ok(IntValue {
        value,
        ty,
        radix,
        notes,
    })
}

/// `kstrtoll()`: a leading `-` then `_kstrtoull` (no `+` after the `-`), with
/// the two's-complement range checks of the kernel.
fn kstrtoll(s: &[u8], base: Base) -> Result<(i128, Radix, Span), ValueError> {
    if let Some(rest) = s.strip_prefix(b"-") {
        let (u, radix, digits) = parse_unsigned(rest, base).map_err(|e| e.shifted(1))?;
        // `(long long)-tmp > 0` is the kernel's test: true for 2^63 < tmp.
        if u > 1u64 << 63 {
            return Err(ValueError::new(Errno::Erange, Reason::Overflow, 0..s.len()));
        }
        Ok((-i128::from(u), radix, digits.start + 1..digits.end + 1))
    } else {
        let (u, radix, digits) = kstrtoull(s, base)?;
        if u >= 1u64 << 63 {
            return Err(ValueError::new(Errno::Erange, Reason::Overflow, 0..s.len()));
        }
        Ok((i128::from(u), radix, digits))
    }
}

/// `kstrtoull()`: one optional `+`, then `_kstrtoull`.
pub(crate) fn kstrtoull(s: &[u8], base: Base) -> Result<(u64, Radix, Span), ValueError> {
    let res: IResult<&[u8], Option<&[u8]>> = opt(tag(&b"+"[..])).parse(s);
    let (rest, plus) = res.unwrap_or((s, None));
    let skip = usize::from(plus.is_some());
    let (u, radix, digits) = parse_unsigned(rest, base).map_err(|e| e.shifted(skip))?;
    Ok((u, radix, digits.start + skip..digits.end + skip))
}

/// `_kstrtoull()`: radix fix-up, digits (overflow ⇒ `-ERANGE`, none ⇒
/// `-EINVAL`), one optional `\n`, then the end of the string.
fn parse_unsigned(s: &[u8], base: Base) -> Result<(u64, Radix, Span), ValueError> {
    let (radix, skip) = fixup_radix(s, base);
    let body = s.get(skip..).unwrap_or_default();
    let r = radix.value();
    let res: IResult<&[u8], &[u8]> =
        take_while(|c: u8| digit_value(c).is_some_and(|d| d < r)).parse(body);
    let (rest, digits) = res.unwrap_or((body, &[][..]));
    let span = skip..skip + digits.len();
    let Some(value) = fold_digits(digits, r) else {
        return Err(ValueError::new(Errno::Erange, Reason::Overflow, span));
    };
    if digits.is_empty() {
        let reason = if s.first() == Some(&b'-') {
            Reason::Minus
        } else {
            Reason::NoDigits
        };
        let at = skip.min(s.len());
        return Err(ValueError::new(
            Errno::Einval,
            reason,
            at..(at + 1).min(s.len()),
        ));
    }
    let res: IResult<&[u8], Option<&[u8]>> = opt(tag(&b"\n"[..])).parse(rest);
    let (after, _) = res.unwrap_or((rest, None));
    if !after.is_empty() {
        let start = s.len() - after.len();
        return Err(ValueError::new(
            Errno::Einval,
            Reason::Trailing,
            start..s.len(),
        ));
    }
    Ok((value, radix, span))
}

/// `_parse_integer_fixup_radix()`: the radix and how many prefix bytes to skip.
/// Base 0 picks 16 only when `0x` is followed by a hex digit; base 16 skips a
/// `0x` even when nothing follows it.
fn fixup_radix(s: &[u8], base: Base) -> (Radix, usize) {
    let zero = s.first() == Some(&b'0');
    let x = s.get(1).is_some_and(|&c| c | 0x20 == b'x');
    let radix = match base {
        Base::Auto if zero && x && s.get(2).is_some_and(|c| c.is_ascii_hexdigit()) => Radix::Hex,
        Base::Auto if zero => Radix::Oct,
        Base::Auto | Base::Dec => Radix::Dec,
        Base::Oct => Radix::Oct,
        Base::Hex => Radix::Hex,
    };
    let skip = if radix == Radix::Hex && zero && x {
        2
    } else {
        0
    };
    (radix, skip)
}

/// A digit's value as `_parse_integer_limit` sees it (`0-9`, `a-f`, `A-F`).
fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        _ => match c | 0x20 {
            l @ b'a'..=b'f' => Some(u32::from(l - b'a') + 10),
            _ => None,
        },
    }
}

/// The digits' value, or `None` on 64-bit overflow.
fn fold_digits(digits: &[u8], radix: u32) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &c| {
        let d = digit_value(c)?;
        acc.checked_mul(u64::from(radix))?.checked_add(u64::from(d))
    })
}

/// The digits' value modulo 2^64, and whether it wrapped (`simple_strtoull`
/// keeps going after an overflow).
fn fold_digits_wrapping(digits: &[u8], radix: u32) -> (u64, bool) {
    let mut wrapped = false;
    let mut acc = 0u64;
    for &c in digits {
        let d = u64::from(digit_value(c).unwrap_or(0));
        let (m, o1) = acc.overflowing_mul(u64::from(radix));
        let (a, o2) = m.overflowing_add(d);
        wrapped |= o1 || o2;
        acc = a;
    }
    (acc, wrapped)
}

/// What `simple_strtoull` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SimpleNumber {
    /// The value, modulo 2^64.
    pub value: u64,
    /// How many bytes were consumed (0 when there was no digit).
    pub consumed: usize,
    /// Whether the value wrapped.
    pub wrapped: bool,
}

/// `simple_strtoull(s, &end, base)` (lib/vsprintf.c): radix fix-up, then as
/// many digits as there are; never fails, no sign, wraps silently.
pub fn simple_strtoull(val: &[u8], base: Base) -> SimpleNumber {
    let s = cstr(val);
    let (radix, skip) = fixup_radix(s, base);
    let body = s.get(skip..).unwrap_or_default();
    let r = radix.value();
    let n = body
        .iter()
        .take_while(|&&c| digit_value(c).is_some_and(|d| d < r))
        .count();
    let digits = body.get(..n).unwrap_or_default();
    let (value, wrapped) = fold_digits_wrapping(digits, r);
    // With base 0 the `0x` is skipped only when a hex digit follows, so a
    // skipped prefix is always followed by at least one digit.
    SimpleNumber {
        value,
        consumed: skip + n,
        wrapped,
    }
}

/// What `memparse` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mem {
    /// The size in bytes, modulo 2^64.
    pub bytes: u64,
    /// How many bytes were consumed; 0 means "memory value expected".
    pub consumed: usize,
    /// The suffix letter (`K M G T P E`, any case), if any.
    pub suffix: Option<u8>,
    /// Whether the number or the shift lost bits.
    pub wrapped: bool,
}

/// `memparse(s, &end)` (lib/cmdline.c, identical in 6.1 and 6.12):
/// `simple_strtoull(s, 0)` then one optional suffix `K M G T P E` (any case),
/// each a further shift by 10. Quirk reproduced: a suffix with no digits
/// before it (`"K"`) is consumed and yields 0, so callers that test
/// "consumed nothing" accept it.
pub fn memparse(val: &[u8]) -> Mem {
    let s = cstr(val);
    let n = simple_strtoull(s, Base::Auto);
    let suffix = s.get(n.consumed).copied();
    let shift = match suffix.map(|c| c.to_ascii_uppercase()) {
        Some(b'K') => 10,
        Some(b'M') => 20,
        Some(b'G') => 30,
        Some(b'T') => 40,
        Some(b'P') => 50,
        Some(b'E') => 60,
        _ => 0,
    };
    if shift == 0 {
        return Mem {
            bytes: n.value,
            consumed: n.consumed,
            suffix: None,
            wrapped: n.wrapped,
        };
    }
    let bytes = n.value << shift;
    Mem {
        bytes,
        consumed: n.consumed + 1,
        suffix,
        wrapped: n.wrapped || bytes >> shift != n.value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V612: KernelVersion = KernelVersion::new(6, 12, Some(117));

    #[test]
    fn bool_first_characters() {
        for (s, want) in [
            ("y", true),
            ("Yes", true),
            ("1", true),
            ("true", true),
            ("on", true),
            ("ON", true),
        ] {
            assert_eq!(
                kstrtobool(s.as_bytes(), &V612).map(|b| b.value),
                Ok(want),
                "{s}"
            );
        }
        for (s, want) in [
            ("n", false),
            ("0", false),
            ("off", false),
            ("Of", false),
            ("false", false),
        ] {
            assert_eq!(
                kstrtobool(s.as_bytes(), &V612).map(|b| b.value),
                Ok(want),
                "{s}"
            );
        }
        for s in ["", "o", "ok", "2", "-1", " y", "x"] {
            assert_eq!(
                kstrtobool(s.as_bytes(), &V612).map_err(|e| e.errno),
                Err(Errno::Einval),
                "{s:?}"
            );
        }
    }

    #[test]
    fn bool_suspicious_forms_carry_notes() {
        let b = kstrtobool(b"yellow", &V612).ok();
        assert_eq!(b.as_ref().map(|b| b.form), Some(BoolForm::Prefix));
        assert_eq!(
            b.map(|b| b.notes[0].kind.clone()),
            Some(NoteKind::BoolUnusualSpelling)
        );
        let b = kstrtobool(b"0x1", &V612).ok();
        assert_eq!(b.as_ref().map(|b| b.value), Some(false));
        assert_eq!(
            b.map(|b| b.notes[0].kind.clone()),
            Some(NoteKind::BoolLooksNumeric)
        );
        assert_eq!(
            kstrtobool(b"yes\n", &V612).map(|b| b.form),
            Ok(BoolForm::Word)
        );
    }

    #[test]
    fn bool_enabled_disabled_by_version() {
        let old = kstrtobool(b"enabled", &KernelVersion::new(6, 15, None));
        assert_eq!(old.map_err(|e| e.reason.slug()), Err("not-in-this-kernel"));
        assert_eq!(
            kstrtobool(b"disabled", &KernelVersion::new(6, 16, None)).map(|b| b.value),
            Ok(false)
        );
        let unknown = kstrtobool(b"enable", &KernelVersion::UNKNOWN).ok();
        assert_eq!(
            unknown.map(|b| b.notes[0].kind.slug()),
            Some("version-dependent")
        );
    }

    #[test]
    fn bare_bool_is_true() {
        assert_eq!(
            parse_bool(None, &V612).map(|b| (b.value, b.form)),
            Ok((true, BoolForm::BareFlag))
        );
    }

    fn ull(s: &str) -> Result<u64, (Errno, &'static str)> {
        kstrtoint(s.as_bytes(), Base::Auto, IntType::U64)
            .map(|v| v.as_u64().unwrap_or(0))
            .map_err(|e| (e.errno, e.reason.slug()))
    }

    #[test]
    fn integer_edge_cases() {
        assert_eq!(ull("0x"), Err((Errno::Einval, "trailing")));
        assert_eq!(ull("08"), Err((Errno::Einval, "trailing")));
        assert_eq!(ull("+0x10"), Ok(16));
        assert_eq!(ull("0X1f\n"), Ok(31));
        assert_eq!(ull("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            ull("18446744073709551616"),
            Err((Errno::Erange, "overflow"))
        );
        assert_eq!(
            ull("99999999999999999999x"),
            Err((Errno::Erange, "overflow"))
        );
        assert_eq!(ull("-1"), Err((Errno::Einval, "minus")));
        assert_eq!(ull(" 1"), Err((Errno::Einval, "no-digits")));
        assert_eq!(ull("1\n\n"), Err((Errno::Einval, "trailing")));
        assert_eq!(ull("++1"), Err((Errno::Einval, "no-digits")));
        assert_eq!(ull(""), Err((Errno::Einval, "empty")));
        assert_eq!(ull("+"), Err((Errno::Einval, "no-digits")));
        assert_eq!(ull("1\0junk"), Ok(1));
    }

    #[test]
    fn signed_ranges() {
        let int = |s: &str| {
            kstrtoint(s.as_bytes(), Base::Auto, IntType::S32)
                .map(|v| v.value)
                .map_err(|e| e.errno)
        };
        assert_eq!(int("-2147483648"), Ok(-2147483648));
        assert_eq!(int("2147483648"), Err(Errno::Erange));
        assert_eq!(int("-0x10"), Ok(-16));
        assert_eq!(int("-+1"), Err(Errno::Einval));
        assert_eq!(int("+-1"), Err(Errno::Einval));
        let ll = |s: &str| {
            kstrtoint(s.as_bytes(), Base::Auto, IntType::S64)
                .map(|v| v.value)
                .map_err(|e| e.errno)
        };
        assert_eq!(ll("-9223372036854775808"), Ok(i128::from(i64::MIN)));
        assert_eq!(ll("-9223372036854775809"), Err(Errno::Erange));
        assert_eq!(ll("9223372036854775808"), Err(Errno::Erange));
        assert_eq!(ll("-18446744073709551615"), Err(Errno::Erange));
        assert_eq!(ll("-0"), Ok(0));
    }

    #[test]
    fn explicit_hex_base_strips_prefix_even_without_digit() {
        let hex = |s: &str| {
            kstrtoint(s.as_bytes(), Base::Hex, IntType::U64)
                .map(|v| v.value)
                .map_err(|e| e.errno)
        };
        assert_eq!(hex("10"), Ok(16));
        assert_eq!(hex("0x10"), Ok(16));
        assert_eq!(hex("0x"), Err(Errno::Einval));
        assert_eq!(hex("ff"), Ok(255));
    }

    #[test]
    fn memparse_suffixes_and_quirks() {
        assert_eq!(memparse(b"256M").bytes, 256 << 20);
        assert_eq!(memparse(b"1g").bytes, 1 << 30);
        assert_eq!(memparse(b"2T").bytes, 2 << 40);
        assert_eq!(memparse(b"1E").bytes, 1 << 60);
        assert_eq!(memparse(b"0x1E").bytes, 0x1e);
        assert_eq!(memparse(b"010M").bytes, 8 << 20);
        assert_eq!(
            memparse(b"K"),
            Mem {
                bytes: 0,
                consumed: 1,
                suffix: Some(b'K'),
                wrapped: false
            }
        );
        assert_eq!(memparse(b"auto").consumed, 0);
        assert!(memparse(b"16E").wrapped);
        assert!(memparse(b"99999999999999999999").wrapped);
    }
}
