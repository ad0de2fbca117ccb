//! Feeds arbitrary bytes to format detection and the top-level extractor, as the engine does
//! with a file of unknown type.
#![no_main]

use clearance_extract::{extract, sniff, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    let _ = extract(data, &Limits::default());
});
