"""quiz_output_dim, hidden: the answer key.

The output at each step has the vocabulary size |V| (d2l exercise 1, corrected).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_output_dim")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_output_dim", correct="c", mistakes={"a": "output_dim_one", "b": "output_dim_hidden"})
