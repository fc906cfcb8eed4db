"""Reading a YAML file a person edits (a paper file, the book's self-checks): every failure a one-line error.

Both steps name the file: :func:`read_text` (missing, unreadable, not UTF-8)
and :func:`parse_yaml` (not YAML, with the line and column where the syntax
breaks). Each raises the caller's own error class, so a paper file's problem
is a :class:`~cnslbp_lib.exceptions.PaperFileError` and a self-check file's a
:class:`~cnslbp_lib.exceptions.SelfCheckFileError`; never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["parse_yaml", "read_text"]


def read_text(path: Path, error: type[Exception]) -> str:
    """The file's text; ``error`` naming the file if it is missing or is not UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot be read as UTF-8 text ({problem})") from None


def parse_yaml(text: str, path: Path, error: type[Exception]) -> Any:
    """The YAML document in ``text`` (read from ``path``); ``error`` naming the line and column where it breaks.

    Examples
    --------
    >>> parse_yaml("title: x\\nauthors: [a, b]", Path("paper.yaml"), ValueError)
    {'title': 'x', 'authors': ['a', 'b']}
    >>> parse_yaml("title: [x", Path("paper.yaml"), ValueError)
    Traceback (most recent call last):
    ...
    ValueError: paper.yaml, line 1, column 10: not valid YAML (expected ',' or ']', but got '<stream end>')
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise error(f"{path}{where}: not valid YAML ({getattr(problem, 'problem', None) or problem})") from None
