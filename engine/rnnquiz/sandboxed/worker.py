"""The untrusted side: runs a student's notebook code and answers calls.

Started (inside the sandbox when there is one) as::

    python -I worker.py FD [--many] [--only numpy,...]

or, on a student's own computer (any OS: no fork, no POSIX-only module), as
one plain process that serves one submission (see ``plain_main``)::

    python worker.py --plain

(``--many``: the zygote will serve a whole class; see ``in_huge_pages``.
``--only``: it imports those packages and not torch, for the questions that
may use only them; their submissions find no other package installed.)

FD is a Unix socket to the grader.  The process imports NumPy and torch once
(the "zygote") and then, for every submission, receives a fresh socket over
FD and forks a child that serves only that submission.  A child never sees
the zygote's socket, other submissions, the graders or any reference value:
it gets inputs and returns outputs, as data (see ``wire.py``).

Only the standard library, NumPy and torch may be imported here: the files of
``rnnquiz/sandboxed`` (this one, ``wire.py``, ``confine.py``, ``landlock.py``) are the only
rnnquiz files visible inside the sandbox.
"""
from __future__ import annotations

import gc
import io
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass

try:
    import resource  # POSIX only: the zygote's children (imported before a view hides the standard library's files)
except ImportError:  # Windows: only a plain worker runs there, and it sets no rlimit
    resource = None

try:
    from . import confine, landlock, wire  # imported from the rnnquiz package (the in-kernel grader)
except ImportError:  # run as a script in the sandbox, where only the worker files exist
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import confine
    import landlock
    import wire

OUTPUT_LIMIT = 64 * 1024  # characters of student output kept per child


class BoundedSink(io.TextIOBase):
    """stdout/stderr for student code: keeps the first bytes, drops the rest."""

    def __init__(self):
        self.kept = []
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < OUTPUT_LIMIT:
            self.kept.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass


def strip_magics(source: str) -> str:
    """IPython-only lines (%magic, !shell) become no-ops; %%cell magics skip the cell."""
    if source.lstrip().startswith("%%"):
        return ""
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass  # " + stripped
        out.append(line)
    return "\n".join(out)


def _text(exc: BaseException, limit: int = 300) -> str:
    """An exception's message, even when its ``__str__`` raises (student code)."""
    try:
        return str(exc)[:limit]
    except Exception:
        return f"<{type(exc).__name__} whose message could not be read>"


def describe_error(exc: BaseException, filename_prefix: str = "<cell") -> dict:
    """The exception as data, with only the student's own frames in the trace."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(filename_prefix)]
    lines = traceback.format_list(frames[-3:])
    message = _text(exc, 500) if not isinstance(exc, SyntaxError) else f"{exc.msg} (line {exc.lineno})"
    return {"type": type(exc).__name__, "message": str(message)[:500],
            "trace": "".join(lines)[-1500:]}


# --- torch's stand-in where a question may use NumPy only --------------------------
# Such a worker has no torch installed.  Importing torch must still cost nothing
# (an import cell written torch first, an unused import above the function):
# the rule is about computing with it.  ``import torch`` and any ``torch.x``
# name then give stand-ins; using one (calling it, arithmetic, indexing,
# subclassing...) raises ``TorchUnavailable`` and is recorded, so a call that
# used torch fails even when the use was in a thread or its error was caught.

TORCH_USES: list = []  # names of the stand-ins used, in this process


class TorchUnavailable(RuntimeError):
    pass


def _use(self, *_args, **_kwargs):
    name = object.__getattribute__(self, "_name")
    TORCH_USES.append(name)
    raise TorchUnavailable(f"{name}: PyTorch is not available to this question (it must compute with NumPy only)")


class AbsentTorchName:
    """``torch.something`` where torch is absent: free to name, an error to use."""
    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)  # protocol probes (NumPy's __array__...): not there
        return AbsentTorchName(f"{object.__getattribute__(self, '_name')}.{attr}")

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_name')}: PyTorch is not available here>"

    def __instancecheck__(self, obj):  # isinstance(x, torch.Tensor): nothing here is a tensor
        return False

    def __subclasscheck__(self, cls):
        return False


for _dunder in ("call", "setattr", "delattr", "getitem", "setitem", "delitem", "iter", "len", "contains",
                "bool", "int", "float", "complex", "index", "enter", "exit", "mro_entries", "neg", "pos",
                "abs", "invert", "lt", "le", "gt", "ge", "add", "radd", "sub", "rsub", "mul", "rmul",
                "matmul", "rmatmul", "truediv", "rtruediv", "floordiv", "rfloordiv", "mod", "rmod",
                "pow", "rpow", "and", "rand", "or", "ror", "xor", "rxor", "lshift", "rshift"):
    setattr(AbsentTorchName, f"__{_dunder}__", _use)


class AbsentTorchModule(type(sys)):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return AbsentTorchName(f"{self.__name__}.{attr}")


class AbsentTorchFinder:
    """Answers ``import torch`` and ``import torch.x`` with stand-in modules."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            import importlib.machinery
            return importlib.machinery.ModuleSpec(name, AbsentTorchFinder, is_package=True)
        return None

    @staticmethod
    def create_module(spec):
        return AbsentTorchModule(spec.name)

    @staticmethod
    def exec_module(module):
        pass

    @staticmethod
    def invalidate_caches():
        pass


