#!/usr/bin/env python3
"""Live check (issue 20): do npsolve's pins avoid Python-API breaks that pass every ABI check?

Opt-in and never run by `cargo test`: it talks to PyPI and creates virtual environments. It runs
only when `NPSOLVE_LIVE=1`; otherwise it prints "skipped" and exits 0.

For each case, resolve with npsolve (CPython 3.11, x86_64-manylinux_2_28) with the scan on and
with `--api-scan off`, install each pinned file into a fresh venv with `uv pip install --no-deps`,
and run a snippet that exercises the break: it must pass with the scan, and (to show the case
is real) fail without it.

Usage:
    NPSOLVE_LIVE=1 python3 tests/live/api_breaks.py

Environment: NPSOLVE_BIN (default target/release/npsolve), UV (default `uv` on PATH), PYTHON
(default `python3.11` on PATH).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]

GP_MINIMIZE = """
from skopt import gp_minimize
from skopt.space import Integer, Real
result = gp_minimize(lambda x: (x[0] - 3) ** 2 + (x[1] - 0.5) ** 2,
                     [Integer(0, 10), Real(0, 1)], n_calls=12, random_state=0)
print("gp_minimize best", result.x)
"""

ROUND_TRIP = """
import os, tempfile
import numpy as np, pandas as pd, fastparquet
df = pd.DataFrame({"i": np.array([1, 2, 3], dtype="int64"), "f": [1.5, 2.5, np.nan],
                   "s": ["a", "b", None],
                   "t": pd.date_range("2024-01-01", periods=3, freq="h", tz="Europe/Berlin")})
path = os.path.join(tempfile.mkdtemp(), "x.parquet")
fastparquet.write(path, df)
back = fastparquet.ParquetFile(path).to_pandas()
assert list(back["s"]) == ["a", "b", None] and list(back["i"]) == [1, 2, 3]
print("round trip ok with pandas", pd.__version__)
"""

# (name, requirements, extra flags for the scanned run, snippet)
CASES = [
    ("gensim", "gensim==4.3.2\nnumpy\n", [], "import gensim, scipy; print('gensim imports with scipy', scipy.__version__)"),
    ("scikit-optimize", "scikit-optimize==0.9.0\nnumpy\n", ["--api-scan", "strict"], GP_MINIMIZE),
    ("fastparquet", "fastparquet==2024.2.0\nnumpy\n", [], ROUND_TRIP),
]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def pins(text: str) -> str:
    return ", ".join(line for line in text.splitlines() if "==" in line and not line.startswith("#"))


def attempt(npsolve: str, uv: str, python: str, work: Path, name: str, flags: list[str], snippet: str):
    out = work / f"{name}{'-off' if '--api-scan' in flags and 'off' in flags else ''}.txt"
    resolved = run([npsolve, "compile", str(work / f"{name}.in"), *TARGET, *flags, "-q", "-o", str(out)])
    if resolved.returncode != 0:
        return False, f"npsolve failed: {resolved.stderr.strip()}", ""
    venv = work / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    run([uv, "venv", "-q", "-p", python, str(venv)], check=True)
    installed = run([uv, "pip", "install", "-q", "--no-deps", "-r", str(out)],
                    env={**os.environ, "VIRTUAL_ENV": str(venv)})
    if installed.returncode != 0:
        return False, f"install failed: {installed.stderr.strip()[-300:]}", pins(out.read_text())
    ran = run([str(venv / "bin" / "python"), "-c", snippet])
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    # The exception line, not the note a library may print after it.
    errors = [line for line in lines if "Error" in line.split(":")[0]]
    said = errors[-1] if ran.returncode != 0 and errors else (lines[-1] if lines else "")
    return ran.returncode == 0, said, pins(out.read_text())


def main() -> int:
    if os.environ.get("NPSOLVE_LIVE") != "1":
        print("skipped (set NPSOLVE_LIVE=1 to run against live PyPI)")
        return 0
    npsolve = os.environ.get("NPSOLVE_BIN", str(REPO / "target" / "release" / "npsolve"))
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    python = os.environ.get("PYTHON") or shutil.which("python3.11") or sys.executable
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, requirements, flags, snippet in CASES:
            (work / f"{name}.in").write_text(requirements)
            ok, said, pinned = attempt(npsolve, uv, python, work, name, flags, snippet)
            off_ok, off_said, off_pinned = attempt(npsolve, uv, python, work, name, ["--api-scan", "off"], snippet)
            print(f"{name}: with the scan {'ok' if ok else 'FAILED'}: {said}\n    pins: {pinned}")
            print(f"{name}: --api-scan off {'works too' if off_ok else 'breaks'}: {off_said}\n    pins: {off_pinned}")
            failures += int(not ok)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
