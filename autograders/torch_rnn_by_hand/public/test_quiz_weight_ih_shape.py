"""quiz_weight_ih_shape: weight_ih_l0 has shape (hidden, input) = (4, 2)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_weight_ih_shape")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_weight_ih_shape", correct="")
