"""next_char_output_shape's typical mistakes: variants of the logits' shape (see rnnquiz.grading.catalogue)."""
from rnnquiz.checks import mistake


def probes(rng):
    return [(5, 2, 7), (3, 4, 11)]


@mistake("output_dim_one")
def next_char_output_shape(num_steps, batch_size, vocab_size):
    return (num_steps, batch_size, 1)


@mistake("batch_first_shape")
def _batch_first(num_steps, batch_size, vocab_size):
    return (batch_size, num_steps, vocab_size)


@mistake("missing_batch_dim")
def _no_batch(num_steps, batch_size, vocab_size):
    return (num_steps, vocab_size)


@mistake("flattened_steps", pt="juntou passos e lote num só eixo (num_steps · batch_size), como o modelo do d2l "
         "faz antes da camada de saída; aqui se pede a forma da saída do nn.Linear aplicado à saída do nn.RNN.",
         en="merged steps and batch into one axis (num_steps · batch_size), as d2l's model does before its "
         "output layer; here the shape asked for is nn.Linear's output applied to nn.RNN's output.")
def _flattened(num_steps, batch_size, vocab_size):
    return (num_steps * batch_size, vocab_size)


# the hidden sizes of d2l's character models: a last axis of 256 or 512 is the hidden size
@mistake("output_dim_hidden")
def _hidden_256(num_steps, batch_size, vocab_size):
    return (num_steps, batch_size, 256)


@mistake("output_dim_hidden")
def _hidden_512(num_steps, batch_size, vocab_size):
    return (num_steps, batch_size, 512)
