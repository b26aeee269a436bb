"""The untrusted side: runs a student's notebook code and answers calls.

Started (inside the sandbox when there is one) as::

    python -I worker.py FD

FD is a Unix socket to the grader.  The process imports NumPy and torch once
(the "zygote") and then, for every submission, receives a fresh socket over
FD and forks a child that serves only that submission.  A child never sees
the zygote's socket, other submissions, the graders or any reference value:
it gets inputs and returns outputs, as data (see ``wire.py``).

Only the standard library, NumPy and torch may be imported here: the files of
``rnnquiz/sandboxed`` (this one, ``wire.py``, ``confine.py``) are the only
rnnquiz files visible inside the sandbox.
"""
from __future__ import annotations

import gc
import io
import json
import os
import resource
import signal
import socket
import sys
import traceback

try:
    from . import confine, wire  # imported from the rnnquiz package (the in-kernel grader)
except ImportError:  # run as a script in the sandbox, where only the worker files exist
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import confine
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


def describe_error(exc: BaseException, filename_prefix: str = "<cell") -> dict:
    """The exception as data, with only the student's own frames in the trace."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(filename_prefix)]
    lines = traceback.format_list(frames[-3:])
    message = str(exc) if not isinstance(exc, SyntaxError) else f"{exc.msg} (line {exc.lineno})"
    return {"type": type(exc).__name__, "message": message[:500],
            "trace": "".join(lines)[-1500:]}


class Watch:
    """Which of some packages a call runs code of (``numpy_rnn`` must not compute
    with torch).  A profile hook sees every Python and C function called; a
    call that removes the hook counts as using them all."""

    def __init__(self, packages: list):
        self.packages = tuple(packages)
        self.used: list = []

    def _of(self, module) -> str | None:
        module = module or ""
        return next((p for p in self.packages if module == p or module.startswith(p + ".")), None)

    def hook(self, frame, event, arg):
        found = None
        if event == "call":
            found = self._of(frame.f_globals.get("__name__"))
        elif event == "c_call":
            owner = getattr(arg, "__self__", None)
            found = self._of(getattr(arg, "__module__", None)) or \
                self._of(getattr(type(owner), "__module__", None) if owner is not None else None)
        if found and found not in self.used:
            self.used.append(found)

    def run(self, fn, args, kwargs):
        if not self.packages:
            return fn(*args, **kwargs)
        hook = self.hook  # one bound method: each attribute access makes a new one
        sys.setprofile(hook)
        try:
            return fn(*args, **kwargs)
        finally:
            if sys.getprofile() is not hook:  # removed by the student's code
                self.used = sorted(set(self.used) | set(self.packages))
            sys.setprofile(None)


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
            handler = getattr(self, "op_" + str(op), None) if op in (wire.Op.EXEC, wire.Op.CALL, wire.Op.GET) else None
            if handler is None:
                reply = {"error": {"type": "ProtocolError", "message": f"unknown op {op!r}", "trace": ""}}
            else:
                try:
                    reply = handler(msg)
                except Exception as exc:  # a malformed request: answer, do not die
                    reply = {"error": {"type": "WorkerError", "message": str(exc)[:300], "trace": ""}}
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

    def op_exec(self, msg):
        source = strip_magics(str(msg.get("source", "")))
        name = f"<cell {int(msg.get('index', 0))}>"

        def run():
            code = compile(source, name, "exec")
            exec(code, self.namespace)
            return None
        return self._run(run)

    def op_call(self, msg):
        name = str(msg.get("name"))
        fn = self.namespace.get(name)
        if fn is None:
            return {"missing": True}
        if not callable(fn):
            return {"error": {"type": "TypeError", "message": f"{name} is not a function", "trace": ""}}
        args = [self.to_student(a) for a in wire.decode(msg.get("args", []))]
        kwargs = {k: self.to_student(v) for k, v in wire.decode(msg.get("kwargs", {"__dict__": []})).items()}
        watch = Watch([str(m) for m in msg.get("watch") or []])
        result = self._run(lambda: watch.run(fn, args, kwargs))
        if "error" in result:
            return result
        reply = {"value": self.encode_result(result["value"]), "used": watch.used}
        if msg.get("return_modules"):
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
            if value.origin == "torch":
                return torch.from_numpy(value.value)
            return value.value
        if isinstance(value, wire.Module):
            # a torch.nn module the grader describes: class name, constructor sizes, state
            cls = getattr(torch.nn, value.kind, None)
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


def submission_main(sock: socket.socket, request: dict, torch):
    """The guard of one submission (forked by the zygote, still privileged).

    With namespaces, it forks the process that serves the submission as PID 1
    of a new PID namespace and stays outside, enforcing the memory budget;
    without, it serves the submission itself.
    """
    os.setsid()  # own process group: the grader kills it as a whole
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    confined = bool(request.get("confine"))
    uid = confine.new_uid() if request.get("drop_privileges") else None
    try:
        if confined:
            confine.die_with_parent()
            confine.unshare_namespaces(network=bool(request.get("own_network")))
    except OSError:
        # the zygote reported CAP_SYS_ADMIN, so this does not happen in practice;
        # the submission is then served in its process group, as without namespaces
        confined = False
    if not confined:
        serve_submission(sock, request, torch, uid, pid=os.getpid(), confined=False)
    server = os.fork()
    if server == 0:
        serve_submission(sock, request, torch, uid, pid=1, confined=True)
    wire.send(sock, {"hello": os.getpid(), "server": 1})
    sock.close()
    try:
        confine.guard(server, uid if uid is not None else os.getuid(), request.get("memory_budget"))
    finally:
        os._exit(0)


def serve_submission(sock, request, torch, uid, pid: int, confined: bool):
    """Confine this process, then answer the grader's calls until it says bye."""
    try:
        if confined:
            confine.private_mounts(request.get("hide") or (), confine.python_dirs(),
                                   request.get("tmp_bytes") or 64 * 1024**2)
        try:
            os.chdir("/tmp")
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
        if confined:
            confine.install_seccomp()
        if not confined:
            wire.send(sock, {"hello": os.getpid(), "server": pid})
        Child(sock, torch).serve()
    finally:
        os._exit(0)


def zygote_main(fd: int):
    control = socket.socket(fileno=fd)
    import numpy  # noqa: F401  (warm for every child)
    import torch
    torch.set_num_threads(1)  # one core per submission; the pool runs several
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    # what is loaded now is shared with every child; a collection in a child
    # would otherwise write to every object's header and copy the whole heap
    gc.freeze()
    # what this zygote can enforce: the grader refuses to run student code as root
    control.send(json.dumps({"ready": os.getpid(), "root": os.geteuid() == 0,
                             "can_drop_root": confine.can_drop_root(),
                             "can_confine": confine.can_confine()}).encode())
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(control, 1 << 16, 4)
        except OSError:
            os._exit(0)
        if not msg:  # the grader closed the pool: no interpreter shutdown to wait for
            os._exit(0)
        try:
            request = json.loads(msg.decode())
        except ValueError:
            request = {}
        if request.get("op") == wire.Op.KILL:
            try:
                os.killpg(int(request["pid"]), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, ValueError, KeyError):
                pass
            continue
        if request.get("op") != wire.Op.FORK or len(fds) != 1:
            for extra in fds:
                os.close(extra)
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            submission_main(socket.socket(fileno=fds[0]), request, torch)
        os.close(fds[0])


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]))
