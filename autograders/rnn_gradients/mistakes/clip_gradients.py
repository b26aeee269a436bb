"""clip_gradients' typical mistakes: variants of clipping by the global norm (see rnnquiz.grading.catalogue)."""
import torch

from rnnquiz.checks import mistake


def probes(rng):
    out = []
    for theta in (0.5, 50.0):
        grads = [torch.from_numpy(rng.standard_normal(s).astype("float32") * k)
                 for s, k in (((3,), 0.2), ((2, 2), 5.0))]
        out.append((grads, theta))
    return out


def _norm(grads) -> float:
    return float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))


@mistake("clip_each_separately")
def clip_gradients(grads, theta):
    return [g * min(1.0, theta / float(g.double().norm())) for g in grads]


@mistake("clip_always_rescales")
def _always(grads, theta):
    return [g * (theta / _norm(grads)) for g in grads]


@mistake("clip_elementwise")
def _elementwise(grads, theta):
    return [g.clamp(-theta, theta) for g in grads]


@mistake("clip_inverted_factor", pt="inverteu o fator: acima do limite, os gradientes são multiplicados por θ/g "
         "(menor que 1), não por g/θ.",
         en="inverted the factor: above the threshold the gradients are multiplied by θ/g (less than 1), "
         "not by g/θ.")
def _inverted(grads, theta):
    g = _norm(grads)
    return [x * (g / theta) if g > theta else x for x in grads]


@mistake("clip_norm_squared", pt="usou a soma dos quadrados sem a raiz como norma g.",
         en="used the sum of squares, without the square root, as the norm g.")
def _squared(grads, theta):
    g = _norm(grads) ** 2
    return [x * (theta / g) if g > theta else x for x in grads]


@mistake("clip_not_applied", pt="devolveu os gradientes sem recortar: acima do limite, multiplique-os por θ/g "
         "(e devolva os tensores recortados).",
         en="returned the gradients unclipped: above the threshold multiply them by θ/g (and return the clipped "
         "tensors).")
def _not_applied(grads, theta):
    return [g for g in grads]
