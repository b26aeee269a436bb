"""quiz_long_gradients: each backward step multiplies by W_hh^T and by tanh' <= 1, so over T steps the
gradient vanishes or explodes like a power (d2l 9.4, exercise 3).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_long_gradients")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_long_gradients", correct="")
