#!/usr/bin/env bash
# One-time set-up on a fresh Debian 12 machine (idempotent: re-running skips what is there).
# Installs the system packages the build and the tests need, the UI's npm packages from the
# lockfile, and tauri-driver for the end-to-end tests. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: WebKitGTK for the desktop app. Tests: Xvfb + WebKitWebDriver for the real-window
# end-to-end tests, poppler-utils (pdftotext, pdftoppm) as the reference extractor and
# renderer, Tesseract with English and Simplified Chinese data for OCR.
PACKAGES=(
  build-essential pkg-config
  libwebkit2gtk-4.1-dev
  xvfb xauth webkit2gtk-driver
  poppler-utils
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
  nodejs npm
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# The machine image may ship its own Node.js outside dpkg; only install Debian's if none.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 2; }

if [[ -f ui/package-lock.json ]]; then
  stamp=ui/node_modules/.package-lock.json
  if [[ ! -f $stamp || ui/package-lock.json -nt $stamp ]]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [[ ${SETUP_E2E:-1} == 1 ]] && ! command -v tauri-driver >/dev/null; then
  cargo install tauri-driver --locked --version "^2" --quiet
fi
