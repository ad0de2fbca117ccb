#!/bin/sh
# Copies seed inputs into fuzz/corpus/<target>/ (git-ignored). Seeds come from the committed
# fixtures and, when present, the shared corpus of real and hostile files. Re-running is safe.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures"
shared="${CLEARANCE_CORPUS:-$here/../../shared/corpus}"

seed() { # seed <target> <file>...
    target=$1
    shift
    mkdir -p "$here/corpus/$target"
    for f in "$@"; do
        # Skip missing globs and files over 2 MiB (libFuzzer would truncate them to -max_len).
        [ -f "$f" ] && [ "$(wc -c <"$f")" -le 2097152 ] || continue
        cp "$f" "$here/corpus/$target/"
    done
}

seed pdf "$fixtures"/*.pdf "$fixtures"/*/*.pdf "$shared"/pdf/*.pdf "$shared"/hostile/pdf_*
seed docx "$fixtures"/*.docx "$fixtures"/*/*.docx "$shared"/docx/*.doc? "$shared"/hostile/docx_*
seed image "$fixtures"/*.jpg "$fixtures"/*.png "$fixtures"/*/*.jpg "$fixtures"/*/*.png \
    "$fixtures"/*/*.tif "$shared"/image/* "$shared"/hostile/jpeg_* "$shared"/hostile/png_* \
    "$shared"/hostile/tiff_*
seed sniff_any "$fixtures"/*.* "$fixtures"/*/*.* "$shared"/hostile/*.*
# Committed reproducers of past findings are seeds too, so fixes stay fixed under fuzzing.
for t in pdf docx image sniff_any; do
    seed "$t" "$here/regressions/$t"/*
done
for t in pdf docx image sniff_any; do
    echo "$t: $(ls "$here/corpus/$t" | wc -l) seeds"
done
