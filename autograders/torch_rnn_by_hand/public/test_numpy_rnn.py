"""numpy_rnn: nn.RNN's forward pass in NumPy, torch's weight layout, float32 and float64."""
import numpy as np
import pytest
import torch

from rnnquiz.checks import as_tuple, call_label, call_naming_errors, check_array, example

pytestmark = pytest.mark.question("numpy_rnn")


def inputs(rng, L, N, H_in, H, dtype):
    draw = lambda *shape: rng.standard_normal(shape).astype(dtype)  # noqa: E731
    return draw(L, N, H_in), draw(H, H_in), draw(H, H), draw(H), draw(H), draw(1, N, H)


def reference(x, w_ih, w_hh, b_ih, b_hh, h0):
    rnn = torch.nn.RNN(w_ih.shape[1], w_ih.shape[0], 1)
    if x.dtype == np.float64:
        rnn = rnn.double()
    with torch.no_grad():
        for param, value in zip((rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0),
                                (w_ih, w_hh, b_ih, b_hh)):
            param.copy_(torch.from_numpy(value))
        out, h_n = rnn(torch.from_numpy(x), torch.from_numpy(h0))
    return out.numpy(), h_n.numpy()


def typical_mistakes(x, w_ih, w_hh, b_ih, b_hh, h0):
    def loop(step):
        h, outs = h0[0], []
        for x_t in x:
            h = step(x_t, h)
            outs.append(h)
        return np.stack(outs)
    out = {"numpy_one_bias": loop(lambda x_t, h: np.tanh(x_t @ w_ih.T + h @ w_hh.T + b_ih)),
           "state_not_carried": loop(lambda x_t, h: np.tanh(x_t @ w_ih.T + h0[0] @ w_hh.T + b_ih + b_hh))}
    if w_ih.shape[0] == w_ih.shape[1]:
        out["numpy_untransposed"] = loop(lambda x_t, h: np.tanh(x_t @ w_ih + h @ w_hh + b_ih + b_hh))
    return out


def check(student, args, where):
    what = call_label("numpy_rnn", where)
    # the question may use NumPy only (assignment.toml): its calls run where torch
    # is not installed (``import torch`` gives a stand-in that raises when used),
    # so an answer computed with torch raises, named; x @ weight_ih without .T
    # fails when H != H_in: the untransposed weights, named
    got = call_naming_errors(student, "numpy_rnn", *args,
                             raised={"PyTorch is not available": "computed_with_torch",
                                     "No module named 'torch'": "computed_with_torch",
                                     "matmul": "numpy_untransposed"})
    output, h_n = as_tuple(got, what, 2)
    out_ref, h_ref = reference(*args)
    scale = float(np.abs(args[0]).max() * np.abs(args[1]).sum(1).max() + np.abs(args[2]).sum(1).max() + 2)
    check_array(output, out_ref, what, candidates=lambda: typical_mistakes(*args), scale=scale, origin="numpy")
    check_array(h_n, h_ref, what, scale=scale, origin="numpy",
                candidates={"h_n_missing_layer_dim": out_ref[-1]})


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    check(student, inputs(np.random.default_rng(2), 3, 2, 2, 4, np.float32), example())
