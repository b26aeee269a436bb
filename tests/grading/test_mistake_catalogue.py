"""The catalogue of typical mistakes names a cause only when it explains every answer.

Each catalogued mistake is named by its sample (tests/grading/test_grading.py, both
languages). Here: answers close to a catalogued mistake but not one of them (near
misses, two mistakes at once, a mistake on the example only) lose their points
and get no cause, only what differs.
"""
import pytest

from rnnquiz.outputs.text import render as render_text
from support import full_marks, grade_notebooks, submission

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

NEAR_MISSES = {
    "rnn_from_scratch": {
        "half_bias": ("rnn_step", '''
def rnn_step(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + H @ W_hh + 0.5 * b_h)
'''),
        "sigmoid_and_no_bias": ("rnn_step", '''
def rnn_step(X, H, W_xh, W_hh, b_h):
    return torch.sigmoid(X @ W_xh + H @ W_hh)
'''),
        "damped_forward": ("rnn_forward", '''
def rnn_forward(inputs, H, W_xh, W_hh, b_h):
    outputs = []
    for X in inputs:
        H = 0.9 * torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), H
'''),
        # two biases on the example (2, 4) only: right on every other size
        "two_biases_on_the_example_only": ("count_rnn_params", '''
def count_rnn_params(num_inputs, num_hiddens):
    extra = num_hiddens if (num_inputs, num_hiddens) == (2, 4) else 0
    return num_inputs * num_hiddens + num_hiddens + num_hiddens * num_hiddens + extra
'''),
        "vocab_plus_one": ("next_char_output_shape", '''
def next_char_output_shape(num_steps, batch_size, vocab_size):
    return (num_steps, batch_size, vocab_size + 1)
'''),
    },
    "torch_rnn_by_hand_en": {
        "bias_and_a_half": ("numpy_rnn", '''
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    h, outputs = h0[0], []
    for x_t in x:
        h = np.tanh(x_t @ weight_ih.T + 1.5 * bias_ih + h @ weight_hh.T + bias_hh)
        outputs.append(h)
    return np.stack(outputs), h[None]
'''),
        "hidden_plus_one": ("initial_hidden", '''
def initial_hidden(num_layers, batch_size, hidden_size):
    return torch.zeros(num_layers, batch_size, hidden_size + 1)
'''),
    },
    "rnn_gradients": {
        "half_clip": ("clip_gradients", '''
def clip_gradients(grads, theta):
    g = torch.sqrt(sum((x ** 2).sum() for x in grads))
    return [x * (0.5 * theta / g) for x in grads] if g > theta else grads
'''),
        "norm_times_1_1": ("grad_h0_norm", '''
def grad_h0_norm(inputs, H0, W_xh, W_hh, b_h):
    H0 = H0.clone().requires_grad_(True)
    H = H0
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
    H.sum().backward()
    return 1.1 * H0.grad.norm().item()
'''),
    },
}
CASES = [(aid, name) for aid, cases in NEAR_MISSES.items() for name in cases]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = {}
    for aid, cases in NEAR_MISSES.items():
        nbs = {name: submission(aid, {question: code}) for name, (question, code) in cases.items()}
        out[aid] = grade_notebooks(tmp_path_factory.mktemp(aid), nbs, aid)
    return out


@pytest.mark.parametrize("aid,name", CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_a_near_miss_loses_its_points_and_gets_no_cause(graded, aid, name):
    question = NEAR_MISSES[aid][name][0]
    result = graded[aid][name]
    got = {q.name: q.score for q in result.questions}
    assert got[question] < full_marks(aid)[question], render_text(result)
    assert {k: v for k, v in got.items() if k != question} == \
        {k: v for k, v in full_marks(aid).items() if k != question}, render_text(result)
    assert result.question(question).mistakes == [], render_text(result)
    feedback = result.question(question).feedback(result.lang)
    assert "Likely" not in feedback and "Provável" not in feedback, feedback


def test_the_class_report_counts_the_newly_named_mistakes(tmp_path):
    from rnnquiz.outputs.analysis import summarize
    from rnnquiz.outputs.formats import ClassFiles
    from support import assignment, sample

    aid = "rnn_from_scratch_en"
    names = ("sigmoid_not_tanh", "no_bias", "skipped_step", "initial_state_returned")
    graded = grade_notebooks(tmp_path, {n: submission(aid, {sample(aid, n).question: sample(aid, n).code})
                                        for n in names}, aid)
    rows = {row["question"]: row for row in summarize(list(graded.values()))}
    assert dict(rows["rnn_step"]["mistakes"]) == {"sigmoid_not_tanh": 1, "no_bias": 1}
    assert dict(rows["rnn_forward"]["mistakes"]) == {"skipped_step": 1, "initial_state_returned": 1}
    files = ClassFiles(tmp_path / "report", formats=["report"])
    files.add(list(graded.values()))
    files.finish(assignment(aid).mistakes)
    report = (tmp_path / "report" / "report.md").read_text()
    for name in names:
        assert f"`{name}`: {assignment(aid).mistake_text(name, 'en')}" in report, name
