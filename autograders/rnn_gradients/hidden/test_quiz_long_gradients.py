"""quiz_long_gradients, hidden: the answer key.

Each backward step multiplies by W_hh^T and by tanh' <= 1, so over T steps the gradient vanishes or explodes
like a power (d2l 9.4, exercise 3).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_long_gradients")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_long_gradients", correct="c")
