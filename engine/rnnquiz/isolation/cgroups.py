"""A control group per submission: an equal share of the CPU, all of its memory
counted (kernel memory such as socket buffers included), a bound on its tasks.

The host side makes the groups and hands the submission's first process an
open ``cgroup.procs`` file per controller (``Group.fds``); that process writes
``0`` to each before it runs any student code, so everything it starts is
born inside.  Nothing inside the sandbox can reach the cgroup file system.

Works with cgroup v1 (one hierarchy per controller, as on this project's
machines) and with v2 where the process's own group may get children with
controllers; anywhere else (no root, a container with ``/sys/fs/cgroup``
read-only) ``Cgroups.open`` returns None and the caller says which
protections are missing.
"""
from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = ("cpu", "memory", "pids")
SHARES = 1024  # every submission the same weight (v1 cpu.shares; v2 cpu.weight 100)
SWEEP_EVERY = 0.05  # seconds between attempts at removing the ended submissions' groups


def _mounts() -> dict:
    """controller -> (mount point, v2?) of the cgroup hierarchies this process sees."""
    found: dict = {}
    try:
        with open("/proc/self/mountinfo") as f:
            lines = f.read().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if len(fields) < 5 or len(rest) < 3:
            continue
        kind, point, options = rest[0], fields[4], rest[2].split(",")
        if kind == "cgroup":
            for c in CONTROLLERS:
                if c in options:
                    found.setdefault(c, (point, False))
        elif kind == "cgroup2":
            try:
                available = Path(point, "cgroup.controllers").read_text().split()
            except OSError:
                continue
            for c in CONTROLLERS:
                if c in available and c not in found:
                    found[c] = (point, True)
    return found


def _own_paths() -> dict:
    """hierarchy key -> this process's group in it ("0" for v2)."""
    out = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                number, names, path = line.rstrip("\n").split(":", 2)
                if number == "0":
                    out["0"] = path
                for name in names.split(","):
                    out[name] = path
    except OSError:
        pass
    return out


