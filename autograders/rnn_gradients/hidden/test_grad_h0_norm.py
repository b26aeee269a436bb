"""grad_h0_norm, hidden: the variants drawn per student (helpers in ../public/test_grad_h0_norm.py)."""
import pytest

from rnnquiz.checks import public_checks, variant

pytestmark = pytest.mark.question("grad_h0_norm")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(2)
def test_long_sequences(student, rng):
    for i, T_range in enumerate(((10, 20), (20, 30), (30, 40))):
        public.check(student, public.draw(rng, T_range), variant(i))
