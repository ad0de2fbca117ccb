//! Tauri commands, grouped by domain. Each decodes its arguments, borrows state, calls the
//! engine (or ledger) off the UI thread and returns a transfer type or an [`IpcError`].
//!
//! [`IpcError`]: crate::error::IpcError

pub mod accounts;
pub mod documents;
pub mod ledger;
pub mod settings;
