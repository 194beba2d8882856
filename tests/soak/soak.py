#!/usr/bin/env python3
"""Soak test (issue 9): many resolutions against a faulty loopback index, several at once.

Loopback only, bounded in count and time; not run by `cargo test`. It serves the recorded
fixture index (tests/fixtures/index) twice with `npsolve-fixture-server`: once clean, to
record the expected pins of each input with a fresh cache, and once injecting faults at
random (5xx, 429, stalls, truncated bodies, flipped bytes that break hashes, ranges answered
with 200). Then it runs RUNS resolutions, WORKERS at a time, all on ONE shared cache
directory (a quarter of them start from an empty cache instead), and between runs corrupts
random entries of the shared cache (a flipped byte or a truncation).

Every run must either print exactly the expected pins (exit 0), or fail with a clear error
(exit 2, a message naming the URL or the cause, no panic). Anything else (wrong pins, a
panic, another exit code, a hang past the time limit) counts as a failure of the soak.

Usage:
    cargo build --release -p npsolve-cli -p npsolve-testkit
    python3 tests/soak/soak.py [--runs 500] [--workers 4] [--fault-per-mille 50] [--seed 1]
"""

import argparse
import collections
import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]
INPUTS = {
    "legacy-pandas": "pandas==1.5.3\nnumpy\n",
    "sci": "scikit-learn\nmatplotlib\n",
    "scipy-old": "scipy<1.12\nnumpy\n",
    "small": "six\npython-dateutil\n",
}


def start_server(binary, root, per_mille, seed):
    process = subprocess.Popen(
        [binary, str(root), "--fault-per-mille", str(per_mille), "--seed", str(seed), "--stall-ms", "1500"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1"):
        raise SystemExit(f"fixture server did not start: {url!r}")
    return process, url


def compile_pins(npsolve, index_url, source, cache, timeout):
    """Runs npsolve; returns (exit code, pins, stderr)."""
    env = dict(os.environ, NO_COLOR="1", NPSOLVE_HTTP_TIMEOUT="1")
    try:
        result = subprocess.run(
            [npsolve, "compile", str(source), *TARGET, "--index-url", index_url, "--cache-dir", str(cache),
             "--no-header", "--no-annotate", "-q"],
            capture_output=True, text=True, timeout=timeout, env=env,
        )
    except subprocess.TimeoutExpired:
        return None, None, "timed out"
    pins = [line for line in result.stdout.splitlines() if "==" in line]
    return result.returncode, pins, result.stderr


def corrupt_cache(cache, rng):
    files = [path for path in cache.rglob("*") if path.is_file() and not path.name.startswith(".")]
    if not files:
        return None
    victim = rng.choice(files)
    try:
        data = bytearray(victim.read_bytes())
        if data and rng.random() < 0.5:
            data[rng.randrange(len(data))] ^= 0xFF
            victim.write_bytes(bytes(data))
            return "flip"
        victim.write_bytes(bytes(data[: len(data) // 2]))
        return "truncate"
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fault-per-mille", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per run before it counts as a hang")
    parser.add_argument("--npsolve", default=str(REPO / "target/release/npsolve"))
    parser.add_argument("--server", default=str(REPO / "target/release/npsolve-fixture-server"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = REPO / "tests/fixtures/index"
    with tempfile.TemporaryDirectory(prefix="npsolve-soak-") as work:
        work = Path(work)
        sources = {}
        for name, text in INPUTS.items():
            sources[name] = work / f"{name}.in"
            sources[name].write_text(text)
        clean, clean_url = start_server(args.server, root, 0, args.seed)
        expected = {}
        for name, source in sources.items():
            code, pins, stderr = compile_pins(args.npsolve, clean_url, source, work / f"clean-{name}", 60)
            if code != 0:
                raise SystemExit(f"clean run of {name} failed: {stderr}")
            expected[name] = pins
        clean.stdin.close()
        clean.wait()
        faulty, url = start_server(args.server, root, args.fault_per_mille, args.seed)
        cache = work / "shared-cache"
        outcomes = collections.Counter()
        failures = []
        corruptions = collections.Counter()
        durations = []
        started = time.monotonic()

        def one(index):
            name = rng.choice(sorted(INPUTS))
            # A quarter of the runs start cold (every page and metadata file fetched through
            # the faults); the rest share and revalidate the one cache.
            run_cache = work / f"cold-{index}" if rng.random() < 0.25 else cache
            begin = time.monotonic()
            code, pins, stderr = compile_pins(args.npsolve, url, sources[name], run_cache, args.time_limit)
            return index, name, code, pins, stderr, time.monotonic() - begin

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
            pending = set()
            next_run = 0
            while next_run < args.runs or pending:
                while next_run < args.runs and len(pending) < args.workers:
                    if rng.random() < 0.2:
                        kind = corrupt_cache(cache, rng)
                        if kind:
                            corruptions[kind] += 1
                    pending.add(pool.submit(one, next_run))
                    next_run += 1
                done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    index, name, code, pins, stderr, seconds = future.result()
                    durations.append(seconds)
                    if code == 0 and pins == expected[name]:
                        outcomes["exact pins"] += 1
                    elif code == 2 and "panicked" not in stderr and stderr.strip():
                        outcomes["clear error (exit 2)"] += 1
                        first = stderr.strip().splitlines()[0]
                        outcomes[f"  error: {first[:90]}"] += 1
                    else:
                        kind = "wrong pins" if code == 0 else ("hang" if code is None else f"exit {code}")
                        outcomes[f"FAILURE: {kind}"] += 1
                        failures.append((index, name, code, stderr[-2000:], pins))
        faulty.stdin.close()
        faulty.wait()
        elapsed = time.monotonic() - started
    durations.sort()
    print(f"{args.runs} runs, {args.workers} at once, one cache; faults {args.fault_per_mille}/1000 requests "
          f"(seed {args.seed}); {sum(corruptions.values())} cache corruptions {dict(corruptions)}")
    print(f"wall {elapsed:.0f} s; per run median {durations[len(durations) // 2]:.2f} s, max {durations[-1]:.2f} s")
    for outcome, count in sorted(outcomes.items(), key=lambda item: (item[0].startswith("  "), -item[1])):
        print(f"{count:5d}  {outcome}")
    for index, name, code, stderr, pins in failures[:5]:
        print(f"--- run {index} ({name}) exit {code}\n{stderr}\n{pins}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
