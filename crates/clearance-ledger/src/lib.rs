//! Tamper-evident SQLite sign-off ledger: accounts, reviews, dispositions, approvals.
