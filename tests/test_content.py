"""The notebooks: valid, without outputs, twins in step, generated copies in sync."""
import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from rnnquiz import assignments
from rnnquiz.build import build

from support import ROOT

NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb")) + sorted((ROOT / "assignments").glob("*/*.ipynb")) \
    + sorted((ROOT / "solutions").glob("*/*.ipynb"))
MARKERS = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)")


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def test_every_catalogue_assignment_has_its_notebooks():
    for aid in assignments.ASSIGNMENTS:
        for folder in ("source", "assignments", "solutions"):
            if (ROOT / "source" / aid).exists():
                assert (ROOT / folder / aid / f"{aid}.ipynb").exists(), (folder, aid)
    assert (ROOT / "source" / "rnn_from_scratch").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_and_without_outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, str(path)


@pytest.mark.parametrize("path", sorted((ROOT / "assignments").glob("*/*.ipynb")), ids=lambda p: p.parent.name)
def test_release_holds_no_solution_hidden_test_or_output(path):
    text = path.read_text()
    assert not MARKERS.search(text)
    assert "grade_in_kernel" not in text  # the hidden test hook is stripped too
    aid = path.parent.name
    # no solution line of the source survives in the release
    src = (ROOT / "source" / aid / f"{aid}.ipynb").read_text()
    for block in re.findall(r"### BEGIN SOLUTION\\n(.*?)### END SOLUTION", src, re.S):
        for line in block.split("\\n"):
            line = line.strip()
            if len(line) > 12 and not line.startswith("#"):
                assert line not in text, (aid, line)


def _code_skeleton(source: str) -> str:
    """Code with comments, docstrings and assert messages removed (those are localized)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        if isinstance(node, ast.Assert):
            node.msg = None
    return ast.dump(tree)


def _grade_ids(path):
    return [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells(path)
            if c["metadata"].get("nbgrader")]


@pytest.mark.parametrize("folder", ["source", "assignments", "solutions"])
@pytest.mark.parametrize("base", list(assignments.QUESTIONS))
def test_twins_have_identical_code_cells_and_grade_ids(folder, base):
    pt = ROOT / folder / base / f"{base}.ipynb"
    en = ROOT / folder / f"{base}_en" / f"{base}_en.ipynb"
    if not pt.exists():
        pytest.skip(f"{base} not written yet")
    code = lambda p: [_code_skeleton("".join(c["source"])) for c in cells(p) if c["cell_type"] == "code"]  # noqa
    assert code(pt) == code(en)
    assert _grade_ids(pt) == _grade_ids(en)
    assert len(cells(pt)) == len(cells(en))


@pytest.mark.parametrize("aid", list(assignments.ASSIGNMENTS))
def test_grade_cells_match_the_catalogue(aid):
    path = ROOT / "source" / aid / f"{aid}.ipynb"
    if not path.exists():
        pytest.skip(f"{aid} not written yet")
    meta = [c["metadata"]["nbgrader"] for c in cells(path) if c["metadata"].get("nbgrader")]
    points = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    expected = {q.test_grade_id: q.points for q in assignments.get(aid).questions}
    assert points == expected
    answers = {m["grade_id"] for m in meta if m["solution"]}
    assert answers == {q.name for q in assignments.get(aid).questions}
    # every function stub is defined in its own answer cell with that name
    for c in cells(path):
        gid = c["metadata"].get("nbgrader", {}).get("grade_id")
        q = next((q for q in assignments.get(aid).questions if q.name == gid), None)
        if q and q.kind == "function":
            assert f"def {q.name}(" in "".join(c["source"])


def test_graders_declare_the_catalogue_points():
    """Each question's grader tests add up to its points, one file per question."""
    for base, questions in assignments.QUESTIONS.items():
        folder = assignments.GRADERS_DIR / base
        for q in questions:
            path = folder / f"test_{q.name}.py"
            if not path.exists():
                pytest.skip(f"graders of {base} not written yet")
            source = path.read_text()
            assert f'pytest.mark.question("{q.name}")' in source
            assert "@pytest.mark.public" in source, f"{q.name} has no public check"
            points = sum(float(p) for p in re.findall(r"@pytest.mark.points\(([\d.]+)\)", source))
            assert points == q.points, q.name


def _normalized(path):
    nb = json.loads(Path(path).read_text())
    nb["metadata"].pop("widgets", None)
    for c in nb["cells"]:
        c.get("metadata", {}).get("nbgrader", {}).pop("checksum", None)
    return nb


@pytest.mark.slow
def test_generated_folders_match_a_fresh_build(tmp_path):
    build(ROOT, tmp_path)
    for folder in ("assignments", "solutions"):
        fresh = sorted(p.relative_to(tmp_path) for p in (tmp_path / folder).rglob("*.ipynb"))
        committed = sorted(p.relative_to(ROOT) for p in (ROOT / folder).rglob("*.ipynb"))
        assert fresh == committed, "run `rnnquiz build` and commit the result"
        for rel in fresh:
            assert _normalized(tmp_path / rel) == _normalized(ROOT / rel), \
                f"{rel} differs from a fresh build of source/: run `rnnquiz build` and commit"
