"""Plain worker processes: the student's self-check, on any operating system.

A self-check runs on the student's own computer (Linux, macOS, Windows, a
notebook server): a sandbox there protects nothing from the student, and one
that fails to start would leave them with no check at all.  What it needs is
a separate process with a time limit, so that an endless loop or a crash in
the student's code ends that process and not the check.  So: one process per
submission, started the way every OS starts one (``subprocess``, never
``fork``), talking over a loopback socket that only a process holding the
token may use, and killed when its time is up.  Nothing here imports a
POSIX-only module.

``PlainPool`` offers what the grading session uses of ``Pool`` (``spawn``,
``for_packages``, ``prepare``, ``kill``, ``close``); ``Connection`` is the
same as the sandbox's.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import START_TIMEOUT, Connection, PoolError
from rnnquiz.isolation.view import package_entries
from rnnquiz.sandboxed import wire

# a notebook's tensors are small: one thread, and none spinning beside the checks' own computations
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
WORKER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sandboxed", "worker.py")


class Plain:
    """What ``PlainPool`` guarantees, said as the launchers say it."""
    name = "process"
    protections = ("a separate process per notebook with a time limit per call; no sandbox (a self-check "
                   "protects nothing from its own student)")

    def describe(self) -> str:
        return f"rnnquiz sandbox: {self.name} ({self.protections})"


class _Started:
    """A worker process on its way up: its process, listening socket, token and folder."""

    def __init__(self, proc, listener, token: str, folder: str):
        self.proc, self.listener, self.token, self.folder = proc, listener, token, folder


class PlainPool:
    launcher = Plain()
    cgroups = None

    def __init__(self, limits: Limits | None = None, packages: tuple | None = None):
        self.limits = limits or Limits()
        self.packages = None if packages is None else tuple(sorted({"numpy", *packages}))
        self.siblings: dict = {}
        self.ahead: _Started | None = None  # started before it is asked for: its imports overlap ours
        self.live: dict = {}  # number -> _Started
        self.number = 0

    def launch(self):
        if self.ahead is None:
            self.ahead = self._start()
        return self

    def _start(self) -> _Started:
        listener = socket.create_server(("127.0.0.1", 0))
        token = secrets.token_hex(16)
        folder = tempfile.mkdtemp(prefix="rnnquiz-check-")  # the notebook's working folder, removed after
        setup = {"port": listener.getsockname()[1], "token": token,
                 "only": list(self.packages) if self.packages is not None else None,
                 "restrict": package_entries(self.packages) if self.packages is not None else None}
        try:
            # the student's own Python, as it is (their packages may be in a user site)
            proc = subprocess.Popen([sys.executable, WORKER, "--plain"], cwd=folder, stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                                    env={**os.environ, **ONE_THREAD})
            proc.stdin.write((json.dumps(setup) + "\n").encode())
            proc.stdin.close()
        except OSError as exc:
            listener.close()
            shutil.rmtree(folder, ignore_errors=True)
            raise PoolError(f"could not start the worker: {exc}") from None
        return _Started(proc, listener, token, folder)

    def spawn(self) -> Connection:
        """A fresh process for one submission (the one started ahead, if any)."""
        started, self.ahead = self.ahead or self._start(), None
        sock = self._accept(started)
        try:
            hello = wire.recv(sock, 4096, wire.Deadline(START_TIMEOUT))
            server = int(hello["hello"]) and int(hello["server"])
        except (OSError, EOFError, wire.WireError, KeyError, ValueError, TypeError):
            sock.close()
            self._end(started)
            raise PoolError("the worker did not say hello") from None
        self.number += 1
        self.live[self.number] = started
        return Connection(self, sock, self.number, server)

    def _accept(self, started: _Started) -> socket.socket:
        """The started process's call back, once it proves it holds the token."""
        end = time.monotonic() + START_TIMEOUT
        started.listener.settimeout(0.2)
        while time.monotonic() < end:
            if started.proc.poll() is not None:
                break
            try:
                sock, _addr = started.listener.accept()
            except TimeoutError:
                continue
            sock.settimeout(5)
            try:
                said = sock.recv(len(started.token), socket.MSG_WAITALL) if hasattr(socket, "MSG_WAITALL") \
                    else sock.recv(len(started.token))
            except OSError:
                said = b""
            if said == started.token.encode():
                started.listener.close()
                return sock
            sock.close()  # another local process found the port: not ours
        err = self._stderr(started)
        code = started.proc.returncode
        self._end(started)
        why = [f"exit status {code}"] if code is not None else [f"no call back within {START_TIMEOUT:.0f} s"]
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        raise PoolError(f"the worker did not start ({'; '.join(why + lines[-1:])}); rnnquiz check needs this "
                        f"Python ({sys.executable}) to import numpy and torch")

    @staticmethod
    def _stderr(started: _Started) -> str:
        if started.proc.poll() is None:
            return ""
        try:
            return started.proc.stderr.read().decode(errors="replace")[-2000:].strip()
        except (OSError, ValueError):
            return ""

    def for_packages(self, packages) -> PlainPool:
        key = tuple(sorted({"numpy", *packages}))
        if self.packages == key:
            return self
        if key not in self.siblings:
            self.siblings[key] = PlainPool(self.limits, key).launch()
        return self.siblings[key]

    def prepare(self, package_sets):
        for packages in package_sets:
            self.for_packages(packages)
        return self

    def kill(self, number: int, group=None):
        started = self.live.pop(number, None)
        if started is not None:
            self._end(started)

    @staticmethod
    def _end(started: _Started):
        proc = started.proc
        if proc.poll() is None:
            killpg = getattr(os, "killpg", None)  # POSIX: what the student started goes too
            if killpg is not None:
                try:
                    killpg(proc.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                except OSError:
                    pass
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stderr, started.listener):
            try:
                stream.close()
            except (OSError, AttributeError):
                pass
        shutil.rmtree(started.folder, ignore_errors=True)

    def close(self):
        for sibling in self.siblings.values():
            sibling.close()
        self.siblings = {}
        for number in list(self.live):
            self.kill(number)
        if self.ahead is not None:
            started, self.ahead = self.ahead, None
            self._end(started)

    def __enter__(self):
        return self.launch()

    def __exit__(self, *exc):
        self.close()
