#!/usr/bin/env python3
"""Time `npsolve check` on a 200+ line pinned file with a warm cache (issue 7).

Usage:
    python3 .bench/check.py [--runs 5] [--npsolve PATH]

It compiles the shared bench inputs (sci-stack.in, boto.in) and .bench/web.in with npsolve
for CPython 3.11 on x86_64-manylinux_2_28, resolves them together into one pinned file (223 pins in
November 2026), warms a fresh cache with one `check`, then times `check --offline` and prints
the median, min, max and peak RSS. A benchmark, not a test: the first step needs PyPI.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]


def timed(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {code}: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, code


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--npsolve", default=str(REPO / "target/release/npsolve"))
    args = parser.parse_args()
    inputs = [REPO.parent / "shared/bench/sci-stack.in", REPO.parent / "shared/bench/boto.in", REPO / ".bench/web.in"]
    with tempfile.TemporaryDirectory(prefix="bench-check-") as work:
        work = Path(work)
        cache = work / "cache"
        # One resolution of all three inputs, so the pinned file is consistent.
        combined = work / "all.in"
        combined.write_text("".join(f"-r {source}\n" for source in inputs))
        output = subprocess.run(
            [args.npsolve, "compile", str(combined), *TARGET, "--cache-dir", str(cache), "--no-header", "--no-annotate", "-q"],
            capture_output=True, text=True, check=True,
        ).stdout
        pins = [line for line in output.splitlines() if "==" in line and not line.startswith("#")]
        pinned = work / "check200.txt"
        pinned.write_text("".join(f"{line}\n" for line in pins))
        command = [args.npsolve, "check", str(pinned), *TARGET, "--cache-dir", str(cache), "--offline"]
        _, _, code = timed(command)
        times, peaks = [], []
        for _ in range(args.runs):
            seconds, peak, code = timed(command)
            times.append(seconds)
            peaks.append(peak)
        print(f"{len(pins)} pinned lines, check exit {code}, {args.runs} warm runs (--offline)")
        print(f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s, peak {max(peaks):.0f} MiB")


if __name__ == "__main__":
    main()