def stand_in_for_torch():
    sys.meta_path.insert(0, AbsentTorchFinder)


class Child:
    """Serves one submission over one socket."""

    def __init__(self, sock: socket.socket | None, torch, namespace: dict | None = None):
        self.sock = sock
        self.torch = torch
        self.namespace = namespace if namespace is not None else {
            "__name__": "__main__", "__builtins__": __builtins__}
        self.sink = BoundedSink()

    def serve(self):
        while True:
            try:
                size, _pid, msg_id = wire.recv_header(self.sock)
                msg = wire.recv_body(self.sock, size, wire.MAX_REQUEST)
            except (EOFError, OSError, wire.WireError):
                return
            op = msg.get("op")
            if op == wire.Op.BYE:
                return
            if op == wire.Op.RUN:  # one reply per cell, as each one ends
                try:
                    for reply in self.op_run(msg):
                        self.reply(reply, msg_id)
                except Exception as exc:  # a malformed request or an unprintable error: answer, do not die
                    self.reply({"error": {"type": "WorkerError", "message": _text(exc), "trace": ""}}, msg_id)
                continue
            handler = getattr(self, "op_" + str(op), None) if op in (wire.Op.CALL, wire.Op.GET) else None
            if handler is None:
                reply = {"error": {"type": "ProtocolError", "message": f"unknown op {op!r}", "trace": ""}}
            else:
                try:
                    reply = handler(msg)
                except Exception as exc:  # a malformed request: answer, do not die
                    reply = {"error": {"type": "WorkerError", "message": _text(exc), "trace": ""}}
            self.reply(reply, msg_id)

    def reply(self, reply: dict, msg_id: int):
        # who answers, to what: a process the student forked may share this socket
        try:
            wire.send(self.sock, reply, os.getpid(), msg_id)
        except (TypeError, ValueError, wire.WireError) as exc:
            wire.send(self.sock, {"error": {"type": "WireError", "message": str(exc)[:300], "trace": ""}},
                      os.getpid(), msg_id)

    def _run(self, thunk):
        """Run student code with output captured; exceptions become data."""
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.sink
        try:
            return {"value": thunk()}
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they are answers
            return {"error": describe_error(exc)}
        finally:
            sys.stdout, sys.stderr = saved

    def op_run(self, msg):
        """Execute the notebook's cells in order: one request, one reply per
        cell (the grader times each cell and knows which one hung)."""
        cells = msg.get("cells")
        for cell in cells if type(cells) is list else []:
            try:
                index, source = int(cell[0]), strip_magics(str(cell[1]))
            except (TypeError, ValueError, IndexError):
                yield {"error": {"type": "ProtocolError", "message": "bad cell", "trace": ""}}
                continue

            def run(source=source, name=f"<cell {index}>"):
                exec(compile(source, name, "exec"), self.namespace)
            yield {"index": index, **self._run(run)}

    def op_call(self, msg):
        name = str(msg.get("name"))
        fn = self.namespace.get(name)
        if fn is None:
            return {"missing": True}
        if not callable(fn):
            return {"error": {"type": "TypeError", "message": f"{name} is not a function", "trace": ""}}
        args = [self.to_student(a) for a in wire.decode(msg.get("args", []))]
        kwargs = {k: self.to_student(v) for k, v in wire.decode(msg.get("kwargs", {"__dict__": []})).items()}
        uses = len(TORCH_USES)
        result = self._run(lambda: fn(*args, **kwargs))
        if len(TORCH_USES) > uses:  # torch's stand-in was used, the error caught or in a thread
            return {"error": {"type": "TorchUnavailable", "trace": "", "message": (
                f"{TORCH_USES[uses]}: PyTorch is not available to this question (it must compute with NumPy only)")}}
        if "error" in result:
            return result
        reply = {"value": self.encode_result(result["value"])}
        if msg.get("return_modules") and self.torch is not None:
            reply["modules"] = [self.encode_result(self.module_state(a))
                                for a in args if isinstance(a, self.torch.nn.Module)]
        return reply

    def op_get(self, msg):
        name = str(msg.get("name"))
        if name not in self.namespace:
            return {"missing": True}
        return {"value": self.encode_result(self.namespace[name])}

    def encode_result(self, value):
        try:
            return wire.encode(value)
        except Exception as exc:  # a hostile object: report its type only
            return {"__other__": type(value).__name__, "repr": f"<could not be read: {exc}>"[:300]}

    def module_state(self, module):
        try:
            return {k: v for k, v in module.state_dict().items()}
        except Exception as exc:
            return {"__error__": str(exc)[:200]}

    def to_student(self, value):
        """Inputs arrive as data; give the student the types the stub documents."""
        torch = self.torch
        if isinstance(value, wire.Array):
            if value.origin == "torch" and torch is not None:  # a NumPy-only worker gets arrays
                return torch.from_numpy(value.value)
            return value.value
        if isinstance(value, wire.Module):
            # a torch.nn module the grader describes: class name, constructor sizes, state
            cls = getattr(torch.nn, value.kind, None) if torch is not None else None
            if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
                raise ValueError(f"not a torch.nn module: {value.kind}")
            module = cls(**value.sizes)
            with torch.no_grad():
                for key, arr in value.state.items():
                    getattr(module, key).copy_(torch.from_numpy(arr.value))
            return module
        if isinstance(value, tuple):
            return tuple(self.to_student(v) for v in value)
        if isinstance(value, list):
            return [self.to_student(v) for v in value]
        return value


