//! image extraction (being written).
