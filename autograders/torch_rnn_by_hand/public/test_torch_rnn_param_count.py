"""torch_rnn_param_count: the parameters of nn.RNN(i, h, layers), 32 for (2, 4, 1) and 110 for (3, 5, 2)."""
import pytest
import torch

from rnnquiz.checks import Wrong, as_int, call_label, example

pytestmark = pytest.mark.question("torch_rnn_param_count")


def reference(i, h, layers=1):
    return sum(p.numel() for p in torch.nn.RNN(i, h, layers).parameters())


def diagnose(got, i, h, layers):
    ref = reference(i, h, layers)
    guesses = {
        ref - layers * h: "count_one_bias",
        ref - 2 * layers * h: "count_no_bias",
        4 * layers: "count_tensors",
        32: "hard_coded_count",
    }
    if layers > 1:
        guesses[layers * (i * h + h * h + 2 * h)] = "count_layers_input"
        guesses[reference(i, h, 1)] = "count_single_layer"
    return guesses.get(got)


def check(student, i, h, layers, where, pass_layers=True):
    what = call_label("torch_rnn_param_count", where)
    args = (i, h, layers) if pass_layers else (i, h)
    got = as_int(student.call("torch_rnn_param_count", *args), what)
    expected = reference(i, h, layers)
    if got != expected:
        raise Wrong("wrong_value", mistake=diagnose(got, i, h, layers), what=what, expected=expected, got=got)


@pytest.mark.public
@pytest.mark.points(1)
def test_notebook_examples(student):
    check(student, 2, 4, 1, example(), pass_layers=False)  # num_layers defaults to 1
    check(student, 3, 5, 2, example())  # the notebook's cell checks two layers too: so must the self-check
