"""Hostile submissions: the attacked question scores 0, every other one full marks."""
import json
import time

import pytest

from rnnquiz.outputs.text import render as render_text
from support import ROOT, full_marks, grade_notebooks, submission

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

AID = "rnn_from_scratch"
WRONG_STEP = "    return X @ W_xh + H @ W_hh + b_h  # wrong: no tanh\n"

HOSTILE = {
    # comparison functions patched at top level, then a wrong answer
    "patch_assert_close": ("rnn_step", {"rnn_step": "import torch.testing\ntorch.testing.assert_close = lambda *a, **k: None\n"
                           "def rnn_step(X, H, W_xh, W_hh, b_h):\n" + WRONG_STEP}, []),
    "patch_torch_allclose": ("rnn_step", {"rnn_step": "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
                             "def rnn_step(X, H, W_xh, W_hh, b_h):\n" + WRONG_STEP}, []),
    "patch_np_allclose": ("rnn_step", {"rnn_step": "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                          "np.testing.assert_allclose = lambda *a, **k: None\n"
                          "def rnn_step(X, H, W_xh, W_hh, b_h):\n" + WRONG_STEP}, []),
    "patch_traceback_display": ("rnn_step", {"rnn_step": "import sys, traceback\nsys.excepthook = lambda *a: None\n"
                                "traceback.print_exc = lambda *a, **k: None\n"
                                "try:\n    from IPython.core.interactiveshell import InteractiveShell\n"
                                "    InteractiveShell.showtraceback = lambda *a, **k: None\nexcept ImportError:\n    pass\n"
                                "def rnn_step(X, H, W_xh, W_hh, b_h):\n    raise AssertionError('hidden')\n"}, []),
    "always_equal_tensor": ("rnn_step", {"rnn_step": '''
class Liar(torch.Tensor):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def rnn_step(X, H, W_xh, W_hh, b_h):
    return torch.zeros(X.shape[0], W_hh.shape[0]).as_subclass(Liar)
'''}, []),
    "frame_walking": ("rnn_step", {"rnn_step": '''
import sys
def rnn_step(X, H, W_xh, W_hh, b_h):
    f = sys._getframe(1)
    while f is not None:
        for v in list(f.f_locals.values()):
            if isinstance(v, torch.Tensor) and v.shape == (X.shape[0], W_hh.shape[0]) and v is not H:
                return v
        f = f.f_back
    return H
'''}, []),
    "gc_walking": ("rnn_step", {"rnn_step": '''
import gc
def rnn_step(X, H, W_xh, W_hh, b_h):
    for obj in gc.get_objects():
        if isinstance(obj, torch.Tensor) and obj.shape == (X.shape[0], W_hh.shape[0]) and obj is not H:
            return obj
    return H
'''}, []),
    "os_exit_in_stub": ("rnn_forward", {"rnn_forward": "import os\ndef rnn_forward(inputs, H, W_xh, W_hh, b_h):\n    os._exit(0)\n"}, []),
    "sys_exit_in_stub": ("rnn_forward", {"rnn_forward": "import sys\ndef rnn_forward(inputs, H, W_xh, W_hh, b_h):\n    sys.exit(0)\n"}, []),
    "infinite_loop": ("concat_operands", {"concat_operands": "def concat_operands(X, H, W_xh, W_hh):\n    while True:\n        pass\n"}, []),
    "print_megabytes_wrong": ("count_rnn_params", {"count_rnn_params": "def count_rnn_params(num_inputs, num_hiddens):\n"
                              "    print('x' * 5_000_000)\n    return 32\n"}, ["print('y' * 10_000_000)"]),
    "syntax_error_in_one_cell": ("next_char_pairs", {"next_char_pairs": "def next_char_pairs(text)\n    return text[:-1], text[1:]\n"}, []),
    "wrong_signature": ("next_char_output_shape", {"next_char_output_shape": "def next_char_output_shape(num_steps, vocab_size):\n"
                        "    return (num_steps, vocab_size)\n"}, []),
    "top_level_exit": (None, {}, ["import os\nos._exit(1)"]),
    "blank_exception_message": ("rnn_step", {"rnn_step": "def rnn_step(X, H, W_xh, W_hh, b_h):\n"
                                "    raise ValueError('   \\n  ')\n"}, []),
    "quiz_cell_emptied": ("quiz_xt_shape", {"quiz_xt_shape": "pass"}, []),
    "top_level_hang": (None, {}, ["while True:\n    pass"]),
    # an exception whose message cannot be read, in a cell and in a stub
    "unreadable_exception": ("rnn_step", {"rnn_step": "class Odd(Exception):\n"
                             "    def __str__(self): raise RuntimeError('no')\n"
                             "def rnn_step(X, H, W_xh, W_hh, b_h):\n    raise Odd()\n"},
                             ["class Odd2(Exception):\n    def __str__(self): raise RuntimeError('no')\nraise Odd2()"]),
    "read_hidden_graders": ("next_char_output_shape", {"next_char_output_shape": f'''
import glob, os
def next_char_output_shape(num_steps, batch_size, vocab_size):
    targets = [{str(ROOT / "autograders" / "rnn_from_scratch" / "hidden" / "test_rnn_step.py")!r},
               {str(ROOT / "solutions" / "rnn_from_scratch" / "rnn_from_scratch.ipynb")!r},
               {str(ROOT / "pyproject.toml")!r}]
    found = [t for t in targets if os.path.exists(t)]
    found += glob.glob("/work/*/autograders/**/*.py", recursive=True)
    found += glob.glob("/root/**/test_rnn_step.py", recursive=True) + glob.glob("/home/**/*.ipynb", recursive=True)
    return (len(found), 0, 0)
'''}, []),
}


