//! Local accounts: roles, passwords, lockout, deactivation (never deletion).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chain::{self, NewEvent};
use crate::clock::format_time;
use crate::crypto::{self, SealedKey};
use crate::{KdfParams, Ledger, LedgerError};

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;

/// How long a lock lasts: 15 minutes.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// What a person may do. One person may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Role {
    /// Manages accounts.
    Admin,
    /// Opens reviews and decides findings.
    Reviewer,
    /// Approves or returns other people's reviews.
    Supervisor,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "reviewer" => Some(Role::Reviewer),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn encode_roles(roles: &[Role]) -> String {
    let mut r = roles.to_vec();
    r.sort();
    r.dedup();
    r.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",")
}

fn decode_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(Role::parse).collect()
}

/// An account as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Login name.
    pub name: String,
    /// Current roles.
    pub roles: Vec<Role>,
    /// False once deactivated.
    pub active: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Set while locked after wrong passwords.
    pub locked_until: Option<i64>,
}

/// Proof that a person gave their password. Actions re-check the account's roles, lock and
/// activity at the time they run, so a session never outlives a deactivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) user_id: i64,
    pub(crate) name: String,
}

impl Session {
    /// The account name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// An account's current state, read inside a transaction.
pub(crate) struct AccountRow {
    pub id: i64,
    pub name: String,
    pub public_key: String,
    pub created_at: i64,
    pub roles: Vec<Role>,
    pub active: bool,
}

const ACCOUNT_SQL: &str = "SELECT u.id, u.name, u.public_key, u.created_at, s.roles, s.active
    FROM users u JOIN account_states s ON s.user_id = u.id";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        name: r.get(1)?,
        public_key: r.get(2)?,
        created_at: r.get(3)?,
        roles: decode_roles(&r.get::<_, String>(4)?),
        active: r.get::<_, i64>(5)? == 1,
    })
}

pub(crate) fn account_by_name(
    conn: &Connection,
    name: &str,
) -> Result<Option<AccountRow>, LedgerError> {
    Ok(conn
        .query_row(
            &format!("{ACCOUNT_SQL} WHERE u.name = ?1 ORDER BY s.event_seq DESC LIMIT 1"),
            [name],
            account_from_row,
        )
        .optional()?)
}

pub(crate) fn account_by_id(conn: &Connection, id: i64) -> Result<AccountRow, LedgerError> {
    conn.query_row(
        &format!("{ACCOUNT_SQL} WHERE u.id = ?1 ORDER BY s.event_seq DESC LIMIT 1"),
        [id],
        account_from_row,
    )
    .optional()?
    .ok_or_else(|| LedgerError::UnknownUser(format!("#{id}")))
}

pub(crate) fn user_name(conn: &Connection, id: i64) -> Result<String, LedgerError> {
    Ok(account_by_id(conn, id)?.name)
}

