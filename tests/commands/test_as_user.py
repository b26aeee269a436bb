"""rnnquiz as its users run it: an ordinary user (a student, an instructor on
JupyterHub), with bubblewrap installed and without it.

The user gets a virtualenv of the machine's own Python (one it may execute)
that finds this environment's packages and this checkout's engine, and runs
the self-check, ``rnnquiz grade`` and a class run from its own folders.  One
submission, besides doing its work, looks for the course's files: where a
sandbox hides them it scores full marks, where none does (no bubblewrap) it
would lose ``rnn_step``, which the run's one line about the sandbox would
then admit; this kernel has Landlock, which keeps the course out of sight
without bubblewrap too.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from courses import make_course, submit
from support import ROOT, solution

USER = "rnnquiz-student"
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="not root: cannot make the ordinary user's account"),
              pytest.mark.skipif(shutil.which("runuser") is None, reason="runuser (util-linux) is missing")]

SNOOP = '''
import os
_honest_rnn_step = rnn_step
COURSE_FILES = [{files}]
def rnn_step(X, H, W_xh, W_hh, b_h):
    # a student who looks for the course's graders and solutions before answering
    for path in COURSE_FILES:
        try:
            if os.listdir(path):
                raise RuntimeError("the course is readable from student code")
        except OSError:
            pass
    return _honest_rnn_step(X, H, W_xh, W_hh, b_h)
'''


def as_user(*cmd, cwd: Path, bubblewrap: bool, timeout: float = 600) -> subprocess.CompletedProcess:
    """``cmd`` as the ordinary user; without ``bubblewrap`` no ``bwrap`` is on its PATH."""
    bin_dir = Path(tempfile.gettempdir()) / "rnnquiz-user-bin"
    path = "/usr/local/bin:/usr/bin:/bin" if bubblewrap else str(bin_dir)
    if not bubblewrap:
        bin_dir.mkdir(exist_ok=True)  # a PATH with nothing on it: no bwrap
        bin_dir.chmod(0o755)
    env = ["env", "-i", f"PATH={path}", f"HOME={cwd}", "LANG=C.UTF-8"]
    return subprocess.run(["runuser", "-u", USER, "--", *env, *map(str, cmd)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def user_python():
    """The ordinary user's Python: a virtualenv of the system's Python with
    this environment's packages and engine on its path."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip(f"conditional: {SYSTEM_PYTHON} is missing")
    minor = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                           text=True).stdout.strip()
    if minor != str(tuple(sys.version_info[:2])):
        pytest.skip(f"conditional: {SYSTEM_PYTHON} is Python {minor}; this environment's packages are for "
                    f"{sys.version_info[:2]}")
    if subprocess.run(["id", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
    folder = Path(tempfile.mkdtemp(prefix="rnnquiz-user-"))
    folder.chmod(0o755)
    venv = folder / "venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "deps.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{ROOT / 'engine'}\n")
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    probe = as_user(python, "-c", "import torch, nbgrader, rnnquiz", cwd=folder, bubblewrap=True)
    if probe.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip("conditional: this checkout or its virtualenv is not readable by other users here: "
                    f"{probe.stderr[-300:]}")
    yield python
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def home():
    folder = Path(tempfile.mkdtemp(prefix="rnnquiz-home-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _give(folder: Path):
    subprocess.run(["chown", "-R", f"{USER}:{USER}", str(folder)], check=True)


def _rnnquiz(python: Path) -> list:
    return [python, "-m", "rnnquiz"]


def _snooper(aid: str, course: Path) -> dict:
    nb = solution(aid)
    files = ", ".join(repr(str(p)) for p in (course / "autograders", course / "source", ROOT / "autograders"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                        "source": SNOOP.format(files=files)})
    return nb


@pytest.mark.parametrize("bubblewrap", [True, False], ids=["bubblewrap", "no-bubblewrap"])
def test_a_student_self_checks_as_an_ordinary_user(user_python, home, bubblewrap):
    if bubblewrap and shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed (make test installs it)")
    notebook = home / "rnn_from_scratch_en.ipynb"
    notebook.write_text(json.dumps(solution("rnn_from_scratch_en")))
    _give(home)
    done = as_user(*_rnnquiz(user_python), "check", notebook, cwd=ROOT, bubblewrap=bubblewrap)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok rnn_step" in done.stdout and " X " not in done.stdout
    assert done.stderr == ""  # nothing about sandboxes a student cannot act on


@pytest.mark.parametrize("bubblewrap", [True, False], ids=["bubblewrap", "no-bubblewrap"])
def test_an_instructor_grades_one_notebook_as_an_ordinary_user(user_python, home, bubblewrap):
    if bubblewrap and shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed (make test installs it)")
    notebook = home / "rnn_from_scratch_en.ipynb"
    notebook.write_text(json.dumps(_snooper("rnn_from_scratch_en", ROOT)))
    _give(home)
    done = as_user(*_rnnquiz(user_python), "grade", notebook, cwd=ROOT, bubblewrap=bubblewrap)
    assert done.returncode == 0, done.stdout + done.stderr
    total = next(line for line in done.stdout.splitlines() if line.strip().startswith("Total"))
    assert "18 / 18" in total, done.stdout  # the course is out of the submission's sight
    assert done.stderr == ""  # bubblewrap, or Landlock without it: nothing to warn about


@pytest.fixture(scope="module")
def user_course(user_python):
    folder = Path(tempfile.mkdtemp(prefix="rnnquiz-user-course-"))
    folder.chmod(0o755)
    course = make_course(folder / "course", ["rnn_from_scratch_en"])
    submit(course, "ana", "rnn_from_scratch_en", solution("rnn_from_scratch_en"))
    submit(course, "bia", "rnn_from_scratch_en", _snooper("rnn_from_scratch_en", course))
    _give(folder)
    yield course
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("bubblewrap", [True, False], ids=["bubblewrap", "no-bubblewrap"])
def test_an_instructor_grades_a_class_as_an_ordinary_user(user_python, user_course, bubblewrap):
    if bubblewrap and shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed (make test installs it)")
    done = as_user(*_rnnquiz(user_python), "autograde", "rnn_from_scratch_en", "--jobs", "2", cwd=user_course,
                   bubblewrap=bubblewrap)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "graded 2 of 2 submissions" in done.stdout, done.stdout
    with open(user_course / "reports" / "rnn_from_scratch_en" / "grades.csv") as f:
        scores = {row["student"]: float(row["score"]) for row in csv.DictReader(f)}
    sandbox_line = next(line for line in done.stdout.splitlines() if line.startswith("rnnquiz sandbox:"))
    assert scores["ana"] == 18, scores
    assert scores["bia"] == 18, scores  # the course is out of the submission's sight
    if bubblewrap:
        assert sandbox_line.startswith("rnnquiz sandbox: bubblewrap"), sandbox_line
    else:
        assert sandbox_line.startswith("rnnquiz sandbox: unprivileged (not root: ") and "by Landlock" in \
            sandbox_line, sandbox_line
