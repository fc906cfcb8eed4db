"""cnslbp_lib: the computation behind the CNSLBP MRI study book.

Load and validate a cohort file, recompute every number the study's abstract
reports, check the abstract's numbers against each other, and rebuild the
reconstructed dataset. Check the printed numbers of any paper's paired
(pre–post) results together (``check_paired_result``, ``read_results_table``).
Chapters of the book import this package as ``cl``.
"""

from .data.convert import convert_cohort
from .data.instruments import (
    BASELINE_STAGE,
    FOLLOW_UP_STAGE,
    GLOBAL_CHANGE,
    INSTRUMENTS,
    NON_RESPONSE,
    PRE_EDUCATION_STAGE,
    STAGES,
    get_instrument,
    get_stage,
)
from .data.load import Cohort, FileReading, load_cohort
from .data.source import Provenance, cohort_path, provenance
from .exceptions import (
    BuildError,
    CnslbpError,
    CohortValidationError,
    NotEnoughDataError,
    PrintError,
    Problem,
    ReconstructionError,
)
from .paper.auditing import audit, recompute
from .paper.consistency import consistency_checks, grim_sums, percentage_counts
from .paper.ensemble import READINGS, Ensemble, sample_ensemble
from .paper.formatting import format_ci, format_number, format_p
from .paper.paired_checks import Check, CheckedResult, check_paired_result
from .paper.paired_result import PairedResult
from .paper.reconstruction import load_summary, worked_member
from .paper.reported import REPORTED, get_reported, reported_n
from .paper.results_table import read_results_table
from .paper.targets import change_targets
from .stats.bootstrap import BootstrapInterval, bootstrap_mean_change
from .stats.change import StageChange, bootstrap_change, paired_change, stage_change, wilcoxon_change
from .stats.core import (
    Correlation,
    PairedT,
    Proportion,
    SignedRank,
    correlation,
    critical_correlation,
    paired_t,
    proportion,
    signed_rank,
)
from .stats.correlation import Association, association, change_pairs
from .stats.global_change import global_change_distribution
from .stats.responder_analysis import pe_nonresponse, responder_sweep, responder_table, responders

__all__ = [
    "BASELINE_STAGE",
    "FOLLOW_UP_STAGE",
    "GLOBAL_CHANGE",
    "INSTRUMENTS",
    "NON_RESPONSE",
    "PRE_EDUCATION_STAGE",
    "READINGS",
    "REPORTED",
    "STAGES",
    "Association",
    "BootstrapInterval",
    "BuildError",
    "Check",
    "CheckedResult",
    "CnslbpError",
    "Cohort",
    "CohortValidationError",
    "Correlation",
    "Ensemble",
    "FileReading",
    "NotEnoughDataError",
    "PairedResult",
    "PairedT",
    "PrintError",
    "Problem",
    "Proportion",
    "Provenance",
    "ReconstructionError",
    "SignedRank",
    "StageChange",
    "association",
    "audit",
    "bootstrap_change",
    "bootstrap_mean_change",
    "change_pairs",
    "change_targets",
    "check_paired_result",
    "cohort_path",
    "consistency_checks",
    "convert_cohort",
    "correlation",
    "critical_correlation",
    "format_ci",
    "format_number",
    "format_p",
    "get_instrument",
    "get_reported",
    "get_stage",
    "global_change_distribution",
    "grim_sums",
    "load_cohort",
    "load_summary",
    "paired_change",
    "paired_t",
    "pe_nonresponse",
    "percentage_counts",
    "proportion",
    "provenance",
    "read_results_table",
    "recompute",
    "reported_n",
    "responder_sweep",
    "responder_table",
    "responders",
    "sample_ensemble",
    "signed_rank",
    "stage_change",
    "wilcoxon_change",
    "worked_member",
]
