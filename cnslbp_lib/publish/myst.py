"""MyST helpers for sentences glued with ``{glue:md}``: escaping plain text, quoting glued keys, listing them.

A sentence quotes a number with a ``{glue}`` role of its own, so a reported
number stays an in-place check and a ranged number keeps its spread;
:func:`quoted_keys` lists the keys a sentence quotes, so the chapter can glue them.
"""

from __future__ import annotations

import re

from ..paper.reported import REPORTED

__all__ = ["REPORTED_KEYS", "md", "quoted_keys", "role"]

REPORTED_KEYS = frozenset(record.key for record in REPORTED)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!$])")
_GLUE_ROLE = re.compile(r"\{glue\}`(\w+)`")


def md(text: str) -> str:
    """Plain text made safe to paste into MyST Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def role(key: str) -> str:
    """The ``{glue}`` role that quotes ``key``."""
    return f"{{glue}}`{key}`"


def quoted_keys(markdown: str) -> list[str]:
    """The glued keys a sentence quotes with ``{glue}`` roles, in order."""
    return _GLUE_ROLE.findall(markdown)
