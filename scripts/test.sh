#!/usr/bin/env bash
# Every test: formatting and lints, the engine crates' unit and integration tests (headless),
# the UI's unit tests, then the desktop app in its real window under Xvfb (WebDriver).
# Runs the set-up first, so it works on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, build, unit tests"
(cd ui && npm run build --silent && npx vitest run)

step "Rust: formatting"
cargo fmt --all --check

step "Rust: clippy (every crate, the app included)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust: engine crates and CLI (headless)"
cargo test --quiet

step "Desktop app: build, then end-to-end in the real window"
cargo build --quiet -p clearance-app
# In CI the end-to-end test must run, not skip for a missing prerequisite.
CLEARANCE_E2E_REQUIRED=1 xvfb-run -a cargo test -p clearance-e2e -- --nocapture
