//! The kernel config as a boot source: read compressed (`/proc/config.gz`),
//! and its CONFIG_CMDLINE added to a bootloader's line but not to the
//! running kernel's `/proc/cmdline`, which already holds it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;

use panicpol_sources::{Options, from_files};
use panicpol_testkit::Scratch;

const CONFIG: &str = "#\n# Linux/x86 6.12.117 Kernel Configuration\n#\n\
CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"panic=5 quiet\"\n# CONFIG_CMDLINE_OVERRIDE is not set\n";

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b).unwrap();
    gz.finish().unwrap()
}

fn line(config: &[u8], name: &str) -> (String, Vec<String>) {
    let dir = Scratch::new("kconfig");
    let path = dir.file("config.gz", config);
    let opts = Options {
        kernel_config: Some(path),
        ..Options::default()
    };
    let s = from_files(
        &[],
        None,
        &[(name.to_string(), b"root=/dev/vda1 panic=10\n".to_vec())],
        &opts,
    );
    let problems = s.problems.iter().map(|p| p.message.clone()).collect();
    let e = &s.entries[0];
    (
        String::from_utf8_lossy(&e.cmdline.text).into_owned(),
        problems,
    )
}

#[test]
fn a_compressed_config_is_read_like_the_text() {
    for config in [CONFIG.as_bytes().to_vec(), gzip(CONFIG.as_bytes())] {
        let (text, problems) = line(&config, "<cmdline>");
        assert_eq!(
            text, "panic=5 quiet root=/dev/vda1 panic=10",
            "{problems:?}"
        );
        assert!(problems.is_empty(), "{problems:?}");
    }
}

#[test]
fn proc_cmdline_already_holds_the_builtin_line() {
    let (text, _) = line(&gzip(CONFIG.as_bytes()), "/proc/cmdline");
    assert_eq!(text, "root=/dev/vda1 panic=10");
}

#[test]
fn a_damaged_compressed_config_is_a_problem_not_a_failure() {
    let gz = gzip(CONFIG.as_bytes());
    let (text, problems) = line(&gz[..gz.len() - 6], "<cmdline>");
    assert_eq!(text, "root=/dev/vda1 panic=10");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("compressed kernel config that cannot be read")),
        "{problems:?}"
    );
}
