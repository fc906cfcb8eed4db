"""Execute the book's chapters before Sphinx reads them: in parallel, in warm kernels, with a cache.

Jupyter Book executes one notebook at a time, as Sphinx reads it, and every
chapter starts a fresh kernel that spends most of its time importing pandas,
SciPy and Altair. Here, when Sphinx is about to read, every chapter it will
read is submitted to a pool with two workers per core:

- **Warm kernels** (:mod:`cnslbp_lib.publish.build.kernels`). Each chapter still runs in its own, new Jupyter kernel (a
  real ipykernel process, talking to nbclient over ZeroMQ as usual), but the
  kernel is forked from a process that has already imported ipykernel and
  ``cnslbp_lib``, so it starts with those imports done (and with the ensemble
  summary's stamp computed, which every chapter that opens the summary checks). Nothing else is shared
  between chapters. ``CNSLBP_WARM_KERNELS=0`` turns this off (plain kernels).
- **A cache keyed on every input.** An executed chapter is stored under the
  SHA-256 of its notebook file and of :func:`inputs_digest`: the library's
  source, every file under ``data/``, the cohort file the book is built from
  (its path and bytes), the lock file, ``pyproject.toml``, the Python version
  and every installed distribution. Change any of them and the chapter runs
  again; nothing else can change an output. ``CNSLBP_EXECUTION_CACHE`` names
  another cache folder, or ``off`` to run every chapter.

The Sphinx extension (:mod:`cnslbp_lib.publish.build.site`) submits the chapters at
``env-before-read-docs`` and hands Sphinx each executed notebook at
``source-read``; myst-nb's own execution is off (``execute_notebooks: "off"``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import importlib.metadata
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...data.instruments import paper_path
from ...exceptions import NotebookExecutionError
from .kernels import WarmKernels, ipc_kernel_manager

__all__ = [
    "CACHE_ENV",
    "WARM_ENV",
    "ChapterRunner",
    "ExecutedChapter",
    "NotebookExecutionError",
    "WarmKernels",
    "cache_folder",
    "inputs_digest",
    "ipc_kernel_manager",
]

CACHE_ENV = "CNSLBP_EXECUTION_CACHE"
WARM_ENV = "CNSLBP_WARM_KERNELS"
KEEP_CACHED = 200  # executed chapters kept in the cache; the least recently used go first
logger = logging.getLogger(__name__)


def _digest_files(digest: Any, root: Path, paths: Iterable[Path]) -> None:
    for path in sorted(paths):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")


def inputs_digest(root: Path, data: Path, sheet: str | None = None) -> str:
    """SHA-256 of everything but the notebook itself that a chapter's outputs can depend on.

    ``sheet`` is the workbook sheet the chapters read, if the cohort file is a workbook.
    """
    digest = hashlib.sha256(b"cnslbp-execution-1\0")
    _digest_files(digest, root, (root / "cnslbp_lib").rglob("*"))
    _digest_files(digest, root, (root / "data").rglob("*"))
    _digest_files(digest, root, (root / "papers").rglob("*"))
    # the paper file the book describes ($CNSLBP_PAPER, or the one in papers/)
    paper = paper_path()
    digest.update(f"paper file {paper.resolve()}\0".encode() + paper.read_bytes() + b"\0")
    _digest_files(digest, root, [root / "requirements.lock", root / "pyproject.toml"])
    digest.update(f"cohort file {data.resolve()}\0sheet {sheet!r}\0".encode())
    digest.update(data.read_bytes() + b"\0")
    digest.update(f"python {sys.version}\0".encode())
    installed = sorted(
        f"{distribution.metadata['Name']}=={distribution.version}"
        for distribution in importlib.metadata.distributions()
    )
    digest.update("\n".join(installed).encode())
    return digest.hexdigest()


def cache_folder(root: Path) -> Path | None:
    """Where executed chapters are kept (``$CNSLBP_EXECUTION_CACHE``), or None when caching is off."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured.lower() == "off":
        return None
    return Path(configured).expanduser().resolve() if configured else root / "_build" / ".cnslbp-execution"


# --- warm kernels ---------------------------------------------------------------------------------
# The launcher is what jupyter_client starts as "the kernel": it hands its cwd, environment and
# standard streams to the warm process, which forks the real kernel, then it waits for that kernel
# to exit, passing on signals (interrupts, terminations) to it. It imports nothing heavy.
@dataclass(frozen=True)
class ExecutedChapter:
    """A chapter's executed notebook (nbformat JSON text) and how it was obtained."""

    text: str
    seconds: float
    cached: bool


