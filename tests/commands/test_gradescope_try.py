"""`rnnquiz gradescope-try ZIP SUBMISSION`: a built zip tried locally, as Gradescope would run it,
without /autograder and without installing anything into this environment."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from test_as_user import USER, as_user, user_python  # noqa: F401  (a fixture: the ordinary user's Python)

from rnnquiz.gradescope.autograder_zip import build, build_wheel
from rnnquiz.gradescope.local_try import try_zip
from rnnquiz.model import samples
from support import ROOT, assignment, sample, submission

pytestmark = pytest.mark.slow  # builds a wheel and a virtualenv

AID = "rnn_from_scratch_en"


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("zip")
    return build(AID, folder / f"{AID}-autograder.zip", ["quiz_output_dim=hidden"], ROOT,
                 build_wheel(folder))


def site_packages() -> list:
    return sorted(os.listdir(sysconfig.get_paths()["purelib"]))


def test_a_solution_gets_full_marks_and_nothing_is_installed_outside(zip_path, tmp_path):
    before, had_autograder = site_packages(), os.path.exists("/autograder")
    notebook = tmp_path / "Lab 1 (Ana).ipynb"  # whatever name Gradescope gives the upload
    notebook.write_text(samples.solution_path(AID, ROOT).read_text())
    said = []
    tried = try_zip(zip_path, notebook, student_id="31415", progress=said.append)
    data = tried.results
    assert tried.assignment == AID and data["score"] == assignment(AID).max_score == 18
    assert [t["name"] for t in data["tests"]] == [q.name for q in assignment(AID).questions]
    assert {t["visibility"] for t in data["tests"] if t["name"] == "quiz_output_dim"} == {"hidden"}
    assert data["output"] == "Score: 18 of 18 points."
    # the zip's own grading ran: its instructor-only lines, for the student named in the metadata
    assert "inputs drawn for student 31415" in tried.output and "rnnquiz sandbox:" in tried.output
    assert "Traceback" not in tried.output
    assert any("Gradescope's layout in" in line for line in said)
    assert site_packages() == before and os.path.exists("/autograder") == had_autograder


def test_the_command_prints_the_score_and_each_test(zip_path, tmp_path):
    work = tmp_path / "upload"
    work.mkdir()
    mistake = sample(AID, "no_tanh")
    (work / f"{AID}.ipynb").write_text(json.dumps(submission(AID, {mistake.question: mistake.code})))
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "rnnquiz", "gradescope-try", str(zip_path), str(work),
                           "-o", str(out)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(out.read_text())
    lost = [t["name"] for t in data["tests"] if t["score"] < t["max_score"]]
    assert lost == [mistake.question]
    lines = done.stdout.splitlines()
    assert f"results.json: score {data['score']:g} of 18" in lines
    at = next(n for n, line in enumerate(lines) if line.split()[1:2] == [mistake.question])
    assert "0/3  failed" in lines[at] and "tanh" in lines[at + 1] + lines[at + 2] + lines[at + 3]
    assert sum(1 for line in lines if line.split()[1:2] in ([q.name] for q in assignment(AID).questions)) == 10
    assert "Autograder Output" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json", "upload"]  # nothing left behind


def test_what_cannot_be_tried_is_one_line(zip_path, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "rnnquiz", "gradescope-try", *map(str, args)],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
    notebook = samples.solution_path(AID, ROOT)
    not_a_zip = tmp_path / "x.zip"
    not_a_zip.write_text("hello")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "not an autograder")
    for args, says in [((tmp_path / "none.zip", notebook), "no such file"),
                       ((not_a_zip, notebook), "not a readable zip"),
                       ((other, notebook), "not an autograder zip made by `rnnquiz gradescope`"),
                       ((zip_path, tmp_path / "none.ipynb"), "no such file or folder")]:
        done = run(*args)
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr



@pytest.mark.skipif(os.geteuid() != 0, reason="not root: cannot run as the ordinary user")
@pytest.mark.skipif(shutil.which("runuser") is None, reason="runuser (util-linux) is missing")
def test_an_ordinary_user_tries_a_zip_with_the_packages_its_python_finds(zip_path, user_python):  # noqa: F811
    """An instructor's own account, without bubblewrap, whose Python finds torch and NumPy
    through a path entry (as a JupyterHub image may): the try grades, and says the notebook
    ran with that user's rights."""
    import tempfile
    work = Path(tempfile.mkdtemp(prefix="rnnquiz-try-user-"))  # a folder the user can reach (not root's tmp_path)
    try:
        shutil.copy(zip_path, work / zip_path.name)
        (work / f"{AID}.ipynb").write_text(samples.solution_path(AID, ROOT).read_text())
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(work)], check=True)
        done = as_user(user_python, "-m", "rnnquiz", "gradescope-try", zip_path.name, f"{AID}.ipynb", cwd=work,
                       bubblewrap=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "results.json: score 18 of 18" in done.stdout
    assert "rnnquiz sandbox: unprivileged" in done.stdout and "the notebook runs with your rights" in done.stdout
    assert "readable and writable by uid" in done.stdout
