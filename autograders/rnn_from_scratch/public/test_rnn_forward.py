"""rnn_forward: the loop over time steps, against nn.RNN with the same weights."""
import numpy as np
import pytest
import torch

from rnnquiz.checks import (
    Wrong,
    as_array,
    as_tuple,
    call_label,
    check_array,
    close,
    example,
    find_mistake,
    product_scale,
    randn,
)

pytestmark = pytest.mark.question("rnn_forward")


def reference(inputs, H, W_xh, W_hh, b_h):
    rnn = torch.nn.RNN(W_xh.shape[0], W_xh.shape[1])
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh.T)
        rnn.weight_hh_l0.copy_(W_hh.T)
        rnn.bias_ih_l0.copy_(b_h)
        rnn.bias_hh_l0.zero_()
        outputs, h_n = rnn(inputs, H.unsqueeze(0))
    return outputs, h_n[0]


def typical_mistakes(inputs, H, W_xh, W_hh, b_h):
    outputs, _ = reference(inputs, H, W_xh, W_hh, b_h)
    not_carried = torch.stack([torch.tanh(x @ W_xh + H @ W_hh + b_h) for x in inputs])
    state, linear = H, []
    for x in inputs:
        state = x @ W_xh + state @ W_hh + b_h
        linear.append(state)
    return {"batch_major_stack": outputs.transpose(0, 1).numpy(),
            "state_not_carried": not_carried.numpy(),
            "no_tanh": torch.stack(linear).numpy(),
            "last_state_only": outputs[-1].numpy()}


def check(student, args, where):
    what = call_label("rnn_forward", where)
    outputs_ref, last_ref = (t.numpy() for t in reference(*args))
    mistakes = lambda: typical_mistakes(*args)  # made only for a wrong answer
    inputs, H, W_xh, W_hh, b_h = args
    scale = product_scale((inputs[0], W_xh), (H, W_hh)) + float(b_h.abs().max())
    outputs, last = as_tuple(student.call("rnn_forward", *args), what, 2)
    got = as_array(outputs, what)
    same_kind = got.shape == outputs_ref.shape and got.dtype == outputs_ref.dtype
    if same_kind and not close(got, outputs_ref, got.dtype, scale):
        # name the first time step that diverges: that is where to look
        step = next(t for t in range(len(got)) if not close(got[t], outputs_ref[t], got.dtype, scale))
        if step > 0:
            raise Wrong("diverges_at_step", mistake=find_mistake(got, mistakes, got.dtype, scale),
                        what=what, step=step, ok_steps=step - 1)
    check_array(outputs, outputs_ref, what, candidates=mistakes, scale=scale)
    check_array(last, last_ref, what, scale=scale)


def inputs(rng, T, n, d, h):
    return randn(rng, T, n, d), randn(rng, n, h), randn(rng, d, h), randn(rng, h, h), randn(rng, h)


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    check(student, inputs(np.random.default_rng(94), 5, 3, 1, 4), example())
