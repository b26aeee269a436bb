"""initial_hidden's typical mistakes: variants of zeros (num_layers, batch, hidden) (see rnnquiz.grading.catalogue)."""
import torch

from rnnquiz.checks import mistake


def probes(rng):
    return [(2, 3, 5), (1, 4, 2)]


@mistake("h0_seed_shape")
def initial_hidden(num_layers, batch_size, hidden_size):
    return torch.zeros(1, 1, hidden_size)


@mistake("h0_batch_major")
def _batch_major(num_layers, batch_size, hidden_size):
    return torch.zeros(batch_size, num_layers, hidden_size)


@mistake("h0_missing_layer_dim", pt="faltou o eixo das camadas: o h0 do nn.RNN tem três eixos, "
         "(num_layers, batch, hidden), mesmo com uma camada só.",
         en="the layers axis is missing: nn.RNN's h0 has three axes, (num_layers, batch, hidden), "
         "even with a single layer.")
def _no_layers(num_layers, batch_size, hidden_size):
    return torch.zeros(batch_size, hidden_size)


@mistake("h0_ones", pt="preencheu com uns: o estado inicial é de zeros.",
         en="filled it with ones: the initial state is zeros.")
def _ones(num_layers, batch_size, hidden_size):
    return torch.ones(num_layers, batch_size, hidden_size)


@mistake("h0_axes_swapped", pt="trocou a ordem dos eixos: o h0 do nn.RNN é (num_layers, batch, hidden).",
         en="swapped the axes: nn.RNN's h0 is (num_layers, batch, hidden).")
def _axes_swapped(num_layers, batch_size, hidden_size):
    return torch.zeros(num_layers, hidden_size, batch_size)
