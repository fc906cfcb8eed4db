"""Build the whole website from any cohort file, safely.

The file is validated before anything is written. The site is built in a
temporary directory with the file named by ``$CNSLBP_DATA`` (so every chapter
re-executes on it) and moved into place only when the build succeeded. Nothing
under ``data/`` or ``book/`` is touched, and an existing output folder is only
replaced if it holds a previous build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..data.load import load_cohort
from ..data.source import DATA_ENV, DEFAULT_DATA, PROJECT_ROOT
from ..exceptions import BuildError

__all__ = ["BUILD_MARKER", "build_site"]

BUILD_MARKER = ".cnslbp-build"


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if found is None:
        raise BuildError("jupyter-book is not installed in this environment; run 'make book' to set it up")
    return found


def _check_destination(out: Path, root: Path) -> None:
    protected = [root, root / "data", root / "book", root / "cnslbp_lib", root / "tests"]
    for folder in protected:
        if out == folder or (folder in out.parents and folder != root):
            raise BuildError(
                f"refusing to build into {out}: it is, or is inside, the project's {folder.name or 'root'}"
            )
    previous_build = (out / BUILD_MARKER).exists() or (out / ".buildinfo").exists()
    if out.exists() and any(out.iterdir()) and not previous_build:
        raise BuildError(f"refusing to replace {out}: it exists and does not hold a previous build of this book")


def build_site(
    data: str | Path | None = None,
    out: str | Path | None = None,
    *,
    root: Path = PROJECT_ROOT,
    quiet: bool = False,
) -> Path:
    """Build the website from ``data`` into ``out``; return the output folder.

    Parameters
    ----------
    data : path, optional
        Cohort file; defaults to the reconstruction, ``data/cohort.csv``.
    out : path, optional
        Output folder for the HTML; defaults to ``_build/html``.
    quiet : bool
        Capture the build's progress instead of printing it (it is included
        in the error message if the build fails).

    Raises
    ------
    CohortValidationError
        If the cohort file is invalid; nothing is written.
    BuildError
        If the build fails or the destination is unsafe; nothing is written.
    """
    source = Path(data).expanduser().resolve() if data is not None else DEFAULT_DATA
    load_cohort(source)  # stops here, before anything is written, with every problem listed
    destination = Path(out).expanduser().resolve() if out is not None else root / "_build" / "html"
    _check_destination(destination, root.resolve())
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cnslbp-build-", dir=destination.parent) as work:
        command = [_jupyter_book(), "build", str(root), "--all", "-W", "-n", "--keep-going", "--path-output", work]
        environment = {**os.environ, DATA_ENV: str(source)}
        if not quiet:
            print(f"Building the book from {source} (every chapter re-executes; this takes a minute)", file=sys.stderr)
        result = subprocess.run(
            command,
            env=environment,
            cwd=root,
            text=True,
            stdout=subprocess.PIPE if quiet else sys.stderr,
            stderr=subprocess.STDOUT if quiet else sys.stderr,
            check=False,
        )
        built = Path(work) / "_build" / "html"
        if result.returncode != 0 or not (built / "index.html").exists():
            tail = "\n".join((result.stdout or "").splitlines()[-40:]) if quiet else "see the output above"
            raise BuildError(
                f"the book did not build (jupyter-book exit code {result.returncode}); nothing was written.\n{tail}"
            )
        (built / BUILD_MARKER).write_text(f"built from {source.name}\n", encoding="utf-8")
        previous = destination.with_name(destination.name + ".previous")
        if destination.exists():
            destination.rename(previous)
        shutil.move(str(built), destination)
        if previous.exists():
            shutil.rmtree(previous)
    return destination
