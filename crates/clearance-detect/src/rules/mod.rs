//! The built-in rule tables, one module per category.

pub mod coords;
pub mod marking;
pub mod military;
pub mod personal;
pub mod procurement;
pub mod signs;
