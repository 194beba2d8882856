#!/usr/bin/env python3
"""Live check: do npsolve's pinned sets install and import cleanly? (issues 4 and 5)

Opt-in and never run by `cargo test`: it talks to PyPI, creates virtual environments and
downloads hundreds of megabytes. It runs only when `NPSOLVE_LIVE=1`; otherwise it prints
"skipped" and exits 0.

Phase `smoke` (issue 5): for each legacy stack below, resolve with npsolve for CPython 3.11 on
x86_64-manylinux_2_28, install the pinned file into a fresh venv with
`uv pip install --no-deps --only-binary :all:`, then import the top-level modules and run a tiny
computation that goes through compiled code. The same is done with `--no-abi` (metadata only,
like pip and uv) to show which stacks then break at import, and with which error.

Phase `bench` (issue 4): npsolve's pins for the shared bench inputs must be accepted by
`uv pip install --dry-run`, and its versions are compared with `uv pip compile`.

Usage:
    NPSOLVE_LIVE=1 python3 tests/live/abi_smoke.py [--only smoke|bench] [--stack NAME ...]
Environment: NPSOLVE_BIN (default target/release/npsolve), UV (default `uv` on PATH, else
/work/scratch-venv/bin/uv), NPSOLVE_LIVE_WORKDIR (default a fresh temp dir; venvs are deleted
after each use, one uv cache is shared by all installs).
Writes tests/live/results.json (raw) and tests/live/RESULTS.md (tables, followed by the
hand-written tests/live/FINDINGS.md).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-manylinux_2_28"

# Each stack: requirement lines, and a check run inside the venv. The check imports every
# top-level module and calls into compiled code; it raises on a wrong value, so a silent ABI
# break (pybind11 < 2.12 reading NumPy 2 dtypes with the 1.x layout) fails too.
STACKS: list[dict] = [
    {
        # pyarrow >= 26 is built for NumPy 2 only (floor 2.0) and declares no numpy at all:
        # beside numpy<2 a metadata-only resolver picks it and `import pyarrow` fails with
        # "pyarrow requires NumPy 2.0 or newer, found 1.26.4" (issue 15).
        "name": "pyarrow-numpy1",
        "requirements": ["pyarrow", "pandas", "numpy<2"],
        "check": """
            import numpy as np, pandas as pd, pyarrow as pa
            table = pa.Table.from_pandas(pd.DataFrame({'a': np.arange(3)}))
            assert table.column('a').to_pylist() == [0, 1, 2]
        """,
    },
    {
        "name": "pandas-1.5.3",
        "requirements": ["pandas==1.5.3", "numpy"],
        "check": """
            import pandas as pd
            s = pd.DataFrame({'a': [1, 2, 2]}).groupby('a').size()
            assert s.tolist() == [1, 2], s
        """,
    },
    {
        "name": "sklearn-legacy",
        "requirements": ["scikit-learn<1.3", "pandas<2", "numpy"],
        "check": """
            import numpy as np, pandas as pd, sklearn
            from sklearn.linear_model import LogisticRegression
            from sklearn.cluster import KMeans
            X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
            assert LogisticRegression().fit(X, y).predict([[3.0]])[0] == 1
            KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
            assert pd.DataFrame({'a': [1, 2, 2]}).groupby('a').size().tolist() == [1, 2]
        """,
    },
    {
        "name": "scipy-1.11.4",
        "requirements": ["scipy==1.11.4", "numpy"],
        "check": """
            import numpy as np, scipy.linalg, scipy.special, scipy.sparse, scipy.ndimage
            assert np.allclose(scipy.linalg.inv(np.eye(3) * 2), np.eye(3) / 2)
            assert abs(scipy.special.gamma(5.0) - 24.0) < 1e-9
            m = scipy.sparse.csr_matrix(np.eye(3)); assert (m @ m).nnz == 3
            assert scipy.ndimage.gaussian_filter(np.ones((4, 4)), 1).shape == (4, 4)
        """,
    },
    {
        "name": "matplotlib<3.8",
        "requirements": ["matplotlib<3.8", "numpy"],
        "check": """
            import io, matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt, numpy as np
            fig, ax = plt.subplots(); ax.plot(np.arange(5)); ax.contour(np.random.rand(5, 5))
            buf = io.BytesIO(); fig.savefig(buf, format='png'); assert buf.tell() > 0
        """,
    },
    {
        "name": "h5py<3.11",
        "requirements": ["h5py<3.11"],
        "check": """
            import os, tempfile, numpy as np, h5py
            p = os.path.join(tempfile.mkdtemp(), 't.h5')
            with h5py.File(p, 'w') as f: f['x'] = np.arange(10)
            with h5py.File(p, 'r') as f: assert f['x'][:].sum() == 45
        """,
    },
    {
        "name": "pyarrow<15+pandas",
        "requirements": ["pyarrow<15", "pandas"],
        "check": """
            import pandas as pd, pyarrow as pa
            t = pa.Table.from_pandas(pd.DataFrame({'a': [1, 2, 3]}))
            assert t.to_pandas()['a'].sum() == 6
            assert pa.array([1.5, 2.5]).to_numpy().sum() == 4.0
        """,
    },
    {
        "name": "numba<0.59",
        "requirements": ["numba<0.59"],
        "check": """
            import numpy as np, numba
            @numba.njit
            def f(a):
                return (a * 2).sum()
            assert f(np.arange(4)) == 12
        """,
    },
    {
        "name": "statsmodels-0.14.0",
        "requirements": ["statsmodels==0.14.0"],
        "check": """
            import numpy as np, statsmodels.api as sm
            x = np.arange(10.0); y = 2 * x + 1
            r = sm.OLS(y, sm.add_constant(x)).fit()
            assert np.allclose(r.params, [1, 2])
            sm.tsa.acf(np.sin(np.arange(50.0)), nlags=3)
        """,
    },
    {
        # statsmodels 0.14.0 imports `scipy._lib._util._lazywhere` (gone from recent SciPy) and
        # calls pandas' `deprecate_kwarg` the pre-3.0 way: pure-Python breaks no metadata
        # declares. This variant pins the SciPy and pandas of its release year, isolating the ABI part.
        "name": "statsmodels-0.14.0+2023",
        "requirements": ["statsmodels==0.14.0", "scipy<1.12", "pandas<2.1"],
        "check": """
            import numpy as np, statsmodels.api as sm
            x = np.arange(10.0); y = 2 * x + 1
            r = sm.OLS(y, sm.add_constant(x)).fit()
            assert np.allclose(r.params, [1, 2])
            sm.tsa.acf(np.sin(np.arange(50.0)), nlags=3)
        """,
    },
    {
        "name": "scikit-image<0.22",
        "requirements": ["scikit-image<0.22"],
        "check": """
            import numpy as np, skimage.filters, skimage.measure
            img = np.zeros((10, 10)); img[3:6, 3:6] = 1
            assert skimage.filters.gaussian(img, sigma=1).shape == (10, 10)
            assert skimage.measure.label(img > 0).max() == 1
        """,
    },
    {
        "name": "tables<3.10",
        "requirements": ["tables<3.10"],
        "check": """
            import os, tempfile, numpy as np, tables
            p = os.path.join(tempfile.mkdtemp(), 't.h5')
            with tables.open_file(p, 'w') as f: f.create_array('/', 'x', np.arange(10))
            with tables.open_file(p) as f: assert f.root.x[:].sum() == 45
        """,
    },
    {
        "name": "contourpy-1.2.0",
        "requirements": ["contourpy==1.2.0", "numpy"],
        "check": """
            import numpy as np, contourpy
            x, y = np.meshgrid(np.arange(4.0), np.arange(4.0))
            gen = contourpy.contour_generator(x, y, x + y, line_type='SeparateCode')
            lines, codes = gen.lines(2.5)
            c = np.asarray(codes[0])
            # MOVETO=1 then LINETO=2 (CLOSEPOLY=79); the silent break reads all 1s.
            assert c[0] == 1 and len(c) > 1 and set(c[1:].tolist()) <= {2, 79}, f'wrong codes {c.tolist()}'
        """,
    },
    {
        "name": "shapely-2.0.2",
        "requirements": ["shapely==2.0.2"],
        "check": """
            import numpy as np, shapely
            pts = shapely.points(np.array([[0.0, 0.0], [1.0, 1.0]]))
            assert abs(shapely.area(shapely.buffer(pts, 1.0)).sum() - 2 * 3.1365) < 0.05
        """,
    },
    {
        "name": "opencv-4.9.0.80",
        "requirements": ["opencv-python-headless==4.9.0.80"],
        "check": """
            import numpy as np, cv2
            img = np.zeros((8, 8), np.uint8); img[4, 4] = 255
            assert cv2.GaussianBlur(img, (3, 3), 0).sum() > 0
        """,
    },
    {
        "name": "pandas<2.2.2",
        "requirements": ["pandas<2.2.2", "numpy"],
        "check": """
            import pandas as pd
            assert pd.DataFrame({'a': [1, 2, 2]}).groupby('a').size().tolist() == [1, 2]
            assert pd.Series([3, 1, 2]).rolling(2).sum().iloc[-1] == 3
        """,
    },
    {
        "name": "bottleneck+numexpr legacy",
        "requirements": ["bottleneck<1.4", "numexpr<2.10"],
        "check": """
            import numpy as np, bottleneck as bn, numexpr as ne
            assert bn.nansum(np.array([1.0, np.nan, 2.0])) == 3.0
            a = np.arange(4.0); assert ne.evaluate('a * 2').sum() == 12
        """,
    },
    {
        "name": "pywavelets<1.6",
        "requirements": ["pywavelets<1.6"],
        "check": """
            import numpy as np, pywt
            cA, cD = pywt.dwt(np.arange(8.0), 'haar'); assert len(cA) == 4
        """,
    },
    {
        # gensim < 4.3.3 imports `scipy.linalg.triu` (removed in SciPy 1.13) with no cap in its
        # metadata: a pure-Python break, so SciPy is capped here to isolate the ABI part.
        "name": "gensim<4.3.3+scipy<1.13",
        "requirements": ["gensim<4.3.3", "scipy<1.13"],
        "check": """
            from gensim.models import Word2Vec
            m = Word2Vec([['a', 'b', 'c'], ['b', 'c', 'd']] * 20, vector_size=8, min_count=1, workers=1, seed=1)
            assert m.wv['a'].shape == (8,)
        """,
    },
    {
        "name": "opencv-4.10.0.82",
        "requirements": ["opencv-python-headless==4.10.0.82"],
        "check": """
            import numpy as np, cv2
            img = np.zeros((8, 8), np.uint8); img[4, 4] = 255
            assert cv2.GaussianBlur(img, (3, 3), 0).sum() > 0
        """,
    },
    {
        "name": "thinc<8.3 (spaCy era)",
        "requirements": ["thinc<8.3"],
        "check": """
            import numpy as np, thinc.api, blis.py
            a = np.ones((2, 3), dtype='f'); b = np.ones((3, 2), dtype='f')
            assert blis.py.gemm(a, b).sum() == 12
            from thinc.api import Linear; m = Linear(2, 3); m.initialize()
            assert m.predict(np.ones((1, 3), dtype='f')).shape == (1, 2)
        """,
    },
    # Packages absent from the curated facts (data/numpy-abi.toml) at the time of writing: they
    # show whether compile protects a stack when the facts file does not name the package.
    {
        "name": "fastcluster==1.2.6 (uncurated)",
        "requirements": ["fastcluster==1.2.6"],
        "check": """
            import numpy as np, fastcluster
            assert fastcluster.linkage(np.array([[0.0], [1.0], [5.0]]), method='single').shape == (2, 4)
        """,
    },
    {
        "name": "ecos<2.0.14 (uncurated)",
        "requirements": ["ecos<2.0.14"],
        "check": """
            import numpy as np, scipy.sparse as sp, ecos
            c = np.array([1.0]); G = sp.csc_matrix(np.array([[-1.0]])); h = np.array([-2.0])
            r = ecos.solve(c, G, h, {'l': 1, 'q': []}, verbose=False)
            assert abs(r['x'][0] - 2.0) < 1e-6
        """,
    },
    {
        "name": "numcodecs<0.13 (uncurated)",
        "requirements": ["numcodecs<0.13"],
        "check": """
            import numpy as np, numcodecs
            c = numcodecs.Blosc(); a = np.arange(100)
            assert (np.frombuffer(c.decode(c.encode(a)), dtype=a.dtype) == a).all()
        """,
    },
    {
        "name": "mahotas<1.4.16 (uncurated)",
        "requirements": ["mahotas<1.4.16"],
        "check": """
            import numpy as np, mahotas
            img = np.zeros((8, 8), np.uint8); img[2:5, 2:5] = 1
            assert mahotas.label(img)[1] == 1
        """,
    },
    {
        "name": "imagecodecs<2024.6 (uncurated)",
        "requirements": ["imagecodecs<2024.6"],
        "check": """
            import numpy as np, imagecodecs
            a = np.arange(64, dtype=np.uint8).reshape(8, 8)
            assert (imagecodecs.zlib_decode(imagecodecs.zlib_encode(a)) == a.tobytes())
            assert (imagecodecs.png_decode(imagecodecs.png_encode(a)) == a).all()
        """,
    },
    {
        # Expected to be unsatisfiable with the ABI layer: pandas < 2 wheels are all NumPy 1.x
        # builds. Without it, metadata allows the pair and the import crashes.
        "name": "numpy>=2 + pandas<2",
        "requirements": ["numpy>=2", "pandas<2"],
        "expect_unsat": True,
        "check": """
            import pandas as pd
            assert pd.DataFrame({'a': [1, 2, 2]}).groupby('a').size().tolist() == [1, 2]
        """,
    },
    {
        "name": "astropy<6.1",
        "requirements": ["astropy<6.1"],
        "check": """
            import numpy as np, astropy.units as u
            from astropy.convolution import convolve, Box1DKernel
            from astropy.table import Table
            assert ((np.arange(3) * u.m).to(u.cm).value == [0, 100, 200]).all()
            assert convolve(np.ones(5), Box1DKernel(3)).sum() > 0
            assert len(Table({'a': [1, 2]})) == 2
        """,
    },
]

# Stacks whose right answer is "no solution" once the ABI layer is on.
UNSAT = {s["name"] for s in STACKS if s.get("expect_unsat")}

# The lines that name a NumPy ABI break (docs/numpy-abi.md section 3).
ABI_MARKERS = (
    "_ARRAY_API not found",
    "compiled using NumPy 1.x",
    "size changed, may indicate binary incompatibility",
    "failed to import",
    "compiled against API version",
    "compiled against NumPy C-API version",
)

# The NumPy 2.x release installed over npsolve's pins in the negative-control mode: the first
# 2.x line, the one of the contourpy silent-breakage observation in docs/numpy-abi.md.
FORCED_NUMPY2 = "2.0.2"
MODES = ("abi", "no-abi", "forced-numpy2", "uv")

CHECK_PRELUDE = """
import importlib.metadata
try:
    print('NUMPY=' + importlib.metadata.version('numpy'), flush=True)
