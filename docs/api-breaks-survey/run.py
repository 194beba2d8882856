"""Select numpy-dependent pure-Python packages from the hugovk ranking and scan
their newest and oldest pure-Python wheels with the npsolve `scan` example.

  python run.py select   # writes packages.tsv, selection-log.tsv (PyPI JSON cached in json/)
  python run.py scan     # writes results.tsv, uses.tsv (wheels cached in wheels/)

Every project of the ranking is looked up on PyPI in ranking order (one JSON
request each, cached in $SURVEY_WORK/json), stopping at 200 kept.
"""
import concurrent.futures as cf
import csv
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

HERE = Path(__file__).resolve().parent
# Downloads and extracted files go under $SURVEY_WORK (default: ./survey-work, outside git).
WORK = Path(os.environ.get("SURVEY_WORK", "survey-work")).resolve()
JSON_DIR = WORK / "json"
WHEELS = WORK / "wheels"
EXTRACT = WORK / "extract"
# The scanner: `cargo build --release -p npsolve-api-breaks --example scan` in this repository.
SCAN = Path(os.environ.get("NPSOLVE_SCAN", HERE.parent.parent / "target" / "release" / "examples" / "scan"))
TARGET = 200
PY = "3.11.7"
ENV = default_environment()
ENV.update({"python_version": "3.11", "python_full_version": PY, "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "sys_platform": "linux", "os_name": "posix",
            "platform_system": "Linux", "platform_machine": "x86_64", "extra": ""})
UA = {"User-Agent": "top200-numpy-scan/0.1 (one-off measurement)"}


def get(url, dest=None, tries=4):
    for i in range(tries):
        try:
            req = urllib.request.Request(url, headers=UA)
            with urllib.request.urlopen(req, timeout=120) as r:
                data = r.read()
            if dest:
                tmp = Path(str(dest) + ".part")
                tmp.write_bytes(data)
                tmp.rename(dest)
            return data
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            time.sleep(2 * (i + 1))
        except Exception:
            time.sleep(2 * (i + 1))
    raise RuntimeError(f"failed: {url}")


def pypi_json(name):
    JSON_DIR.mkdir(exist_ok=True)
    p = JSON_DIR / f"{canonicalize_name(name)}.json"
    if p.exists():
        return json.loads(p.read_text())
    data = get(f"https://pypi.org/pypi/{name}/json")
    if data is None:
        p.write_text("null")
        return None
    p.write_bytes(data)
    return json.loads(data)


def is_pure(filename):
    return filename.endswith("-py3-none-any.whl") or filename.endswith("-py2.py3-none-any.whl")


def requires_numpy(reqs):
    for s in reqs or []:
        try:
            r = Requirement(s)
        except InvalidRequirement:
            continue
        if canonicalize_name(r.name) != "numpy":
            continue
        if r.marker is None or r.marker.evaluate(dict(ENV)):
            return True
    return False


def py_ok(rp):
    if not rp:
        return True
    try:
        return SpecifierSet(rp, prereleases=True).contains(PY, prereleases=True)
    except InvalidSpecifier:
        return False


def pure_wheel(files, need_python):
    for f in files:
        if f.get("packagetype") == "bdist_wheel" and is_pure(f["filename"]) and not f.get("yanked"):
            if not need_python or py_ok(f.get("requires_python")):
                return f
    return None


def pick_releases(d):
    newest_v = d["info"]["version"]
    newest = pure_wheel(d["releases"].get(newest_v, d.get("urls", [])), need_python=False)
    oldest = None
    vers = []
    for v in d["releases"]:
        try:
            pv = Version(v)
        except InvalidVersion:
            continue
        if pv.is_prerelease or pv.is_devrelease:
            continue
        vers.append((pv, v))
    for pv, v in sorted(vers):
        f = pure_wheel(d["releases"][v], need_python=True)
        if f:
            oldest = (v, f)
            break
    return (newest_v, newest), oldest


def select():
    rank = json.load(open(WORK / "top-pypi-packages-30-days.json"))["rows"]
    kept, log = [], []
    # Every project of the ranking, in order, until 200 qualify (one PyPI JSON request each).
    for i, row in enumerate(rank, 1):
        d = pypi_json(row["project"])
        if d is None:
            log.append((i, row["project"], "no JSON"))
            continue
        (nv, nf), _ = pick_releases(d)
        if nf is None:
            log.append((i, row["project"], f"newest {nv} has no pure wheel"))
            continue
        if not requires_numpy(d["info"].get("requires_dist")):
            log.append((i, row["project"], f"newest {nv} does not require numpy"))
            continue
        kept.append((i, row["project"], row["download_count"], nv))
        log.append((i, row["project"], f"kept {nv}"))
        print(len(kept), i, row["project"], nv, flush=True)
        if len(kept) >= TARGET:
            break
    with open(HERE / "packages.tsv", "w") as f:
        f.write("rank\tname\tdownloads\tnewest_version\n")
        for k in kept:
            f.write("\t".join(map(str, k)) + "\n")
    with open(HERE / "selection-log.tsv", "w") as f:
        f.write("rank\tname\toutcome\n")
        for k in log:
            f.write("\t".join(map(str, k)) + "\n")
    print(f"kept {len(kept)}; looked up {len(log)}")


