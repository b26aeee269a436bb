"""Shared helpers: the course's assignments, discovered; submissions built from
their solutions; temporary courses with the content copied in."""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from rnnquiz.grading.session import Request, grade_many
from rnnquiz.isolation.limits import Limits
from rnnquiz.model import content, samples

ROOT = Path(__file__).resolve().parent.parent
CATALOG = content.course_catalog(ROOT)
ASSIGNMENTS = sorted(CATALOG.assignments)          # every assignment of every language
BASES = sorted(CATALOG.bases())                     # every content folder
# short timeouts keep the hostile fixtures (infinite loops) quick
TEST_LIMITS = Limits(call_timeout=3.0, submission_timeout=60.0)


def assignment(aid: str) -> content.Assignment:
    return CATALOG.get(aid)


def solution(aid: str) -> dict:
    return samples.solution(assignment(aid), ROOT)


def sample(aid: str, name: str) -> samples.Sample:
    return samples.load(assignment(aid)).get(name)


def submission(aid: str, answers: dict | None = None, extra_cells: list | None = None) -> dict:
    """The solution with some answer cells replaced and code cells appended."""
    nb = samples.with_answers(solution(aid), answers or {})
    for src in extra_cells or []:
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                            "outputs": [], "source": src})
    return nb


def grade_notebooks(tmp_path: Path, notebooks: dict, aid: str, student: str = "student") -> dict:
    """Grade {name: notebook dict} in one batch; returns {name: Results}."""
    requests = []
    for name, nb in notebooks.items():
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(nb))
        requests.append(Request(str(path), student, assignment(aid)))
    return dict(zip(notebooks, grade_many(requests, CATALOG, limits=TEST_LIMITS)))


def scores(result) -> dict:
    return {q.name: q.score for q in result.questions}


def full_marks(aid: str) -> dict:
    return {q.name: float(q.points) for q in assignment(aid).questions}


def copy_course(course: Path, aids: list) -> Path:
    """A course folder with the source notebooks, content and configuration of ``aids``."""
    for aid in aids:
        shutil.copytree(ROOT / "source" / aid, course / "source" / aid)
        folder = assignment(aid).folder
        target = course / content.CONTENT_DIR / folder.name
        if not target.exists():
            shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return course


def plain(text: str) -> str:
    """Text as searched for give-away phrases: lower case, no markdown marks, single spaces."""
    return " ".join(re.sub(r"[`*$]", "", text).lower().split())


def quiz_keys(base: str) -> dict:
    """{quiz: (correct letter, {lang: give-away phrases})} from the hidden answer keys of ``base``."""
    folder = CATALOG.bases()[base][0].folder / content.HIDDEN
    keys = {}
    for q in CATALOG.bases()[base][0].questions:
        if q.kind != "quiz":
            continue
        source = (folder / f"test_{q.name}.py").read_text(encoding="utf-8")
        letter = re.search(r'correct="([a-z])"', source)
        phrases = next((ast.literal_eval(node.value) for node in ast.parse(source).body
                        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "GIVEAWAYS"), {})
        keys[q.name] = (letter.group(1) if letter else "", phrases)
    return keys


def quiz_choices(aid: str, quiz: str) -> dict:
    """{letter: text} of a quiz's choices, from the markdown cell before its answer cell."""
    cells = json.loads((ROOT / "source" / aid / f"{aid}.ipynb").read_text(encoding="utf-8"))["cells"]
    i = next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == quiz)
    markdown = "".join(cells[i - 1]["source"])
    return dict(re.findall(r"^- ([a-z])\) (.+)$", markdown, re.M))


def scratch_venv(folder: Path, startup: dict | None = None) -> Path:
    """A virtualenv in ``folder`` that sees this one's packages and the engine,
    with ``startup`` ({file name: text}) added to its site-packages (``.pth``
    files run at start-up: how a test makes a Python behave like another
    platform's); returns its python."""
    import subprocess
    import sys
    import sysconfig
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "deps.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{ROOT / 'engine'}\n")
    for name, text in (startup or {}).items():
        (site / name).write_text(text)
    return python
