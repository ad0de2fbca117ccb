//! Build script: generates Tauri's context from tauri.conf.json and declares every app command
//! in the app manifest, so that each command is denied unless a capability grants its
//! `allow-<command>` permission explicitly.

/// Every `#[tauri::command]` registered in main.rs. Keep in step with `generate_handler!`.
const COMMANDS: &[&str] = &[
    "app_info",
    "add_documents",
    "list_queue",
    "remove_document",
    "get_document",
    "read_document_bytes",
    "set_watchlist",
    "save_settings",
    "ledger_status",
    "init_ledger",
    "sign_in",
    "sign_out",
    "open_review",
    "decide_finding",
    "submit_review",
    "list_submitted",
    "list_approved",
    "get_review",
    "approve_review",
    "return_review",
    "ledger_events",
    "verify_ledger",
    "export_ledger",
    "certificate",
    "save_certificate",
    "list_accounts",
    "add_account",
    "set_account_roles",
    "deactivate_account",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
