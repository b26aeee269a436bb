"""How the zygote is started and what its submissions get: one seam, four launchers.

Chosen in one place (``choose``), said in one line (``Launcher.describe``):

- ``Bubblewrap``: the pool runs in bubblewrap's sandbox (the allowlisted file
  system of ``view.py``, its own PID, IPC, network and UTS namespaces, all
  capabilities dropped but the four the zygote needs to confine a
  submission); each submission is then confined inside it.
- ``Namespaces``: root without bubblewrap; the zygote (rnnquiz's code, never
  a student's) runs on the host and confines each submission itself: the
  same namespaces and allowlisted root, its own uid, seccomp.
- ``Container``: root where new namespaces are refused (Docker's default
  seccomp profile, as on Gradescope): each submission runs under a uid of its
  own with the seccomp filter and rlimits, in a control group where the
  machine lets us make one; with Landlock, the kernel keeps it to the same
  allowlisted file system and a writable folder of its own, removed when it
  ends.  Without Landlock it sees the container's files: a class run then
  refuses unless told to accept that (``rnnquiz autograde --allow-unconfined``).
- ``Unprivileged``: not root: resource limits only, and a warning.

What every mode adds per submission (control groups, budgets) is the pool's
(``pool.py``); what runs inside is ``rnnquiz/sandboxed`` only.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.isolation.view import bwrap_view_args, file_view
from rnnquiz.sandboxed import landlock

SANDBOXED = Path(__file__).resolve().parent.parent / "sandboxed"  # the only rnnquiz code inside the sandbox
WORKER_FILES = ("worker.py", "wire.py", "confine.py", "landlock.py")
SANDBOX_WORKER_DIR = "/tmp/.rnnquiz-worker"  # /tmp is a private tmpfs there
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
       # one thread per process: no BLAS thread alive when the zygote forks
       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
       "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


@dataclass
class SandboxConfig:
    use_bwrap: bool | None = None  # None: use it when it works; False: never


class Launcher:
    """How the zygote starts, and what its submissions are given (the FORK request's part)."""
    name = ""
    namespaces = False    # each submission in namespaces of its own (and the allowlisted root)
    outer = False         # the pool has a sandbox of its own around the zygote (bubblewrap)
    separates = False     # submissions of several grading processes may share one zygote
    keeps_files = False   # a submission sees only the allowlisted file system: no course, no other submission
    protections = ""

    def command(self, fd: int, many: bool, packages: tuple | None) -> tuple[list, dict]:
        """The zygote's command line and environment, talking on ``fd``."""
        return [sys.executable, "-I", str(SANDBOXED / "worker.py"), *_tail(fd, many, packages)], dict(ENV)

    def submission(self, root: bool, shared: bool) -> dict:
        """What the zygote does to each submission it forks."""
        return {"drop_privileges": root, "confine": self.namespaces, "seccomp": root,
                "own_network": self.namespaces and (shared or not self.outer)}

    def before_start(self):
        """Called before the zygote starts."""

    def helpers(self, proc) -> list:
        """Processes the launcher leaves behind when the zygote ends (reaped by ``reap``)."""
        return []

    def reap(self, helpers=(), within: float = 1.0):
        """Collect what ``helpers`` named, once the zygote has ended."""

    def describe(self) -> str:
        return f"rnnquiz sandbox: {self.name} ({self.protections})"


class Bubblewrap(Launcher):
    name = "bubblewrap"
    namespaces = outer = separates = keeps_files = True
    protections = ("bubblewrap around the pool; per submission: PID, mount, IPC, network and UTS namespaces, "
                   "allowlisted read-only file system, own uid, seccomp, rlimits")

    def __init__(self, bwrap: str):
        self.bwrap = bwrap

    def command(self, fd, many, packages):
        # as root, no user namespace: the student processes then drop to a real
        # unprivileged uid (a namespace maps only root, and setuid would fail)
        namespaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                       "--unshare-cgroup-try"] if os.geteuid() == 0 else ["--unshare-all"])
        args = [self.bwrap, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                *namespaces, "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                # only so that each student process can drop to an unprivileged uid,
                # where RLIMIT_NPROC applies (the kernel exempts root from it)
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                # only so that each submission gets namespaces and mounts of its own
                # (dropped with root before any student code runs; see confine.py)
                "--cap-add", "CAP_SYS_ADMIN",
                # so that the zygote can end a submission (its memory budget, the
                # grader's kill, the parent-death signal) although it runs under another uid
                "--cap-add", "CAP_KILL",
                "--clearenv"]
        for key, value in ENV.items():
            args += ["--setenv", key, value]
        # an allowlist, not a blocklist: the system, the interpreter and its
        # packages, read-only; no course folder, home, /work, /srv or /opt
        args += bwrap_view_args(file_view(packages))
        for name in WORKER_FILES:
            args += ["--ro-bind", str(SANDBOXED / name), f"{SANDBOX_WORKER_DIR}/{name}"]
        args += ["--chdir", "/tmp", sys.executable, "-I", f"{SANDBOX_WORKER_DIR}/worker.py",
                 *_tail(fd, many, packages)]
        return args, {}

    def before_start(self):
        adopt_orphans()

    def helpers(self, proc) -> list:
        # bubblewrap's own helper outlives it briefly: handed to us (``adopt_orphans``)
        return children_of(proc.pid)

    def reap(self, helpers=(), within: float = 1.0):
        reap_orphans(helpers, within)
        reap_exited("bwrap")