def skip_member(p):
    return ("/tests/" in p or "/test/" in p or p.startswith("tests/") or p.startswith("test/")
            or "testing/" in p)


LINE = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<text>.*) \((?P<name>\S+) removed in "
                  r"(?P<ver>[^;]+); (?P<when>import time|call time)(?P<guard>, guarded)?\)$")


def wheel_metadata_requires_numpy(zf):
    for n in zf.namelist():
        if n.endswith(".dist-info/METADATA") and n.count("/") == 1:
            msg = Parser().parsestr(zf.read(n).decode("utf-8", "replace"))
            return requires_numpy(msg.get_all("Requires-Dist") or [])
    return None


def scan_one(name, version, which, f):
    WHEELS.mkdir(exist_ok=True)
    wpath = WHEELS / f["filename"]
    if not wpath.exists():
        get(urllib.parse.urljoin(f"https://pypi.org/pypi/{name}/json", f["url"]), wpath)
    outdir = EXTRACT / canonicalize_name(name) / version
    files = []
    with zipfile.ZipFile(wpath) as zf:
        meta_np = wheel_metadata_requires_numpy(zf)
        for m in zf.namelist():
            if not m.endswith(".py") or skip_member(m):
                continue
            data = zf.read(m)
            if b"numpy" not in data and b"scipy" not in data:
                continue
            dest = outdir / m
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            files.append(str(dest))
    uses, errors = [], 0

    def run(paths):
        return subprocess.run(["nice", "-n", "10", str(SCAN), *paths], capture_output=True, text=True,
                              errors="replace")

    for k in range(0, len(files), 500):
        chunk = files[k:k + 500]
        r = run(chunk)
        out = r.stdout
        if r.returncode != 0:  # rerun file by file to isolate the failing ones
            out = ""
            for p in chunk:
                r1 = run([p])
                if r1.returncode != 0:
                    errors += 1
                out += r1.stdout
        for line in out.splitlines():
            m = LINE.match(line)
            if m:
                uses.append(m.groupdict())
    prefix = str(outdir) + "/"
    for u in uses:
        u["path"] = u["path"][len(prefix):] if u["path"].startswith(prefix) else u["path"]
    return {"name": name, "version": version, "which": which, "wheel": f["filename"], "files": len(files),
            "errors": errors, "meta_np": meta_np, "uses": uses}


def scan():
    rows = list(csv.DictReader(open(HERE / "packages.tsv"), delimiter="\t"))
    jobs = []
    for r in rows:
        d = pypi_json(r["name"])
        (nv, nf), old = pick_releases(d)
        jobs.append((r["name"], nv, "newest", nf))
        if old:
            ov, of = old
            jobs.append((r["name"], ov, "oldest", of))
    results = []
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        def safe(j):
            try:
                return scan_one(*j)
            except Exception as e:  # record and go on
                return {"name": j[0], "version": j[1], "which": j[2], "wheel": j[3]["filename"], "files": 0,
                        "errors": f"failed: {e}", "meta_np": None, "uses": []}

        for res in ex.map(safe, jobs):
            results.append(res)
            print(res["name"], res["version"], res["which"], res["files"], len(res["uses"]), flush=True)
    with open(HERE / "results.tsv", "w") as f, open(HERE / "uses.tsv", "w") as g:
        f.write("name\tversion\twhich\tfiles_scanned\timport_time_unguarded\tcall_time_unguarded\tguarded\t"
                "removed_names\twheel\tscan_errors\twheel_metadata_requires_numpy\n")
        g.write("name\tversion\twhich\tfile\tline\tcol\tremoved_name\tremoved_in\twhen\tguarded\ttext\n")
        for res in results:
            u = res["uses"]
            imp = sum(1 for x in u if x["when"] == "import time" and not x["guard"])
            call = sum(1 for x in u if x["when"] == "call time" and not x["guard"])
            gd = sum(1 for x in u if x["guard"])
            names = ",".join(sorted({x["name"] for x in u}))
            f.write(f"{res['name']}\t{res['version']}\t{res['which']}\t{res['files']}\t{imp}\t{call}\t{gd}\t"
                    f"{names}\t{res['wheel']}\t{res['errors']}\t{res['meta_np']}\n")
            for x in u:
                g.write(f"{res['name']}\t{res['version']}\t{res['which']}\t{x['path']}\t{x['line']}\t{x['col']}\t"
                        f"{x['name']}\t{x['ver']}\t{x['when']}\t{'yes' if x['guard'] else 'no'}\t"
                        f"{x['text'].replace(chr(9), ' ')}\n")


if __name__ == "__main__":
    os.chdir(HERE)
    {"select": select, "scan": scan}[sys.argv[1]]()
