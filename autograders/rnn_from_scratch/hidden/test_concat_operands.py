"""concat_operands, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, randn, sizes, variant

pytestmark = pytest.mark.question("concat_operands")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_variants(student, rng):
    drawn = sizes(rng, 2, n=(2, 6), d=(1, 6), h=(2, 6))
    drawn.append({"n": drawn[0]["n"], "d": drawn[0]["h"], "h": drawn[0]["h"]})  # d == h: axis mistakes run
    for i, s in enumerate(drawn):
        n, d, h = s["n"], s["d"], s["h"]
        public.check(student, randn(rng, n, d), randn(rng, n, h), randn(rng, d, h), randn(rng, h, h), variant(i))