except importlib.metadata.PackageNotFoundError:
    print('NUMPY=none', flush=True)
"""


def run(cmd: list[str], timeout: int = 1800, **kw) -> subprocess.CompletedProcess:
    """Run a command, capturing text output; a timeout becomes returncode 124."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return subprocess.CompletedProcess(cmd, 124, out, f"timeout after {timeout}s")


def pins_of(path: Path) -> dict[str, str]:
    """`name==version` lines of a pinned requirements file, names normalised (PEP 503)."""
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


def unchecked_of(path: Path) -> list[str]:
    """Pins npsolve annotates `# ABI: unchecked` (compiled, numpy-dependent, no facts)."""
    names, current = [], None
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        if m:
            current = m.group(1)
        elif current and re.match(r"^\s*# ABI: unchecked", line):
            names.append(current)
    return names


def error_line(stderr: str) -> str:
    """The most telling line of a failure: an ABI marker if present, else the last exception."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    exc = [l for l in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|Warning)\b.*:", l)]
    for marker in ABI_MARKERS:
        for l in exc:
            if marker in l:
                return l[:200]
    banner = any(marker in l for marker in ABI_MARKERS for l in lines)
    last = (exc or lines or [""])[-1][:200]
    return f"{last} (after the NumPy 1.x banner)" if banner and exc else last


class Env:
    """Paths and tools shared by every step."""

    def __init__(self, workdir: Path, npsolve: str, uv: str):
        self.workdir = workdir
        self.npsolve = npsolve
        self.uv = uv
        self.uv_env = dict(os.environ, UV_CACHE_DIR=str(workdir / "uv-cache"))
        self.uv_env.pop("PIP_FIND_LINKS", None)

    def compile(self, src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
        """npsolve compile for the fixed target; `out` must not exist (its pins are preferred)."""
        if out.exists():
            out.unlink()
        cmd = [self.npsolve, "compile", str(src), "--python-version", PYTHON_VERSION,
               "--python-platform", PLATFORM, "-o", str(out), *extra]
        started = time.monotonic()
        proc = run(cmd, timeout=900)
        proc.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
        return proc


def smoke_one(env: Env, stack: dict, mode: str) -> dict:
    """Resolve, install and import one stack in one of MODES.

    `abi`: npsolve as shipped; `no-abi`: npsolve --no-abi; `forced-numpy2`: npsolve's pins with
    NumPy replaced by a 2.x release (negative control); `uv`: `uv pip compile`'s pins.
    """
    tag = re.sub(r"[^A-Za-z0-9.-]+", "_", stack["name"]) + "." + mode
    d = env.workdir / "stacks" / tag
    d.mkdir(parents=True, exist_ok=True)
    src = d / "req.in"
    src.write_text("\n".join(stack["requirements"]) + "\n")
    pinned = d / "pinned.txt"
    extra = ["--no-abi"] if mode == "no-abi" else []
    res: dict = {"stack": stack["name"], "mode": mode}
    if mode == "uv":
        # What a metadata-only resolver really hands the user today, for the contrast.
        pinned.unlink(missing_ok=True)  # uv prefers the pins of an existing output file
        started = time.monotonic()
        proc = run([env.uv, "pip", "compile", str(src), "--python-version", PYTHON_VERSION,
                    "--python-platform", PLATFORM, "--no-header", "-q", "-o", str(pinned)],
                   env=env.uv_env)
        proc.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    else:
        proc = env.compile(src, pinned, *extra)
    res["resolve_rc"] = proc.returncode
    res["resolve_seconds"] = round(proc.elapsed, 2)  # type: ignore[attr-defined]
    if proc.returncode != 0 or not pinned.exists():
        lines = [l.strip() for l in proc.stderr.splitlines() if l.strip()]
        why = [l for l in lines if "unsatisfiable" in l or l.startswith("hint:")]
        res["resolve_error"] = " / ".join(why).replace(str(d) + "/", "")[:300] or error_line(proc.stderr) or proc.stderr[-300:]
        return res
    if mode == "forced-numpy2":
        # Negative control: npsolve's own pins with NumPy swapped for a 2.x release. The check
        # must fail here for every stack whose compiled code was built against NumPy 1.x;
        # otherwise the check proves nothing.
        text = pinned.read_text()
        forced = re.sub(r"^numpy==\S+", f"numpy=={FORCED_NUMPY2}", text, flags=re.M)
        if "numpy==" not in text:
            forced = text + f"numpy=={FORCED_NUMPY2}\n"
        pinned.write_text(forced)
    # `npsolve check` on the very file installed: its verdict is compared with the real import.
    chk = run([env.npsolve, "check", str(pinned), "--python-version", PYTHON_VERSION,
               "--python-platform", PLATFORM], timeout=600)
    res["check_rc"] = chk.returncode
    res["check_kinds"] = sorted(set(re.findall(r": ([a-z-]+): `", chk.stdout + chk.stderr)))
    pins = pins_of(pinned)
    res["pins"] = pins
    res["abi_unchecked"] = unchecked_of(pinned)
    res["numpy_pin"] = pins.get("numpy", "")
    venv = d / "venv"
    try:
        p = run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        if p.returncode != 0:
            res["install_ok"] = False
            res["install_error"] = error_line(p.stderr)
            return res
        py = str(venv / "bin" / "python")
        p = run([env.uv, "pip", "install", "--python", py, "--no-deps", "--only-binary", ":all:",
                 "-r", str(pinned)], env=env.uv_env)
        res["install_ok"] = p.returncode == 0
        if p.returncode != 0:
            res["install_error"] = error_line(p.stderr) or p.stderr[-300:]
            return res
        code = CHECK_PRELUDE + textwrap.dedent(stack["check"]) + "\nprint('CHECK-OK')\n"
        p = run([py, "-c", code], timeout=600, cwd=str(d))
        m = re.search(r"NUMPY=(\S+)", p.stdout)
        res["numpy_installed"] = m.group(1) if m else ""
        res["import_ok"] = p.returncode == 0 and "CHECK-OK" in p.stdout
        res["abi_banner"] = any(marker in p.stderr for marker in ABI_MARKERS)
        if not res["import_ok"]:
            res["import_error"] = (
                error_line(p.stderr) if p.returncode >= 0 else f"killed by signal {-p.returncode}"
            )
    finally:
        shutil.rmtree(venv, ignore_errors=True)
    return res


def bench_one(env: Env, src: Path) -> dict:
    """Issue 4: npsolve's pins for a bench input pass `uv pip install --dry-run`; versions vs uv."""
    d = env.workdir / "bench" / src.stem
    d.mkdir(parents=True, exist_ok=True)
    res: dict = {"input": src.name}
    for mode, extra in (("abi", []), ("no-abi", ["--no-abi"])):
        out = d / f"npsolve.{mode}.txt"
        proc = env.compile(src, out, *extra)
        res[f"npsolve_{mode}_rc"] = proc.returncode
        res[f"npsolve_{mode}_seconds"] = round(proc.elapsed, 2)  # type: ignore[attr-defined]
        if proc.returncode != 0:
            res[f"npsolve_{mode}_error"] = error_line(proc.stderr)
        res[f"npsolve_{mode}_pins"] = pins_of(out) if out.exists() else {}
    uv_out = d / "uv.txt"
    uv_out.unlink(missing_ok=True)  # uv, like npsolve, prefers the pins of an existing output file
    started = time.monotonic()
    p = run([env.uv, "pip", "compile", str(src), "--python-version", PYTHON_VERSION,
             "--python-platform", PLATFORM, "-o", str(uv_out), "--no-header"], env=env.uv_env)
    res["uv_seconds"] = round(time.monotonic() - started, 2)
    res["uv_rc"] = p.returncode
    res["uv_pins"] = pins_of(uv_out) if uv_out.exists() else {}
    venv = d / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    try:
        pinned = d / "npsolve.abi.txt"
        if pinned.exists():
            p = run([env.uv, "pip", "install", "--dry-run", "--python", str(venv / "bin" / "python"),
                     "-r", str(pinned), "--python-version", PYTHON_VERSION,
                     "--python-platform", PLATFORM], env=env.uv_env)
            res["dry_run_rc"] = p.returncode
            text = p.stdout + p.stderr
            m = re.search(r"Would install (\d+) packages?", text)
            res["dry_run_would_install"] = int(m.group(1)) if m else None
            # Packages uv would add or change beyond the pins: lines like ` + name==ver`.
            adds = re.findall(r"^\s*\+ ([A-Za-z0-9._-]+)==(\S+)", text, re.M)
            pins = res["npsolve_abi_pins"]
            res["dry_run_differs"] = sorted(
                f"{n}=={v}" for n, v in adds
                if pins.get(re.sub(r"[-_.]+", "-", n).lower()) != v
            )
            if p.returncode != 0:
                res["dry_run_error"] = error_line(p.stderr) or p.stderr[-300:]
            # Beyond the dry run: really install the pins and import every top-level module.
            p = run([env.uv, "pip", "install", "--python", str(venv / "bin" / "python"), "--no-deps",
                     "--only-binary", ":all:", "-r", str(pinned)], env=env.uv_env)
            res["install_ok"] = p.returncode == 0
            if p.returncode != 0:
                res["install_error"] = error_line(p.stderr) or p.stderr[-300:]
            else:
                mods = [IMPORT_NAMES.get(t, t.replace("-", "_")) for t in top_level(src)]
                code = CHECK_PRELUDE + textwrap.dedent("""
                    import importlib, traceback
                    bad = []
                    for m in MODS:
                        try:
                            importlib.import_module(m)
                        except BaseException as e:
                            bad.append(f"{m}: {type(e).__name__}: {e}".splitlines()[0][:160])
                    print("BAD=" + repr(bad))
                """).replace("MODS", repr(mods))
                p = run([str(venv / "bin" / "python"), "-c", code], timeout=900, cwd=str(d))
                m = re.search(r"BAD=(\[.*\])", p.stdout)
                res["import_modules"] = len(mods)
                res["import_failures"] = m.group(1) if m else error_line(p.stderr)
                m = re.search(r"NUMPY=(\S+)", p.stdout)
                res["numpy_installed"] = m.group(1) if m else ""
    finally:
        shutil.rmtree(venv, ignore_errors=True)
    res["top_level"] = top_level(src)
    res["timing"] = time_both(env, src, d)
    return res


