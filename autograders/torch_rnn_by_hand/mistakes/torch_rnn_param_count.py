"""torch_rnn_param_count's typical mistakes: variants of nn.RNN's count (see rnnquiz.grading.catalogue)."""
from rnnquiz.checks import mistake


def probes(rng):
    return [(3, 5, 1), (2, 6, 3), (7, 1, 2)]


def per_layer(input_size, hidden_size, num_layers, count):
    return sum(count(input_size if layer == 0 else hidden_size, hidden_size) for layer in range(num_layers))


@mistake("count_one_bias")
def torch_rnn_param_count(input_size, hidden_size, num_layers=1):
    return per_layer(input_size, hidden_size, num_layers, lambda i, h: h * i + h * h + h)


@mistake("count_no_bias")
def _no_bias(input_size, hidden_size, num_layers=1):
    return per_layer(input_size, hidden_size, num_layers, lambda i, h: h * i + h * h)


@mistake("count_no_weight_hh", pt="deixou de fora a matriz recorrente weight_hh (h·h números por camada).",
         en="left out the recurrent matrix weight_hh (h·h numbers per layer).")
def _no_w_hh(input_size, hidden_size, num_layers=1):
    return per_layer(input_size, hidden_size, num_layers, lambda i, h: h * i + 2 * h)


@mistake("count_no_weight_ih", pt="deixou de fora a matriz de entrada weight_ih (h·entradas números por camada).",
         en="left out the input matrix weight_ih (h·inputs numbers per layer).")
def _no_w_ih(input_size, hidden_size, num_layers=1):
    return per_layer(input_size, hidden_size, num_layers, lambda i, h: h * h + 2 * h)


@mistake("count_tensors")
def _tensors(input_size, hidden_size, num_layers=1):
    return 4 * num_layers


@mistake("count_layers_input")
def _layers_input(input_size, hidden_size, num_layers=1):
    return num_layers * (input_size * hidden_size + hidden_size * hidden_size + 2 * hidden_size)


@mistake("count_single_layer")
def _single_layer(input_size, hidden_size, num_layers=1):
    return input_size * hidden_size + hidden_size * hidden_size + 2 * hidden_size


@mistake("hard_coded_count")
def _hard_coded(input_size, hidden_size, num_layers=1):
    return 32
