"""Each page's visible words and reading time, the readers' paths, and the targets.

    python benchmarks/reading.py [SITE]        (default: _build/html; build it with 'make book')

Counts what a reader sees in each page's article (prose, tables, captions,
folded solutions; not code, scripts or hover tips), with the function the
build uses to print each page's reading time
(:func:`cnslbp_lib.publish.build.reading.visible_words`), at 200 words a minute.

Targets (issue "A reader's path"): the clinician's path at most 60 minutes;
the book (every chapter but the library reference and "Reproduce this book")
at most 20,000 words.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.build.reader_paths import load_paths
from cnslbp_lib.publish.build.reading import WORDS_PER_MINUTE, measure_site, minutes, stop_words
from cnslbp_lib.publish.build.reproduce import book_chapters

BOOK_WORDS_TARGET = 20_000
CLINICIAN_MINUTES_TARGET = 60


def main(site: Path) -> int:
    pages = book_chapters()
    readings = {reading.page: reading for reading in measure_site(site, pages)}
    print(f"{'page':<32}{'words':>8}{'minutes':>9}")
    for reading in readings.values():
        print(f"{reading.page:<32}{reading.words:>8,}{reading.minutes:>9}")
    total = sum(reading.words for reading in readings.values())
    print(f"{'book':<32}{total:>8,}{minutes(total):>9}   target ≤ {BOOK_WORDS_TARGET:,} words", end="")
    print("  ok" if total <= BOOK_WORDS_TARGET else "  OVER")
    failed = False
    for path in load_paths():
        words = sum(readings[stop].words if stop in readings else stop_words(site, stop) for stop in path.stops)
        line = f"path: {path.title:<26.26}{words:>8,}{minutes(words):>9}"
        if path.key == "clinician":
            ok = minutes(words) <= CLINICIAN_MINUTES_TARGET
            failed |= not ok
            line += f"   target ≤ {CLINICIAN_MINUTES_TARGET} min  {'ok' if ok else 'OVER'}"
        print(line)
    print(f"({WORDS_PER_MINUTE} words a minute)")
    return 1 if failed or total > BOOK_WORDS_TARGET else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "_build" / "html"))
