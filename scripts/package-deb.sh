#!/usr/bin/env bash
# Builds the desktop app's Debian package, offline once set-up has run, and checks what it
# holds: the app binary, its desktop entry, and the OCR tools among its dependencies.
#   scripts/package-deb.sh           # release build: <target>/release/bundle/deb/*.deb
#   scripts/package-deb.sh --debug   # debug build (what the test script checks, quicker)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
flags=()
if [[ "${1:-}" == "--debug" ]]; then
  profile=debug
  flags=(--debug)
fi
target=${CARGO_TARGET_DIR:-target}
rm -rf "$target/$profile/bundle/deb"
# The root manifest's default members are the headless crates, so the app package is named.
ui/node_modules/.bin/tauri build "${flags[@]}" --bundles deb -- -p clearance-app
deb=$(ls "$target/$profile/bundle/deb/"*.deb)
files=$(dpkg-deb -c "$deb")
control=$(dpkg-deb -f "$deb" Package Depends)
fail() { echo "package check failed: $*" >&2; exit 1; }
grep -q 'usr/bin/clearance-app$' <<<"$files" || fail "no usr/bin/clearance-app in $deb"
grep -q '\.desktop$' <<<"$files" || fail "no desktop entry in $deb"
for dep in poppler-utils tesseract-ocr-eng tesseract-ocr-chi-sim libwebkit2gtk-4.1-0; do
  grep -q "$dep" <<<"$control" || fail "$dep missing from Depends of $deb"
done
echo "built $deb ($(du -h "$deb" | cut -f1)):"
echo "$control"
