"""grad_h0_norm's typical mistakes: variants of ‖∂(H_T.sum())/∂H0‖_F (see rnnquiz.grading.catalogue)."""
import torch

from rnnquiz.checks import mistake


def probes(rng):
    out = []
    for T, n, d, h in ((6, 2, 3, 4), (9, 3, 2, 3)):
        f = lambda *shape: torch.from_numpy(rng.standard_normal(shape).astype("float32"))  # noqa: E731
        out.append((f(T, n, d), f(n, h) * 0.5, f(d, h) * 0.5, f(h, h) * 0.5, f(h) * 0.1))
    return out


def grads(args, tanh=True, last_step_only=False, loss=lambda H: H.sum()):
    """The gradients of loss(H_T) in float64: {name: gradient} for H0, the weights and the inputs."""
    inputs, H0, W_xh, W_hh, b_h = (a.double().clone().requires_grad_(True) for a in args)
    H = source = H0
    for X in inputs:
        if last_step_only:
            H = source = H.detach().requires_grad_(True)
        Z = X @ W_xh + H @ W_hh + b_h
        H = torch.tanh(Z) if tanh else Z
    g = torch.autograd.grad(loss(H), (source, W_hh, W_xh, inputs), allow_unused=True)
    return dict(zip(("H0", "W_hh", "W_xh", "inputs"), g))


@mistake("grad_last_step_only")
def grad_h0_norm(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h), last_step_only=True)["H0"].norm().item()


@mistake("grad_no_tanh")
def _no_tanh(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h), tanh=False)["H0"].norm().item()


@mistake("grad_wrong_tensor", pt="tomou o gradiente em relação a outro tensor (W_hh, W_xh ou as entradas): "
         "o pedido é ∂(H_T.sum())/∂H0, com H0.requires_grad_(True).",
         en="took the gradient with respect to another tensor (W_hh, W_xh or the inputs): the one asked for "
         "is ∂(H_T.sum())/∂H0, with H0.requires_grad_(True).")
def _wrt_w_hh(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h))["W_hh"].norm().item()


@mistake("grad_wrong_tensor")
def _wrt_w_xh(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h))["W_xh"].norm().item()


@mistake("grad_wrong_tensor")
def _wrt_inputs(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h))["inputs"].norm().item()


@mistake("grad_of_mean", pt="derivou H_T.mean() em vez de H_T.sum(): o gradiente fica dividido pelo número de "
         "elementos de H_T.",
         en="differentiated H_T.mean() instead of H_T.sum(): the gradient ends up divided by the number of "
         "elements of H_T.")
def _mean(inputs, H0, W_xh, W_hh, b_h):
    return grads((inputs, H0, W_xh, W_hh, b_h), loss=lambda H: H.mean())["H0"].norm().item()


@mistake("grad_norm_squared", pt="devolveu o quadrado da norma (soma dos quadrados sem a raiz).",
         en="returned the squared norm (the sum of squares without the square root).")
def _squared(inputs, H0, W_xh, W_hh, b_h):
    return (grads((inputs, H0, W_xh, W_hh, b_h))["H0"] ** 2).sum().item()
