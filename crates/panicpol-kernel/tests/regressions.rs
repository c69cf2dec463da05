//! Inputs that made this crate's readers crash, hang or exhaust memory
//! (found by the fuzz targets in fuzz/ or by hand, issue 8), kept as
//! ordinary tests. Each names what went wrong; the input is built inline.

use panicpol_kernel::kallsyms::{self, MAX_SYMBOLS, SymbolFileError};

/// A System.map of one-letter symbols: 256 MiB of them (the CLI's limit)
/// would have been 43 million symbols and about 7 GB. Past MAX_SYMBOLS the
/// reader stops with an error that says why.
#[test]
fn symbol_count_is_bounded() {
    let mut text = String::with_capacity((MAX_SYMBOLS + 1) * 6);
    for _ in 0..=MAX_SYMBOLS {
        text.push_str("0 T a\n");
    }
    let e = kallsyms::read_kallsyms(text.as_bytes())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        e,
        SymbolFileError::TooManySymbols {
            line: MAX_SYMBOLS + 1
        }
    );
    assert!(e.to_string().contains("more than 4000000 symbols"), "{e}");
    // One fewer is a (strange but) readable file.
    let ok = &text.as_bytes()[..MAX_SYMBOLS * 6];
    assert_eq!(
        kallsyms::read_kallsyms(ok).map(|f| f.symbols.len()),
        Ok(MAX_SYMBOLS)
    );
}

/// A `.symtab` whose offset and size were set to cover a whole 340 MB
/// vmlinux decoded 14 million garbage symbols into 2.3 GB (measured with
/// `/usr/bin/time -v panicpol check --vmlinux`). Built here from the small
/// fixture: its .symtab is stretched over a file padded past the limit.
#[test]
fn elf_symbol_count_is_bounded() {
    use goblin::elf::Elf;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/elf/x86_64.elf");
    let mut b = std::fs::read(path).unwrap();
    let elf = Elf::parse(&b).unwrap();
    let shoff = elf.header.e_shoff as usize;
    let idx = elf
        .section_headers
        .iter()
        .position(|s| s.sh_type == goblin::elf::section_header::SHT_SYMTAB)
        .unwrap();
    drop(elf);
    // Move the section table to the end of a file big enough for
    // MAX_SYMBOLS + 1 entries after the .symtab's new offset 0.
    let table = b[shoff..].to_vec();
    let size = (MAX_SYMBOLS + 1) * 24;
    b.resize(size.max(b.len()), 0);
    let new_shoff = b.len();
    b.extend_from_slice(&table);
    b[40..48].copy_from_slice(&(new_shoff as u64).to_le_bytes());
    let h = new_shoff + idx * 64;
    b[h + 24..h + 32].copy_from_slice(&0u64.to_le_bytes());
    b[h + 32..h + 40].copy_from_slice(&(size as u64).to_le_bytes());
    let e = panicpol_kernel::elf::parse(&b, panicpol_kernel::elf::Options::default()).unwrap_err();
    assert!(
        matches!(e, panicpol_kernel::elf::Error::Absurd { .. }),
        "{e}"
    );
    assert!(e.to_string().contains(".symtab symbol count"), "{e}");
}

/// Any ELF with a symbol table read as a vmlinux (here: this test binary)
/// used to claim complete, empty parameter tables, so `check --vmlinux`
/// reported `panic=` and every other parameter as provably unknown. Without
/// `__param` and `.init.setup` the tables are not complete.
#[test]
fn an_elf_without_parameter_tables_is_not_a_complete_kernel() {
    let me = std::env::current_exe().unwrap();
    let bytes = std::fs::read(&me).unwrap();
    let r = panicpol_kernel::elf::parse(&bytes, panicpol_kernel::elf::Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", me.display()));
    assert!(r.kernel.params.is_empty());
    assert!(!r.kernel.tables_complete);
}

/// A FIFO named `x.ko` in a `--modules` folder (and a FIFO given as the
/// vmlinux) blocked the open forever, waiting for a writer. Non-regular
/// files are refused before they are opened: the module is listed as
/// skipped, the vmlinux is an error.
#[test]
fn a_fifo_is_refused_not_waited_for() {
    let dir = std::env::temp_dir().join(format!("panicpol-regr-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("x.ko");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(st.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let (d, f) = (dir.clone(), fifo.clone());
    std::thread::spawn(move || {
        let modules = panicpol_kernel::elf::read_modules(&d).map(|r| (r.scanned, r.skipped.len()));
        let vmlinux = panicpol_kernel::elf::Vmlinux::open(&f).map(|_| ());
        let _ = tx.send((modules, vmlinux.map_err(|e| e.to_string())));
    });
    let (modules, vmlinux) = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("opening a FIFO hung");
    assert_eq!(modules.unwrap(), (0, 1));
    assert!(vmlinux.unwrap_err().contains("not a regular file"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `.ko` fixture with a symbol's value near `u64::MAX` (found by the
/// `elf_module` target: "attempt to add with overflow" in the module
/// layout, modules.rs). The made-up addresses no longer overflow; the
/// module reads to an answer or an error.
#[test]
fn module_symbol_value_overflow() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/regressions/elf_module/symbol-value-overflow.ko");
    let bytes = std::fs::read(path).unwrap();
    let r = std::panic::catch_unwind(|| panicpol_kernel::elf::read_module(&bytes, "m.ko").is_ok());
    assert!(r.is_ok(), "read_module panicked");
    // Both of the pristine fixture's registrations are still found; what
    // the damaged symbol table no longer proves (callbacks, priorities) is
    // left unknown rather than guessed.
    let pristine = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/elf/x86_64-module.ko"),
    )
    .unwrap();
    let want = panicpol_kernel::elf::read_module(&pristine, "m.ko").unwrap();
    let got = panicpol_kernel::elf::read_module(&bytes, "m.ko").unwrap();
    let sites = |n: &[panicpol_kernel::Notifier]| {
        n.iter()
            .map(|n| (n.registered_in.clone(), n.dynamic, n.module.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(sites(&got), sites(&want));
}
