"""What grader files use: failures with named mistakes, comparisons, inputs.

A grader compares what the student's code returned (decoded data: ``Array``,
``Other``, plain values) with a reference it computed itself, and raises
``Wrong`` with a message key and, when it recognises one, the key of a typical
mistake declared in the assignment's ``assignment.toml``.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from rnnquiz.grading.catalogue import mistake  # noqa: F401  (what catalogues of mistakes declare entries with)
from rnnquiz.model.messages import MESSAGES, text
from rnnquiz.sandboxed import wire
from rnnquiz.sandboxed.wire import Array, Module, Other  # noqa: F401  (what graders receive and send)

__all__ = ["Array", "Module", "Other", "Msg", "Wrong", "TOLERANCES", "as_array", "as_int", "as_shape", "as_tuple",
           "call_label", "call_naming_errors", "check_array", "check_choice", "close", "describe", "example",
           "find_mistake", "mistake", "product_scale", "public_checks", "randn", "sizes", "take_answer", "tolerance",
           "variant"]

# float32: rtol=1e-5, atol=1e-6; float64 much tighter
TOLERANCES = {np.dtype("float16"): (1e-3, 1e-3), np.dtype("float32"): (1e-5, 1e-6),
              np.dtype("float64"): (1e-10, 1e-12)}


# the letter ``check_choice`` read in the check under way: the grading plugin takes
# it with the check's outcome (a check passes by returning, so no exception carries it)
_answer: dict = {}


def take_answer() -> str | None:
    """The quiz letter the check that just ran read (once; None if it read none)."""
    return _answer.pop("letter", None)


class Msg:
    """A message fragment rendered later, in the notebook's language."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params

    def render(self, lang: str) -> str:
        return text(self.key, lang, **{k: render(v, lang) for k, v in self.params.items()})


def render(value, lang: str):
    return value.render(lang) if isinstance(value, Msg) else value


class Wrong(AssertionError):
    """The student's answer is wrong; ``mistake`` names the likely cause."""

    def __init__(self, key: str, mistake: str | None = None, **params):
        super().__init__(key)
        if _on_hidden_variant(params.get("what")) and key + "_hidden" in MESSAGES:
            key = key + "_hidden"  # never show a reference value of a hidden variant
        self.key, self.mistake, self.params = key, mistake, params

    def render(self, lang: str, mistakes: dict | None = None) -> str:
        """The message; ``mistakes`` (key -> {lang: text}) names the likely cause."""
        message = Msg(self.key, **self.params).render(lang)
        if self.mistake:
            texts = (mistakes or {}).get(self.mistake) or {}
            if message and message.rstrip()[-1:] not in ".!?:":
                message = message.rstrip() + "."  # a student's error text ends the first sentence
            message += " " + text("likely", lang, text=texts.get(lang) or self.mistake)
        return message


def _on_hidden_variant(what) -> bool:
    if isinstance(what, Msg):
        return what.key == "variant" or any(_on_hidden_variant(v) for v in what.params.values())
    return False


def public_checks(hidden_file: str):
    """The public file of the same question (``../public/<name>``), loaded as a
    module: a hidden grader reuses its reference and helpers."""
    hidden = Path(hidden_file).resolve()
    path = hidden.parent.parent / "public" / hidden.name
    name = f"rnnquiz_public_checks.{hidden.parent.parent.name}.{hidden.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example() -> Msg:
    return Msg("example")


def variant(i: int) -> Msg:
    return Msg("variant", i=i + 1)


def call_label(name: str, where) -> Msg | str:
    return Msg("_call", name=name, where=where)


def describe(value) -> str:
    """A short, language-neutral description of a returned value."""
    if isinstance(value, wire.Array):
        kind = {"torch": "tensor", "numpy": "ndarray", "numpy-scalar": "numpy scalar"}.get(
            value.origin, value.origin)
        return f"{kind} {tuple(value.value.shape)} {value.value.dtype}"
    if isinstance(value, wire.Other):
        return value.type_name.rsplit(".", 1)[-1]
    if isinstance(value, tuple):
        return f"tuple({', '.join(describe(v) for v in value[:4])}{', ...' if len(value) > 4 else ''})"
    if isinstance(value, list):
        return f"list of {len(value)}"
    if isinstance(value, str):
        return repr(value[:40])
    if value is None:
        return "None"
    return f"{type(value).__name__} {value!r}"[:80]


def as_array(value, what, origin: str | None = "torch", wrong_origin: str | None = None) -> np.ndarray:
    """The value as one array; ``origin`` demands a torch tensor or a NumPy array
    (``wrong_origin``: the mistake to name when a NumPy stub returns a tensor)."""
    expected = {"torch": "torch.Tensor", "numpy": "np.ndarray", None: "array"}[origin]
    if not (isinstance(value, wire.Array) and value.origin in ("torch", "numpy")):
        raise Wrong("wrong_type", what=what, expected=expected, got=describe(value))
    if origin == "numpy" and value.origin == "torch":  # NumPy stubs must not return tensors
        raise Wrong("wrong_type", mistake=wrong_origin, what=what, expected=expected, got=describe(value))
    return value.value  # a torch stub returning an ndarray is judged on its values


def tolerance(dtype, scale: float = 1.0) -> tuple[float, float]:
    rtol, atol = TOLERANCES.get(np.dtype(dtype), (1e-5, 1e-6))
    return rtol, atol * max(1.0, float(scale))


