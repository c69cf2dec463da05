//! The initrd bootconfig footer: read, show, detach, attach, and the round
//! trip attach → detach that must give the original bytes back.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_emit::initrd;

fuzz_target!(|data: &[u8]| {
    let _ = initrd::checksum(data);
    if let Ok(Some(f)) = initrd::read(data) {
        let _ = (initrd::footer_data(data, &f), initrd::footer_text(data, &f));
    }
    let _ = initrd::show(data);
    let base = initrd::detach(data).ok().map(<[u8]>::to_vec);
    // Attach a short policy to whatever the input is, then take it off again.
    let split = data.len() / 2;
    let (image, text) = data.split_at(split);
    if let Ok(with) = initrd::attach(image, text) {
        let back = initrd::detach(&with);
        if initrd::read(image).ok().flatten().is_none() {
            assert_eq!(back.ok(), Some(image), "detach(attach(x)) != x");
        }
    }
    drop(base);
});
