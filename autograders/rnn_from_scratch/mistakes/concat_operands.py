"""concat_operands' typical mistakes: variants of (cat((X, H), 1), cat((W_xh, W_hh), 0)).
The probes have d == h, where the wrong axis runs instead of raising."""
import torch

from rnnquiz.checks import mistake, randn


def probes(rng):
    return [(randn(rng, n, h), randn(rng, n, h), randn(rng, h, h), randn(rng, h, h)) for n, h in ((2, 3), (3, 4))]


@mistake("concat_order")
def concat_operands(X, H, W_xh, W_hh):
    return torch.cat((H, X), 1), torch.cat((W_hh, W_xh), 0)


@mistake("concat_axis")
def _axis(X, H, W_xh, W_hh):
    return torch.cat((X, H), 0), torch.cat((W_xh, W_hh), 1)


@mistake("concat_order_one_side", pt="trocou a ordem em só uma das concatenações: (X, H) e (W_xh, W_hh) "
         "precisam da mesma ordem, senão o produto não é X W_xh + H W_hh.",
         en="swapped the order in one concatenation only: (X, H) and (W_xh, W_hh) need the same order, "
         "or their product is not X W_xh + H W_hh.")
def _one_side_inputs(X, H, W_xh, W_hh):
    return torch.cat((H, X), 1), torch.cat((W_xh, W_hh), 0)


@mistake("concat_order_one_side")
def _one_side_weights(X, H, W_xh, W_hh):
    return torch.cat((X, H), 1), torch.cat((W_hh, W_xh), 0)
