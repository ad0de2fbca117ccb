//! Feeds arbitrary bytes to the IMAGE extractor with the default budgets: any panic, hang or
//! runaway allocation is a finding.
#![no_main]

use clearance_extract::{image, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = image::extract(data, &Limits::default());
});
