"""The notebook's visible test cells and `rnnquiz check` tell the student the same thing.

For every assignment (both languages), its solution, every typical-mistake
sample of its samples.toml and a few extra answers below, and for every
question: does the student-version visible test cell pass, and does the
self-check (the public graders) pass?  They must agree, both ways.

Visible cells run in one subprocess (torch imported once, a fresh namespace per
notebook); the self-check grades all notebooks in one batch, public checks only,
in sandboxed workers as `rnnquiz check` does, and in this process (the fast lane).
"""
import json
import subprocess
import sys
import time

import pytest

from in_process import grade_in_process
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.model import content, samples
from support import ASSIGNMENTS, ROOT, TEST_LIMITS, assignment

MODES = [pytest.param("sandboxed", marks=pytest.mark.sandbox), "in_process"]

# Answers that are not typical mistakes but probe where the two checks can part:
# well-formed quiz answers written differently (the grader strips and lowercases),
# malformed ones, a count returned as a float (the grader wants an int), a pair
# returned as a list (the grader takes it) and a NumPy forward pass in float64.
QUIZ_WELL_FORMED = ["B", " c ", "A\n", " d"]
QUIZ_MALFORMED = ["e", "ab", 2, ""]
EXTRA = {
    "rnn_from_scratch": {
        "+count_float": {"count_rnn_params": '''
def count_rnn_params(num_inputs, num_hiddens):
    return float(num_inputs * num_hiddens + num_hiddens + num_hiddens * num_hiddens)
'''},
        "+pairs_list": {"next_char_pairs": '''
def next_char_pairs(text):
    return [text[:-1], text[1:]]
'''},
    },
    "torch_rnn_by_hand": {
        "+count_float": {"torch_rnn_param_count": '''
def torch_rnn_param_count(input_size, hidden_size, num_layers=1):
    return hidden_size * (input_size + hidden_size + 2) * 1.0 + (num_layers - 1) * hidden_size * (2 * hidden_size + 2)
'''},
        # importing torch is no use of it (the NumPy-only rule); computing with it in a thread is
        "+numpy_unused_torch_import": {"numpy_rnn": '''
import torch
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    h, outputs = h0[0], []
    for x_t in x:
        h = np.tanh(x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        outputs.append(h)
    return np.stack(outputs), h[None]
'''},
        "+numpy_torch_in_thread": {"numpy_rnn": '''
import threading
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    box = {}
    worker = threading.Thread(target=lambda: box.update(h=torch.tanh(torch.zeros(1))))
    worker.start()
    worker.join()
    h, outputs = h0[0], []
    for x_t in x:
        h = np.tanh(x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        outputs.append(h)
    return np.stack(outputs), h[None]
'''},
        "+numpy_float64": {"numpy_rnn": '''
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    output = np.zeros((len(x), x.shape[1], len(weight_hh)))  # NumPy's default dtype: float64
    h = h0[0]
    for t, x_t in enumerate(x):
        h = np.tanh(x_t @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        output[t] = h
    return output, output[-1:]
'''},
    },
}

# Runs in the subprocess: argv[1] holds {case: [[grade id, source], ...]}, argv[2]
# receives {case: {grade id: None or "Type: message"}}.
RUNNER = r'''
import contextlib, io, json, sys
import numpy as np
import torch

cases = json.load(open(sys.argv[1]))
outcomes = {}
for case, cells in cases.items():
    torch.manual_seed(0)  # the same draws for every run of this test
    np.random.seed(0)
    namespace = {"__name__": "__main__"}
    outcome = outcomes[case] = {}
    for grade_id, source in cells:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, f"<{case} {grade_id}>", "exec"), namespace)
            outcome[grade_id] = None
        except Exception as exc:  # recorded; the next cells still run, as in Jupyter
            outcome[grade_id] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    sys.setprofile(None)  # a cell that failed inside a profile watch must not leave it on
json.dump(outcomes, open(sys.argv[2], "w"))
'''


def answer_cells(nb: dict, names: set) -> dict:
    out = {}
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in names:
            out[gid] = "".join(cell["source"])
    return out


def quiz_code(name: str, value) -> str:
    return f"{name} = {value!r}\n"


def cases_of(aid: str) -> dict:
    """{case name: answers replacing the solution's} for one assignment."""
    a = assignment(aid)
    quizzes = [q.name for q in a.questions if q.kind == "quiz"]
    cases = {"solution": {}}
    for s in samples.load(a).samples:
        cases[s.name] = {s.question: s.code}
    if quizzes:
        cases["+quiz_well_formed"] = {q: quiz_code(q, QUIZ_WELL_FORMED[i % len(QUIZ_WELL_FORMED)])
                                      for i, q in enumerate(quizzes)}
        cases["+quiz_malformed"] = {q: quiz_code(q, QUIZ_MALFORMED[i % len(QUIZ_MALFORMED)])
                                    for i, q in enumerate(quizzes)}
    cases.update(EXTRA.get(a.base, {}))
    return cases


