"""Several graders, one gradebook: `rnnquiz autograde` shards by --student run at
the same time (as on several machines sharing the course folder and the
database), beside `nbgrader autograde` of another assignment and a regrade of
one student; on PostgreSQL side by side, on SQLite one rnnquiz run at a time.
Every student's rows end right, once; a conflict is tried again or is that
student's error line, and their folder and rows stay those of one run."""
import csv
import os
import sqlite3
import time
from types import SimpleNamespace

import pytest

from courses import gradebook_rows, make_course, nbgrader, rnnquiz, scores, start_nbgrader, start_rnnquiz, submit
from rnnquiz.classrun import autograde
from rnnquiz.nbgrader.gradebook_writer import TRIES, GradebookWriter, lock_key
from rnnquiz.nbgrader.run_lock import RunLock
from support import TEST_LIMITS, assignment, full_marks, sample, solution, submission

pytestmark = pytest.mark.slow

A, B = "rnn_from_scratch", "torch_rnn_by_hand"
MISTAKE = sample(A, "no_tanh")
FULL_A, FULL_B = assignment(A).max_score, sum(full_marks(B).values())
EXPECTED_A = {"a1": FULL_A, "a2": FULL_A - assignment(A).question(MISTAKE.question).points, "a3": FULL_A,
              "b1": FULL_A, "b2": FULL_A}
EXPECTED_B = {"a1": FULL_B, "b1": FULL_B}
IMPORTED = ["a1", "a2", "b1", "b2"]  # in the gradebook before grading (a3 is not: made by two runs at once)


def make_class(folder, db_url=None):
    course = make_course(folder, [A, B], db_url)
    from nbgrader.api import Gradebook
    with Gradebook(db_url or f"sqlite:///{course / 'gradebook.db'}", "ml101") as gb:
        for student in IMPORTED:
            gb.add_student(student)
    mistake = submission(A, {MISTAKE.question: MISTAKE.code})
    for student in EXPECTED_A:
        submit(course, student, A, mistake if student == "a2" else solution(A))
    for student in EXPECTED_B:
        submit(course, student, B, solution(B))
    return course


def all_at_once(course):
    """Two shards of A, a regrade of one student of the first shard, and
    nbgrader's autograde of B, started together; their outputs once all ended."""
    runs = {"shard a*": start_rnnquiz("autograde", A, "--student", "a*", "--jobs", "1", cwd=course),
            "shard b*": start_rnnquiz("autograde", A, "--student", "b*", "--jobs", "1", cwd=course),
            "regrade a3": start_rnnquiz("autograde", A, "--student", "a3", "--jobs", "1", cwd=course),
            "nbgrader B": start_nbgrader("autograde", B, cwd=course)}
    return {name: SimpleNamespace(returncode=proc.wait(), stdout=proc.stdout.read(), stderr=proc.stderr.read())
            for name, proc in runs.items()}


def check_class(course, db_url, runs):
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.stderr[-3000:])
        assert "error:" not in run.stdout, (name, run.stdout)
    rows = gradebook_rows(db_url)
    assert scores(rows, A) == EXPECTED_A and scores(rows, B) == EXPECTED_B
    submissions = [(a, s) for a, s, *_rest in rows["submission"]]
    assert len(submissions) == len(set(submissions)) == len(EXPECTED_A) + len(EXPECTED_B)  # nothing twice
    cells = {(a, s, nb, cell) for a, s, nb, cell, *_rest in rows["grade"]}
    assert len(cells) == len(rows["grade"])
    assert all(auto is not None and not needs for a, _s, _nb, _c, auto, _m, _e, needs in rows["grade"] if a == A)
    assert sorted(s for (s, *_rest) in rows["student"]) == sorted(EXPECTED_A)
    for student in EXPECTED_A:
        folder = course / "autograded" / student / A
        assert sorted(p.name for p in folder.iterdir()) == [f"{A}.ipynb", "timestamp.txt"], student
    for student in EXPECTED_B:
        assert (course / "autograded" / student / B / f"{B}.ipynb").is_file()
    assert not list((course / "autograded").glob("*/.*"))  # no folder left aside
    # the class report is the whole class, whichever part finished last
    with open(course / "reports" / A / "grades.csv", encoding="utf-8") as f:
        report = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    assert report == EXPECTED_A


# --- PostgreSQL: side by side -------------------------------------------------------

@pytest.fixture(scope="module")
def pg(postgres, tmp_path_factory):
    db_url = postgres.new_database("shards")
    course = make_class(tmp_path_factory.mktemp("shared") / "course", db_url)
    runs = all_at_once(course)
    return SimpleNamespace(course=course, db_url=db_url, runs=runs, server=postgres)


def test_postgresql_shards_regrade_and_nbgrader_at_once(pg):
    check_class(pg.course, pg.db_url, pg.runs)


