#!/usr/bin/env bash
# The main job: set-up, then the desktop app when a display exists, otherwise (or with
# --scan) a scan of the bundled sample documents with the sample watchlist.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=app
[[ ${1:-} == --scan || -z ${DISPLAY:-} ]] && mode=scan
if [[ $mode == scan ]]; then
  SETUP_E2E=0 scripts/setup.sh
  echo "No display (or --scan): scanning the bundled sample documents in fixtures/" >&2
  status=0
  cargo run --quiet -p clearance-cli -- scan --rules fixtures/rules.toml \
    fixtures/sample-en.pdf fixtures/sample-zh.pdf fixtures/cjk-predefined-cmap.pdf \
    fixtures/sample.docx fixtures/photo-gps.jpg fixtures/screenshot.png fixtures/notice-gbk.txt \
    fixtures/forensics/redact_unapplied.pdf fixtures/forensics/incremental_update.pdf \
    fixtures/forensics/thumbnail_mismatch.jpg fixtures/aes256-indirect-cf.pdf \
    fixtures/ocr/sign-zh.png fixtures/ocr/scan-en.pdf || status=$?
  # 1 means "findings", which is what the samples are for.
  [[ $status -le 1 ]] || exit "$status"
else
  SETUP_E2E=0 scripts/setup.sh
  (cd ui && npm run build --silent)
  exec cargo run --quiet -p clearance-app -- "$@"
fi
