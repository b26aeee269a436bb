"""numpy_rnn, hidden: the variants drawn per student (reference and helpers: the public file)."""
import numpy as np
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("numpy_rnn")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_float32_variants(student, rng):
    drawn = sizes(rng, 2, L=(2, 6), N=(1, 5), H_in=(1, 6), H=(2, 7))
    drawn.append({**drawn[0], "H_in": drawn[0]["H"]})  # square weights: an untransposed x @ w_ih runs
    for i, s in enumerate(drawn):
        public.check(student, public.inputs(rng, s["L"], s["N"], s["H_in"], s["H"], np.float32), variant(i))


@pytest.mark.points(1)
def test_float64_variants(student, rng):
    for i, s in enumerate(sizes(rng, 2, L=(2, 6), N=(1, 5), H_in=(1, 6), H=(2, 7))):
        public.check(student, public.inputs(rng, s["L"], s["N"], s["H_in"], s["H"], np.float64), variant(i + 3))