def product_scale(*pairs) -> float:
    """Magnitude of a sum of products A @ B: ``atol`` grows with it (float32 sums of large products)."""
    total = 0.0
    for a, b in pairs:
        a, b = np.abs(np.asarray(a, dtype=np.float64)), np.abs(np.asarray(b, dtype=np.float64))
        total += float((a @ b).max()) if a.size and b.size else 0.0
    return total


def close(a: np.ndarray, b: np.ndarray, dtype, scale: float = 1.0) -> bool:
    if a.shape != b.shape:
        return False
    rtol, atol = tolerance(dtype, scale)
    with np.errstate(all="ignore"):
        return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol))


def find_mistake(arr: np.ndarray, candidates, dtype, scale: float = 1.0) -> str | None:
    """The first named wrong answer that the student's array reproduces.
    ``candidates``: {mistake: wrong answer}, or a function that makes them
    (called here, when an answer is wrong: right answers never pay for it)."""
    if callable(candidates):
        candidates = candidates()
    for key, candidate in (candidates or {}).items():
        candidate = np.asarray(candidate)
        if arr.shape == candidate.shape and close(arr, candidate, dtype, scale * 10):
            return key
    return None


def check_array(got, ref, what, *, candidates=None, scale: float = 1.0,
                origin: str | None = "torch", wrong_origin: str | None = None) -> np.ndarray:
    """Type, then shape, then dtype, then values; names the mistake it
    recognises among ``candidates`` (see ``find_mistake``)."""
    ref = np.asarray(ref)
    arr = as_array(got, what, origin, wrong_origin)
    if arr.shape != ref.shape:
        raise Wrong("wrong_shape", mistake=find_mistake(arr, candidates, ref.dtype, scale),
                    what=what, expected=tuple(ref.shape), got=tuple(arr.shape))
    if arr.dtype != ref.dtype:
        raise Wrong("wrong_dtype", what=what, expected=str(ref.dtype), got=str(arr.dtype))
    if not close(arr, ref, ref.dtype, scale):
        with np.errstate(all="ignore"):
            diff = np.abs(arr.astype(np.float64) - ref.astype(np.float64))
        diff = np.where(np.isnan(diff), np.inf, diff)
        index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
        raise Wrong("wrong_values", mistake=find_mistake(arr, candidates, ref.dtype, scale),
                    what=what, diff=float(diff[index]) if diff.size else 0.0,
                    index=tuple(int(i) for i in index),
                    expected=float(ref[index]) if diff.size else 0.0,
                    got=float(arr[index]) if diff.size else 0.0)
    return arr


def as_int(value, what) -> int:
    """A count: a Python or NumPy integer (a float or bool is not a count)."""
    if type(value) is int:
        return value
    if isinstance(value, wire.Array) and value.value.shape == () and value.value.dtype.kind in "iu":
        return int(value.value)
    raise Wrong("wrong_type", what=what, expected="int", got=describe(value))


def as_tuple(value, what, length: int) -> tuple:
    if isinstance(value, (tuple, list)) and len(value) == length:
        return tuple(value)
    raise Wrong("wrong_type", what=what, expected=f"tuple of {length}", got=describe(value))


def as_shape(value, what) -> tuple:
    """A shape: tuple, list or torch.Size (which arrives as a tuple) of ints."""
    if isinstance(value, (tuple, list)) and all(type(v) is int for v in value):
        return tuple(value)
    raise Wrong("wrong_type", what=what, expected="tuple of int", got=describe(value))


def check_choice(student, name: str, correct: str, choices: str = "abcd",
                 mistakes: dict | None = None):
    """A multiple-choice quiz answer stored in the notebook variable ``name``."""
    from rnnquiz.grading.student import StudentError
    letters = "/".join(choices)
    try:
        answer = student.get(name)
    except StudentError as exc:
        if exc.kind != "missing":
            raise
        answer = None  # the cell was deleted or never ran: unanswered
    if answer is None or answer == "" or answer == "?":
        raise Wrong("quiz_unanswered", name=name, choices=letters)
    if type(answer) is not str or answer.strip().lower() not in choices or len(answer.strip()) != 1:
        raise Wrong("quiz_bad_choice", name=name, choices=letters, got=describe(answer))
    answer = answer.strip().lower()
    _answer["letter"] = answer  # for the class's item analysis (which distractor the class chose)
    if correct and answer != correct:
        raise Wrong("quiz_wrong", mistake=(mistakes or {}).get(answer), got=repr(answer))


def randn(rng, *shape, dtype="float32"):
    """A torch tensor of standard normal values from a seeded NumPy generator."""
    import torch  # the grading process imports torch once; workers never see this
    return torch.from_numpy(rng.standard_normal(shape).astype(dtype))


def sizes(rng, count: int, **ranges) -> list:
    """``count`` dicts of sizes drawn from inclusive ranges, e.g. n=(1, 5)."""
    return [{k: int(rng.integers(lo, hi + 1)) for k, (lo, hi) in ranges.items()} for _ in range(count)]


def call_naming_errors(student, name: str, *args, raised: dict):
    """Call the student's function; an exception whose message contains a key of
    ``raised`` is the mistake it names (e.g. torch's shape error for a wrong
    axis, or ``torch`` missing where a question may use NumPy only)."""
    from rnnquiz.grading.student import StudentError
    try:
        return student.call(name, *args)
    except StudentError as exc:
        message = exc.detail.get("message", "")
        mistake = next((m for needle, m in raised.items() if needle in message), None)
        if exc.kind == "raised" and mistake:
            raise Wrong("raised", mistake=mistake, name=name, type=exc.detail.get("type", ""),
                        message=message) from None
        raise
