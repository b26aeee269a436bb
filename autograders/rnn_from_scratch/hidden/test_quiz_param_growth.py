"""quiz_param_growth, hidden: the answer key.

The parameter count does not grow with the number of time steps.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_param_growth")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_param_growth", correct="c")
