"""The sandbox itself: what a student process can see and do, with and without bubblewrap."""
import os
import shutil

import pytest

from rnnquiz.grading.session import Request, grade_many
from rnnquiz.grading.student import StudentRunner
from rnnquiz.isolation.launcher import SandboxConfig
from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import Pool
from rnnquiz.model import samples
from support import CATALOG, ROOT, TEST_LIMITS, assignment

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

PROBE = '''
import os, socket, resource
def probe():
    out = {"uid": os.getuid(), "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0]}
    out["course"] = os.path.exists(COURSE_FILE)
    out["home"] = os.path.exists(os.path.expanduser("~root/.bash_history"))
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
        out["net"] = "open"
    except OSError as exc:
        out["net"] = type(exc).__name__
    try:
        open("/usr/rnnquiz-test", "w")
        out["write_usr"] = True
    except OSError:
        out["write_usr"] = False
    import statistics  # stdlib imports still work as nobody
    return out
'''.replace("COURSE_FILE", repr(str(ROOT / "pyproject.toml")))


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")
def test_bubblewrap_hides_the_course_and_the_network_and_drops_root():
    with Pool(TEST_LIMITS).launch() as pool:
        runner = StudentRunner(pool, [(0, None, PROBE)], TEST_LIMITS).start()
        seen = runner.call("probe")
        runner.close()
    assert seen["course"] is False and seen["write_usr"] is False
    assert seen["net"] != "open"
    assert seen["nproc"] == Limits().processes
    assert seen["uid"] != 0  # nobody, so that RLIMIT_NPROC applies


def test_without_bubblewrap_grading_still_works_and_says_so(capfd):
    import rnnquiz.isolation.launcher as launcher
    launcher._warned = False
    with Pool(TEST_LIMITS, SandboxConfig(use_bwrap=False)).launch() as pool:
        [result] = grade_many([Request(str(samples.solution_path("rnn_from_scratch", ROOT)), "x",
                                       assignment("rnn_from_scratch"))], CATALOG, limits=TEST_LIMITS, pool=pool)
    assert result.score == result.max_score
    assert "bubblewrap" in capfd.readouterr().err


def test_closing_a_pool_leaves_no_process_behind():
    """bubblewrap and its helper are reaped by us when the pool closes, not left
    as zombies for init (other tests' processes may come and go meanwhile: only
    this pool's are checked)."""
    import os
    import time

    from rnnquiz.isolation.launcher import children_of

    with Pool(TEST_LIMITS).launch() as pool:
        StudentRunner(pool, [(0, None, "import os\nif os.fork() == 0:\n    import time; time.sleep(60)")],
                      TEST_LIMITS).start().close()
        ours = {pool.proc.pid, *children_of(pool.proc.pid)}
    # the kernel takes the sandbox's namespaces apart after the zygote exits:
    # under load that can take a moment, but nothing may stay
    end = time.monotonic() + 5
    while [pid for pid in ours if os.path.exists(f"/proc/{pid}")] and time.monotonic() < end:
        time.sleep(0.05)
    assert ours and not [pid for pid in ours if os.path.exists(f"/proc/{pid}")]


def test_a_class_pool_orders_the_next_child_ahead_and_ends_the_one_left_over():
    """In a class run the next submission's child is forked and confined while
    the current one is graded: each submission still gets a fresh process, and
    the one ordered last is ended with the pool."""
    import os
    import time

    from rnnquiz.grading.student import StudentError
    from rnnquiz.isolation.launcher import children_of

    with Pool(TEST_LIMITS, many=True).launch() as pool:
        first = StudentRunner(pool, [(0, None, "x = 1")], TEST_LIMITS).start()
        assert pool.spare is not None
        second = StudentRunner(pool, [(0, None, "y = 2")], TEST_LIMITS).start()
        assert second.worker.number != first.worker.number
        assert first.get("x") == 1 and second.get("y") == 2
        with pytest.raises(StudentError):
            second.get("x")  # nothing of the first submission is in the second's process
        first.close()
        second.close()
        ours = {pool.proc.pid, *children_of(pool.proc.pid)}
        assert pool.spare is not None and len(ours) > 1
    end = time.monotonic() + 5
    while [pid for pid in ours if os.path.exists(f"/proc/{pid}")] and time.monotonic() < end:
        time.sleep(0.05)
    assert not [pid for pid in ours if os.path.exists(f"/proc/{pid}")]


