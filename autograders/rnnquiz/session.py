"""The grader's handle on student code running in worker processes.

``Pool`` owns one zygote (torch imported once); ``StudentRunner`` owns the
process serving one submission, replaces it when it dies or hangs, and turns
every failure into a ``StudentError`` that a grader reports, never a crash of
the grading process.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass, field

from . import wire
from .sandbox import (Limits, SandboxConfig, adopt_orphans, children_of, hidden_without_bwrap,
                      reap_orphans, worker_command)

START_TIMEOUT = 60.0


class PoolError(RuntimeError):
    """The worker pool itself could not start (not the student's fault)."""


class StudentError(Exception):
    """Calling into the student's code did not give a value.

    kind: missing | not_implemented | raised | timeout | crashed | garbage | deadline
    """

    def __init__(self, kind: str, name: str = "", detail: dict | None = None):
        super().__init__(f"{kind}: {name}")
        self.kind, self.name, self.detail = kind, name, detail or {}


class WorkerLost(Exception):
    def __init__(self, kind: str, reason: str = ""):
        super().__init__(reason or kind)
        self.kind = kind  # timeout | crashed | garbage


class Worker:
    """The grader's end of one submission's connection.

    ``pid`` is the submission's guard (killing its process group ends the
    submission); ``server`` is the pid that must sign every reply.
    """

    def __init__(self, pool: "Pool", sock: socket.socket, pid: int, server: int):
        self.pool, self.sock, self.pid, self.server = pool, sock, pid, server
        self.alive = True
        self.next_id = 0

    def request(self, message: dict, seconds: float) -> dict:
        """Send one request and read its reply, all within ``seconds`` (absolute:
        a reply trickled a byte at a time cannot stretch it)."""
        if not self.alive:
            raise WorkerLost("crashed")
        self.next_id += 1
        deadline = wire.Deadline(seconds)
        try:
            self.sock.settimeout(max(deadline.left(), 0.001))
            wire.send(self.sock, message, 0, self.next_id)
            size, pid, msg_id = wire.recv_header(self.sock, deadline)
            if pid != self.server or msg_id != self.next_id:
                # a process the student forked, or an answer to an earlier request:
                # refused before a byte of its body is read
                self.kill()
                raise WorkerLost("stale")
            return wire.recv_body(self.sock, size, wire.MAX_REPLY, deadline)
        except (socket.timeout, TimeoutError):
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
            self.pool.kill(self.pid)
            try:
                self.sock.close()
            except OSError:
                pass


class Pool:
    """A zygote process: imports torch once, forks one child per submission."""

    def __init__(self, limits: Limits | None = None, sandbox: SandboxConfig | None = None):
        self.limits = limits or Limits()
        self.sandbox = sandbox or SandboxConfig()
        self.proc = None
        self.control = None
        self.ready = False
        self.root = self.confined = False

    def launch(self):
        """Start the zygote without waiting: its torch import overlaps ours."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        adopt_orphans()
        cmd, env = worker_command(theirs.fileno(), self.sandbox)
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
        return self

    def _wait_ready(self):
        if self.ready:
            return
        self.control.settimeout(START_TIMEOUT)
        try:
            ready = json.loads(self.control.recv(1 << 16) or b"{}")
        except (socket.timeout, OSError, ValueError):
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
        self.root, self.confined = bool(ready.get("root")), bool(ready.get("can_confine"))
        self.ready = True

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> Worker:
        """A fresh child for one submission; restarts the zygote if a student killed it."""
        for attempt in range(2):
            if not self.alive():
                self.close()
                self.launch()
            self._wait_ready()
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            request = {"op": "fork", "limits": self.limits.rlimits(), "drop_privileges": self.root,
                       "confine": self.confined, "own_network": not self.sandboxed,
                       "memory_budget": self.limits.memory_budget,
                       "tmp_bytes": self.limits.file_bytes * 4,
                       "hide": [] if self.sandboxed else hidden_without_bwrap(self.sandbox)}
            try:
                socket.send_fds(self.control, [json.dumps(request).encode()], [theirs.fileno()])
            except OSError:
                ours.close(); theirs.close()
                self.close()
                continue
            theirs.close()
            try:
                hello = wire.recv(ours, 4096, wire.Deadline(START_TIMEOUT))
                return Worker(self, ours, int(hello["hello"]), int(hello["server"]))
            except (OSError, EOFError, wire.WireError, KeyError, ValueError, TypeError):
                ours.close()
                self.close()
        raise PoolError("the worker pool could not fork a student process")

    def kill(self, pid: int):
        if self.control is not None and self.alive():
            try:
                self.control.send(json.dumps({"op": "kill", "pid": pid}).encode())
            except OSError:
                pass

    def close(self):
        if self.control is not None:
            try:
                self.control.close()  # the zygote exits when its control socket closes
            except OSError:
                pass
            self.control = None
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


@dataclass
class CellOutcome:
    index: int           # position among the notebook's cells
    grade_id: str | None
    error: dict | None = None  # {"type", "message", "trace"} or a lost-worker kind


@dataclass
class StudentRunner:
    """The student's notebook, loaded in a worker, answering calls.

    Cells that kill or hang the worker are skipped when it is replaced, so one
    bad cell or function costs only what depends on it.
    """
    pool: Pool
    cells: list  # [(index, grade_id, source)]
    limits: Limits = field(default_factory=Limits)
    worker: Worker | None = None
    outcomes: list = field(default_factory=list)
    broken: dict = field(default_factory=dict)   # function name -> StudentError
    bad_cells: set = field(default_factory=set)
    started: float = 0.0
    replacements: int = 0

    def _deadline_left(self) -> float:
        return self.limits.submission_timeout - (time.monotonic() - self.started)

    def _ensure_worker(self):
        """A live worker with every good cell executed, replaying after a loss."""
        if self.worker is not None and self.worker.alive:
            return
        if not self.started:
            self.started = time.monotonic()
        else:
            self.replacements += 1
        while True:
            self.worker = self.pool.spawn()
            for index, grade_id, source in self.cells:
                if index in self.bad_cells or self._deadline_left() <= 0:
                    continue
                timeout = min(self.limits.call_timeout, max(self._deadline_left(), 0.1))
                try:
                    reply = self.worker.request({"op": "exec", "index": index, "source": source}, timeout)
                    error = reply.get("error")
                except WorkerLost as lost:
                    # this cell hangs or ends the process: skip it from now on
                    self.bad_cells.add(index)
                    self._record(index, grade_id, {"type": lost.kind, "message": "", "trace": ""})
                    break
                self._record(index, grade_id, _clean_error(error) if type(error) is dict else None)
            else:
                return

    def _record(self, index, grade_id, error):
        if all(o.index != index for o in self.outcomes):
            self.outcomes.append(CellOutcome(index, grade_id, error))

    def start(self):
        self._ensure_worker()
        return self

    def call(self, name: str, *args, return_modules: bool = False, **kwargs):
        """Call the student's function; returns decoded data or raises StudentError."""
        if name in self.broken:
            raise self.broken[name]
        if self._deadline_left() <= 0:
            raise StudentError("deadline", name, {"seconds": self.limits.submission_timeout})
        self._ensure_worker()
        message = call_message(name, args, kwargs, return_modules)
        return interpret_call(name, self._request(name, message), return_modules)

    def get(self, name: str):
        """The value of a top-level variable (quiz answers)."""
        self._ensure_worker()
        return interpret_call(name, self._request(name, {"op": "get", "name": name}))

    def _request(self, name: str, message: dict) -> dict:
        timeout = min(self.limits.call_timeout, max(self._deadline_left(), 0.1))
        try:
            try:
                return self.worker.request(message, timeout)
            except WorkerLost as lost:
                if lost.kind != "stale":
                    raise
                # leftovers of an earlier call (forked processes): a clean process, once more
                self._ensure_worker()
                return self.worker.request(message, timeout)
        except WorkerLost as lost:
            error = StudentError(lost.kind, name, {"seconds": timeout, "message": str(lost)})
            self.broken[name] = error  # do not pay the timeout again for this function
            raise error from None

    def close(self):
        if self.worker is not None:
            try:
                if self.worker.alive:
                    wire.send(self.worker.sock, {"op": "bye"})
            except OSError:
                pass
            self.worker.kill()
            self.worker = None


def interpret_call(name: str, reply: dict, return_modules: bool = False):
    """A worker's reply to a call as data, or the StudentError it amounts to."""
    if reply.get("missing"):
        raise StudentError("missing", name)
    if "error" in reply:
        error = reply["error"] if type(reply["error"]) is dict else {}
        kind = "not_implemented" if error.get("type") == "NotImplementedError" else "raised"
        raise StudentError(kind, name, _clean_error(error))
    try:
        value = wire.decode(reply.get("value"))
        modules = [wire.decode(m) for m in reply.get("modules", [])] if return_modules else None
    except (wire.WireError, ValueError, TypeError, RecursionError) as exc:
        raise StudentError("garbage", name, {"message": str(exc)[:200]}) from None
    return (value, modules) if return_modules else value


def call_message(name: str, args, kwargs, return_modules: bool) -> dict:
    return {"op": "call", "name": name, "args": wire.encode(list(args)),
            "kwargs": wire.encode(dict(kwargs)), "return_modules": return_modules}


def _clean_error(error: dict) -> dict:
    return {k: str(error.get(k, ""))[:1500] for k in ("type", "message", "trace")}
