//! Panic notifier registrations proven from x86-64 machine code.
//!
//! Without disassembling the kernel: scan the executable sections for `E8`
//! (call) / `E9` (jmp) rel32 whose target is a registration routine, then
//! decode only the functions containing a hit, from their symbol start, with
//! iced-x86. A hit counts only if the decoder lands on it as an instruction
//! (the bytes `E8 xx xx xx xx` also occur inside other instructions). While
//! decoding, a small forward tracker follows the last write of every
//! general-purpose register (constants, RIP-relative addresses, `base+disp`
//! addresses) and the constants stored to `[base+disp]`, so at the call we
//! know RDI (the chain head) and RSI (the notifier_block), and for a block
//! in a heap object (`lea 0xd0(%r15),%rsi`) the callback stored into it
//! just before (`movq $rb_flush_buffer_cb,0xd0(%r15)`).
//!
//! The tracker is linear (it ignores branches): it reports the last write
//! in address order, which is what the compiler emits for these short
//! register sequences. A value it cannot follow is reported as unknown,
//! never guessed.

use super::image::Image;
use super::symtab::Symtab;
use iced_x86::{
    Code, Decoder, DecoderOptions, FlowControl, Instruction, InstructionInfoFactory, OpAccess,
    OpKind, Register,
};

/// The routines whose calls register a notifier on an atomic chain
/// (kernel/notifier.c; `_unique_prio` exists since 5.x and is used by
/// e.g. the Hyper-V and pvpanic code on some versions).
pub(crate) const REGISTER_ROUTINES: [&str; 2] = [
    "atomic_notifier_chain_register",
    "atomic_notifier_chain_register_unique_prio",
];

/// Longest function the prover decodes. Kernel functions are far smaller;
/// a larger symbol size is corrupt data and must not cost unbounded time.
const MAX_FUNCTION: u64 = 1 << 20;

/// What the tracker knows about a register or a stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Val {
    Unknown,
    /// A constant (an address for the pointers we care about).
    Const(u64),
    /// `base + disp`, where `base` is the value register `reg` held in its
    /// write generation `generation` (e.g. a heap object's address).
    Addr {
        reg: Register,
        generation: u32,
        disp: i64,
    },
}

/// One call of a registration routine, as decoded.
#[derive(Debug, Clone)]
pub(crate) struct CallSite {
    /// Address of the call/jmp instruction.
    pub(crate) site: u64,
    /// The routine called.
    pub(crate) routine: &'static str,
    /// Tail call (`jmp`, or a conditional jump).
    pub(crate) tail: bool,
    /// The containing function's start and name.
    pub(crate) function: String,
    pub(crate) rdi: Val,
    pub(crate) rsi: Val,
    /// For `rsi = Addr{..}`: constants stored at the block's
    /// `notifier_call` (+0) and `priority` (+16) before the call.
    pub(crate) stored_callback: Option<u64>,
    pub(crate) stored_priority: Option<i32>,
}

/// Candidates the byte scan found that the decoder did not confirm.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanStats {
    pub(crate) candidates: usize,
    pub(crate) confirmed: usize,
    pub(crate) outside_functions: usize,
}

