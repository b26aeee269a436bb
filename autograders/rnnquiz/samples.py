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
    name: str       # the sample's name
    question: str   # the only question that loses points (all of them unless ``partial``)
    code: str       # the answer cell's new source
    mistake: str | None = None  # the mistake key the feedback must name
    partial: bool = False       # keeps the public example's point by design


def _s(name, question, code, mistake="same", partial=False):
    return Sample(name, question, code.strip("\n"), name if mistake == "same" else mistake, partial)


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
    return 28''', partial=True),
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

COUNT = "def torch_rnn_param_count(input_size, hidden_size, num_layers=1):\n    return {}"
SET = """def set_hand_weights(rnn):
    with torch.no_grad():
{body}"""
NUMPY = """def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    h, outputs = h0[0], []
    for x_t in x:
        h = np.tanh({expr})
        outputs.append(h)
    return {ret}"""
SEED_REST = """        rnn.weight_hh_l0.copy_(torch.tensor(w_hh.T, dtype=torch.float32))
        rnn.bias_ih_l0.copy_(torch.tensor(bias_ih, dtype=torch.float32))
        rnn.bias_hh_l0.copy_(torch.tensor({bias_hh}, dtype=torch.float32))"""
LAYERS = ("sum(hidden_size * (input_size if layer == 0 else hidden_size) + hidden_size * hidden_size"
          " + {bias} for layer in range(num_layers))")
GOOD_STEP = "x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh"

MISTAKES["torch_rnn_by_hand"] = [
    _s("count_one_bias", "torch_rnn_param_count", COUNT.format(LAYERS.format(bias="hidden_size"))),
    _s("count_no_bias", "torch_rnn_param_count", COUNT.format(LAYERS.format(bias="0"))),
    _s("count_tensors", "torch_rnn_param_count", COUNT.format(
        "len(list(torch.nn.RNN(input_size, hidden_size, num_layers).parameters()))")),
    _s("count_layers_input", "torch_rnn_param_count", COUNT.format(  # right for one layer
        "num_layers * (input_size * hidden_size + hidden_size * hidden_size + 2 * hidden_size)"),
       partial=True),
    _s("hard_coded_32", "torch_rnn_param_count", COUNT.format("32"), "hard_coded_count", partial=True),
    _s("reshape_not_transpose", "set_hand_weights", SET.format(body=(
        "        rnn.weight_ih_l0.copy_(torch.tensor(w_ih.reshape(4, 2), dtype=torch.float32))\n"
        + SEED_REST.format(bias_hh="bias_hh"))), partial=True),  # zeros cannot see it (the seed's test)
    _s("bias_both_vectors", "set_hand_weights", SET.format(body=(
        "        rnn.weight_ih_l0.copy_(torch.tensor(w_ih.T, dtype=torch.float32))\n"
        + SEED_REST.format(bias_hh="bias_ih")))),
    _s("weights_untouched", "set_hand_weights", SET.format(body=(
        "        new = torch.nn.RNN(2, 4, 1)  # a new module: the one passed in keeps its weights\n"
        "        new.weight_ih_l0.copy_(torch.tensor(w_ih.T, dtype=torch.float32))"))),
    _s("numpy_untransposed", "numpy_rnn", NUMPY.format(
        expr="x_t @ weight_ih + bias_ih + h @ weight_hh + bias_hh", ret="np.stack(outputs), h[None]")),
    _s("numpy_one_bias", "numpy_rnn", NUMPY.format(
        expr="x_t @ weight_ih.T + bias_ih + h @ weight_hh.T", ret="np.stack(outputs), h[None]")),
    _s("state_not_carried_numpy", "numpy_rnn", NUMPY.format(
        expr="x_t @ weight_ih.T + bias_ih + h0[0] @ weight_hh.T + bias_hh",
        ret="np.stack(outputs), h[None]"), "state_not_carried"),
    _s("returned_tensors", "numpy_rnn", NUMPY.format(
        expr=GOOD_STEP, ret="torch.from_numpy(np.stack(outputs)), torch.from_numpy(h[None])")),
    _s("h0_seed_shape", "initial_hidden",
       "def initial_hidden(num_layers, batch_size, hidden_size):\n    return torch.zeros(1, 1, hidden_size)"),
    _s("h0_batch_major", "initial_hidden",
       "def initial_hidden(num_layers, batch_size, hidden_size):\n"
       "    return torch.zeros(batch_size, num_layers, hidden_size)"),
    _s("quiz_seed_h0_runs", "quiz_seed_h0", 'quiz_seed_h0 = "b"', "h0_seed_shape"),
]

# One notebook a demo grades as "typical mistakes": a few of the above together.
DEMO_MIX = {
    "rnn_from_scratch": ["w_hh_transposed", "state_not_carried", "count_two_biases",
                         "quiz_output_dim_one_char"],
    "torch_rnn_by_hand": ["count_one_bias", "reshape_not_transpose", "returned_tensors",
                          "quiz_seed_h0_runs"],
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
