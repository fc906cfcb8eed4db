"""The library reference: each layer's public API, documented from its docstrings by Sphinx autodoc.

``cnslbp-api`` (in an ``{eval-rst}`` block, because autodoc writes
reStructuredText) takes a package and optional further modules and documents
every module of them, each in a section of its own: the module's docstring,
then each name of its ``__all__`` that the module defines, in that order, and
the classes its signatures use (numpydoc sections read by napoleon; a constant
shows its value unless it is long or a path). A name a module only re-exports
is documented where it is defined and linked from here, so no object is
described twice; a package's ``__init__`` contributes its docstring. A new
module appears on its layer's page without editing the page.

Three repairs keep the pages valid under ``-W -n``: ``|r|`` in a docstring's
prose is typeset as math (reStructuredText would read a substitution); a name
written as its module imports it links to the one documented object of that
name; and a constant without a doc comment does not borrow its type's docstring.
A fourth keeps the HTML valid: a Returns section that lists columns is not
nested in a paragraph."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import PurePath
from types import ModuleType
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from pydantic import BaseModel
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.parsing import nested_parse_to_nodes

__all__ = ["LONG_VALUE", "layer_modules", "member_directives", "reexported", "setup", "used_types"]


def layer_modules(names: list[str]) -> list[str]:
    """Each named module, and for a package every module under it, in name order (package first).

    >>> layer_modules(["cnslbp_lib.data"])[:3]
    ['cnslbp_lib.data', 'cnslbp_lib.data.convert', 'cnslbp_lib.data.csvfile']
    """
    found: list[str] = []
    for name in names:
        module = importlib.import_module(name)
        found.append(name)
        if hasattr(module, "__path__"):
            found += sorted(info.name for info in pkgutil.walk_packages(module.__path__, f"{name}."))
    return found


def reexported(module: ModuleType) -> dict[str, str]:
    """The names of ``module.__all__`` that are defined elsewhere, with where (``module.name``).

    >>> import cnslbp_lib.publish.build.site as site
    >>> reexported(site)
    {'vega_lite_version': 'cnslbp_lib.publish.charts.render.vega_lite_version'}
    """
    moved = {}
    for name in getattr(module, "__all__", []):
        value = getattr(module, name)
        home = getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isroutine(value) else None
        if isinstance(value, ModuleType):
            moved[name] = value.__name__
        elif home is not None and home != module.__name__:
            moved[name] = f"{home}.{getattr(value, '__qualname__', name)}"
    return moved


def _hint_classes(hint: Any) -> set[type]:
    found = {hint} if inspect.isclass(hint) else set()
    for argument in typing.get_args(hint):
        found |= _hint_classes(argument)
    return found


def used_types(module: ModuleType) -> list[str]:
    """Classes ``module`` defines outside its ``__all__`` that its public functions and classes take or return.

    A reader of a public signature needs them described; they are documented
    after the module's ``__all__``.

    >>> import cnslbp_lib.data.records as records
    >>> used_types(records)
    ['Block']
    """
    public = set(getattr(module, "__all__", []))
    found: set[str] = set()
    for name in public:
        value = getattr(module, name)
        owners = [value, *vars(value).values()] if inspect.isclass(value) else [value]
        for owner in owners:
            try:
                hints = typing.get_type_hints(owner)
            except Exception:  # a hint that cannot be evaluated here names no class of ours
                continue
            for hint in hints.values():
                found |= {
                    kind.__name__
                    for kind in _hint_classes(hint)
                    if kind.__module__ == module.__name__ and not kind.__name__.startswith("_")
                }
    return sorted(found - public)


LONG_VALUE = 70  # characters: a longer value (a registry, a long table) is described, not printed


def member_directives(module: ModuleType) -> list[str]:
    """reStructuredText that documents each name ``module`` defines in its ``__all__``, in that order,
    then the classes its signatures use (:func:`used_types`).

    >>> import cnslbp_lib.stats.rtm as rtm
    >>> member_directives(rtm)[:3]  # doctest: +NORMALIZE_WHITESPACE
    ['.. autodata:: cnslbp_lib.stats.rtm.DEFAULT_RELIABILITY', '',
     '.. autodata:: cnslbp_lib.stats.rtm.MIN_SIMULATED_COHORTS']
    """
    moved = reexported(module)
    lines: list[str] = []
    for name in [*getattr(module, "__all__", []), *used_types(module)]:
        if name in moved:
            continue
        value = getattr(module, name)
        target = f"{module.__name__}.{name}"
        if inspect.isclass(value) and issubclass(value, BaseException):
            lines += [f".. autoexception:: {target}", "   :members:"]
        elif inspect.isclass(value) and issubclass(value, BaseModel):
            # a pydantic model is built from its fields (listed below it), not called with positional
            # arguments; its generated signature would name pydantic's and annotated_types' internals
            lines += [
                f".. autoclass:: {target}(**fields)",
                "   :members:",
                "   :undoc-members:",
                "   :exclude-members: model_config, model_fields, model_computed_fields",
            ]
        elif inspect.isclass(value):
            lines += [f".. autoclass:: {target}", "   :members:", "   :undoc-members:"]
        elif inspect.isroutine(value):
            lines.append(f".. autofunction:: {target}")
        else:
            lines.append(f".. autodata:: {target}")
            # a path's value is where this checkout happens to be: the same site must not depend on it
            if len(repr(value)) > LONG_VALUE or isinstance(value, PurePath):
                lines.append("   :no-value:")
        lines.append("")
    if moved:
        listed = ", ".join(f":py:obj:`{short} <{target}>`" for short, target in sorted(moved.items()))
        lines.append(f"Also exported here, and documented where they are defined: {listed}.")
    return lines


class LayerReference(SphinxDirective):
    """``.. cnslbp-api:: package [module ...]``: every module, one section each, from its docstrings."""

    required_arguments = 1
    optional_arguments = 20

    def run(self) -> list[nodes.Node]:
        sections: list[nodes.Node] = []
        for name in layer_modules(self.arguments):
            module = importlib.import_module(name)
            self.env.note_dependency(str(module.__file__))
            section = nodes.section(
                ids=[nodes.make_id(f"api {name}")], names=[nodes.fully_normalize_name(name)], classes=["cnslbp-api"]
            )
            section += nodes.title(name, name)
            lines = [f".. automodule:: {name}", ""]
            if not hasattr(module, "__path__"):  # a package's re-exports are documented in their modules
                lines += member_directives(module)
            content = StringList(lines, source=f"<{name}>")
            section.extend(nested_parse_to_nodes(self.state, content, allow_section_headings=False))
            self.state.document.note_implicit_target(section, section)
            sections.append(section)
        return sections


_INLINE_MARKUP = re.compile(r"(``.*?``|`[^`]*`)")
_BARS = re.compile(r"(?<![\w|])\|([^|\s][^|]*?)\|(?![\w|])")


def _absolute_values(  # noqa: PLR0917 (the arguments of Sphinx's autodoc-process-docstring event)
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """``|r|`` in a docstring's prose is an absolute value (or a count); reStructuredText would read it
    as an undefined substitution. Outside inline markup and math blocks, show it as math."""
    math_indent: int | None = None
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if math_indent is not None and (not line.strip() or indent > math_indent):
            continue
        math_indent = indent if line.lstrip().startswith(".. math::") else None
        if math_indent is not None:
            continue
        pieces = _INLINE_MARKUP.split(line)
        lines[number] = "".join(
            piece if position % 2 else _BARS.sub(r":math:`|\1|`", piece) for position, piece in enumerate(pieces)
        )


def _no_borrowed_docstring(  # noqa: PLR0917 (the arguments of Sphinx's autodoc-process-docstring event)
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A constant without a doc comment of its own gets a borrowed docstring from autodoc: its type's (a
    registry's class), or its origin's for a type alias (numpy's ndarray); drop it. The constant is shown
    by its name and value, and a doc comment (``#:``) above it is still shown."""
    if what not in {"data", "attribute"} or not lines:
        return
    for borrowed in (inspect.getdoc(obj), inspect.getdoc(type(obj))):
        if borrowed and lines[0].strip() == borrowed.splitlines()[0].strip():
            lines.clear()
            return


