"""quiz_xt_shape: X_t is n x d (batch size by input dimension)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_xt_shape")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_xt_shape", correct="")
