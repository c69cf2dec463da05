//! Inputs that made this crate hang, crash or exhaust memory (issue 8),
//! kept as ordinary tests. Each names what went wrong.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicpol-regr-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A FIFO named like a BLS entry under `--root`: discovery opened it and
/// waited forever for a writer. Every non-regular file of an image is now
/// refused before it is opened; the other entries are still read.
#[test]
fn a_fifo_in_the_image_does_not_hang_discovery() {
    let root = tmp("fifo");
    std::fs::create_dir_all(&root).unwrap();
    let entries = root.join("boot/loader/entries");
    std::fs::create_dir_all(&entries).unwrap();
    std::fs::write(
        entries.join("ok.conf"),
        "title ok\nlinux /vmlinuz\noptions root=/dev/sda1 panic=10\n",
    )
    .unwrap();
    for name in ["fifo.conf", "z.conf"] {
        let st = std::process::Command::new("mkfifo")
            .arg(entries.join(name))
            .status()
            .expect("mkfifo runs");
        assert!(st.success());
    }
    let (tx, rx) = mpsc::channel();
    let r = root.clone();
    std::thread::spawn(move || {
        let s = panicpol_sources::discover(&r, &panicpol_sources::Options::default());
        let _ = tx.send(s.map(|s| s.entries.len()));
    });
    let got = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("discovery hung on a FIFO");
    assert_eq!(got, Ok(1));
    let _ = std::fs::remove_dir_all(&root);
}
