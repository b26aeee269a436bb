"""next_char_output_shape, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("next_char_output_shape")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_variants(student, rng):
    for i, s in enumerate(sizes(rng, 2, T=(2, 40), n=(2, 16), V=(5, 60))):
        public.check(student, s["T"], s["n"], s["V"], variant(i))
