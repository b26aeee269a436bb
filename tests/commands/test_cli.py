"""The command line: exit codes, one-line errors, Gradescope's schema, the self-check."""
import json
import subprocess
import sys

import pytest

from rnnquiz.model import samples
from support import CATALOG, ROOT

pytestmark = pytest.mark.sandbox  # starts sandboxed workers: not in `make test-fast`

RNNQUIZ = [sys.executable, "-m", "rnnquiz"]


def run(*args, **kw):
    return subprocess.run([*RNNQUIZ, *map(str, args)], capture_output=True, text=True, timeout=300, **kw)


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"),
    ("", "empty"),
    ("{not json", "not valid JSON"),
    ('{"cells": 3}', "not a Jupyter notebook"),
    ('{"cells": [], "metadata": {}}', "not a notebook of a known assignment"),
])
def test_ungradable_file_exits_2_with_one_clear_line(tmp_path, content, needle):
    path = tmp_path / "entrega.ipynb"
    if content is not None:
        path.write_text(content)
    done = run("grade", path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and str(path) in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_gradescope_results_json(tmp_path):
    out = tmp_path / "results.json"
    aid = "rnn_from_scratch_en"
    done = run("grade", samples.release_path(aid, ROOT), "--student", "s1", "--format", "gradescope", "-o", out)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["score"] == 0
    names = [t["name"] for t in data["tests"]]
    assert names[:6] == ["rnn_step", "concat_operands", "rnn_forward", "count_rnn_params",
                         "next_char_pairs", "next_char_output_shape"]
    assert "quiz_output_dim" in names
    for t in data["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output"}
        assert t["status"] == "failed" and t["output"]


def test_grade_text_exits_0_whatever_the_score():
    done = run("grade", samples.solution_path("rnn_from_scratch", ROOT))
    assert done.returncode == 0
    assert "18 / 18" in done.stdout


def test_check_runs_public_checks_and_says_hidden_tests_remain(tmp_path):
    from support import submission
    no_tanh = "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return X @ W_xh + H @ W_hh + b_h"
    nb = submission("rnn_from_scratch", {"rnn_step": no_tanh})
    path = tmp_path / "rnn_from_scratch.ipynb"
    path.write_text(json.dumps(nb))
    done = run("check", path)
    assert done.returncode == 1, done.stderr  # a check failed (tests/commands/test_check_exit.py)
    assert "testes ocultos" in done.stdout
    line = next(x for x in done.stdout.splitlines() if "rnn_step" in x)
    assert "faltou a tanh" in line
    assert "concat_operands" in done.stdout and "passou" in done.stdout
    assert "variante" not in done.stdout  # public checks only


def test_the_file_name_or_assignment_decides_never_the_content(tmp_path):
    """A rnn_from_scratch solution renamed as another assignment is graded as
    that assignment (never above its maximum); --assignment overrides the name."""
    renamed = tmp_path / "torch_rnn_by_hand_en.ipynb"
    renamed.write_text(samples.solution_path("rnn_from_scratch", ROOT).read_text())
    out = tmp_path / "results.json"
    done = run("grade", renamed, "--format", "gradescope", "-o", out)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["extra_data"]["assignment"] == "torch_rnn_by_hand_en"
    assert data["score"] <= data["extra_data"]["max_score"] == 15
    done = run("grade", renamed, "--assignment", "rnn_from_scratch")
    assert done.returncode == 0 and "18 / 18" in done.stdout


def test_a_symbolic_link_is_never_followed(tmp_path):
    link = tmp_path / "rnn_from_scratch.ipynb"
    link.symlink_to(samples.solution_path("rnn_from_scratch", ROOT))
    done = run("grade", link)
    assert done.returncode == 2 and "symbolic link" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_demo_runs_the_whole_cycle_and_says_what_happened(tmp_path):
    import os
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    done = subprocess.run([*RNNQUIZ, "demo", "--lang", "pt", "--workdir", str(tmp_path / "demo")], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith(("ana_", "bruno_", "carla_"))}
    shown = [a for a in CATALOG.assignments.values() if a.lang == "pt" and samples.load(a).demo_mix]
    full = [f"{a.max_score:g} / {a.max_score:g}" for a in shown]
    assert all(score in rows["ana_correta"] for score in full)
    assert "It changes nothing" in out and "Traceback" not in out + done.stderr
    assert "Provável erro" in out   # bruno's feedback, in the notebooks' language
    assert len(list((tmp_path / "demo" / "course" / "feedback").rglob("*.html"))) == 3 * len(full)
    # the loop closes: every student fetched their feedback for every assignment
    fetched = list((tmp_path / "demo" / "students").glob("*/*/feedback/*/*.html"))
    assert len(fetched) == 3 * len(full), out
    assert "none (see nbgrader's log)" not in out
    assert out.count("report.png") == len(full)


def test_graders_run_by_hand_with_plain_pytest(tmp_path):
    """`pytest autograders/<name> --submission NOTEBOOK`: pytest's own report,
    each failed check with our feedback instead of a traceback."""
    from support import sample, submission
    path = tmp_path / "rnn_from_scratch_en.ipynb"
    path.write_text(json.dumps(submission("rnn_from_scratch_en",
                                          {"rnn_step": sample("rnn_from_scratch_en", "no_tanh").code})))
    done = subprocess.run([sys.executable, "-m", "pytest", "autograders/rnn_from_scratch", "--submission", str(path),
                           "--student", "s1", "-p", "no:cacheprovider", "-rf"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert failed and all("test_rnn_step.py" in line for line in failed), done.stdout[-2000:]
    assert "tanh" in done.stdout and "Traceback" not in done.stdout
    passed = int(done.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed == len(list((ROOT / "autograders" / "rnn_from_scratch").glob("*/test_*.py"))) - len(failed)
