"""Layer 4, publishing: what the chapters call (glue, wording, tables), charts, the Sphinx extension, site and PDF.

The only layer that imports Altair, Sphinx, IPython or myst-nb.
"""

from .study import open_book

__all__ = ["open_book"]