def limit_resources(limits: dict):
    for name, value in limits.items():
        res = getattr(resource, name, None)
        if res is None or value is None:
            continue
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass


def confine_submission(request: dict, uid, confined: bool, cgroups=(), scratch=None):
    """Make this process (the submission's first: PID 1 of its own PID
    namespace when ``confined``) what the submission runs in.  ``scratch``:
    without namespaces, (a Landlock ruleset, the submission's own folder) or
    the error that kept the zygote from making them.  Raises when a step
    fails: no student code runs in a half-confined process."""
    confine.join_cgroups(cgroups)  # first: everything it starts is born inside
    os.setsid()  # own process group: without namespaces, the zygote kills it as a whole
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    confine.die_with_parent()
    home = "/tmp"
    if confined:
        confine.unshare_namespaces(network=bool(request.get("own_network")))
        confine.enter_view(request.get("view") or {}, request.get("tmp_bytes") or 64 * 1024**2)
    elif request.get("landlock"):
        if not isinstance(scratch, tuple):
            raise OSError(f"no Landlock ruleset for this submission ({scratch})")
        ruleset, home = scratch
        landlock.restrict_self(ruleset)  # the view, by the kernel, without a mount namespace
        os.environ.update(TMPDIR=home, HOME=home)
        tempfile.tempdir = None  # computed again from TMPDIR
    for fd in RULESETS.values():  # a rule added to one would loosen the next submissions' view
        if isinstance(fd, int):
            os.close(fd)
    if not confined and (request.get("view") or {}).get("restrict"):
        confine.restrict_imports(request["view"]["restrict"])  # no mount namespace for the view
    try:
        os.chdir(home)
    except OSError:
        pass
    # student output goes nowhere at the fd level; Python-level output is bounded
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    limit_resources(request.get("limits") or {})
    if uid is not None:
        confine.become(uid)  # fail closed: no student code as root
    confine.die_with_parent()  # a credential change cleared it
    if confined or request.get("seccomp"):
        confine.install_seccomp()


