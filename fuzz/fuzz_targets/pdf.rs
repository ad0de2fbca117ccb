//! Feeds arbitrary bytes to the PDF extractor with the default budgets: any panic, hang or
//! runaway allocation is a finding.
#![no_main]

use clearance_extract::{pdf, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pdf::extract(data, &Limits::default());
});
