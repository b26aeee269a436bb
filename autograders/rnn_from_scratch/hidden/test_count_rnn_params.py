"""count_rnn_params, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("count_rnn_params")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_variants(student, rng):
    for i, s in enumerate(sizes(rng, 3, d=(3, 40), h=(5, 64))):
        public.check(student, s["d"], s["h"], variant(i))
