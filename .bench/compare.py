#!/usr/bin/env python3
"""Time npsolve against `uv pip compile` on the shared benchmark inputs.

Usage:
    python3 .bench/compare.py [--runs 3] [--warm-runs 5] [--all-times] [--uv PATH] [--npsolve PATH] [INPUT.in ...]

For each input it measures two regimes, in the same session on the same machine:
  cold: an empty cache directory for every run (network to PyPI);
  warm: a cache populated by one unmeasured run, then `--offline`.
It prints the median wall time and peak RSS of each tool and the ratio npsolve/uv.
uv and npsolve runs alternate (uv, npsolve, uv, ...), so both see the same network.
Both tools resolve for `--python-version 3.11 --python-platform x86_64-manylinux_2_28`, or,
with `--universal ">=3.10"`, universally (`--universal`) for a pyproject.toml made from each
input with that requires-python.
This is a benchmark, not a test: it needs the network and takes minutes.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]


def set_python(version):
    """Resolves for CPython `version` instead of 3.11 (uv's bio_embeddings input needs 3.12)."""
    TARGET[1] = version


def universal():
    """Resolves universally: every target the requires-python allows, on every platform."""
    TARGET[:] = ["--universal"]


def as_pyproject(source, requires_python, directory):
    """A pyproject.toml in `directory` holding the requirement lines of `source`."""
    lines = [line.split("#")[0].strip() for line in source.read_text().splitlines()]
    dependencies = "".join(f'    "{line}",\n' for line in lines if line)
    project = directory / source.stem
    project.mkdir()
    path = project / "pyproject.toml"
    path.write_text(
        f'[project]\nname = "{source.stem}"\nversion = "0"\n'
        f'requires-python = "{requires_python}"\ndependencies = [\n{dependencies}]\n'
    )
    return path


def run(command, env):
    """Runs a command, returns (seconds, peak RSS in MiB); raises on failure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def commands(tool, path, source, cache, offline):
    if tool == "uv":
        # No `-o`: uv reads an existing output file as preferences, so each warm run would
        # start from the answer of the run before (airflow: 0.11 s against 0.30 s).
        command = [path, "pip", "compile", str(source), *TARGET, "--cache-dir", str(cache), "-q"]
    else:
        command = [path, "compile", str(source), *TARGET, "--cache-dir", str(cache), "-q"]
    if offline:
        command.append("--offline")
    return command


def measure(tools, source, runs, regime, env):
    """Times each tool `runs` times, alternating between tools run by run so that both see
    the same network weather (PyPI latency here moves by seconds within minutes).
    Returns {tool: (median seconds, max peak MiB, [seconds...])}."""
    roots = {tool: Path(tempfile.mkdtemp(prefix=f"bench-{tool}-")) for tool in tools}
    results = {tool: ([], []) for tool in tools}
    try:
        if regime == "warm":
            for tool, path in tools.items():
                run(commands(tool, path, source, roots[tool] / "warm", False), env)
        for index in range(runs):
            for tool, path in tools.items():
                root = roots[tool]
                cache = root / "warm" if regime == "warm" else root / f"cold-{index}"
                seconds, rss = run(commands(tool, path, source, cache, regime == "warm"), env)
                results[tool][0].append(seconds)
                results[tool][1].append(rss)
    finally:
        for root in roots.values():
            shutil.rmtree(root, ignore_errors=True)
    return {tool: (statistics.median(times), max(memory), times) for tool, (times, memory) in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="runs per cell")
    parser.add_argument("--warm-runs", type=int, help="runs per warm cell (default: --runs)")
    parser.add_argument("--regimes", nargs="+", default=["cold", "warm"], choices=["cold", "warm"])
    parser.add_argument("--all-times", action="store_true", help="also print every run's time")
    parser.add_argument("--uv", default=shutil.which("uv") or "uv")
    parser.add_argument("--python-version", default="3.11", help="target Python for both tools")
    parser.add_argument("--universal", metavar="REQUIRES_PYTHON", help="resolve universally for this requires-python")
    parser.add_argument("--npsolve", default=str(Path(__file__).resolve().parent.parent / "target/release/npsolve"))
    args = parser.parse_args()
    set_python(args.python_version)
    inputs = args.inputs or sorted((Path(__file__).resolve().parent.parent.parent / "shared/bench").glob("*.in"))
    if args.universal:
        universal()
        projects = Path(tempfile.mkdtemp(prefix="bench-projects-"))
        inputs = [as_pyproject(source, args.universal, projects) for source in inputs]
    env = {key: value for key, value in os.environ.items() if key not in ("UV_INDEX_URL", "PIP_INDEX_URL")}
    print(f"runs per cell: {args.runs}; uv: {subprocess.run([args.uv, '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"{'input':<12} {'regime':<6} {'uv s':>8} {'npsolve s':>10} {'ratio':>7} {'uv MiB':>8} {'npsolve MiB':>12}")
    tools = {"uv": args.uv, "npsolve": args.npsolve}
    for source in inputs:
        regimes = [regime for regime in ("cold", "warm") if regime in args.regimes]
        for regime in regimes:
            runs = args.runs if regime == "cold" or args.warm_runs is None else args.warm_runs
            results = measure(tools, source, runs, regime, env)
            uv_time, uv_rss, uv_times = results["uv"]
            np_time, np_rss, np_times = results["npsolve"]
            print(
                f"{(source.parent.name if source.name == 'pyproject.toml' else source.stem):<12} {regime:<6} {uv_time:>8.3f} {np_time:>10.3f} {np_time / uv_time:>7.2f}"
                f" {uv_rss:>8.0f} {np_rss:>12.0f}",
                flush=True,
            )
            if args.all_times:
                print(f"    uv:      {' '.join(f'{t:.3f}' for t in uv_times)}")
                print(f"    npsolve: {' '.join(f'{t:.3f}' for t in np_times)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
