//! The UKI reader: PE headers and section table as read from a UKI's first
//! bytes, and the content sniffing that decides what a file is.

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_sources::{detect, uki};

fuzz_target!(|head: &[u8]| {
    if let Ok(sections) = uki::sections(head) {
        for s in &sections {
            let _ = (
                s.name,
                s.virtual_size,
                s.size_of_raw_data,
                s.pointer_to_raw_data,
            );
        }
    }
    let tail = head
        .get(head.len().saturating_sub(64)..)
        .unwrap_or_default();
    let _ = detect::by_content(head, tail);
});
