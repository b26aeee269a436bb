"""`rnnquiz autograde` and what a student puts beside the notebook: extra files
are copied within nbgrader's bounds (never a sparse file written densely), a
folder of many files is refused at the bound while it is read and listed once
per run, and a submission whose time collect corrected is flagged."""
import os
from pathlib import Path

import pytest

from courses import make_course, submit
from rnnquiz.classrun import autograde
from rnnquiz.isolation.limits import Limits
from rnnquiz.model import notebook
from rnnquiz.nbgrader.gradebook_writer import _copy_regular
from support import solution

pytestmark = pytest.mark.slow
AID = "rnn_from_scratch"
LIMITS = Limits(call_timeout=10.0, submission_timeout=60.0)
SPARSE = 3 * 1024**3


def used(path: Path) -> int:
    return sum(p.lstat().st_blocks * 512 for p in [path, *path.rglob("*")] if p.exists())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("course"), [AID])
    for student in ("ana", "bia", "caio", "dora"):
        submit(course, student, AID, solution(AID))
    ana = course / "submitted" / "ana" / AID
    with open(ana / "data.bin", "wb") as f:  # 3 GB that take no room in submitted/
        f.truncate(SPARSE)
    (ana / "notes.txt").write_text("mine")
    bia = course / "submitted" / "bia" / AID   # a sparse file under the bound: copied, still sparse
    with open(bia / "small_sparse.bin", "wb") as f:
        f.seek(50 * 1024**2)
        f.write(b"end")
    many = course / "submitted" / "caio" / AID / "many"
    many.mkdir()
    for i in range(3000):
        (many / str(i)).touch()
    dora = course / "submitted" / "dora" / AID  # collect recorded her files' time, not her folder's name
    (dora / "timestamp_claimed.txt").write_text("2026-11-30 10:00:00.000000 UTC")
    (dora / "timestamp.txt").write_text("2026-12-07 14:00:00.000000 UTC")

    listed = []
    real = notebook.submission_files

    def counting(folder, *args, **kwargs):
        listed.append(Path(folder))
        return real(folder, *args, **kwargs)
    mp = pytest.MonkeyPatch()
    mp.setattr(notebook, "submission_files", counting)
    try:
        summary = autograde(AID, course_root=course, jobs=1, limits=LIMITS)
    finally:
        mp.undo()
    return course, summary, listed


def outcome(summary, student):
    [o] = [o for o in summary.outcomes if o.student == student]
    return o


def test_extra_files_past_the_bound_are_not_copied_and_the_line_says_so(run):
    course, summary, _listed = run
    ana = outcome(summary, "ana")
    assert ana.results.score == ana.results.max_score  # graded as any other
    dest = course / "autograded" / "ana" / AID
    assert (dest / f"{AID}.ipynb").is_file() and (dest / "notes.txt").read_text() == "mine"
    assert not (dest / "data.bin").exists()
    assert used(course / "autograded") < 50 * 1024**2
    assert any("data.bin" in flag and "autograded/" in flag for flag in ana.results.flags), ana.results.flags


def test_a_sparse_file_under_the_bound_stays_sparse(run, tmp_path):
    course, _summary, _listed = run
    copy = course / "autograded" / "bia" / AID / "small_sparse.bin"
    assert copy.stat().st_size == 50 * 1024**2 + 3
    assert copy.stat().st_blocks * 512 < 1024**2
    assert copy.read_bytes()[-3:] == b"end"
    plain = tmp_path / "plain.bin"  # and a file without holes is copied whole
    plain.write_bytes(os.urandom(3 * 1024**2 + 5))
    assert _copy_regular(plain, tmp_path / "copy.bin") == plain.stat().st_size
    assert (tmp_path / "copy.bin").read_bytes() == plain.read_bytes()


def test_a_folder_of_many_files_is_refused_and_listed_once(run):
    course, summary, listed = run
    caio = outcome(summary, "caio")
    assert "more than 1000 files" in caio.error
    folder = course / "submitted" / "caio" / AID
    assert listed.count(folder) == 1, listed


def test_a_corrected_submission_time_is_flagged(run):
    _course, summary, _listed = run
    flags = outcome(summary, "dora").results.flags
    assert any("2026-11-30 10:00" in f and "2026-12-07 14:00" in f for f in flags), flags
    # bia's name and files agree on the time: no time flag (her notebook is the
    # solution itself, which the copied-solutions flag names, as it should)
    assert not [f for f in outcome(summary, "bia").results.flags if "mas seus arquivos foram escritos" in f], \
        outcome(summary, "bia").results.flags


def test_listing_stops_at_the_bound_while_reading(tmp_path, monkeypatch):
    """2 million names are never read whole: the listing stops at the bound."""
    folder = tmp_path / "sub"
    folder.mkdir()
    for i in range(1500):
        (folder / str(i)).touch()
    read = []
    real = os.scandir

    class Counting:
        def __init__(self, path):
            self.it = real(path)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.it.close()

        def __iter__(self):
            for entry in self.it:
                read.append(entry)
                yield entry
    monkeypatch.setattr(notebook.os, "scandir", Counting)
    with pytest.raises(notebook.NotebookError, match="more than 1000 files"):
        notebook.submission_files(folder)
    assert len(read) <= 1001
