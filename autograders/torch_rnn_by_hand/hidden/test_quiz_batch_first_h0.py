"""quiz_batch_first_h0, hidden: the answer key.

Batch_first does not change h0: it stays (num_layers, N, H).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_batch_first_h0")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_batch_first_h0", correct="d", mistakes={"a": "h0_batch_major"})
