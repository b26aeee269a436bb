"""set_hand_weights, hidden: the variants drawn per student (reference and helpers: the public file)."""
import numpy as np
import pytest

from rnnquiz.checks import Array, call_label, check_array, public_checks, variant

pytestmark = pytest.mark.question("set_hand_weights")

public = public_checks(__file__)  # the reference and helpers of the public checks


@pytest.mark.points(2)
def test_probe_input(student, rng):
    what = call_label("set_hand_weights", variant(0))
    initial, state = public.student_state(student, rng, what)
    x = rng.standard_normal((3, 2, 2)).astype(np.float32)  # non-zero: every input weight shows
    out_ref, _ = public.run(public.expected_state(), x)
    out, _ = public.run(state, x)
    mistake = public.diagnose(state, initial)
    check_array(Array(out, "torch"), out_ref, what, candidates={mistake: out} if mistake else None)
