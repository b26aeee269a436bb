"""rnnquiz in an instructor's own course: beside an ordinary nbgrader
assignment, added by `rnnquiz init`, renamed by the instructor, driven by
nbgrader's real commands."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnnquiz.commands.cycle import Cycle, read_export
from rnnquiz.commands.init import BEGIN
from rnnquiz.model import samples
from support import ROOT, assignment, sample

pytestmark = pytest.mark.slow

OURS = "rnn_from_scratch"
WEEK, LAB = "week6", "lab"            # the instructor's names for it
MAX = assignment(OURS).max_score
MISTAKE = sample(OURS, "no_tanh")     # costs exactly its question
COST = assignment(OURS).question(MISTAKE.question).points
INSTRUCTOR_CONFIG = '''c = get_config()
c.CourseDirectory.course_id = "ml101"
c.ClearSolutions.code_stub = {"python": "# your answer\\nraise NotImplementedError()"}
c.Exchange.timezone = "America/Sao_Paulo"
'''


def hw0() -> nbformat.NotebookNode:
    """An ordinary nbgrader assignment: plain asserts in a test cell, 5 points."""
    def meta(**kw):
        return {"nbgrader": {"schema_version": 3, "locked": False, "solution": False, "grade": False,
                             "task": False, **kw}}
    return new_notebook(cells=[
        new_markdown_cell("# hw0\nWrite `add`."),
        new_code_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
                      metadata=meta(solution=True, grade_id="add")),
        new_code_cell("assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nassert add(-10, 20) == 10\n"
                      "### END HIDDEN TESTS",
                      metadata=meta(grade=True, locked=True, grade_id="test_add", points=5)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def stealing(course: Path) -> dict:
    """Answers that read the instructor's files in the course folder: the
    solution from the source notebook, a quiz's key from its hidden grader.
    If the sandbox let them, these answers would be right."""
    return {
        "rnn_step": f"""
import json
try:
    source = json.load(open({str(course / "source" / WEEK / f"{LAB}.ipynb")!r}))
    exec(next("".join(c["source"]) for c in source["cells"] if "def rnn_step" in "".join(c["source"])))
except OSError as exc:
    reason = str(exc)

    def rnn_step(X, H, W_xh, W_hh, b_h):
        raise RuntimeError(f"no access: {{reason}}")
""",
        "quiz_output_dim": f"""
import re
try:
    key = open({str(course / "autograders" / OURS / "hidden" / "test_quiz_output_dim.py")!r}).read()
    quiz_output_dim = re.search(r'correct="(\\w)"', key).group(1)
except OSError:
    quiz_output_dim = "z"
