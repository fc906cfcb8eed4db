"""Layer 3, the paper: its reported numbers, how it prints them, their checks and audit, the reconstruction.

Imports from ``stats`` and ``data``, never from ``publish``.
"""
