"""`rnnquiz autograde` on a class, as root in a container that refuses new
namespaces: a stand-in for Docker's default profile (bubblewrap with Docker's
capabilities and a seccomp filter that refuses unshare, setns and clone with
namespace flags; /tmp, /var/tmp and /dev/shm shared and writable by every
user; the course readable by every user, as files made with the usual umask are).

With Landlock, each submission sees no course, no content, no other
submission and nothing an earlier one left; without it (the filter refuses
Landlock's system calls too, as an older kernel or profile would), the run
refuses unless the instructor accepts the risk, and then the same attacks work.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_gradescope import DOCKER_CAPS

from courses import make_course, submit
from rnnquiz.model import samples
from rnnquiz.sandboxed import confine
from support import ROOT, assignment, full_marks, solution

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("bwrap") is None or os.geteuid() != 0,
                                 reason="the container stand-in runs as root in bubblewrap")]

AID = "rnn_from_scratch"
LEFT = "left-by-a-classmate"
# what each attack wins when it works: the question it answers correctly then
WINS = {"hidden": "rnn_step", "classmate": "count_rnn_params", "source": "next_char_pairs",
        "leftover": "next_char_output_shape"}


def attack(course: Path) -> str:
    """One cell added to the untouched notebook: each attack that works
    answers one question correctly (``WINS``); then it leaves files for the
    next submission."""
    hidden = course / "autograders" / assignment(AID).base / "hidden" / "test_rnn_step.py"
    classmate = course / "submitted" / "a_honest" / AID / f"{AID}.ipynb"
    source = course / "source" / AID / f"{AID}.ipynb"
    return f'''import os
import torch
def _read(path):
    try:
        with open(path, "rb") as f:
            return len(f.read()) > 0
    except OSError:
        return False
_shared = ("/tmp", "/dev/shm", "/var/tmp")
_left = any(os.path.exists(os.path.join(d, {LEFT!r})) for d in _shared)
for _d in _shared:
    try:
        with open(os.path.join(_d, {LEFT!r}), "w") as _f:
            _f.write("x")
    except OSError:
        pass
if _read({str(hidden)!r}):
    def rnn_step(X, H, W_xh, W_hh, b_h):
        return torch.tanh(X @ W_xh + H @ W_hh + b_h)
if _read({str(classmate)!r}):
    def count_rnn_params(num_inputs, num_hiddens):
        return num_inputs * num_hiddens + num_hiddens + num_hiddens * num_hiddens
if _read({str(source)!r}):
    def next_char_pairs(text):
        return text[:-1], text[1:]
if _left:
    def next_char_output_shape(num_steps, batch_size, vocab_size):
        return (num_steps, batch_size, vocab_size)
'''


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory.mktemp("template") / "course", [AID])


@pytest.fixture
def course(template, tmp_path) -> Path:
    """The class: an honest student, then two running the same attack (the
    second finds what the first left, if anything was left)."""
    course = tmp_path / "course"
    if not course.is_relative_to("/tmp"):
        pytest.skip("conditional: the stand-in makes the course's parents under /tmp traversable; "
                    "pytest's folder is elsewhere")
    shutil.copytree(template, course)
    submit(course, "a_honest", AID, solution(AID))
    untouched = json.loads(samples.release_path(AID, ROOT).read_text(encoding="utf-8"))
    untouched["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                               "source": attack(course)})
    for student in ("b_attacker", "c_attacker"):
        submit(course, student, AID, untouched)
    subprocess.run(["chmod", "-R", "a+rX", str(course)], check=True)  # as a umask of 022 leaves it
    return course


def autograde_in_container(course: Path, *options, landlock: bool = True, command=None) -> subprocess.CompletedProcess:
    """``rnnquiz autograde AID --jobs 1`` (one pool, students in order), or ``command``, in the stand-in for Docker."""
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):
        args += ["--perms", "1777", "--tmpfs", shared]
    args += ["--tmpfs", "/root"]  # root's home hidden, the interpreter kept (readable by every user)
    for prefix in {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}:
        if prefix.is_relative_to("/root"):
            top = Path("/root", prefix.relative_to("/root").parts[0])
            args += ["--ro-bind", str(top), str(top)]
    made = set()

    def parents_of(path: Path) -> list:  # traversable by every user, as bwrap would copy 0700
        out = []
        for parent in reversed(path.parents[:-1]):
            if parent.is_relative_to("/tmp") and parent != Path("/tmp") and parent not in made:
                made.add(parent)
                out += ["--perms", "0755", "--dir", str(parent)]
        return out
    # a checkout or virtualenv under /tmp (a CI clone) stays where it was, read-only, as an image would hold it
    bound: list = []
    for kept in sorted({ROOT.resolve(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}):
        if kept.is_relative_to("/tmp") and not any(kept.is_relative_to(b) for b in bound):
            args += [*parents_of(kept), "--ro-bind", str(kept), str(kept)]
            bound.append(kept)
    args += parents_of(course)
    args += ["--bind", str(course), str(course), "--chdir", str(course),
             "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--clearenv",
             "--setenv", "PATH", f"{os.path.dirname(sys.executable)}:/usr/bin:/bin", "--setenv", "HOME", "/root",
             "--setenv", "LANG", "C.UTF-8", "--cap-drop", "ALL"]
    for cap in DOCKER_CAPS:
        args += ["--cap-add", f"CAP_{cap}"]
    denied = ("unshare", "setns") + (() if landlock else ("landlock_create_ruleset",))
    read, write = os.pipe()
    os.write(write, confine.seccomp_filter(denied=denied, keep_pdeathsig=False))
    os.close(write)
    try:
        command = command or [sys.executable, "-m", "rnnquiz", "autograde", AID, "--jobs", "1", *options]
        return subprocess.run([*args, "--seccomp", str(read), *command], pass_fds=[read], capture_output=True,
                              text=True, timeout=900)
    finally:
        os.close(read)


def scores(course: Path) -> dict:
    """student -> {question: score}, from the run's Gradescope files."""
    folder = course / "reports" / AID / "gradescope"
    return {p.stem: {t["name"]: t["score"] for t in json.loads(p.read_text())["tests"]}
            for p in sorted(folder.glob("*.json"))}