@dataclass
class Group:
    """One submission's groups, one folder per controller."""
    dirs: list
    fds: list = field(default_factory=list)  # open cgroup.procs files, for the submission to join
    # the memory controller's file that counts its kills (read after every reply:
    # one file, found once)
    oom_file: str | None = None

    def close_fds(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []

    def tasks(self) -> list:
        """The host's ids of the submission's threads (from the first hierarchy)."""
        for d in self.dirs:
            for name in ("tasks", "cgroup.threads"):
                try:
                    return [int(t) for t in Path(d, name).read_text().split()]
                except (OSError, ValueError):
                    continue
        return []

    def waited(self) -> float:
        """Seconds the longest-waiting of its threads spent ready to run but not
        running (``schedstat``'s run delay): time a busy machine took from it."""
        most = 0
        for tid in self.tasks():
            try:
                most = max(most, int(Path(f"/proc/{tid}/schedstat").read_text().split()[1]))
            except (OSError, ValueError, IndexError):
                continue
        return most / 1e9

    def out_of_memory(self) -> bool:
        """Whether the kernel has ended a process of the group at its memory limit."""
        if self.oom_file is None:
            return False
        try:
            with open(self.oom_file) as f:
                lines = f.read().splitlines()
        except OSError:
            return False
        for line in lines:
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip() != "0":
                return True
        return False

    def remove(self) -> bool:
        """Remove the groups that are empty, killing what is left in the others
        (to be removed by a later call); True when all are gone."""
        left = []
        for d in self.dirs:
            try:
                os.rmdir(d)
            except FileNotFoundError:
                pass
            except OSError:
                _kill_members(d)
                left.append(d)
        self.dirs = left
        return not left


def _kill_members(folder: str):
    """SIGKILL the group's processes, each one checked to be in it through a
    pidfd first (a pid read from the list could have been reused since)."""
    try:
        pids = [int(p) for p in Path(folder, "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return
    tail = "/" + "/".join(folder.rstrip("/").split("/")[-2:])  # the run's folder and the group's
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except (OSError, AttributeError):
            continue
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                ours = any(line.rstrip("\n").endswith(tail) for line in f)
            if ours:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        finally:
            os.close(fd)


class Cgroups:
    """The run's parent groups and the submissions' groups made under them."""

    def __init__(self, parents: dict, v2: dict):
        self.parents = parents  # controller -> folder
        self.v2 = v2            # controller -> bool
        self.count = 0
        self.pending: list = []  # groups ended but not yet empty
        self.swept = 0.0  # when they were last tried
        self.owner = os.getpid()  # the process that made the run's groups removes them

    @classmethod
    def open(cls) -> Cgroups | None:
        """The run's groups under this process's own, or None where they cannot be made."""
        if os.geteuid() != 0:
            return None
        mounts, own = _mounts(), _own_paths()
        if set(CONTROLLERS) - set(mounts):
            return None
        token = f"rnnquiz-{os.getpid()}-{secrets.token_hex(3)}"
        parents, v2, made = {}, {}, []
        try:
            for c in CONTROLLERS:
                point, is_v2 = mounts[c]
                base = os.path.join(point, own.get("0" if is_v2 else c, "/").lstrip("/"))
                _sweep(base)
                folder = os.path.join(base, token)
                if folder not in made:
                    os.mkdir(folder)
                    made.append(folder)
                    if is_v2:  # v2: controllers must be handed down to the run's children
                        Path(folder, "cgroup.subtree_control").write_text(
                            " ".join(f"+{x}" for x in CONTROLLERS))
                parents[c], v2[c] = folder, is_v2
            if not v2["cpu"]:
                # the run's submissions together weigh as much as one task per core
                Path(parents["cpu"], "cpu.shares").write_text(str(SHARES * (os.cpu_count() or 1)))
        except OSError:
            for folder in reversed(made):
                try:
                    os.rmdir(folder)
                except OSError:
                    pass
            return None
        return cls(parents, v2)

    def new(self, memory: int | None, tasks: int | None) -> Group:
        """A submission's groups with its limits, and the files it joins them by."""
        if time.monotonic() >= self.swept + SWEEP_EVERY:
            self.sweep()
        self.count += 1
        name = f"s{os.getpid()}-{self.count}"
        dirs, fds, oom_file = [], [], None
        try:
            for c in CONTROLLERS:
                folder = os.path.join(self.parents[c], name)
                if folder not in dirs:
                    os.mkdir(folder)
                    dirs.append(folder)
                v2 = self.v2[c]
                if c == "cpu":
                    _write(folder, "cpu.weight" if v2 else "cpu.shares", 100 if v2 else SHARES)
                elif c == "memory":
                    oom_file = os.path.join(folder, "memory.events" if v2 else "memory.oom_control")
                    if memory:
                        _write(folder, "memory.max" if v2 else "memory.limit_in_bytes", memory)
                        if v2:
                            _write(folder, "memory.swap.max", 0, missing_ok=True)
                elif c == "pids" and tasks:
                    _write(folder, "pids.max", tasks)
            for folder in dirs:
                fds.append(os.open(os.path.join(folder, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC))
        except OSError:
            Group(dirs, fds).close_fds()
            Group(dirs).remove()
            raise
        return Group(dirs, fds, oom_file)

    def end(self, group: Group):
        """The submission is over: what is left in its groups is killed, and the
        groups go as soon as they are empty (a later sweep: its processes take a
        moment to die, and a submission's end is on the class's critical path)."""
        group.close_fds()
        if group.dirs:
            _kill_members(group.dirs[0])  # every process of it joined every group
            self.pending.append(group)

    def sweep(self):
        self.swept = time.monotonic()
        self.pending = [g for g in self.pending if not g.remove()]

    def close(self, wait: float = 2.0):
        """Every group this process made gone; in the process that made the
        run's groups, those too (with anything left in them)."""
        end = time.monotonic() + wait
        while self.pending and time.monotonic() < end:
            self.sweep()
            if self.pending:
                time.sleep(0.02)
        if self.owner == os.getpid():
            for folder in set(self.parents.values()):
                _sweep(os.path.dirname(folder), only=os.path.basename(folder))


def _write(folder: str, name: str, value, missing_ok: bool = False):
    try:
        Path(folder, name).write_text(str(value))
    except FileNotFoundError:
        if not missing_ok:
            raise


def _sweep(base: str, only: str | None = None):
    """Remove run groups left by runs that are over (their process is gone), or ``only`` this one."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        if not name.startswith("rnnquiz-") or (only and name != only):
            continue
        try:
            pid = int(name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if only is None and os.path.exists(f"/proc/{pid}"):
            continue  # a run still going (or, as root, a reused pid: left for later)
        folder = os.path.join(base, name)
        for child in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, child)
            if os.path.isdir(path):
                Group([path]).remove()
        try:
            os.rmdir(folder)
        except OSError:
            pass