AID2 = "torch_rnn_by_hand_en"
NUMPY_BY_TORCH = '''
def by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import torch
    rnn = torch.nn.RNN(weight_ih.shape[1], weight_ih.shape[0]).to(torch.from_numpy(x).dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(rnn, name).copy_(torch.from_numpy(value))
        out, h_n = rnn(torch.from_numpy(x), torch.from_numpy(h0))
    return out.numpy(), h_n.numpy()
'''
HOSTILE2 = {
    "patch_numpy_comparisons": ("numpy_rnn", {"numpy_rnn": "np.allclose = lambda *a, **k: True\n"
                                "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                                "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
                                "def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):\n"
                                "    return np.zeros((len(x), x.shape[1], weight_hh.shape[0]), x.dtype), h0\n"}, []),
    "always_equal_ndarray": ("numpy_rnn", {"numpy_rnn": '''
class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __ne__(self, other): return np.zeros(self.shape, bool)
    def __array_function__(self, func, types, args, kwargs): return True
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    out = np.zeros((len(x), x.shape[1], weight_hh.shape[0]), x.dtype).view(Liar)
    return out, h0.view(Liar)
'''}, []),
    # the NumPy-only question computed with torch: in a thread, or with the
    # record of what ran cleared afterwards (both beat a profile hook inside the
    # student's process); its calls now run where torch is not installed
    "numpy_rnn_torch_in_thread": ("numpy_rnn", {"numpy_rnn": NUMPY_BY_TORCH + '''
import threading
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    box = {}
    worker = threading.Thread(target=lambda: box.update(r=by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)))
    worker.start()
    worker.join()
    return box["r"]
'''}, []),
    "numpy_rnn_record_cleared": ("numpy_rnn", {"numpy_rnn": NUMPY_BY_TORCH + '''
import sys
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    result = by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)
    hook = sys.getprofile()
    if hook is not None:
        hook.__self__.used.clear()
    return result
'''}, []),
    "os_exit_in_numpy_stub": ("numpy_rnn", {"numpy_rnn": "import os\n"
                              "def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):\n    os._exit(3)\n"}, []),
    "os_exit_in_set_weights": ("set_hand_weights", {"set_hand_weights": "import os\ndef set_hand_weights(rnn):\n    os._exit(0)\n"}, []),
    "module_forward_patched": ("set_hand_weights", {"set_hand_weights": '''
def set_hand_weights(rnn):
    # leaves the weights alone but makes the module lie about its output
    rnn.forward = lambda x, h0=None: (torch.full((x.shape[0], x.shape[1], 4), 0.0997), h0)
'''}, []),
}


