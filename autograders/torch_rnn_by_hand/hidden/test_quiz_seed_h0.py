"""quiz_seed_h0, hidden: the answer key.

The seed's input (1, 3, 2) is one step of a batch of 3, so h0 (1, 1, 4) is rejected.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_seed_h0")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_seed_h0", correct="a", mistakes={"b": "h0_seed_shape"})
