"""rnn_forward's typical mistakes: variants of the loop over time steps (see rnnquiz.grading.catalogue).
Each returns (outputs, H_T), as the stub does."""
import torch

from rnnquiz.checks import mistake, randn


def probes(rng):
    return [(randn(rng, T, n, d), randn(rng, n, h), randn(rng, d, h), randn(rng, h, h), randn(rng, h))
            for T, n, d, h in ((4, 2, 3, 4), (3, 3, 2, 3))]


def loop(inputs, H, step):
    outputs = []
    for X in inputs:
        H = step(X, H)
        outputs.append(H)
    return torch.stack(outputs, dim=0), H


def right(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.tanh(X @ W_xh + S @ W_hh + b_h))


@mistake("no_tanh")
def rnn_forward(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: X @ W_xh + S @ W_hh + b_h)


@mistake("sigmoid_not_tanh")
def _sigmoid(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.sigmoid(X @ W_xh + S @ W_hh + b_h))


@mistake("relu_not_tanh")
def _relu(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.relu(X @ W_xh + S @ W_hh + b_h))


@mistake("no_bias")
def _no_bias(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.tanh(X @ W_xh + S @ W_hh))


@mistake("bias_twice")
def _bias_twice(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.tanh(X @ W_xh + S @ W_hh + 2 * b_h))


@mistake("tanh_per_term")
def _tanh_per_term(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.tanh(X @ W_xh) + torch.tanh(S @ W_hh) + b_h)


@mistake("w_hh_transposed")
def _w_hh_transposed(inputs, H, W_xh, W_hh, b_h):
    return loop(inputs, H, lambda X, S: torch.tanh(X @ W_xh + S @ W_hh.T + b_h))


@mistake("state_not_carried")
def _not_carried(inputs, H, W_xh, W_hh, b_h):
    outputs = torch.stack([torch.tanh(X @ W_xh + H @ W_hh + b_h) for X in inputs])
    return outputs, outputs[-1]


@mistake("batch_major_stack")
def _batch_major(inputs, H, W_xh, W_hh, b_h):
    outputs, last = right(inputs, H, W_xh, W_hh, b_h)
    return outputs.transpose(0, 1), last


@mistake("last_state_only")
def _last_only(inputs, H, W_xh, W_hh, b_h):
    _outputs, last = right(inputs, H, W_xh, W_hh, b_h)
    return last, last


@mistake("initial_state_returned", pt="devolveu o estado inicial H onde se pedia o último estado H_T: "
         "depois do laço, devolva o estado que o último passo calculou.",
         en="returned the initial state H where the last state H_T was asked for: after the loop, "
         "return the state the last step computed.")
def _initial_state(inputs, H, W_xh, W_hh, b_h):
    outputs, _last = right(inputs, H, W_xh, W_hh, b_h)
    return outputs, H


@mistake("skipped_step", pt="pulou um passo de tempo: o laço precisa passar por todos os T passos de inputs.",
         en="skipped a time step: the loop must go through all T steps of inputs.")
def _skip_first(inputs, H, W_xh, W_hh, b_h):
    return right(inputs[1:], H, W_xh, W_hh, b_h)


@mistake("skipped_step")
def _skip_last(inputs, H, W_xh, W_hh, b_h):
    return right(inputs[:-1], H, W_xh, W_hh, b_h)


@mistake("state_kept_before_update", pt="guardou o estado antes de atualizá-lo: outputs[t] deve ser o H_t "
         "calculado no passo t, não o estado anterior.",
         en="kept the state before updating it: outputs[t] must be the H_t computed at step t, "
         "not the previous state.")
def _before_update(inputs, H, W_xh, W_hh, b_h):
    outputs, last = right(inputs, H, W_xh, W_hh, b_h)
    return torch.cat((H[None], outputs[:-1])), last
