"""Warm Jupyter kernels for the book's chapters: forked from a process that has already imported the library.

Each chapter still runs in its own, new ipykernel process talking to nbclient over
ZeroMQ, but the process is forked from a server that has imported ipykernel and
``cnslbp_lib`` (and computed the ensemble summary's stamp), so it starts with those
imports done. Kernels listen on Unix sockets in a private folder
(:func:`ipc_kernel_manager`), never on TCP ports another process could take.
Used by :mod:`cnslbp_lib.publish.build.execution`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import json
import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
import uuid
from pathlib import Path
from typing import Any, cast

__all__ = ["PRELOAD", "WarmKernels", "ipc_kernel_manager"]

# what a warm kernel has imported before it is forked: ipykernel, and everything the chapters import
PRELOAD = ("ipykernel.kernelapp", "cnslbp_lib", "cnslbp_lib.publish")
logger = logging.getLogger(__name__)


_LAUNCHER = """
import json, os, signal, socket, sys
path, connection_file = sys.argv[1], sys.argv[2]
link = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
link.connect(path)
request = {"connection_file": os.path.abspath(connection_file), "cwd": os.getcwd(), "env": dict(os.environ)}
socket.send_fds(link, [json.dumps(request).encode()], [0, 1, 2])
kernel = int(link.recv(64))
def forward(number, frame):
    try:
        os.kill(kernel, number)
    except ProcessLookupError:
        pass
