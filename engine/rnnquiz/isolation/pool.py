"""The grader's handle on the sandboxed worker processes.

``Pool`` starts one zygote (torch imported once, inside the sandbox) and asks
it for a fresh, confined process per submission; ``Connection`` is the
grader's end of one such process: requests out, replies in, each bounded in
time and size (the code on the other side is in ``rnnquiz.sandboxed``).

A pool can be shared by processes forked from the one that launched it
(``rnnquiz autograde``'s grading processes; see ``Pool.share``): every
request to the zygote is one datagram on its control socket, the replies come
on sockets of their own, and the zygote exits when the last copy of that
socket is closed.
"""
from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess

from rnnquiz.errors import InternalError
from rnnquiz.isolation.cgroups import Cgroups
from rnnquiz.isolation.launcher import SandboxConfig, choose, leaves_course_in_sight, next_after, warn_if_unsandboxed
from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.view import file_view
from rnnquiz.sandboxed import wire
from rnnquiz.sandboxed.wire import Op

START_TIMEOUT = 60.0


class PoolError(InternalError):
    """The worker pool itself could not start (not the student's fault)."""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[:1] + lines[-1:]) if len(lines) > 1 else (lines[0] if lines else "no reason given")


class WorkerLost(Exception):
    def __init__(self, kind: str, reason: str = ""):
        super().__init__(reason or kind)
        self.kind = kind  # timeout | crashed | garbage | stale | memory


class Connection:
    """The grader's end of one submission's connection.

    ``number`` is the zygote's name for the submission (never reused: the
    zygote ends the submission by it); ``server`` is the pid that must sign
    every reply (1 inside the submission's own PID namespace).
    """

    def __init__(self, pool: Pool, sock: socket.socket, number: int, server: int, group=None):
        self.pool, self.sock, self.number, self.server = pool, sock, number, server
        self.group = group  # its control groups (cgroups.Group), when the machine has them
        self.alive = True
        self.next_id = 0

    def request(self, message: dict, seconds: float) -> dict:
        """Send one request and read its reply, all within ``seconds`` (absolute:
        a reply trickled a byte at a time cannot stretch it)."""
        self.send(message, seconds)
        return self.reply(seconds)

    def send(self, message: dict, seconds: float):
        """Send a request; its replies (one, or one per cell for ``Op.RUN``) are read with ``reply``."""
        if not self.alive:
            raise WorkerLost("crashed")
        self.next_id += 1
        with self._lost_on_failure():
            self.sock.settimeout(max(seconds, 0.001))
            wire.send(self.sock, message, 0, self.next_id)

    def reply(self, seconds: float) -> dict:
        """The next reply to the last request, within ``seconds``."""
        if not self.alive:
            raise WorkerLost("crashed")
        deadline = FairDeadline(seconds, self.group)
        with self._lost_on_failure():
            size, pid, msg_id = wire.recv_header(self.sock, deadline)
            if pid != self.server or msg_id != self.next_id:
                # a process the student forked, or an answer to an earlier request:
                # refused before a byte of its body is read
                self.kill()
                raise WorkerLost("stale")
            body = wire.recv_body(self.sock, size, wire.MAX_REPLY, deadline)
        if self.group is not None and self.group.out_of_memory():
            # the kernel ended one of its processes at the budget: the submission
            # as a whole is over it, and ends (whatever this reply says)
            self.kill()
            raise WorkerLost("memory")
        return body

    @contextlib.contextmanager
    def _lost_on_failure(self):
        try:
            yield
        except TimeoutError:
            self.kill()
            raise WorkerLost("timeout") from None
        except (EOFError, ConnectionError, OSError):
            memory = self.group is not None and self.group.out_of_memory()
            self.kill()
            raise WorkerLost("memory" if memory else "crashed") from None
        except wire.WireError as exc:
            self.kill()
            raise WorkerLost("garbage", str(exc)) from None

    def kill(self):
        if self.alive:
            self.alive = False
            self.pool.kill(self.number, self.group)
            try:
                self.sock.close()
            except OSError:
                pass


