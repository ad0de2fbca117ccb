//! Account administration for administrators: list, add, change roles, deactivate. The ledger
//! checks the administrator role itself on every change (and keeps the last administrator);
//! listing is refused here to anyone but an administrator, since the library does not ask.

use clearance_ledger::{format_time, Account, Ledger, Role, Session};
use serde::Serialize;
use tauri::AppHandle;

use super::ledger::{ledger_error, session, with_ledger};
use crate::error::{ErrorCode, IpcError};

/// One account as the accounts screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    name: String,
    roles: Vec<Role>,
    active: bool,
    created_at: String,
    /// When a lock after wrong passwords ends, if the account is locked now.
    locked_until: Option<String>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        AccountDto {
            name: a.name,
            roles: a.roles,
            active: a.active,
            created_at: format_time(a.created_at),
            locked_until: a.locked_until.map(format_time),
        }
    }
}

/// The signed-in session, if it belongs to an active administrator.
fn admin_session(l: &Ledger, s: Session) -> Result<Session, IpcError> {
    let acct = l.account(s.name()).map_err(ledger_error)?;
    if acct.active && acct.roles.contains(&Role::Admin) {
        Ok(s)
    } else {
        Err(IpcError::new(
            ErrorCode::Forbidden,
            "only an administrator manages accounts",
        ))
    }
}

fn list(l: &Ledger) -> Result<Vec<AccountDto>, IpcError> {
    Ok(l.accounts()
        .map_err(ledger_error)?
        .into_iter()
        .map(AccountDto::from)
        .collect())
}

/// A role list from the UI: at least one, no repeats.
fn roles_arg(mut roles: Vec<Role>) -> Result<Vec<Role>, IpcError> {
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            "an account needs at least one role",
        ));
    }
    Ok(roles)
}

/// Every account, active or not, by name.
#[tauri::command]
pub async fn list_accounts(app: AppHandle) -> Result<Vec<AccountDto>, IpcError> {
    with_ledger(&app, |l, state| {
        admin_session(l, session(state)?)?;
        list(l)
    })
    .await
}

/// Adds an account; returns the new list.
#[tauri::command]
pub async fn add_account(
    app: AppHandle,
    name: String,
    password: String,
    roles: Vec<Role>,
) -> Result<Vec<AccountDto>, IpcError> {
    let roles = roles_arg(roles)?;
    with_ledger(&app, move |l, state| {
        let s = admin_session(l, session(state)?)?;
        l.add_user(&s, name.trim(), &password, &roles)
            .map_err(ledger_error)?;
        list(l)
    })
    .await
}

/// Replaces an account's roles; returns the new list.
#[tauri::command]
pub async fn set_account_roles(
    app: AppHandle,
    name: String,
    roles: Vec<Role>,
) -> Result<Vec<AccountDto>, IpcError> {
    let roles = roles_arg(roles)?;
    with_ledger(&app, move |l, state| {
        let s = admin_session(l, session(state)?)?;
        l.set_roles(&s, &name, &roles).map_err(ledger_error)?;
        list(l)
    })
    .await
}

/// Deactivates an account (it stays in the ledger and can no longer sign in); returns the
/// new list.
#[tauri::command]
pub async fn deactivate_account(app: AppHandle, name: String) -> Result<Vec<AccountDto>, IpcError> {
    with_ledger(&app, move |l, state| {
        let s = admin_session(l, session(state)?)?;
        l.deactivate_user(&s, &name).map_err(ledger_error)?;
        list(l)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_ledger::{KdfParams, LedgerOptions, OpenMode};

    fn ledger(dir: &std::path::Path) -> Ledger {
        let options = LedgerOptions {
            kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            ..LedgerOptions::default()
        };
        let mut l =
            Ledger::open_with(&dir.join("l.db"), OpenMode::CreateIfMissing, options).unwrap();
        l.init("ada", "admin-pass-1").unwrap();
        l
    }

    #[test]
    fn only_active_administrators_pass() {
        let dir = std::env::temp_dir().join(format!("clearance-app-accts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut l = ledger(&dir);
        let admin = l.authenticate("ada", "admin-pass-1").unwrap();
        l.add_user(&admin, "rita", "reviewer-pass-1", &[Role::Reviewer])
            .unwrap();
        let rita = l.authenticate("rita", "reviewer-pass-1").unwrap();
        assert!(admin_session(&l, admin.clone()).is_ok());
        let e = admin_session(&l, rita).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        let names: Vec<String> = list(&l).unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["ada", "rita"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn roles_need_one_and_lose_repeats() {
        assert_eq!(
            roles_arg(vec![Role::Supervisor, Role::Reviewer, Role::Supervisor]).unwrap(),
            vec![Role::Reviewer, Role::Supervisor]
        );
        assert_eq!(
            roles_arg(vec![]).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn serialises_for_the_ui() {
        let dto = AccountDto {
            name: "rita".into(),
            roles: vec![Role::Reviewer],
            active: true,
            created_at: "t".into(),
            locked_until: None,
        };
        assert_eq!(
            serde_json::to_string(&dto).unwrap(),
            r#"{"name":"rita","roles":["reviewer"],"active":true,"createdAt":"t","lockedUntil":null}"#
        );
    }
}
