"""quiz_28_vs_32, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_28_vs_32")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_28_vs_32", correct="b")
