"""quiz_seed_h0: the seed's input (1, 3, 2) is one step of a batch of 3, so h0 (1, 1, 4) is rejected."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_seed_h0")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_seed_h0", correct="")
