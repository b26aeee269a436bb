"""``rnnquiz check`` where students are: as on Windows (the POSIX-only modules
unimportable by rnnquiz and ``os.fork`` gone), with no sandbox to start and
no warning about one.

A virtualenv of this Python whose start-up (a ``.pth`` file, run by every
process of it, the worker included) takes away from rnnquiz's code what
Windows does not have: ``resource``, ``fcntl``, ``pwd``, ``grp``,
``termios``, ``pty``, ``tty`` (imports by rnnquiz's modules and the worker's
files raise ImportError, as they would there; the standard library keeps its
own POSIX internals, which Windows replaces with its own), and, for every
module, ``os.fork`` and the other process calls Windows lacks.  bubblewrap
stays installed: the self-check must not use it.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support import ROOT, scratch_venv, solution

pytestmark = pytest.mark.slow

WINDOWS_LIKE = r'''
import builtins, os, socket

POSIX_ONLY = {"resource", "fcntl", "pwd", "grp", "termios", "pty", "tty"}
OURS = ("rnnquiz", "worker", "wire", "confine", "__main__")
_import = builtins.__import__


def _windows_like_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__") or ""
    if level == 0 and name.split(".")[0] in POSIX_ONLY and importer.split(".")[0] in OURS:
        with open(os.environ["RNNQUIZ_TEST_IMPORT_LOG"], "a") as log:
            log.write(f"{importer} imports {name}\n")
        raise ModuleNotFoundError(f"No module named {name!r} (as on Windows)", name=name)
    return _import(name, globals, locals, fromlist, level)


builtins.__import__ = _windows_like_import
for _name in ("fork", "forkpty", "killpg", "setsid", "getuid", "geteuid", "setuid", "setgid", "setgroups",
              "getpgid", "register_at_fork"):
    if _name != "register_at_fork":
        os.__dict__.pop(_name, None)
for _name in ("O_NOFOLLOW", "O_NONBLOCK"):  # open() flags Windows does not have
    os.__dict__.pop(_name, None)
for _name in ("send_fds", "recv_fds", "SOCK_SEQPACKET", "AF_UNIX"):
    socket.__dict__.pop(_name, None)
'''


@pytest.fixture(scope="module")
def windows_like(tmp_path_factory):
    """The Python of the student's path, as on Windows: (its rnnquiz command, the import log)."""
    folder = tmp_path_factory.mktemp("windows-like")
    python = scratch_venv(folder, {"rnnquiz_windows_like.py": WINDOWS_LIKE,
                                   "zz_windows_like.pth": "import rnnquiz_windows_like\n"})
    return python, folder / "imports.log"


