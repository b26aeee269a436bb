"""Course content, discovered: the engine holds no assignment of its own.

An assignment is a folder ``autograders/<name>/`` of a course:

- ``assignment.toml``: its questions and points, its languages (one nbgrader
  assignment per language, "twins" sharing code cells and graders) and its
  typical mistakes with their texts in every language;
- ``public/test_<question>.py``: the checks a student may run before
  submitting (``rnnquiz check``);
- ``hidden/test_<question>.py``: the rest of the points, on variants drawn per
  student; never given to students;
- ``samples.toml`` (optional): typical-mistake samples for tests and the demo.

Question names are a public contract: graders, notebooks' grade ids
(``<name>`` for the answer cell, ``test_<name>`` for the graded test cell),
Gradescope test names and instructors' tooling all use them.
"""
from __future__ import annotations

import ast
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.model import source_notebook

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CONTENT_DIR = "autograders"      # a course's instructor-only content folder
MANIFEST = "assignment.toml"
MISTAKES_DIR = "mistakes"  # the catalogue of typical mistakes, as variants of the reference (instructor-only)
HIDDEN_MISTAKES = "hidden/mistakes.toml"  # fuller texts, where the public one must not give a quiz away
SAMPLES = "samples.toml"
PUBLIC, HIDDEN = "public", "hidden"
TEST_CELL_PREFIX = "test_"       # grade id of a question's graded test cell
PRIMARY_LANG = "pt"              # the seeds' language: errors before a notebook is known use it
KINDS = ("function", "quiz")


class ContentError(UserError):
    """Course content that cannot be used; the message names the file and what to fix."""


def test_grade_id(question: str) -> str:
    """The grade id of a question's graded test cell in the notebooks."""
    return TEST_CELL_PREFIX + question


def grader_file(question: str) -> str:
    """The file of a question's graders, in ``public/`` and ``hidden/``."""
    return f"test_{question}.py"


@dataclass(frozen=True)
class Question:
    name: str
    kind: str      # "function" or "quiz"
    points: float
    choices: str = ""  # quiz only: the letters a student may answer
    # the only packages its answer may use (called where no other is installed); None: any
    packages: tuple | None = None

    @property
    def test_grade_id(self) -> str:
        return test_grade_id(self.name)


@dataclass(frozen=True)
class Assignment:
    """One nbgrader assignment: a content folder in one language."""
    id: str               # nbgrader assignment id and notebook name
    base: str             # the content folder's name, shared by the twins
    lang: str
    title: str
    questions: tuple
    languages: dict = field(hash=False)  # lang -> twin id
    mistakes: dict = field(hash=False)   # key -> {lang: text}
    folder: Path = field(hash=False)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def packages(self) -> dict:
        """{question: the only packages its answer may use}, for the questions that say so."""
        return {q.name: q.packages for q in self.questions if q.packages is not None}

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)

    def mistake_text(self, key: str, lang: str | None = None) -> str:
        texts = self.mistakes.get(key) or {}
        return texts.get(lang or self.lang) or texts.get(PRIMARY_LANG) or key

    @property
    def grader_dirs(self) -> list:
        """The folders of checks, public first; hidden only where the course has them."""
        return [d for d in (self.folder / PUBLIC, self.folder / HIDDEN) if d.is_dir()]

    @property
    def has_hidden(self) -> bool:
        return (self.folder / HIDDEN).is_dir()

    def twin(self, lang: str) -> Assignment:
        return load_folder(self.folder)[self.languages[lang]]


