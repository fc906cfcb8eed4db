"""Altair charts for the book, drawn through the offline renderer in :mod:`.render`.

Builders take results or cohort frames and return Altair charts; they compute
no statistics of their own.
"""

from .cohort import association_scatter, audit_overview, education_phase_chart, flow_chart, pairings_scatter
from .ensemble import readings_chart, responder_band_chart, spread_histogram
from .outcomes import estimation_plot, global_change_chart, responder_chart, threshold_sweep, trajectories
from .render import CHART_CLASS, OKABE_ITO, enable, form_note, message_chart, to_html, with_note
from .teaching import dz_explorer, rtm_simulator

__all__ = [
    "CHART_CLASS",
    "OKABE_ITO",
    "association_scatter",
    "audit_overview",
    "dz_explorer",
    "education_phase_chart",
    "enable",
    "estimation_plot",
    "flow_chart",
    "form_note",
    "global_change_chart",
    "message_chart",
    "pairings_scatter",
    "readings_chart",
    "responder_band_chart",
    "responder_chart",
    "rtm_simulator",
    "spread_histogram",
    "threshold_sweep",
    "to_html",
    "trajectories",
    "with_note",
]
