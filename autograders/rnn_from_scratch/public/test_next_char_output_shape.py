"""next_char_output_shape: the shape of the logits of a real char-level model, run to compare."""
import functools

import pytest
import torch
import torch.nn.functional as F

from rnnquiz.checks import Wrong, as_shape, call_label, example

pytestmark = pytest.mark.question("next_char_output_shape")


@functools.lru_cache(maxsize=256)  # a class shares the example: build each model once per process
def reference(num_steps, batch_size, vocab_size, num_hiddens=8):
    """Run the model of d2l 9.4.3 (one-hot tokens, nn.RNN, nn.Linear); the shape of its logits."""
    tokens = torch.randint(vocab_size, (batch_size, num_steps), generator=torch.Generator().manual_seed(0))
    X = F.one_hot(tokens.T, vocab_size).float()  # one-hot tokens, laid out as nn.RNN reads them
    rnn = torch.nn.RNN(vocab_size, num_hiddens)
    head = torch.nn.Linear(num_hiddens, vocab_size)
    with torch.no_grad():
        Y, _ = rnn(X)
        return tuple(head(Y).shape)


def check(student, T, n, V, where):
    what = call_label("next_char_output_shape", where)
    got = as_shape(student.call("next_char_output_shape", T, n, V), what)
    expected = reference(T, n, V)
    if got != expected:
        mistake = {(T, n, 1): "output_dim_one", (n, T, V): "batch_first_shape", (T, V): "missing_batch_dim"}.get(got)
        if mistake is None and len(got) == 3 and got[:2] == (T, n) and got[2] != V:
            mistake = "output_dim_hidden"
        raise Wrong("wrong_value", mistake=mistake, what=what, expected=expected, got=got)


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    check(student, 35, 32, 28, example())  # d2l's time machine: 35 steps, batch 32, 28 tokens
