//! Inputs the fuzzers (fuzz/, issue 8) found to crash, hang or exhaust
//! memory in this crate's readers, kept as ordinary tests. Each names what
//! went wrong; the input is built inline.

use panicpol_diagnostics::FileId;
use panicpol_syntax::{grub_cfg, grub_default};

/// `set a="$a$a"` forty times asked for 2^40 bytes (found by the `sources`
/// target: out of memory). The values stop growing at the script's budget.
#[test]
fn grub_cfg_doubling_set_is_bounded() {
    let mut cfg = String::from("set a=x\n");
    for _ in 0..40 {
        cfg.push_str("set a=\"$a$a\"\n");
    }
    cfg.push_str("set b=\"$a\"\nmenuentry 'x' {\n set c=\"$a$a$a\"\n linux /vmlinuz $a\n}\n");
    let parsed = grub_cfg::parse(FileId(0), cfg.as_bytes());
    let vars = parsed.globals(None);
    let total: usize = vars.values().map(|v| v.text.len()).sum();
    assert!(
        total <= grub_cfg::MAX_SET_BYTES,
        "{total} bytes of variables"
    );
    // The value stops growing at its cap; it does not vanish.
    let a = vars.get("a").map_or(0, |a| a.text.len());
    assert_eq!(a, grub_cfg::MAX_SET_VALUE);
    let entry = parsed.entries.first().expect("one entry");
    let (line, _) = parsed.cmdline(entry, &vars).expect("a linux line");
    assert!(line.text.len() <= 2 * grub_cfg::MAX_SET_BYTES);
}

/// Variables as large as the budget allows: every entry used to clone all of
/// them (20 000 entries × 4 MiB). Now an entry's own `set`s overlay the
/// globals, and the many entries cost next to nothing.
#[test]
fn grub_cfg_many_entries_do_not_copy_the_globals() {
    let mut cfg = String::from("set a=x\n");
    for _ in 0..16 {
        cfg.push_str("set a=\"$a$a\"\n");
    }
    for i in 0..64 {
        cfg.push_str(&format!("set v{i}=\"$a\"\n"));
    }
    for _ in 0..20_000 {
        cfg.push_str("menuentry x {\n linux /k panic=1\n}\n");
    }
    let parsed = grub_cfg::parse(FileId(0), cfg.as_bytes());
    let vars = parsed.globals(None);
    let start = std::time::Instant::now();
    let n = parsed
        .entries
        .iter()
        .filter_map(|e| parsed.cmdline(e, &vars))
        .count();
    assert_eq!(n, 20_000);
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

/// The same doubling in /etc/default/grub (shell semantics) is cut at the
/// shell's value limit, with an issue saying so.
#[test]
fn grub_default_doubling_assignment_is_bounded() {
    let mut text = String::from("A=x\n");
    for _ in 0..40 {
        text.push_str("A=\"$A$A\"\n");
    }
    text.push_str("GRUB_CMDLINE_LINUX=\"$A\"\n");
    let d = grub_default::GrubDefaults::source(&[(FileId(0), text.as_bytes())]);
    let v = d.value(grub_default::CMDLINE_LINUX);
    assert!(v.text.len() <= panicpol_syntax::shell::MAX_EXPANDED);
    assert!(
        d.issues.iter().any(|i| i.message.contains("was cut")),
        "{:?}",
        d.issues.iter().map(|i| &i.message).collect::<Vec<_>>()
    );
}