class ChapterRunner:
    """Executes notebooks in a pool (two workers per core) and keeps the results in a cache.

    ``submit`` every chapter first, then ask for each one's ``result``; a chapter
    whose key is in the cache is not executed again.
    """

    def __init__(
        self, key: str, cache: Path | None, *, cwd: Path, timeout: int = 300, workers: int | None = None
    ) -> None:
        self.key = key
        self.cache = cache
        self.timeout = timeout
        self._cwd = cwd
        # two per core: a kernel spends much of its life waiting (starting, shutting down), not computing
        self.workers = workers or 2 * (os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="chapter")
        self._futures: dict[Path, Future[ExecutedChapter]] = {}
        self._started = time.perf_counter()
        self.cache_hits = 0
        self._finished: list[float] = []
        self._warm: WarmKernels | None = None
        self._lock = threading.Lock()
        self._sockets = tempfile.TemporaryDirectory(prefix="cnslbp-sockets-")

    def _cached(self, text: str) -> Path | None:
        if self.cache is None:
            return None
        name = hashlib.sha256(f"{self.key}\0{text}".encode()).hexdigest()
        return self.cache / f"{name}.ipynb"

    def submit(self, path: Path, text: str) -> None:
        """Start executing ``path`` (whose file content is ``text``) unless it is cached."""
        path = path.resolve()
        stored = self._cached(text)
        if stored is not None:
            try:
                os.utime(stored)  # recently used: pruned last
                executed = stored.read_text(encoding="utf-8")
            except FileNotFoundError:  # not cached (or pruned by another build just now)
                pass
            else:
                self.cache_hits += 1
                hit: Future[ExecutedChapter] = Future()
                hit.set_result(ExecutedChapter(executed, 0.0, cached=True))
                self._futures[path] = hit
                return
        if self._warm is None and os.environ.get(WARM_ENV, "1") != "0":
            self._warm = WarmKernels(self._cwd)
        future = self._pool.submit(self._execute, path, text, stored)
        future.add_done_callback(lambda _: self._finished.append(time.perf_counter()))
        self._futures[path] = future

    def _execute(self, path: Path, text: str, stored: Path | None) -> ExecutedChapter:
        import nbformat  # noqa: PLC0415
        from nbclient import NotebookClient  # noqa: PLC0415
        from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: PLC0415

        notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        manager = ipc_kernel_manager(Path(self._sockets.name))
        if self._warm is not None and self._warm.wait():
            manager = self._warm.kernel_manager_class(manager)
        timeout = notebook.metadata.get("execution", {}).get("timeout", self.timeout)
        started = time.perf_counter()
        client = NotebookClient(
            notebook,
            timeout=timeout,
            allow_errors=False,
            resources={"metadata": {"path": str(path.parent)}},
            kernel_manager_class=manager,
        )
        try:
            # an event loop of its own, closed afterwards (nbclient's execute() would keep one per thread)
            asyncio.run(client.async_execute())
        except (CellExecutionError, CellTimeoutError) as error:
            raise NotebookExecutionError(f"{path.name} failed while executing:\n{error}") from None
        executed = nbformat.writes(notebook)  # type: ignore[no-untyped-call]
        if stored is not None:
            self._store(stored, executed)
        return ExecutedChapter(executed, time.perf_counter() - started, cached=False)

    def _store(self, stored: Path, text: str) -> None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        partial = stored.with_name(f".{stored.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(stored)
        with self._lock:
            kept = sorted(stored.parent.glob("*.ipynb"), key=lambda entry: entry.stat().st_mtime, reverse=True)
            for old in kept[KEEP_CACHED:]:
                old.unlink(missing_ok=True)

    @property
    def ready_after(self) -> float:
        """Seconds from the first chapter submitted to the last one ready."""
        return max(self._finished, default=self._started) - self._started

    def __contains__(self, path: Path) -> bool:
        return path.resolve() in self._futures

    def result(self, path: Path) -> ExecutedChapter:
        """The executed notebook for ``path``; raises NotebookExecutionError if a cell raised."""
        return self._futures[path.resolve()].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._warm is not None:
            self._warm.close()
            self._warm = None
        self._sockets.cleanup()

    def __enter__(self) -> ChapterRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def running(key: str, cache: Path | None, *, cwd: Path) -> Iterator[ChapterRunner]:
    """A ChapterRunner that is closed (kernels and the warm process stopped) on leaving the block."""
    runner = ChapterRunner(key, cache, cwd=cwd)
    try:
        yield runner
    finally:
        runner.close()
