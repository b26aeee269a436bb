"""Typical mistakes as executable variants of the reference, named only when one explains every answer.

An assignment's catalogue is content: ``autograders/<assignment>/mistakes/<question>.py``
(instructor-only: never in the student wheel).  Each entry is a function with the
stub's arguments that returns what the mistake returns::

    @mistake("sigmoid_not_tanh", pt="...", en="...")
    def rnn_step(X, H, W_xh, W_hh, b_h):
        return torch.sigmoid(X @ W_xh + H @ W_hh + b_h)

(``pt``/``en`` may be left out when ``assignment.toml`` already has the key's texts.)
A module may also define ``probes(rng)``: a few more argument tuples to try.

When a check of the question fails on the student's values, every call the check
made (and the probes, called now) is replayed through every variant; a mistake is
named only when exactly one variant gives the student's answer on all of them.
Otherwise the feedback says what differs and guesses nothing.
"""
from __future__ import annotations

import copy
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnquiz.sandboxed import wire

FOLDER = "mistakes"
# failures on the values, where the catalogue decides the cause; an error the
# student's code raised or a wrong type keeps the grader's own naming
VALUE_FAILURES = ("wrong_values", "wrong_values_hidden", "wrong_shape", "wrong_shape_hidden", "wrong_value",
                  "wrong_value_hidden", "diverges_at_step", "diverges_at_step_hidden")
RTOL, ATOL = 1e-3, 1e-6  # atol grows with the answer's magnitude

_registering: list | None = None


@dataclass
class Entry:
    key: str
    variant: object
    texts: dict


@dataclass
class Catalogue:
    question: str
    entries: list = field(default_factory=list)
    probes: object = None


def mistake(key: str, *, pt: str | None = None, en: str | None = None):
    """Declares the decorated function a typical mistake of its module's question."""
    def register(fn):
        if _registering is None:
            raise RuntimeError("@mistake is used in a catalogue module (autograders/<a>/mistakes/)")
        _registering.append(Entry(key, fn, {lang: t for lang, t in (("pt", pt), ("en", en)) if t}))
        return fn
    return register


_loaded: dict = {}


def load(assignment_folder: Path) -> dict:
    """{question: Catalogue} of one content folder (loaded once per process)."""
    global _registering
    folder = Path(assignment_folder) / FOLDER
    key = str(folder.resolve())
    if key in _loaded:
        return _loaded[key]
    catalogues = {}
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        if path.name.startswith("_"):
            continue
        _registering = []
        try:
            spec = importlib.util.spec_from_file_location(f"rnnquiz_mistakes.{folder.parent.name}.{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            catalogues[path.stem] = Catalogue(path.stem, _registering, getattr(module, "probes", None))
        finally:
            _registering = None
    _loaded[key] = catalogues
    return catalogues


def texts(assignment_folder: Path) -> dict:
    """{key: {lang: text}} the catalogue's entries carry."""
    out = {}
    for catalogue in load(assignment_folder).values():
        for entry in catalogue.entries:
            if entry.texts:
                out.setdefault(entry.key, {}).update(entry.texts)
    return out


class Recorder:
    """The student's code, with every call and its answer kept (for ``explain``)."""

    def __init__(self, runner):
        self.runner, self.calls = runner, []

    def call(self, name, *args, **kwargs):
        try:
            got = self.runner.call(name, *args, **kwargs)
        except Exception as exc:
            self.calls.append((name, args, kwargs, exc))
            raise
        self.calls.append((name, args, kwargs, got))
        return got

    def __getattr__(self, attr):
        return getattr(self.runner, attr)


def explain(catalogue: Catalogue, recorder: Recorder, seed: int) -> str | None:
    """The one catalogued mistake that gives the student's answer on every input
    this check tried and on the probes; None when none or several do."""
    if catalogue.probes is not None:
        for args in catalogue.probes(np.random.default_rng(seed)):
            try:
                recorder.call(catalogue.question, *args)
            except Exception:
                return None  # an input where the student's code fails: no variant explains it
    calls = [c for c in recorder.calls if c[0] == catalogue.question and not c[2].get("return_modules")]
    if not calls or any(isinstance(c[3], BaseException) for c in calls):
        return None
    found = {e.key for e in catalogue.entries if all(_gives(e.variant, args, kwargs, got)
                                                     for _n, args, kwargs, got in calls)}
    return found.pop() if len(found) == 1 else None


def _gives(variant, args, kwargs, got) -> bool:
    try:
        want = variant(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception:
        return False  # a variant that cannot run on this input does not explain it
    return same(got, want)


def same(got, want) -> bool:
    """Does the student's decoded answer equal the variant's (arrays within tolerance)?"""
    if hasattr(want, "detach") and hasattr(want, "numpy"):  # a torch tensor
        want = want.detach().numpy()
    if isinstance(want, (np.ndarray, np.generic)) or (type(want) is float):
        if isinstance(got, wire.Array):
            got = got.value
        elif type(got) in (int, float):
            got = np.asarray(got, dtype=np.float64)
        else:
            return False
        want = np.asarray(want)
        if got.shape != want.shape or got.dtype.kind not in "fiub" or want.dtype.kind not in "fiub":
            return False
        a, b = got.astype(np.float64), want.astype(np.float64)
        scale = float(np.abs(b).max()) if b.size else 0.0
        with np.errstate(all="ignore"):
            return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, scale)))
    if isinstance(want, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(want) and all(map(same, got, want))
    if type(want) is int:
        if isinstance(got, wire.Array) and got.value.shape == () and got.value.dtype.kind in "iu":
            got = int(got.value)
        return type(got) is int and got == want
    return type(got) is type(want) and got == want
