"""quiz_long_gradients, hidden: the answer key.

Each backward step multiplies by W_hh^T and by tanh' <= 1, so over T steps the gradient vanishes or explodes
like a power (d2l 9.4, exercise 3).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_long_gradients")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["tanh' ≤ 1", "desaparecer ou a explodir", "desaparece ou explode", "se comporta como uma potência",
           "produto de fatores w_hh", "fatores tanh'"],
    "en": ["tanh' ≤ 1", "tanh' <= 1", "vanish or explode", "vanishes or explodes", "exploding and vanishing",
           "vanishing and exploding", "behaves like a power", "product of w_hh factors",
           "shrink by orders of magnitude"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_long_gradients", correct="a")
