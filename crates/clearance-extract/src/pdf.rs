//! pdf extraction (being written).
