"""The nbgrader cycle with nbgrader's real commands and a local exchange."""
import json
import re

import pytest

from rnnquiz.commands.cycle import Cycle, side_by_side
from rnnquiz.commands.demo import STUDENTS, student_work
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.model import samples
from support import ASSIGNMENTS, CATALOG, ROOT, TEST_LIMITS, assignment

get = assignment

pytestmark = pytest.mark.slow
AIDS = ASSIGNMENTS  # every assignment of the course, both languages
TAMPER_AID = "rnn_from_scratch"


def tampered(nb: dict) -> dict:
    """Deleted and edited test cells, altered metadata, a renamed stub."""
    nb = json.loads(json.dumps(nb))
    cells = []
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        gid = meta.get("grade_id")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if gid == "test_rnn_step":
            continue                                   # deleted test cell
        if gid == "test_concat_operands":
            source = "pass"                            # edited test cell
        if gid == "test_rnn_forward":
            meta["points"] = 100                       # altered points
        if gid == "count_rnn_params":
            meta["grade_id"] = "whatever"              # altered id of an answer cell
        if gid == "next_char_pairs":
            source = source.replace("def next_char_pairs", "def next_char_pairs_v2")  # renamed stub
        cell["source"] = source
        cells.append(cell)
    nb["cells"] = cells
    return nb


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    c = Cycle(tmp_path_factory.mktemp("course"), ROOT)
    c.setup(AIDS)
    solution = json.loads(samples.solution_path(TAMPER_AID, ROOT).read_text())
    other = json.loads(samples.solution_path("torch_rnn_by_hand", ROOT).read_text())
    c.fetch_and_submit_all([(student, aid, work) for aid in AIDS
                            for student, work in student_work(get(aid), ROOT).items()]
                           + [("davi", TAMPER_AID, tampered(solution)), ("fabio", TAMPER_AID, other)])
    logs = {}

    def broken(student, action):
        home = c.student_home(student)
        home.mkdir(parents=True)
        c.nbgrader("fetch_assignment", TAMPER_AID, "--course=rnnquiz", cwd=home, cache=home / ".cache")
        target = home / TAMPER_AID / f"{TAMPER_AID}.ipynb"
        if action == "corrupt":
            target.write_text('{"cells": [ oops')
        elif action == "schema":  # the nbgrader schema version of two known cells edited
            nb = json.loads(json.dumps(solution))
            known = [cell for cell in nb["cells"] if "nbgrader" in cell["metadata"]]
            known[0]["metadata"]["nbgrader"]["schema_version"] = 4
            known[1]["metadata"]["nbgrader"]["schema_version"] = 0
            target.write_text(json.dumps(nb))
        elif action == "extra":
            target.write_text(json.dumps(solution))
            (target.parent / "extra.ipynb").write_text(json.dumps(solution))
        else:
            target.unlink()
        logs[action] = c.nbgrader("submit", TAMPER_AID, "--course=rnnquiz", f"--student={student}", cwd=home,
                                  cache=home / ".cache")
    side_by_side(lambda pair: broken(*pair),
                 [("eva", "corrupt"), ("gabi", "extra"), ("helena", "missing"), ("beto", "schema")])
    c.submit_log = logs["missing"]
    c.export = c.grade(AIDS)
    return c


def test_export_equals_rnnquiz_grade_for_the_same_notebooks(cycle):
    reqs, keys = [], []
    for aid in AIDS:
        for student in STUDENTS:
            reqs.append(Request(str(cycle.course / "submitted" / student / aid / f"{aid}.ipynb"), student, get(aid)))
            keys.append((student, aid))
    for key, result in zip(keys, grade_many(reqs, CATALOG, limits=TEST_LIMITS)):
        assert cycle.export[key] == (result.score, result.max_score), key
    for aid in AIDS:
        assert cycle.export[("ana_correta", aid)][0] == get(aid).max_score
        assert 0 < cycle.export[("bruno_erros", aid)][0] < get(aid).max_score


@pytest.mark.parametrize("aid", AIDS)
def test_patched_comparisons_lose_only_the_wrong_question(cycle, aid):
    question = samples.load(get(aid)).cheat_question
    score, max_score = cycle.export[("carla_cola", aid)]
    assert score == max_score - get(aid).question(question).points


def test_tampering_is_graded_and_the_others_are_unaffected(cycle):
    export = cycle.export
    # repaired and graded: only the renamed stub loses its points
    assert export[("davi", TAMPER_AID)][0] == 18 - 2
    assert export[("fabio", TAMPER_AID)][0] == 0          # another assignment's notebook
    assert export[("gabi", TAMPER_AID)][0] == 18          # an extra notebook is skipped
    # edited schema versions are repaired: nbgrader would otherwise stop grading the
    # assignment there, and every student after beto would get nothing
    assert export[("beto", TAMPER_AID)][0] == 18
    assert export[("eva", TAMPER_AID)][0] == 0            # corrupt JSON: a per-student error
    assert "MISSING" in cycle.submit_log.stderr           # helena: nbgrader says so at submit
    assert export[("ana_correta", TAMPER_AID)][0] == 18


def _student_facing_files(cycle):
    yield from (ROOT / "assignments").rglob("*.ipynb")
    yield from cycle.release.rglob("*.ipynb")          # nbgrader's release
    yield from (cycle.exchange / "rnnquiz" / "outbound").rglob("*.ipynb")


def test_nothing_released_holds_solutions_hidden_tests_or_outputs(cycle):
    files = list(_student_facing_files(cycle))
    assert len(files) >= 3 * len(AIDS)
    for path in files:
        text = path.read_text()
        assert not re.search(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)", text), path
        assert "grade_in_kernel" not in text, path
        nb = json.loads(text)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), path


def test_feedback_shows_scores_and_messages_not_hidden_tests(cycle):
    files = cycle.feedback_files()
    assert len(files) >= 3 * len(AIDS)
    for path in files:
        html = path.read_text()
        assert "grade_in_kernel" not in html and "HIDDEN TESTS" not in html, path
        assert "rnnquiz.checks" not in html and "autograders" not in html, path
    bruno = (cycle.course / "feedback" / "bruno_erros" / "rnn_from_scratch" / "rnn_from_scratch.html").read_text()
    assert "Provável erro" in bruno
