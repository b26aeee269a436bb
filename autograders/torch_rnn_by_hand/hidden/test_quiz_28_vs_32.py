"""quiz_28_vs_32, hidden: the answer key.

Nn.RNN keeps two bias vectors, so 32 = 28 + 4.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_28_vs_32")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["dois vetores de viés", "o nn.rnn tem dois", "o nn.rnn soma", "2h, como o nn.rnn", "os dois vieses",
           "4 números a mais", "bias_ih e bias_hh"],
    "en": ["two bias vectors", "nn.rnn has two", "nn.rnn adds", "as nn.rnn has", "both biases", "4 more numbers",
           "bias_ih and bias_hh"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_28_vs_32", correct="d")
