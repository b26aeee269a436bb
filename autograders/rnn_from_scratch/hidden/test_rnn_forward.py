"""rnn_forward, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("rnn_forward")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(2)
def test_variants(student, rng):
    for i, s in enumerate(sizes(rng, 3, T=(2, 7), n=(1, 5), d=(1, 6), h=(2, 6))):
        public.check(student, public.inputs(rng, s["T"], s["n"], s["d"], s["h"]), variant(i))