def serve_submission(sock, request, torch, uid, confined: bool, cgroups=(), scratch=None):
    """Confine this process, then answer the grader's calls until it says bye."""
    try:
        confine_submission(request, uid, confined, cgroups, scratch)
        Child(sock, torch).serve()
    finally:
        os._exit(0)


RULESETS: dict = {}  # (folder, view) -> Landlock ruleset fd, or the error that kept it from being made
PERIOD = 0.05  # seconds between two looks at the submissions' memory
MAX_FDS = 8    # a submission's socket and its control groups


def _close_all(fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _in_own_sandbox() -> bool:
    """This zygote runs in bubblewrap's sandbox: its files where the launcher
    binds them, and near the start of a PID namespace of its own."""
    return os.path.dirname(os.path.abspath(__file__)) == "/tmp/.rnnquiz-worker" and os.getpid() <= 4


def _empty(folder: str, keep: str):
    """Remove what is in ``folder`` (never following a link), but ``keep``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.path == keep or keep.startswith(entry.path + os.sep):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


@dataclass
class StudentProcess:
    """The zygote's record of one submission's process (the student process) it forked."""
    number: int  # the grader's name for it (a pid could be reused once reaped)
    uid: int | None
    budget: int | None  # bytes, for all its processes together; None: not watched
    confined: bool
    ended: bool = False  # the grader ended it: reap it as soon as it is gone
    scratch: str | None = None  # its own writable folder (Landlock's mode), removed once it is ended


def kill_uid(uid: int):
    """SIGKILL every process of ``uid`` (a submission's own, without namespaces):
    a child that becomes that uid and signals all it may (``kill(-1)``)."""
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


class Zygote:
    """Imports torch once, then forks one process per submission and watches them.

    A submission's process is forked straight into a new PID namespace (one
    copy of this process per submission).  The zygote reaps its children
    itself, so a submission's pid cannot be reused before the zygote has seen
    it end: signalling a live entry by pid is safe; the graders name a
    submission by a number that is never reused.  Every ``PERIOD`` it adds up the
    memory of each confined submission's processes (all under its uid) and
    ends the submission that is over its budget: killing PID 1 of a PID
    namespace kills everything in it.  (A submission without namespaces is
    reaped only once the grader has ended it: its process group, which may
    outlive its first process, is killed by that id.  As root without
    namespaces, a container's mode, each submission has a uid of its own
    instead: the zygote is then the reaper of every process a submission
    leaves behind, and ends a submission, and every one left when the grader
    closes the pool, by its uid.  There, with Landlock, each submission also
    gets a writable folder of its own, the only one it can write to; the
    zygote removes it once the submission is ended, and all of them when it exits.)"""

    def __init__(self, control: socket.socket, torch):
        self.control, self.torch = control, torch
        self.confined = confine.can_confine()
        self.own_pid_ns = confine.pid_namespace() if self.confined else -1
        self.live: dict = {}  # pid -> StudentProcess
        # number -> StudentProcess under a uid of its own whose first process is gone
        # (reaped: its pid may be reused) while others it started may not be
        self.orphaned: dict = {}
        self.subreaper = False  # orphans of submissions come back here (see fork)
        self.forked = 0  # submissions so far: the next one's number
        self.scratch_base = None  # where the submissions' own folders are made (Landlock's mode)
        self.leftover: list = []  # folders of ended submissions, removed as soon as they can be

    def serve(self):
        while True:
            try:
                # a subreaper also collects orphans killed after their submission ended
                watch = self.live or self.orphaned or self.subreaper or self.leftover
                ready = select.select([self.control], [], [], PERIOD if watch else None)[0]
            except InterruptedError:
                ready = []
            self.reap()
            if ready:
                self.handle()
            self.enforce_budgets()
            if self.leftover:
                self.remove_leftovers()

    def reap(self):
        if self.subreaper:
            self.reap_all()
            return
        for pid, sub in list(self.live.items()):
            if sub.confined or sub.ended:
                try:
                    gone = os.waitpid(pid, os.WNOHANG)[0] == pid
                except ChildProcessError:
                    gone = True
                if gone:
                    del self.live[pid]

    def reap_all(self):
        """Collect every child that has ended: submissions' first processes and
        the orphans of their processes (a child subreaper gets them: without it
        they would be left as zombies for the grader or the container's init).
        A submission whose first process ended on its own is then ended by its
        uid only (``orphaned``): its pid may be reused from now on."""
        while True:
            try:
                pid = os.waitpid(-1, os.WNOHANG)[0]
            except ChildProcessError:
                return
            if not pid:
                return
            sub = self.live.pop(pid, None)
            if sub is not None and not sub.ended and sub.uid is not None:
                self.orphaned[sub.number] = sub

    def handle(self):
        try:
            msg, fds, _flags, _addr = socket.recv_fds(self.control, 1 << 16, MAX_FDS)
        except OSError:
            self.end_all()
            os._exit(0)
        if not msg:  # the grader closed the pool: no interpreter shutdown to wait for
            self.end_all()
            os._exit(0)
        try:
            request = json.loads(msg.decode())
        except ValueError:
            request = {}
        if request.get("op") == wire.Op.KILL:
            self.end(request.get("submission"))
        elif request.get("op") == wire.Op.FORK and fds:
            # the submission's socket, then the control groups it joins (see cgroups.py)
            self.fork(request, fds[0], fds[1:])
            fds = []
        for extra in fds:
            os.close(extra)

    def fork(self, request: dict, fd: int, cgroups: list):
        sock = socket.socket(fileno=fd)
        if request.get("sweep"):
            if not _in_own_sandbox():
                # kill(-1) and emptying /tmp are for a sandbox of our own only: fail closed
                sock.close()
                _close_all(cgroups)
                return
            self.sweep()
        uid = confine.new_uid() if request.get("drop_privileges") else None
        confined = bool(request.get("confine")) and self.confined
        if not confined and uid is not None and not self.subreaper:
            # no PID namespace to take a submission's processes with it: they come
            # back here when their parent ends, to be reaped (see ``reap_all``)
            self.subreaper = confine.become_subreaper()
        scratch = self.scratch(request, uid) if request.get("landlock") and not confined else None
        try:
            pid = confine.fork_into_new_pid_namespace(self.own_pid_ns) if confined else os.fork()
        except OSError:  # no process could be made now: the grader sees the socket close and asks again
            sock.close()
            _close_all(cgroups)
            if isinstance(scratch, tuple):
                shutil.rmtree(scratch[1], ignore_errors=True)
            return
        if pid == 0:
            # nothing of the zygote's stays open here: its control socket and its
            # handle on its own PID namespace
            self.control.close()
            if self.own_pid_ns >= 0:
                os.close(self.own_pid_ns)
            serve_submission(sock, request, self.torch, uid, confined, cgroups, scratch)
        _close_all(cgroups)
        # a submission under a uid of its own is watched by that uid, with or without namespaces
        budget = request.get("memory_budget") if uid is not None else None
        self.forked += 1
        self.live[pid] = StudentProcess(self.forked, uid, budget, confined,
                                    scratch=scratch[1] if isinstance(scratch, tuple) else None)
        try:
            # the grader ends the submission by its number; the replies are signed
            # by the process that serves it: PID 1 of its namespace, or itself.
            # (Never blocking, and never by making the socket non-blocking: the
            # submission shares that setting.)
            frame = wire.frame({"hello": self.forked, "server": 1 if confined else pid})
            if sock.send(frame, socket.MSG_DONTWAIT) != len(frame):
                self.kill(pid)
        except OSError:
            self.kill(pid)
        sock.close()

    def sweep(self):
        """Before a submission where submissions share this zygote's sandbox one
        after another (bubblewrap as an ordinary user: no namespaces per
        submission, one uid for all): nothing an earlier one left runs or
        stays.  Every process of the sandbox's PID namespace but this one and
        its init is killed (``kill(-1)``), and the private ``/tmp`` and
        ``/dev/shm`` are emptied (the worker's own files excepted)."""
        for pid in list(self.live):
            self.kill(pid)
        try:
            os.kill(-1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.reap_all()
        for folder in ("/tmp", "/dev/shm"):
            _empty(folder, keep=os.path.dirname(os.path.abspath(__file__)))

    def scratch(self, request: dict, uid):
        """(the Landlock ruleset of the request's view, the next submission's
        own folder), made here as root; or the error that kept them from being made
        (the submission then refuses to start)."""
        try:
            if self.scratch_base is None:
                # root's, and only traversable: no submission lists it or makes anything in it
                self.scratch_base = tempfile.mkdtemp(prefix="rnnquiz-scratch-")
                os.chmod(self.scratch_base, 0o711)
            key = self.scratch_base, json.dumps(request.get("view") or {}, sort_keys=True)
            if key not in RULESETS:
                try:
                    RULESETS[key] = landlock.ruleset(request.get("view") or {}, self.scratch_base)
                except OSError as exc:
                    RULESETS[key] = str(exc)
            ruleset = RULESETS[key]
            if not isinstance(ruleset, int):
                return ruleset
            folder = os.path.join(self.scratch_base, str(self.forked + 1))
            os.mkdir(folder, 0o700)
            if uid is not None:
                os.chown(folder, uid, uid)
            return ruleset, folder
        except OSError as exc:
            return str(exc)

    def end(self, number):
        """End the submission the grader numbered ``number``, whatever is left of it."""
        pid = next((pid for pid, sub in self.live.items() if sub.number == number), None)
        if pid is not None:
            self.kill(pid)
        elif number in self.orphaned:
            sub = self.orphaned.pop(number)
            kill_uid(sub.uid)
            self.remove_scratch(sub)

    def remove_scratch(self, sub: StudentProcess):
        """The folder of a submission just ended (its processes killed)."""
        if sub.scratch:
            self.leftover.append(sub.scratch)
            sub.scratch = None
            self.remove_leftovers()

    def remove_leftovers(self):
        """Remove the folders of ended submissions; one that a process being
        killed still wrote to is tried again later."""
        for folder in list(self.leftover):
            shutil.rmtree(folder, ignore_errors=True)
            if not os.path.lexists(folder):
                self.leftover.remove(folder)

    def end_all(self, within: float = 1.0):
        """Before the zygote exits: no submission outlives it (with namespaces,
        each one's PID 1 dies with the zygote, and its namespace with it), and
        what ended is reaped here, within ``within`` seconds, not left as
        zombies for whoever inherits them."""
        for number in [sub.number for sub in self.live.values() if not sub.ended] + list(self.orphaned):
            self.end(number)
        end = time.monotonic() + within
        while time.monotonic() < end:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    time.sleep(0.005)
            except ChildProcessError:
                break
        if self.scratch_base is not None:  # every submission's folder, those never ended included
            shutil.rmtree(self.scratch_base, ignore_errors=True)

    def kill(self, pid):
        sub = self.live.get(pid)
        if sub is None:
            return  # reaped already: nothing of it is left
        try:
            if sub.confined:
                os.kill(pid, signal.SIGKILL)  # PID 1: its namespace goes with it
            else:
                os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if not sub.confined and sub.uid is not None:
            kill_uid(sub.uid)  # no namespace: whatever it started under its uid, sessions of its own included
        sub.ended = True
        self.remove_scratch(sub)

    def enforce_budgets(self):
        watched = {sub.uid: sub for sub in [*self.live.values(), *self.orphaned.values()]
                   if sub.budget and not sub.ended}
        if not watched:
            return
        for uid, used in confine.memory_by_uid(watched).items():
            if used > watched[uid].budget:
                self.end(watched[uid].number)

    def self_test(self) -> str:
        """A submission's confinement, tried once before any is served: the
        error that would end every submission, or an empty string."""
        if not self.confined:
            return ""
        ours, theirs = socket.socketpair()
        request = {"own_network": True, "tmp_bytes": 1 << 20, "limits": {}}
        try:
            pid = confine.fork_into_new_pid_namespace(self.own_pid_ns)
        except OSError as exc:
            return f"fork: {exc}"
        if pid == 0:
            ours.close()
            try:
                confine_submission(request, confine.new_uid() if os.geteuid() == 0 else None, True)
                theirs.send(b"ok")
            except BaseException as exc:  # noqa: B036  (reported, whatever it is)
                theirs.send(f"{type(exc).__name__}: {exc}"[:300].encode(errors="replace"))
            finally:
                os._exit(0)
        theirs.close()
        ours.settimeout(10)
        try:
            said = ours.recv(400).decode(errors="replace") or "the process ended without a word"
        except OSError as exc:
            said = f"no answer ({exc})"
            os.kill(pid, signal.SIGKILL)
        ours.close()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        return "" if said == "ok" else said


def warm_up(torch):
    """Run, once in the zygote, what most notebooks do first (tensor
    arithmetic, printing, a small module's forward pass), so that the lazy
    set-up inside torch and NumPy happens here and not again in every
    submission (a third of the time a notebook's cells take).  The random
    number generators are left as they were: a submission starts as in a
    fresh kernel."""
    import numpy as np
    torch_rng, np_rng = torch.get_rng_state(), np.random.get_state()
    saved = sys.stdout
    sys.stdout = BoundedSink()
    try:
        x, w = torch.randn(3, 4), torch.randn(4, 4)
        y = torch.tanh(x @ w + torch.zeros(4))
        torch.cat((x, y), 1), torch.stack([x, y]), torch.allclose(x, y, atol=1e-6), torch.equal(x, y)
        layer = torch.nn.Linear(4, 3)
        for name, p in layer.named_parameters():
            print(name, tuple(p.shape), p.numel())
        with torch.no_grad():
            layer.weight.copy_(torch.ones(3, 4))
        print(x, y[0, 0], layer(x), layer, torch.zeros(2, dtype=torch.int64), x.numpy())
        a = np.ones((3, 4), dtype=np.float32)
        print(np.tanh(a @ a.T), a.sum(), torch.from_numpy(a), torch.as_tensor(3))
    except Exception:  # a warm-up only: whatever failed here is set up in the child instead
        pass
    finally:
        sys.stdout = saved
        torch.set_rng_state(torch_rng)
        np.random.set_state(np_rng)


HUGE_PAGE = 1 << 21
MADV_COLLAPSE = 25  # Linux 6.1 and later


def in_huge_pages() -> int:
    """Move the zygote's heap (torch's and Python's objects, ~140 MB) into
    2 MiB pages where the kernel can (``MADV_COLLAPSE``; best effort, nothing
    changes on older kernels): forking a submission then copies one page-table
    entry per 2 MiB instead of one per 4 KiB, and exiting tears down as few.
    A submission's first write to such a page still copies 4 KiB only (the
    kernel splits the shared mapping).  Returns the bytes collapsed."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as f:
            maps = f.read().splitlines()
    except (OSError, AttributeError):
        return 0
    done = 0
    for line in maps:
        fields = line.split()
        # private writable memory with no file behind it: the heap and anonymous maps
        if len(fields) < 5 or fields[1] != "rw-p" or fields[4] != "0" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        lo, hi = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), hi & ~(HUGE_PAGE - 1)
        if hi > lo and libc.madvise(lo, hi - lo, MADV_COLLAPSE) == 0:
            done += hi - lo
    return done


def zygote_main(fd: int, many: bool = False, only: list | None = None):
    """``only``: the packages this zygote imports (its submissions find no
    other installed package: see ``confine.enter_view``); None: NumPy and torch."""
    control = socket.socket(fileno=fd)
    import numpy  # noqa: F401  (warm for every child; the wire protocol needs it)
    torch = None
    if only is None:
        import torch
        torch.set_num_threads(1)  # one core per submission; the pool runs several
    else:
        for name in only:
            __import__(name)
        if "torch" not in only:
            stand_in_for_torch()
    zygote = Zygote(control, torch)
    if torch is not None:
        warm_up(torch)
    # what is loaded now is shared with every child; a collection in a child
    # would otherwise write to every object's header and copy the whole heap
    gc.freeze()
    if many:  # one notebook would wait for it and gain nothing
        in_huge_pages()
    # what this zygote can enforce: the grader refuses to run student code as root
    control.send(json.dumps({"ready": os.getpid(), "root": os.geteuid() == 0,
                             "can_drop_root": confine.can_drop_root(),
                             "can_confine": zygote.confined, "confine_error": zygote.self_test()}).encode())
    zygote.serve()


def plain_main():
    """One process, one submission, on any OS: what a self-check needs on the
    student's own computer (a crash or an endless loop there ends this process,
    not the check).  The grader writes one JSON line on standard input: the
    loopback port to call back, a token that proves it is us, and the packages
    to import (None: NumPy and torch).  No sandbox: it protects nothing from a
    student on their own machine."""
    setup = json.loads(sys.stdin.readline() or "{}")
    os.environ["RNNQUIZ_WORKER"] = "1"  # a notebook's self-check cell does nothing here
    only = setup.get("only")
    import numpy  # noqa: F401  (the wire protocol needs it)
    torch = None
    if only is None:
        import torch
        torch.set_num_threads(1)  # small tensors; the checks compute beside it
    else:
        for name in only:
            __import__(name)
        if "torch" not in only:
            stand_in_for_torch()  # as in the zygote: importing torch costs nothing, using it fails
    if setup.get("restrict"):
        confine.restrict_imports(setup["restrict"])  # what a question restricted to some packages finds
    sock = socket.create_connection(("127.0.0.1", int(setup["port"])), timeout=30)
    sock.settimeout(None)
    sock.sendall(str(setup["token"]).encode("ascii"))
    sock.sendall(wire.frame({"hello": 1, "server": os.getpid()}))
    # what the student prints never reaches the grader's streams (Python-level output is bounded)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        Child(sock, torch).serve()
    finally:
        os._exit(0)


if __name__ == "__main__" and sys.argv[1:2] == ["--plain"]:
    plain_main()
elif __name__ == "__main__":
    options = sys.argv[2:]
    zygote_main(int(sys.argv[1]), many="--many" in options,
                only=[p for p in options[options.index("--only") + 1].split(",") if p] if "--only" in options else None)
