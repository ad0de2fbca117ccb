//! docx extraction (being written).
