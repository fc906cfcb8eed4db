"""The ``cnslbp`` command: a thin layer that parses arguments and calls the library.

Exit codes: 0 success, 1 invalid input (the message names file, line, column,
value and rule), 2 wrong usage, 3 when ``cnslbp check --fail-on-inconsistent``
found an inconsistent result (without the flag, inconsistencies are findings
and the exit code is 0), 141 when the reader of the output closed the pipe.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .data.convert import convert_cohort
from .data.files import write_text_atomically
from .data.load import load_cohort
from .data.paper_file import paper_schema
from .data.schema import data_dictionary, write_schema
from .data.source import PROJECT_ROOT
from .exceptions import CnslbpError, Problem, ResultsTableError
from .paper.auditing import audit
from .paper.consistency import consistency_checks, paper_summary, paper_table
from .paper.ensemble import DEFAULT_READING, DEFAULT_SEED, READINGS, sample_ensemble
from .paper.reconstruction import write_reconstruction
from .paper.reported import STUDY, load_paper
from .paper.results_table import (
    check_results_table,
    read_results_table,
    results_to_csv,
    results_to_json,
    results_to_text,
)
from .paper.row_ensemble import row_ensemble

# The publishing layer (Altair, Sphinx, ...) is imported by the commands that publish, so that validate, audit,
# convert and check start without it (about a second less each time).

__all__ = ["main"]


def _validate(arguments: argparse.Namespace) -> int:
    cohort = load_cohort(arguments.file, sheet=arguments.sheet)
    stages = cohort.data["stage"].nunique()
    print(
        f"{cohort.file_reading.origin.place}: valid. {cohort.n_participants} participants, {len(cohort.data)} rows "
        f"over {stages} stages, global_change {'present' if cohort.has_global_change else 'not collected'}."
    )
    for line in cohort.file_reading.describe():
        print(line)
    warnings = cohort.warnings
    if warnings:
        print(
            f"{len(warnings)} incomplete record{'s' if len(warnings) != 1 else ''} (analyses state who they exclude):"
        )
        for warning in warnings:
            print(f"  - {warning}")
    return 0


def _audit(arguments: argparse.Namespace) -> int:
    table = audit(load_cohort(arguments.file, sheet=arguments.sheet))
    if arguments.format == "json":
        print(json.dumps(table.to_dict(orient="records"), indent=2, ensure_ascii=False))
    elif arguments.format == "csv":
        sys.stdout.write(table.to_csv(index=False, lineterminator="\n"))
    else:
        shown = table.assign(
            recomputed=table["recomputed"].map(lambda value: f"{value:.6f}"),
            verdict=table["agrees"].map({True: "agrees", False: "DISAGREES"}),
        )[["key", "reported", "recomputed", "recomputed_printed", "verdict"]]
        print(shown.rename(columns={"recomputed_printed": "as printed"}).to_string(index=False))
        disagreements = table[~table["agrees"]]
        print(f"\n{len(table) - len(disagreements)} of {len(table)} reported numbers agree.")
        for row in disagreements.itertuples(index=False):
            print(f"\n{row.key}:")
            print(textwrap.indent(textwrap.fill(row.explanation, width=96), "  "))
    return 0


def _convert(arguments: argparse.Namespace) -> int:
    cohort, digest = convert_cohort(arguments.file, arguments.out, sheet=arguments.sheet)
    reading = cohort.file_reading
    print(
        f"wrote {arguments.out}: {cohort.n_participants} participants, {len(cohort.data)} rows, long layout "
        f"(read from {reading.origin.place}, {reading.origin.kind}, layout {reading.layout.kind}; SHA-256 {digest})"
    )
    for note in reading.all_notes:
        print(f"  - {note}")
    return 0


def _report(arguments: argparse.Namespace) -> int:
    from .publish.report import write_report  # noqa: PLC0415 (publishing commands only)

    paper = load_paper(arguments.paper)
    page = write_report(paper, arguments.out, seed=arguments.seed)
    print(f"wrote {page} (open it in a browser; it loads nothing from elsewhere)")
    return 0


def _checks(arguments: argparse.Namespace) -> int:

    table = consistency_checks()
    for row in table.itertuples(index=False):
        print(f"[{row.verdict}] {row.check} ({', '.join(row.keys)})")
        print(textwrap.indent(textwrap.fill(row.detail, width=96), "  "))
    return 0


def _check(arguments: argparse.Namespace) -> int:
    if (arguments.paper is None) == (arguments.table is None):
        reason = "give a paper file (PAPER) or a results table (--table FILE), not both"
        print(f"{arguments.usage()}cnslbp check: error: {reason}", file=sys.stderr)
        return 2
    if arguments.paper is not None:
        paper = load_paper(arguments.paper)
        table = paper_table(paper)
    else:
        paper = None
        table = read_results_table(arguments.table)
    for warning in table.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    results = check_results_table(table)
    if arguments.format == "json":
        sys.stdout.write(results_to_json(table, results))
    elif arguments.format == "csv":
        sys.stdout.write(results_to_csv(table, results))
    else:
        sys.stdout.write(results_to_text(results))
        if paper is not None:
            sys.stdout.write(paper_summary(paper))
    inconsistent = any(result.verdict == "inconsistent" for result in results)
    return 3 if arguments.fail_on_inconsistent and inconsistent else 0


def _reconstruct(arguments: argparse.Namespace) -> int:
    for path in (arguments.out, arguments.summary):
        if path is not None and not path.parent.is_dir():  # said now, not after the minute the drawing takes
            print(f"error: {path.parent}: the folder to write into does not exist", file=sys.stderr)
            return 1
    digest = write_reconstruction(arguments.out, arguments.summary)
    print(f"wrote {arguments.out} (SHA-256 {digest})")
    if arguments.summary is not None:
        print(f"wrote {arguments.summary} and {arguments.summary.with_suffix('.json').name}")
    return 0


def _ensemble(arguments: argparse.Namespace) -> int:
    if arguments.table is not None or arguments.row is not None:
        if arguments.table is None or arguments.row is None or arguments.paper is not None:
            reason = "a results table's row needs both --table FILE and --row ID, and no --paper"
            print(f"{arguments.usage()}cnslbp ensemble: error: {reason}", file=sys.stderr)
            return 2
        return _row_ensemble(arguments)
    paper = load_paper(arguments.paper) if arguments.paper is not None else STUDY
    ensemble = sample_ensemble(arguments.members, seed=arguments.seed, reading=arguments.reading, paper=paper)
    digest = write_text_atomically(arguments.out, ensemble.to_csv())
    print(
        f"wrote {arguments.out}: {ensemble.members} members drawn uniformly from every dataset the paper allows "
        f"(reading {ensemble.reading.name!r}: {ensemble.reading.describe(paper)}; seed {ensemble.seed}; "
        f"SHA-256 {digest})"
    )
    return 0


def _row_ensemble(arguments: argparse.Namespace) -> int:
    table = read_results_table(arguments.table)
    rows = {row.result.id: row for row in table.rows}
    if arguments.row not in rows:
        known = ", ".join(list(rows)[:20])
        raise ResultsTableError(
            [Problem(str(arguments.table), None, "id", arguments.row, f"no row has this id; ids: {known}")]
        )
    drawn = row_ensemble(rows[arguments.row].result, arguments.members, seed=arguments.seed)
    digest = write_text_atomically(arguments.out, drawn.to_csv())
    totals = ", ".join(str(total) for total, _ in drawn.set.candidates)
    how = "exactly" if drawn.exact else "approximately (estimated counts weigh the totals)"
    counted = "exact" if drawn.exact else "estimated"
    print(
        f"wrote {arguments.out}: {arguments.members} change vectors of row {arguments.row!r} (n = {drawn.set.n}), "
        f"drawn {how} uniformly by the {drawn.method} sampler from the 10^{drawn.log10_count:.2f} ({counted}) "
        f"vectors its printed {', '.join(drawn.set.used)} allow; total change in score steps: {totals}; "
        f"seed {arguments.seed}; SHA-256 {digest}"
    )
    return 0


def _schema(arguments: argparse.Namespace) -> int:
    if arguments.paper:
        write_text_atomically(arguments.out, json.dumps(paper_schema(), indent=2, ensure_ascii=False) + "\n")
    else:
        write_schema(arguments.out)
    print(f"wrote {arguments.out}")
    return 0


def _dictionary(arguments: argparse.Namespace) -> int:
    arguments.out.write_text(data_dictionary(), encoding="utf-8")
    print(f"wrote {arguments.out}")
    return 0


def _build(arguments: argparse.Namespace) -> int:
    from .publish.build.sitebuild import build_site  # noqa: PLC0415 (publishing commands only)

    out = build_site(arguments.data, arguments.out, sheet=arguments.sheet)
    print(f"built the book into {out} (open {out / 'index.html'})")
    return 0


def _outputs(arguments: argparse.Namespace) -> int:
    from .publish.build.outputs import chapter_notebooks, store_outputs  # noqa: PLC0415 (publishing commands only)

    chosen = [Path(name).resolve() for name in arguments.notebooks] or chapter_notebooks()
    changed = store_outputs(chosen)
    print(f"executed {len(chosen)} chapters; stored new outputs in {len(changed)}")
    for path in changed:
        print(f"  - {path.name}")
    return 0


def _pdf(arguments: argparse.Namespace) -> int:
    from .publish.build.pdf import print_book  # noqa: PLC0415 (publishing commands only)

    printed = print_book(arguments.site, arguments.out)
    print(
        f"wrote {printed.path}: {printed.pages} pages, {printed.size_bytes / 1e6:.1f} MB, "
        f"{len(printed.chapters)} chapters in the order of _toc.yml, {printed.charts} charts, "
        f"{printed.formulas} formulas"
    )
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


_FORMATS = "cohort file: CSV, Excel workbook (.xlsx), SPSS (.sav) or Stata (.dta); long, wide or REDCap layout"
_SHEET_HELP = "the workbook's sheet to read (default: the first sheet)"


def _cohort_commands(commands: Any) -> None:
    """validate, convert, audit, build: the commands that read a cohort file."""
    validate = commands.add_parser("validate", help="check a cohort file against the data dictionary")
    validate.add_argument("file", help=_FORMATS)
    validate.add_argument("--sheet", help=_SHEET_HELP)
    validate.set_defaults(run=_validate)

    convert = commands.add_parser(
        "convert", help="write a cohort file in any format or layout as the book's long CSV (what the book reads)"
    )
    convert.add_argument("file", help=_FORMATS)
    convert.add_argument("--out", required=True, type=Path, help="where to write the long CSV")
    convert.add_argument("--sheet", help=_SHEET_HELP)
    convert.set_defaults(run=_convert)

    audit = commands.add_parser("audit", help="compare every number in the abstract with a cohort file")
    audit.add_argument("file", help=_FORMATS)
    audit.add_argument("--sheet", help=_SHEET_HELP)
    audit.add_argument("--format", choices=("table", "json", "csv"), default="table")
    audit.set_defaults(run=_audit)

    build = commands.add_parser("build", help="build the whole website from a cohort file")
    build.add_argument("--data", type=Path, help=f"{_FORMATS} (default: the reconstruction, data/cohort.csv)")
    build.add_argument("--sheet", help=_SHEET_HELP)
    build.add_argument("--out", type=Path, help="output folder (default: _build/html)")
    build.set_defaults(run=_build)


def _paper_commands(commands: Any) -> None:
    """checks, check, report, reconstruct, ensemble: the commands about a paper's printed numbers."""
    checks = commands.add_parser("checks", help="run the data-free consistency checks on the abstract")
    checks.set_defaults(run=_checks)

    check = commands.add_parser(
        "check",
        help="check the printed numbers of paired (pre–post) results together, from a paper file or a results table",
        description="Check every printed number of each paired (pre–post) result against the others, each as an "
        "interval under rounding. Exit 0 when the checks ran (3 with --fail-on-inconsistent when a result is "
        "inconsistent), 1 for an unusable file, 2 for wrong usage. Formats: papers/paper.schema.json (a paper "
        "file) and data/results_table.md (a results table).",
    )
    check.add_argument("paper", nargs="?", type=Path, help="a paper file (YAML; see papers/)")
    check.add_argument("--table", type=Path, help="results table: CSV, one printed paired result per row")
    check.add_argument("--format", choices=("text", "json", "csv"), default="text")
    check.add_argument(
        "--fail-on-inconsistent", action="store_true", help="exit with code 3 when any result is inconsistent"
    )
    check.set_defaults(run=_check, usage=check.format_usage)

    report = commands.add_parser(
        "report",
        help="write a reviewer's report on a paper file: one offline page of every check and what the numbers allow",
    )
    report.add_argument("paper", type=Path, help="a paper file (YAML; see papers/)")
    report.add_argument(
        "--out", required=True, type=Path, help="the folder to write index.html and its stylesheets into"
    )
    report.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    report.set_defaults(run=_report)

    reconstruct = commands.add_parser(
        "reconstruct", help="write the worked dataset: the ensemble member nearest its medians"
    )
    reconstruct.add_argument("--out", required=True, type=Path, help="where to write the worked dataset (CSV)")
    reconstruct.add_argument(
        "--summary",
        type=Path,
        help="also write the per-member ensemble summary (CSV; its stamp goes beside it as .json)",
    )
    reconstruct.set_defaults(run=_reconstruct)

    ensemble = commands.add_parser(
        "ensemble",
        help="draw datasets uniformly from everything a paper allows (cohort format + member column), or the "
        "change vectors one row of a results table allows",
    )
    ensemble.add_argument("--paper", type=Path, help="a paper file (default: the book's study)")
    ensemble.add_argument("--table", type=Path, help="a results table, with --row: draw that row's change vectors")
    ensemble.add_argument("--row", help="the id of the results table's row")
    ensemble.add_argument("--members", type=_positive, required=True, help="how many datasets to draw")
    ensemble.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ensemble.add_argument(
        "--reading",
        choices=[reading.name for reading in READINGS],
        default=DEFAULT_READING,
        help="how to read the abstract's ambiguous sentences (default %(default)s): "
        + "; ".join(f"{reading.name}: {reading.describe()}" for reading in READINGS),
    )
    ensemble.add_argument("--out", required=True, type=Path, help="where to write the CSV")
    ensemble.set_defaults(run=_ensemble, usage=ensemble.format_usage)


