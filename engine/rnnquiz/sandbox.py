"""How the untrusted worker is started: bubblewrap where available, rlimits always.

The sandbox sees, read-only, only the system folders and the Python
interpreter with its packages; a private empty /tmp; no network; its own
process and IPC namespaces; and of rnnquiz only ``rnnquiz/sandboxed``.  No
course folder (graders, solutions, gradebook, submissions) exists there.
Each submission is then confined further inside it (``sandboxed/confine.py``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SANDBOXED = Path(__file__).resolve().parent / "sandboxed"  # the only rnnquiz code inside the sandbox
WORKER_FILES = ("worker.py", "wire.py", "confine.py")
SANDBOX_WORKER_DIR = "/tmp/.rnnquiz-worker"  # /tmp is a private tmpfs there

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")

_warned = False


@dataclass
class Limits:
    """Resource limits applied to each student process (see setrlimit(2))."""
    memory_bytes: int = 4 * 1024**3   # address space; torch alone maps ~1.5 GiB
    cpu_seconds: int = 60
    file_bytes: int = 16 * 1024**2
    open_files: int = 256
    processes: int = 64                # RLIMIT_NPROC of the submission's own uid: no fork bombs
    memory_budget: int = 3 * 1024**3   # all of one submission's processes together (resident, not file-backed)
    call_timeout: float = 10.0         # wall clock for one call or one cell
    submission_timeout: float = 120.0  # wall clock for a whole submission

    def rlimits(self) -> dict:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NOFILE": self.open_files,
                "RLIMIT_NPROC": self.processes, "RLIMIT_CORE": 0}


@dataclass
class SandboxConfig:
    use_bwrap: bool | None = None             # None: use it when it works


def adopt_orphans():
    """bubblewrap leaves a helper process behind when it exits; as a child
    subreaper we get it back (instead of an init that may never reap it) and
    ``reap_orphans`` collects it."""
    import ctypes
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
    import time
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


def reap_exited_sandboxes():
    """Collect exited bubblewrap processes handed to us as orphans (their
    grading process is gone, so nobody else will wait for them)."""
    me = os.getpid()
    for pid, comm, state, ppid in list(_processes()):
        if ppid == me and state == "Z" and comm == "bwrap":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _bwrap_works(bwrap: str) -> bool:
    adopt_orphans()
    try:
        probe = subprocess.Popen([bwrap, "--ro-bind", "/", "/", "--unshare-all", "--dev", "/dev",
                                  "--proc", "/proc", "true"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def _warn_once(message: str):
    global _warned
    if not _warned:
        _warned = True
        print(f"rnnquiz: WARNING: {message}", file=sys.stderr)


_usable: dict = {}


def usable_bwrap(config: SandboxConfig) -> str | None:
    """The bwrap to use under ``config``, or None; probed once per process."""
    if config.use_bwrap is False:
        return None
    bwrap = bwrap_path()
    if bwrap and bwrap not in _usable:
        _usable[bwrap] = bool(config.use_bwrap) or _bwrap_works(bwrap)
    return bwrap if bwrap and _usable[bwrap] else None


def warn_if_unsandboxed(config: SandboxConfig | None = None) -> bool:
    """Say once, in this process, that bubblewrap is missing; True when it is."""
    if usable_bwrap(config or SandboxConfig()):
        return False
    if os.geteuid() == 0:
        exposed = ("each submission still runs as a uid of its own, in its own namespaces, with a private "
                   "/tmp and the course folder hidden, but it can read every world-readable file outside "
                   "the course (home folders, other courses, /etc)")
    else:
        exposed = ("student code runs as your own user: it can read and change every file you can "
                   "(gradebook, graders, solutions, other submissions) and processes it leaves behind "
                   "are not confined")
    _warn_once(f"bubblewrap (bwrap) is not available or not enabled: {exposed}. "
               "Install it with 'apt-get install bubblewrap'.")
    return True


def worker_command(fd: int, config: SandboxConfig, announce: bool = True, many: bool = False,
                   packages: tuple | None = None) -> tuple[list, dict]:
    """The command line and environment that start a zygote talking on ``fd``
    (``many``: it will serve a whole class; see ``worker.in_huge_pages``;
    ``packages``: the only packages it imports and its submissions find)."""
    tail = [str(fd), *(["--many"] if many else []), *(["--only", ",".join(packages)] if packages is not None else [])]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
           # one thread per process: no BLAS thread alive when the zygote forks
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONHASHSEED": "0"}
    python = sys.executable
    bwrap = usable_bwrap(config)
    if bwrap:
        # as root, no user namespace: the student processes then drop to a real
        # unprivileged uid (a namespace maps only root, and setuid would fail)
        namespaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                       "--unshare-cgroup-try"] if os.geteuid() == 0 else ["--unshare-all"])
        args = [bwrap, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
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
        for key, value in env.items():
            args += ["--setenv", key, value]
        # an allowlist, not a blocklist: the system, the interpreter and its
        # packages, read-only; no course folder, home, /work, /srv or /opt
        args += bwrap_view_args(file_view(packages))
        for name in WORKER_FILES:
            args += ["--ro-bind", str(SANDBOXED / name), f"{SANDBOX_WORKER_DIR}/{name}"]
        args += ["--chdir", "/tmp", python, "-I", f"{SANDBOX_WORKER_DIR}/worker.py", *tail]
        return args, {}
    if announce:
        warn_if_unsandboxed(config)
    return [python, "-I", str(SANDBOXED / "worker.py"), *tail], env


def file_view(packages: tuple | None = None) -> dict:
    """The allowlisted file system a submission sees, as data (``confine.enter_view``
    makes it in every mode; bubblewrap's outer sandbox is built from it too):
    the system folders and the Python installation, read-only.  ``packages``:
    the only installed packages that exist there (a question that must be
    answered with NumPy alone: no torch files at all); None: all of them."""
    binds, links = [], []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            links.append([path, os.readlink(path)])
        elif os.path.isdir(path):
            binds.append(Path(path))
    for path in _unique_existing(_python_dirs()):
        if not any(path == b or b in path.parents for b in binds):
            binds = [b for b in binds if path not in b.parents] + [path]
    view = {"binds": [[str(p), str(p)] for p in binds], "links": links}
    if packages is not None:
        view["restrict"] = package_entries(packages)
    return view


def package_entries(packages: tuple) -> dict:
    """{site-packages folder: the entries of ``packages`` in it} for every
    site-packages folder of this Python (those the packages are not in stay empty)."""
    import importlib.metadata
    import site
    folders = {str(p) for p in _unique_existing(
        [*sys.path, *site.getsitepackages([sys.prefix, sys.base_prefix])])
        if p.name in ("site-packages", "dist-packages") and p.is_dir()}
    entries: dict = {folder: set() for folder in folders}
    for name in packages:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ValueError(f"package {name!r} is not installed") from None
        location = str(Path(dist.locate_file("")).resolve())
        for f in dist.files or []:
            top = Path(f).parts[0] if Path(f).parts else ""
            if top and top != ".." and location in entries:
                entries[location].add(top)
    return {folder: sorted(names) for folder, names in sorted(entries.items())}


def bwrap_view_args(view: dict) -> list:
    """bubblewrap's arguments for ``view`` (see ``file_view``)."""
    args, made = [], set()
    for dst, value in view.get("links", []):
        args += ["--symlink", value, dst]
    for src, dst in view.get("binds", []):
        # parents made world-traversable: bwrap copies their modes (0700 for
        # /root), and the student processes run under a uid of their own
        for parent in reversed(Path(dst).parents[:-1]):
            if str(parent) not in made and not any(str(parent) == d for d, _v in view.get("links", [])):
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", src, dst]
    for site, names in (view.get("restrict") or {}).items():
        args += ["--tmpfs", site]
        for name in names:
            args += ["--ro-bind", f"{site}/{name}", f"{site}/{name}"]
        args += ["--remount-ro", site]
    return args


def _python_dirs() -> list[Path]:
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent}
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            dirs.add(Path(entry))
    return sorted(dirs)


def _unique_existing(paths) -> list[Path]:
    out = []
    for path in paths:
        try:
            path = Path(path).resolve()
        except OSError:
            continue
        if path.exists() and path != Path("/") and path not in out:
            out.append(path)
    return out
