"""grad_h0_norm: ‖∂(H_T.sum())/∂H0‖_F through T tanh steps, against autograd in float64
on the same float32 inputs.

Accepted: a Python float (or int), or a 0-d tensor / NumPy scalar. A tensor of the
gradient's shape (n, h) is "the gradient instead of its norm". Values are compared
with a relative tolerance: the norms span orders of magnitude from one variant to
another, and float32 autograd drifts up to ~2e-4 from float64 (measured).
"""
import math

import numpy as np
import pytest
import torch

from rnnquiz.checks import Array, Wrong, call_label, call_naming_errors, describe, example, sizes

pytestmark = pytest.mark.question("grad_h0_norm")

RTOL = 1e-3


def example_inputs():
    """The example of the text: torch.manual_seed(94), then these draws in this order."""
    g = torch.Generator().manual_seed(94)
    inputs = torch.randn(20, 3, 2, generator=g)
    W_xh = torch.randn(2, 4, generator=g) * 0.5
    W_hh = torch.randn(4, 4, generator=g) * 0.5
    return inputs, torch.zeros(3, 4), W_xh, W_hh, torch.zeros(4)


def gradient(args, tanh=True, last_step_only=False) -> torch.Tensor:
    """∂(H_T.sum())/∂H0 in float64 (or ∂/∂H_{T-1} when only the last step is crossed)."""
    inputs, H0, W_xh, W_hh, b_h = (a.double() for a in args)
    H0 = H0.clone().requires_grad_(True)
    H = source = H0
    for X in inputs:
        if last_step_only:
            H = source = H.detach().requires_grad_(True)
        Z = X @ W_xh + H @ W_hh + b_h
        H = torch.tanh(Z) if tanh else Z
    (grad,) = torch.autograd.grad(H.sum(), source)
    return grad


def reference(args) -> float:
    return gradient(args).norm().item()


def typical_mistakes(args) -> list:
    return [("grad_last_step_only", gradient(args, last_step_only=True).norm().item()),
            ("grad_no_tanh", gradient(args, tanh=False).norm().item())]


def as_number(got, what, grad_shape) -> float:
    if type(got) in (int, float):
        return float(got)
    if isinstance(got, Array) and got.value.shape == () and got.value.dtype.kind in "fiu":
        return float(got.value)
    shape = tuple(got.value.shape) if isinstance(got, Array) else None
    raise Wrong("wrong_type", mistake="returned_gradient" if shape == grad_shape else None,
                what=what, expected="float", got=describe(got))


def check(student, args, where):
    what = call_label("grad_h0_norm", where)
    # backward() through tensors none of which requires grad: H0 was never tracked, named
    got = call_naming_errors(student, "grad_h0_norm", *args,
                             raised={"does not require grad": "grad_h0_not_tracked"})
    value = as_number(got, what, tuple(args[1].shape))
    ref = reference(args)
    if not (math.isfinite(value) and abs(value - ref) <= RTOL * ref):
        mistake = next((key for key, answer in typical_mistakes(args)
                        if math.isfinite(value) and abs(value - answer) <= 10 * RTOL * abs(answer)), None)
        raise Wrong("wrong_value", mistake=mistake, what=what, expected=f"{ref:.6g}", got=f"{value:.6g}")


def draw(rng, T_range):
    """One variant; redrawn until the norm is in [1e-6, 1e3] and each typical mistake
    lands at least 5% away from it."""
    for _ in range(200):
        s = sizes(rng, 1, T=T_range, n=(2, 5), d=(1, 6), h=(2, 8))[0]
        gain = rng.uniform(0.8, 1.6)
        f = lambda *shape: torch.from_numpy(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
        args = (f(s["T"], s["n"], s["d"]), f(s["n"], s["h"]) * 0.5, f(s["d"], s["h"]) * 0.5,
                f(s["h"], s["h"]) * float(gain / np.sqrt(s["h"])), f(s["h"]) * 0.1)
        ref = reference(args)
        if 1e-6 <= ref <= 1e3 and all(abs(answer - ref) > 0.05 * ref for _k, answer in typical_mistakes(args)):
            return args
    raise RuntimeError("no variant drawn")


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    check(student, example_inputs(), example())
