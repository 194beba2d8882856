"""npsolve, the NumPy-ABI-aware resolver, as installed from PyPI.

The package holds no resolver code: the wheel installs the `npsolve` executable beside the
interpreter's other scripts, and `python -m npsolve` runs it. `find_npsolve_bin()` says where
it is, for tools that call it from Python.
"""

from __future__ import annotations

import os
import sysconfig

__all__ = ["find_npsolve_bin"]


def find_npsolve_bin() -> str:
    """The path of the `npsolve` executable this package installed.

    Looks where installers put scripts: the scheme of this interpreter (a venv, the system),
    then the user scheme (`pip install --user`), then the folder of this package's own
    installation (`pip install --target`). Raises FileNotFoundError naming the places tried.
    """
    name = "npsolve" + (sysconfig.get_config_var("EXE") or "")
    tried = []
    candidates = [sysconfig.get_path("scripts")]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # `pip install --target DIR` puts scripts in DIR/bin, two levels above this file.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin"))
    for folder in candidates:
        if not folder:
            continue
        path = os.path.join(folder, name)
        tried.append(path)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"the npsolve executable is not installed beside this package; looked in: {', '.join(tried)}"
    )
