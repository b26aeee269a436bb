"""rnnquiz's container mode (root where new namespaces are refused: Docker's
default profile, Gradescope), forced here: what each submission gets there.

(The whole autograder in a Docker-like sandbox is tests/commands/test_gradescope.py.)
"""
import os
import time

import pytest

from rnnquiz.grading.student import StudentError, StudentRunner
from rnnquiz.isolation.launcher import Container
from rnnquiz.isolation.pool import Pool
from support import TEST_LIMITS

pytestmark = [pytest.mark.sandbox,
              pytest.mark.skipif(os.geteuid() != 0, reason="container mode is root's")]

CODE = r'''
import ctypes, os, time
def who():
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    refused = ctypes.CDLL(None, use_errno=True).unshare(0x20000000) != 0  # CLONE_NEWPID
    return {"uid": os.getuid(), "euid": os.geteuid(), "groups": os.getgroups(), "unshare_refused": refused,
            **{k: status[k].strip() for k in ("CapEff", "CapPrm", "NoNewPrivs", "Seccomp")}}
def leave_behind():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(300)
        os._exit(0)
    return os.getuid()
def leave_and_exit():
    if os.fork() == 0:
        os.setsid()
        time.sleep(300)
    time.sleep(0.2)
    os._exit(3)
'''


def container_pool(**kwargs) -> Pool:
    pool = Pool(TEST_LIMITS, announce=False, **kwargs)
    pool.launcher = Container()  # what choose() gives where unshare is refused
    return pool.launch()


@pytest.fixture(scope="module")
def pool():
    with container_pool() as pool:
        yield pool


def of_uid(uid: int) -> list:
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/status") as f:
                if any(line.split()[1:2] == [str(uid)] for line in f if line.startswith("Uid:")):
                    found.append(int(name))
        except (OSError, ValueError):
            continue
    return found


def zombies_of(*parents) -> list:
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as f:
                state, ppid = f.read().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if state == "Z" and int(ppid) in parents:
            found.append(int(name))
    return found


def eventually(check, seconds: float = 5.0):
    end = time.monotonic() + seconds
    while check() and time.monotonic() < end:
        time.sleep(0.05)
    return check()


def test_student_code_runs_under_a_uid_of_its_own_without_capabilities_or_namespaces(pool):
    runner = StudentRunner(pool, [(0, None, CODE)], TEST_LIMITS).start()
    seen = runner.call("who")
    other = StudentRunner(pool, [(0, None, CODE)], TEST_LIMITS).start()
    uid = other.call("who")["uid"]
    runner.close()
    other.close()
    assert seen["uid"] == seen["euid"] != 0 and seen["groups"] == [] and uid not in (0, seen["uid"])
    assert seen["CapEff"] == seen["CapPrm"] == "0000000000000000"
    assert seen["NoNewPrivs"] == "1" and seen["Seccomp"] == "2" and seen["unshare_refused"]


def test_what_a_submission_leaves_behind_ends_with_it_and_is_reaped(pool):
    """Its processes, zombies included, are gone (of_uid sees them wherever they are)."""
    runner = StudentRunner(pool, [(0, None, CODE)], TEST_LIMITS).start()
    uid = runner.call("leave_behind")
    assert len(of_uid(uid)) >= 2  # the submission and the sleeper in a session of its own
    runner.close()
    assert eventually(lambda: of_uid(uid)) == []
    assert eventually(lambda: zombies_of(pool.proc.pid)) == []


def test_a_submission_whose_first_process_exits_is_still_ended_by_its_uid(pool):
    runner = StudentRunner(pool, [(0, None, CODE)], TEST_LIMITS).start()
    uid = runner.call("who")["uid"]
    with pytest.raises(StudentError) as lost:
        runner.call("leave_and_exit")
    # the process left behind shares its socket: the call waits for its time limit
    assert lost.value.kind in ("crashed", "timeout")
    runner.close()
    assert eventually(lambda: of_uid(uid)) == []
    assert eventually(lambda: zombies_of(pool.proc.pid)) == []


def test_closing_the_pool_ends_every_submission_left():
    with container_pool() as other:
        runner = StudentRunner(other, [(0, None, CODE)], TEST_LIMITS).start()
        uid = runner.call("leave_behind")
    # never closed: the zygote ends it on its way out
    assert eventually(lambda: of_uid(uid)) == []


def test_a_question_restricted_to_numpy_cannot_import_torch_the_usual_way():
    cells = [(0, None, "import numpy as np\nimport torch"),
             (1, None, "import numpy as np\ndef f():\n    return float(np.tanh(np.ones(2)).sum())")]
    with container_pool(packages=("numpy",)) as numpy_only:
        runner = StudentRunner(numpy_only, cells, TEST_LIMITS).start()
        value = runner.call("f")
        runner.close()
    assert abs(value - 2 * 0.7615941559557649) < 1e-9
    [failed] = [o for o in runner.outcomes if o.error]
    assert failed.index == 0 and failed.error["type"] == "ModuleNotFoundError"
