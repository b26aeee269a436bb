"""Data-only messages between the grader and the student's worker.

Length-prefixed JSON over a socket.  Arrays travel as dtype + shape + base64
bytes, never as pickles, so nothing the worker sends can run code or keep
behaviour (an "always equal" subclass arrives as a plain array).

This module runs on both sides of the boundary (the grader and, inside the
sandbox, ``worker.py``); it uses only the standard library and NumPy.
"""
from __future__ import annotations

import base64
import json
import math
import re
import struct
import time

import numpy as np

MAX_DEPTH = 32
ALLOWED_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}


_SURROGATES = re.compile("[\ud800-\udfff]")


class Op:
    """Operation names, defined once for both sides of the boundary."""
    RUN, CALL, GET, BYE = "run", "call", "get", "bye"     # grader -> a submission's process
    FORK, KILL = "fork", "kill"                           # grader -> the zygote (control socket)


class WireError(Exception):
    """A message that is not a well-formed rnnquiz message."""


class Array:
    """An array as received: plain ndarray plus where it came from."""

    __slots__ = ("value", "origin")

    def __init__(self, value: np.ndarray, origin: str):
        self.value = value
        self.origin = origin  # "torch" or "numpy"

    def __repr__(self):
        return f"Array({self.origin}, shape={self.value.shape}, dtype={self.value.dtype})"


class Other:
    """A value of a type the wire does not carry: only its type name and repr."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name: str, text: str):
        self.type_name = type_name
        self.text = text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


class Module:
    """A ``torch.nn`` module to build on the other side: class name, constructor sizes, state."""

    __slots__ = ("kind", "sizes", "state")

    def __init__(self, kind: str, sizes: dict, state: dict):
        self.kind, self.sizes, self.state = kind, sizes, state


def clean_text(text: str) -> str:
    """A string that can be written anywhere: lone surrogates (valid in JSON,
    invalid in UTF-8) become U+FFFD instead of crashing whoever writes it."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _array(arr: np.ndarray, origin: str) -> dict:
    # not np.ascontiguousarray: it makes 0-d arrays (NumPy scalars, x.norm()) shape (1,);
    # tobytes() writes C order whatever the memory layout
    arr = np.asarray(arr)
    return {"__array__": origin, "dtype": str(arr.dtype), "shape": list(arr.shape),
            "data": base64.b64encode(arr.tobytes(order="C")).decode("ascii")}


def encode(value, depth: int = 0):
    """Turn a value into JSON-able data.  Unknown types become ``Other``."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    # exact type checks: subclasses of int/float/str could carry behaviour
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**63 else {"__int__": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (tuple, list)):  # torch.Size and namedtuples arrive as tuples
        items = [encode(v, depth + 1) for v in list(value)[:100_000]]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if t is dict:
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, Array):
        return _array(value.value, value.origin)
    if isinstance(value, Module):
        return {"__module__": value.kind, "sizes": value.sizes,
                "state": encode(value.state, depth + 1)}
    if isinstance(value, np.ndarray):
        return _array(np.asarray(value), "numpy")
    if isinstance(value, np.generic):
        return _array(np.asarray(value), "numpy-scalar")
    tensor = _as_tensor_array(value)
    if tensor is not None:
        return tensor
    return {"__other__": _type_name(value), "repr": _safe_repr(value)}


def _type_name(value) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}"


def _safe_repr(value) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = "<repr failed>"
    return str(text)[:300]


def _as_tensor_array(value):
    """A torch tensor (or subclass) as a plain array, without importing torch."""
    torch = __import__("sys").modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    plain = torch.Tensor.detach(value)
    plain = torch.Tensor.as_subclass(plain, torch.Tensor).cpu()
    if plain.dtype == torch.bfloat16:
        plain = plain.float()
    return _array(plain.numpy(), "torch")


def decode(data, depth: int = 0):
    """Inverse of ``encode``, validating everything: the sender is untrusted."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(data)
    if t is str:
        return clean_text(data)
    if data is None or t in (bool, int, float):
        return data
    if t is list:
        return [decode(v, depth + 1) for v in data]
    if t is not dict:
        raise WireError(f"unexpected JSON type {t.__name__}")
    if "__array__" in data:
        return Array(_decode_array(data), str(data["__array__"]))
    if "__tuple__" in data:
        items = data["__tuple__"]
        if type(items) is not list:
            raise WireError("bad tuple")
        return tuple(decode(v, depth + 1) for v in items)
    if "__dict__" in data:
        pairs = data["__dict__"]
        if type(pairs) is not list or not all(type(p) is list and len(p) == 2 for p in pairs):
            raise WireError("bad dict")
        out = {}
        for k, v in pairs:
            key = decode(k, depth + 1)
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise WireError("bad dict key")
            out[key] = decode(v, depth + 1)
        return out
    if "__int__" in data:
        return int(str(data["__int__"])[:5000])
    if "__float__" in data:
        return float(str(data["__float__"]))
    if "__other__" in data:
        return Other(clean_text(str(data["__other__"])[:200]), clean_text(str(data.get("repr", ""))[:300]))
    if "__module__" in data:
        state = decode(data.get("state"), depth + 1)
        sizes = data.get("sizes")
        if type(sizes) is not dict or type(state) is not dict:
            raise WireError("bad module")
        return Module(str(data["__module__"]), sizes, state)
    raise WireError("unknown object in message")