def notebooks() -> dict:
    """{(aid, case): notebook}: the student version (hidden tests stripped) with the
    solution's answers, then the case's answers."""
    out = {}
    for aid in ASSIGNMENTS:
        release = json.loads(samples.release_path(aid, ROOT).read_text())
        names = {q.name for q in assignment(aid).questions}
        solved = answer_cells(samples.solution(assignment(aid), ROOT), names)
        for case, answers in cases_of(aid).items():
            out[(aid, case)] = samples.with_answers(release, {**solved, **answers})
    return out


def run_visible(nbs: dict, tmp_path) -> dict:
    """{(aid, case): {grade id: None or the error}} from executing every code cell in order."""
    keys = {f"{aid}/{case}": (aid, case) for aid, case in nbs}
    cases = {key: [[cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"), "".join(cell["source"])]
                   for cell in nbs[pair]["cells"] if cell["cell_type"] == "code"]
             for key, pair in keys.items()}
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run([sys.executable, "-c", RUNNER, "cases.json", "outcomes.json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = json.loads((tmp_path / "outcomes.json").read_text())
    return {keys[key]: value for key, value in outcomes.items()}


def run_check(nbs: dict, tmp_path, mode: str = "sandboxed") -> dict:
    """{(aid, case): Results} of the self-check: public graders only, as `rnnquiz check`."""
    if mode == "in_process":
        out = {}
        for aid in ASSIGNMENTS:
            mine = {key: nb for key, nb in nbs.items() if key[0] == aid}
            graded = grade_in_process(aid, {case: nb for (_aid, case), nb in mine.items()}, "self-check",
                                      public_only=True)
            out.update({(aid, case): result for case, result in graded.items()})
        return out
    catalog = content.public_catalog(ROOT)
    requests = []
    for n, ((aid, _case), nb) in enumerate(nbs.items()):
        path = tmp_path / f"{n}.ipynb"
        path.write_text(json.dumps(nb))
        requests.append(Request(str(path), "self-check", catalog.get(aid)))
    return dict(zip(nbs, grade_many(requests, catalog, public_only=True, limits=TEST_LIMITS)))


@pytest.fixture(scope="module")
def visible_run(tmp_path_factory):
    """The notebooks and their visible cells' outcomes: the same whichever way
    the self-check runs, so executed once for both."""
    start = time.monotonic()
    nbs = notebooks()
    visible = run_visible(nbs, tmp_path_factory.mktemp("visible"))
    print(f"\nvisible cells of {len(nbs)} notebooks: {time.monotonic() - start:.1f} s")
    return nbs, visible


@pytest.fixture(scope="module", params=MODES)
def table(request, visible_run, tmp_path_factory):
    """[(aid, case, question, visible passed, check passed, visible error)]."""
    nbs, visible = visible_run
    start = time.monotonic()
    checked = run_check(nbs, tmp_path_factory.mktemp("check"), request.param)
    rows = []
    for (aid, case), result in checked.items():
        assert not result.error, result.error
        for q in assignment(aid).questions:
            error = visible[(aid, case)].get(q.test_grade_id, "cell not run")
            rows.append((aid, case, q.name, error is None, result.question(q.name).all_passed, error or ""))
    print(f"\n{len(nbs)} notebooks, {len(rows)} (notebook, question) rows; self-check ({request.param}) "
          f"{time.monotonic() - start:.1f} s")
    return rows


def test_visible_cells_and_self_check_agree(table):
    mark = {True: "pass", False: "FAIL"}
    targets = {(aid, case): set(answers) for aid in ASSIGNMENTS for case, answers in cases_of(aid).items()}
    shown = [r for r in table if r[2] in targets[r[0], r[1]] or not (r[3] and r[4])]
    width = max(len(f"{r[0]} {r[1]}") for r in shown)
    print(f"{'notebook':<{width}}  {'question':<24} visible check")
    for aid, case, question, vis, chk, error in shown:
        flag = "" if vis == chk else "   <-- DISAGREE"
        # the visible cell's message says which of its asserts failed
        print(f"{aid + ' ' + case:<{width}}  {question:<24} {mark[vis]:<7} {mark[chk]:<5}{flag}"
              + (f"   ({error[:90]})" if error else ""))
    print(f"every other row of the {len(table)}: visible pass, check pass")
    disagree = [r for r in table if r[3] != r[4]]
    assert not disagree, "visible cell and `rnnquiz check` disagree:\n" + "\n".join(
        f"  {aid} {case} {question}: visible {mark[vis]}, check {mark[chk]}" + (f" ({error})" if error else "")
        for aid, case, question, vis, chk, error in disagree)


def test_the_solution_passes_both_and_each_case_touches_only_its_questions(table):
    # otherwise an agreement could hide a broken notebook: both sides failing for another reason
    assert {(r[0], r[1]) for r in table} == {(aid, case) for aid in ASSIGNMENTS for case in cases_of(aid)}
    targets = {(aid, case): set(answers) for aid in ASSIGNMENTS for case, answers in cases_of(aid).items()}
    for aid, case, question, vis, chk, error in table:
        if question not in targets[aid, case]:
            assert vis and chk, (aid, case, question, error)
