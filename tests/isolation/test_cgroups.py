"""A submission's control groups: everything it starts is ended with it, no
folder is left behind, and a kill at the memory limit is seen."""
import os
import subprocess
import sys
import time

import pytest

from rnnquiz.isolation.cgroups import Cgroups

pytestmark = pytest.mark.sandbox  # starts processes in control groups: not in `make test-fast`

# joins the groups (the files the host opened), starts a grandchild in a session
# of its own, prints both pids, then waits; with an argument, fills that many MiB
CHILD = r"""
import os, sys, time
for fd in map(int, sys.argv[1].split(",")):
    os.write(fd, b"0")
if len(sys.argv) > 2:
    hog = [bytearray(1 << 20) for _ in range(int(sys.argv[2]))]
pid = os.fork()
if pid == 0:
    os.setsid()
    time.sleep(600)
    os._exit(0)
print(os.getpid(), pid, flush=True)
time.sleep(600)
"""


@pytest.fixture
def cgroups():
    groups = Cgroups.open()
    if groups is None:
        pytest.skip("this machine gives no control groups (not root, or /sys/fs/cgroup read-only)")
    yield groups
    groups.close()


def start(group, *extra):
    fds = ",".join(map(str, group.fds))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, fds, *extra], pass_fds=group.fds,
                            stdout=subprocess.PIPE, text=True)
    group.close_fds()
    return proc


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ending_a_group_ends_every_process_in_it_and_leaves_no_folder(cgroups):
    group = cgroups.new(memory=256 << 20, tasks=16)
    proc = start(group)
    child, grandchild = map(int, proc.stdout.readline().split())
    assert sorted(group.tasks()) == sorted([child, grandchild])
    assert not group.out_of_memory()

    dirs = list(group.dirs)
    cgroups.end(group)
    proc.wait(timeout=10)
    end = time.monotonic() + 10
    while running(grandchild) and time.monotonic() < end:
        time.sleep(0.02)
    assert not running(grandchild), "the grandchild in a session of its own outlived its group"

    parents = set(cgroups.parents.values())
    cgroups.close()
    assert [d for d in dirs if os.path.exists(d)] == []
    assert [p for p in parents if os.path.exists(p)] == []


def test_a_kill_at_the_memory_limit_is_seen(cgroups):
    group = cgroups.new(memory=64 << 20, tasks=16)
    proc = start(group, "512")
    assert proc.wait(timeout=30) == -9  # the kernel's OOM killer, inside the group only
    assert group.out_of_memory()
    cgroups.end(group)