def _check(windows_like, notebook: Path, cwd: Path) -> subprocess.CompletedProcess:
    python, log = windows_like
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "RNNQUIZ_TEST_IMPORT_LOG": str(log), "LANG": "C.UTF-8"}
    return subprocess.run([str(python), "-c", "import sys; from rnnquiz.commands.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "check", str(notebook)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _write(tmp_path: Path, aid: str, nb: dict) -> Path:
    path = tmp_path / f"{aid}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _replace_function(nb: dict, name: str, body: str) -> dict:
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and f"def {name}(" in source:
            cell["source"] = body
            return nb
    raise AssertionError(f"no cell defines {name}")


def test_the_self_check_passes_as_on_windows(windows_like, tmp_path):
    done = _check(windows_like, _write(tmp_path, "rnn_from_scratch_en", solution("rnn_from_scratch_en")), ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok rnn_step" in done.stdout and " X " not in done.stdout
    assert done.stderr == ""  # no warning about a sandbox the student cannot act on
    # the Windows-like start-up did run: rnnquiz's attempts were refused, and it did without
    log = windows_like[1]
    assert log.exists() and "imports resource" in log.read_text()


def test_an_endless_loop_costs_its_question_only(windows_like, tmp_path):
    nb = _replace_function(solution("rnn_from_scratch_en"), "rnn_step",
                           "def rnn_step(X, H, W_xh, W_hh, b_h):\n    while True:\n        pass\n")
    done = _check(windows_like, _write(tmp_path, "rnn_from_scratch_en", nb), ROOT)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("X  rnn_step" in line and "did not finish" in line for line in lines), done.stdout
    assert any("ok rnn_forward" in line for line in lines), done.stdout


def test_a_crash_costs_its_question_only(windows_like, tmp_path):
    nb = _replace_function(solution("rnn_from_scratch_en"), "rnn_step",
                           "import os\ndef rnn_step(X, H, W_xh, W_hh, b_h):\n    os._exit(9)\n")
    done = _check(windows_like, _write(tmp_path, "rnn_from_scratch_en", nb), ROOT)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any("X  rnn_step" in line for line in done.stdout.splitlines())
    assert any("ok concat_operands" in line for line in done.stdout.splitlines()), done.stdout


def test_a_numpy_only_question_still_finds_no_torch(windows_like, tmp_path):
    nb = _replace_function(solution("torch_rnn_by_hand_en"), "numpy_rnn",
                           "import numpy as np\n"
                           "def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):\n"
                           "    import torch\n"
                           "    rnn = torch.nn.RNN(weight_ih.shape[1], weight_ih.shape[0])\n"
                           "    with torch.no_grad():\n"
                           "        for name, value in [('weight_ih_l0', weight_ih), ('weight_hh_l0', weight_hh),\n"
                           "                            ('bias_ih_l0', bias_ih), ('bias_hh_l0', bias_hh)]:\n"
                           "            getattr(rnn, name).copy_(torch.from_numpy(value))\n"
                           "        out, h = rnn(torch.from_numpy(x), torch.from_numpy(h0))\n"
                           "    return out.numpy(), h.numpy()\n")
    done = _check(windows_like, _write(tmp_path, "torch_rnn_by_hand_en", nb), ROOT)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any("X  numpy_rnn" in line for line in done.stdout.splitlines()), done.stdout
    assert any("ok set_hand_weights" in line for line in done.stdout.splitlines()), done.stdout


NOTEBOOK_KERNEL = r'''
import json, sys
nb = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for cell in nb["cells"]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell["cell_type"] != "code" or (meta.get("grade") and not meta.get("solution")):
        continue  # the visible test cells are the notebook's, not the self-check's
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    exec(compile(source, "<cell>", "exec"), namespace)  # the self-check cell last, as in the notebook
'''


def test_the_notebook_self_check_cell_runs_as_on_windows(windows_like, tmp_path):
    """The released notebook's last cell, run as a kernel runs the cells (no
    file of its own, no terminal), in the Windows-like Python."""
    python, log = windows_like
    nb_path = _write(tmp_path, "rnn_from_scratch_en", solution("rnn_from_scratch_en"))
    script = tmp_path / "kernel.py"
    script.write_text(NOTEBOOK_KERNEL)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RNNQUIZ_TEST_IMPORT_LOG": str(log), "LANG": "C.UTF-8"}
    done = subprocess.run([str(python), str(script), str(nb_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "rnn_from_scratch_en  ·  self-check  ·  this notebook" in done.stdout
    assert "ok rnn_step" in done.stdout and " X " not in done.stdout, done.stdout


def test_an_honest_import_of_torch_costs_nothing_in_a_numpy_only_question(windows_like, tmp_path):
    """``import torch`` before ``import numpy as np``, and an unused ``import
    torch`` in ``numpy_rnn``'s cell: the self-check agrees with the grade."""
    nb = solution("torch_rnn_by_hand_en")
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "def numpy_rnn(" in source:
            cell["source"] = "import torch\nimport numpy as np\n" + source
    done = _check(windows_like, _write(tmp_path, "torch_rnn_by_hand_en", nb), ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert any("ok numpy_rnn" in line for line in done.stdout.splitlines()), done.stdout
