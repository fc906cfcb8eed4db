"""Layer 2, statistics: an array-level core and thin adapters that take a cohort frame.

Imports only from ``data`` (and the package's exceptions).
"""
