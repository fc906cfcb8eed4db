"""How the book becomes a website and a PDF: the Sphinx extension and what it runs.

What a maintainer edits here is the machinery, not the book's words (those are
in :mod:`cnslbp_lib.publish.chapters`):

- :mod:`~cnslbp_lib.publish.build.site`, the Sphinx extension, and
  :mod:`~cnslbp_lib.publish.build.site_pages`, what each page carries besides its content;
- :mod:`~cnslbp_lib.publish.build.sitebuild` (``cnslbp build``) and
  :mod:`~cnslbp_lib.publish.build.execution` (the chapters run in warm kernels, cached);
- :mod:`~cnslbp_lib.publish.build.outputs` (``cnslbp outputs``: the stored outputs strict nbval compares)
  and :mod:`~cnslbp_lib.publish.build.pdf` (``cnslbp pdf``);
- :mod:`~cnslbp_lib.publish.build.reproduce` (the page that reruns the book) and
  :mod:`~cnslbp_lib.publish.build.reference` (the library reference);
- :mod:`~cnslbp_lib.publish.build.reading` and :mod:`~cnslbp_lib.publish.build.reader_paths`
  (reading times and readers' paths);
- :mod:`~cnslbp_lib.publish.build.self_check` (questions that answer back) and
  :mod:`~cnslbp_lib.publish.build.roles` (the MyST roles Markdown pages quote numbers with).
"""
