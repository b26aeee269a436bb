"""count_rnn_params' typical mistakes: variants of d·h + h + h·h (see rnnquiz.grading.catalogue)."""
from rnnquiz.checks import mistake


def probes(rng):
    return [(3, 5), (1, 7), (6, 2)]


@mistake("count_two_biases")
def count_rnn_params(num_inputs, num_hiddens):
    return num_inputs * num_hiddens + 2 * num_hiddens + num_hiddens * num_hiddens


@mistake("count_no_bias")
def _no_bias(num_inputs, num_hiddens):
    return num_inputs * num_hiddens + num_hiddens * num_hiddens


@mistake("count_no_w_hh", pt="deixou de fora a matriz recorrente W_hh (h·h números).",
         en="left out the recurrent matrix W_hh (h·h numbers).")
def _no_w_hh(num_inputs, num_hiddens):
    return num_inputs * num_hiddens + num_hiddens


@mistake("count_no_w_xh", pt="deixou de fora a matriz de entrada W_xh (d·h números).",
         en="left out the input matrix W_xh (d·h numbers).")
def _no_w_xh(num_inputs, num_hiddens):
    return num_hiddens * num_hiddens + num_hiddens


@mistake("count_tensors")
def _three_tensors(num_inputs, num_hiddens):
    return 3


@mistake("count_tensors")
def _four_tensors(num_inputs, num_hiddens):
    return 4


@mistake("hard_coded_count")
def _hard_coded(num_inputs, num_hiddens):
    return 28
