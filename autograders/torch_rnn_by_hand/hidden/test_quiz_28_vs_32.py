"""quiz_28_vs_32, hidden: the answer key.

Nn.RNN keeps two bias vectors, so 32 = 28 + 4.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_28_vs_32")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_28_vs_32", correct="b")
