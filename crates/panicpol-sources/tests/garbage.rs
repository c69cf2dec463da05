//! No input panics a reader: random bytes and mutated fixture files, read in
//! every format (as `--as FORMAT` would), and random trees under a root.

// Test code: a failed expectation is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use panicpol_sources::detect::FORMATS;
use panicpol_sources::{Options, discover, from_files};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicpol-garbage-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Every fixture text file, to mutate.
fn fixture_texts() -> Vec<Vec<u8>> {
    fn walk(d: &Path, out: &mut Vec<Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                walk(&e.path(), out);
            } else if t.is_file() {
                out.push(fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/roots"),
        &mut out,
    );
    out
}

/// Bytes a shell, GRUB or bootconfig reader finds interesting.
const ALPHABET: &[u8] =
    b" \t\n\"'\\$`{}()[];=#-_.,/:*?!~^%+0123456789abcdefkrnelpanicGRUB_CMDLINE\x00\xa0\xff";

#[test]
fn random_and_mutated_files_in_every_format() {
    let d = scratch("files");
    let path = d.join("input");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let texts = fixture_texts();
    for round in 0..300 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let n = rng.below(600);
            (0..n)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect()
        } else {
            let mut t = texts[rng.below(texts.len())].clone();
            for _ in 0..1 + rng.below(8) {
                if t.is_empty() {
                    break;
                }
                let i = rng.below(t.len());
                match rng.below(3) {
                    0 => t[i] = ALPHABET[rng.below(ALPHABET.len())],
                    1 => {
                        t.remove(i);
                    }
                    _ => t.insert(i, ALPHABET[rng.below(ALPHABET.len())]),
                }
            }
            t
        };
        fs::write(&path, &bytes).unwrap();
        for (format, _) in FORMATS {
            let s = from_files(
                std::slice::from_ref(&path),
                Some(*format),
                &[],
                &Options::default(),
            );
            // Every entry's command line maps into files of the map.
            for e in &s.entries {
                for p in &e.cmdline.pieces {
                    let f = s.map.get(p.file).expect("a known file");
                    assert!(
                        p.offset + p.len <= f.text.len(),
                        "{format:?}: piece past its file"
                    );
                }
            }
        }
    }
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn random_trees_under_a_root() {
    let places = [
        "etc/default/grub",
        "etc/default/grub.d/50-x.cfg",
        "boot/grub/grub.cfg",
        "boot/grub/grubenv",
        "boot/loader/entries/a.conf",
        "efi/loader/entries/b.conf",
        "etc/kernel/cmdline",
        "boot/config-6.12.0",
        "etc/sysctl.d/10-x.conf",
        "usr/lib/tmpfiles.d/x.conf",
        "boot/EFI/Linux/x.efi",
        "boot/initrd.img-6.12.0",
    ];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let texts = fixture_texts();
    for round in 0..40 {
        let d = scratch(&format!("tree{round}"));
        for p in places {
            if rng.below(3) == 0 {
                continue;
            }
            let f = d.join(p);
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            let mut t = texts[rng.below(texts.len())].clone();
            for _ in 0..rng.below(6) {
                if !t.is_empty() {
                    let i = rng.below(t.len());
                    t[i] = ALPHABET[rng.below(ALPHABET.len())];
                }
            }
            fs::write(f, t).unwrap();
        }
        let s = discover(&d, &Options::default()).unwrap();
        for e in &s.entries {
            assert!(!e.name.is_empty());
        }
        let _ = fs::remove_dir_all(&d);
    }
}