def won(got: dict) -> set:
    """The attacks that worked, by the questions they answered."""
    return {name for name, question in WINS.items() if got[question] == full_marks(AID)[question]}


def test_with_landlock_no_attack_works_and_the_honest_student_keeps_full_marks(course):
    done = autograde_in_container(course)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "rnnquiz sandbox: container" in done.stdout and "by Landlock" in done.stdout, done.stdout
    got = scores(course)
    assert got["a_honest"] == full_marks(AID)
    assert won(got["b_attacker"]) == won(got["c_attacker"]) == set(), got
    assert sum(got["b_attacker"].values()) == sum(got["c_attacker"].values()) == 0, got


def test_without_landlock_the_run_refuses_and_grades_nothing(course):
    done = autograde_in_container(course, landlock=False)
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("rnnquiz: refusing to grade: new namespaces are refused here") and \
        "no Landlock" in line and "--allow-unconfined" in line and line.endswith("Nothing was graded."), line
    assert not (course / "reports").exists() and not (course / "autograded").exists()
    assert "Traceback" not in done.stdout + done.stderr


def test_without_landlock_the_instructor_may_accept_the_risk_and_then_the_attacks_work(course):
    done = autograde_in_container(course, "--allow-unconfined", landlock=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "no Landlock" in done.stdout and "the file system is the container's" in done.stdout, done.stdout
    got = scores(course)
    assert got["a_honest"] == full_marks(AID)
    # what the refusal and Landlock keep from happening: the attacks are real
    assert won(got["b_attacker"]) == {"hidden", "classmate", "source"}, got
    assert won(got["c_attacker"]) == set(WINS), got


def test_without_landlock_nbgrader_autograde_refuses_our_notebooks_too(course):
    from rnnquiz.commands.cycle import NBGRADER
    done = autograde_in_container(course, landlock=False, command=[*NBGRADER, "autograde", AID])
    log = done.stdout + done.stderr
    assert "refusing to grade: new namespaces are refused here" in log, log[-3000:]
    assert "--GradeIsolated.allow_unconfined=True" in log
    # no submission was graded: nbgrader wrote no autograded notebook for anyone
    assert not list((course / "autograded").glob(f"*/{AID}/{AID}.ipynb")), log[-3000:]
