#!/usr/bin/env bash
# Long property-test ("fuzz") runs over every parser of untrusted bytes (issue 9). cargo-fuzz
# needs a nightly toolchain, which this project does not use, so the proptest targets run
# again and again with fresh random seeds until each has had SECONDS_PER_TARGET of wall time.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET=600]
# The test binaries are built once (release) and then run directly, so edits made meanwhile
# do not change what is being fuzzed. Prints one line per target: runs, cases, seconds,
# failures; a failing run's log is kept in /tmp/fuzz-failure-<target>.log, and proptest saves
# the failing seed in the crate's tests/*.proptest-regressions file.
set -uo pipefail
cd "$(dirname "$0")/../.."
budget="${1:-600}"
cases=20000
binary() {
    cargo test --release -p "$1" --test "$2" --no-run --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message.get("executable") and message["target"]["name"] == sys.argv[1]:
        print(message["executable"])' "$2"
}
index_tests="$(binary npsolve-index no_panic)"
abi_tests="$(binary npsolve-abi properties)"
targets=(
    "$index_tests metadata_parser"
    "$index_tests json_page_parser"
    "$index_tests html_page_parser"
    "$index_tests zip_reader"
    "$index_tests compact_page_reader"
    "$abi_tests scanner_never_panics"
)
echo "commit $(git rev-parse --short HEAD), $cases cases per test per run, ${budget}s per target"
for target in "${targets[@]}"; do
    read -r executable filter <<<"$target"
    start=$(date +%s)
    runs=0
    failures=0
    tests=0
    while (($(date +%s) - start < budget)); do
        if ! PROPTEST_CASES=$cases "$executable" "$filter" >/tmp/fuzz-last.log 2>&1; then
            failures=$((failures + 1))
            ((failures == 1)) && cp /tmp/fuzz-last.log "/tmp/fuzz-failure-$filter.log"
        fi
        tests=$(grep -c "^test .* ok$" /tmp/fuzz-last.log)
        runs=$((runs + 1))
    done
    echo "$filter: $runs runs x $tests tests x $cases cases = $((runs * tests * cases)) cases in $(($(date +%s) - start)) s, $failures failing runs"
done
