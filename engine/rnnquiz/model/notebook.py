"""Reading a submitted notebook: validation, its assignment, the cells to run."""
from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.model.content import Assignment
from rnnquiz.model.files import open_unfollowed
from rnnquiz.model.printable import printable
from rnnquiz.sandboxed.wire import clean_text


class NotebookError(UserError):
    """A file that cannot be graded; the message says which file and what to do."""

    def __init__(self, path, message: str):
        super().__init__(printable(f"{path}: {message}"))  # a path, a strerror: the student's
        self.path, self.message = str(path), message


@dataclass
class Submission:
    path: str
    assignment: Assignment
    cells: list  # [(index, grade_id, source)] for every code cell to execute


MAX_BYTES = 8 * 1024 * 1024  # a notebook without outputs is tens of KB; with outputs, a few MB
MAX_CELLS = 1000  # the assignments' notebooks have tens
MAX_READ = 256 * 1024 * 1024  # what nbgrader's own reading may take of any course's notebook


def refuse_unsafe_file(path, max_bytes: int = MAX_BYTES) -> None:
    """Refuse, with a message for the student, what rnnquiz never reads:
    a symbolic link, a folder, a special file (a FIFO would block the reader
    for ever), a file above ``max_bytes``.  Decided on ``lstat``: nothing is opened."""
    path = Path(path)
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise NotebookError(path, "no such file; give the path of a submitted .ipynb notebook.") from None
    except OSError as exc:
        raise NotebookError(path, f"cannot be read ({exc.strerror}).") from None
    if stat.S_ISLNK(st.st_mode):
        raise NotebookError(path, "is a symbolic link; rnnquiz never follows links in submissions. "
                                  "Submit the notebook file itself.")
    if stat.S_ISDIR(st.st_mode):
        raise NotebookError(path, "is a folder; give the path of a .ipynb notebook inside it.")
    if not stat.S_ISREG(st.st_mode):
        raise NotebookError(path, f"is {special_kind(st.st_mode)}, not a file; rnnquiz never opens special "
                                  "files in submissions. Submit the notebook file itself.")
    if st.st_size > max_bytes:
        raise NotebookError(path, _too_large(max_bytes))


def special_kind(mode: int) -> str:
    return ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")


MAX_FILES = 1000  # files in one submitted folder (an assignment has a few)


def submission_files(folder, max_files: int = MAX_FILES) -> list:
    """The files of a student's submitted folder (paths relative to it), walked
    without following anything: a symbolic link or a special file anywhere
    in it refuses the whole submission (copying it would follow the link or
    block on the pipe), as do more than ``max_files`` entries."""
    folder = Path(folder)
    found, todo = [], [folder]
    while todo:
        current = todo.pop()
        try:
            # read one entry at a time: a folder of millions is refused at the bound, never read whole
            with os.scandir(current) as listing:
                for entry in listing:
                    _visit(entry, folder, found, todo)
                    if len(found) + len(todo) > max_files:
                        raise NotebookError(folder, f"holds more than {max_files} files; nothing of this "
                                                    "submission was graded.")
        except OSError as exc:
            raise NotebookError(current, f"cannot be read ({exc.strerror}); nothing of this submission "
                                         "was graded.") from None
    return sorted(found)


def _visit(entry, folder: Path, found: list, todo: list):
    path = Path(entry.path)
    if entry.is_symlink():
        raise NotebookError(path, "is a symbolic link; rnnquiz never follows links in submissions "
                                  "(nothing of this submission was graded).")
    mode = entry.stat(follow_symlinks=False).st_mode
    if stat.S_ISDIR(mode):
        todo.append(path)
    elif stat.S_ISREG(mode):
        found.append(str(path.relative_to(folder)))
    else:
        raise NotebookError(path, f"is {special_kind(mode)}; rnnquiz never opens special files in "
                                  "submissions (nothing of this submission was graded).")


def _too_large(max_bytes: int) -> str:
    return (f"is larger than {max_bytes / 1024**2:g} MB; clear the outputs "
            "(Kernel > Restart & Clear Output), save and submit again.")


def read_bytes(path, max_bytes: int = MAX_BYTES) -> bytes:
    """A submitted file's bytes: never through a symbolic link, never above ``max_bytes``."""
    path = Path(path)
    refuse_unsafe_file(path, max_bytes)
    try:
        # O_NONBLOCK: a file swapped for a FIFO after the check cannot block the open
        fd = open_unfollowed(path)
    except OSError as exc:
        raise NotebookError(path, f"cannot be read ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotebookError(path, "is not a file; submit the notebook file itself.")
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise NotebookError(path, _too_large(max_bytes))
    return raw


def read(path, assignment: Assignment, max_bytes: int = MAX_BYTES) -> Submission:
    """Read and check one notebook of ``assignment`` (which the caller decided:
    never the notebook's content)."""
    return from_dict(load(path, max_bytes), path, assignment)


def load(path, max_bytes: int = MAX_BYTES) -> dict:
    """A submitted notebook's JSON, checked to be a notebook; the message of any
    problem names the file and what to do."""
    path = Path(path)
    raw = read_bytes(path, max_bytes)
    if not raw.strip():
        raise NotebookError(path, "is empty; save the notebook in Jupyter and submit it again.")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        if path.suffix.lower() != ".ipynb":  # a script or a text: the notebook itself is what is read
            kind = f"a {path.suffix} file" if path.suffix else "a file without the .ipynb extension"
            raise NotebookError(path, f"is {kind}, not a Jupyter notebook; give the notebook itself "
                                      f"({path.stem}.ipynb, the file you open in Jupyter), not a script or "
                                      "text exported from it.") from None
        raise NotebookError(path, "is not valid JSON, so it is not a Jupyter notebook; "
                                  "open and save it in Jupyter, or re-download it.") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no list of cells).")
    return nb


def from_dict(nb, path, assignment: Assignment) -> Submission:
    """A notebook already parsed (nbgrader hands one over) as a Submission."""
    path = Path(path)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no list of cells).")
    return Submission(str(path), assignment, _code_cells(nb))


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    if type(src) is list:
        src = "".join(s for s in src if type(s) is str)
    return clean_text(src) if type(src) is str else ""


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    nbg = meta.get("nbgrader")
    return nbg if isinstance(nbg, dict) else {}


def is_test_cell(cell: dict) -> bool:
    nbg = nbgrader_meta(cell)
    return bool(nbg.get("grade")) and not nbg.get("solution")


def _code_cells(nb: dict) -> list:
    """Code cells to execute: everything but nbgrader's test cells.

    Test cells hold the visible asserts and hidden-test hooks; grading uses
    the hidden graders instead, so running them would only cost time.
    """
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_test_cell(cell):
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        cells.append((index, grade_id if type(grade_id) is str else None, cell_source(cell)))
    return cells
