"""The book's words: one text module per chapter, each with the chapter's glued values, sentences, tables and charts.

A chapter's setup cell is ``page = <chapter>.page(study)`` then ``page.glue()``
(``book/<chapter>.ipynb`` and ``chapters/<chapter>.py`` share the name), and
its display cells show ``page.shown[name]``. Every glued key is written out in
its chapter's module, so a search for a key a page quotes finds where its value
is made. Phrases several chapters share are in :mod:`cnslbp_lib.publish.words`
(a result's numbers in words) and :mod:`cnslbp_lib.publish.sentences` (whole
sentences); tables in :mod:`cnslbp_lib.publish.tables`, charts in
:mod:`cnslbp_lib.publish.charts`.

:func:`~cnslbp_lib.publish.chapters.registry.chapter_values` runs every chapter's ``page`` on a cohort and returns
every glued value and every rendered table and chart, so tests can feed it any
valid cohort. Nothing here may fail on a valid cohort: a statistic the data
cannot support is stated as such, with the reason.
"""

from .registry import CHAPTERS, chapter_values

__all__ = ["CHAPTERS", "chapter_values"]
