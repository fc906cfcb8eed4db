"""Layer 4, publishing: the book's words, its tables and charts, and the machinery that makes the site and the PDF.

- :mod:`cnslbp_lib.publish.chapters`: one text module per chapter (``chapters/<chapter>.py``
  builds what ``book/<chapter>.ipynb`` shows, every glued key written out);
- what the chapters share: :mod:`~cnslbp_lib.publish.words` (a result's numbers in words),
  :mod:`~cnslbp_lib.publish.sentences` (whole sentences), :mod:`~cnslbp_lib.publish.tables`,
  :mod:`~cnslbp_lib.publish.audit_tables`, :mod:`~cnslbp_lib.publish.charts`,
  :mod:`~cnslbp_lib.publish.provenance` (every number's mark), :mod:`~cnslbp_lib.publish.glue`,
  :mod:`~cnslbp_lib.publish.study` (the dataset a chapter opens), :mod:`~cnslbp_lib.publish.page`;
- :mod:`cnslbp_lib.publish.build`: the Sphinx extension, the site and PDF builds, the chapters' execution;
- :mod:`~cnslbp_lib.publish.report`: ``cnslbp report``, a reviewer's page on any paper file.

The only layer that imports Altair, Sphinx, IPython or myst-nb.
"""

from .study import open_book

__all__ = ["open_book"]
