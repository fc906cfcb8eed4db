"""Layer 1, cohort data: the instrument registry, the file schema, loading and provenance.

Imports nothing from the layers above (``stats``, ``paper``, ``publish``).
"""
