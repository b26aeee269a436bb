"""`rnnquiz check`'s exit status, as pytest's and linters': 0 when every check
passes (an answered quiz passes: its answer is graded at submission), 1 when a
check fails, 2 when the file cannot be checked."""
import json
import re
import subprocess
import sys

import pytest

from rnnquiz.commands import cli
from rnnquiz.model import samples
from rnnquiz.model.results import Results
from support import ROOT, solution, submission

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

AID = "rnn_from_scratch_en"


def check(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnquiz", "check", str(path)], capture_output=True, text=True,
                          timeout=300, cwd=path.parent)


def write(tmp_path, nb: dict):
    path = tmp_path / f"{AID}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def other_letter(quiz: str) -> str:
    """A well-formed answer other than the solution's (whatever the right one is)."""
    cell = next(c for c in solution(AID)["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == quiz)
    letter = re.search(r'"([a-d])"', "".join(cell["source"])).group(1)
    return "abcd"[("abcd".index(letter) + 1) % 4]


def test_every_check_passing_exits_0_even_with_a_quiz_answered_wrong(tmp_path):
    quiz = "quiz_output_dim"
    done = check(write(tmp_path, submission(AID, {quiz: f'{quiz} = "{other_letter(quiz)}"\n'})))
    assert done.returncode == 0, done.stdout + done.stderr
    said = next(ln for ln in done.stdout.splitlines() if quiz in ln)
    assert "answered: the answer is graded after you submit" in said
    assert done.stderr == ""


@pytest.mark.parametrize("answers", [
    {"next_char_pairs": "def next_char_pairs(text):\n    return text[1:], text[:-1]\n"},   # reversed targets
    {"quiz_output_dim": 'quiz_output_dim = "e"\n'},                                        # not a letter offered
], ids=["a_function", "a_malformed_quiz_answer"])
def test_a_failing_check_exits_1(tmp_path, answers):
    done = check(write(tmp_path, submission(AID, answers)))
    assert done.returncode == 1, done.stdout + done.stderr
    [name] = answers
    line = next(ln for ln in done.stdout.splitlines() if name in ln)
    assert line.split()[0] == "X", line
    assert "Traceback" not in done.stdout + done.stderr


def test_the_notebook_as_released_exits_1(tmp_path):
    done = check(write(tmp_path, json.loads(samples.release_path(AID, ROOT).read_text())))
    assert done.returncode == 1, done.stdout + done.stderr


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ('{"cells": [], "metadata": {}}', "not a notebook of a known assignment"),
])
def test_a_file_that_cannot_be_checked_exits_2_with_one_line(tmp_path, content, needle):
    path = tmp_path / ("entrega.ipynb" if "known" in needle else f"{AID}.ipynb")
    if content is not None:
        path.write_text(content)
    done = check(path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and str(path.name) in lines[0], done.stderr
    assert done.stdout == ""


def test_a_result_that_could_not_be_read_exits_2(monkeypatch, capsys):
    """The notebook read once, then not (changed on disk between the two): no checks ran."""
    error = f"{AID}.ipynb: is not valid JSON, so it is not a Jupyter notebook"
    monkeypatch.setattr("rnnquiz.commands.check.check",
                        lambda path, assignment_id=None: Results(AID, "en", "self-check", str(path), error=error))
    assert cli.main(["check", f"{AID}.ipynb"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.strip() == f"rnnquiz: {error}"


def test_help_states_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 every check passed" in text and "1 a check failed" in text
    assert "2 the file cannot be checked" in text


@pytest.mark.parametrize("name", [f"{AID}-Copy1.ipynb", f"{AID} (1).ipynb"])
def test_a_copy_of_the_notebook_is_checked_as_its_metadata_says(tmp_path, name):
    """Jupyter's "Make a Copy" and a browser's second download: a self-check takes
    them (grading keeps its rule: the file's name or the course decides)."""
    path = tmp_path / name
    path.write_text(json.dumps(solution(AID)))
    done = check(path)
    assert done.returncode == 0, done.stdout + done.stderr
    from rnnquiz.grading.session import resolve
    from rnnquiz.model import content, notebook
    with pytest.raises(notebook.NotebookError):
        resolve(path, content.public_catalog())


def test_another_assignments_notebook_under_this_name_is_told_which_it_is(tmp_path):
    other = "torch_rnn_by_hand_en"
    done = check(write(tmp_path, solution(other)))
    assert done.returncode == 2, done.stdout + done.stderr
    assert other in done.stderr and "not found" not in done.stdout + done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
