"""quiz_xt_shape, hidden: the answer key.

X_t is n x d (batch size by input dimension).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_xt_shape")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["x_t tem formato n", "n × d", "n x d", "tamanho do lote por dimensão da entrada"],
    "en": ["x_t is n x d", "n × d", "n x d", "batch size by input dimension"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_xt_shape", correct="d")