def time_both(env: Env, src: Path, d: Path, warm_runs: int = 3) -> dict:
    """Seconds to resolve `src`: one cold run (fresh cache dir) and the median of warm runs."""
    def npsolve(cache: Path) -> float:
        started = time.monotonic()
        run([env.npsolve, "compile", str(src), "--python-version", PYTHON_VERSION,
             "--python-platform", PLATFORM, "--cache-dir", str(cache), "-q", "-o", str(d / "t.n.txt")])
        (d / "t.n.txt").unlink(missing_ok=True)
        return time.monotonic() - started

    def uv(cache: Path) -> float:
        started = time.monotonic()
        run([env.uv, "pip", "compile", str(src), "--python-version", PYTHON_VERSION,
             "--python-platform", PLATFORM, "--cache-dir", str(cache), "-q", "-o", str(d / "t.u.txt")])
        (d / "t.u.txt").unlink(missing_ok=True)
        return time.monotonic() - started

    out = {}
    for tool, fn in (("npsolve", npsolve), ("uv", uv)):
        cache = d / f"timing-cache-{tool}"
        shutil.rmtree(cache, ignore_errors=True)
        cold = fn(cache)
        warm = sorted(fn(cache) for _ in range(warm_runs))
        shutil.rmtree(cache, ignore_errors=True)
        out[tool] = {"cold": round(cold, 2), "warm_median": round(warm[len(warm) // 2], 2)}
    return out


# Import names that differ from the distribution name (for the bench import check).
IMPORT_NAMES = {"scikit-learn": "sklearn", "scikit-image": "skimage", "dask": "dask.dataframe",
                "pyyaml": "yaml", "opencv-python-headless": "cv2"}


def top_level(src: Path) -> list[str]:
    """Normalised names of the requirements in an input file."""
    top = []
    for line in src.read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if m:
            top.append(re.sub(r"[-_.]+", "-", m.group(1)).lower())
    return top


def version_key(v: str):
    """Rough PEP 440 ordering for the report (release numbers only)."""
    parts = re.findall(r"\d+", v.split("+")[0])
    return tuple(int(x) for x in parts)


def write_markdown(results: dict, path: Path) -> None:
    """Render the tables of RESULTS.md from the raw results."""
    out = ["# Live check: npsolve pins install and import cleanly", ""]
    out.append(f"Date: {results['date']} (UTC). npsolve: `{results['npsolve_version']}`; "
               f"uv: `{results['uv_version']}`; host Python {results['host_python']}, "
               f"target CPython {PYTHON_VERSION} on `{PLATFORM}`.")
    out += ["", "Commands (per stack and mode):", "", "```",
            f"npsolve compile req.in --python-version {PYTHON_VERSION} --python-platform {PLATFORM} "
            "-o pinned.txt [--no-abi]",
            "python3 -m venv --without-pip venv",
            "uv pip install --python venv/bin/python --no-deps --only-binary :all: -r pinned.txt",
            "venv/bin/python -c '<import every top-level module + tiny computation in compiled code>'",
            "```", "", "Reproduce: `NPSOLVE_LIVE=1 python3 tests/live/abi_smoke.py`.", ""]
    smoke = results.get("smoke", [])
    if smoke:
        by = {(r["stack"], r["mode"]): r for r in smoke}
        out += ["## Issue 5: legacy stacks, with the ABI layer and without", "",
                "| stack | requirements | npsolve numpy | install | import + compute | "
                "--no-abi numpy | --no-abi import + compute (error) | "
                f"negative control: npsolve pins + numpy {FORCED_NUMPY2} | "
                "uv pip compile: numpy, import + compute | "
                "`npsolve check` exit (abi / no-abi / forced / uv) |",
                "|---|---|---|---|---|---|---|---|---|---|"]

        def cell(r: dict | None) -> tuple[str, str, str]:
            if r is None:
                return ("not run", "", "")
            if r.get("resolve_rc") != 0:
                if r["mode"] == "abi" and r["stack"] in UNSAT:
                    return (f"none: refused (exit {r.get('resolve_rc')}), as expected: "
                            f"`{r.get('resolve_error', '')}`", "-", "-")
                return (f"resolve failed (exit {r.get('resolve_rc')}): `{r.get('resolve_error', '')}`", "", "")
            inst = "ok" if r.get("install_ok") else f"FAIL: {r.get('install_error', '')}"
            if not r.get("install_ok"):
                return (r.get("numpy_pin") or "-", inst, "")
            imp = "ok" if r.get("import_ok") else f"FAIL: `{r.get('import_error', '')}`"
            if r.get("import_ok") and r.get("abi_banner"):
                imp += " (NumPy 1.x banner printed)"
            numpy = r.get("numpy_pin") or "-"
            if r.get("abi_unchecked") and r["mode"] == "abi":
                numpy += f" (flagged `ABI: unchecked`: {', '.join(r['abi_unchecked'])})"
            return (numpy, inst, imp)

        names = [s["name"] for s in STACKS if (s["name"], "abi") in by or (s["name"], "no-abi") in by]
        for name in names:
            reqs = ", ".join(f"`{x}`" for x in next(s for s in STACKS if s["name"] == name)["requirements"])
            a_np, a_inst, a_imp = cell(by.get((name, "abi")))
            n_np, n_inst, n_imp = cell(by.get((name, "no-abi")))
            if n_inst and n_inst != "ok":
                n_imp = f"install {n_inst}"
            _, f_inst, f_imp = cell(by.get((name, "forced-numpy2")))
            f_cell = f_imp if f_inst == "ok" else f"install {f_inst}"
            if name in UNSAT:
                f_cell = "n/a"
            u_np, u_inst, u_imp = cell(by.get((name, "uv")))
            u_cell = f"{u_np}, {u_imp if u_inst == 'ok' else 'install ' + u_inst}"
            checks = " / ".join(str(by.get((name, m), {}).get("check_rc", "-")) for m in MODES)
            out.append(f"| {name} | {reqs} | {a_np} | {a_inst} | {a_imp} | {n_np} | {n_imp} | {f_cell} "
                       f"| {u_cell} | {checks} |")
        ok = sum(1 for n in names if by.get((n, "abi"), {}).get("import_ok")
                 or (n in UNSAT and by.get((n, "abi"), {}).get("resolve_rc") == 1))
        broke = sum(1 for n in names if by.get((n, "no-abi"), {}).get("import_ok") is False)
        forced = sum(1 for n in names if by.get((n, "forced-numpy2"), {}).get("import_ok") is False)
        uv_broke = sum(1 for n in names if by.get((n, "uv"), {}).get("import_ok") is False)
        controls = sum(1 for n in names if n not in UNSAT)
        out += ["", f"With the ABI layer: {ok}/{len(names)} stacks install and pass. "
                f"With `--no-abi`: {broke}/{len(names)} stacks fail at import or compute. "
                f"Negative control (NumPy {FORCED_NUMPY2} forced over npsolve's pins): "
                f"{forced}/{controls} fail, i.e. the checks can fail. "
                f"`uv pip compile`: {uv_broke}/{len(names)} fail.", ""]
        for mode in ("abi", "uv"):
            secs = sorted(r["resolve_seconds"] for r in smoke if r["mode"] == mode and "resolve_seconds" in r)
            if secs:
                out.append(f"Resolve time, `{mode}` (warm caches, both tools): median "
                           f"{secs[len(secs) // 2]:.2f} s, max {secs[-1]:.2f} s over {len(secs)} stacks.")
        out.append("")
        ran = [r for r in smoke if r.get("install_ok") and "check_rc" in r]
        agree = [r for r in ran if (r["check_rc"] == 0) == bool(r.get("import_ok"))]
        missed = sorted({f"{r['stack']} ({r['mode']})" for r in ran
                         if r["check_rc"] == 0 and not r.get("import_ok")})
        false_alarm = sorted({f"{r['stack']} ({r['mode']})" for r in ran
                              if r["check_rc"] != 0 and r.get("import_ok")})
        out += [f"`npsolve check` agrees with the real import on {len(agree)}/{len(ran)} installed "
                f"sets. Broken but passed by check: {', '.join(missed) or 'none'}. "
                f"Flagged but imports fine: {', '.join(false_alarm) or 'none'}.", ""]
        out += ["Pins that differ between the two modes (top-level and NumPy-dependent):", ""]
        for name in names:
            a, n = by.get((name, "abi"), {}), by.get((name, "no-abi"), {})
            pa, pn = a.get("pins", {}), n.get("pins", {})
            diff = [f"{k} {pa.get(k, '-')} vs {pn.get(k, '-')}" for k in sorted(set(pa) | set(pn))
                    if pa.get(k) != pn.get(k)]
            out.append(f"* {name}: " + ("; ".join(diff) if diff else "identical"))
        out.append("")
    bench = results.get("bench", [])
    if bench:
        out += ["## Issue 4: bench inputs accepted by uv, and compared with `uv pip compile`", "",
                "```", f"npsolve compile X.in --python-version {PYTHON_VERSION} --python-platform "
                f"{PLATFORM} -o npsolve.txt",
                f"uv pip install --dry-run --python <empty venv> -r npsolve.txt --python-version "
                f"{PYTHON_VERSION} --python-platform {PLATFORM}",
                f"uv pip compile X.in --python-version {PYTHON_VERSION} --python-platform {PLATFORM}",
                "```", "",
                "| input | npsolve rc | npsolve pins | uv dry-run rc | would install | "
                "uv changes vs pins | uv compile pins | real install | top-level imports failing |",
                "|---|---|---|---|---|---|---|---|---|"]
        for b in bench:
            out.append(
                f"| {b['input']} | {b.get('npsolve_abi_rc')} | {len(b.get('npsolve_abi_pins', {}))} | "
                f"{b.get('dry_run_rc', 'n/a')} | "
                f"{b.get('dry_run_would_install')} | {', '.join(b.get('dry_run_differs', [])) or 'none'} | "
                f"{len(b.get('uv_pins', {}))} | "
                f"{'ok' if b.get('install_ok') else b.get('install_error', 'n/a')} | "
                f"{b.get('import_failures', 'n/a')} of {b.get('import_modules', '?')} |")
        out += ["", "Resolution time in seconds (same machine, same session; cold = fresh cache dir, "
                "warm = median of 3 runs on that cache):", "",
                "| input | npsolve cold | uv cold | npsolve warm | uv warm |", "|---|---|---|---|---|"]
        for b in bench:
            t = b.get("timing", {})
            n, u = t.get("npsolve", {}), t.get("uv", {})
            out.append(f"| {b['input']} | {n.get('cold')} | {u.get('cold')} | {n.get('warm_median')} | "
                       f"{u.get('warm_median')} |")
        out.append("")
        for b in bench:
            ab, na, uv = b.get("npsolve_abi_pins", {}), b.get("npsolve_no-abi_pins", {}), b.get("uv_pins", {})
            out += [f"### {b['input']}: versions that differ from uv", "",
                    "| package | top-level | npsolve | npsolve --no-abi | uv | npsolve older? |",
                    "|---|---|---|---|---|---|"]
            rows = 0
            for k in sorted(set(ab) | set(uv)):
                if ab.get(k) == uv.get(k):
                    continue
                older = ""
                if k in ab and k in uv:
                    older = "yes" if version_key(ab[k]) < version_key(uv[k]) else "no"
                top = "yes" if k in b.get("top_level", []) else ""
                out.append(f"| {k} | {top} | {ab.get(k, '-')} | {na.get(k, '-')} | {uv.get(k, '-')} | {older} |")
                rows += 1
            if rows == 0:
                out.append("| (none) | | | | | |")
            out.append("")
            if b.get("dry_run_error"):
                out += [f"uv dry-run error: `{b['dry_run_error']}`", ""]
    findings = HERE / "FINDINGS.md"
    if findings.exists():
        out += [findings.read_text().rstrip(), ""]
    text = "\n".join(out)
    if results.get("workdir"):
        text = text.replace(results["workdir"], "<workdir>")
    path.write_text(text)


def main() -> int:
    if os.environ.get("NPSOLVE_LIVE") != "1":
        print("skipped (set NPSOLVE_LIVE=1 to run the live PyPI install/import checks)")
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["smoke", "bench"])
    ap.add_argument("--stack", action="append", help="run only these stacks (by name)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", default=str(HERE / "results.json"))
    ap.add_argument("--markdown", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--render", action="store_true",
                    help="only re-render the markdown from the results file (no network)")
    args = ap.parse_args()
    if args.render:
        write_markdown(json.loads(Path(args.results).read_text()), Path(args.markdown))
        return 0

    npsolve = os.environ.get("NPSOLVE_BIN", str(REPO / "target" / "release" / "npsolve"))
    uv = os.environ.get("UV") or shutil.which("uv") or "/work/scratch-venv/bin/uv"
    for tool in (npsolve, uv):
        if not Path(tool).exists():
            print(f"missing tool `{tool}` (build npsolve: cargo build --release -p npsolve-cli)")
            return 2
    workdir = Path(os.environ.get("NPSOLVE_LIVE_WORKDIR") or tempfile.mkdtemp(prefix="npsolve-live-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = Env(workdir, npsolve, uv)
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "npsolve_version": run([npsolve, "--version"]).stdout.strip(),
        "uv_version": run([uv, "--version"]).stdout.strip(),
        "host_python": sys.version.split()[0],
        "workdir": str(workdir),
    }
    prev = Path(args.results)
    if prev.exists():
        old = json.loads(prev.read_text())
        results["smoke"] = old.get("smoke", [])
        results["bench"] = old.get("bench", [])

    if args.only in (None, "smoke"):
        stacks = [s for s in STACKS if not args.stack or s["name"] in args.stack]
        jobs = [(s, m) for s in stacks for m in MODES
                if not (m == "forced-numpy2" and s.get("expect_unsat"))]
        done = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futs = {pool.submit(smoke_one, env, s, m): (s["name"], m) for s, m in jobs}
            for f in concurrent.futures.as_completed(futs):
                r = f.result()
                done[futs[f]] = r
                status = "ok" if r.get("import_ok") else (
                    r.get("import_error") or r.get("install_error") or r.get("resolve_error") or "?")
                print(f"{r['stack']:<22} {r['mode']:<7} numpy={r.get('numpy_pin', '-'):<8} {status}",
                      flush=True)
        keep = [r for r in results.get("smoke", []) if (r["stack"], r["mode"]) not in done]
        order = {(s["name"], m): i for i, (s, m) in enumerate((s, m) for s in STACKS for m in MODES)}
        results["smoke"] = sorted(keep + list(done.values()), key=lambda r: order.get((r["stack"], r["mode"]), 1e9))
    if args.only in (None, "bench"):
        bench_dir = Path(os.environ.get("NPSOLVE_BENCH_DIR", "/work/shared/bench"))
        results["bench"] = [bench_one(env, bench_dir / n) for n in ("sci-stack.in", "boto.in")]
        for b in results["bench"]:
            print(f"{b['input']}: npsolve rc={b.get('npsolve_abi_rc')} dry-run rc={b.get('dry_run_rc')} "
                  f"would install {b.get('dry_run_would_install')} of {len(b.get('npsolve_abi_pins', {}))}",
                  flush=True)
    Path(args.results).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    write_markdown(results, Path(args.markdown))
    failed = [r for r in results.get("smoke", []) if r["mode"] == "abi" and not r.get("import_ok")
              and not (r["stack"] in UNSAT and r.get("resolve_rc") == 1)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
