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
    """``import torch`` gives a stand-in (importing costs nothing; using it raises); without
    the stand-in, the real torch cannot be imported the usual way, nor its files opened
    (Landlock lets the submission open NumPy's files, not torch's)."""
    import numpy
    import torch as real_torch
    reads = ("def read(path):\n    try:\n        return len(open(path, 'rb').read(1))\n"
             "    except OSError as exc:\n        return type(exc).__name__")
    cells = [(0, None, "import torch\nimport numpy as np"),
             (1, None, "def f():\n    return float(np.tanh(np.ones(2)).sum())\n"
                       "def g():\n    return torch.ones(2)\n"),
             (2, None, reads),
             (3, None, "import sys\nsys.meta_path[:] = [f for f in sys.meta_path if 'AbsentTorch' not in repr(f)]\n"
                       "for name in [m for m in sys.modules if m.split('.')[0] == 'torch']:\n"
                       "    del sys.modules[name]\nimport torch")]
    with container_pool(packages=("numpy",)) as numpy_only:
        runner = StudentRunner(numpy_only, cells, TEST_LIMITS).start()
        value = runner.call("f")
        with pytest.raises(StudentError) as used:
            runner.call("g")
        opened = runner.call("read", numpy.__file__), runner.call("read", real_torch.__file__)
        runner.close()
    assert abs(value - 2 * 0.7615941559557649) < 1e-9
    assert used.value.detail["type"] == "TorchUnavailable"
    assert opened == (1, "PermissionError")
    [failed] = [o for o in runner.outcomes if o.error]
    assert failed.index == 3 and failed.error["type"] == "ModuleNotFoundError"


# --- the file system, by Landlock ---------------------------------------------------------

PROBE = r'''
import os, tempfile
def probe(secret, course):
    def tried(action):
        try:
            action()
            return "ok"
        except OSError as exc:
            return type(exc).__name__
    return {
        "read_secret": tried(lambda: open(secret).read()),
        "list_course": tried(lambda: os.listdir(course)),
        "list_tmp": tried(lambda: os.listdir("/tmp")),
        **{f"write {d}": tried(lambda d=d: open(os.path.join(d, "left.txt"), "w").write("x"))
           for d in ("/tmp", "/dev/shm", "/var/tmp", course)},
        "read_system": tried(lambda: open("/usr/bin/env", "rb").read(1)),
        "read_etc_passwd": tried(lambda: open("/etc/passwd").read(1)),
        "devnull": tried(lambda: open("/dev/null", "w").write("x")),
        "proc": tried(lambda: open("/proc/self/status").read()),
        "own": tried(lambda: open(os.path.join(tempfile.gettempdir(), "mine.txt"), "w").write("x")),
        "tmpdir": tempfile.gettempdir(), "home": os.environ.get("HOME"), "cwd": os.getcwd(),
    }
def leave():
    path = os.path.join(tempfile.gettempdir(), "left-for-the-next.txt")
    open(path, "w").write("x")
    return path
def exists(path):
    return os.path.exists(path)
'''


@pytest.fixture
def course(tmp_path_factory):
    """A folder with a secret that every user could read (0755, 0644): only Landlock keeps it out of reach."""
    import tempfile
    folder = tempfile.mkdtemp(prefix="rnnquiz-test-course-", dir="/var/tmp")
    os.chmod(folder, 0o777)
    secret = os.path.join(folder, "hidden.py")
    with open(secret, "w") as f:
        f.write("ANSWER = 42\n")
    os.chmod(secret, 0o644)
    yield folder, secret
    import shutil
    shutil.rmtree(folder, ignore_errors=True)


def test_a_submission_sees_only_the_allowlist_and_writes_only_a_folder_of_its_own(pool, course):
    folder, secret = course
    runner = StudentRunner(pool, [(0, None, PROBE)], TEST_LIMITS).start()
    seen = runner.call("probe", secret, folder)
    runner.close()
    assert seen["read_secret"] == seen["list_course"] == seen["list_tmp"] == seen["read_etc_passwd"] == \
        "PermissionError", seen
    assert {seen[f"write {d}"] for d in ("/tmp", "/dev/shm", "/var/tmp", folder)} == {"PermissionError"}, seen
    assert {k: seen[k] for k in ("read_system", "devnull", "proc", "own")} == dict.fromkeys(
        ("read_system", "devnull", "proc", "own"), "ok"), seen
    assert seen["tmpdir"] == seen["home"] == seen["cwd"] and seen["tmpdir"].startswith("/tmp/rnnquiz-scratch-")
    assert not [name for name in os.listdir(folder) if name != "hidden.py"]


def test_what_a_submission_left_is_gone_when_it_ends_and_never_seen_by_the_next(pool):
    first = StudentRunner(pool, [(0, None, PROBE)], TEST_LIMITS).start()
    left = first.call("leave")
    assert os.path.exists(left)
    first.close()
    assert eventually(lambda: os.path.exists(os.path.dirname(left))) is False
    second = StudentRunner(pool, [(0, None, PROBE)], TEST_LIMITS).start()
    assert second.call("exists", left) is False and second.call("leave") != left
    second.close()
