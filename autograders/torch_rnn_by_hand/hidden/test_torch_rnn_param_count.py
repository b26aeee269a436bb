"""torch_rnn_param_count, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import public_checks, sizes, variant

pytestmark = pytest.mark.question("torch_rnn_param_count")
public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(1)
def test_other_sizes(student, rng):
    for i, s in enumerate(sizes(rng, 3, i=(1, 30), h=(3, 50))):
        public.check(student, s["i"], s["h"], 1, variant(i))


@pytest.mark.points(1)
def test_stacked_layers(student, rng):
    # layer 2 and up take hidden_size inputs, not input_size
    for i, s in enumerate(sizes(rng, 2, i=(2, 30), h=(3, 40), layers=(2, 3))):
        if s["i"] == s["h"]:
            s["i"] += 1  # keep input_size != hidden_size so the mistake shows
        public.check(student, s["i"], s["h"], s["layers"], variant(i))
