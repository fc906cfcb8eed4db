"""Serve a built site the way a static host does (Python standard library only).

    python benchmarks/static_host.py [SITE]     (serves until Ctrl-C; default: _build/html)

    from static_host import serve
    with serve(site) as base:          # base == "http://127.0.0.1:<free port>"
        ...

What a reader's static host (GitHub Pages, Netlify, nginx with defaults) sends, and
Python's ``http.server`` does not:

- ``Content-Encoding: gzip`` for text types when the request says ``Accept-Encoding: gzip``
  (with ``Vary: Accept-Encoding``), compressed once per file and kept in memory;
- ``Cache-Control: public, max-age=31536000, immutable`` for ``_static/`` and ``_vendor/``;
  ``no-cache`` for HTML (and everything else), with an ``ETag``/``Last-Modified`` pair so a
  revalidation can answer ``304``;
- correct content types (``.js`` as ``text/javascript``, ``.woff2``, ``.svg``, ``.map`` ...),
  ``charset=utf-8`` on text;
- directory URLs serve their ``index.html``; unknown paths answer ``404``.

The server runs in a daemon thread (``ThreadingHTTPServer``) on a free port of 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.server
import mimetypes
import posixpath
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from cnslbp_lib.publish.build.pdf import LocalServer

__all__ = ["IMMUTABLE", "REVALIDATE", "book_pages", "cache_control", "content_type", "serve"]

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
IMMUTABLE_PREFIXES = ("_static/", "_vendor/")

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".inv": "application/octet-stream",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".ipynb": "application/x-ipynb+json",
    ".bib": "text/plain",
    ".wasm": "application/wasm",
}
_COMPRESSIBLE = ("text/", "application/json", "application/xml", "image/svg+xml", "application/x-ipynb+json")
_MIN_GZIP = 256  # bytes; hosts skip tiny files


def content_type(path: str) -> str:
    """The Content-Type a static host sends for ``path`` (text types with charset=utf-8)."""
    suffix = posixpath.splitext(path)[1].lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "image/svg+xml", "application/xml"):
        kind += "; charset=utf-8"
    return kind


def cache_control(path: str) -> str:
    """``immutable`` for the theme's and the book's fingerprint-free assets dirs, ``no-cache`` otherwise."""
    return IMMUTABLE if path.lstrip("/").startswith(IMMUTABLE_PREFIXES) else REVALIDATE


def _compressible(kind: str) -> bool:
    return kind.startswith(_COMPRESSIBLE)


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    gzip_cache: dict[Path, tuple[float, bytes]]
    lock: threading.Lock
    protocol_version = "HTTP/1.1"
    server_version = "static-host/1"
    sys_version = ""

    def log_message(self, format: str, *arguments: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def _resolve(self) -> tuple[Path | None, str]:
        url_path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        relative = posixpath.normpath(url_path).lstrip("/")
        if relative in (".", ""):
            relative = ""
        if relative.startswith(".."):
            return None, relative
        target = (self.root / relative).resolve()
        if self.root not in target.parents and target != self.root:
            return None, relative
        if target.is_dir():
            if not url_path.endswith("/"):
                # a host redirects /dir to /dir/
                return target, relative + "/"
            target = target / "index.html"
            relative = posixpath.join(relative, "index.html")
        return (target if target.is_file() else None), relative

    def _send_small(self, status: int, headers: dict[str, str], payload: bytes, body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body and payload:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

    def _respond(self, body: bool) -> None:
        target, relative = self._resolve()
        if target is not None and target.is_dir():
            self._send_small(301, {"Location": "/" + relative}, b"", body)
            return
        if target is None:
            page = b"<!doctype html><html lang=en><title>404</title><h1>Not found</h1>"
            self._send_small(404, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": REVALIDATE}, page, body)
            return
        stat = target.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        kind = content_type(relative)
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "").lower()
        use_gzip = accepts_gzip and _compressible(kind) and stat.st_size >= _MIN_GZIP
        if use_gzip:
            etag = etag[:-1] + '-gz"'
        headers = {
            "Content-Type": kind,
            "Cache-Control": cache_control(relative),
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        }
        if _compressible(kind):
            headers["Vary"] = "Accept-Encoding"
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for name, value in headers.items():
                if name != "Content-Type":
                    self.send_header(name, value)
            self.end_headers()
            return
        if use_gzip:
            with self.lock:
                cached = self.gzip_cache.get(target)
                if cached is None or cached[0] != stat.st_mtime:
                    cached = (stat.st_mtime, gzip.compress(target.read_bytes(), compresslevel=6, mtime=0))
                    self.gzip_cache[target] = cached
            payload = cached[1]
            headers["Content-Encoding"] = "gzip"
        else:
            payload = target.read_bytes()
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)


@contextlib.contextmanager
def serve(site: Path | str) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) for the duration of the block; yield its base URL."""
    root = Path(site).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no built site at {root}")
    handler = type("Handler", (_Handler,), {"root": root, "gzip_cache": {}, "lock": threading.Lock()})
    server = LocalServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="static-host", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def book_pages(site: Path | str) -> list[str]:
    """The book's HTML pages relative to ``site``: index.html, then book/*.html (no genindex/search)."""
    root = Path(site)
    pages = ["index.html"] if (root / "index.html").is_file() else []
    pages += sorted(f"book/{path.name}" for path in (root / "book").glob("*.html"))
    return [page for page in pages if Path(page).stem not in ("genindex", "search")]


def site_argument(argv: list[str]) -> Path:
    """SITE_DIR from the command line (default: the project's _build/html)."""
    site = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "_build" / "html"
    if not (site / "index.html").is_file():
        sys.exit(f"{site} is not a built site (no index.html); build it with 'make book'")
    return site


if __name__ == "__main__":
    with serve(site_argument(sys.argv)) as base:
        print(f"serving {sys.argv[1] if len(sys.argv) > 1 else '_build/html'} at {base}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
