"""The catalogue: assignments, their languages, questions and points, as data.

Question names are part of the public contract: graders, notebooks' grade ids
(``<name>`` for the answer cell, ``test_<name>`` for the graded test cell),
Gradescope test names and instructors' tooling all use them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
GRADERS_DIR = PACKAGE_DIR.parent / "graders"
COURSE_ROOT = PACKAGE_DIR.parent.parent


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # "function" or "quiz"
    points: int

    @property
    def test_grade_id(self) -> str:
        return f"test_{self.name}"


@dataclass(frozen=True)
class Assignment:
    id: str       # nbgrader assignment id and notebook name
    base: str     # the pt-BR id: graders are shared by both twins
    lang: str     # "pt" or "en"
    questions: tuple

    @property
    def graders_dir(self) -> Path:
        return GRADERS_DIR / self.base

    @property
    def max_score(self) -> int:
        return sum(q.points for q in self.questions)

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)


def _f(name, points):
    return Question(name, "function", points)


def _q(name):
    return Question(name, "quiz", 1)


QUESTIONS = {
    "rnn_from_scratch": (
        _f("rnn_step", 3), _f("concat_operands", 2), _f("rnn_forward", 3),
        _f("count_rnn_params", 2), _f("next_char_pairs", 2), _f("next_char_output_shape", 2),
        _q("quiz_hidden_state"), _q("quiz_param_growth"), _q("quiz_xt_shape"), _q("quiz_output_dim"),
    ),
    "torch_rnn_by_hand": (
        _f("torch_rnn_param_count", 3), _f("set_hand_weights", 3), _f("numpy_rnn", 3),
        _f("initial_hidden", 2),
        _q("quiz_28_vs_32"), _q("quiz_weight_ih_shape"), _q("quiz_batch_first_h0"), _q("quiz_seed_h0"),
    ),
}

ASSIGNMENTS = {}
for _base, _questions in QUESTIONS.items():
    ASSIGNMENTS[_base] = Assignment(_base, _base, "pt", _questions)
    ASSIGNMENTS[_base + "_en"] = Assignment(_base + "_en", _base, "en", _questions)


def get(assignment_id: str) -> Assignment:
    return ASSIGNMENTS[assignment_id]
