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

- ``UserBubblewrap``: bubblewrap as an ordinary user (a JupyterHub server):
  the pool in bubblewrap's sandbox (allowlisted read-only file system, own
  PID, IPC, network and UTS namespaces, no capability); submissions are not
  confined one from another inside it, so each grading process has a pool
  of its own.

Which one runs is decided by starting the real worker (``Pool.wait_ready``):
``candidates`` lists them best first, and a launcher whose worker does not
start gives way to the next, with the reason in its one line.  ``--sandbox``
or ``RNNQUIZ_SANDBOX`` names one instead (``MODES``); then there is no
fallback.

What every mode adds per submission (control groups, budgets) is the pool's
(``pool.py``); what runs inside is ``rnnquiz/sandboxed`` only.
"""
from __future__ import annotations

import ctypes
import functools
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.isolation.view import bwrap_view_args, file_view
from rnnquiz.sandboxed import landlock

SANDBOXED = Path(__file__).resolve().parent.parent / "sandboxed"  # the only rnnquiz code inside the sandbox
WORKER_FILES = ("worker.py", "wire.py", "confine.py", "landlock.py")
SANDBOX_WORKER_DIR = "/tmp/.rnnquiz-worker"  # /tmp is a private tmpfs there
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
       # one thread per process: no BLAS thread alive when the zygote forks
       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
       "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
       "RNNQUIZ_WORKER": "1"}  # a notebook's self-check cell does nothing where it is graded


ENV_VAR = "RNNQUIZ_SANDBOX"
MODES = ("auto", "bubblewrap", "namespaces", "container", "unprivileged")


@dataclass
class SandboxConfig:
    use_bwrap: bool | None = None  # None: use it when it works; False: never
    mode: str | None = None        # one of MODES; None: $RNNQUIZ_SANDBOX, else "auto"
    allow_unconfined: bool = False  # a class run may grade where submissions would see the course

    def chosen_mode(self) -> str:
        mode = (self.mode or os.environ.get(ENV_VAR) or "auto").strip().lower()
        if mode not in MODES:
            raise SandboxChoiceError(f"unknown sandbox {mode!r} (from --sandbox or ${ENV_VAR}); "
                                     f"choose one of: {', '.join(MODES)}.")
        return mode


class SandboxChoiceError(UserError):
    """The sandbox asked for by name cannot be used here."""


class Launcher:
    """How the zygote starts, and what its submissions are given (the FORK request's part)."""
    name = ""
    namespaces = False    # each submission in namespaces of its own (and the allowlisted root)
    ahead = True          # a class run may fork the next submission's process while one is graded
    outer = False         # the pool has a sandbox of its own around the zygote (bubblewrap)
    separates = False     # submissions of several grading processes may share one zygote
    keeps_files = False   # a submission sees only the allowlisted file system: no course, no other submission
    protections = ""
    fallback = ""         # why a better launcher is not the one running (see ``Pool.wait_ready``)

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
        why = f"; {self.fallback}" if self.fallback else ""
        return f"rnnquiz sandbox: {self.name} ({self.protections}{why})"


class Bubblewrap(Launcher):
    name = "bubblewrap"
    namespaces = outer = separates = keeps_files = True
    protections = ("bubblewrap around the pool; per submission: PID, mount, IPC, network and UTS namespaces, "
                   "allowlisted read-only file system, own uid, seccomp, rlimits")

    def __init__(self, bwrap: str):
        self.bwrap = bwrap

    def command(self, fd, many, packages):
        args = [self.bwrap, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", *self.isolation(),
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

    def isolation(self) -> list:
        """bubblewrap's namespaces and the capabilities the zygote keeps."""
        # as root, no user namespace: the student processes then drop to a real
        # unprivileged uid (a namespace maps only root, and setuid would fail)
        namespaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                       "--unshare-cgroup-try"] if os.geteuid() == 0 else ["--unshare-all"])
        return [*namespaces, "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                # only so that each student process can drop to an unprivileged uid,
                # where RLIMIT_NPROC applies (the kernel exempts root from it)
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                # only so that each submission gets namespaces and mounts of its own
                # (dropped with root before any student code runs; see confine.py)
                "--cap-add", "CAP_SYS_ADMIN",
                # so that the zygote can end a submission (its memory budget, the
                # grader's kill, the parent-death signal) although it runs under another uid
                "--cap-add", "CAP_KILL"]

    def before_start(self):
        adopt_orphans()

    def helpers(self, proc) -> list:
        # bubblewrap's own helper outlives it briefly: handed to us (``adopt_orphans``)
        return children_of(proc.pid)

    def reap(self, helpers=(), within: float = 1.0):
        reap_orphans(helpers, within)
        reap_exited("bwrap")