def _decode_array(data: dict) -> np.ndarray:
    dtype, shape, payload = data.get("dtype"), data.get("shape"), data.get("data")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array dtype {dtype!r} is not allowed")
    if type(shape) is not list or not all(type(s) is int and 0 <= s for s in shape) or len(shape) > 8:
        raise WireError("bad array shape")
    if type(payload) is not str:
        raise WireError("bad array data")
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    dt = np.dtype(dtype)
    if len(raw) != dt.itemsize * math.prod(shape):
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


# --- framing -----------------------------------------------------------------
#
# A frame is a fixed header (body length, sender pid, request id) and a JSON
# body.  The grader checks who answers, to which request, and how much, before
# it reads a byte of the body: a reply from a process the student forked, to an
# earlier request, or larger than any real answer is refused unread.

HEADER = struct.Struct("!IiI")
MAX_REQUEST = 64 * 1024 * 1024  # bytes the worker accepts from the grader (inputs)
MAX_REPLY = 4 * 1024 * 1024     # bytes the grader accepts from the worker: real answers are KBs
MAX_CONTAINERS = 50_000         # JSON lists and objects in one reply (each costs ~100 bytes parsed)


class Deadline:
    """An absolute point in time (``time.monotonic``); every partial read checks it."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()


def frame(message: dict, pid: int = 0, msg_id: int = 0) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body), pid, msg_id) + body


def send(sock, message: dict, pid: int = 0, msg_id: int = 0) -> None:
    sock.sendall(frame(message, pid, msg_id))


def _recv_exact(sock, n: int, deadline: Deadline | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        if deadline is not None:
            left = deadline.left()
            if left <= 0:
                raise TimeoutError("deadline passed")
            sock.settimeout(left)
        chunk = sock.recv(min(n - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks += chunk
    return bytes(chunks)


def recv_header(sock, deadline: Deadline | None = None) -> tuple[int, int, int]:
    """(body length, sender pid, request id) of the next frame."""
    return HEADER.unpack(_recv_exact(sock, HEADER.size, deadline))


def recv_body(sock, size: int, limit: int, deadline: Deadline | None = None) -> dict:
    if size > limit:
        raise WireError(f"message of {size} bytes is larger than {limit}")
    raw = _recv_exact(sock, size, deadline)
    # nesting and container count decide what parsing costs: refuse before parsing
    if raw.count(b"[") + raw.count(b"{") > MAX_CONTAINERS:
        raise WireError("message holds too many lists or objects")
    try:
        message = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"not JSON: {str(exc)[:100]}") from None
    if type(message) is not dict:
        raise WireError("message is not an object")
    return message


def recv(sock, limit: int = MAX_REQUEST, deadline: Deadline | None = None) -> dict:
    size, _pid, _id = recv_header(sock, deadline)
    return recv_body(sock, size, limit, deadline)
