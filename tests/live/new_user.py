#!/usr/bin/env python3
"""Live walkthrough (issue 7): a real broken environment, `npsolve check`, `compile`, `lock`.

Opt-in and never run by `cargo test`: it talks to PyPI and builds virtual environments. It
runs only when `NPSOLVE_LIVE=1`; otherwise it prints "skipped" and exits 0.

Steps, each recorded in tests/live/NEW_USER.md with the commands and their output:
1. `pip install pandas==1.5.3 numpy` into a fresh venv (pip picks NumPy 2), then
   `import pandas` fails; the environment is exported with `pip freeze`.
2. `npsolve check` on the export must exit 1 and name pandas, numpy's line and the fix.
3. `npsolve compile` on the export must exit 1 and explain the conflict the same way.
4. The user's original request (`pandas==1.5.3` + `numpy`) compiled by npsolve, installed
   into a fresh venv with pip: `import pandas` works.
5. The same request locked with `npsolve lock` and installed from `pylock.toml` with
   `uv pip install -r pylock.toml`: `import pandas` works.

Usage:
    NPSOLVE_LIVE=1 python3 tests/live/new_user.py
Environment: NPSOLVE_BIN (default target/release/npsolve), UV (default /work/scratch-venv/bin/uv
or `uv` on PATH), PYTHON (default python3; must be a CPython with pandas 1.5.3 wheels, e.g. 3.11).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NPSOLVE = os.environ.get("NPSOLVE_BIN", str(REPO / "target/release/npsolve"))
UV = os.environ.get("UV") or shutil.which("uv") or "/work/scratch-venv/bin/uv"
PYTHON = os.environ.get("PYTHON", "python3")
IMPORT_CHECK = "import pandas, numpy; print('pandas', pandas.__version__, 'numpy', numpy.__version__, pandas.Series([1, 2]).sum())"

log: list[str] = []
failures: list[str] = []


def run(command: list[str], cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    """Runs a command, records it and its output (trimmed) in the transcript."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    shown = " ".join(Path(part).name if part in (NPSOLVE, UV) else part for part in command)
    log.append(f"$ {shown}   # exit {result.returncode}")
    for stream in (result.stdout, result.stderr):
        lines = stream.rstrip().splitlines()
        if len(lines) > 40:
            lines = lines[:20] + [f"... ({len(lines) - 30} lines) ..."] + lines[-10:]
        log.extend(line[:300] for line in lines)
    log.append("")
    if check and result.returncode != 0:
        raise SystemExit(f"failed: {shown}\n{result.stdout}\n{result.stderr}")
    return result


def expect(condition: bool, what: str) -> None:
    log.append(f"{'PASS' if condition else 'FAIL'}: {what}")
    log.append("")
    if not condition:
        failures.append(what)


def venv(work: Path, name: str) -> Path:
    path = work / name
    run([PYTHON, "-m", "venv", str(path)], work, check=True)
    return path / "bin" / "python"


def main() -> int:
    if os.environ.get("NPSOLVE_LIVE") != "1":
        print("skipped (set NPSOLVE_LIVE=1 to run against live PyPI)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="npsolve-new-user-"))
    try:
        log.append("## 1. A real broken environment")
        log.append("")
        broken = venv(work, "broken")
        run([str(broken), "-m", "pip", "install", "-q", "pandas==1.5.3", "numpy"], work, check=True)
        crash = run([str(broken), "-c", "import pandas"], work)
        expect(crash.returncode != 0, "`import pandas` fails in the environment pip built")
        freeze = run([str(broken), "-m", "pip", "freeze"], work, check=True)
        (work / "requirements.txt").write_text(freeze.stdout)
        python_version = subprocess.run(
            [str(broken), "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        target = ["--python-version", python_version, "--python-platform", "x86_64-manylinux_2_28"]

        log.append("## 2. npsolve check on the export")
        log.append("")
        check = run([NPSOLVE, "check", "requirements.txt", *target], work)
        expect(check.returncode == 1, "check exits 1")
        expect("`pandas` 1.5.3 cannot run with numpy==2" in check.stdout, "check names pandas and the numpy pin")
        expect("fix: pin numpy==1.26.4" in check.stdout, "check gives the smallest fix")

        log.append("## 3. npsolve compile on the export")
        log.append("")
        compile_export = run([NPSOLVE, "compile", "requirements.txt", *target], work)
        expect(compile_export.returncode == 1, "compile refuses the exact pins (exit 1)")
        expect("pandas" in compile_export.stderr and "NumPy" in compile_export.stderr,
               "compile explains the ABI conflict")

        log.append("## 4. The user's own request, compiled by npsolve, installed by pip")
        log.append("")
        (work / "requirements.in").write_text("pandas==1.5.3\nnumpy\n")
        run([NPSOLVE, "compile", "requirements.in", "-o", "fixed.txt", *target], work, check=True)
        fixed = venv(work, "fixed")
        run([str(fixed), "-m", "pip", "install", "-q", "-r", "fixed.txt"], work, check=True)
        imported = run([str(fixed), "-c", IMPORT_CHECK], work)
        expect(imported.returncode == 0, "`import pandas` works with npsolve's pins")
        recheck = run([NPSOLVE, "check", "fixed.txt", *target], work)
        expect(recheck.returncode == 0, "check on npsolve's own output is clean")

        log.append("## 5. The same request as pylock.toml, installed by uv")
        log.append("")
        run([NPSOLVE, "lock", "requirements.in", "-o", "pylock.toml", *target], work, check=True)
        locked = venv(work, "locked")
        run([UV, "pip", "install", "--python", str(locked), "-r", "pylock.toml"], work, check=True)
        imported = run([str(locked), "-c", IMPORT_CHECK], work)
        expect(imported.returncode == 0, "`import pandas` works after `uv pip install -r pylock.toml`")
        lock_check = run([NPSOLVE, "check", "pylock.toml", *target], work)
        expect(lock_check.returncode == 0, "check on the pylock.toml is clean")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = REPO / "tests/live/NEW_USER.md"
    header = [
        "# New-user walkthrough (generated by tests/live/new_user.py)",
        "",
        f"Result: {'all checks passed' if not failures else 'FAILED: ' + '; '.join(failures)}",
        "",
        "```text",
    ]
    report.write_text("\n".join(header + log + ["```", ""]))
    print(report.read_text())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
