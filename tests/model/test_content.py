"""The notebooks: valid, without outputs, twins in step, generated copies in sync."""
import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from rnnquiz.commands.build import build
from rnnquiz.model import content, samples
from support import ASSIGNMENTS, BASES, CATALOG, ROOT, assignment, plain, quiz_choices, quiz_keys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb")) + sorted((ROOT / "assignments").glob("*/*.ipynb")) \
    + sorted((ROOT / "solutions").glob("*/*.ipynb"))
MARKERS = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)")


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def test_every_assignment_has_its_notebooks_and_every_notebook_its_assignment():
    assert BASES and all(len(CATALOG.bases()[b]) >= 2 for b in BASES)  # every assignment has its twin
    for aid in ASSIGNMENTS:
        for folder in ("source", "assignments", "solutions"):
            assert (ROOT / folder / aid / f"{aid}.ipynb").exists(), (folder, aid)
    assert {p.parent.name for p in (ROOT / "source").glob("*/*.ipynb")} == set(ASSIGNMENTS)


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
    """Code with comments, docstrings, assert messages and the text of printed
    string constants removed (those are localized)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            node.args = [ast.Constant("") if isinstance(a, ast.Constant) and isinstance(a.value, str) else a
                         for a in node.args]
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


def _twin_code(path, aid: str, base_id: str):
    """Code cells as compared between twins: the hidden tests name their own assignment."""
    return [_code_skeleton("".join(c["source"]).replace(f'"{aid}"', f'"{base_id}"'))
            for c in cells(path) if c["cell_type"] == "code"]


@pytest.mark.parametrize("folder", ["source", "assignments", "solutions"])
@pytest.mark.parametrize("base", BASES)
def test_twins_have_identical_code_cells_and_grade_ids(folder, base):
    twins = sorted(CATALOG.bases()[base], key=lambda a: a.lang != content.PRIMARY_LANG)
    first = twins[0]
    for other in twins[1:]:
        a = ROOT / folder / first.id / f"{first.id}.ipynb"
        b = ROOT / folder / other.id / f"{other.id}.ipynb"
        assert _twin_code(a, first.id, first.id) == _twin_code(b, other.id, first.id), other.id
        assert _grade_ids(a) == _grade_ids(b)
        assert len(cells(a)) == len(cells(b))


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_grade_cells_match_the_manifest(aid):
    path = ROOT / "source" / aid / f"{aid}.ipynb"
    meta = [c["metadata"]["nbgrader"] for c in cells(path) if c["metadata"].get("nbgrader")]
    points = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    expected = {q.test_grade_id: q.points for q in assignment(aid).questions}
    assert points == expected
    answers = [m["grade_id"] for m in meta if m["solution"]]
    # the manifest lists the questions in the notebook's order: reports and self-checks follow it
    assert answers == [q.name for q in assignment(aid).questions]
    # every function stub is defined in its own answer cell with that name
    for c in cells(path):
        gid = c["metadata"].get("nbgrader", {}).get("grade_id")
        q = next((q for q in assignment(aid).questions if q.name == gid), None)
        if q and q.kind == "function":
            assert f"def {q.name}(" in "".join(c["source"])


def _points(path):
    return sum(float(p) for p in re.findall(r"@pytest.mark.points\(([\d.]+)\)", path.read_text()))


@pytest.mark.parametrize("base", BASES)
def test_graders_declare_the_manifest_points(base):
    """One public and one hidden file per question; together they give its points;
    public files hold only public checks, hidden files none."""
    folder = CATALOG.bases()[base][0].folder
    for q in CATALOG.bases()[base][0].questions:
        public = folder / content.PUBLIC / f"test_{q.name}.py"
        hidden = folder / content.HIDDEN / f"test_{q.name}.py"
        assert public.exists() and hidden.exists(), q.name
        for path in (public, hidden):
            assert f'pytest.mark.question("{q.name}")' in path.read_text(), path
        tests = lambda p: len(re.findall(r"^def test_", p.read_text(), re.M))  # noqa: E731
        assert public.read_text().count("@pytest.mark.public") == tests(public) > 0, public
        assert "@pytest.mark.public" not in hidden.read_text(), hidden
        assert _points(public) + _points(hidden) == q.points, q.name
    assert sorted(p.name for p in (folder / content.PUBLIC).glob("test_*.py")) == \
        sorted(f"test_{q.name}.py" for q in CATALOG.bases()[base][0].questions)


@pytest.mark.parametrize("base", BASES)
def test_every_declared_mistake_has_both_texts_and_a_sample_that_names_it(base):
    a = CATALOG.bases()[base][0]
    langs = set(a.languages)
    for key, texts in a.mistakes.items():
        assert set(texts) == langs and all(t.strip() for t in texts.values()), key
    named = {s.mistake for s in samples.load(a).samples}
    assert set(a.mistakes) <= named, f"declared but never shown named: {sorted(set(a.mistakes) - named)}"
    assert named <= set(a.mistakes), f"samples name undeclared mistakes: {sorted(named - set(a.mistakes))}"
    graders = "".join(p.read_text() for d in [*a.grader_dirs, a.folder / content.MISTAKES_DIR] for p in d.glob("*.py"))
    for key in a.mistakes:
        assert f'"{key}"' in graders, f"{key} is declared but no grader names it"


def _public_files() -> list:
    """What the student wheel carries of the content: every manifest and public check."""
    folder = ROOT / content.CONTENT_DIR
    return sorted(folder.glob(f"*/{content.MANIFEST}")) + sorted(folder.glob(f"*/{content.PUBLIC}/*.py"))


def _manifest_mistakes(base: str) -> dict:
    """The public texts: assignment.toml's own, without hidden/mistakes.toml's."""
    path = ROOT / content.CONTENT_DIR / base / content.MANIFEST
    return tomllib.loads(path.read_text(encoding="utf-8")).get("mistakes", {})


@pytest.mark.parametrize("base", BASES)
def test_every_quiz_has_its_answer_key_and_give_away_phrases(base):
    langs = set(CATALOG.bases()[base][0].languages)
    for quiz, (letter, phrases) in quiz_keys(base).items():
        assert letter, f"{quiz}: no correct= in its hidden answer key"
        assert set(phrases) == langs, f"{quiz}: GIVEAWAYS needs phrases in {sorted(langs)}"
        for lang, listed in phrases.items():
            assert listed and all(isinstance(p, str) and plain(p) == p.lower() and p.strip() for p in listed), \
                f"{quiz} ({lang}): phrases must be non-empty, single-spaced and without markdown marks"


def test_no_public_text_gives_a_quiz_away():
    """Mistake texts and public checks (docstrings, comments, messages) say what is wrong
    in a function without stating the fact a quiz asks; the full explanations live in
    hidden/mistakes.toml."""
    phrases = [(base, quiz, phrase) for base in BASES for quiz, (_letter, by_lang) in quiz_keys(base).items()
               for listed in by_lang.values() for phrase in listed]
    found = []
    for path in _public_files():
        text = plain(path.read_text(encoding="utf-8"))
        found += [(str(path.relative_to(ROOT)), quiz, phrase) for _base, quiz, phrase in phrases
                  if plain(phrase) in text]
    for base in BASES:  # the texts as parsed too (TOML escapes)
        for key, texts in _manifest_mistakes(base).items():
            for lang, t in texts.items():
                found += [(f"{base} [mistakes.{key}] {lang}", quiz, phrase) for _b, quiz, phrase in phrases
                          if plain(phrase) in plain(t)]
    assert not found, "public texts that give a quiz away:\n" + "\n".join(map(str, sorted(set(found))))


@pytest.mark.parametrize("base", BASES)
def test_hidden_mistake_texts_replace_declared_public_ones(base):
    path = ROOT / content.CONTENT_DIR / base / content.HIDDEN_MISTAKES
    if not path.exists():
        pytest.skip(f"conditional: {base} has no {content.HIDDEN_MISTAKES}")
    hidden = tomllib.loads(path.read_text(encoding="utf-8"))["mistakes"]
    public = _manifest_mistakes(base)
    langs = set(CATALOG.bases()[base][0].languages)
    for key, texts in hidden.items():
        assert key in public, f"{path.name}: [mistakes.{key}] is not declared in {content.MANIFEST}"
        assert set(texts) == set(public[key]) == langs, key
        for lang in langs:
            assert texts[lang].strip() and texts[lang] != public[key][lang], (key, lang)
            # graded on the instructor's side, the hidden text is the one shown
            assert CATALOG.get(CATALOG.bases()[base][0].languages[lang]).mistake_text(key) == texts[lang]


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


QUIZZES = [(aid, q.name) for aid in ASSIGNMENTS for q in assignment(aid).questions if q.kind == "quiz"]


@pytest.mark.parametrize("aid,quiz", QUIZZES, ids=[f"{a}-{q}" for a, q in QUIZZES])
def test_the_right_option_is_not_conspicuously_the_longest(aid, quiz):
    """A test-wise student who picks the longest option gains nothing: the right one is
    never more than 1.3 times the mean length of the others (markdown marks ignored)."""
    choices = quiz_choices(aid, quiz)
    letter = quiz_keys(assignment(aid).base)[quiz][0]
    length = {k: len(plain(v)) for k, v in choices.items()}
    others = [n for k, n in length.items() if k != letter]
    assert length[letter] <= 1.3 * sum(others) / len(others), (length, letter)


def test_the_right_letters_vary():
    letters = {quiz_keys(base)[q.name][0] for base in BASES for q in CATALOG.bases()[base][0].questions
               if q.kind == "quiz"}
    assert len(letters) >= 3, letters
