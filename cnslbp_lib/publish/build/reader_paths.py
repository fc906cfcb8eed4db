"""Readers' paths through the book: written in ``book/reader_paths.yaml``, shown on the start page.

A chapter places the list with one directive::

    ```{reader-paths}
    ```

Each path is a title, an aim and its stops: pages (``book/bottom_line``) or one
section of a page (``book/bottom_line#for-a-patient-who-asks-for-a-scan``). The
links take their text from the pages' own titles when the site is written, and
each stop and each path carries a ``cnslbp-minutes`` placeholder that
:func:`cnslbp_lib.publish.build.reading.fill_reading_times` fills with minutes
measured from the built pages. A stop the book does not have is a build error
naming the file, the path and the stop.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from ...data.source import PROJECT_ROOT

__all__ = ["PATHS_FILE", "ReaderPath", "load_paths", "setup"]

PATHS_FILE = PROJECT_ROOT / "book" / "reader_paths.yaml"


class ReaderPath(BaseModel):
    """One way through the book: who it is for, what they get, and the stops in reading order."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z][a-z-]*$")
    title: str = Field(min_length=1)
    aim: str = Field(min_length=1)
    stops: tuple[str, ...] = Field(min_length=1)


class _PathsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    paths: tuple[ReaderPath, ...] = Field(min_length=1)


@cache
def load_paths(path: Path = PATHS_FILE) -> tuple[ReaderPath, ...]:
    """The readers' paths in ``path``; a file that breaks a rule is an error naming the file and the rule."""
    try:
        return _PathsFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).paths
    except ValidationError as error:
        rules = "; ".join(f"{'.'.join(map(str, item['loc'])) or 'the file'}: {item['msg']}" for item in error.errors())
        raise ExtensionError(f"{path}: not a valid file of readers' paths: {rules}") from None
    except (OSError, yaml.YAMLError) as error:
        raise ExtensionError(f"{path}: not a valid file of readers' paths: {error}") from None


class _PathsPlaceholder(nodes.General, nodes.Element):  # type: ignore[misc]  # docutils has no types
    """Where the paths go; filled when the page is written, once every page's title is known."""


class ReaderPathsDirective(SphinxDirective):
    """``{reader-paths}``: the readers' paths of ``book/reader_paths.yaml``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(PATHS_FILE))
        return [_PathsPlaceholder()]


def _stop_link(app: Sphinx, fromdoc: str, stop: str) -> str:
    page, _, section = stop.partition("#")
    env = app.env
    if page not in env.titles:
        raise ExtensionError(f"{PATHS_FILE}: the stop {stop!r} names a page the book does not have")
    title = env.titles[page].astext()
    if section:
        found = [s for s in env.get_doctree(page).findall(nodes.section) if section in s["ids"]]
        if not found:
            raise ExtensionError(f"{PATHS_FILE}: the stop {stop!r} names a section {page} does not have")
        title = f"{title}: {found[0][0].astext()}"
    uri = app.builder.get_relative_uri(fromdoc, page) + (f"#{section}" if section else "")
    return f'<a href="{html.escape(uri)}">{html.escape(title)}</a>'


def _minutes(stops: tuple[str, ...] | list[str]) -> str:
    return f'<span class="cnslbp-minutes" data-page="{html.escape(" ".join(stops))}">…</span>'


def paths_html(app: Sphinx, fromdoc: str, paths: tuple[ReaderPath, ...]) -> str:
    """The paths as HTML: a list per path, each stop linked with its own time, and the path's total."""
    parts = ['<div class="cnslbp-paths">']
    for path in paths:
        stops = "".join(f"<li>{_stop_link(app, fromdoc, stop)} ({_minutes([stop])})</li>" for stop in path.stops)
        parts.append(
            f'<div class="cnslbp-path" id="path-{path.key}"><p><strong>{html.escape(path.title)}</strong>, '
            f"about {_minutes(path.stops)}: {html.escape(path.aim)}.</p><ol>{stops}</ol></div>"
        )
    parts.append("</div>")
    return "".join(parts)


def _fill_paths(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(_PathsPlaceholder)):
        placeholder.replace_self(nodes.raw("", paths_html(app, docname, load_paths()), format="html"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(_PathsPlaceholder)
    app.add_directive("reader-paths", ReaderPathsDirective)
    app.connect("doctree-resolved", _fill_paths)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
