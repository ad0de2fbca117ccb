//! Scan pipeline: format sniffing, isolated worker processes, extraction then detection.
