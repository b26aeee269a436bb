"""rnn_step: one recurrent step, H_t = tanh(X W_xh + H W_hh + b_h), against nn.RNNCell."""
import numpy as np
import pytest
import torch

from rnnquiz.checks import call_label, check_array, example, product_scale, randn

pytestmark = pytest.mark.question("rnn_step")


def reference(X, H, W_xh, W_hh, b_h):
    cell = torch.nn.RNNCell(W_xh.shape[0], W_xh.shape[1], nonlinearity="tanh")
    with torch.no_grad():
        cell.weight_ih.copy_(W_xh.T)
        cell.weight_hh.copy_(W_hh.T)
        cell.bias_ih.copy_(b_h)
        cell.bias_hh.zero_()
        return cell(X, H)


def typical_mistakes(X, H, W_xh, W_hh, b_h):
    xw, hw = X @ W_xh, H @ W_hh
    return {
        "no_tanh": xw + hw + b_h,
        "w_hh_transposed": torch.tanh(xw + H @ W_hh.T + b_h),
        "tanh_per_term": torch.tanh(xw) + torch.tanh(hw) + b_h,
        "bias_twice": torch.tanh(xw + hw + 2 * b_h),
    }


def inputs(rng, n, d, h):
    return randn(rng, n, d), randn(rng, n, h), randn(rng, d, h), randn(rng, h, h), randn(rng, h)


def check(student, args, where):
    got = student.call("rnn_step", *args)
    X, H, W_xh, W_hh, b_h = args
    scale = product_scale((X, W_xh), (H, W_hh)) + float(b_h.abs().max())
    check_array(got, reference(*args).numpy(), call_label("rnn_step", where),
                candidates=lambda: {k: v.numpy() for k, v in typical_mistakes(*args).items()}, scale=scale)


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    # the shapes of d2l 9.4's example
    check(student, inputs(np.random.default_rng(94), 3, 1, 4), example())