class FairDeadline(wire.Deadline):
    """A call's deadline that does not count the time its submission was kept
    from the CPU (ready to run, not running: ``schedstat``'s run delay of its
    threads), up to one more call's worth: a busy machine must not fail a
    correct answer.  Without control groups, the plain absolute deadline."""

    def __init__(self, seconds: float, group=None):
        super().__init__(seconds)
        self.base, self.group, self.granted = self.at, group, 0.0
        self.most = seconds

    def left(self) -> float:
        left = super().left()
        if left <= 0 and self.group is not None and self.granted < self.most:
            grant = min(self.group.waited(), self.most)
            if grant > self.granted + 0.01:
                self.granted = grant
                self.at = self.base + grant
                left = super().left()
        return left


class Pool:
    """A zygote process: imports torch once, forks one child per submission."""

    def __init__(self, limits: Limits | None = None, sandbox: SandboxConfig | None = None,
                 announce: bool = True, many: bool = False, packages: tuple | None = None):
        self.limits = limits or Limits()
        self.sandbox = sandbox or SandboxConfig()
        self.launcher = choose(self.sandbox)  # how the zygote starts, what its submissions get
        # the only packages its submissions may use (NumPy always: the protocol's
        # arrays); None: everything installed, torch warm in the zygote
        self.packages = None if packages is None else tuple(sorted({"numpy", *packages}))
        self.view = file_view(self.packages)
        self.cgroups = None
        self.siblings: dict = {}  # packages -> the pool of questions restricted to them
        self.announce = announce  # say it when there is no bubblewrap (once per process)
        # a whole class, not one notebook: worth the zygote's time to make each fork cheaper
        self.many = many
        self.proc = None
        self.control = None
        self.ready = False
        self.root = False
        self.owner = os.getpid()  # the process that launched the zygote (its parent)
        self.shared = False       # submissions of several processes at once (see share)
        self.spare = None         # (ordering pid, shared, socket, groups): the next child, ordered ahead

    def launch(self):
        """Start the zygote without waiting: its torch import overlaps ours."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.launcher.before_start()
        cmd, env = self.launcher.command(theirs.fileno(), self.many, self.packages)
        try:
            self.proc = subprocess.Popen(cmd, pass_fds=[theirs.fileno()], env=env or None,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise PoolError(f"could not start the worker: {exc}") from None
        theirs.close()
        self.control = ours
        self.ready = False
        self.owner = os.getpid()
        if self.cgroups is None:
            self.cgroups = Cgroups.open()  # None where the machine gives us none
        return self

    def wait_ready(self):
        """Read, once, the zygote's word that it has started and what it can
        enforce (processes forked after this inherit it).  A launcher whose
        worker does not start gives way to the next one that may (``auto``),
        which says why in its one line; raises PoolError when none is left."""
        if self.ready:
            return
        while True:
            try:
                self._wait_ready_once()
            except PoolError as exc:
                following = next_after(self.launcher, self.sandbox, str(exc))
                if following is None:
                    raise PoolError(f"no sandbox could start the worker ({self.launcher.name}: "
                                    f"{_last_line(str(exc))})") from None
                self.launcher = following
                self.launch()
                continue
            if self.announce:
                warn_if_unsandboxed(self.sandbox, self.launcher)
            return

    def _wait_ready_once(self):
        self.control.settimeout(START_TIMEOUT)
        try:
            ready = json.loads(self.control.recv(1 << 16) or b"{}")
        except (TimeoutError, OSError, ValueError):
            ready = {}
        if "ready" not in ready:
            proc = self.proc
            self.close()
            err = proc.stderr.read().decode(errors="replace")[-2000:].strip()
            status = f" (exit status {proc.returncode})" if proc.returncode is not None else ""
            raise PoolError(f"the worker did not start{status}" + (f":\n{err}" if err else ""))
        self.proc.stderr.close()  # nothing more is read from it; never let it fill up
        if ready.get("root") and not ready.get("can_drop_root"):
            self.close()  # fail closed: student code never runs as root
            raise PoolError("the worker runs as root but cannot switch to an unprivileged uid "
                            "(no CAP_SETUID/CAP_SETGID); refusing to run student code as root.")
        if self.launcher.namespaces and ready.get("confine_error"):
            self.close()  # every submission would fail the same way: say so once
            raise PoolError(f"the sandbox cannot confine a submission ({str(ready['confine_error'])[:300]}): "
                            "rnnquiz, as root, gives each one its own PID, mount, IPC, network and UTS "
                            "namespaces, which this machine refused.")
        self.root = bool(ready.get("root"))
        self.ready = True

    def for_packages(self, packages) -> Pool:
        """The pool whose submissions find only ``packages`` (and NumPy)
        installed, from a zygote that never imported anything else; launched on
        first use (``prepare`` launches them ahead), closed with this one."""
        key = tuple(sorted({"numpy", *packages}))
        if self.packages == key:
            return self
        if key not in self.siblings:
            sibling = Pool(self.limits, self.sandbox, announce=False, many=self.many, packages=key)
            self.siblings[key] = sibling.launch()
            if self.shared:
                sibling.share()
        return self.siblings[key]

    def prepare(self, package_sets):
        """Launch, now, the pools of these restricted questions (their start-up
        overlaps the caller's; processes forked after ``share`` use them too)."""
        for packages in package_sets:
            self.for_packages(packages)
        return self

    def share(self):
        """Make the pool usable by the processes forked after this call, at the
        same time: it waits for the zygote here, once, and from now on each
        submission gets a network namespace of its own (the sandbox's belongs to
        the pool, and two submissions may now run in it at once: loopback and
        abstract sockets would connect them)."""
        self.wait_ready()
        self.shared = True
        for sibling in self.siblings.values():
            sibling.share()
        return self

    def alive(self) -> bool:
        if self.proc is None or self.control is None:
            return False
        if self.owner == os.getpid():
            return self.proc.poll() is None
        # inherited through fork: the zygote is not our child; it is gone when
        # its end of the control socket is (it never writes there once ready)
        return not select.select([self.control], [], [], 0)[0]

    def spawn(self) -> Connection:
        """A fresh child for one submission; restarts the zygote if a student killed it.

        In a class run (``many``) the next submission's child is ordered as
        soon as this one is handed out: it is forked, confined and in its
        control groups (joining one waits for a kernel grace period; the
        benchmarks page of the documentation says how long) while this submission is graded."""
        connection = self._take_spare()
        for _attempt in range(2):
            if connection is not None:
                break
            if not self.alive():
                self.close()
                self.launch()
            self.wait_ready()
            ordered = self._order()
            if ordered is None:
                self.close()
                continue
            connection = self._receive(*ordered)
            if connection is None and not self.alive():  # a zygote that could not fork this once is asked again
                self.close()
        if connection is None:
            raise PoolError("the worker pool could not fork a student process")
        if self.many and self.launcher.ahead:
            ordered = self._order()
            self.spare = (os.getpid(), self.shared, *ordered) if ordered else None
        return connection

    def _order(self):
        """Ask the zygote for a child: (our end of its socket, its groups), or None."""
        group = self._group()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = {"op": Op.FORK, "limits": self.limits.rlimits(),
                   **self.launcher.submission(self.root, self.shared),
                   # a memory control group counts everything (kernel memory too);
                   # without one the zygote adds up what the processes map
                   "memory_budget": None if group else self.limits.memory_budget,
                   "tmp_bytes": self.limits.file_bytes * 4, "view": self.view}
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()],
                            [theirs.fileno(), *(group.fds if group else [])])
        except OSError:
            ours.close()
            self._end(group)
            return None
        finally:
            theirs.close()
            if group:
                group.close_fds()
        return ours, group

    def _receive(self, ours, group):
        """The child's hello, as a connection; None when it never came."""
        try:
            hello = wire.recv(ours, 4096, wire.Deadline(START_TIMEOUT))
            return Connection(self, ours, int(hello["hello"]), int(hello["server"]), group)
        except (OSError, EOFError, wire.WireError, KeyError, ValueError, TypeError):
            ours.close()
            self._end(group)
            return None

    def _take_spare(self):
        """The child ordered ahead, if this process ordered it under the same
        settings and its zygote still runs; else None (and it is let go)."""
        spare, self.spare = self.spare, None
        if spare is None:
            return None
        owner, shared, ours, group = spare
        if owner == os.getpid() and shared == self.shared and self.alive():
            return self._receive(ours, group)
        self._let_go(spare)
        return None

    def _let_go(self, spare):
        """A child ordered ahead that nobody will use: it exits when its socket
        closes (it waits for a request), and its groups kill whatever is left.
        One inherited from the process we were forked from is that process's
        to end: only our copy of its socket is closed."""
        owner, _shared, ours, group = spare
        ours.close()
        if owner == os.getpid():
            self._end(group)

    def _group(self):
        """A submission's control groups (equal CPU share, its memory budget
        counting kernel memory, its task limit), or None without them."""
        if self.cgroups is None:
            return None
        try:
            return self.cgroups.new(self.limits.memory_budget, self.limits.processes)
        except OSError:
            return None

    def _end(self, group):
        if group is not None and self.cgroups is not None:
            self.cgroups.end(group)

    def kill(self, number: int, group=None):
        """End the submission the zygote numbered ``number`` (its hello said so)."""
        if self.control is not None and self.alive():
            try:
                self.control.send(json.dumps({"op": Op.KILL, "submission": number}).encode())
            except OSError:
                pass
        self._end(group)  # whatever is still in its groups is killed there too

    def close(self):
        if self.spare is not None:
            spare, self.spare = self.spare, None
            self._let_go(spare)
        for sibling in self.siblings.values():
            sibling.close()
        if self.owner == os.getpid():
            self.siblings = {}
        if self.control is not None:
            try:
                self.control.close()  # the zygote exits when its control socket closes
            except OSError:
                pass
            self.control = None
        if self.proc is not None and self.owner != os.getpid():
            self.proc = None  # inherited: the launching process waits for the zygote
            self._close_groups()
            return
        if self.proc is not None and not self.ready and self.proc.poll() is None:
            # still starting (a run that stopped early): nothing to wait for
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            # bubblewrap's own helper outlives it briefly: handed to us, reaped here
            helpers = self.launcher.helpers(self.proc)
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)
                except (ProcessLookupError, PermissionError):
                    self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.launcher.reap(helpers)
        self._close_groups()

    # what a class run asks of its pool (the launcher stays the pool's business)
    @property
    def protections(self) -> str:
        """The one line that says which sandbox confines the submissions, and why not a better one."""
        return self.launcher.describe()

    @property
    def separates(self) -> bool:
        """Whether submissions of several grading processes may share this zygote."""
        return self.launcher.separates

    @property
    def leaves_course_in_sight(self) -> bool:
        """Whether each submission would see what the grader's user sees (no namespaces, no Landlock)."""
        return leaves_course_in_sight(self.launcher)

    def reap(self):
        """Collect the sandboxes' helpers that grading processes left to this one."""
        self.launcher.reap()

    def _close_groups(self):
        """This process's submissions' control groups; the run's own go with
        the process that made them (once the zygote and its helpers are reaped)."""
        if self.cgroups is not None:
            self.cgroups.close()
            if self.cgroups.owner == os.getpid():
                self.cgroups = None

    def __enter__(self):
        return self if self.proc is not None else self.launch()

    def __exit__(self, *exc):
        self.close()


