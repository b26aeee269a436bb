"""quiz_batch_first_h0, hidden: the answer key.

Batch_first does not change h0: it stays (num_layers, N, H).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_batch_first_h0")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["(num_layers, n, h)", "não é batch-first", "mesmo com batch_first", "h0 e h_n continuam",
           "batch_first não muda"],
    "en": ["(num_layers, n, h)", "not batch-first", "even with batch_first", "h0 and h_n stay",
           "batch_first does not change", "does not change h0"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_batch_first_h0", correct="c",
                 mistakes={"a": "h0_batch_major"})
