"""initial_hidden, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("initial_hidden")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_variants(student, rng):
    for i, s in enumerate(sizes(rng, 3, layers=(1, 3), batch=(2, 9), hidden=(2, 12))):
        if s["batch"] == s["layers"]:
            s["batch"] += 1  # so that a batch-major answer cannot pass by accident
        public.check(student, s["layers"], s["batch"], s["hidden"], variant(i))
