"""Runs one PEP 517 hook of a build backend in the current folder (the source tree).

Usage: python hook.py HOOK BACKEND BACKEND_PATH_JSON OUT_DIR RESULT_FILE

HOOK is `requires` (get_requires_for_build_wheel) or `metadata`
(prepare_metadata_for_build_wheel, else build_wheel and the METADATA inside the wheel).
The answer is written to RESULT_FILE as JSON, so that whatever the backend prints cannot be
mistaken for it. Part of npsolve's build frontend; it runs only when a build was asked for.
"""

import importlib
import json
import os
import sys
import zipfile


def load_backend(spec, backend_path):
    # PEP 517: backend-path entries are relative to the source tree and come first.
    for entry in reversed(backend_path):
        sys.path.insert(0, os.path.abspath(entry))
    module_name, _, attributes = spec.partition(":")
    backend = importlib.import_module(module_name.strip())
    for attribute in filter(None, attributes.strip().split(".")):
        backend = getattr(backend, attribute)
    return backend


def wheel_metadata(backend, out_dir):
    prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
    if prepare is not None:
        dist_info = prepare(out_dir, {})
        return os.path.join(out_dir, dist_info, "METADATA")
    wheel = backend.build_wheel(out_dir, {})
    with zipfile.ZipFile(os.path.join(out_dir, wheel)) as archive:
        names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        if len(names) != 1:
            raise SystemExit(f"the wheel {wheel} has {len(names)} .dist-info/METADATA files")
        target = os.path.join(out_dir, "METADATA")
        with open(target, "wb") as out:
            out.write(archive.read(names[0]))
        return target


def main():
    hook, spec, backend_path, out_dir, result = sys.argv[1:6]
    backend = load_backend(spec, json.loads(backend_path))
    if hook == "requires":
        get_requires = getattr(backend, "get_requires_for_build_wheel", None)
        answer = list(get_requires({})) if get_requires is not None else []
    elif hook == "metadata":
        answer = wheel_metadata(backend, out_dir)
    else:
        raise SystemExit(f"unknown hook {hook}")
    with open(result, "w", encoding="utf-8") as out:
        json.dump(answer, out)


if __name__ == "__main__":
    main()
