"""Submissions an instructor should look at: they carry the instructor's own files.

A student's notebook has no business holding nbgrader's solution or hidden-test
markers, nor the solution regions of the course's source notebook copied whole:
either means the instructor's files reached the student (a symbolic link
collected from the exchange, a leaked solution).  These are flags, not
grades: the notebook is graded as any other, and the flag goes to the
student's error line, the class CSV and report, and nbgrader's log.

Regions are compared as token streams, not lines: comments, blank lines,
layout and the names of variables do not count (a copy with its comments
removed and its variables renamed is still a copy); attributes (``torch.tanh``)
and literals do.  An honest student may well write one of the instructor's
solutions token for token (a five-line loop from d2l): only a notebook holding
at least ``MIN_COPIED`` tokens of them, and at least ``SHARE`` of them, is
flagged, so an assignment of one long region is covered as well as one of many.
"""
from __future__ import annotations

import functools
import keyword
import re
from pathlib import Path

from rnnquiz.model import source_notebook
from rnnquiz.model.files import open_unfollowed
from rnnquiz.model.messages import text
from rnnquiz.model.notebook import cell_source, is_test_cell, nbgrader_meta

INSTRUCTOR_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS",
           "### BEGIN MARK SCHEME", "### END MARK SCHEME")
CLAIMED = "timestamp_claimed.txt"  # collect's: the time a submission's name gave, beside the real one
MIN_TOKENS = 10    # a region shorter than this (a quiz's letter, a one-word return) is what everyone writes
MIN_COPIED = 100   # tokens of regions found copied before a notebook is flagged
SHARE = 0.5        # ... and at least this share of the tokens of the regions of MIN_TOKENS or more

# strings whole, comments (dropped), names, numbers, any other character: a token stream without tokenize's cost
_TOKEN = re.compile(r'''[rbuRBUfF]*(?:"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
                    r"|#[^\n]*|[A-Za-z_]\w*|\d[\w.]*|\S")
_NAME = re.compile(r"[A-Za-z_]\w*\Z")
NAME, SEP, END = "\x01", "\x00", "\x02"  # a renamable name's place; between tokens; a cell's end
_OURS = {0: None, 1: None, 2: None}  # taken out of a source first: they mean something in a stream


@functools.lru_cache(maxsize=4096)  # a class's notebooks share most cells (the text, its examples)
def tokens(source: str) -> tuple:
    """(shape, names): the stream of ``source`` with every variable name as
    NAME in ``shape`` and its spelling at the same place in ``names`` (None
    elsewhere); comments dropped, attributes and keywords kept as they are."""
    shape, names, previous = [], [], ""
    for tok in _TOKEN.findall(source.translate(_OURS)):
        if tok.startswith("#"):
            continue
        if _NAME.match(tok) and not keyword.iskeyword(tok) and previous != ".":
            shape.append(NAME)
            names.append(tok)
        else:
            shape.append(tok)
            names.append(None)
        previous = tok
    return tuple(shape), tuple(names)


def instructor_regions(source: Path) -> tuple:
    """(grade id, shape, names) of every solution region of an instructor's
    source notebook that is long enough to tell (``MIN_TOKENS``)."""
    parsed = source_notebook.read(source)
    return parsed.derived(_regions) if parsed is not None else ()


def _regions(nb: dict) -> tuple:
    regions = []
    for cell in nb.get("cells", []):
        gid = nbgrader_meta(cell).get("grade_id")
        inside, block = False, []
        for line in cell_source(cell).splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside, block = True, []
            elif line.strip() == "### END SOLUTION":
                inside = False
                shape, names = tokens("\n".join(block))
                if len(shape) >= MIN_TOKENS:
                    regions.append((gid, shape, names))
            elif inside:
                block.append(line)
    return tuple(regions)


def _renamed(names: list, start: int, region_names: tuple) -> bool:
    """Whether the names from ``start`` on are the region's, consistently renamed."""
    ours, theirs = {}, {}
    for offset, name in enumerate(region_names):
        if name is None:
            continue
        got = names[start + offset]
        if ours.setdefault(name, got) != got or theirs.setdefault(got, name) != name:
            return False
    return True


def _holds(stream: tuple, region: tuple) -> bool:
    """Whether ``stream`` (a notebook's shape string and names) holds ``region`` renamed."""
    joined, names = stream
    _gid, shape, region_names = region
    needle = SEP + SEP.join(shape) + SEP
    at = joined.find(needle)
    while at >= 0:  # the shape matches (C speed); then the names, at this place only
        if _renamed(names, joined.count(SEP, 0, at), region_names):
            return True
        at = joined.find(needle, at + 1)
    return False


def flags(nb: dict, source: Path | None, lang: str) -> list:
    """What in ``nb`` (a submitted notebook) came from the instructor's files.
    Test cells are left out: nbgrader puts the instructor's own back in them
    (hidden tests and all) before anything else reads the notebook."""
    found, cells = [], [c for c in nb.get("cells", []) if isinstance(c, dict) and not is_test_cell(c)]
    sources = [cell_source(c) for c in cells]
    for index, source_text in enumerate(sources):
        marks = sorted({m for m in INSTRUCTOR_MARKERS if m in source_text}) if "###" in source_text else ()
        if marks:
            found.append(text("flag_markers", lang, index=index + 1, markers=", ".join(marks)))
    regions = instructor_regions(source) if source else ()
    if not regions:
        return found
    # one stream for the whole notebook, each cell ended by a token no region holds
    shape, names = [], []
    for cell, source_text in zip(cells, sources):
        if cell.get("cell_type") == "code":
            s, n = tokens(source_text)
            shape += s
            shape.append(END)
            names += n
            names.append(None)
    stream = (SEP + SEP.join(shape) + SEP, names)
    copied = [region for region in regions if _holds(stream, region)]
    size = sum(len(r[1]) for r in copied)
    if size >= MIN_COPIED and size >= SHARE * sum(len(r[1]) for r in regions):
        found.append(text("flag_solution", lang, count=len(copied), total=len(regions),
                          names=", ".join(r[0] or "?" for r in copied)))
    return found


def time_flag(folder: Path, lang: str) -> list:
    """The flag of a submission whose name gave another time than its files
    (``nbgrader.exchange`` wrote ``timestamp.txt`` with the files' time and the
    name's beside it)."""
    try:
        claimed, recorded = _head(folder / CLAIMED), _head(folder / "timestamp.txt")
    except OSError:
        return []
    return [text("flag_time", lang, claimed=claimed, recorded=recorded)]


def _head(path: Path) -> str:
    """The first characters of a small file of the submission's folder, never through a link."""
    with open(open_unfollowed(path), "rb") as f:
        return f.read(400).decode("utf-8", errors="replace")[:100].strip()
