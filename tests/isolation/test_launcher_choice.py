"""Which sandbox runs student code is decided by starting the real worker: a
launcher whose worker does not start gives way to the next one, which says
why in its one line; a sandbox named with ``--sandbox`` (or $RNNQUIZ_SANDBOX)
has no fallback; and when no worker starts at all, the run says so once and
exits with 3, with no error line per question.

A bubblewrap that cannot start the worker is a ``bwrap`` on the PATH that
exits at once (as it does where user namespaces are refused, or as it did for
an ordinary user whose bubblewrap refused rnnquiz's capabilities)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import rnnquiz.isolation.launcher as launcher
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.isolation.pool import Pool, PoolError
from support import CATALOG, ROOT, TEST_LIMITS, assignment, scratch_venv

pytestmark = [pytest.mark.sandbox,
              pytest.mark.skipif(os.geteuid() != 0, reason="as root: namespaces is the next launcher")]

SOLUTION = ROOT / "solutions" / "rnn_from_scratch_en" / "rnn_from_scratch_en.ipynb"


@pytest.fixture()
def broken_bwrap(tmp_path, monkeypatch):
    """A PATH whose ``bwrap`` exits with 70 before starting anything; the
    launcher this process verified earlier is forgotten meanwhile."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "bwrap"
    fake.write_text("#!/bin/sh\nexit 70\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(launcher, "_failed", {})
    monkeypatch.setattr(launcher, "_reasons", {})
    monkeypatch.setattr(launcher, "_warned", False)
    return bin_dir


def _cli(*args, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "rnnquiz", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_bubblewrap_that_cannot_start_the_worker_gives_way_and_says_why(broken_bwrap):
    with Pool(TEST_LIMITS, announce=False).launch() as pool:
        assert pool.launcher.name == "bubblewrap"  # the best candidate is tried first
        [result] = grade_many([Request(str(SOLUTION), "x", assignment("rnn_from_scratch_en"))], CATALOG,
                              limits=TEST_LIMITS, pool=pool)
        line = pool.launcher.describe()
    assert result.score == result.max_score
    assert line.startswith("rnnquiz sandbox: namespaces"), line
    assert "bubblewrap could not start the worker here (the worker did not start (exit status 70))" in line


def test_the_cli_says_in_one_line_which_sandbox_ran_and_why(broken_bwrap):
    done = _cli("grade", str(SOLUTION))
    assert done.returncode == 0, done.stderr
    assert "Total                     18 / 18" in done.stdout
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("rnnquiz: WARNING: rnnquiz sandbox: namespaces") and "bubblewrap could not" in line


def test_a_sandbox_named_has_no_fallback_and_no_line_per_question(broken_bwrap):
    for args, env in ((["--sandbox", "bubblewrap"], None), ([], {"RNNQUIZ_SANDBOX": "bubblewrap"})):
        done = _cli("grade", *args, str(SOLUTION), env_extra=env)
        assert done.returncode == 3, done.stdout + done.stderr
        assert done.stdout == ""  # no result, and no "internal grader error" per question
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("rnnquiz: no sandbox could start the worker (bubblewrap: "), line


def test_a_pool_named_bubblewrap_refuses_to_fall_back(broken_bwrap):
    from rnnquiz.isolation.launcher import SandboxConfig
    pool = Pool(TEST_LIMITS, SandboxConfig(mode="bubblewrap"), announce=False).launch()
    with pytest.raises(PoolError, match="no sandbox could start the worker"):
        pool.wait_ready()
    pool.close()


def test_an_unknown_sandbox_is_a_clear_error():
    done = _cli("grade", str(SOLUTION), env_extra={"RNNQUIZ_SANDBOX": "docker"})
    assert done.returncode == 2
    assert done.stderr.strip() == ("rnnquiz: unknown sandbox 'docker' (from --sandbox or $RNNQUIZ_SANDBOX); "
                                   "choose one of: auto, bubblewrap, namespaces, container, unprivileged.")
    done = _cli("grade", "--sandbox", "unprivileged", str(SOLUTION))
    assert done.returncode == 2 and "refused as root" in done.stderr


def test_a_self_check_whose_worker_cannot_start_says_so_once(tmp_path):
    """A Python whose worker processes die at start (its start-up files end
    them): one line and exit 3, not a line per question."""
    python = scratch_venv(tmp_path, {"zz_no_worker.pth": "import sys, os; sys.argv[-1:] == ['--plain'] and "
                                                       "(sys.stderr.write('no worker here\\n'), os._exit(70))\n"})
    done = subprocess.run([str(python), "-m", "rnnquiz", "check", str(SOLUTION)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("rnnquiz: the worker did not start") and "no worker here" in line, line


def test_without_namespaces_or_landlock_a_class_run_would_leave_the_course_in_sight(monkeypatch):
    """What a class run refuses (unless the instructor accepts it): no
    namespaces and no Landlock, as root in a container or as an ordinary user."""
    from rnnquiz.isolation.launcher import Bubblewrap, Container, Namespaces, Unprivileged, leaves_course_in_sight
    from rnnquiz.sandboxed import landlock
    assert not any(leaves_course_in_sight(launcher) for launcher in (Container(), Unprivileged()))
    monkeypatch.setattr(landlock, "abi", lambda: 0)
    assert leaves_course_in_sight(Container()) and leaves_course_in_sight(Unprivileged())
    assert "no Landlock: resource limits only" in Unprivileged().describe()
    assert not leaves_course_in_sight(Namespaces()) and not leaves_course_in_sight(Bubblewrap("bwrap"))
