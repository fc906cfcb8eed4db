"""Shared fixtures: the committed cohort and small helpers to write test files."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

import cnslbp_lib as cl
from cnslbp_lib.publish.build.execution import WARM_ENV

# reproducible property-based tests: the same examples on every run, nothing written to disk
settings.register_profile("cnslbp", derandomize=True, database=None, deadline=None)
settings.load_profile("cnslbp")

ROOT = Path(__file__).resolve().parent.parent
COHORT_CSV = ROOT / "data" / "cohort.csv"
HEADER = "participant,stage,piq,pseq,psq,global_change"


@pytest.fixture(scope="session")
def cohort() -> cl.Cohort:
    return cl.load_cohort(COHORT_CSV)


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a fresh file and return its path."""

    def write(content: str | bytes, name: str = "cohort.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


def tidy_pairs(before: np.ndarray, after: np.ndarray, column: str = "piq") -> pd.DataFrame:
    """A tidy frame holding two stages (2 and 3) of one column, for reference comparisons."""
    n = len(before)
    ids = [f"s{i:02d}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant": ids * 2,
            "stage": [2] * n + [3] * n,
            column: np.concatenate([before, after]),
        }
    )


def tree_digest(*folders: Path) -> str:
    """One hash over every file's path and bytes under ``folders`` (to prove a build changed nothing)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def shared_build(
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
    name: str,
    data: Path,
    *,
    sheet: str | None = None,
    paper: Path | None = None,
    execute: bool = True,
) -> Path:
    """Build the site once per test run, whichever xdist worker asks first; the others wait and reuse it.

    ``sheet`` is a workbook's sheet; ``paper`` a paper file to build with instead of the book's (``$CNSLBP_PAPER``);
    ``execute=False`` builds the reconstruction from the chapters' stored outputs (``CNSLBP_EXECUTE=0``).
    """
    from cnslbp_lib.data.instruments import PAPER_ENV
    from cnslbp_lib.publish.build.site import EXECUTE_ENV
    from cnslbp_lib.publish.build.sitebuild import build_site

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    site = shared / f"site-{name}"
    with (shared / f"site-{name}.lock").open("w") as lock, pytest.MonkeyPatch.context() as patch:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if paper is not None:
            patch.setenv(PAPER_ENV, str(paper))
        if not execute:
            patch.setenv(EXECUTE_ENV, "0")
        if not (site / "index.html").exists():
            build_site(data, site, sheet=sheet, quiet=True)
    return site


@pytest.fixture(scope="session")
def reconstruction_site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Path]:
    """The book's site, built from the chapters' stored outputs: strict nbval, comparing each output whole,
    checks in the same run that they are what executing the chapters gives (the clinic's site in
    test_site_own_data.py is built by executing every chapter)."""
    yield shared_build(tmp_path_factory, worker_id, "reconstruction", COHORT_CSV, execute=False)


# --- the browser tests (test_browser.py, test_browser_static.py): one Chromium and one server per file ----------
@pytest.fixture(scope="module")
def base_url(reconstruction_site: Path) -> Iterator[str]:
    from cnslbp_lib.publish.build.pdf import serve

    with serve(reconstruction_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield launched
        launched.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator[Callable[..., object]]:
    """Open pages in fresh tabs (``visit(path, viewport)``); they are closed after the test."""
    from .browser import Visit

    opened: list[Visit] = []

    def open_page(path: str, viewport: dict[str, int] | None = None, wait_until: str = "load") -> Visit:
        opened.append(Visit(browser, base_url, path, viewport, wait_until))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def pytest_configure(config: pytest.Config) -> None:
    """Start nbval's kernels on Unix sockets, as the book's executor does (publish/build/execution.py says why).

    nbval starts each notebook's kernel with jupyter_client's ``KernelManager`` over TCP and has no
    option for the transport; a port it picks can be taken by another process before the kernel
    binds it ("Address already in use").
    """
    import nbval.kernel
    from jupyter_client.manager import KernelManager

    from cnslbp_lib.publish.build.kernels import ipc_kernel_manager

    folder = Path(tempfile.mkdtemp(prefix="cnslbp-sockets-"))
    nbval.kernel.KernelManager = ipc_kernel_manager(folder, KernelManager)
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    if os.environ.get(WARM_ENV, "1") != "0":
        _start_warm(config, nbval.kernel.NbvalKernelspecManager)
    _compare_whole_outputs(config)


def _compare_whole_outputs(config: pytest.Config) -> None:
    """Make nbval compare each output whole: its kind, stream name and metadata too, not only its data.

    nbval leaves out every output's ``metadata`` (where myst-nb's glue names the key a value is glued
    under), ``output_type``, a stream's ``name`` and images. Cells it would not compare at all (stored
    unrun, marked to skip) are refused by test_chapters.py. Compared as well, a chapter's stored outputs are what
    executing it gives in everything the book's build reads (execution counts aside), so the
    reconstruction's site is built from them (``reconstruction_site``) without running every chapter again.
    """
    import nbval.plugin

    plain = nbval.plugin.IPyNbFile.__init__

    def init(self: object, *args: object, **kwargs: object) -> None:
        plain(self, *args, **kwargs)
        skipped = {"metadata", "output_type", "name", "image/png", "image/jpeg"}
        self.skip_compare = tuple(key for key in self.skip_compare if key not in skipped)  # type: ignore[attr-defined]

    nbval.plugin.IPyNbFile.__init__ = init
    config.add_cleanup(lambda: setattr(nbval.plugin.IPyNbFile, "__init__", plain))


def _start_warm(config: pytest.Config, specs: type) -> None:
    """Start nbval's kernels warm, as the book's build does (publish/build/kernels.py).

    Each chapter still runs in a new kernel, and nbval compares its outputs with the stored ones
    (made by ``cnslbp outputs`` in plain kernels), but the kernel is forked with the library imported
    and the summary's stamp computed. The warm process starts with the first chapter this worker runs.
    ``CNSLBP_WARM_KERNELS=0`` gives nbval plain kernels.
    """
    from cnslbp_lib.publish.build.kernels import WarmKernels

    plain = specs.get_kernel_spec
    started: list[WarmKernels] = []

    def get_kernel_spec(self: object, kernel_name: str) -> object:
        if not started:
            started.append(WarmKernels(ROOT))
            config.add_cleanup(started[0].close)
        return started[0].warm_spec(plain(self, kernel_name))

    # patched in place: nbval's method names its own class (super(NbvalKernelspecManager, self))
    specs.get_kernel_spec = get_kernel_spec
    config.add_cleanup(lambda: setattr(specs, "get_kernel_spec", plain))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files marked ``slow`` first, the slowest first; the others keep their order and fill in around them.

    pytest-xdist (``--dist loadfile --no-loadscope-reorder``) hands each worker the next file in this order whenever
    it runs low on tests, so a file that builds sites or drives a browser, left to the end, would keep one worker
    busy for minutes while the other waits.
    """
    seconds: dict[Path, float] = {}
    for item in items:
        marker = item.get_closest_marker("slow")
        seconds[item.path] = max(seconds.get(item.path, 0.0), float(marker.kwargs["seconds"]) if marker else 0.0)
    items.sort(key=lambda item: -seconds[item.path])  # stable: each file's tests stay together and in order


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests put their screenshots, so they can be looked at."""
    folder = ROOT / "_build" / "screenshots"
    if folder.exists() and any(folder.rglob("*.jpg")):
        terminalreporter.write_line(f"Screenshots of every page at desktop and phone widths: {folder}")
