"""quiz_output_dim: the output at each step has the vocabulary size |V| (d2l exercise 1, corrected)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_output_dim")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_output_dim", correct="")