@pytest.fixture(scope="module")
def graded2(tmp_path_factory):
    nbs = {name: submission(AID2, answers, extra) for name, (_q, answers, extra) in HOSTILE2.items()}
    return grade_notebooks(tmp_path_factory.mktemp("hostile2"), nbs, AID2)


@pytest.mark.parametrize("name", list(HOSTILE2))
def test_attack_on_torch_rnn_by_hand_costs_only_its_question(graded2, name):
    result = graded2[name]
    expected = full_marks(AID2)
    expected[HOSTILE2[name][0]] = 0.0
    assert {q.name: q.score for q in result.questions} == expected, render_text(result)
    if name.startswith("numpy_rnn_"):  # named for what it is, in a thread too
        assert result.question("numpy_rnn").mistakes == ["computed_with_torch"], render_text(result)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    nbs = {name: submission(AID, answers, extra) for name, (_q, answers, extra) in HOSTILE.items()}
    start = time.monotonic()
    results = grade_notebooks(tmp_path_factory.mktemp("hostile"), nbs, AID)
    results["_seconds"] = time.monotonic() - start
    return results


@pytest.mark.parametrize("name", list(HOSTILE))
def test_attack_costs_only_the_attacked_question(graded, name):
    question = HOSTILE[name][0]
    result = graded[name]
    expected = full_marks(AID)
    if question:
        expected[question] = 0.0
    assert {q.name: q.score for q in result.questions} == expected, render_text(result)
    assert "Traceback" not in render_text(result)


def test_named_failures(graded):
    fb = lambda name, q: graded[name].question(q).feedback("pt")  # noqa: E731
    assert "não terminou" in fb("infinite_loop", "concat_operands")
    assert "terminou durante" in fb("os_exit_in_stub", "rnn_forward")
    assert "SystemExit" in fb("sys_exit_in_stub", "rnn_forward")
    assert "não foi encontrada" in fb("syntax_error_in_one_cell", "next_char_pairs")
    assert any("SyntaxError" in n for n in graded["syntax_error_in_one_cell"].notes)
    assert "TypeError" in fb("wrong_signature", "next_char_output_shape")
    assert "ValueError" in fb("blank_exception_message", "rnn_step")
    assert "ainda sem resposta" in fb("quiz_cell_emptied", "quiz_xt_shape")
    assert "(0, 0, 0)" in fb("read_hidden_graders", "next_char_output_shape")  # found nothing
    assert "Odd" in fb("unreadable_exception", "rnn_step")
    assert any("Odd2" in n for n in graded["unreadable_exception"].notes)  # the cell failed, the process lived


def test_after_the_submission_deadline_quiz_answers_say_so(tmp_path):
    """Slow cells use up a submission's time: what is left says the time ran
    out, quiz answers included (not "unanswered")."""
    from rnnquiz.grading.session import Request, grade_many
    from rnnquiz.isolation.limits import Limits
    from support import CATALOG, assignment
    nb = submission(AID, extra_cells=["import time\ntime.sleep(1.5)"] * 3)
    path = tmp_path / f"{AID}.ipynb"
    path.write_text(json.dumps(nb))
    limits = Limits(call_timeout=3.0, submission_timeout=2.0)
    [result] = grade_many([Request(str(path), "s", assignment(AID))], CATALOG, limits=limits)
    quiz = result.question("quiz_xt_shape")
    assert quiz.score == 0 and "ainda sem resposta" not in quiz.feedback("pt"), quiz.feedback("pt")


def test_printing_is_bounded_and_not_an_answer(tmp_path):
    """A correct function that floods its output keeps its points; grading stays quick."""
    nb = submission(AID, {"count_rnn_params": "def count_rnn_params(num_inputs, num_hiddens):\n"
                          "    print('z' * 20_000_000)\n"
                          "    return num_inputs * num_hiddens + num_hiddens + num_hiddens ** 2\n"})
    result = grade_notebooks(tmp_path, {"flood": nb}, AID)["flood"]
    assert result.question("count_rnn_params").score == 2