/// Byte scan: addresses of direct branches whose target is in `targets`:
/// `E8` call / `E9` jmp / `0F 8x` jcc with rel32 anywhere, and `EB` jmp /
/// `7x` jcc with rel8 in the 128 bytes around a target (the only place a
/// rel8 can reach it). The bool says whether it is a call.
fn scan(img: &Image<'_>, targets: &[u64]) -> Vec<(u64, bool)> {
    let mut hits = Vec::new();
    for s in img.exec_sections() {
        let bytes = img.bytes(s);
        let base = s.addr;
        let at = |i: usize| base.wrapping_add(i as u64);
        let rel32 = |i: usize| -> Option<i64> {
            let w: [u8; 4] = bytes.get(i..i + 4)?.try_into().ok()?;
            Some(i64::from(i32::from_le_bytes(w)))
        };
        // rel32 forms, eight bytes at a time (SWAR, no SIMD intrinsics):
        // mark the bytes E8/E9 and the pairs 0F 8x, then check the marked
        // positions' displacement. haszero() may mark a byte above a real
        // match too; every mark is checked, so that only costs time.
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        let zero_bytes = |v: u64| v.wrapping_sub(LO) & !v & HI;
        let word = |i: usize| -> u64 {
            // Fast path: a whole word; the last few bytes are zero-padded.
            if let Some(w) = bytes
                .get(i..i + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
            {
                return u64::from_le_bytes(w);
            }
            let mut b = [0u8; 8];
            for (d, s) in b.iter_mut().zip(bytes.get(i..).unwrap_or(&[])) {
                *d = *s;
            }
            u64::from_le_bytes(b)
        };
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            let w = word(i);
            let next = word(i + 1);
            let call = zero_bytes((w & 0xfefe_fefe_fefe_fefe) ^ 0xe8e8_e8e8_e8e8_e8e8);
            let jcc = zero_bytes(w ^ 0x0f0f_0f0f_0f0f_0f0f)
                & zero_bytes((next & 0xf0f0_f0f0_f0f0_f0f0) ^ HI);
            let mut marks = call | jcc;
            while marks != 0 {
                let j = i + (marks.trailing_zeros() / 8) as usize;
                marks &= marks - 1;
                let (len, disp) = match bytes.get(j) {
                    Some(0xe8) | Some(0xe9) => (5, rel32(j + 1)),
                    Some(0x0f) if bytes.get(j + 1).is_some_and(|b| b & 0xf0 == 0x80) => {
                        (6, rel32(j + 2))
                    }
                    _ => continue,
                };
                let Some(disp) = disp else { continue };
                let tgt = at(j + len).wrapping_add(disp as u64);
                if targets.contains(&tgt) {
                    hits.push((at(j), bytes.get(j) == Some(&0xe8)));
                }
            }
            i += 8;
        }
        // rel8 forms, only near a target inside this section.
        for &t in targets {
            if t < base || t >= base.saturating_add(bytes.len() as u64) {
                continue;
            }
            let off = (t - base) as usize;
            for i in off.saturating_sub(130)..(off + 128).min(n) {
                let Some(&op) = bytes.get(i) else { break };
                if op != 0xeb && op & 0xf0 != 0x70 {
                    continue;
                }
                let Some(&d) = bytes.get(i + 1) else { continue };
                let tgt = at(i + 2).wrapping_add(i64::from(d as i8) as u64);
                if tgt == t {
                    hits.push((at(i), false));
                }
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}

fn gpr_index(r: Register) -> Option<usize> {
    let full = r.full_register();
    let idx = match full {
        Register::RAX => 0,
        Register::RCX => 1,
        Register::RDX => 2,
        Register::RBX => 3,
        Register::RSP => 4,
        Register::RBP => 5,
        Register::RSI => 6,
        Register::RDI => 7,
        Register::R8 => 8,
        Register::R9 => 9,
        Register::R10 => 10,
        Register::R11 => 11,
        Register::R12 => 12,
        Register::R13 => 13,
        Register::R14 => 14,
        Register::R15 => 15,
        _ => return None,
    };
    Some(idx)
}

/// Caller-saved registers (SysV ABI, as the kernel uses it): a call
/// clobbers them.
const CLOBBERED: [usize; 9] = [0, 1, 2, 6, 7, 8, 9, 10, 11];

struct Tracker {
    regs: [Val; 16],
    gens: [u32; 16],
    /// Stores of known values to `[reg(generation) + disp]`, newest last.
    mem: Vec<(Register, u32, i64, Val)>,
}

impl Tracker {
    fn new() -> Tracker {
        Tracker {
            regs: [Val::Unknown; 16],
            gens: [0; 16],
            mem: Vec::new(),
        }
    }

    fn reg(&self, r: Register) -> Val {
        gpr_index(r)
            .and_then(|i| self.regs.get(i).copied())
            .unwrap_or(Val::Unknown)
    }

    fn set(&mut self, r: Register, v: Val) {
        if let Some(i) = gpr_index(r) {
            if let (Some(g), Some(slot)) = (self.gens.get_mut(i), self.regs.get_mut(i)) {
                *g = g.wrapping_add(1);
                *slot = v;
            }
        }
    }

    /// The address `[base + disp]` of a memory operand without index, as a
    /// tracker value.
    fn address(&self, ins: &Instruction) -> Val {
        if ins.memory_index() != Register::None {
            return Val::Unknown;
        }
        let base = ins.memory_base();
        if base == Register::RIP {
            return Val::Const(ins.ip_rel_memory_address());
        }
        if base == Register::None {
            return Val::Const(ins.memory_displacement64());
        }
        let disp = ins.memory_displacement64() as i64;
        match self.reg(base) {
            Val::Const(c) => Val::Const(c.wrapping_add(disp as u64)),
            Val::Addr {
                reg,
                generation,
                disp: d,
            } => Val::Addr {
                reg,
                generation,
                disp: d.wrapping_add(disp),
            },
            Val::Unknown => match gpr_index(base) {
                Some(i) => Val::Addr {
                    reg: base.full_register(),
                    generation: self.gens.get(i).copied().unwrap_or(0),
                    disp,
                },
                None => Val::Unknown,
            },
        }
    }

    fn stored(&self, at: Val) -> Option<Val> {
        let Val::Addr {
            reg,
            generation,
            disp,
        } = at
        else {
            return None;
        };
        self.mem
            .iter()
            .rev()
            .find(|m| m.0 == reg && m.1 == generation && m.2 == disp)
            .map(|m| m.3)
    }

    fn immediate(ins: &Instruction, op: u32) -> Option<u64> {
        match ins.op_kind(op) {
            OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => Some(ins.immediate(op)),
            _ => None,
        }
    }

    /// Applies one instruction. Returns true when it was fully modelled.
    fn step(&mut self, ins: &Instruction, info: &mut InstructionInfoFactory) {
        let op0 = ins.op_kind(0);
        let dst = if op0 == OpKind::Register {
            ins.op_register(0)
        } else {
            Register::None
        };
        let dst64 = dst.is_gpr64();
        let dst32 = dst.is_gpr32();
        match ins.code() {
            // mov r64, imm (sign-extended imm32 or imm64) / mov r32, imm32
            // (zero-extends into the full register).
            Code::Mov_rm64_imm32 | Code::Mov_r64_imm64 | Code::Mov_r32_imm32 if dst64 || dst32 => {
                if let Some(v) = Self::immediate(ins, 1) {
                    let v = if dst32 { v & 0xffff_ffff } else { v };
                    self.set(dst, Val::Const(v));
                    return;
                }
            }
            Code::Mov_r64_rm64 | Code::Mov_rm64_r64
                if dst64 && ins.op_kind(1) == OpKind::Register =>
            {
                let v = self.reg(ins.op_register(1));
                self.set(dst, v);
                return;
            }
            Code::Lea_r64_m if dst64 => {
                let v = self.address(ins);
                self.set(dst, v);
                return;
            }
            Code::Xor_r32_rm32 | Code::Xor_rm32_r32
                if dst32 && ins.op_kind(1) == OpKind::Register && ins.op_register(1) == dst =>
            {
                self.set(dst, Val::Const(0));
                return;
            }
            // Stores: mov [mem], imm / mov [mem], r64.
            Code::Mov_rm64_imm32 | Code::Mov_rm32_imm32 if op0 == OpKind::Memory => {
                let at = self.address(ins);
                if let (
                    Val::Addr {
                        reg,
                        generation,
                        disp,
                    },
                    Some(v),
                ) = (at, Self::immediate(ins, 1))
                {
                    self.mem.push((reg, generation, disp, Val::Const(v)));
                }
                return;
            }
            Code::Mov_rm64_r64 | Code::Mov_rm32_r32 if op0 == OpKind::Memory => {
                let at = self.address(ins);
                let v = self.reg(ins.op_register(1));
                if let (
                    Val::Addr {
                        reg,
                        generation,
                        disp,
                    },
                    Val::Const(_),
                ) = (at, v)
                {
                    self.mem.push((reg, generation, disp, v));
                }
                return;
            }
            _ => {}
        }
        // Anything else: every register it writes becomes unknown.
        let written: Vec<Register> = info
            .info(ins)
            .used_registers()
            .iter()
            .filter(|u| {
                matches!(
                    u.access(),
                    OpAccess::Write
                        | OpAccess::CondWrite
                        | OpAccess::ReadWrite
                        | OpAccess::ReadCondWrite
                )
            })
            .map(|u| u.register())
            .collect();
        for r in written {
            if gpr_index(r).is_some() {
                self.set(r, Val::Unknown);
            }
        }
    }

    fn clobber_call(&mut self) {
        for &i in &CLOBBERED {
            if let (Some(g), Some(slot)) = (self.gens.get_mut(i), self.regs.get_mut(i)) {
                *g = g.wrapping_add(1);
                *slot = Val::Unknown;
            }
        }
    }
}

/// Every decoded call of a registration routine in the image.
pub(crate) fn call_sites(img: &Image<'_>, syms: &Symtab<'_>) -> (Vec<CallSite>, ScanStats) {
    let routines: Vec<(u64, &'static str)> = REGISTER_ROUTINES
        .iter()
        .filter_map(|&n| {
            syms.get(n)
                .filter(|s| s.is_func() && s.is_defined())
                .map(|s| (s.value, n))
        })
        .collect();
    let mut stats = ScanStats::default();
    if routines.is_empty() {
        return (Vec::new(), stats);
    }
    let targets: Vec<u64> = routines.iter().map(|r| r.0).collect();
    let hits = scan(img, &targets);
    stats.candidates = hits.len();

    // Group hits by containing function, in address order.
    let mut funcs: Vec<Function<'_>> = Vec::new();
    for &(site, _) in &hits {
        let Some(f) = syms.containing(site, true) else {
            stats.outside_functions += 1;
            continue;
        };
        if let Some(g) = funcs.iter_mut().find(|g| g.start == f.value) {
            g.sites.push(site);
            continue;
        }
        if f.size > MAX_FUNCTION {
            continue;
        }
        let Some(code) = img.slice(f.value, f.size as usize) else {
            continue;
        };
        funcs.push(Function {
            start: f.value,
            name: f.name().into_owned(),
            code,
            sites: vec![site],
        });
    }
    let out = decode(&funcs, &routines, &mut stats);
    (out, stats)
}

/// A function to decode: its link address, name, bytes (relocations
/// applied), and the candidate call sites inside it.
pub(crate) struct Function<'a> {
    pub(crate) start: u64,
    pub(crate) name: String,
    pub(crate) code: &'a [u8],
    pub(crate) sites: Vec<u64>,
}

/// Decodes each function from its start, tracking registers, and returns
/// the candidate sites that are real branches to a routine.
pub(crate) fn decode(
    funcs: &[Function<'_>],
    routines: &[(u64, &'static str)],
    stats: &mut ScanStats,
) -> Vec<CallSite> {
    let mut out = Vec::new();
    let mut info = InstructionInfoFactory::new();
    for f in funcs {
        let mut dec = Decoder::with_ip(64, f.code, f.start, DecoderOptions::NONE);
        let mut t = Tracker::new();
        let mut ins = Instruction::default();
        while dec.can_decode() {
            dec.decode_out(&mut ins);
            let ip = ins.ip();
            if f.sites.contains(&ip) {
                let target = ins.near_branch_target();
                let routine = routines.iter().find(|r| r.0 == target).map(|r| r.1);
                let kind = ins.flow_control();
                let is_branch = matches!(
                    kind,
                    FlowControl::Call
                        | FlowControl::UnconditionalBranch
                        | FlowControl::ConditionalBranch
                );
                if let (Some(routine), true) = (routine, is_branch) {
                    stats.confirmed += 1;
                    let rsi = t.reg(Register::RSI);
                    let (stored_callback, stored_priority) = match rsi {
                        Val::Addr {
                            reg,
                            generation,
                            disp,
                        } => {
                            let at = |d: i64| Val::Addr {
                                reg,
                                generation,
                                disp: disp.wrapping_add(d),
                            };
                            let cb = match t.stored(at(0)) {
                                Some(Val::Const(c)) => Some(c),
                                _ => None,
                            };
                            let pr = match t.stored(at(16)) {
                                Some(Val::Const(p)) => Some(p as u32 as i32),
                                _ => None,
                            };
                            (cb, pr)
                        }
                        _ => (None, None),
                    };
                    out.push(CallSite {
                        site: ip,
                        routine,
                        tail: kind != FlowControl::Call,
                        function: f.name.clone(),
                        rdi: t.reg(Register::RDI),
                        rsi,
                        stored_callback,
                        stored_priority,
                    });
                }
            }
            match ins.flow_control() {
                FlowControl::Call | FlowControl::IndirectCall => t.clobber_call(),
                _ => t.step(&ins, &mut info),
            }
        }
    }
    out.sort_by_key(|c| c.site);
    out
}
