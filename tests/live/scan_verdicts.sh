#!/usr/bin/env bash
# Live (opt-in) check of `npsolve scan` against PyPI: the verdicts of issue 6 for CPython 3.11,
# manylinux x86_64. Reads the real wheels with range requests; needs the network.
#
#   NPSOLVE_LIVE=1 tests/live/scan_verdicts.sh [path/to/npsolve]
#
# Exit 0 when every verdict matches, 1 otherwise; skipped (exit 0) without NPSOLVE_LIVE=1.
set -euo pipefail
if [[ "${NPSOLVE_LIVE:-}" != "1" ]]; then
    echo "skipped: set NPSOLVE_LIVE=1 to scan real wheels on PyPI"
    exit 0
fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
npsolve="${1:-$here/target/debug/npsolve}"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT

# package==version  verdict  silent  floor ("-": not checked)
expected=(
    "pandas==1.5.3 numpy1 false 1.23"
    "pandas==2.2.2 numpy2 false 1.20"
    "scipy==1.11.4 numpy1 false -"
    "scipy==1.13.1 numpy2 false -"
    "seaborn==0.13.2 no-capi false -"
    "pillow==10.4.0 no-capi false -"
    "contourpy==1.2.0 numpy1 true -"
    "contourpy==1.2.1 numpy2 false -"
)
targets=()
for line in "${expected[@]}"; do targets+=("${line%% *}"); done

"$npsolve" scan "${targets[@]}" --json --cache-dir "$cache" \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 >"$cache/out.jsonl"

status=0
index=0
while IFS= read -r json; do
    read -r target verdict silent floor <<<"${expected[$index]}"
    got="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["verdict"], str(d["silent"]).lower(), d["floor"] or "-", d["bytes_fetched"], d["wheel_size"] or 0, d["requests"], d["file"])' "$json")"
    read -r got_verdict got_silent got_floor fetched size requests file <<<"$got"
    ok=yes
    [[ "$got_verdict" == "$verdict" && "$got_silent" == "$silent" ]] || ok=no
    [[ "$floor" == "-" || "$got_floor" == "$floor" ]] || ok=no
    [[ "$ok" == yes ]] || status=1
    printf '%-4s %-18s %-8s silent=%-5s floor=%-5s %9s of %9s bytes, %2s requests  %s\n' \
        "$ok" "$target" "$got_verdict" "$got_silent" "$got_floor" "$fetched" "$size" "$requests" "$file"
    index=$((index + 1))
done <"$cache/out.jsonl"
[[ "$index" == "${#expected[@]}" ]] || { echo "expected ${#expected[@]} verdicts, got $index"; status=1; }
exit "$status"
