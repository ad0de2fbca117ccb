//! Feeds arbitrary bytes to the DOCX extractor with the default budgets: any panic, hang or
//! runaway allocation is a finding.
#![no_main]

use clearance_extract::{docx, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = docx::extract(data, &Limits::default());
});