"""}


def answered(nb: dict, code: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "add":
            cell["source"] = code
    return nb


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True)


def tree_digest(*folders: Path) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


def grading_state(c: Path) -> str:
    return tree_digest(c / "autograded", c / "feedback") + hashlib.sha256((c / "gradebook.db").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    cycle = Cycle(tmp_path_factory.mktemp("term"), ROOT, course_id="ml101")
    c = cycle.course
    (c / "source" / "hw0").mkdir(parents=True)
    nbformat.write(hw0(), c / "source" / "hw0" / "hw0.ipynb")
    (c / "nbgrader_config.py").write_text(INSTRUCTOR_CONFIG)
    cycle.exchange.mkdir(parents=True)
    os.chmod(cycle.exchange, 0o777)

    # from the course folder, as an instructor would: the content comes from rnnquiz's checkout
    first = run("rnnquiz", "init", ".", "--assignments", OURS, cwd=c)
    assert first.returncode == 0, first.stderr
    cycle.init_output = first.stdout
    # the instructor renames the assignment and its notebook
    shutil.move(c / "source" / OURS, c / "source" / WEEK)
    (c / "source" / WEEK / f"{OURS}.ipynb").rename(c / "source" / WEEK / f"{LAB}.ipynb")
    before = tree_digest(c)
    again = run("rnnquiz", "init", ".", "--assignments", OURS, cwd=c)
    assert again.returncode == 0, again.stderr
    cycle.again = (again.stdout, before, tree_digest(c))

    for aid in ("hw0", WEEK):
        cycle.nbgrader("generate_assignment", aid, cwd=c)
        cycle.nbgrader("release_assignment", aid, "--course=ml101", cwd=c)
    solution = samples.solution(assignment(OURS), ROOT)
    mistake = samples.with_answers(solution, {MISTAKE.question: MISTAKE.code})
    released_hw0 = json.loads((cycle.release / "hw0" / "hw0.ipynb").read_text())
    honest = answered(released_hw0, "def add(a, b):\n    return a + b")
    # graded in this order, in the same pool: an honest student before and after the attacker
    work = {"ana": (honest, solution),
            "bea": (honest, samples.with_answers(solution, stealing(c))),
            "bia": (answered(released_hw0, "def add(a, b):\n    return a - b"), mistake)}
    cycle.fetch_and_submit_all([item for student, (homework, lab) in work.items()
                                for item in ((student, "hw0", homework), (student, WEEK, lab, LAB))])
    for aid in ("hw0", WEEK):
        cycle.nbgrader("collect", aid, "--course=ml101", cwd=c)
        cycle.autograde_log = cycle.nbgrader("autograde", aid, cwd=c)
        cycle.feedback_log = cycle.nbgrader("generate_feedback", aid, cwd=c)
        cycle.release_feedback(aid)
    cycle.fetched = cycle.fetch_feedback_all(list(work), ["hw0", WEEK])
    cycle.nbgrader("export", f"--to={c / 'grades.csv'}", cwd=c)
    cycle.grades = read_export(c / "grades.csv")
    cycle.students = list(work)
    return cycle


def fetched_score(paths: list) -> str:
    """The score line of the newest feedback page a student fetched."""
    html = paths[-1].read_text()
    start = html.index("Score:") if "Score:" in html else html.index("score")
    return " ".join(html[start:start + 200].split())


def test_every_student_fetches_feedback_after_nbgrader_autograde(course):
    for student in course.students:
        for aid in ("hw0", WEEK):
            paths = course.fetched[(student, aid)]
            assert len(paths) == 1, (student, aid, paths)
            expected = course.grades[(student, aid)][0]
            assert f"{expected:g}" in fetched_score(paths), (student, aid, fetched_score(paths))


def test_init_adds_our_assignment_and_keeps_the_instructors_settings(course):
    c = course.course
    assert "added      source/rnn_from_scratch" in course.init_output
    assert "updated    nbgrader_config.py" in course.init_output
    assert "nbgrader generate_assignment rnn_from_scratch" in course.init_output
    config = (c / "nbgrader_config.py").read_text()
    assert config.startswith(INSTRUCTOR_CONFIG) and config.count(BEGIN) == 1
    assert (c / "autograders" / OURS / "hidden").is_dir()
    assert not (c / "source" / OURS).exists()  # the instructor's rename stands


def test_init_twice_changes_nothing(course):
    out, before, after = course.again
    assert before == after
    assert f"the course has it as {WEEK}/{LAB}.ipynb" in out
    done = out.split("\n\n")[0].splitlines()
    assert all(line.startswith("unchanged") for line in done[:-1]), out
    assert done[-1].startswith("exchange   not set")  # the instructor's config has no exchange: said again


def test_each_assignment_gets_its_own_stub(course):
    hw = (course.release / "hw0" / "hw0.ipynb").read_text()
    lab = (course.release / WEEK / f"{LAB}.ipynb").read_text()
    assert "# your answer" in hw and "SEU CÓDIGO" not in hw
    assert "# SEU CÓDIGO AQUI" in lab and "# your answer" not in lab and "YOUR CODE" not in lab


def test_nbgrader_grades_an_ordinary_assignment_as_stock_nbgrader(course):
    assert course.grades[("ana", "hw0")] == (5.0, 5.0)
    assert course.grades[("bia", "hw0")] == (0.0, 5.0)
    html = (course.course / "feedback" / "bia" / "hw0" / "hw0.html").read_text()
    assert "AssertionError" in html and "renamed" not in html and "rnnquiz" not in html.lower()
    assert "BEGIN HIDDEN TESTS" in html   # its feedback as the course makes it (stock shows hidden tests)


def test_nbgrader_grades_the_renamed_assignment_with_rnnquiz(course):
    assert course.grades[("ana", WEEK)] == (MAX, MAX)
    assert course.grades[("bia", WEEK)] == (MAX - COST, MAX)
    feedback = (course.course / "feedback" / "bia" / WEEK / f"{LAB}.html").read_text()
    assert MISTAKE.question in feedback and "BEGIN HIDDEN TESTS" not in feedback
    assert "not recognized" not in course.feedback_log.stderr
    # nbgrader's warnings about our test cells' hidden parts are gone (its SAWarning on a new
    # submission is its own, and the instructor guide says what it means)
    noise = [line for line in course.autograde_log.stderr.splitlines() if "has changed" in line]
    assert not noise, noise


def test_an_attacker_reading_the_instructors_files_gets_nothing(course):
    stolen = sum(assignment(OURS).question(q).points for q in stealing(course.course))
    assert course.grades[("bea", WEEK)] == (MAX - stolen, MAX)
    assert course.grades[("bea", "hw0")] == (5.0, 5.0)
    feedback = (course.course / "feedback" / "bea" / WEEK / f"{LAB}.html").read_text()
    assert "no access" in feedback   # her function says what it could not open


def test_rnnquiz_autograde_refuses_an_ordinary_assignment_and_touches_nothing(course):
    c = course.course
    before = grading_state(c)
    done = run("rnnquiz", "autograde", "hw0", cwd=c)
    assert done.returncode == 2  # a user error: the assignment is not ours
    assert "'hw0' is not an rnnquiz assignment" in done.stderr and "nbgrader autograde hw0" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert grading_state(c) == before
    assert not (c / "reports" / "hw0").exists()


def test_the_three_paths_agree_on_the_renamed_assignment(course):
    c = course.course
    done = run("rnnquiz", "autograde", WEEK, cwd=c)
    assert done.returncode == 0, done.stderr
    assert f"{WEEK}: graded 3 of 3" in done.stdout
    course.nbgrader("export", f"--to={c / 'again.csv'}", cwd=c)
    again = read_export(c / "again.csv")
    assert again == course.grades   # rnnquiz autograde == nbgrader autograde, hw0 untouched
    for student in ("ana", "bea", "bia"):
        graded = run("rnnquiz", "grade", str(c / "submitted" / student / WEEK / f"{LAB}.ipynb"),
                     "--student", student, "--format", "gradescope", cwd=c)
        assert graded.returncode == 0, graded.stderr
        result = json.loads(graded.stdout)
        assert result["score"] == course.grades[(student, WEEK)][0]
        assert result["extra_data"]["assignment"] == OURS
    # the autograded folders hold what nbgrader's autograde leaves there: regular files, never links
    for student in ("ana", "bea", "bia"):
        folder = c / "autograded" / student / WEEK
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([f"{LAB}.ipynb", "timestamp.txt", "submission_secret.txt"]), names
        assert not any(p.is_symlink() for p in folder.iterdir())
        assert (folder / "submission_secret.txt").read_bytes() == \
            (c / "submitted" / student / WEEK / "submission_secret.txt").read_bytes()
    # the loop closes after rnnquiz autograde too: feedback made, released and fetched by every student
    assert course.nbgrader("generate_feedback", WEEK, "--force", cwd=c).returncode == 0
    course.release_feedback(WEEK)
    for student in ("ana", "bea", "bia"):
        paths = course.fetch_feedback(student, WEEK)
        assert paths, student
        assert f"{course.grades[(student, WEEK)][0]:g}" in fetched_score(paths), student
