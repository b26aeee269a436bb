"""Built-in sample submissions: the solution with one answer cell replaced.

Used by the demo and by the project's tests: every typical mistake of
design.md as the code a student would write, with the question it must cost
and the mistake the feedback must name.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from .assignments import COURSE_ROOT


@dataclass(frozen=True)
class Sample:
    name: str       # also the mistake key the feedback must name (None: no name expected)
    question: str   # the only question that loses points
    code: str       # the answer cell's new source
    mistake: str | None = None


def _s(name, question, code, mistake="same"):
    return Sample(name, question, code.strip("\n"), name if mistake == "same" else mistake)


STEP = "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return {}"
FWD = '''def rnn_forward(inputs, H, W_xh, W_hh, b_h):
    outputs = []
{body}'''

MISTAKES = {
    "rnn_from_scratch": [
        _s("no_tanh", "rnn_step", STEP.format("X @ W_xh + H @ W_hh + b_h")),
        _s("w_hh_transposed", "rnn_step", STEP.format("torch.tanh(X @ W_xh + H @ W_hh.T + b_h)")),
        _s("tanh_per_term", "rnn_step", STEP.format("torch.tanh(X @ W_xh) + torch.tanh(H @ W_hh) + b_h")),
        _s("bias_twice", "rnn_step", STEP.format("torch.tanh(X @ W_xh + H @ W_hh + b_h + b_h)")),
        _s("concat_order", "concat_operands", '''
def concat_operands(X, H, W_xh, W_hh):
    return torch.cat((H, X), 1), torch.cat((W_hh, W_xh), 0)'''),
        _s("concat_axis", "concat_operands", '''
def concat_operands(X, H, W_xh, W_hh):
    return torch.cat((X, H), 0), torch.cat((W_xh, W_hh), 1)'''),
        _s("state_not_carried", "rnn_forward", FWD.format(body='''\
    for X in inputs:
        outputs.append(torch.tanh(X @ W_xh + H @ W_hh + b_h))
    return torch.stack(outputs), outputs[-1]''')),
        _s("batch_major_stack", "rnn_forward", FWD.format(body='''\
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs, dim=1), H''')),
        _s("count_two_biases", "count_rnn_params", '''
def count_rnn_params(num_inputs, num_hiddens):
    return num_inputs * num_hiddens + num_hiddens * num_hiddens + 2 * num_hiddens'''),
        _s("count_no_bias", "count_rnn_params", '''
def count_rnn_params(num_inputs, num_hiddens):
    return num_inputs * num_hiddens + num_hiddens * num_hiddens'''),
        _s("hard_coded_count", "count_rnn_params", '''
def count_rnn_params(num_inputs, num_hiddens):
    return 28'''),
        _s("targets_unshifted", "next_char_pairs", '''
def next_char_pairs(text):
    return text, text'''),
        _s("targets_reversed", "next_char_pairs", '''
def next_char_pairs(text):
    return text[1:], text[:-1]'''),
        _s("output_dim_one", "next_char_output_shape", '''
def next_char_output_shape(num_steps, batch_size, vocab_size):
    return (num_steps, batch_size, 1)'''),
        _s("batch_first_shape", "next_char_output_shape", '''
def next_char_output_shape(num_steps, batch_size, vocab_size):
    return (batch_size, num_steps, vocab_size)'''),
        _s("quiz_output_dim_one_char", "quiz_output_dim", 'quiz_output_dim = "a"', "output_dim_one"),
    ],
}

# One notebook a demo grades as "typical mistakes": a few of the above together.
DEMO_MIX = {
    "rnn_from_scratch": ["w_hh_transposed", "state_not_carried", "count_two_biases",
                         "quiz_output_dim_one_char"],
}


def solution_path(assignment_id: str, root: Path = COURSE_ROOT) -> Path:
    return root / "solutions" / assignment_id / f"{assignment_id}.ipynb"


def release_path(assignment_id: str, root: Path = COURSE_ROOT) -> Path:
    return root / "assignments" / assignment_id / f"{assignment_id}.ipynb"


def with_answers(notebook: dict, answers: dict) -> dict:
    """A copy of ``notebook`` whose answer cells (by grade id) hold new code."""
    nb = copy.deepcopy(notebook)
    found = set()
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
            found.add(gid)
    missing = set(answers) - found
    if missing:
        raise KeyError(f"no answer cell with grade id {sorted(missing)}")
    return nb


def mistake(assignment_id: str, name: str) -> Sample:
    base = assignment_id.removesuffix("_en")
    return next(s for s in MISTAKES[base] if s.name == name)


def write_sample(assignment_id: str, names: list, path: Path, root: Path = COURSE_ROOT) -> Path:
    """The solution with the answer cells of the named mistakes replaced."""
    nb = json.loads(solution_path(assignment_id, root).read_text())
    answers = {}
    for name in names:
        s = mistake(assignment_id, name)
        answers[s.question] = s.code
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(with_answers(nb, answers), indent=1, ensure_ascii=False))
    return path
