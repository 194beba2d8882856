#!/usr/bin/env bash
# Regenerates data/numpy-verdicts.tsv: scans (with `npsolve scan --json`) the wheels that
# CPython 3.11 and 3.12 on manylinux x86_64, 3.12 on macOS arm64 and 3.12 on Windows x86_64
# would install for every release listed in data/numpy-verdicts.in, and writes one row per
# wheel file keyed by sha256. Pure wheels (no request needed) and undecided scans are left out.
#
#   cargo build -p npsolve-cli && data/numpy-verdicts.sh [path/to/npsolve]
#
# Needs the network (PyPI) and python3. The raw JSON lines are kept in $NPSOLVE_VERDICTS_JSONL
# when set.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
npsolve="${1:-$here/target/debug/npsolve}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
targets=(
    "3.11 x86_64-manylinux_2_28"
    "3.12 x86_64-manylinux_2_28"
    "3.12 aarch64-apple-darwin"
    "3.12 x86_64-pc-windows-msvc"
)
: >"$work/jobs"
while IFS= read -r release; do
    [[ -z "$release" || "$release" == \#* ]] && continue
    for target in "${targets[@]}"; do
        echo "$release $target" >>"$work/jobs"
    done
done <"$here/data/numpy-verdicts.in"
# One process per release and target, six at a time; a release without a wheel for a target
# is reported on stderr and skipped.
xargs -P 6 -L 1 sh -c '"$0" scan "$1" --json --cache-dir "$4" --python-version "$2" --python-platform "$3" \
    || echo "skipped: $1 for $2 $3" >&2' "$npsolve" <<<"$(sed "s|\$| $work/cache|" "$work/jobs")" \
    >"$work/out.jsonl"
if [[ -n "${NPSOLVE_VERDICTS_JSONL:-}" ]]; then cp "$work/out.jsonl" "$NPSOLVE_VERDICTS_JSONL"; fi
commit="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
version="$("$npsolve" --version 2>/dev/null || echo npsolve)"
python3 - "$work/out.jsonl" "$here/data/numpy-verdicts.tsv" "$commit" "$version" <<'PY'
import datetime, json, sys
source, table, commit, version = sys.argv[1:5]
rows = {}
for line in open(source):
    line = line.strip()
    if not line:
        continue
    scan = json.loads(line)
    if scan["from"] == "pure-wheel" or scan["verdict"] == "unknown" or not scan["sha256"]:
        continue
    field = lambda value: "-" if value in (None, "") else str(value).replace("\t", " ").replace("\n", " ")
    rows[scan["sha256"]] = "\t".join(field(value) for value in [
        scan["file"], scan["sha256"], scan["verdict"], "true" if scan["silent"] else "false",
        scan["floor"], scan.get("binding"), scan["module"], scan["evidence"],
    ])
made = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(table, "w") as out:
    out.write("# NumPy ABI verdicts read from wheels' binaries by `npsolve scan`, one row per file, keyed by\n")
    out.write("# sha256 (a file's verdict never changes). Regenerate: data/numpy-verdicts.sh (docs/abi-data.md).\n")
    out.write(f"# made: {made} by {version} at commit {commit}, from data/numpy-verdicts.in\n")
    out.write("file\tsha256\tverdict\tsilent\tfloor\tbinding\tmodule\tevidence\n")
    for row in sorted(rows.values(), key=lambda row: row.split("\t")[0]):
        out.write(row + "\n")
print(f"{len(rows)} verdicts written to {table}", file=sys.stderr)
PY
