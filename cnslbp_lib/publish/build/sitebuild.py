"""Build the whole website from any cohort file, safely.

The file (any format and layout :func:`~cnslbp_lib.data.load.load_cohort`
reads) and the book's self-checks are validated before anything is written. The site is built in a
temporary directory with the file named by ``$CNSLBP_DATA``, and a
workbook's sheet by ``$CNSLBP_SHEET`` (every chapter
runs on it, or comes from the execution cache when nothing it depends on
changed) and moved into place only when the build succeeded. Nothing
under ``data/`` or ``book/`` is touched, and an existing output folder is only
replaced if it holds a previous build. If the build fails, the error names the
chapter and the reason in one line and the file holding the full log; no
traceback reaches the terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ...data.load import load_cohort
from ...data.source import DATA_ENV, DEFAULT_DATA, PROJECT_ROOT, SHEET_ENV
from ...exceptions import BuildError

__all__ = ["BUILD_MARKER", "build_site", "failure_summary"]

BUILD_MARKER = ".cnslbp-build"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# where jupyter-book's output turns from progress into the story of a failure
_FAILURE_STARTS = (
    "Exception occurred",
    "Extension error",
    "Traceback (most recent call last)",
    "An error occurred while executing",
)
# myst-nb names the notebook's path; the book's own executor (publish/build/execution.py) its file name
_FAILED_CHAPTER = re.compile(r"ExecutionError: (\S+?\.(?:ipynb|md))\b|^(\S+?\.ipynb) failed while executing")
_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$")
_WRAPPERS = ("CellExecutionError", "ExecutionError", "RuntimeError")
_WARNING_LINE = re.compile(r"^(\S+?\.(?:ipynb|md))(?::\d+)?: (?:WARNING|ERROR): (.+)$")


def failure_summary(lines: Iterable[str], root: Path) -> str:
    """The failing chapter and the reason, in one line, from jupyter-book's output."""
    text = [_ANSI.sub("", line).rstrip() for line in lines]
    chapter = next((match.group(1) or match.group(2) for line in text if (match := _FAILED_CHAPTER.search(line))), None)
    if chapter is not None and "/" not in chapter and (root / "book" / chapter).exists():
        chapter = str(root / "book" / chapter)
    reason = next(
        (
            f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)}"
            for line in text
            if (match := _ERROR_LINE.match(line)) and not match.group(1).endswith(_WRAPPERS)
        ),
        None,
    )
    if chapter is None:
        warning = next((match for line in text if (match := _WARNING_LINE.match(line))), None)
        if warning is not None:
            chapter, reason = warning.group(1), reason or warning.group(2)
    where = "the book"
    if chapter is not None:
        path = Path(chapter)
        where = f"the chapter {path.relative_to(root) if path.is_relative_to(root) else path}"
    last = next((line.strip() for line in reversed(text) if line.strip()), "no output")
    return f"{where} failed: {reason or last}"


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
    sheet: str | None = None,
    root: Path = PROJECT_ROOT,
    quiet: bool = False,
) -> Path:
    """Build the website from ``data`` into ``out``; return the output folder.

    Parameters
    ----------
    data : path, optional
        Cohort file in any format and layout the loader reads; defaults to the
        reconstruction, ``data/cohort.csv``.
    out : path, optional
        Output folder for the HTML; defaults to ``_build/html``.
    sheet : str, optional
        The workbook's sheet, if ``data`` is a workbook (default: the first).
    quiet : bool
        Capture the build's progress instead of printing it (it is included
        in the error message if the build fails).

    Raises
    ------
    CohortValidationError
        If the cohort file is invalid; nothing is written.
    SelfCheckFileError
        If the book's self-check file (``book/self_checks.yaml``) breaks a rule; nothing is written.
    BuildError
        If the build fails or the destination is unsafe; nothing is written.
    """
    source = Path(data).expanduser().resolve() if data is not None else DEFAULT_DATA
    load_cohort(source, sheet=sheet)  # stops here, before anything is written, with every problem listed
    from .self_check import load_self_checks  # noqa: PLC0415 (Sphinx and the roles load only for a build)

    self_checks = root / "book" / "self_checks.yaml"
    if self_checks.exists():  # likewise: every broken rule, named, before any build (a book may have none)
        load_self_checks(self_checks)
    destination = Path(out).expanduser().resolve() if out is not None else root / "_build" / "html"
    _check_destination(destination, root.resolve())
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cnslbp-build-", dir=destination.parent) as work:
        command = [_jupyter_book(), "build", str(root), "--all", "-W", "-n", "--keep-going", "--path-output", work]
        environment = {key: value for key, value in os.environ.items() if key != SHEET_ENV}
        environment[DATA_ENV] = str(source)
        if sheet is not None:
            environment[SHEET_ENV] = sheet
        if not quiet:
            print(f"Building the book from {source} (chapters run unless cached; up to a minute)", file=sys.stderr)
        returncode, lines = _run(command, environment, root, echo=not quiet)
        built = Path(work) / "_build" / "html"
        if returncode != 0 or not (built / "index.html").exists():
            reports = sorted((built / "reports").rglob("*.log")) if (built / "reports").exists() else []
            log = _keep_log(lines, reports)
            raise BuildError(
                f"{failure_summary(lines, root)}\nThe book did not build (jupyter-book exit code {returncode}), so "
                f"nothing was written; the full log is in {log}"
            )
        (built / BUILD_MARKER).write_text(f"built from {source.name}\n", encoding="utf-8")
        previous = destination.with_name(destination.name + ".previous")
        if destination.exists():
            destination.rename(previous)
        shutil.move(str(built), destination)
        if previous.exists():
            shutil.rmtree(previous)
    return destination


def _run(command: list[str], environment: dict[str, str], root: Path, *, echo: bool) -> tuple[int, list[str]]:
    """Run the build, keeping every line; echo its progress, but never the traceback of a failure."""
    lines: list[str] = []
    failing = False
    with subprocess.Popen(
        command,
        env=environment,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        for line in process.stdout or ():
            lines.append(line)
            failing = failing or any(marker in _ANSI.sub("", line) for marker in _FAILURE_STARTS)
            if echo and not failing:
                sys.stderr.write(line)
        returncode = process.wait()
    return returncode, lines


def _keep_log(lines: list[str], reports: list[Path]) -> Path:
    """Write the build's whole output (and any per-chapter reports) to a file that outlives the build."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="cnslbp-build-", suffix=".log", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(_ANSI.sub("", "".join(lines)))
        for report in reports:
            handle.write(f"\n\n==> {report.name} <==\n{report.read_text(encoding='utf-8', errors='replace')}")
    return Path(handle.name)