def _unnest_field_paragraphs(app: Sphinx, doctree: nodes.document) -> None:
    """Sphinx wraps a field's whole body in one paragraph (and an inline, ``Field.make_field``), so a
    Returns section that lists its columns becomes a list inside a ``<p>``: invalid HTML. Unwrap it,
    keeping each run of text in a paragraph of its own."""
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if not isinstance(paragraph.parent, nodes.field_body):
            continue
        children: list[nodes.Node] = []
        for child in paragraph.children:
            inner = child.children if isinstance(child, nodes.inline) else []
            children += inner if any(isinstance(node, nodes.Body) for node in inner) else [child]
        if not any(isinstance(child, nodes.Body) for child in children):
            continue
        pieces: list[nodes.Node] = []
        text = nodes.paragraph()
        for child in children:
            if isinstance(child, nodes.Body):
                if text.children:
                    pieces.append(text)
                    text = nodes.paragraph()
                pieces.append(child.deepcopy())
            else:
                text += child.deepcopy()
        if text.children:
            pieces.append(text)
        paragraph.replace_self(pieces)


def _resolve_unqualified(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """A docstring names an object as its module imports it (``:func:`stage_change```); when exactly
    one documented object has that name, link to it (as Sphinx does for a name written ``.stage_change``).
    A signature names a type alias (``FloatArray``) as a class, where Sphinx looks only among classes."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    objects = env.get_domain("py").objects  # type: ignore[attr-defined]
    matches = [
        full
        for full in _by_last_name(objects).get(target.rsplit(".", 1)[-1], ())
        if (full == target or full.endswith(f".{target}")) and not objects[full].aliased
    ]
    if len(matches) != 1:
        return None
    entry = objects[matches[0]]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, matches[0])


_INDEX: dict[int, dict[str, list[str]]] = {}


def _by_last_name(objects: dict[str, Any]) -> dict[str, list[str]]:
    """The documented objects' full names by their last component, built once per set of objects (references
    are resolved after every page is read, so the set no longer changes; a search through every object for
    each of some 3,000 unqualified references took most of a second of each build)."""
    key = id(objects) ^ len(objects)
    if key not in _INDEX:
        index: dict[str, list[str]] = {}
        for full in objects:
            index.setdefault(full.rsplit(".", 1)[-1], []).append(full)
        _INDEX.clear()
        _INDEX[key] = index
    return _INDEX[key]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", _no_borrowed_docstring, priority=400)  # before napoleon
    app.connect("autodoc-process-docstring", _absolute_values)
    app.connect("missing-reference", _resolve_unqualified)
    app.connect("doctree-read", _unnest_field_paragraphs)
    app.add_directive("cnslbp-api", LayerReference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
