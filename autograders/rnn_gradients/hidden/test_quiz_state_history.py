"""quiz_state_history, hidden: the answer key.

H_t is computed from H_{t-1}, which came from H_{t-2}, ...: unrolled, it is a function of every earlier token
(d2l 9.4, exercise 2).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_state_history")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["calculado a partir de h_{t-1}", "desenrolando a recorrência", "função de todos os"],
    "en": ["computed from h_{t-1}", "unrolling the recurrence", "unrolled", "function of every earlier",
           "function of all of"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_state_history", correct="d")
