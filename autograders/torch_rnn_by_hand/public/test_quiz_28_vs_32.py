"""quiz_28_vs_32: nn.RNN keeps two bias vectors, so 32 = 28 + 4."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_28_vs_32")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_28_vs_32", correct="")
