"""cnslbp_lib: the computation behind the CNSLBP MRI study book.

Load and validate a cohort file, recompute every number the study's abstract
reports, check the abstract's numbers against each other, and rebuild the
reconstructed dataset. Chapters of the book import this package as ``cl``.
"""

from .data.instruments import (
    BASELINE_STAGE,
    FOLLOW_UP_STAGE,
    GLOBAL_CHANGE,
    INSTRUMENTS,
    NON_RESPONSE,
    PRE_EDUCATION_STAGE,
    STAGES,
    get_instrument,
)
from .data.load import Cohort, load_cohort
from .data.source import Provenance, cohort_path, provenance
from .exceptions import CnslbpError, CohortValidationError, Problem, ReconstructionError
from .paper.auditing import audit, print_as_paper, recompute
from .paper.consistency import consistency_checks, grim_sums, percentage_counts
from .paper.formatting import format_ci, format_number, format_p
from .paper.reconstruction import ASSUMPTIONS, change_targets, reconstruct
from .paper.reported import REPORTED, get_reported, reported_n
from .stats.change import StageChange, bootstrap_change, paired_change, stage_change, wilcoxon_change
from .stats.correlation import association, paired_changes
from .stats.global_change import global_change_distribution
from .stats.responder_analysis import pe_nonresponse, responder_sweep, responder_table, responders

__all__ = [
    "ASSUMPTIONS",
    "BASELINE_STAGE",
    "FOLLOW_UP_STAGE",
    "GLOBAL_CHANGE",
    "INSTRUMENTS",
    "NON_RESPONSE",
    "PRE_EDUCATION_STAGE",
    "REPORTED",
    "STAGES",
    "CnslbpError",
    "Cohort",
    "CohortValidationError",
    "Problem",
    "Provenance",
    "ReconstructionError",
    "StageChange",
    "association",
    "audit",
    "bootstrap_change",
    "change_targets",
    "cohort_path",
    "consistency_checks",
    "format_ci",
    "format_number",
    "format_p",
    "get_instrument",
    "get_reported",
    "global_change_distribution",
    "grim_sums",
    "load_cohort",
    "paired_change",
    "paired_changes",
    "pe_nonresponse",
    "percentage_counts",
    "print_as_paper",
    "provenance",
    "recompute",
    "reconstruct",
    "reported_n",
    "responder_sweep",
    "responder_table",
    "responders",
    "stage_change",
    "wilcoxon_change",
]
