"""matrix_power_norms, hidden: the variants drawn per student (helpers in ../public/test_matrix_power_norms.py)."""
import pytest

from rnnquiz.checks import public_checks, variant

pytestmark = pytest.mark.question("matrix_power_norms")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(2)
def test_variants(student, rng):
    for i, kind in enumerate(("decay", "explode", "transient")):
        W, T = public.draw(rng, kind)
        public.check(student, W, T, variant(i))
