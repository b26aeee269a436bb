"""quiz_batch_first_h0: batch_first does not change h0: it stays (num_layers, N, H)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_batch_first_h0")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_batch_first_h0", correct="")
