"""The NumPy-only rule (numpy_rnn) is about computing with torch, not importing it.

Its calls run in a worker where torch is not installed: ``import torch`` there
gives a stand-in whose every use raises and is recorded.  Honest notebooks that
import torch in any order, or leave an unused import above the function, keep
full marks; an answer that computes with torch (directly, in a thread, or
catching the error) scores 0 and is named.
"""
import copy

import pytest

from rnnquiz.outputs.text import render as render_text
from support import full_marks, grade_notebooks, submission

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

AID = "torch_rnn_by_hand_en"
NUMPY_RNN = '''
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    h = h0[0]
    outputs = []
    for x_t in x:
        h = np.tanh(x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        outputs.append(h)
    return np.stack(outputs), h[None]
'''


def torch_first(nb: dict) -> dict:
    """The import cell written the common way round: torch, then NumPy."""
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "import numpy as np" in "".join(cell["source"])
    cell["source"] = "import torch\nimport torch.nn as nn\nfrom torch import nn as nn2\nimport numpy as np\n"
    return nb


HONEST = {
    "torch_first": torch_first(submission(AID)),
    "unused_import": submission(AID, {"numpy_rnn": "import torch\nimport torch.nn.functional as F\n" + NUMPY_RNN}),
    "isinstance_check": submission(AID, {"numpy_rnn": NUMPY_RNN.replace(
        "    h = h0[0]\n", "    assert not isinstance(x, torch.Tensor)\n    h = h0[0]\n")}),
}
USES_TORCH = {
    "direct": submission(AID, {"numpy_rnn": NUMPY_RNN.replace("np.tanh(", "torch.tanh(")}),
    "caught": submission(AID, {"numpy_rnn": NUMPY_RNN.replace(
        "    h = h0[0]\n", "    try:\n        torch.manual_seed(0)\n    except Exception:\n        pass\n"
        "    h = h0[0]\n")}),
    "thread": submission(AID, {"numpy_rnn": "import threading\n" + NUMPY_RNN.replace(
        "    h = h0[0]\n", "    t = threading.Thread(target=lambda: torch.zeros(3))\n    t.start()\n    t.join()\n"
        "    h = h0[0]\n")}),
    "decorated": submission(AID, {"numpy_rnn": "@torch.no_grad()\n" + NUMPY_RNN.lstrip()}),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_notebooks(tmp_path_factory.mktemp("numpy_only"), {**HONEST, **USES_TORCH}, AID)


@pytest.mark.parametrize("name", list(HONEST))
def test_importing_torch_costs_nothing(graded, name):
    result = graded[name]
    assert {q.name: q.score for q in result.questions} == full_marks(AID), render_text(result)
    assert "computed_with_torch" not in result.question("numpy_rnn").mistakes


@pytest.mark.parametrize("name", list(USES_TORCH))
def test_computing_with_torch_fails_and_is_named(graded, name):
    result = graded[name]
    expected = dict(full_marks(AID), numpy_rnn=0.0)
    assert {q.name: q.score for q in result.questions} == expected, render_text(result)
    assert set(result.question("numpy_rnn").mistakes) == {"computed_with_torch"}, render_text(result)
