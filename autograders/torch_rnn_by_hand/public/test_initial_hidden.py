"""initial_hidden: zeros of shape (num_layers, batch, hidden), accepted by nn.RNN."""
import numpy as np
import pytest
import torch

from rnnquiz.checks import Wrong, as_array, call_label, example

pytestmark = pytest.mark.question("initial_hidden")


def check(student, layers, batch, hidden, where, input_size=2, seq_len=3):
    what = call_label("initial_hidden", where)
    h0 = as_array(student.call("initial_hidden", layers, batch, hidden), what)
    expected = (layers, batch, hidden)
    rnn = torch.nn.RNN(input_size, hidden, layers)
    x = torch.zeros(seq_len, batch, input_size)
    try:  # the real test: does nn.RNN accept it for this batch?
        with torch.no_grad():
            rnn(x, torch.from_numpy(np.ascontiguousarray(h0)).float())
    except RuntimeError as exc:
        mistake = {(1, 1, hidden): "h0_seed_shape", (batch, layers, hidden): "h0_batch_major"}.get(tuple(h0.shape))
        raise Wrong("wrong_shape", mistake=mistake, what=what, expected=expected,
                    got=f"{tuple(h0.shape)} (PyTorch: {str(exc).splitlines()[0]})") from None
    if tuple(h0.shape) != expected:
        raise Wrong("wrong_shape", what=what, expected=expected, got=tuple(h0.shape))
    if h0.dtype.kind != "f" or np.any(h0 != 0):
        raise Wrong("wrong_value", what=what, expected="zeros (float)", got=f"{h0.dtype} max {np.abs(h0).max():.3g}")


@pytest.mark.public
@pytest.mark.points(1)
def test_seed_batch(student):
    check(student, 1, 3, 4, example())  # the seed notebook's input (1, 3, 2)