fn locked_until(conn: &Connection, user_id: i64) -> Result<Option<i64>, LedgerError> {
    Ok(conn
        .query_row(
            "SELECT locked_until FROM login_throttle WHERE user_id = ?1",
            [user_id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

/// The acting account, refused if deactivated, locked, or without `role`.
pub(crate) fn require(
    conn: &Connection,
    s: &Session,
    role: Role,
    action: &str,
    now: i64,
) -> Result<AccountRow, LedgerError> {
    let acct = account_by_id(conn, s.user_id)?;
    if !acct.active {
        return Err(LedgerError::AccountDeactivated { user: acct.name });
    }
    if let Some(until) = locked_until(conn, acct.id)?.filter(|u| *u > now) {
        return Err(LedgerError::AccountLocked {
            user: acct.name,
            until: format_time(until),
        });
    }
    if !acct.roles.contains(&role) {
        return Err(LedgerError::MissingRole {
            user: acct.name,
            role: role.as_str().into(),
            action: action.into(),
        });
    }
    Ok(acct)
}

fn check_name(name: &str) -> Result<(), LedgerError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != ',');
    if ok {
        Ok(())
    } else {
        Err(LedgerError::InvalidInput(format!(
            "account name {name:?} must be 1-64 characters without spaces, commas or control characters"
        )))
    }
}

pub(crate) struct Credentials {
    pub phc: String,
    pub sealed: SealedKey,
}

pub(crate) fn credentials(conn: &Connection, user_id: i64) -> Result<Credentials, LedgerError> {
    conn.query_row(
        "SELECT password_phc, kdf_salt, kdf_m, kdf_t, kdf_p, seal_nonce, sealed_key
         FROM credentials WHERE user_id = ?1",
        [user_id],
        |r| {
            Ok(Credentials {
                phc: r.get(0)?,
                sealed: SealedKey {
                    salt: r.get(1)?,
                    kdf: KdfParams {
                        m_kib: r.get(2)?,
                        t: r.get(3)?,
                        p: r.get(4)?,
                    },
                    nonce: r.get(5)?,
                    ciphertext: r.get(6)?,
                },
            })
        },
    )
    .optional()?
    .ok_or_else(|| LedgerError::Crypto(format!("no credentials stored for account #{user_id}")))
}

fn store_credentials(
    conn: &Connection,
    user_id: i64,
    phc: &str,
    sealed: &SealedKey,
) -> Result<(), LedgerError> {
    conn.execute(
        "INSERT INTO credentials
            (user_id, password_phc, kdf_salt, kdf_m, kdf_t, kdf_p, seal_nonce, sealed_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (user_id) DO UPDATE SET password_phc = excluded.password_phc,
            kdf_salt = excluded.kdf_salt, kdf_m = excluded.kdf_m, kdf_t = excluded.kdf_t,
            kdf_p = excluded.kdf_p, seal_nonce = excluded.seal_nonce,
            sealed_key = excluded.sealed_key",
        rusqlite::params![
            user_id,
            phc,
            sealed.salt,
            sealed.kdf.m_kib,
            sealed.kdf.t,
            sealed.kdf.p,
            sealed.nonce,
            sealed.ciphertext
        ],
    )?;
    Ok(())
}

fn obj(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// Everything slow about a new account (hashing, key generation, sealing), done before the
/// write lock is taken.
struct NewCredentials {
    phc: String,
    public_key: String,
    sealed: SealedKey,
}

fn new_credentials(password: &str, kdf: KdfParams) -> Result<NewCredentials, LedgerError> {
    crypto::check_password_rules(password)?;
    let phc = crypto::hash_password(password, kdf)?;
    let (key, public_key) = crypto::new_key_pair();
    let sealed = crypto::seal(&key, password, kdf)?;
    Ok(NewCredentials {
        phc,
        public_key,
        sealed,
    })
}

fn insert_account(
    conn: &Connection,
    actor: &str,
    name: &str,
    roles: &[Role],
    creds: &NewCredentials,
    now: i64,
) -> Result<i64, LedgerError> {
    if account_by_name(conn, name)?.is_some() {
        return Err(LedgerError::UserExists(name.into()));
    }
    let id = chain::next_id(conn, "users")?;
    let state_id = chain::next_id(conn, "account_states")?;
    chain::append(
        conn,
        NewEvent {
            time: now,
            actor: Some(actor),
            kind: "account.created",
            extra: Map::new(),
            rows: vec![
                (
                    "users",
                    obj(&[
                        ("id", id.into()),
                        ("name", name.into()),
                        ("public_key", creds.public_key.clone().into()),
                        ("created_at", now.into()),
                    ]),
                ),
                (
                    "account_states",
                    obj(&[
                        ("id", state_id.into()),
                        ("user_id", id.into()),
                        ("roles", encode_roles(roles).into()),
                        ("active", 1.into()),
                    ]),
                ),
            ],
        },
    )?;
    store_credentials(conn, id, &creds.phc, &creds.sealed)?;
    Ok(id)
}

impl Ledger {
    /// Whether the first admin exists yet.
    ///
    /// # Errors
    /// Database errors.
    pub fn is_initialized(&self) -> Result<bool, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// First run: creates the administrator. Refused once any account exists.
    ///
    /// # Errors
    /// [`LedgerError::AlreadyInitialized`], [`LedgerError::InvalidInput`] for a bad name or a
    /// short password.
    pub fn init(&mut self, admin: &str, password: &str) -> Result<Account, LedgerError> {
        check_name(admin)?;
        let creds = new_credentials(password, self.options.kdf)?;
        let now = self.now();
        let tx = self.write()?;
        let n: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        if n > 0 {
            return Err(LedgerError::AlreadyInitialized);
        }
        insert_account(&tx, admin, admin, &[Role::Admin], &creds, now)?;
        tx.commit()?;
        self.account(admin)
    }

    /// Checks a password. Wrong passwords are counted and logged; the fifth in a row locks the
    /// account for [`LOCKOUT_MS`]. A locked or deactivated account is refused before its
    /// password is even checked.
    ///
    /// # Errors
    /// [`LedgerError::UnknownUser`], [`LedgerError::AccountDeactivated`],
    /// [`LedgerError::AccountLocked`], [`LedgerError::WrongPassword`].
    pub fn authenticate(&mut self, name: &str, password: &str) -> Result<Session, LedgerError> {
        let acct = account_by_name(&self.conn, name)?
            .ok_or_else(|| LedgerError::UnknownUser(name.into()))?;
        if !acct.active {
            return Err(LedgerError::AccountDeactivated { user: acct.name });
        }
        let now = self.now();
        if let Some(until) = locked_until(&self.conn, acct.id)?.filter(|u| *u > now) {
            return Err(LedgerError::AccountLocked {
                user: acct.name,
                until: format_time(until),
            });
        }
        let creds = credentials(&self.conn, acct.id)?;
        let ok = crypto::password_matches(password, &creds.phc)?;
        let tx = self.write()?;
        if ok {
            tx.execute(
                "UPDATE login_throttle SET failed = 0, locked_until = NULL WHERE user_id = ?1",
                [acct.id],
            )?;
            tx.commit()?;
            return Ok(Session {
                user_id: acct.id,
                name: acct.name,
            });
        }
        // A lock that has run out starts a fresh count.
        tx.execute(
            "INSERT INTO login_throttle (user_id, failed) VALUES (?1, 1)
             ON CONFLICT (user_id) DO UPDATE SET failed = failed + 1, locked_until = NULL",
            [acct.id],
        )?;
        let failed: i64 = tx.query_row(
            "SELECT failed FROM login_throttle WHERE user_id = ?1",
            [acct.id],
            |r| r.get(0),
        )?;
        let user = Value::from(acct.name.clone());
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "auth.failed",
                extra: obj(&[("user", user.clone()), ("failed", failed.into())]),
                rows: vec![],
            },
        )?;
        let err = if failed >= MAX_FAILED_LOGINS {
            let until = now.saturating_add(LOCKOUT_MS);
            tx.execute(
                "UPDATE login_throttle SET failed = 0, locked_until = ?2 WHERE user_id = ?1",
                [acct.id, until],
            )?;
            chain::append(
                &tx,
                NewEvent {
                    time: now,
                    actor: None,
                    kind: "account.locked",
                    extra: obj(&[("user", user), ("until", until.into())]),
                    rows: vec![],
                },
            )?;
            LedgerError::AccountLocked {
                user: acct.name,
                until: format_time(until),
            }
        } else {
            LedgerError::WrongPassword { user: acct.name }
        };
        tx.commit()?;
        Err(err)
    }

    /// An admin adds an account.
    ///
    /// # Errors
    /// [`LedgerError::MissingRole`], [`LedgerError::UserExists`], [`LedgerError::InvalidInput`].
    pub fn add_user(
        &mut self,
        admin: &Session,
        name: &str,
        password: &str,
        roles: &[Role],
    ) -> Result<Account, LedgerError> {
        check_name(name)?;
        if roles.is_empty() {
            return Err(LedgerError::InvalidInput(
                "an account needs at least one role".into(),
            ));
        }
        let creds = new_credentials(password, self.options.kdf)?;
        let now = self.now();
        let tx = self.write()?;
        let acting = require(&tx, admin, Role::Admin, "add accounts", now)?;
        insert_account(&tx, &acting.name, name, roles, &creds, now)?;
        tx.commit()?;
        self.account(name)
    }

    /// An admin deactivates an account. It stays in the ledger; it can no longer log in.
    ///
    /// # Errors
    /// [`LedgerError::MissingRole`], [`LedgerError::UnknownUser`], [`LedgerError::LastAdmin`].
    pub fn deactivate_user(&mut self, admin: &Session, name: &str) -> Result<(), LedgerError> {
        self.change_account(admin, name, None, false, "deactivated")
    }

    /// An admin replaces an account's roles.
    ///
    /// # Errors
    /// As [`Ledger::deactivate_user`].
    pub fn set_roles(
        &mut self,
        admin: &Session,
        name: &str,
        roles: &[Role],
    ) -> Result<(), LedgerError> {
        if roles.is_empty() {
            return Err(LedgerError::InvalidInput(
                "an account needs at least one role".into(),
            ));
        }
        self.change_account(admin, name, Some(roles), true, "roles-changed")
    }

    fn change_account(
        &mut self,
        admin: &Session,
        name: &str,
        roles: Option<&[Role]>,
        active: bool,
        change: &str,
    ) -> Result<(), LedgerError> {
        let now = self.now();
        let tx = self.write()?;
        let acting = require(&tx, admin, Role::Admin, "change accounts", now)?;
        let target =
            account_by_name(&tx, name)?.ok_or_else(|| LedgerError::UnknownUser(name.into()))?;
        if !target.active {
            return Err(LedgerError::AccountDeactivated { user: target.name });
        }
        let new_roles = roles
            .map(<[Role]>::to_vec)
            .unwrap_or_else(|| target.roles.clone());
        let stays_admin = active && new_roles.contains(&Role::Admin);
        if target.roles.contains(&Role::Admin) && !stays_admin {
            let other_admins = self_admin_count(&tx, target.id)?;
            if other_admins == 0 {
                return Err(LedgerError::LastAdmin(target.name));
            }
        }
        let state_id = chain::next_id(&tx, "account_states")?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acting.name),
                kind: "account.changed",
                extra: obj(&[
                    ("change", change.into()),
                    ("user", target.name.clone().into()),
                ]),
                rows: vec![(
                    "account_states",
                    obj(&[
                        ("id", state_id.into()),
                        ("user_id", target.id.into()),
                        ("roles", encode_roles(&new_roles).into()),
                        ("active", i64::from(active).into()),
                    ]),
                )],
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Changes a password and re-seals the account's signing key under it (the key pair, and
    /// so the public key in the ledger, stays the same).
    ///
    /// # Errors
    /// As [`Ledger::authenticate`], and [`LedgerError::InvalidInput`] for a short password.
    pub fn change_password(&mut self, name: &str, old: &str, new: &str) -> Result<(), LedgerError> {
        crypto::check_password_rules(new)?;
        let s = self.authenticate(name, old)?;
        let acct = account_by_id(&self.conn, s.user_id)?;
        let creds = credentials(&self.conn, s.user_id)?;
        let key = crypto::unseal(&creds.sealed, old, &acct.public_key)?.ok_or_else(|| {
            LedgerError::WrongPassword {
                user: acct.name.clone(),
            }
        })?;
        let kdf = self.options.kdf;
        let sealed = crypto::seal(&key, new, kdf)?;
        let phc = crypto::hash_password(new, kdf)?;
        let now = self.now();
        let tx = self.write()?;
        store_credentials(&tx, s.user_id, &phc, &sealed)?;
        chain::append(
            &tx,
            NewEvent {
                time: now,
                actor: Some(&acct.name),
                kind: "account.password-changed",
                extra: obj(&[("user", acct.name.clone().into())]),
                rows: vec![],
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One account.
    ///
    /// # Errors
    /// [`LedgerError::UnknownUser`].
    pub fn account(&self, name: &str) -> Result<Account, LedgerError> {
        let row = account_by_name(&self.conn, name)?
            .ok_or_else(|| LedgerError::UnknownUser(name.into()))?;
        self.to_account(row)
    }

    /// Every account, active or not, by name.
    ///
    /// # Errors
    /// Database errors.
    pub fn accounts(&self) -> Result<Vec<Account>, LedgerError> {
        let mut stmt = self.conn.prepare("SELECT name FROM users ORDER BY name")?;
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, rusqlite::Error>>()?;
        names.iter().map(|n| self.account(n)).collect()
    }

    fn to_account(&self, row: AccountRow) -> Result<Account, LedgerError> {
        let now = self.now();
        Ok(Account {
            locked_until: locked_until(&self.conn, row.id)?.filter(|u| *u > now),
            name: row.name,
            roles: row.roles,
            active: row.active,
            created_at: row.created_at,
            public_key: row.public_key,
        })
    }
}

/// Active admins other than `except`.
fn self_admin_count(conn: &Connection, except: i64) -> Result<i64, LedgerError> {
    let mut stmt = conn.prepare("SELECT id FROM users WHERE id != ?1")?;
    let ids: Vec<i64> = stmt
        .query_map([except], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut n = 0;
    for id in ids {
        let a = account_by_id(conn, id)?;
        if a.active && a.roles.contains(&Role::Admin) {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_encode_sorted_and_deduplicated() {
        assert_eq!(
            encode_roles(&[Role::Supervisor, Role::Admin, Role::Supervisor]),
            "admin,supervisor"
        );
        assert_eq!(
            decode_roles("admin,supervisor"),
            vec![Role::Admin, Role::Supervisor]
        );
    }

    #[test]
    fn names_are_checked() {
        for ok in ["ada", "li.wei", "王伟", "a@b"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "two words", "a,b", "tab\t", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