class UserBubblewrap(Bubblewrap):
    """bubblewrap as an ordinary user: no capability inside, so no namespaces
    per submission; the pool's own sandbox is the protection."""
    name = "bubblewrap"
    namespaces = separates = ahead = False
    outer = True
    protections = ("bubblewrap around the pool, as an ordinary user: allowlisted read-only file system (no "
                   "course, home or grader files), no network, own PID, IPC and UTS namespaces, seccomp, "
                   "rlimits; student code runs as this user, one submission at a time per pool, and what "
                   "one leaves (processes, temporary files) is removed before the next")

    def isolation(self) -> list:
        return ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]

    def submission(self, root, shared):
        # one submission at a time in this sandbox: before each, what the last one left is killed and removed
        return {"drop_privileges": False, "confine": False, "seccomp": True, "own_network": False,
                "sweep": True}


class Namespaces(Launcher):
    name = "namespaces"
    namespaces = separates = keeps_files = True
    protections = ("no bubblewrap; per submission: PID, mount, IPC, network and UTS namespaces, allowlisted "
                   "read-only file system, own uid, seccomp, rlimits")


class _Landlocked:
    """Where no namespace is had, Landlock, when the kernel has it, keeps each
    submission to the allowlist (``sandboxed/landlock.py``)."""

    @property
    def keeps_files(self) -> bool:
        return landlock.abi() > 0


class Container(_Landlocked, Launcher):
    name = "container"

    @property
    def protections(self) -> str:
        if not self.keeps_files:
            return ("new namespaces refused here and no Landlock; per submission: own uid, seccomp, rlimits, "
                    "control groups where writable; the file system is the container's (what the grader keeps "
                    "from student code must not be readable by other users)")
        return ("new namespaces refused here; per submission: own uid, seccomp, rlimits, control groups where "
                f"writable; {_by_landlock()}")

    def submission(self, root, shared):
        return {**super().submission(root, shared), "landlock": root and self.keeps_files}


class Unprivileged(_Landlocked, Launcher):
    """An ordinary user without bubblewrap: Landlock, where the kernel has it,
    keeps each submission to the allowlist as in a container (it needs no
    privilege); without it, resource limits only."""
    name = "unprivileged"

    @property
    def protections(self) -> str:
        if not self.keeps_files:
            return "not root and no Landlock: resource limits only; student code runs as this user"
        return f"not root: student code runs as this user, with seccomp and rlimits; {_by_landlock()}"

    def submission(self, root, shared):
        landlocked = self.keeps_files
        return {"drop_privileges": False, "confine": False, "seccomp": landlocked, "own_network": False,
                "landlock": landlocked}


def _by_landlock() -> str:
    """What Landlock holds for each submission, as far as this kernel's version goes."""
    version = landlock.abi()
    more = ((", no TCP" if version >= 4 else "")
            + (", no signal or abstract socket outside it" if version >= 6 else ""))
    return ("by Landlock, the allowlisted read-only file system (no course, content or other submission) and "
            f"a private writable folder (TMPDIR, HOME) removed when it ends{more}")


def leaves_course_in_sight(launcher: Launcher) -> bool:
    """No namespaces and no Landlock (root in a container, or an ordinary user
    without bubblewrap): each submission sees what the grader's user sees (a
    class run refuses it unless told not to)."""
    return isinstance(launcher, (Container, Unprivileged)) and not launcher.keeps_files


def unconfined_refusal(option: str) -> str:
    return ("refusing to grade: new namespaces are refused here (a container: Docker's default seccomp profile, "
            "a DockerSpawner image, CI) and this kernel offers no Landlock, so student code would see the "
            "container's whole file system: the hidden graders in autograders/, the solutions in source/, every "
            "classmate's submission, and the files earlier submissions left in /tmp. Grade where bubblewrap or "
            "new namespaces work, or on a kernel with Landlock (Linux 5.13 or later, enabled at boot, allowed by "
            "the container's seccomp profile); or, if every submission is trusted, accept the risk with "
            f"{option}. Nothing was graded.")


