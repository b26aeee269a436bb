"""next_char_pairs, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, variant

pytestmark = pytest.mark.question("next_char_pairs")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_variants(student, rng):
    texts = [str(rng.choice(public.WORDS)), "".join(rng.choice(list("abcdefghij ,."), size=int(rng.integers(3, 12))))]
    for i, text in enumerate(texts):
        public.check(student, text, variant(i))
