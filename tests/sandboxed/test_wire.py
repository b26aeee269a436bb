"""The wire protocol between grader and worker: data only, bounded, signed."""
import json
import socket
import threading
import time

import numpy as np
import pytest

from rnnquiz.sandboxed import wire

# --- wire ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2**70, 1.5, float("nan"), "texto com acentuação", (1, "a"), [1, [2, 3]],
    {"k": 1, 2: (3,)}, np.arange(6, dtype=np.float32).reshape(2, 3), np.float64(2.5), np.int64(7),
])
def test_values_survive_the_wire(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    if isinstance(value, (np.ndarray, np.generic)):
        assert isinstance(back, wire.Array) and back.value.shape == np.shape(value)
        assert back.value.dtype == np.asarray(value).dtype and np.array_equal(back.value, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value


def test_unknown_objects_arrive_as_their_type_name_only():
    class Sneaky:
        def __repr__(self):
            return "x" * 10_000
    back = wire.decode(wire.encode(Sneaky()))
    assert isinstance(back, wire.Other) and back.type_name.endswith("Sneaky") and len(back.text) <= 300


def test_subclasses_of_plain_types_lose_their_behaviour():
    class Eq(int):
        def __eq__(self, other):
            return True
    back = wire.decode(wire.encode(Eq(0)))
    assert type(back) is not Eq


@pytest.mark.parametrize("data,reason", [
    ({"__array__": "numpy", "dtype": "object", "shape": [1], "data": ""}, "not allowed"),
    ({"__array__": "numpy", "dtype": "float32", "shape": [3], "data": "AAAA"}, "does not match"),
    ({"__array__": "numpy", "dtype": "float32", "shape": [-1], "data": ""}, "bad array shape"),
    ({"__mystery__": 1}, "unknown object"),
    (3j, "unexpected JSON type"),
])
def test_malformed_data_is_refused(data, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(data)


def test_nesting_is_bounded():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(deep)


def test_lone_surrogates_become_replacement_characters():
    assert wire.decode("a\ud800b") == "a\ufffdb"
    wire.decode(["\udfff"])[0].encode("utf-8")


def _pair():
    a, b = socket.socketpair()
    return a, b


def test_frames_carry_sender_and_request_id():
    a, b = _pair()
    wire.send(a, {"op": "x"}, pid=42, msg_id=7)
    size, pid, msg_id = wire.recv_header(b)
    assert (pid, msg_id) == (42, 7) and wire.recv_body(b, size, wire.MAX_REPLY) == {"op": "x"}


def test_a_body_over_the_limit_is_refused_unread():
    a, b = _pair()
    a.sendall(wire.HEADER.pack(wire.MAX_REPLY + 1, 1, 1))
    size, _pid, _id = wire.recv_header(b)
    with pytest.raises(wire.WireError, match="larger"):
        wire.recv_body(b, size, wire.MAX_REPLY)


def test_too_many_containers_are_refused_before_parsing():
    a, b = _pair()
    body = b"[" + b"[]," * (wire.MAX_CONTAINERS + 1) + b"[]]"
    a.sendall(wire.HEADER.pack(len(body), 1, 1) + body)
    size, _pid, _id = wire.recv_header(b)
    with pytest.raises(wire.WireError, match="too many"):
        wire.recv_body(b, size, wire.MAX_REPLY)


def test_the_deadline_is_absolute_across_partial_reads():
    """One byte every 0.2 s: each recv succeeds, the whole still stops at the deadline."""
    a, b = _pair()
    a.sendall(wire.HEADER.pack(100, 1, 1))

    def trickle():
        for _ in range(20):
            try:
                a.send(b" ")
            except OSError:
                return
            time.sleep(0.2)
    threading.Thread(target=trickle, daemon=True).start()
    deadline = wire.Deadline(1.0)
    start = time.monotonic()
    size, _pid, _id = wire.recv_header(b, deadline)
    with pytest.raises(TimeoutError):
        wire.recv_body(b, size, wire.MAX_REPLY, deadline)
    assert time.monotonic() - start < 1.5
    a.close()


# --- results, one object rendered to every format -------------------------------------------