class Namespaces(Launcher):
    name = "namespaces"
    namespaces = separates = keeps_files = True
    protections = ("no bubblewrap; per submission: PID, mount, IPC, network and UTS namespaces, allowlisted "
                   "read-only file system, own uid, seccomp, rlimits")


class Container(Launcher):
    name = "container"

    @property
    def keeps_files(self) -> bool:
        """With Landlock, the kernel keeps each submission to the allowlist (``sandboxed/landlock.py``)."""
        return landlock.abi() > 0

    @property
    def protections(self) -> str:
        if not self.keeps_files:
            return ("new namespaces refused here and no Landlock; per submission: own uid, seccomp, rlimits, "
                    "control groups where writable; the file system is the container's (what the grader keeps "
                    "from student code must not be readable by other users)")
        version = landlock.abi()
        more = ((", no TCP" if version >= 4 else "")
                + (", no signal or abstract socket outside it" if version >= 6 else ""))
        return ("new namespaces refused here; per submission: own uid, seccomp, rlimits, control groups where "
                "writable; by Landlock, the allowlisted read-only file system (no course, content or other "
                f"submission) and a private writable folder (TMPDIR, HOME) removed when it ends{more}")

    def submission(self, root, shared):
        return {**super().submission(root, shared), "landlock": root and self.keeps_files}


class Unprivileged(Launcher):
    name = "unprivileged"
    protections = "not root: resource limits only; student code runs as this user"

    def submission(self, root, shared):
        return {"drop_privileges": False, "confine": False, "seccomp": False, "own_network": False}


def choose(config: SandboxConfig | None = None) -> Launcher:
    """The launcher this machine and ``config`` allow, best first; probed once per process."""
    config = config or SandboxConfig()
    key = config.use_bwrap
    if key not in _chosen:
        bwrap = shutil.which("bwrap") if config.use_bwrap is not False else None
        if bwrap and (config.use_bwrap or _works([bwrap, "--ro-bind", "/", "/", "--unshare-all", "--dev", "/dev",
                                                  "--proc", "/proc", "true"])):
            _chosen[key] = Bubblewrap(bwrap)
        elif os.geteuid() != 0:
            _chosen[key] = Unprivileged()
        elif namespaces_work():
            _chosen[key] = Namespaces()
        else:
            _chosen[key] = Container()
    return _chosen[key]


_chosen: dict = {}
_warned = False


def warn_if_unsandboxed(config: SandboxConfig | None = None) -> bool:
    """Say once, in this process, when bubblewrap is not what runs student code; True then."""
    global _warned
    launcher = choose(config)
    if isinstance(launcher, Bubblewrap):
        return False
    if not _warned:
        _warned = True
        # where new namespaces are refused (a container), bubblewrap could not run either
        extra = " Install bubblewrap with 'apt-get install bubblewrap'." if isinstance(launcher, Namespaces) else ""
        print(f"rnnquiz: WARNING: {launcher.describe()}.{extra}", file=sys.stderr)
    return True


def namespaces_work() -> bool:
    """Whether this process may give a child new PID and mount namespaces (as
    the zygote does for each submission); Docker's default profile refuses."""
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        os._exit(0 if libc.unshare(0x20000000 | 0x00020000) == 0 else 1)
    return os.waitpid(pid, 0)[1] == 0


def _tail(fd: int, many: bool, packages: tuple | None) -> list:
    return [str(fd), *(["--many"] if many else []), *(["--only", ",".join(packages)] if packages is not None else [])]


def _works(cmd: list) -> bool:
    adopt_orphans()
    try:
        probe = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    helpers = []
    while probe.poll() is None and not helpers:
        helpers = children_of(probe.pid)  # bubblewrap's helper, reaped below
    try:
        code = probe.wait(timeout=10)
    except subprocess.TimeoutExpired:
        probe.kill()
        code = probe.wait()
    reap_orphans(helpers)
    return code == 0


# --- bubblewrap's helper processes ---------------------------------------------------

def adopt_orphans():
    """bubblewrap leaves a helper process behind when it exits; as a child
    subreaper we get it back (instead of an init that may never reap it) and
    ``reap_orphans`` collects it."""
    try:
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _processes():
    """(pid, command name, state, parent pid) of every process this one can see."""
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as f:
                comm, rest = f.read().split("(", 1)[1].rsplit(")", 1)
            state, ppid = rest.split()[:2]
            yield int(name), comm, state, int(ppid)
        except (OSError, ValueError, IndexError):
            continue


def children_of(pid: int) -> list:
    """The pids whose parent is ``pid`` (to reap them once they are orphaned)."""
    return [child for child, _comm, _state, ppid in _processes() if ppid == pid]


def reap_orphans(pids=(), within: float = 1.0):
    """Wait for ``pids`` (orphans handed to us, see ``adopt_orphans``) to be
    collected, for at most ``within`` seconds; never another child."""
    pending, end = set(pids), time.monotonic() + within
    while pending and time.monotonic() < end:
        for pid in list(pending):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pending.discard(pid)
            except ChildProcessError:
                # not ours: gone, or not handed to us yet (its parent is still
                # exiting; under load that takes a while): wait while it exists
                if not os.path.exists(f"/proc/{pid}"):
                    pending.discard(pid)
        if pending:
            time.sleep(0.01)


def reap_exited(comm: str):
    """Collect exited processes named ``comm`` handed to us as orphans (their
    grading process is gone, so nobody else will wait for them)."""
    me = os.getpid()
    for pid, name, state, ppid in list(_processes()):
        if ppid == me and state == "Z" and name == comm:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
