# ruff: noqa: E501  (a table of student answers, one per line, reads better unwrapped)
"""The share of typical mistakes named with their cause, on answers written apart from the samples.

Each case is the solution with one stub replaced by a typical mistake, written the way
a student might (other names, other loops), with the cause it should be named with
(None: not a catalogued mistake; then nothing may be named).  Prints, per case, the
cause named, then the share named right and the count of wrong causes.

    .venv/bin/python benchmarks/held_out_mistakes.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import grade_notebooks, submission  # noqa: E402

FWD = "def rnn_forward(inputs, H, W_xh, W_hh, b_h):\n    outs = []\n    for t in range(inputs.shape[0]):\n{body}\n"
NP = ("def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):\n    state = h0[0].copy()\n    seq = []\n"
      "    for step in range({rng}):\n        state = {expr}\n        seq.append(state)\n    return {ret}\n")
NP_OK = "np.tanh(x[step] @ weight_ih.T + state @ weight_hh.T + bias_ih + bias_hh)"
CASES = [
    # (assignment, question, code, expected cause)
    ("rnn_from_scratch_en", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    z = torch.mm(X, W_xh) + torch.mm(H, W_hh)\n    return torch.tanh(z)\n", "no_bias"),
    ("rnn_from_scratch", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return 1 / (1 + torch.exp(-(X @ W_xh + H @ W_hh + b_h)))\n", "sigmoid_not_tanh"),
    ("rnn_from_scratch_en", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return torch.clamp(X @ W_xh + H @ W_hh + b_h, min=0)\n", "relu_not_tanh"),
    ("rnn_from_scratch", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return torch.matmul(X, W_xh) + torch.matmul(H, W_hh) + b_h\n", "no_tanh"),
    ("rnn_from_scratch_en", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return torch.tanh(X @ W_xh + b_h)\n", "no_recurrent_term"),
    ("rnn_from_scratch", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return torch.tanh(X @ W_xh + (W_hh @ H.T).T + b_h)\n", "w_hh_transposed"),
    ("rnn_from_scratch_en", "rnn_forward", FWD.format(body="        H = torch.sigmoid(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(H)\n    return torch.stack(outs), H"), "sigmoid_not_tanh"),
    ("rnn_from_scratch", "rnn_forward", FWD.format(body="        H = torch.relu(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(H)\n    return torch.stack(outs), H"), "relu_not_tanh"),
    ("rnn_from_scratch_en", "rnn_forward", FWD.format(body="        H = torch.tanh(inputs[t] @ W_xh + H @ W_hh)\n        outs.append(H)\n    return torch.stack(outs), H"), "no_bias"),
    ("rnn_from_scratch", "rnn_forward", "def rnn_forward(inputs, H, W_xh, W_hh, b_h):\n    outs, h = [], H\n    for X in inputs:\n        h = torch.tanh(X @ W_xh + h @ W_hh + b_h)\n        outs.append(h)\n    return torch.stack(outs), H\n", "initial_state_returned"),
    ("rnn_from_scratch_en", "rnn_forward", FWD.format(body="        if t == 0:\n            continue\n        H = torch.tanh(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(H)\n    return torch.stack(outs), H"), "skipped_step"),
    ("rnn_from_scratch", "rnn_forward", FWD.format(body="        new = torch.tanh(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(new)\n    return torch.stack(outs), new"), "state_not_carried"),
    ("rnn_from_scratch_en", "rnn_forward", FWD.format(body="        H = torch.tanh(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(H)\n    return torch.stack(outs, dim=1), H"), "batch_major_stack"),
    ("rnn_from_scratch", "count_rnn_params", "def count_rnn_params(num_inputs, num_hiddens):\n    return num_inputs * num_hiddens + num_hiddens\n", "count_no_w_hh"),
    ("rnn_from_scratch_en", "count_rnn_params", "def count_rnn_params(num_inputs, num_hiddens):\n    return num_hiddens * (num_inputs + num_hiddens)\n", "count_no_bias"),
    ("rnn_from_scratch", "count_rnn_params", "def count_rnn_params(num_inputs, num_hiddens):\n    rnn = torch.nn.RNN(num_inputs, num_hiddens)\n    return sum(p.numel() for p in rnn.parameters())\n", "count_two_biases"),
    ("rnn_from_scratch_en", "next_char_pairs", "def next_char_pairs(text):\n    return text[1:], text[:-1]\n", "targets_reversed"),
    ("rnn_from_scratch", "next_char_output_shape", "def next_char_output_shape(num_steps, batch_size, vocab_size):\n    return (num_steps, vocab_size)\n", "missing_batch_dim"),
    ("rnn_from_scratch_en", "next_char_output_shape", "def next_char_output_shape(num_steps, batch_size, vocab_size):\n    return (batch_size, num_steps, vocab_size)\n", "batch_first_shape"),
    ("rnn_from_scratch", "concat_operands", "def concat_operands(X, H, W_xh, W_hh):\n    return torch.hstack((H, X)), torch.vstack((W_hh, W_xh))\n", "concat_order"),
    ("torch_rnn_by_hand_en", "torch_rnn_param_count", "def torch_rnn_param_count(input_size, hidden_size, num_layers=1):\n    return num_layers * (hidden_size * input_size + 2 * hidden_size)\n", None),
    ("torch_rnn_by_hand", "torch_rnn_param_count", "def torch_rnn_param_count(input_size, hidden_size, num_layers=1):\n    n = 0\n    for l in range(num_layers):\n        i = input_size if l == 0 else hidden_size\n        n += hidden_size * i + 2 * hidden_size\n    return n\n", "count_no_weight_hh"),
    ("torch_rnn_by_hand_en", "initial_hidden", "def initial_hidden(num_layers, batch_size, hidden_size):\n    return torch.zeros((batch_size, hidden_size))\n", "h0_missing_layer_dim"),
    ("torch_rnn_by_hand", "initial_hidden", "def initial_hidden(num_layers, batch_size, hidden_size):\n    return torch.zeros(1, 1, hidden_size)\n", "h0_seed_shape"),
    ("torch_rnn_by_hand_en", "numpy_rnn", NP.format(rng="len(x)", expr="1 / (1 + np.exp(-(x[step] @ weight_ih.T + state @ weight_hh.T + bias_ih + bias_hh)))", ret="np.array(seq), state[None]"), "numpy_sigmoid"),
    ("torch_rnn_by_hand", "numpy_rnn", NP.format(rng="len(x)", expr="np.tanh(x[step] @ weight_ih.T + state @ weight_hh.T)", ret="np.array(seq), state[None]"), "numpy_no_bias"),
    ("torch_rnn_by_hand_en", "numpy_rnn", NP.format(rng="len(x)", expr=NP_OK, ret="np.array(seq), h0"), "initial_state_returned"),
    ("torch_rnn_by_hand", "numpy_rnn", NP.format(rng="len(x) - 1", expr=NP_OK, ret="np.array(seq), state[None]"), "skipped_step"),
    ("torch_rnn_by_hand_en", "numpy_rnn", NP.format(rng="len(x)", expr=NP_OK, ret="np.array(seq), state"), "h_n_missing_layer_dim"),
    ("rnn_gradients_en", "clip_gradients", "def clip_gradients(grads, theta):\n    norm = torch.norm(torch.stack([g.norm() for g in grads]))\n    if norm > theta:\n        grads = [g * (norm / theta) for g in grads]\n    return grads\n", "clip_inverted_factor"),
    ("rnn_gradients", "clip_gradients", "def clip_gradients(grads, theta):\n    return [torch.clamp(g, -theta, theta) for g in grads]\n", "clip_elementwise"),
    ("rnn_gradients_en", "grad_h0_norm", "def grad_h0_norm(inputs, H0, W_xh, W_hh, b_h):\n    W_hh = W_hh.detach().requires_grad_()\n    H = H0\n    for X in inputs:\n        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)\n    (g,) = torch.autograd.grad(H.sum(), W_hh)\n    return float(g.norm())\n", "grad_wrong_tensor"),
    ("rnn_gradients", "grad_h0_norm", "def grad_h0_norm(inputs, H0, W_xh, W_hh, b_h):\n    H0 = H0.detach().requires_grad_()\n    H = H0\n    for X in inputs:\n        H = X @ W_xh + H @ W_hh + b_h\n    (g,) = torch.autograd.grad(H.sum(), H0)\n    return float(g.norm())\n", "grad_no_tanh"),
    ("rnn_gradients_en", "matrix_power_norms", "def matrix_power_norms(W_hh, T):\n    return torch.tensor([torch.linalg.norm(torch.linalg.matrix_power(W_hh, t)) for t in range(1, T + 1)])\n", "frobenius_not_spectral"),
    ("rnn_gradients", "matrix_power_norms", "def matrix_power_norms(W_hh, T):\n    s = torch.linalg.matrix_norm(W_hh, ord=2)\n    return torch.stack([s ** t for t in range(1, T + 1)])\n", "norm_power"),
    # written after the catalogue, to find what it misses
    ("torch_rnn_by_hand_en", "numpy_rnn", NP.format(rng="len(x)", expr="np.tanh(x[step] @ weight_ih.T + state @ weight_hh + bias_ih + bias_hh)", ret="np.array(seq), state[None]"), "numpy_w_hh_untransposed"),
    ("rnn_gradients", "grad_h0_norm", "def grad_h0_norm(inputs, H0, W_xh, W_hh, b_h):\n    H = H0\n    for X in inputs:\n        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)\n    H.sum().backward()\n    return H0.grad.norm().item()\n", "grad_h0_not_tracked"),
    ("torch_rnn_by_hand", "initial_hidden", "def initial_hidden(num_layers, batch_size, hidden_size):\n    return torch.zeros(num_layers, hidden_size, batch_size)\n", "h0_axes_swapped"),
    ("rnn_from_scratch_en", "rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return torch.tanh(X @ W_xh + H @ W_hh + b_h) * 0.5\n", None),
    ("rnn_from_scratch", "rnn_forward", FWD.format(body="        H = torch.tanh(inputs[t] @ W_xh + H @ W_hh + b_h)\n        outs.append(H)\n    return torch.stack(outs)[-1], H"), "last_state_only"),
    ("rnn_from_scratch_en", "next_char_pairs", "def next_char_pairs(text):\n    return text[:-1], text[:-1]\n", None),
    ("rnn_gradients_en", "clip_gradients", "def clip_gradients(grads, theta):\n    g = torch.sqrt(sum((x ** 2).sum() for x in grads))\n    return [x * theta / g for x in grads]\n", "clip_always_rescales"),
    ("rnn_gradients", "matrix_power_norms", "def matrix_power_norms(W_hh, T):\n    return torch.tensor([torch.linalg.matrix_norm(torch.linalg.matrix_power(W_hh, t), ord=2) for t in range(T)])\n", "power_from_zero"),
]


def graded_mistakes(aid: str) -> dict:
    from support import assignment
    return assignment(aid).mistakes


def main():
    import tempfile
    by_aid: dict = {}
    for n, (aid, question, code, cause) in enumerate(CASES):
        by_aid.setdefault(aid, {})[f"c{n}"] = (question, code, cause)
    right = wrong = typical = 0
    with tempfile.TemporaryDirectory() as tmp:
        for aid, cases in by_aid.items():
            nbs = {name: submission(aid, {q: code}) for name, (q, code, _c) in cases.items()}
            graded = grade_notebooks(Path(tmp), nbs, aid)
            for name, (q, _code, cause) in cases.items():
                # causes only (a StudentError's kind, "raised" say, is no cause)
                named = [m for m in graded[name].question(q).mistakes if m in graded_mistakes(aid)]
                score = graded[name].question(q).score
                typical += cause is not None
                ok = (cause in named) if cause else not named
                right += bool(ok and cause)
                wrong += bool(named and cause not in named)
                print(f"{aid:22} {q:24} expected {str(cause):24} named {named or '-'} score {score}")
    print(f"\nnamed with their cause: {right}/{typical} = {100 * right / typical:.0f} %; wrong causes: {wrong}")


if __name__ == "__main__":
    main()
