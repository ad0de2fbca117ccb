//! text extraction (being written).
