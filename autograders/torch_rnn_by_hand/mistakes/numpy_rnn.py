"""numpy_rnn's typical mistakes: variants of nn.RNN's forward pass in NumPy (see rnnquiz.grading.catalogue).
Each returns (output, h_n).  The probes have square weights, where x @ weight_ih runs."""
import numpy as np

from rnnquiz.checks import mistake


def probes(rng):
    out = []
    for L, N, H, dtype in ((3, 2, 4, np.float32), (2, 3, 3, np.float64)):
        draw = lambda *shape, dtype=dtype: rng.standard_normal(shape).astype(dtype)  # noqa: E731
        out.append((draw(L, N, H), draw(H, H), draw(H, H), draw(H), draw(H), draw(1, N, H)))
    return out


def loop(x, h0, step):
    h, outputs = h0[0], []
    for x_t in x:
        h = step(x_t, h)
        outputs.append(h)
    return np.stack(outputs).astype(x.dtype), h[None].astype(x.dtype)


def right(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh))


@mistake("numpy_one_bias")
def numpy_rnn(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T))


@mistake("numpy_one_bias")
def _only_b_hh(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + h @ w_hh.T + b_hh))


@mistake("numpy_no_bias", pt="faltaram os dois vieses, bias_ih e bias_hh.",
         en="both biases, bias_ih and bias_hh, are missing.")
def _no_bias(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + h @ w_hh.T))


@mistake("numpy_untransposed")
def _untransposed(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih + b_ih + h @ w_hh + b_hh))


@mistake("numpy_w_hh_untransposed", pt="usou h @ weight_hh em vez de h @ weight_hh.T: como weight_ih, weight_hh "
         "entra transposta.",
         en="used h @ weight_hh instead of h @ weight_hh.T: like weight_ih, weight_hh goes in transposed.")
def _w_hh_untransposed(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + b_ih + h @ w_hh + b_hh))


@mistake("numpy_sigmoid", pt="usou a sigmoide no lugar da tanh: nn.RNN usa tanh por padrão (nonlinearity='tanh').",
         en="used the sigmoid instead of tanh: nn.RNN uses tanh by default (nonlinearity='tanh').")
def _sigmoid(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: 1 / (1 + np.exp(-(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh))))


@mistake("numpy_relu", pt="usou a ReLU no lugar da tanh: nn.RNN usa tanh por padrão (nonlinearity='tanh').",
         en="used ReLU instead of tanh: nn.RNN uses tanh by default (nonlinearity='tanh').")
def _relu(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.maximum(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 0))


@mistake("numpy_no_tanh", pt="faltou a tanh: cada passo é tanh(x_t W_ih^T + b_ih + h W_hh^T + b_hh).",
         en="tanh is missing: each step is tanh(x_t W_ih^T + b_ih + h W_hh^T + b_hh).")
def _no_tanh(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


@mistake("state_not_carried")
def _not_carried(x, w_ih, w_hh, b_ih, b_hh, h0):
    return loop(x, h0, lambda x_t, h: np.tanh(x_t @ w_ih.T + b_ih + h0[0] @ w_hh.T + b_hh))


@mistake("initial_state_returned", pt="devolveu h0 onde se pedia h_n: depois do laço, h_n é o último estado "
         "calculado, com formato (1, N, H).",
         en="returned h0 where h_n was asked for: after the loop, h_n is the last state computed, "
         "with shape (1, N, H).")
def _h0_returned(x, w_ih, w_hh, b_ih, b_hh, h0):
    return right(x, w_ih, w_hh, b_ih, b_hh, h0)[0], h0


@mistake("h_n_missing_layer_dim")
def _h_n_2d(x, w_ih, w_hh, b_ih, b_hh, h0):
    output, h_n = right(x, w_ih, w_hh, b_ih, b_hh, h0)
    return output, h_n[0]


@mistake("skipped_step", pt="pulou um passo de tempo: o laço precisa passar pelos L passos de x.",
         en="skipped a time step: the loop must go through all L steps of x.")
def _skip_first(x, w_ih, w_hh, b_ih, b_hh, h0):
    return right(x[1:], w_ih, w_hh, b_ih, b_hh, h0)


@mistake("skipped_step")
def _skip_last(x, w_ih, w_hh, b_ih, b_hh, h0):
    return right(x[:-1], w_ih, w_hh, b_ih, b_hh, h0)