def _book_commands(commands: Any) -> None:
    """schema, dictionary, outputs, pdf: the commands that maintain the book."""
    schema = commands.add_parser("schema", help="write a machine-readable schema (the cohort file's, by default)")
    schema.add_argument("--out", required=True, type=Path, help="where to write the JSON")
    schema.add_argument("--paper", action="store_true", help="the paper file's JSON Schema instead")
    schema.set_defaults(run=_schema)

    dictionary = commands.add_parser("dictionary", help="write the data dictionary (Markdown)")
    dictionary.add_argument("--out", required=True, type=Path, help="where to write the Markdown")
    dictionary.set_defaults(run=_dictionary)

    outputs = commands.add_parser("outputs", help="re-execute chapters and store their outputs (for strict nbval)")
    outputs.add_argument("notebooks", nargs="*", help="chapter notebooks (default: every chapter in book/)")
    outputs.set_defaults(run=_outputs)

    pdf = commands.add_parser("pdf", help="print the built site to one PDF with Chromium")
    pdf.add_argument(
        "--site", type=Path, default=PROJECT_ROOT / "_build" / "html", help="built site (default: _build/html)"
    )
    pdf.add_argument("--out", type=Path, default=PROJECT_ROOT / "_build" / "pdf" / "book.pdf", help="the PDF to write")
    pdf.set_defaults(run=_pdf)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnslbp",
        description="Validate, audit and reconstruct cohort files for the CNSLBP MRI study book, and check the "
        "printed numbers of any single-group pre–post study.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _cohort_commands(commands)
    _paper_commands(commands)
    _book_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Besides 0, 1 and 2 (see the module docstring), the exit code is 141 when
    the reader of the output goes away early, as in ``cnslbp validate FILE |
    head -1``: the command then stops quietly, without a traceback. 141 is
    128 + SIGPIPE, the status a shell reports for a program a closed pipe
    stopped, so it is not mistaken for invalid input (1). This follows the
    Python documentation's recipe for SIGPIPE: output is flushed while
    exceptions can still be handled, and on a broken pipe stdout (and
    stderr) are pointed at devnull so the interpreter's last flush cannot
    fail again. Text the terminal cannot encode (an id in another script,
    say) is written as backslash escapes instead of failing.
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    try:
        try:
            arguments = _parser().parse_args(argv)
        except SystemExit:
            sys.stdout.flush()  # help or usage text: a closed pipe shows up here, not at exit
            raise
        try:
            code = int(arguments.run(arguments))
        except BrokenPipeError:
            raise  # an OSError, but not an error of the input: handled below
        except CnslbpError as error:
            print(f"error: {error}", file=sys.stderr)
            code = 1
        except OSError as error:
            print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
            code = 1
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            # a stream without a file descriptor (captured output) has nothing left to flush
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, stream.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
