"""count_rnn_params: d*h + h + h*h, the figure's network with one bias (28 for d=2, h=4)."""
import pytest
import torch

from rnnquiz.checks import Wrong, as_int, call_label, example

pytestmark = pytest.mark.question("count_rnn_params")


def reference(d, h):
    # the figure's network, counted from a real module's parameters
    return sum(p.numel() for p in torch.nn.RNN(d, h).parameters()) - h


def diagnose(got, d, h):
    ref = reference(d, h)
    return {ref + h: "count_two_biases", ref - h: "count_no_bias", 3: "count_tensors",
            4: "count_tensors", 28: "hard_coded_count"}.get(got)


def check(student, d, h, where):
    what = call_label("count_rnn_params", where)
    got = as_int(student.call("count_rnn_params", d, h), what)
    expected = reference(d, h)
    if got != expected:
        raise Wrong("wrong_value", mistake=diagnose(got, d, h), what=what, expected=expected, got=got)


@pytest.mark.public
@pytest.mark.points(1)
def test_figure_network(student):
    check(student, 2, 4, example())
