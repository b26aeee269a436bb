"""set_hand_weights: the seed's weights loaded into nn.RNN(2, 4, 1), checked by running it.

Zeros with an identity W_hh cannot tell some wrong weights from the right ones
(the seed's own test): the notebook's cell adds a non-zero probe, and so does
this check, so that both tell the student what the hidden probe will decide.
"""
import numpy as np
import pytest
import torch

from rnnquiz.checks import Array, Module, Wrong, call_label, check_array, describe, example

pytestmark = pytest.mark.question("set_hand_weights")

W_IH = np.array([[1., 2., 3., 4.], [5., 6., 7., 8.]], dtype=np.float32)   # (inputs, hidden) as in the seed
BIAS_IH = np.array([0.1, 0., 0., 0.], dtype=np.float32)
W_HH = np.eye(4, dtype=np.float32)
BIAS_HH = np.zeros(4, dtype=np.float32)
KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
# the notebook's inputs: the seed's zeros (2 steps, batch of 3), then one step of (0.1, 0) and (0, 0.1)
SEED_ZEROS = np.zeros((2, 3, 2), dtype=np.float32)
PROBE = np.array([[[0.1, 0.0], [0.0, 0.1]]], dtype=np.float32)


def expected_state():
    return {"weight_ih_l0": W_IH.T, "weight_hh_l0": W_HH.T, "bias_ih_l0": BIAS_IH, "bias_hh_l0": BIAS_HH}


def typical_states(initial):
    good = expected_state()
    return {
        "reshape_not_transpose": {**good, "weight_ih_l0": W_IH.reshape(4, 2)},
        "bias_both_vectors": {**good, "bias_hh_l0": BIAS_IH},
        "weights_untouched": initial,
    }


def run(state, x):
    rnn = torch.nn.RNN(2, 4, 1)
    with torch.no_grad():
        for key in KEYS:
            getattr(rnn, key).copy_(torch.from_numpy(np.asarray(state[key], dtype=np.float32)))
        h0 = torch.zeros(1, x.shape[1], 4)
        out, h_n = rnn(torch.from_numpy(x), h0)
    return out.numpy(), h_n.numpy()


def student_state(student, rng, what):
    """Hand the student a fresh nn.RNN(2, 4, 1) with random weights; read back its state."""
    initial = {k: v.detach().numpy().copy() for k, v in torch.nn.RNN(2, 4, 1).state_dict().items()}
    for k in initial:
        initial[k] = rng.standard_normal(initial[k].shape).astype(np.float32)
    module = Module("RNN", {"input_size": 2, "hidden_size": 4, "num_layers": 1},
                         {k: Array(v, "torch") for k, v in initial.items()})
    _value, modules = student.call("set_hand_weights", module, return_modules=True)
    state = modules[0] if modules else None
    if type(state) is not dict or set(state) != set(KEYS):
        raise Wrong("wrong_type", what=what, expected=f"nn.RNN state {list(KEYS)}", got=describe(state))
    arrays = {}
    for key in KEYS:
        value = state[key]
        ref = expected_state()[key]
        if not isinstance(value, Array) or value.value.shape != ref.shape:
            raise Wrong("wrong_shape", mistake="weights_not_transposed" if key == "weight_ih_l0" else None,
                        what=f"{what}: {key}", expected=ref.shape, got=describe(value))
        arrays[key] = value.value
    return initial, arrays


def diagnose(state, initial):
    for mistake, candidate in typical_states(initial).items():
        if all(np.allclose(state[k], candidate[k], atol=1e-6) for k in KEYS):
            return mistake
    return None


@pytest.mark.public
@pytest.mark.points(1)
def test_notebook_inputs(student, rng):
    what = call_label("set_hand_weights", example())
    initial, state = student_state(student, rng, what)
    mistake = diagnose(state, initial)
    for x in (SEED_ZEROS, PROBE):  # zeros: 0.0997 then 0.1971 in the first unit; the probe: tanh(0.1 w_ih + b)
        out_ref, h_ref = run(expected_state(), x)
        out, h_n = run(state, x)
        check_array(Array(out, "torch"), out_ref, what, candidates={mistake: out} if mistake else None)
        check_array(Array(h_n, "torch"), h_ref, what)
