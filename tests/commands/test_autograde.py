"""`rnnquiz autograde` on a class, with a red team of hostile submissions."""
import csv
import gc
import json
import os
import subprocess
import sys

import pytest

from rnnquiz.classrun import autograde
from rnnquiz.classrun.processes import grade_batch
from rnnquiz.commands.cycle import NBGRADER
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.outputs.text import render as render_text
from support import CATALOG, ROOT, TEST_LIMITS, assignment, copy_course, full_marks, sample, submission
from support import solution as support_solution

pytestmark = pytest.mark.slow
AID = "rnn_from_scratch"
WRONG = "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return X @ W_xh + H @ W_hh + b_h\n"


def red_team(course):
    """name -> (attacked question, answers, extra cells). At least 20 attacks."""
    graders = ROOT / "autograders" / AID / "hidden" / "test_rnn_step.py"
    return {
        "patch_assert_close": ("rnn_step", {"rnn_step": "import torch.testing\n"
                               "torch.testing.assert_close = lambda *a, **k: None\n" + WRONG}, []),
        "patch_torch_allclose": ("rnn_step", {"rnn_step": "torch.allclose = lambda *a, **k: True\n" + WRONG}, []),
        "patch_np_allclose": ("rnn_step", {"rnn_step": "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                              "np.testing.assert_allclose = lambda *a, **k: None\n" + WRONG}, []),
        "always_equal_tensor": ("rnn_step", {"rnn_step": "class Eq(torch.Tensor):\n"
                                "    def __eq__(self, o): return True\n"
                                "def rnn_step(X, H, W_xh, W_hh, b_h):\n"
                                "    return torch.zeros(X.shape[0], W_hh.shape[0]).as_subclass(Eq)\n"}, []),
        "always_equal_object": ("count_rnn_params", {"count_rnn_params": "class Eq(int):\n"
                                "    def __eq__(self, o): return True\n    __hash__ = int.__hash__\n"
                                "def count_rnn_params(num_inputs, num_hiddens):\n    return Eq(0)\n"}, []),
        "frame_walking": ("rnn_step", {"rnn_step": "import sys\ndef rnn_step(X, H, W_xh, W_hh, b_h):\n"
                          "    f = sys._getframe(1)\n    while f:\n"
                          "        for v in f.f_locals.values():\n"
                          "            if isinstance(v, torch.Tensor) and v.shape == H.shape and v is not H:\n"
                          "                return v\n        f = f.f_back\n    return H\n"}, []),
        "gc_walking": ("rnn_step", {"rnn_step": "import gc\ndef rnn_step(X, H, W_xh, W_hh, b_h):\n"
                       "    for o in gc.get_objects():\n"
                       "        if isinstance(o, torch.Tensor) and o.shape == H.shape and o is not H:\n"
                       "            return o\n    return H\n"}, []),
        "read_hidden_graders": ("next_char_pairs", {"next_char_pairs": "def next_char_pairs(text):\n"
                                f"    return open({str(graders)!r}).read(), ''\n"}, []),
        "read_solutions": ("next_char_pairs", {"next_char_pairs": "def next_char_pairs(text):\n"
                           f"    return open({str(course / 'source' / AID / (AID + '.ipynb'))!r}).read(), ''\n"}, []),
        "read_other_students": ("next_char_pairs", {"next_char_pairs": "import glob\ndef next_char_pairs(text):\n"
                                f"    return str(glob.glob({str(course / 'submitted' / '*' / '*' / '*')!r})), ''\n"}, []),
        "write_gradebook": ("count_rnn_params", {"count_rnn_params": "def count_rnn_params(num_inputs, num_hiddens):\n"
                            f"    open({str(course / 'gradebook.db')!r}, 'w').write('x')\n    return 28\n"}, []),
        "write_results": ("count_rnn_params", {"count_rnn_params": "import os\n"
                          "def count_rnn_params(num_inputs, num_hiddens):\n"
                          f"    os.makedirs({str(course / 'reports')!r}, exist_ok=True)\n"
                          f"    open({str(course / 'reports' / 'x.json')!r}, 'w').write('{{}}')\n    return 0\n"}, []),
        "os_exit": ("rnn_forward", {"rnn_forward": "import os\ndef rnn_forward(inputs, H, W_xh, W_hh, b_h):\n"
                    "    os._exit(0)\n"}, []),
        "fork_bomb": ("rnn_forward", {"rnn_forward": "import os\ndef rnn_forward(inputs, H, W_xh, W_hh, b_h):\n"
                      "    while True:\n        os.fork()\n"}, []),
        "memory_bomb": ("concat_operands", {"concat_operands": "def concat_operands(X, H, W_xh, W_hh):\n"
                        "    blocks = [bytearray(512 * 1024 * 1024) for _ in range(64)]\n    return blocks\n"}, []),
        "infinite_loop": ("concat_operands", {"concat_operands": "def concat_operands(X, H, W_xh, W_hh):\n"
                          "    while True:\n        pass\n"}, []),
        "output_flood": ("next_char_output_shape", {"next_char_output_shape":
                         "def next_char_output_shape(num_steps, batch_size, vocab_size):\n"
                         "    for _ in range(200):\n        print('x' * 100_000)\n    return (0,)\n"},
                         ["import sys\nsys.stdout.write('y' * 5_000_000)"]),
        "network": ("next_char_output_shape", {"next_char_output_shape": "import socket\n"
                    "def next_char_output_shape(num_steps, batch_size, vocab_size):\n"
                    "    try:\n        socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
                    "        return (num_steps, batch_size, vocab_size)\n"
                    "    except OSError:\n        return (0, 0, 0)\n"}, []),
        "signals_and_threads": ("next_char_output_shape", {"next_char_output_shape":
                                "import signal, threading\n"
                                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                "threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()\n"
                                "def next_char_output_shape(num_steps, batch_size, vocab_size):\n"
                                "    signal.alarm(1)\n    return (1, 1, 1)\n"}, []),
        "import_rnnquiz": ("rnn_step", {"rnn_step": "def rnn_step(X, H, W_xh, W_hh, b_h):\n"
                           "    try:\n        from rnnquiz.checks import randn\n        import rnnquiz.autograde\n"
                           "    except ImportError:\n        return H\n    return H * 0\n"}, []),
        "kill_the_pool": ("rnn_step", {"rnn_step": "import os, signal\ndef rnn_step(X, H, W_xh, W_hh, b_h):\n"
                          "    for pid in range(1, 64):\n        try:\n            os.kill(pid, signal.SIGKILL)\n"
                          "        except OSError:\n            pass\n    return H\n"}, []),
        "top_level_exit": (None, {}, ["import sys\nsys.exit(3)", "import os\nos._exit(3)"]),
    }


def with_schema_versions(nb: dict) -> dict:
    """The solution with two known cells' nbgrader schema versions edited
    (one too new, one too old): repaired, as any other metadata."""
    nb = json.loads(json.dumps(nb))
    known = [c for c in nb["cells"] if "nbgrader" in c.get("metadata", {})]
    known[0]["metadata"]["nbgrader"]["schema_version"] = 4
    known[1]["metadata"]["nbgrader"]["schema_version"] = 0
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("class")
    copy_course(course, [AID])
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    subprocess.run([*NBGRADER, "generate_assignment", AID], cwd=course, env=env,
                   check=True, capture_output=True)
    solution = support_solution(AID)
    students = {"ok_solution": solution,
                "ok_mistake": submission(AID, {"rnn_step": sample(AID, "no_tanh").code}),
                "schema_edited": with_schema_versions(solution)}
    attacks = red_team(course)
    for name, (_q, answers, extra) in attacks.items():
        students[name] = submission(AID, answers, extra)
    for student, nb in students.items():
        folder = course / "submitted" / student / AID
        folder.mkdir(parents=True)
        (folder / f"{AID}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")
    (course / "submitted" / "no_notebook" / AID).mkdir(parents=True)
    summary = autograde(AID, course_root=course, jobs=2, limits=TEST_LIMITS,
                        announce=lambda line: EVENTS.append(("announce", line)),
                        progress=lambda done, total, _s: EVENTS.append(("progress", done)))
    return course, attacks, summary


EVENTS = []  # what the class run said, in order: its sandbox line, then its progress


def test_the_sandbox_line_comes_before_any_grading(course):
    assert EVENTS[0][0] == "announce" and EVENTS[0][1].startswith("rnnquiz sandbox:"), EVENTS[:3]
    assert [kind for kind, _ in EVENTS].count("announce") == 1 and EVENTS[-1][0] == "progress"


def test_at_least_twenty_attacks(course):
    assert len(course[1]) >= 20


def test_every_submission_gets_a_grade_or_an_error_line(course):
    root, attacks, summary = course
    students = {o.student for o in summary.outcomes}
    assert students == set(attacks) | {"ok_solution", "ok_mistake", "schema_edited", "no_notebook"}
    assert [o.student for o in summary.errors] == ["no_notebook"]
    assert "missing" in summary.errors[0].error


def test_each_attack_costs_only_its_question(course):
    root, attacks, summary = course
    by_student = {o.student: o.results for o in summary.outcomes if o.results}
    for name, (question, _a, _e) in attacks.items():
        expected = full_marks(AID)
        if question:
            expected[question] = 0.0
        got = {q.name: q.score for q in by_student[name].questions}
        assert got == expected, (name, render_text(by_student[name]))


def test_other_students_graded_exactly_as_alone(course):
    root, _attacks, summary = course
    by_student = {o.student: o.results for o in summary.outcomes if o.results}
    alone = grade_many([Request(str(root / "submitted" / s / AID / f"{AID}.ipynb"), s, assignment(AID))
                        for s in ("ok_solution", "ok_mistake")], CATALOG, limits=TEST_LIMITS)
    for result in alone:
        mine = by_student[result.student]
        assert [(q.name, q.score, q.feedback("pt")) for q in mine.questions] == \
               [(q.name, q.score, q.feedback("pt")) for q in result.questions]


def test_gradebook_reports_and_nbgrader_export(course):
    root, attacks, summary = course
    assert not (root / "reports" / "x.json").exists()
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    subprocess.run([*NBGRADER, "export", f"--to={root / 'export.csv'}"], cwd=root,
                   env=env, check=True, capture_output=True)
    with open(root / "export.csv") as f:
        export = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    for o in summary.graded:
        assert export[o.student] == o.results.score, o.student
    out = root / "reports" / AID
    with open(out / "grades.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert float(rows["ok_solution"]["score"]) == 18
    assert float(rows["schema_edited"]["score"]) == 18 and not rows["schema_edited"]["error"]
    assert rows["ok_mistake"]["rnn_step_mistakes"] == "no_tanh" and rows["ok_mistake"]["not_attempted"] == ""
    gs = json.loads((out / "gradescope" / "ok_mistake.json").read_text())
    assert gs["score"] == 15 and gs["tests"][0]["name"] == "rnn_step"
    report = (out / "report.md").read_text()
    assert "| `rnn_step` |" in report and "no_tanh" in report
    assert (out / "report.png").stat().st_size > 1000
    assert 'data-student="ok_mistake"' in (out / "report.html").read_text()
    # nbgrader's feedback works from what autograde wrote
    done = subprocess.run([*NBGRADER, "generate_feedback", AID, "--student=ok_mistake"],
                          cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    html = (root / "feedback" / "ok_mistake" / AID / f"{AID}.html").read_text()
    assert "faltou a tanh" in html and "grade_in_kernel" not in html


# --- a grading process that dies: its students again, each alone ----------------

DIES_ALONE_TOO = False  # set by the test below; read in the forked grading processes


def _dying_batch(items):
    """``grade_batch`` in a grading process that dies (as a crash of nbgrader or
    of a grader would) whenever it holds ok_mistake with someone else, or alone
    too when DIES_ALONE_TOO."""
    students = [student for student, _path, _assignment in items]
    if "ok_mistake" in students and (len(students) > 1 or DIES_ALONE_TOO):
        os._exit(1)
    return grade_batch(items)


def test_the_callers_collector_setting_is_left_as_it_was(course):
    """autograde pauses the cyclic collector while it starts, freezes what it
    loaded and turns the collector on for the grading processes: whatever the
    caller had is what it has afterwards, its heap collectable again."""
    root, _attacks, first = course
    assert gc.isenabled() and gc.get_freeze_count() == 0  # as the course's run left them
    gc.disable()
    try:
        summary = autograde(AID, course_root=root, student_glob="ok_solution", jobs=1, limits=TEST_LIMITS)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
    before = next(o.results.score for o in first.outcomes if o.student == "ok_solution")
    assert [o.results.score for o in summary.graded] == [before]


@pytest.mark.parametrize("alone_too", [True, False])
def test_a_dead_grading_process_costs_at_most_the_student_who_breaks_it(course, monkeypatch, alone_too):
    from rnnquiz.classrun import processes
    root, _attacks, first = course
    monkeypatch.setattr(processes, "grade_batch", _dying_batch)
    monkeypatch.setattr(sys.modules[__name__], "DIES_ALONE_TOO", alone_too)
    summary = autograde(AID, course_root=root, student_glob="ok_*", jobs=1, limits=TEST_LIMITS)
    before = {o.student: o.results.score for o in first.outcomes if o.student.startswith("ok_")}
    after = {o.student: o.results.score for o in summary.graded}
    errors = {o.student: o.error for o in summary.errors}
    if alone_too:
        assert after == {"ok_solution": before["ok_solution"]}
        assert "grading this submission failed" in errors["ok_mistake"]
    else:  # the last run leaves the course as the fixture made it
        assert after == before and not errors


# --- a student whose gradebook rows cannot be written --------------------------

def test_a_student_whose_gradebook_rows_fail_is_rolled_back_alone(course, monkeypatch):
    """nbgrader's Gradebook commits inside each call; rnnquiz writes a batch in
    one transaction, so a student whose rows fail half-way leaves nothing
    behind, and the others of the batch are written."""
    from nbgrader.api import Gradebook, MissingEntry

    from rnnquiz.nbgrader.gradebook_writer import GradebookWriter
    root, _attacks, _summary = course
    for student in ("late_honest", "late_broken"):
        folder = root / "submitted" / student / AID
        folder.mkdir(parents=True)
        (folder / f"{AID}.ipynb").write_text(json.dumps(support_solution(AID)))
    write_student = GradebookWriter._write_student

    def fails_after_its_rows(self, student, outcomes, undo):
        write_student(self, student, outcomes, undo)  # the student's rows are in the session now
        if student == "late_broken":
            raise RuntimeError("disk full")
    monkeypatch.setattr(GradebookWriter, "_write_student", fails_after_its_rows)
    summary = autograde(AID, course_root=root, student_glob="late_*", jobs=1, limits=TEST_LIMITS)
    errors = {o.student: o.error for o in summary.outcomes if o.error}
    assert list(errors) == ["late_broken"] and "could not be written to the gradebook" in errors["late_broken"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(AID, "late_honest").score == 18
        with pytest.raises(MissingEntry):
            gb.find_submission(AID, "late_broken")
        with pytest.raises(MissingEntry):
            gb.find_student("late_broken")
    assert (root / "autograded" / "late_honest" / AID / f"{AID}.ipynb").exists()
    assert not (root / "autograded" / "late_broken").exists()


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own add_submission
def test_rows_are_those_nbgrader_makes(course):
    """rnnquiz writes a submission's rows itself, batch by batch: the same
    notebooks, grades and comments as nbgrader's own Gradebook.add_submission."""
    from nbgrader.api import Gradebook
    root, _attacks, _summary = course

    def shape(submission):
        return sorted((nb.name, sorted(g.name for g in nb.grades), sorted(c.name for c in nb.comments))
                      for nb in submission.notebooks)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.add_student("made_by_nbgrader")
        theirs = shape(gb.add_submission(AID, "made_by_nbgrader"))
        ours = gb.find_submission(AID, "ok_solution")
        assert shape(ours) == theirs and theirs[0][1] and theirs[0][2]
        assert ours.timestamp is not None and ours.student.id == "ok_solution"
        for nb in ours.notebooks:  # what nbgrader's own autograde leaves
            assert nb.flagged is False and nb.late_submission_penalty is None
            assert all(g.auto_score is not None and g.needs_manual_grade is False and g.manual_score is None
                       for g in nb.grades)
            assert all(c.manual_comment is None for c in nb.comments)
        gb.remove_submission(AID, "made_by_nbgrader")
        gb.remove_student("made_by_nbgrader")


def test_an_assignment_of_two_notebooks_with_one_missing(tmp_path):
    """A student who submits one notebook of two: the missing one is their
    error line, the other is graded, and its scores reach the gradebook
    (written after the missing one's empty rows) and nbgrader's export."""
    from nbgrader.api import Gradebook
    copy_course(tmp_path, [AID, "torch_rnn_by_hand"])
    week = tmp_path / "source" / "week6"
    week.mkdir(parents=True)
    for aid in (AID, "torch_rnn_by_hand"):
        (tmp_path / "source" / aid / f"{aid}.ipynb").rename(week / f"{aid}.ipynb")
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    subprocess.run([*NBGRADER, "generate_assignment", "week6"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    for student, names in (("alice", [AID]), ("bob", [AID, "torch_rnn_by_hand"])):
        folder = tmp_path / "submitted" / student / "week6"
        folder.mkdir(parents=True)
        for name in names:
            (folder / f"{name}.ipynb").write_text(json.dumps(support_solution(name)))
    summary = autograde("week6", course_root=tmp_path, jobs=1, limits=TEST_LIMITS)
    errors = {(o.student, o.notebook): o.error for o in summary.outcomes if o.error}
    assert list(errors) == [("alice", "torch_rnn_by_hand")] and "missing" in errors["alice", "torch_rnn_by_hand"]
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        graded = gb.find_submission_notebook(AID, "week6", "alice")
        assert graded.score == 18 and not graded.needs_manual_grade
        assert gb.find_submission("week6", "bob").score == 18 + sum(full_marks("torch_rnn_by_hand").values())
    reports = tmp_path / "reports" / "week6" / "gradescope"
    assert sorted(p.name for p in reports.iterdir()) == [
        f"{s}.{n}.json" for s in ("alice", "bob") for n in (AID, "torch_rnn_by_hand")]
    # one id in the CSV's assignment column, rnnquiz's, for the missing notebook's row too
    with open(tmp_path / "reports" / "week6" / "grades.csv", encoding="utf-8") as f:
        rows = {(r["student"], r["assignment"]) for r in csv.DictReader(f)}
    assert rows == {(s, n) for s in ("alice", "bob") for n in (AID, "torch_rnn_by_hand")}, rows
