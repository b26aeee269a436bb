"""quiz_hidden_state, hidden: the answer key.

A hidden state is computed from earlier steps; a hidden layer sits between input and output.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_hidden_state")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["estado oculto não é levado", "levado de um passo para o outro",
           "calculada a partir dos passos anteriores", "camada entre a entrada e a saída",
           "o estado oculto é uma entrada"],
    "en": ["hidden state is not carried", "carried between steps", "computed from the earlier steps",
           "layer between input and output", "the hidden state is an input"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_hidden_state", correct="c")