def load_folder(folder: Path) -> dict:
    """{assignment id: Assignment} declared by one content folder."""
    path = folder / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path}: cannot be read ({exc}).") from None
    try:
        languages = dict(data["languages"])
        questions = tuple(Question(str(q["name"]), str(q["kind"]), float(q["points"]), str(q.get("choices", "")),
                                   tuple(map(str, q["packages"])) if "packages" in q else None)
                          for q in data["question"])
        mistakes = {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in data.get("mistakes", {}).items()}
        titles = data.get("title", {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ContentError(f"{path}: missing or malformed entry ({exc}); see "
                           "docs/adding-an-assignment.md in rnnquiz's repository for the format.") from None
    for q in questions:
        if q.kind not in KINDS:
            raise ContentError(f"{path}: question {q.name!r} has kind {q.kind!r}; use one of {KINDS}.")
    for key, texts in _catalogue_texts(folder / MISTAKES_DIR).items():
        mistakes.setdefault(key, texts)
    mistakes.update(_hidden_mistakes(folder / HIDDEN_MISTAKES))
    return {aid: Assignment(aid, folder.name, lang, str(titles.get(lang, folder.name)), questions, languages,
                            mistakes, folder)
            for lang, aid in languages.items()}


def _catalogue_texts(folder: Path) -> dict:
    """The texts of the catalogue's mistakes (``@mistake("key", pt=..., en=...)`` in
    ``mistakes/*.py``), read without running the modules: a class report needs the
    texts, not torch."""
    out: dict = {}
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            raise ContentError(f"{path}: cannot be read ({exc}).") from None
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "mistake" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                texts = {k.arg: k.value.value for k in node.keywords
                         if k.arg in ("pt", "en") and isinstance(k.value, ast.Constant)}
                if texts:
                    out.setdefault(str(node.args[0].value), {}).update(texts)
    return out


def _hidden_mistakes(path: Path) -> dict:
    """The instructor-only texts of mistakes (they replace the public ones when
    grading); the student wheel has only the public texts, which give no quiz away."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in data.get("mistakes", {}).items()}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError) as exc:
        raise ContentError(f"{path}: cannot be read ({exc}).") from None


@dataclass
class Catalog:
    """The assignments found in some content roots (the first root wins)."""
    roots: list
    assignments: dict = field(default_factory=dict)

    def __post_init__(self):
        for root in self.roots:
            for manifest in sorted(Path(root).glob(f"*/{MANIFEST}")):
                for aid, assignment in load_folder(manifest.parent).items():
                    self.assignments.setdefault(aid, assignment)

    def __contains__(self, aid) -> bool:
        return aid in self.assignments

    def get(self, aid: str) -> Assignment:
        try:
            return self.assignments[aid]
        except KeyError:
            raise ContentError(f"unknown assignment {aid!r}{self.suggest(aid)}; known here: {self.known()}.") from None

    def known(self) -> str:
        return ", ".join(sorted(self.assignments)) or f"none (no {CONTENT_DIR}/*/{MANIFEST} found)"

    def suggest(self, name: str) -> str:
        """" (did you mean 'x'?)" for the known assignment (or content folder) closest to ``name``, else ""."""
        return did_you_mean(name, [*self.assignments, *self.bases()])

    def bases(self) -> dict:
        """{content folder name: its assignments, one per language}."""
        out: dict = {}
        for a in self.assignments.values():
            out.setdefault(a.base, []).append(a)
        return out


def did_you_mean(name: str, names) -> str:
    """" (did you mean 'x'?)" for the one of ``names`` closest to a mistyped ``name``, else ""."""
    close = difflib.get_close_matches(name, sorted(set(names) - {name}), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def checkout() -> Path | None:
    """The repository rnnquiz runs from, when it runs from a checkout with
    hidden graders (``make setup``, ``pip install -e``); None from a wheel."""
    root = Path(__file__).resolve().parents[3]  # engine/rnnquiz/model/ -> the repository
    if (root / "engine" / "rnnquiz").is_dir() and any((root / CONTENT_DIR).glob("*/hidden")):
        return root
    return None


def find_course(start: Path | None = None) -> Path | None:
    """The course folder: ``start`` (default: the working folder) or the
    nearest parent holding ``autograders/*/assignment.toml``."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if any((folder / CONTENT_DIR).glob(f"*/{MANIFEST}")):
            return folder
    return None


def course_catalog(course: Path | None = None) -> Catalog:
    """The course's own content (hidden graders included)."""
    course = Path(course) if course else find_course()
    return Catalog([course / CONTENT_DIR] if course else [])


def public_catalog(course: Path | None = None) -> Catalog:
    """What a self-check may use: the course's content when there is one, else
    the public checks installed with rnnquiz (no hidden check, no answer key)."""
    roots = []
    course = Path(course) if course else find_course()
    if course:
        roots.append(course / CONTENT_DIR)
    installed = installed_content()
    if installed:
        roots.append(installed)
    return Catalog(roots)


def installed_content() -> Path | None:
    """The public content shipped in the wheel (package ``rnnquiz_public``)."""
    try:
        import rnnquiz_public
    except ImportError:
        return None
    return Path(rnnquiz_public.__file__).resolve().parent


def assignment_of_source(source: Path, notebook: str, catalog: Catalog) -> Assignment | None:
    """Which of our assignments a course's notebook is, decided on the
    instructor's side: the ``rnnquiz.assignment`` metadata of its source
    notebook ``source``, or else its name ``notebook``.  None: not one of ours
    (nbgrader grades it as usual)."""
    for candidate in (source_tag(source), notebook):
        if isinstance(candidate, str) and candidate in catalog:
            return catalog.get(candidate)
    return None


def source_tag(source: Path) -> str | None:
    """The ``rnnquiz.assignment`` tag of an instructor's source notebook, if any
    (``source_notebook.read`` follows no link: what it points to is not the course's word)."""
    parsed = source_notebook.read(source)
    return parsed.derived(_tag) if parsed is not None else None


def _tag(nb: dict) -> str | None:
    tag = nb.get("metadata", {}).get("rnnquiz") if isinstance(nb.get("metadata"), dict) else None
    value = tag.get("assignment") if isinstance(tag, dict) else None
    return value if isinstance(value, str) else None


def in_course_tree(path: Path) -> tuple | None:
    """(course, course assignment) when ``path`` lies in a course's
    ``submitted|autograded/<student>/<assignment>/``, else None."""
    path = Path(os.path.abspath(path))
    parts = path.parts
    for kind in ("submitted", "autograded"):
        if kind in parts[:-3]:
            i = len(parts) - 1 - parts[::-1].index(kind)
            if len(parts) == i + 4:
                course = Path(*parts[:i])
                if (course / CONTENT_DIR).is_dir():
                    return course, parts[i + 2]
    return None
