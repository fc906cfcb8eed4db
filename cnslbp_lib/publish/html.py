"""HTML building blocks with no dependencies inside the package: a displayable string and the one table writer."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["HTMLText", "HtmlTable", "html_table"]


class HtmlTable(str):
    """HTML markup that a notebook displays as HTML (and prints as the markup)."""

    def _repr_html_(self) -> str:
        return str(self)


class HTMLText(str):
    """A table cell that is already HTML and must not be escaped."""


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    row_ids: list[str] | None = None,
    row_classes: list[str] | None = None,
    more: str = "",
    mark: str = "",
    mark_words: str = "",
    groups: dict[int, str] | None = None,
) -> HtmlTable:
    """A plain, accessible HTML table with a caption and optional row anchors and classes.

    Deterministic (no generated ids) and without an index column, so no empty
    header cell. ``more`` is a last row spanning every column (what a capped
    table leaves out). ``mark`` marks every number in the table with one class
    (``fixed``, ``depends``, ``assumption``…, drawn beside the table) and
    ``mark_words`` says so at the end of the caption. ``groups`` maps a row's
    position to a heading row put before it, spanning every column (the rows
    below it share what it names, so they need not repeat it).
    """
    head = "".join(f'<th scope="col">{html.escape(str(column))}</th>' for column in frame.columns)
    body = []
    for position, row in enumerate(frame.itertuples(index=False)):
        if groups and position in groups:
            body.append(
                f'<tr class="cnslbp-group"><th scope="rowgroup" colspan="{len(frame.columns)}">'
                f"{html.escape(groups[position])}</th></tr>"
            )
        anchor = f' id="{row_ids[position]}"' if row_ids else ""
        anchor += f' class="{row_classes[position]}"' if row_classes and row_classes[position] else ""
        cells = "".join(f"<td>{cell if isinstance(cell, HTMLText) else html.escape(str(cell))}</td>" for cell in row)
        body.append(f"<tr{anchor}>{cells}</tr>")
    if more:
        body.append(f'<tr class="cnslbp-more"><td colspan="{len(frame.columns)}">{html.escape(more)}</td></tr>')
    classes = f"cnslbp-table cnslbp-table--{mark}" if mark else "cnslbp-table"
    said = f' <span class="cnslbp-table-mark">{html.escape(mark_words)}</span>' if mark_words else ""
    return HtmlTable(
        f'<table class="{classes}"><caption>{html.escape(caption)}{said}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
