"""`python -m npsolve ARGS`: runs the installed `npsolve` executable with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from npsolve import find_npsolve_bin


def main() -> int:
    """Runs npsolve with this process's arguments; returns its exit code."""
    binary = find_npsolve_bin()
    arguments = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        # No exec on Windows: wait for the child and pass its code on.
        return subprocess.call(arguments)
    os.execv(binary, arguments)
    return 1  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