for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(number, forward)
sys.exit(int(link.recv(64) or b"1"))
"""


def _become_kernel(request: dict[str, Any], streams: list[int]) -> None:
    """In the forked child: take the launcher's streams, cwd and environment, then run ipykernel."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    for target, stream in zip((0, 1, 2), streams, strict=True):
        os.dup2(stream, target)
        os.close(stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # as ipykernel_launcher does: no cwd on sys.path while loading (the shell puts '' back)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    # ipykernel read JPY_PARENT_PID when it was imported, before this kernel existed: name the parent
    # here, which also makes the kernel exit if the warm process ever dies
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    from ipykernel import kernelapp  # noqa: PLC0415 (already imported: PRELOAD)

    kernelapp.launch_new_instance()


class _WarmServer:
    """The warm process: it has imported PRELOAD, and forks one kernel per launcher until stdin closes.

    Single-threaded on purpose (a process with other threads must not fork).
    """

    def __init__(self, path: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(path)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.selector.register(sys.stdin, selectors.EVENT_READ)
        self.kernels: dict[int, socket.socket] = {}  # kernel pid -> its launcher's link
        self.links: dict[socket.socket, int | None] = {}  # launcher link -> its running kernel

    def serve(self) -> None:
        while True:
            for key, _ in self.selector.select(timeout=0.05):
                if key.fileobj is sys.stdin:
                    if not os.read(0, 1024):  # the build is over (or gone): stop every kernel, then exit
                        self._kill(list(self.kernels))
                        return
                elif key.fileobj is self.listener:
                    link, _ = self.listener.accept()
                    self.selector.register(link, selectors.EVENT_READ)
                    self.links[link] = None
                else:
                    self._read(cast(socket.socket, key.fileobj))
            self._reap()

    def _read(self, link: socket.socket) -> None:
        message, streams, _, _ = socket.recv_fds(link, 1 << 20, 3)
        kernel = self.links.get(link)
        if kernel is None and message:
            self._fork(link, json.loads(message), streams)
            return
        # the launcher is gone (or talks out of turn): close it, and never leave its kernel behind
        self.selector.unregister(link)
        self.links.pop(link, None)
        link.close()
        if kernel is not None:
            self._kill([kernel])

    def _fork(self, link: socket.socket, request: dict[str, Any], streams: list[int]) -> None:
        pid = os.fork()
        if pid == 0:  # the kernel
            code = 0
            try:
                self.selector.close()
                self.listener.close()
                link.close()
                _become_kernel(request, streams)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        for stream in streams:
            os.close(stream)
        self.kernels[pid] = link
        self.links[link] = pid
        link.send(str(pid).encode())

    def _reap(self) -> None:
        """Tell each launcher whose kernel exited its exit code (128 + signal, as a shell does)."""
        while self.kernels:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            link = self.kernels.pop(pid, None)
            if link is not None:
                code = os.waitstatus_to_exitcode(status)
                with contextlib.suppress(OSError):
                    link.send(str(code if code >= 0 else 128 - code).encode())
                self.links[link] = None

    def _kill(self, pids: list[int]) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _warm_caches() -> None:
    """Compute, once before forking, what every chapter that opens the ensemble summary computes first: its stamp.

    The stamp is cached per process (:func:`~cnslbp_lib.paper.reconstruction.summary_stamp`), so each forked
    kernel starts with it; a chapter that needs it and cannot have it raises the error itself.
    """
    from ...exceptions import CnslbpError  # noqa: PLC0415 (the warm process only)
    from ...paper.reconstruction import summary_stamp  # noqa: PLC0415

    with contextlib.suppress(CnslbpError, OSError):
        summary_stamp()


def _serve_warm_kernels(path: str) -> None:
    """The warm process's entry point: import PRELOAD, warm the caches, say "ready", then fork kernels on request."""
    for module in PRELOAD:
        importlib.import_module(module)
    _warm_caches()
    server = _WarmServer(path)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    server.serve()


class WarmKernels:
    """A process that forks ready-imported kernels; ``kernel_manager_class()`` makes nbclient use it."""

    def __init__(self, cwd: Path) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cnslbp-kernels-")
        self.socket = str(Path(self._folder.name) / "warm.sock")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from cnslbp_lib.publish.build import kernels as k; k._serve_warm_kernels(sys.argv[1])",
                self.socket,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=cwd,
        )
        self._ready = threading.Event()
        self.failed = False
        threading.Thread(target=self._wait_ready, daemon=True).start()

    def _wait_ready(self) -> None:
        assert self._process.stdout is not None
        self.failed = self._process.stdout.readline().strip() != b"ready"
        self._ready.set()

    def wait(self, timeout: float = 120) -> bool:
        """Block until the warm process is ready; False if it failed to start."""
        return self._ready.wait(timeout) and not self.failed

    def launcher(self) -> list[str]:
        return [sys.executable, "-c", _LAUNCHER, self.socket, "{connection_file}"]

    def warm_spec(self, spec: Any) -> Any:
        """``spec`` (a kernel spec) changed to start warm if it is a Python kernel's and the warm process is ready.

        Otherwise (another language, or the warm process failed to start) the kernel starts the plain way.
        """
        if spec.language == "python" and Path(spec.argv[0]).name.startswith("python") and self.wait():
            spec.argv = self.launcher()
        return spec

    def kernel_manager_class(self, base: type) -> type:
        """``base`` (a kernel manager class, such as :func:`ipc_kernel_manager`'s) that starts warm kernels."""
        from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415

        warm = self

        class WarmSpecs(KernelSpecManager):
            def get_kernel_spec(self, kernel_name: str) -> Any:
                return warm.warm_spec(super().get_kernel_spec(kernel_name))

        class WarmKernelManager(base):  # type: ignore[misc]
            def _kernel_spec_manager_default(self) -> Any:
                return WarmSpecs(data_dir=self.data_dir)

        return WarmKernelManager

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._folder.cleanup()


# --- kernels on Unix sockets -----------------------------------------------------------------------
# Over TCP, jupyter_client picks a kernel's five ports by binding each to port 0 and releasing it, and the
# kernel binds them a moment later; with several kernels starting at once (four per build, builds side by side,
# other processes on the machine) another process can take a released port first, and the kernel dies with
# ZMQError "Address already in use". Unix sockets (ZeroMQ's IPC transport) named after a fresh connection file
# in a private folder cannot collide; they also keep the traffic off the network.
_SOCKET_PATH_LIMIT = 100  # a Unix socket's path must fit in 108 bytes; the longest here ends "-ipc-5"


def ipc_kernel_manager(folder: Path, base: type | None = None) -> type:
    """A kernel manager class whose kernels talk over Unix sockets in ``folder`` instead of TCP ports.

    ``base`` is the jupyter_client kernel manager class to extend (default ``AsyncKernelManager``, as
    nbclient uses). Each kernel's connection file is ``folder/kernel-<16 hex>.json`` and its sockets
    ``folder/kernel-<16 hex>-ipc-1`` to ``-5``. Returns ``base`` itself (TCP) if ``folder`` is too long
    a path for a Unix socket.
    """
    from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415
    from traitlets import default  # noqa: PLC0415

    base = base or AsyncKernelManager
    if len(str(folder / "kernel-0123456789abcdef-ipc-5")) > _SOCKET_PATH_LIMIT:
        return base

    class IpcKernelManager(base):  # type: ignore[valid-type,misc]
        @default("transport")
        def _ipc_transport(self) -> str:
            return "ipc"

        @default("connection_file")
        def _private_connection_file(self) -> str:
            return str(folder / f"kernel-{uuid.uuid4().hex[:16]}.json")

    return IpcKernelManager


# --- running chapters -----------------------------------------------------------------------------
