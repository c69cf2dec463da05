#!/usr/bin/env python3
"""Regenerates fuzz/seeds/<target>/ from the project's own test data.

Seeds are the starting corpus of each fuzz target: the command lines of the
dispatch vectors (grammar/vectors/cmdline), the values of the value-grammar
vectors (grammar/vectors/values, with the selector byte the `values` target
reads first), the bootconfig fixtures, the
kallsyms fixtures. The ELF targets start from fixtures/elf directly (see
README.md): copying 200 KB of binaries here would only duplicate them.

Run from the repository root: python3 fuzz/gen-seeds.py
"""

import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def unescape(s):
    """The vectors' escapes: \\\\ \\" \\n \\t \\r \\0 \\xNN (grammar/vectors/README.md)."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and i + 3 < len(s) + 1:
                out.append(int(s[i + 2 : i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


def put(target, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


GRAMMAR = {
    "kstrtobool": 0, "param_set_bool": 0, "kstrto": 1, "memparse": 2,
    "crashkernel": 3, "crashkernel_eval": 4, "select_crashkernel": 5,
    "panic_print": 6, "panic_sys_info": 7, "panic": 8, "panic_on_warn": 8,
    "oops": 9, "panic_on_taint": 10, "panic_force_cpu": 11,
    "panic_notifier_filter": 12, "ftrace_dump_on_oops": 12, "reboot": 13,
    "nmi_watchdog": 13, "softlockup_panic": 13, "sysctl_name": 14,
    "sysctl": 14, "unknown_nmi_panic": 15,
}
VERSION = {"?": 0, "6.1": 1, "6.12": 2}


def main():
    vec = os.path.join(ROOT, "grammar", "vectors")
    for name in sorted(os.listdir(os.path.join(vec, "cmdline"))):
        text = open(os.path.join(vec, "cmdline", name), encoding="utf-8").read()
        for line in text.splitlines():
            key, _, val = line.partition(": ")
            if key == "cmdline":
                put("cmdline", unescape(val))
    for name in sorted(os.listdir(os.path.join(vec, "values"))):
        grammar = None
        for line in open(os.path.join(vec, "values", name), encoding="utf-8"):
            if line.startswith("@grammar "):
                grammar = GRAMMAR.get(line.split()[1].split(":")[0])
                continue
            m = re.match(r'^(\S+) ("(?:[^"\\]|\\.)*"|NULL) =>', line)
            if grammar is None or not m:
                continue
            ver = VERSION.get(m.group(1), 3)
            none = m.group(2) == "NULL"
            sel = grammar | (0x10 if none else 0) | (ver << 5)
            put("values", bytes([sel]) + (b"" if none else unescape(m.group(2)[1:-1])))
    for name in sorted(os.listdir(os.path.join(ROOT, "fixtures", "cmdline"))):
        if name.endswith(".cmdline"):
            put("cmdline", open(os.path.join(ROOT, "fixtures", "cmdline", name), "rb").read())
    for name in sorted(os.listdir(os.path.join(ROOT, "fixtures", "bootconfig"))):
        if name.endswith(".bconf"):
            put("bootconfig", open(os.path.join(ROOT, "fixtures", "bootconfig", name), "rb").read())
    for name in sorted(os.listdir(os.path.join(ROOT, "fixtures", "kallsyms"))):
        if name.endswith(".txt"):
            put("kallsyms", open(os.path.join(ROOT, "fixtures", "kallsyms", name), "rb").read())
    hand_made()
    return 0


def footer(initrd, text):
    """tools/bootconfig -a: text, NUL, padding to 4, le32 size, le32 sum, magic."""
    data = text + b"\0"
    pad = (-(len(initrd) + len(data) + 20)) % 4
    data += b"\0" * pad
    csum = sum(text) & 0xFFFFFFFF
    return initrd + data + len(data).to_bytes(4, "little") + csum.to_bytes(4, "little") + b"#BOOTCONFIG\n"


def hand_made():
    """Small inputs written here, for the readers without fixtures of their own."""
    policy = b"kernel {\n  panic = 10\n  panic_print = 0x3\n}\ninit.foo = bar\n"
    put("initrd", footer(b"070701" + b"\0" * 26, policy))
    put("initrd", footer(b"", b"kernel.panic = 1\n") + b"\0\0")  # grub's alignment
    put("initrd", b"\x1f\x8b\x08\0" + b"\0" * 28 + b"\xff\x7f\0\0\0\0\0\0#BOOTCONFIG\n")
    put("config", b"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
        b"CONFIG_BOOT_CONFIG=y\n# CONFIG_BOOT_CONFIG_FORCE is not set\n"
        b'CONFIG_CMDLINE="console=ttyS0 panic=5"\nCONFIG_CMDLINE_BOOL=y\n'
        b"CONFIG_INIT_ENV_ARG_LIMIT=32\nCONFIG_LOCKDEP=m\nCONFIG_SYSCTL=y\n")
    put("config", b"CONFIG_INIT_ENV_ARG_LIMIT=99999999999999999999\nCONFIG_X=\"unterminated\n=y\n")
    put("kallsyms", b"ffffffff81000000 T _stext\nffffffff81000000 T startup_64\n"
        b"ffffffff82a1b2c0 D panic_notifier_list\nffffffff8110a0f0 t hung_task_panic\n"
        b"ffffffff82600000 r __param_str_panic_print\nffffffff82600010 r __setup_str_panic_setup\n"
        b"ffffffff83000000 D __start___param\nffffffff83001000 D __stop___param\n"
        b"ffffffff81234560 T atomic_notifier_chain_register\n")
    put("kallsyms", b"ffffffffc0a01000 t mod_fn\t[mod]\n0000000000000000 T x\nzz T bad\n")
    # ELF headers cut short or with counts that point nowhere.
    hdr = bytearray(64)
    hdr[0:4] = b"\x7fELF"
    hdr[4], hdr[5], hdr[6] = 2, 1, 1
    hdr[16:18] = (2).to_bytes(2, "little")
    hdr[18:20] = (62).to_bytes(2, "little")
    hdr[52:54] = (64).to_bytes(2, "little")
    hdr[58:60] = (64).to_bytes(2, "little")
    put("elf", bytes(hdr))
    absurd = bytearray(hdr)
    absurd[40:48] = (64).to_bytes(8, "little")      # e_shoff
    absurd[60:62] = (0xFFFF).to_bytes(2, "little")  # e_shnum
    put("elf", bytes(absurd))
    put("elf_module", bytes(hdr[:20]))


if __name__ == "__main__":
    sys.exit(main())