def test_a_regrade_waits_for_the_student_s_lock(pg):
    """A run that holds a student's lock (here the test, as a shard writing that
    student would): a regrade of them waits before touching their folder or
    rows, then does its work."""
    import psycopg
    notebook = pg.course / "autograded" / "a1" / A / f"{A}.ipynb"
    before = notebook.stat().st_mtime_ns
    with psycopg.connect(host=str(pg.server.socket), user="grader", dbname="shards", autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (lock_key(A, "a1"),))
        regrade = start_rnnquiz("autograde", A, "--student", "a1", "--jobs", "1", cwd=pg.course)
        try:
            while not holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND NOT granted").fetchone()[0]:
                assert regrade.poll() is None, regrade.stderr.read()[-3000:]  # it must wait, not finish
                time.sleep(0.2)
            assert notebook.stat().st_mtime_ns == before  # nothing of a1's touched while it waits
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", (lock_key(A, "a1"),))
        assert regrade.wait() == 0, regrade.stderr.read()[-3000:]
    assert notebook.stat().st_mtime_ns != before
    assert scores(gradebook_rows(pg.db_url), A) == EXPECTED_A


def test_a_submission_made_meanwhile_by_nbgrader_is_taken_and_updated(pg, monkeypatch):
    """nbgrader takes no rnnquiz lock: when it makes a student's submission
    between rnnquiz's read and its insert, the unique constraint fails
    rnnquiz's transaction, which is tried again and updates nbgrader's rows."""
    from nbgrader.api import Gradebook
    with Gradebook(pg.db_url, "ml101") as gb:
        gb.remove_submission(A, "a2")
    read = GradebookWriter._submissions_of
    made = []

    def nbgrader_gets_in_between(self, students):
        found = read(self, students)
        if "a2" in students and not made:
            with Gradebook(pg.db_url, "ml101") as other:
                other.add_submission(A, "a2")
            made.append(True)
        return found
    monkeypatch.setattr(GradebookWriter, "_submissions_of", nbgrader_gets_in_between)
    summary = autograde(A, course_root=pg.course, student_glob="a2", jobs=1, limits=TEST_LIMITS)
    assert made and not summary.errors, [o.error for o in summary.errors]
    rows = gradebook_rows(pg.db_url)
    assert [s for a, s, *_r in rows["submission"] if a == A].count("a2") == 1
    assert scores(rows, A) == EXPECTED_A


def test_a_conflict_that_persists_is_one_student_s_error_and_changes_nothing_of_theirs(pg, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    import rnnquiz.nbgrader.gradebook_writer as writer
    insert = GradebookWriter._insert_new
    tries = []

    def b1_always_conflicts(self):
        if "b1" in self.new["student"]:
            tries.append(1)
            raise IntegrityError("INSERT INTO submitted_assignment ...", {}, Exception("duplicate key value"))
        insert(self)
    monkeypatch.setattr(GradebookWriter, "_insert_new", b1_always_conflicts)
    monkeypatch.setattr(writer, "time", SimpleNamespace(sleep=lambda seconds: None))
    folder = pg.course / "autograded" / "b1" / A
    before = ({p.name: p.read_bytes() for p in folder.iterdir()}, gradebook_rows(pg.db_url))
    summary = autograde(A, course_root=pg.course, student_glob="b*", jobs=1, limits=TEST_LIMITS)
    errors = {o.student: o.error for o in summary.errors}
    assert list(errors) == ["b1"] and f"{TRIES} tries" in errors["b1"] and "gradebook" in errors["b1"]
    assert len(tries) == 2 * TRIES  # the batch's, then b1's alone
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before[0]
    assert gradebook_rows(pg.db_url) == before[1]  # b2 rewritten with the same values
    assert not list(folder.parent.glob(".*"))


# --- SQLite: one rnnquiz run at a time ------------------------------------------------

@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    course = make_class(tmp_path_factory.mktemp("lite") / "course")
    return SimpleNamespace(course=course, db_url=f"sqlite:///{course / 'gradebook.db'}")


def test_sqlite_a_second_run_waits_and_says_so(lite):
    """A run already holds the gradebook (the test plays it): the next one says
    who it waits for, waits, and then grades."""
    database = lite.course / "gradebook.db"
    with RunLock(database, "the run the test plays", stream=open(os.devnull, "w")):
        waiting = start_rnnquiz("autograde", A, "--student", "a1", "--jobs", "1", cwd=lite.course)
        line = ""
        while "waiting" not in line and waiting.poll() is None:
            line = waiting.stderr.readline()
        assert "waiting for the run already writing this SQLite gradebook (the run the test plays, pid " \
               f"{os.getpid()}" in line, line
        assert waiting.poll() is None
        assert not (lite.course / "autograded").exists()  # nothing done while it waits
    assert waiting.wait() == 0, waiting.stderr.read()[-3000:]
    assert "the other run finished" in waiting.stderr.readline()
    assert scores(gradebook_rows(lite.db_url), A) == {"a1": FULL_A}


def test_sqlite_shards_regrade_and_nbgrader_at_once(lite):
    runs = all_at_once(lite.course)
    check_class(lite.course, lite.db_url, runs)
    with sqlite3.connect(lite.course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # nbgrader reads it as ever
    done = nbgrader("export", f"--to={lite.course / 'grades.csv'}", cwd=lite.course)
    assert done.returncode == 0, done.stderr[-2000:]


def test_rnnquiz_grade_the_same_class_again_changes_no_row(lite):
    before = gradebook_rows(lite.db_url)
    done = rnnquiz("autograde", A, "--jobs", "1", cwd=lite.course)
    assert done.returncode == 0, done.stderr[-2000:]
    assert gradebook_rows(lite.db_url) == before
