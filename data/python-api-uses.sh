#!/usr/bin/env bash
# Regenerates data/python-api-uses.tsv: reads (with `npsolve scan --api --json`) the Python
# sources of the wheels that CPython 3.11 and 3.12 on manylinux x86_64, 3.12 on macOS arm64
# and 3.12 on Windows x86_64 would install for every release listed in
# data/python-api-uses.in, and writes the uses of removed names of each wheel file, keyed by
# sha256, with the fingerprint of the facts they were read with (a wheel without uses gets
# one `-` row). Wheels whose sources could not be read whole are left out.
#
#   cargo build --release -p npsolve-cli && data/python-api-uses.sh [path/to/npsolve]
#
# Needs the network (PyPI) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
npsolve="${1:-$here/target/release/npsolve}"
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
done <"$here/data/python-api-uses.in"
xargs -P 6 -L 1 sh -c '"$0" scan "$1" --api --json --cache-dir "$4" --python-version "$2" --python-platform "$3" \
    || echo "skipped: $1 for $2 $3" >&2' "$npsolve" <<<"$(sed "s|\$| $work/cache|" "$work/jobs")" \
    >"$work/out.jsonl"
commit="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
version="$("$npsolve" --version 2>/dev/null || echo npsolve)"
python3 - "$work/out.jsonl" "$here/data/python-api-uses.tsv" "$commit" "$version" <<'PY'
import datetime, json, sys
source, table, commit, version = sys.argv[1:5]
rows, facts = {}, set()
for line in open(source):
    line = line.strip()
    if not line:
        continue
    scan = json.loads(line)
    api = scan.get("api") or {}
    if not scan["sha256"] or "uses" not in api or not api["complete"]:
        continue
    facts.add(api["facts"])
    field = lambda value: "-" if value in (None, "") else str(value).replace("\t", " ").replace("\n", " ")
    lead = [scan["file"], scan["sha256"], "true"]
    uses = api["uses"] or [None]
    rows[scan["sha256"]] = [
        "\t".join(field(value) for value in lead + (
            ["-"] * 7 if use is None else [
                use["file"], use["line"], use["module"], use["name"],
                "true" if use["import_time"] else "false",
                "true" if use["guarded"] else "false", use["use"],
            ]))
        for use in uses
    ]
assert len(facts) == 1, f"readings made with several facts: {facts}"
made = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(table, "w") as out:
    out.write("# Uses of removed NumPy/SciPy/pandas names in wheels' Python sources, read by `npsolve scan\n")
    out.write("# --api`, keyed by sha256 (a file's bytes never change). Regenerate: data/python-api-uses.sh.\n")
    out.write(f"# made: {made} by {version} at commit {commit}, from data/python-api-uses.in\n")
    out.write(f"# facts: {facts.pop()}\n")
    out.write("file\tsha256\tcomplete\tmember\tline\tmodule\tname\timport_time\tguarded\ttext\n")
    for sha256 in sorted(rows, key=lambda sha256: rows[sha256][0].split("\t")[0]):
        for row in rows[sha256]:
            out.write(row + "\n")
PY
echo "wrote $(grep -vc '^#' "$here/data/python-api-uses.tsv") rows to data/python-api-uses.tsv" >&2
