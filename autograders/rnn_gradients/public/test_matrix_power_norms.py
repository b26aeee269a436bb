"""matrix_power_norms: the spectral norms ‖W_hh^t‖₂ for t = 1..T, against torch.linalg
(float64 on the same float32 input).

Accepted: a torch tensor or a NumPy array of shape (T,), float32 or float64 (a float32
W_hh answered in float64 through NumPy is fine). Values are compared with a relative
tolerance: the norms span orders of magnitude, and float32 powers of a non-normal
matrix drift up to ~1.5e-4 from float64 (measured over 3000 draws).
"""
import numpy as np
import pytest
import torch

from rnnquiz.checks import Array, Wrong, call_label, describe, example

pytestmark = pytest.mark.question("matrix_power_norms")

RTOL = 1e-3
# the example of the text: eigenvalues 0.9 and 0.2 (decay), 1.1 and 0.2 (growth)
EXAMPLE = ([[0.5, 0.4], [0.3, 0.6]], [[0.6, 0.5], [0.4, 0.7]])
EXAMPLE_T = 12


def _spectral(A) -> float:
    return torch.linalg.matrix_norm(A, ord=2).item()


def reference(W, T) -> np.ndarray:
    W = torch.as_tensor(W, dtype=torch.float64)
    return np.array([_spectral(torch.linalg.matrix_power(W, t)) for t in range(1, T + 1)])


def typical_mistakes(W, T) -> list:
    """(mistake, the answer it gives); a mistake may give several answers."""
    W = torch.as_tensor(W, dtype=torch.float64)
    powers = [torch.linalg.matrix_power(W, t) for t in range(T + 1)]
    frobenius = lambda A: torch.linalg.matrix_norm(A).item()  # noqa: E731
    steps = range(1, T + 1)
    return [
        ("frobenius_not_spectral", [frobenius(P) for P in powers[1:]]),
        ("elementwise_power", [_spectral(W ** t) for t in steps]),
        ("elementwise_power", [frobenius(W ** t) for t in steps]),
        ("power_from_zero", [_spectral(P) for P in powers[:-1]]),   # range(T): starts with ‖I‖ = 1
        ("power_from_zero", [_spectral(P) for P in powers]),        # range(T + 1): one too many
        ("norm_power", [_spectral(W) ** t for t in steps]),
    ]


def near(got, ref, rtol=RTOL) -> bool:
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    with np.errstate(all="ignore"):
        return got.shape == ref.shape and bool(np.all(np.abs(got - ref) <= rtol * np.abs(ref)))


def named(arr, mistakes) -> str | None:
    return next((key for key, answer in mistakes if near(arr, answer, 10 * RTOL)), None)


def check(student, W, T, where):
    what = call_label("matrix_power_norms", where)
    got = student.call("matrix_power_norms", W, T)
    ref = reference(W, T)
    mistakes = typical_mistakes(W, T)
    if not (isinstance(got, Array) and got.origin in ("torch", "numpy")):
        raise Wrong("wrong_type", what=what, expected=f"torch.Tensor / np.ndarray {(T,)}", got=describe(got))
    arr = got.value
    if arr.shape != ref.shape:
        raise Wrong("wrong_shape", mistake=named(arr, mistakes), what=what, expected=ref.shape, got=arr.shape)
    if arr.dtype not in (np.float32, np.float64):
        raise Wrong("wrong_dtype", what=what, expected="float32 / float64", got=str(arr.dtype))
    if not near(arr, ref):
        with np.errstate(all="ignore"):
            rel = np.abs(arr.astype(np.float64) - ref) / ref
        i = int(np.argmax(np.where(np.isnan(rel), np.inf, rel)))
        raise Wrong("wrong_values", mistake=named(arr, mistakes), what=what,
                    diff=float(abs(float(arr[i]) - ref[i])), index=(i,), expected=float(ref[i]), got=float(arr[i]))


def draw(rng, kind: str):
    """W_hh (float32) and T for one variant; ``kind`` says what its powers do.

    decay: ‖W‖₂ < 1, every power shrinks; explode: spectral radius > 1, the powers
    grow; transient: ‖W‖₂ > 1 but spectral radius < 1, they grow first, then shrink.
    Draws whose norms leave [1e-6, 1e4] or where a typical mistake lands within 5%
    of the reference everywhere are drawn again, so every mistake shows.
    """
    for _ in range(200):
        h, T = int(rng.integers(3, 7)), int(rng.integers(8, 26))
        G = rng.standard_normal((h, h))
        radius, norm = np.abs(np.linalg.eigvals(G)).max(), np.linalg.norm(G, 2)
        if kind == "decay":
            W = G * (rng.uniform(0.75, 0.92) / norm)
        elif kind == "explode":
            W = G * (rng.uniform(1.08, 1.2) / radius)
        else:
            W = G * (rng.uniform(0.8, 0.92) / radius)
            if np.linalg.norm(W, 2) < 1.1:
                continue
        W = W.astype(np.float32)
        ref = reference(W, T)
        if ref.min() < 1e-6 or ref.max() > 1e4:
            continue
        if any(near(answer, ref, 0.05) for _key, answer in typical_mistakes(W, T) if len(answer) == T):
            continue
        return torch.from_numpy(W), T
    raise RuntimeError(f"no {kind} matrix drawn")


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    for W in EXAMPLE:
        check(student, torch.tensor(W, dtype=torch.float32), EXAMPLE_T, example())
