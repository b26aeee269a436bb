"""quiz_param_growth, hidden: the answer key.

The parameter count does not grow with the number of time steps.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_param_growth")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["reaproveitados em todos os passos", "os mesmos em todos os passos", "não crescem com o tempo",
           "não cresce com o comprimento"],
    "en": ["reused at every step", "same at every step", "do not grow with time", "does not grow with the"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_param_growth", correct="a")
