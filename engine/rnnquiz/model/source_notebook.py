"""An instructor's source notebook, parsed once per version of the file.

A class run asks the same source notebook several questions: which of our
assignments it is (its ``rnnquiz.assignment`` tag), what its markdown cells'
figures are, which solution regions a copied submission would repeat, and what
its examples print.  Each answer is derived from one parse, and the parse is
redone when the file changes (its modification time or size), so a course
that edits a source notebook between two runs in one process is read afresh.
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from stat import S_ISREG

from rnnquiz.model.files import open_unfollowed


class SourceNotebook:
    """The parsed notebook and what has been derived from it (``derived``)."""

    def __init__(self, path: Path, nb: dict):
        self.path, self.nb = path, nb
        self._derived: dict = {}

    def derived(self, make, key=None):
        """``make(nb)``, computed once for this version of the file (under
        ``key``, default ``make`` itself)."""
        key = make if key is None else key
        if key not in self._derived:
            self._derived[key] = make(self.nb)
        return self._derived[key]


def read(path: Path | None) -> SourceNotebook | None:
    """The source notebook at ``path``; None when there is none, when it is not
    a regular file (a link is not followed: what it points to is not the
    course's notebook; a FIFO would block), or when it is not a notebook."""
    if path is None:
        return None
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parsed(path: str, _mtime: int, _size: int) -> SourceNotebook | None:
    try:
        with open(open_unfollowed(path), encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError):
        return None
    return SourceNotebook(Path(path), nb) if isinstance(nb, dict) else None
