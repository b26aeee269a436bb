"""A course whose gradebook is a PostgreSQL database (``c.CourseDirectory.db_url``
in its nbgrader_config.py): nbgrader's real commands and ``rnnquiz autograde``
leave the same rows there as with SQLite, row for row as ``nbgrader autograde``."""
import csv
from types import SimpleNamespace

import pytest

from courses import gradebook_rows, make_course, nbgrader, rnnquiz, scores, submit
from support import assignment, sample, solution, submission

pytestmark = pytest.mark.slow

AID = "rnn_from_scratch"
MAX = assignment(AID).max_score
MISTAKE = sample(AID, "no_tanh")
COST = assignment(AID).question(MISTAKE.question).points


def work() -> dict:
    """A correct student, one with a typical mistake, one whose folder has no notebook."""
    return {"ana": solution(AID), "bia": submission(AID, {MISTAKE.question: MISTAKE.code}), "caio": None}


@pytest.fixture(scope="module")
def pair(postgres, tmp_path_factory):
    """The same class in two courses, each on a database of its own: one graded
    by ``nbgrader autograde``, the other by ``rnnquiz autograde``."""
    root = tmp_path_factory.mktemp("pg")
    urls = {"nbgrader": postgres.new_database(), "rnnquiz": postgres.new_database()}
    courses = {who: make_course(root / who, [AID], url) for who, url in urls.items()}
    for course in courses.values():
        for student, notebook in work().items():
            submit(course, student, AID, notebook)
    generated = {who: gradebook_rows(url) for who, url in urls.items()}
    runs = {"nbgrader": nbgrader("autograde", AID, cwd=courses["nbgrader"]),
            "rnnquiz": rnnquiz("autograde", AID, "--jobs", "2", cwd=courses["rnnquiz"])}
    return SimpleNamespace(urls=urls, courses=courses, runs=runs, generated=generated,
                           rows={who: gradebook_rows(url) for who, url in urls.items()})


def test_generate_assignment_writes_to_postgresql(pair):
    for who, course in pair.courses.items():
        assert not (course / "gradebook.db").exists(), who
        assert ("ml101",) in pair.generated[who]["course"]
        assert pair.rows[who]["course"] == pair.generated[who]["course"]  # autograde adds no course


def test_rnnquiz_autograde_leaves_the_rows_nbgrader_autograde_leaves(pair):
    done = pair.runs["rnnquiz"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{AID}: graded 2 of 3" in done.stdout and "caio" in done.stdout  # caio: no notebook, an error line
    ours, theirs = pair.rows["rnnquiz"], pair.rows["nbgrader"]
    assert scores(theirs, AID) == {"ana": MAX, "bia": MAX - COST}  # caio: no rows (nothing submitted)
    for table in ours:
        assert ours[table] == theirs[table], table


def test_rnnquiz_autograde_over_nbgrader_s_rows_keeps_them(pair):
    """Regrading a class nbgrader graded: its rows are updated, none added."""
    course = pair.courses["nbgrader"]
    done = rnnquiz("autograde", AID, "--jobs", "2", cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    assert gradebook_rows(pair.urls["nbgrader"]) == pair.rows["nbgrader"]
    for student in ("ana", "bia"):
        assert (course / "autograded" / student / AID / f"{AID}.ipynb").is_file()
    assert not (course / "autograded" / "caio" / AID).exists()


def test_export_and_feedback_after_rnnquiz_autograde(pair):
    course = pair.courses["rnnquiz"]
    done = nbgrader("export", f"--to={course / 'grades.csv'}", cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(course / "grades.csv") as f:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == {"ana": MAX, "bia": MAX - COST}
    done = nbgrader("generate_feedback", AID, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    html = (course / "feedback" / "bia" / AID / f"{AID}.html").read_text()
    assert MISTAKE.question in html and "BEGIN HIDDEN TESTS" not in html
    assert (course / "feedback" / "ana" / AID / f"{AID}.html").is_file()