def test_a_child_ordered_ahead_is_used_only_by_the_process_that_ordered_it():
    """rnnquiz autograde's grading processes are forked from one that may hold
    a child ordered ahead: none of them may take it (two submissions would share
    it); each orders its own."""
    import os

    with Pool(TEST_LIMITS, many=True).launch() as pool:
        pool.share()
        StudentRunner(pool, [(0, None, "x = 1")], TEST_LIMITS).start().close()
        ordered = pool.spare[2]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                runner = StudentRunner(pool, [(0, None, "x = 2")], TEST_LIMITS).start()
                fresh = runner.worker.sock is not ordered and runner.get("x") == 2
                runner.close()
                pool.close()
                os.write(write, b"1" if fresh else b"0")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        os.close(write)
        in_the_fork = os.read(read, 1)
        own = StudentRunner(pool, [(0, None, "x = 3")], TEST_LIMITS).start()
        assert own.worker.sock is ordered and own.get("x") == 3
        own.close()
    assert in_the_fork == b"1"


LISTEN = '''
import socket
listeners = []
for family, address in ((socket.AF_INET, ("127.0.0.1", 47311)), (socket.AF_UNIX, "\\0rnnquiz-meet")):
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind(address)
        s.listen(1)
        listeners.append(s)
    except OSError:
        pass
bound = len(listeners)
'''
CONNECT = '''
import socket
def meet():
    reached = []
    for family, address in ((socket.AF_INET, ("127.0.0.1", 47311)), (socket.AF_UNIX, "\\0rnnquiz-meet")):
        try:
            socket.socket(family, socket.SOCK_STREAM).connect(address)
            reached.append(str(address))
        except OSError:
            pass
    return reached
'''


def test_two_submissions_at_once_in_a_shared_pool_cannot_talk():
    """rnnquiz autograde's grading processes share one pool, so two submissions
    run in it at once: neither loopback nor abstract sockets connect them."""
    with Pool(TEST_LIMITS).launch() as pool:
        pool.share()
        host = StudentRunner(pool, [(0, None, LISTEN), (1, None, CONNECT)], TEST_LIMITS).start()
        guest = StudentRunner(pool, [(0, None, CONNECT)], TEST_LIMITS).start()
        bound, own = host.get("bound"), host.call("meet")
        reached = guest.call("meet")
        guest.close()
        host.close()
    # the control: within one submission the abstract socket is reached (loopback
    # is down in a fresh network namespace, so TCP is not even reached there)
    assert bound == 2 and "\0rnnquiz-meet" in own
    assert reached == []


def test_the_zygote_tries_a_submission_s_confinement_before_serving(monkeypatch):
    """One confinement is tried when the zygote starts: an error that would end
    every submission is reported once, not met by every student in turn."""
    import os
    import socket

    from rnnquiz.sandboxed import confine, worker
    if not confine.can_confine():
        pytest.skip("needs CAP_SYS_ADMIN (root)")
    zygote = worker.Zygote(socket.socket(), torch=None)
    assert zygote.self_test() == ""

    def refused(network=True):
        raise OSError(1, "unshare: Operation not permitted")
    monkeypatch.setattr(confine, "unshare_namespaces", refused)
    assert "Operation not permitted" in zygote.self_test()
    os.close(zygote.own_pid_ns)


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces is root's")
def test_a_pool_whose_zygote_cannot_confine_refuses_to_start():
    import json
    import socket
    import subprocess

    from rnnquiz.isolation.pool import PoolError
    pool = Pool(TEST_LIMITS, SandboxConfig(mode="namespaces"))  # named: no other launcher is tried
    pool.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pool.proc = subprocess.Popen(["sleep", "30"], stderr=subprocess.PIPE, start_new_session=True)  # the zygote's place
    theirs.send(json.dumps({"ready": 1, "root": True, "can_drop_root": True, "can_confine": True,
                            "confine_error": "OSError: unshare: Operation not permitted"}).encode())
    with pytest.raises(PoolError, match="cannot confine a submission .*Operation not permitted"):
        pool.wait_ready()
    assert pool.proc is None and pool.control is None
