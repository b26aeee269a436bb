"""clip_gradients: d2l's clipping by the global norm of all gradients together, against
torch.nn.utils.clip_grad_norm_ on parameters whose .grad are copies of the inputs.

Every check mixes calls above θ and below θ, with tensors of very different norms,
so that each typical mistake of typical_mistakes shows.
"""
import numpy as np
import pytest
import torch

from rnnquiz.checks import Array, Wrong, call_label, check_array, close, describe, example, randn

pytestmark = pytest.mark.question("clip_gradients")


def example_grads():
    """The example of the text: norms 5 and 12, 13 together."""
    return [torch.tensor([3.0, 4.0]), torch.tensor([[8.0, 8.0], [4.0, 0.0]])]


def reference(grads, theta) -> list:
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, theta)
    return [p.grad.numpy() for p in params]


def typical_mistakes(grads, theta) -> dict:
    total = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))
    own = lambda g: float(g.double().norm())  # noqa: E731
    return {
        "clip_each_separately": [(g * min(1.0, theta / own(g))).numpy() for g in grads],
        "clip_always_rescales": [(g * (theta / total)).numpy() for g in grads],
        "clip_elementwise": [g.clamp(-theta, theta).numpy() for g in grads],
    }


def scale_of(grads) -> float:
    return max(float(g.abs().max()) for g in grads)


def same(answer, ref, dtype, scale) -> bool:
    return all(close(np.asarray(a), np.asarray(r), dtype, scale) for a, r in zip(answer, ref))


def check(student, grads, theta, where):
    name = "clip_gradients"
    what = call_label(name, where)
    got = student.call(name, [g.clone() for g in grads], theta)
    ref = reference(grads, theta)
    k = len(grads)
    if not isinstance(got, (list, tuple)) or len(got) != k:
        raise Wrong("wrong_type", what=what, expected=f"list of {k} torch.Tensor", got=describe(got))
    bad = next((v for v in got if not (isinstance(v, Array) and v.origin == "torch")), None)
    if bad is not None:
        raise Wrong("wrong_type", what=what, expected=f"list of {k} torch.Tensor",
                    got=describe(got) if isinstance(got, tuple) else f"list with {describe(bad)}")
    answer = [v.value for v in got]
    scale = scale_of(grads)
    mistake = None
    if all(a.shape == r.shape and a.dtype == r.dtype for a, r in zip(answer, ref)):
        mistake = next((key for key, candidate in typical_mistakes(grads, theta).items()
                        if same(answer, candidate, ref[0].dtype, scale * 10)), None)
    for i, (value, r) in enumerate(zip(got, ref)):
        # the whole answer names the mistake; each tensor is checked in turn
        check_array(value, r, call_label(f"{name}(...)[{i}]", where), scale=scale,
                    candidates={mistake: value.value} if mistake else None)


def draw(rng, above: bool):
    """2-4 tensors of different shapes whose norms differ by at least 10x; θ below or
    above their global norm g (never near it)."""
    for _ in range(200):
        k = int(rng.integers(2, 5))
        shapes = [tuple(int(s) for s in rng.integers(1, 6, size=int(rng.integers(1, 3)))) for _ in range(k)]
        exponents = rng.uniform(-1.5, 1.5, size=k)
        exponents[0], exponents[1] = rng.uniform(-1.5, -0.5), rng.uniform(0.5, 1.5)  # one small, one large
        exponents = rng.permutation(exponents)
        grads = [randn(rng, *shape) * float(10 ** e) for shape, e in zip(shapes, exponents)]
        total = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))
        theta = float(np.float32(total * (rng.uniform(0.1, 0.6) if above else rng.uniform(1.5, 4.0))))
        ref = reference(grads, theta)
        mistakes = typical_mistakes(grads, theta)
        shows = [key for key, candidate in mistakes.items()
                 if not same(candidate, ref, np.float32, scale_of(grads) * 10)]
        wanted = {"clip_each_separately", "clip_elementwise"} if above else {"clip_always_rescales"}
        if total >= 1.0 and wanted <= set(shows):
            return grads, theta
    raise RuntimeError("no variant drawn")


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    check(student, example_grads(), 1.3, example())    # g = 13 > θ = 1.3
    check(student, example_grads(), 20.0, example())   # 13 < 20: unchanged
