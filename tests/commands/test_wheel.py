"""The wheel students install: built as the instructor guide says, every file in it
inspected, then installed with its dependencies (no instructor tool among them)
in a clean virtualenv and used from a clean folder."""
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rnnquiz.model import content, samples
from support import ASSIGNMENTS, BASES, CATALOG, ROOT, plain, quiz_choices, quiz_keys, sample

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.slow

# Every file the wheel may hold: the engine, and per assignment its manifest and public checks.
ALLOWED = [r"rnnquiz/([a-z_]+/)?[a-z_]+\.py", r"rnnquiz/grading/graders\.ini",
           r"rnnquiz_public/__init__\.py", r"rnnquiz_public/[a-z0-9_]+/assignment\.toml",
           r"rnnquiz_public/[a-z0-9_]+/public/test_[a-z0-9_]+\.py",
           r"rnnquiz-[^/]+\.dist-info/(METADATA|WHEEL|RECORD|entry_points\.txt|top_level\.txt)"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel --no-deps . -w dist` at the root of a fresh copy of the checkout
    (what git tracks plus new files not ignored: no stale build/ or dist/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "rnnquiz"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes((ROOT / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", ".", "-w", "dist"],
                          cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    (tmp / "pip-wheel.stderr").write_text(done.stderr)
    [built] = (src / "dist").glob("rnnquiz-*.whl")
    return built


def test_building_the_wheel_prints_no_setuptools_warning(wheel):
    """pip shows the build backend's warnings even with -q: a deprecated setting (one day
    an error that breaks every install) or data in a folder left out of `packages`."""
    printed = (wheel.parent.parent.parent / "pip-wheel.stderr").read_text()
    warnings = [ln for ln in printed.splitlines()
                if re.search(r"Warning:|deprecated|would be ignored|absent from the `packages`", ln)]
    assert not warnings, printed[-3000:]


def test_building_the_wheel_leaves_nothing_untracked(wheel):
    """What the instructor guide's command writes in the checkout (the wheel in dist/, setuptools'
    build/ and egg-info) is ignored by git: nothing to commit by mistake."""
    src = wheel.parent.parent
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split("\0")
    new = sorted(str(p.relative_to(src)) for p in src.rglob("*") if p.is_file()
                 and str(p.relative_to(src)) not in tracked)
    assert f"dist/{wheel.name}" in new
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "--stdin", "-z"], cwd=ROOT, input="\0".join(new),
                             capture_output=True, text=True).stdout.split("\0")
    assert not set(new) - set(ignored), sorted(set(new) - set(ignored))


def solution_lines(aid: str) -> set:
    """The lines students must write themselves: every solution region of the
    source notebook (lines of 20 characters or more: `return total` or
    `for x_t in x:` are any program's lines, not a solution's)."""
    nb = json.loads((ROOT / "source" / aid / f"{aid}.ipynb").read_text())
    lines = set()
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        for region in re.findall(r"### BEGIN SOLUTION(.*?)### END SOLUTION", src, re.S):
            lines |= {ln.strip() for ln in region.splitlines() if len(ln.strip()) >= 20}
    return lines


def test_every_file_in_the_wheel_is_engine_or_public_content(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    strays = [n for n in names if not any(re.fullmatch(p, n) for p in ALLOWED)]
    assert not strays, strays
    for base in BASES:
        assert f"rnnquiz_public/{base}/assignment.toml" in names
        questions = CATALOG.get(CATALOG.bases()[base][0].id).questions
        assert {f"rnnquiz_public/{base}/public/test_{q.name}.py" for q in questions} <= set(names)


def test_the_wheel_holds_no_solution_hidden_check_or_answer_key(wheel):
    archive = zipfile.ZipFile(wheel)
    texts = {n: archive.read(n).decode() for n in archive.namelist()}
    hidden = {p.read_text() for base in BASES for p in (ROOT / content.CONTENT_DIR / base / "hidden").glob("*.py")}
    assert not hidden & set(texts.values())
    leaks = []
    for aid in ASSIGNMENTS:
        for line in solution_lines(aid):
            leaks += [(aid, n, line) for n, t in texts.items() if line in t]
    assert not leaks, leaks
    for name, text in texts.items():
        assert not re.search(r"correct=\"[a-z]", text), name        # a quiz's right letter
        if name.startswith("rnnquiz_public/"):
            assert "answer key" not in text, name


def test_the_wheel_gives_no_quiz_answer_away(wheel):
    """No instructor-only mistake text, no quiz's right choice and no phrase its answer
    key lists as a give-away, in any file of the wheel (its METADATA included)."""
    archive = zipfile.ZipFile(wheel)
    texts = {n: archive.read(n).decode() for n in archive.namelist()}
    plains = {n: plain(t) for n, t in texts.items()}
    leaks = []
    for base in BASES:
        hidden = ROOT / content.CONTENT_DIR / base / content.HIDDEN_MISTAKES
        if hidden.exists():
            for key, by_lang in tomllib.loads(hidden.read_text(encoding="utf-8"))["mistakes"].items():
                leaks += [(n, key, lang) for lang, t in by_lang.items() for n in texts if plain(t) in plains[n]]
        for quiz, (letter, phrases) in quiz_keys(base).items():
            for aid in CATALOG.bases()[base][0].languages.values():
                right = plain(quiz_choices(aid, quiz)[letter])
                if len(right) >= 12:  # "(4, 2)" is any program's text, not an answer's
                    leaks += [(n, quiz, right) for n in texts if right in plains[n]]
            leaks += [(n, quiz, p) for listed in phrases.values() for p in listed for n in texts
                      if plain(p) in plains[n]]
    assert not leaks, "\n".join(map(str, sorted(set(leaks))))


# What only instructors need (`rnnquiz[instructor]`): never in a student's install.
INSTRUCTOR_ONLY = {"nbgrader", "jupyterlab", "notebook", "jupyter-server", "nbconvert", "matplotlib", "nh3",
                   "sqlalchemy", "psycopg", "psycopg-binary"}


@pytest.fixture(scope="module")
def student_env(wheel, tmp_path_factory) -> Path:
    """A clean virtualenv with the wheel installed as the student guide tells students:
    its dependencies resolved by pip, without extras, torch held to the CPU build
    by constraints.txt.  pip's cache is reused; nothing is byte-compiled at
    install time (about a minute less for torch; imports compile what they use)."""
    venv = tmp_path_factory.mktemp("venv") / "student"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile",
                           "-c", str(ROOT / "constraints.txt"), str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


def installed(venv: Path) -> dict:
    """{normalized name: version} of what pip installed in ``venv``."""
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            check=True, capture_output=True, text=True).stdout
    return {re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(listed)}


def test_a_student_install_holds_no_instructor_tool(student_env):
    packages = installed(student_env)
    print(sorted(packages))
    assert {"rnnquiz", "torch", "numpy", "pytest"} <= set(packages)
    assert not INSTRUCTOR_ONLY & set(packages), sorted(INSTRUCTOR_ONLY & set(packages))
    # the CPU build, as constraints.txt pins it: no CUDA package came with it
    assert packages["torch"].split("+")[0] == "2.13.0"
    assert not [name for name in packages if name.startswith("nvidia-")]


def check_in(venv: Path, folder: Path, notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "rnnquiz"), "check", str(notebook)], cwd=folder,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(folder)})


def test_a_student_self_checks_anywhere_with_the_installed_wheel(student_env, tmp_path):
    where = subprocess.run([str(student_env / "bin" / "python"), "-c",
                            "import rnnquiz, rnnquiz_public; print(rnnquiz.__file__, rnnquiz_public.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and str(student_env) in where     # the wheel's files, not the checkout's
    aid = "rnn_from_scratch_en"
    mistake = sample(aid, "no_tanh")
    nb = samples.with_answers(samples.solution(CATALOG.get(aid), ROOT), {mistake.question: mistake.code})
    home = tmp_path / "home"
    home.mkdir()
    (home / f"{aid}.ipynb").write_text(json.dumps(nb))
    done = check_in(student_env, home, home / f"{aid}.ipynb")
    assert done.returncode == 1, done.stderr  # a check failed
    lines = {ln.split()[1]: ln for ln in done.stdout.splitlines() if len(ln.split()) > 2}
    print(done.stdout)
    assert lines[mistake.question].split()[0] != "ok" and "tanh" in lines[mistake.question]
    assert lines["rnn_forward"].split()[0] == "ok"
    assert "answered: the answer is graded after you submit" in lines["quiz_output_dim"]
    assert "Traceback" not in done.stdout + done.stderr
    graded = subprocess.run([str(student_env / "bin" / "rnnquiz"), "grade", f"{aid}.ipynb"], cwd=home,
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    assert graded.returncode == 2 and "rnnquiz check" in graded.stderr and "Traceback" not in graded.stderr
