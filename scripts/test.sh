#!/usr/bin/env bash
# Every test: formatting and lints, the engine crates' unit and integration tests (headless),
# the UI's unit tests, then the desktop app in its real window under Xvfb (WebDriver).
# Runs the set-up first, so it works on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, build, unit tests"
# The app's build embeds ui/dist, so the UI is built before any cargo command.
(cd ui && npm run build --silent && npm test --silent)

step "Rust: formatting"
cargo fmt --all --check

step "Rust: clippy (every crate, the app included)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust: engine crates and CLI (headless)"
cargo test --quiet

step "Desktop app: unit tests, build, then end-to-end in the real window"
cargo test --quiet -p clearance-app
cargo test --quiet -p clearance-e2e --no-run
cargo build --quiet -p clearance-app
# Here the end-to-end test must run, not skip for a missing prerequisite.
CLEARANCE_E2E_REQUIRED=1 xvfb-run -a cargo test -p clearance-e2e -- --test-threads=1 --nocapture

step "Desktop app: the Debian package builds and holds the app (debug build here; release: scripts/package-deb.sh)"
scripts/package-deb.sh --debug