def candidates(config: SandboxConfig | None = None) -> list:
    """The launchers to try, best first: every one that may work here for the
    chosen mode (``auto``: all of them, in order of what they protect)."""
    config = config or SandboxConfig()
    mode = config.chosen_mode()
    root = os.geteuid() == 0
    bwrap = shutil.which("bwrap") if config.use_bwrap is not False else None
    if mode == "bubblewrap" and not bwrap:
        raise SandboxChoiceError("--sandbox bubblewrap: bubblewrap is not installed (Debian: apt-get install "
                                 "bubblewrap).")
    if mode in ("namespaces", "container") and not root:
        raise SandboxChoiceError(f"--sandbox {mode}: that sandbox is root's (it gives each submission a uid of "
                                 "its own); as an ordinary user choose bubblewrap or unprivileged.")
    if mode == "unprivileged" and root:
        raise SandboxChoiceError("--sandbox unprivileged: refused as root (student code would run as root); "
                                 "choose bubblewrap, namespaces or container.")
    made = {"bubblewrap": lambda: (Bubblewrap(bwrap) if root else UserBubblewrap(bwrap)) if bwrap else None,
            "namespaces": lambda: Namespaces() if root else None,
            "container": lambda: Container() if root else None,
            "unprivileged": lambda: Unprivileged() if not root else None}
    if mode != "auto":
        return [made[mode]()]
    found = [made[name]() for name in ("bubblewrap", "namespaces", "container", "unprivileged")]
    found = [launcher for launcher in found if launcher is not None]
    if root and len(found) > 1 and isinstance(found[1], Namespaces) and not namespaces_work():
        found.pop(1)  # refused here (a container): nothing of it could start
    return found


def choose(config: SandboxConfig | None = None) -> Launcher:
    """The best candidate whose worker has not failed to start in this
    process (``Pool.wait_ready`` moves on to the next when one does not)."""
    key = _key(config)
    failed = _failed.get(key, set())
    found = candidates(config)
    launcher = next((launcher for launcher in found if type(launcher) not in failed), found[-1])
    if launcher is not found[0]:
        launcher.fallback = _reasons.get(key, "")
    return launcher


def next_after(launcher: Launcher, config: SandboxConfig | None, reason: str) -> Launcher | None:
    """The launcher to try once ``launcher``'s worker did not start (None: none
    is left, or the mode was named), told why the better one is not running.
    Later pools of this process skip ``launcher`` (only what failed is
    remembered, never what a caller set by hand)."""
    if (config or SandboxConfig()).chosen_mode() != "auto":
        return None
    found = candidates(config)
    names = [type(c) for c in found]
    later = found[names.index(type(launcher)) + 1:] if type(launcher) in names else []
    if not later:
        return None
    _failed.setdefault(_key(config), set()).add(type(launcher))
    following = later[0]
    first_line = (reason.strip().splitlines() or ["no reason given"])[-1][:200]
    following.fallback = f"{launcher.name} could not start the worker here ({first_line})"
    _reasons[_key(config)] = following.fallback
    return following


def _key(config: SandboxConfig | None):
    config = config or SandboxConfig()
    return (config.use_bwrap, config.chosen_mode(), shutil.which("bwrap"))


_failed: dict = {}   # choice -> the launcher types whose worker did not start in this process
_reasons: dict = {}  # choice -> why the first one is not running (said by the one that runs)
_warned = False


def warn_if_unsandboxed(config: SandboxConfig | None = None, launcher: Launcher | None = None) -> bool:
    """Say once, in this process, when bubblewrap is not what runs student code
    (or why it is not the first choice); True then."""
    global _warned
    launcher = launcher or choose(config)
    if isinstance(launcher, Bubblewrap) and not launcher.fallback:
        return False
    if isinstance(launcher, (Container, Unprivileged)) and launcher.keeps_files and not launcher.fallback:
        return False
    if not _warned:
        _warned = True
        # where new namespaces are refused (a container), bubblewrap could not run either
        extra = " Install bubblewrap with 'apt-get install bubblewrap'." \
            if isinstance(launcher, Namespaces) and not shutil.which("bwrap") else ""
        print(f"rnnquiz: WARNING: {launcher.describe()}.{extra}", file=sys.stderr)
    return True


@functools.lru_cache(maxsize=1)
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
