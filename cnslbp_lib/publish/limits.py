"""How much of a cohort the pages show one participant at a time.

Up to :data:`PER_PARTICIPANT_LIMIT` participants every chart draws one mark per
participant (a dot, a bar, a line) and every table lists every participant.
Above it, charts switch to forms whose size does not grow with the cohort (a
histogram of changes, a curve of improvement by rank, counts on a grid, a
random sample of lines), tables list the first :data:`PER_PARTICIPANT_LIMIT`
rows and say how many more there are, and the page says which form it shows
and why.

Why 200: a chart about 700 pixels wide still gives each of 200 bars or dots a
few pixels of its own, and 200 participants' rows keep a chapter's HTML well
under 300 kB; at a few thousand neither is true (20,000 participants made the
primary outcomes page 7.6 MB of HTML and its bar chart unreadable).
"""

from __future__ import annotations

__all__ = ["GRID_CELLS_PER_AXIS", "MARKED_LINES_LIMIT", "PER_PARTICIPANT_LIMIT", "SAMPLED_LINES", "more_participants"]

PER_PARTICIPANT_LIMIT = 200
# Above this many lines, a line chart draws no point marks on its lines: each line's three marks
# triple its size in the static SVG the page carries (200 marked lines made a page about 1.2 MB).
MARKED_LINES_LIMIT = 60
# Above PER_PARTICIPANT_LIMIT participants a chart of one line per participant draws a seeded random
# sample of this many lines (the summaries beside them use everyone): enough to show the spread,
# small enough that three such charts and their static drawings fit a page's budget.
SAMPLED_LINES = 40
# Counts on a grid of two changes use at most this many bins per axis, so at most 144 circles.
GRID_CELLS_PER_AXIS = 12


def more_participants(hidden: int, noun: str = "participant") -> str:
    """``… and 19,800 more participants``: what a capped table says about the rows it leaves out."""
    return f"… and {hidden:,} more {noun}{'' if hidden == 1 else 's'}"
