"""Submissions an instructor should look at: they carry the instructor's own files.

A student's notebook has no business holding nbgrader's solution or hidden-test
markers, nor a solution region of the course's source notebook copied whole:
either means the instructor's files reached the student (a symbolic link
collected from the exchange, a leaked solution).  These are flags, not
grades: the notebook is graded as any other, and the flag goes to the
student's error line, the class CSV and report, and nbgrader's log.  An
honest student may well write one of the instructor's solutions line for
line (a five-line loop from d2l): only a notebook holding most of them
(``SHARE``) is flagged.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from rnnquiz.model.messages import text
from rnnquiz.model.notebook import cell_source, is_test_cell, nbgrader_meta

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS",
           "### BEGIN MARK SCHEME", "### END MARK SCHEME")
MIN_LINES = 3  # a solution region shorter than this is what an honest student may write too
CLAIMED = "timestamp_claimed.txt"  # collect's: the time a submission's name gave, beside the real one
SHARE = 0.5    # of the regions of MIN_LINES or more, at least this share (and two) copied whole


def _lines(source: str) -> list:
    return [line.strip() for line in source.splitlines() if line.strip()]


@functools.lru_cache(maxsize=64)
def instructor_regions(source: Path) -> tuple:
    """(grade id, region lines) of every solution region of an instructor's
    source notebook that is long enough to tell (``MIN_LINES``)."""
    try:
        nb = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    regions = []
    for cell in nb.get("cells", []):
        gid = nbgrader_meta(cell).get("grade_id")
        inside, block = False, []
        for line in cell_source(cell).splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside, block = True, []
            elif line.strip() == "### END SOLUTION":
                inside = False
                if len(_lines("\n".join(block))) >= MIN_LINES:
                    regions.append((gid, tuple(_lines("\n".join(block)))))
            elif inside:
                block.append(line)
    return tuple(regions)


def flags(nb: dict, source: Path | None, lang: str) -> list:
    """What in ``nb`` (a submitted notebook) came from the instructor's files.
    Test cells are left out: nbgrader puts the instructor's own back in them
    (hidden tests and all) before anything else reads the notebook."""
    found, cells = [], [c for c in nb.get("cells", []) if isinstance(c, dict) and not is_test_cell(c)]
    for index, cell in enumerate(cells):
        marks = sorted({m for m in MARKERS if m in cell_source(cell)})
        if marks:
            found.append(text("flag_markers", lang, index=index + 1, markers=", ".join(marks)))
    sources = [_lines(cell_source(c)) for c in cells]
    regions = instructor_regions(source) if source else ()
    copied = [gid or "?" for gid, region in regions
              if any(lines[i:i + len(region)] == list(region) for lines in sources
                     for i in range(len(lines) - len(region) + 1))]
    if len(copied) >= max(2, SHARE * len(regions)):
        found.append(text("flag_solution", lang, count=len(copied), total=len(regions), names=", ".join(copied)))
    return found


def time_flag(folder: Path, lang: str) -> list:
    """The flag of a submission whose name gave another time than its files
    (``nbgrader.exchange`` wrote ``timestamp.txt`` with the files' time and the
    name's beside it)."""
    try:
        claimed = (folder / CLAIMED).read_text(encoding="utf-8", errors="replace")[:100].strip()
        recorded = (folder / "timestamp.txt").read_text(encoding="utf-8", errors="replace")[:100].strip()
    except OSError:
        return []
    return [text("flag_time", lang, claimed=claimed, recorded=recorded)]
