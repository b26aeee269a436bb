"""clip_gradients, hidden: the variants drawn per student (helpers in ../public/test_clip_gradients.py)."""
import pytest

from rnnquiz.checks import public_checks, variant

pytestmark = pytest.mark.question("clip_gradients")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(2)
def test_variants(student, rng):
    for i, above in enumerate((True, False, True, False)):
        grads, theta = public.draw(rng, above)
        public.check(student, grads, theta, variant(i))
