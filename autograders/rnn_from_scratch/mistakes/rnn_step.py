"""rnn_step's typical mistakes: variants of H_t = tanh(X W_xh + H W_hh + b_h) (see rnnquiz.grading.catalogue)."""
import torch

from rnnquiz.checks import mistake, randn


def probes(rng):
    return [(randn(rng, n, d), randn(rng, n, h), randn(rng, d, h), randn(rng, h, h), randn(rng, h))
            for n, d, h in ((2, 3, 4), (4, 2, 3))]


@mistake("no_tanh")
def rnn_step(X, H, W_xh, W_hh, b_h):
    return X @ W_xh + H @ W_hh + b_h


@mistake("sigmoid_not_tanh", pt="usou a sigmoide no lugar da tanh: a RNN de d2l usa tanh, com saída em (-1, 1).",
         en="used the sigmoid instead of tanh: d2l's RNN uses tanh, whose output is in (-1, 1).")
def _sigmoid(X, H, W_xh, W_hh, b_h):
    return torch.sigmoid(X @ W_xh + H @ W_hh + b_h)


@mistake("relu_not_tanh", pt="usou a ReLU no lugar da tanh: a RNN de d2l usa tanh, com saída em (-1, 1).",
         en="used ReLU instead of tanh: d2l's RNN uses tanh, whose output is in (-1, 1).")
def _relu(X, H, W_xh, W_hh, b_h):
    return torch.relu(X @ W_xh + H @ W_hh + b_h)


@mistake("w_hh_transposed")
def _w_hh_transposed(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + H @ W_hh.T + b_h)


@mistake("tanh_per_term")
def _tanh_per_term(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh) + torch.tanh(H @ W_hh) + b_h


@mistake("bias_twice")
def _bias_twice(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + H @ W_hh + 2 * b_h)


@mistake("no_bias", pt="faltou o viés b_h dentro da tanh.", en="the bias b_h is missing inside the tanh.")
def _no_bias(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + H @ W_hh)


@mistake("bias_outside_tanh", pt="somou o viés depois da tanh; ele entra na soma, dentro da tanh.",
         en="added the bias after the tanh; it belongs in the sum, inside the tanh.")
def _bias_outside(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + H @ W_hh) + b_h


@mistake("no_recurrent_term", pt="faltou o termo recorrente H W_hh: sem ele o passo não depende do estado anterior.",
         en="the recurrent term H W_hh is missing: without it the step does not depend on the previous state.")
def _no_recurrent(X, H, W_xh, W_hh, b_h):
    return torch.tanh(X @ W_xh + b_h)


@mistake("no_input_term", pt="faltou o termo da entrada X W_xh: sem ele o passo ignora a entrada.",
         en="the input term X W_xh is missing: without it the step ignores the input.")
def _no_input(X, H, W_xh, W_hh, b_h):
    return torch.tanh(H @ W_hh + b_h)
