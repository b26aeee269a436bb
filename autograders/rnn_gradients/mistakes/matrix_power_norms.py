"""matrix_power_norms' typical mistakes: variants of ‖W_hh^t‖₂, t = 1..T (see rnnquiz.grading.catalogue)."""
import torch

from rnnquiz.checks import mistake


def probes(rng):
    return [(torch.from_numpy(rng.standard_normal((h, h)).astype("float32") * 0.4), T) for h, T in ((3, 6), (4, 9))]


def _spectral(A) -> float:
    return torch.linalg.matrix_norm(A, ord=2).item()


def _frobenius(A) -> float:
    return torch.linalg.matrix_norm(A).item()


def _powers(W, first, last):
    W = torch.as_tensor(W, dtype=torch.float64)
    return [torch.linalg.matrix_power(W, t) for t in range(first, last + 1)]


@mistake("frobenius_not_spectral")
def matrix_power_norms(W_hh, T):
    return torch.tensor([_frobenius(P) for P in _powers(W_hh, 1, T)], dtype=torch.float64)


@mistake("elementwise_power")
def _elementwise(W_hh, T):
    W = torch.as_tensor(W_hh, dtype=torch.float64)
    return torch.tensor([_spectral(W ** t) for t in range(1, T + 1)], dtype=torch.float64)


@mistake("elementwise_power")
def _elementwise_frobenius(W_hh, T):
    W = torch.as_tensor(W_hh, dtype=torch.float64)
    return torch.tensor([_frobenius(W ** t) for t in range(1, T + 1)], dtype=torch.float64)


@mistake("power_from_zero")
def _from_zero(W_hh, T):
    return torch.tensor([_spectral(P) for P in _powers(W_hh, 0, T - 1)], dtype=torch.float64)


@mistake("power_from_zero")
def _one_too_many(W_hh, T):
    return torch.tensor([_spectral(P) for P in _powers(W_hh, 0, T)], dtype=torch.float64)


@mistake("norm_power")
def _norm_power(W_hh, T):
    norm = _spectral(torch.as_tensor(W_hh, dtype=torch.float64))
    return torch.tensor([norm ** t for t in range(1, T + 1)], dtype=torch.float64)
