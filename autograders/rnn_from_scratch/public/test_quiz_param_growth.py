"""quiz_param_growth: the parameter count does not grow with the number of time steps."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_param_growth")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_param_growth", correct="")
