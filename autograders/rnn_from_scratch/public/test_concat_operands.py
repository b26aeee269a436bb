"""concat_operands: (cat((X, H), 1), cat((W_xh, W_hh), 0)), and the identity they satisfy."""
import numpy as np
import pytest
import torch

from rnnquiz.checks import (
    Array,
    as_tuple,
    call_label,
    call_naming_errors,
    check_array,
    example,
    product_scale,
    randn,
)

pytestmark = pytest.mark.question("concat_operands")


def check(student, X, H, W_xh, W_hh, where):
    what = call_label("concat_operands", where)
    # torch refuses cat((X, H), 0) when d != h: the wrong axis, named
    got = call_naming_errors(student, "concat_operands", X, H, W_xh, W_hh,
                             raised={"Sizes of tensors must match": "concat_axis"})
    XH, W = as_tuple(got, what, 2)
    check_array(XH, torch.cat((X, H), 1).numpy(), what, candidates={
        "concat_order": torch.cat((H, X), 1).numpy(), "concat_axis": _cat0(X, H)})
    check_array(W, torch.cat((W_xh, W_hh), 0).numpy(), what, candidates={
        "concat_order": torch.cat((W_hh, W_xh), 0).numpy(), "concat_axis": _cat1(W_xh, W_hh)})
    # the identity of d2l 9.4: cat((X, H), 1) @ cat((W_xh, W_hh), 0) == X W_xh + H W_hh
    product = Array(XH.value @ W.value, "torch")
    check_array(product, (X @ W_xh + H @ W_hh).numpy(), what,
                scale=product_scale((X, W_xh), (H, W_hh)))


def _cat0(X, H):
    return torch.cat((X, H), 0).numpy() if X.shape[1] == H.shape[1] else np.zeros((0,))


def _cat1(W_xh, W_hh):
    return torch.cat((W_xh, W_hh), 1).numpy() if W_xh.shape[0] == W_hh.shape[0] else np.zeros((0,))


@pytest.mark.public
@pytest.mark.points(1)
def test_example(student):
    rng = np.random.default_rng(94)  # d2l's shapes: X (3, 1), H (3, 4)
    check(student, randn(rng, 3, 1), randn(rng, 3, 4), randn(rng, 1, 4), randn(rng, 4, 4), example())
