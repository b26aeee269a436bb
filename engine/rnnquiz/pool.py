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

from .sandbox import (
    Limits,
    SandboxConfig,
    adopt_orphans,
    children_of,
    hidden_without_bwrap,
    reap_orphans,
    worker_command,
)
from .sandboxed import wire
from .sandboxed.wire import Op

START_TIMEOUT = 60.0


class PoolError(RuntimeError):
    """The worker pool itself could not start (not the student's fault)."""


class WorkerLost(Exception):
    def __init__(self, kind: str, reason: str = ""):
        super().__init__(reason or kind)
        self.kind = kind  # timeout | crashed | garbage


class Connection:
    """The grader's end of one submission's connection.

    ``number`` is the zygote's name for the submission (never reused: the
    zygote ends the submission by it); ``server`` is the pid that must sign
    every reply (1 inside the submission's own PID namespace).
    """

    def __init__(self, pool: Pool, sock: socket.socket, number: int, server: int):
        self.pool, self.sock, self.number, self.server = pool, sock, number, server
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
        deadline = wire.Deadline(seconds)
        with self._lost_on_failure():
            size, pid, msg_id = wire.recv_header(self.sock, deadline)
            if pid != self.server or msg_id != self.next_id:
                # a process the student forked, or an answer to an earlier request:
                # refused before a byte of its body is read
                self.kill()
                raise WorkerLost("stale")
            return wire.recv_body(self.sock, size, wire.MAX_REPLY, deadline)

    @contextlib.contextmanager
    def _lost_on_failure(self):
        try:
            yield
        except TimeoutError:
            self.kill()
            raise WorkerLost("timeout") from None
        except (EOFError, ConnectionError, OSError):
            self.kill()
            raise WorkerLost("crashed") from None
        except wire.WireError as exc:
            self.kill()
            raise WorkerLost("garbage", str(exc)) from None

    def kill(self):
        if self.alive:
            self.alive = False
            self.pool.kill(self.number)
            try:
                self.sock.close()
            except OSError:
                pass


class Pool:
    """A zygote process: imports torch once, forks one child per submission."""

    def __init__(self, limits: Limits | None = None, sandbox: SandboxConfig | None = None,
                 announce: bool = True, many: bool = False):
        self.limits = limits or Limits()
        self.sandbox = sandbox or SandboxConfig()
        self.announce = announce  # say it when there is no bubblewrap (once per process)
        # a whole class, not one notebook: worth the zygote's 0.3 s to make each fork cheaper
        self.many = many
        self.proc = None
        self.control = None
        self.ready = False
        self.root = self.confined = False
        self.owner = os.getpid()  # the process that launched the zygote (its parent)
        self.shared = False       # submissions of several processes at once (see share)

    def launch(self):
        """Start the zygote without waiting: its torch import overlaps ours."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        adopt_orphans()
        cmd, env = worker_command(theirs.fileno(), self.sandbox, self.announce, self.many)
        # inside bubblewrap the Python files are readable by nobody; outside, /root may not be
        self.sandboxed = os.path.basename(cmd[0]) == "bwrap"
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
        return self

    def wait_ready(self):
        """Read, once, the zygote's word that it has started and what it can
        enforce (processes forked after this inherit it); raises PoolError."""
        if self.ready:
            return
        self.control.settimeout(START_TIMEOUT)
        try:
            ready = json.loads(self.control.recv(1 << 16) or b"{}")
        except (TimeoutError, OSError, ValueError):
            ready = {}
        if "ready" not in ready:
            proc = self.proc
            self.close()
            err = proc.stderr.read().decode(errors="replace")[-2000:].strip()
            raise PoolError("the worker did not start" + (f":\n{err}" if err else ""))
        self.proc.stderr.close()  # nothing more is read from it; never let it fill up
        if ready.get("root") and not ready.get("can_drop_root"):
            self.close()  # fail closed: student code never runs as root
            raise PoolError("the worker runs as root but cannot switch to an unprivileged uid "
                            "(no CAP_SETUID/CAP_SETGID); refusing to run student code as root.")
        if ready.get("confine_error"):
            self.close()  # every submission would fail the same way: say so once
            raise PoolError(f"the sandbox cannot confine a submission ({str(ready['confine_error'])[:300]}): "
                            "rnnquiz, as root, gives each one its own PID, mount, IPC, network and UTS "
                            "namespaces, which this machine refused.")
        self.root, self.confined = bool(ready.get("root")), bool(ready.get("can_confine"))
        self.ready = True

    def share(self):
        """Make the pool usable by the processes forked after this call, at the
        same time: it waits for the zygote here, once, and from now on each
        submission gets a network namespace of its own (the sandbox's belongs to
        the pool, and two submissions may now run in it at once: loopback and
        abstract sockets would connect them)."""
        self.wait_ready()
        self.shared = True
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
        """A fresh child for one submission; restarts the zygote if a student killed it."""
        for _attempt in range(2):
            if not self.alive():
                self.close()
                self.launch()
            self.wait_ready()
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            request = {"op": Op.FORK, "limits": self.limits.rlimits(), "drop_privileges": self.root,
                       "confine": self.confined, "own_network": self.shared or not self.sandboxed,
                       "memory_budget": self.limits.memory_budget,
                       "tmp_bytes": self.limits.file_bytes * 4,
                       "hide": [] if self.sandboxed else hidden_without_bwrap(self.sandbox)}
            try:
                socket.send_fds(self.control, [json.dumps(request).encode()], [theirs.fileno()])
            except OSError:
                ours.close()
                theirs.close()
                self.close()
                continue
            theirs.close()
            try:
                hello = wire.recv(ours, 4096, wire.Deadline(START_TIMEOUT))
                return Connection(self, ours, int(hello["hello"]), int(hello["server"]))
            except (OSError, EOFError, wire.WireError, KeyError, ValueError, TypeError):
                ours.close()
                if not self.alive():  # a zygote that could not fork this once is asked again
                    self.close()
        raise PoolError("the worker pool could not fork a student process")

    def kill(self, number: int):
        """End the submission the zygote numbered ``number`` (its hello said so)."""
        if self.control is not None and self.alive():
            try:
                self.control.send(json.dumps({"op": Op.KILL, "submission": number}).encode())
            except OSError:
                pass

    def close(self):
        if self.control is not None:
            try:
                self.control.close()  # the zygote exits when its control socket closes
            except OSError:
                pass
            self.control = None
        if self.proc is not None and self.owner != os.getpid():
            self.proc = None  # inherited: the launching process waits for the zygote
            return
        if self.proc is not None and not self.ready and self.proc.poll() is None:
            # still starting (a run that stopped early): nothing to wait for
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            # bubblewrap's own helper outlives it briefly: handed to us, reaped here
            helpers = children_of(self.proc.pid)
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)
                except (ProcessLookupError, PermissionError):
                    self.proc.kill()
                self.proc.wait()
            self.proc = None
            reap_orphans(helpers)

    def __enter__(self):
        return self if self.proc is not None else self.launch()

    def __exit__(self, *exc):
        self.close()


