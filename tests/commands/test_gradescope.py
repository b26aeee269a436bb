"""rnnquiz on Gradescope: the autograder zip, run as Gradescope runs it.

A local runner reproduces Gradescope's layout: the zip unpacked to an
``/autograder/source`` of its own, a submission and its metadata, and
``run_autograder`` run as root with ``/autograder`` bound there by
bubblewrap, in a container-like root (the system read-only, the checkout
hidden, the virtualenv at a path of its own).  Each submission runs twice:
where new namespaces are allowed, and in a stand-in for Docker's default
profile (Docker's capabilities, and a seccomp filter that makes unshare, setns
and clone with namespace flags fail with EPERM), where rnnquiz's container
mode grades: student code runs under a uid of its own there, and the
grader's files are out of its reach.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from rnnquiz.commands import demo
from rnnquiz.gradescope import scripts
from rnnquiz.gradescope.autograder_zip import build, build_wheel
from rnnquiz.model import samples
from rnnquiz.sandboxed import confine
from support import CATALOG, ROOT, assignment, grade_notebooks, solution

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("bwrap") is None or os.geteuid() != 0,
                                 reason="the local Gradescope runs as root in bubblewrap")]

AID, PT = "rnn_from_scratch_en", "rnn_from_scratch"
BASE = assignment(AID).base
# Docker's default capabilities (no CAP_SYS_ADMIN)
DOCKER_CAPS = ("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
               "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE")
VENV_IN_CONTAINER = "/opt/rnnquiz-test"
METADATA = {"id": 987654, "created_at": "2030-05-01T10:00:00.000000-03:00", "submission_method": "upload",
            "assignment": {"id": 4242, "title": "RNN from scratch", "total_points": "18.0"},
            "users": [{"email": "ana@example.edu", "id": 31415, "name": "Ana"}], "previous_submissions": []}
STUDENT = "31415"


# --- the local Gradescope ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def zips(wheel, tmp_path_factory):
    """``rnnquiz gradescope AID`` for an assignment id (built once per id and visibility)."""
    folder, made = tmp_path_factory.mktemp("zips"), {}

    def make(aid: str, visibility: tuple = ()) -> Path:
        if (aid, visibility) not in made:
            made[aid, visibility] = build(aid, folder / f"{aid}-{len(made)}.zip", list(visibility), ROOT, wheel)
        return made[aid, visibility]
    return make


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A virtualenv with the zip's wheel installed and this environment's
    packages (torch, nbgrader...) by a path entry (not setup.sh's download:
    its own test below), readable by every user."""
    venv = tmp_path_factory.mktemp("venv") / "rnnquiz"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                           str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True)
    return venv


def container(autograder: Path, venv: Path, venv_at: str, docker: bool) -> tuple[list, list]:
    """bubblewrap's command line for a Gradescope-like container, as root, and
    the descriptors it must inherit: the system read-only, ``/autograder``
    bound to ``autograder``, the virtualenv at ``venv_at``, the checkout hidden
    but for this environment's own packages (the virtualenv's path entry)."""
    args, fds = ["bwrap"], []
    for entry in sorted(os.listdir("/")):
        path = "/" + entry
        if entry in ("proc", "dev", "tmp", "root", "opt", "autograder"):
            continue
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/root", "--tmpfs", "/opt",
             "--tmpfs", str(ROOT)]
    prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    for prefix in sorted(prefixes):
        # this environment's Python, where a container would have it: readable by everyone
        # (bubblewrap would copy the modes of its parents: 0700 under /root)
        for top in (ROOT, Path("/root")):
            if prefix.is_relative_to(top):
                for parent in reversed(prefix.parents[:len(prefix.relative_to(top).parts) - 1]):
                    args += ["--perms", "0755", "--dir", str(parent)]
                args += ["--ro-bind", str(prefix), str(prefix)]
    args += ["--bind", str(autograder), "/autograder", "--ro-bind", str(venv), venv_at,
             "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--chdir", "/autograder",
             "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/root",
             "--setenv", "LANG", "C.UTF-8"]
    if docker:
        args += ["--cap-drop", "ALL"]
        for cap in DOCKER_CAPS:
            args += ["--cap-add", f"CAP_{cap}"]
        read, write = os.pipe()
        os.write(write, confine.namespace_filter())
        os.close(write)
        args += ["--seccomp", str(read)]
        fds.append(read)
    return args, fds


def gradescope(tmp: Path, zip_path: Path, files: dict, venv: Path, docker: bool, metadata: dict | None = None,
               venv_at: str = VENV_IN_CONTAINER, env: dict | None = None) -> tuple[dict, str]:
    """Grade ``files`` ({name: bytes or notebook dict}) as Gradescope would: (results.json, stdout)."""
    autograder = tmp / "autograder"
    source, submitted = autograder / "source", autograder / "submission"
    source.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(source)
    shutil.copy(source / "run_autograder", autograder / "run_autograder")
    (autograder / "run_autograder").chmod(0o755)
    submitted.mkdir()
    for name, body in files.items():
        (submitted / name).parent.mkdir(parents=True, exist_ok=True)
        (submitted / name).write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    (autograder / "submission_metadata.json").write_text(json.dumps(METADATA if metadata is None else metadata))
    args, fds = container(autograder, venv, venv_at, docker)
    # the virtualenv where run_autograder looks by default, or where the variable says
    chosen = {} if venv_at == scripts.VENV else {"RNNQUIZ_VENV": venv_at}
    for key, value in {**chosen, **(env or {})}.items():
        args += ["--setenv", key, value]
    try:
        done = subprocess.run([*args, "/autograder/run_autograder"], pass_fds=fds, capture_output=True,
                              text=True, timeout=600)
    finally:
        for fd in fds:
            os.close(fd)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = autograder / "results" / "results.json"
    assert results.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(results.read_text(encoding="utf-8")), done.stdout + done.stderr


MODES = [pytest.param(False, id="namespaces"), pytest.param(True, id="docker-profile")]


def check_fields(data: dict, aid: str, visibility: dict | None = None):
    """Every field of results.json, as Gradescope's specification has it."""
    a = assignment(aid)
    assert set(data) == {"score", "execution_time", "output", "output_format", "stdout_visibility", "tests",
                         "extra_data"}, set(data)
    assert data["output_format"] == "md" and data["stdout_visibility"] == "hidden"
    assert isinstance(data["execution_time"], int) and 0 <= data["execution_time"] < 600
    assert isinstance(data["output"], str) and data["output"].strip()
    assert data["extra_data"]["assignment"] == aid and data["extra_data"]["max_score"] == a.max_score
    tests = data["tests"]
    assert [t["name"] for t in tests] == [q.name for q in a.questions]      # the notebook's order
    assert [t["number"] for t in tests] == [str(n) for n in range(1, len(a.questions) + 1)]
    for t, q in zip(tests, a.questions):
        assert set(t) == {"name", "number", "score", "max_score", "status", "output", "output_format", "visibility"}
        assert t["max_score"] == q.points and 0 <= t["score"] <= q.points
        assert t["status"] == ("passed" if t["score"] == q.points else "failed")
        assert t["output_format"] == "text" and isinstance(t["output"], str) and t["output"].strip()
        assert t["visibility"] == (visibility or {}).get(q.name, "visible")
    assert data["score"] == sum(t["score"] for t in tests)


def scores(data: dict) -> dict:
    return {t["name"]: t["score"] for t in data["tests"]}


def full(aid: str) -> dict:
    return {q.name: q.points for q in assignment(aid).questions}


# --- submissions ------------------------------------------------------------------------------

@pytest.mark.parametrize("docker", MODES)
def test_a_correct_notebook_under_any_name_gets_full_marks(docker, zips, venv, tmp_path):
    data, out = gradescope(tmp_path, zips(AID), {"Lab 1 - Ana (1).ipynb": solution(AID)}, venv, docker)
    check_fields(data, AID)
    assert scores(data) == full(AID)
    assert data["output"] == "Score: 18 of 18 points."
    assert all(t["output"] == "correct" for t in data["tests"])
    # the instructor's stdout: which protections held, what was graded, for whom
    assert ("rnnquiz sandbox: container" in out) == docker
    assert "/autograder and the grader's files in it: readable and writable by root only" in out
    assert f"as {AID}, inputs drawn for student {STUDENT}" in out and "Traceback" not in out


@pytest.mark.parametrize("docker", MODES)
def test_a_mistake_costs_its_question_with_feedback_in_the_notebook_s_language(docker, zips, venv, tmp_path):
    mistake = samples.load(assignment(PT)).get("no_tanh")
    nb = samples.with_answers(samples.solution(assignment(PT), ROOT), {mistake.question: mistake.code})
    # the released name wins over another notebook beside it
    files = {f"{PT}.ipynb": nb, "rascunho.ipynb": solution(PT)}
    visibility = {"quiz_output_dim": "hidden", "rnn_step": "after_due_date"}
    data, _out = gradescope(tmp_path, zips(PT, ("quiz_output_dim=hidden", "rnn_step=after_due_date")), files,
                            venv, docker)
    check_fields(data, PT, visibility)
    lost = {name for name, score in scores(data).items() if score < full(PT)[name]}
    assert lost == {mistake.question}
    test = data["tests"][0]
    assert test["name"] == mistake.question and test["status"] == "failed"
    assert "Provável erro: faltou a tanh" in test["output"]
    assert data["output"].startswith(f"Nota: {data['score']:g} de 18 pontos.")
    assert data["tests"][1]["output"] == "correto"


def cheater() -> dict:
    """The demo's cheater (comparisons patched, one question wrong), plus cells
    that say who runs them and try to read the hidden graders and the other
    files of /autograder, to write results.json (now and from a process left
    behind), as each cell's error in the results' summary shows."""
    found = samples.load(assignment(AID))
    nb = demo.student_work(assignment(AID), ROOT)["carla_cola"]
    hidden = f"/autograder/source/autograders/{BASE}/hidden/test_rnn_step.py"
    attempts = [
        "import os\nraise RuntimeError(f'WHO uid={os.getuid()} euid={os.geteuid()} gid={os.getgid()}')",
        f"print(open({hidden!r}).read())",
        "import os\nprint(os.listdir('/autograder/source'))",
        "print(open('/autograder/submission_metadata.json').read())",
        "open('/autograder/results/results.json', 'w').write('{\"score\": 1000}')",
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    for _ in range(600):\n"
        "        try:\n"
        "            open('/autograder/results/results.json', 'w').write('{\"score\": 1000}')\n"
        "        except OSError:\n"
        "            time.sleep(0.05)\n"
        "    os._exit(0)",
    ]
    for source in attempts:
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                            "source": source})
    return nb, found.cheat_question


@pytest.mark.parametrize("docker", MODES)
def test_a_cheater_neither_runs_as_root_nor_reaches_the_grader_s_files(docker, zips, venv, tmp_path):
    nb, wrong = cheater()
    data, out = gradescope(tmp_path, zips(AID), {f"{AID}.ipynb": nb}, venv, docker)
    check_fields(data, AID)
    # the patched comparisons change nothing: only the question answered wrong is lost
    assert {n for n, s in scores(data).items() if s < full(AID)[n]} == {wrong}
    summary = data["output"]
    who = next(line for line in summary.splitlines() if "WHO" in line)
    ids = dict(part.split("=") for part in who.split("WHO ")[1].split())
    assert int(ids["uid"]) != 0 and int(ids["euid"]) != 0 and int(ids["gid"]) != 0, who
    # every attempt raised: permission denied in a container, nothing there with namespaces
    denied = "PermissionError" if docker else "FileNotFoundError"
    failures = [line for line in summary.splitlines() if line.startswith("cell ")]
    assert len([line for line in failures if denied in line]) == 4, summary
    assert "1000" not in json.dumps(data) and data["score"] < data["extra_data"]["max_score"]
    assert "Traceback" not in out


def test_a_notebook_that_is_not_json_scores_zero_with_a_reason(zips, venv, tmp_path):
    data, _out = gradescope(tmp_path, zips(AID), {f"{AID}.ipynb": b"{ this is not json"}, venv, docker=True)
    check_fields(data, AID)
    assert data["score"] == 0 and all(t["status"] == "failed" for t in data["tests"])
    assert data["output"].startswith("This submission was not graded:\n\n```text\n")
    assert f"{AID}.ipynb: is not valid JSON" in data["output"] and "/autograder" not in data["output"]
    assert {t["output"] for t in data["tests"]} == {"not graded: see the message at the top of the page."}


@pytest.mark.parametrize("files, expected", [
    ({"answers.py": b"x = 1\n", ".ipynb_checkpoints/rnn_from_scratch_en-checkpoint.ipynb": b"{}"},
     "the submission holds no notebook (.ipynb); upload your rnn_from_scratch_en.ipynb."),
    ({"a.ipynb": b"{}", "sub/b.ipynb": b"{}"},
     "the submission holds 2 notebooks (a.ipynb, sub/b.ipynb) and none is named rnn_from_scratch_en.ipynb; "
     "upload your notebook only."),
], ids=["no-notebook", "two-notebooks"])
def test_no_notebook_or_several_is_a_clear_result(files, expected, zips, venv, tmp_path):
    data, _out = gradescope(tmp_path, zips(AID), files, venv, docker=True)
    check_fields(data, AID)
    assert data["score"] == 0
    assert data["output"] == f"This submission was not graded:\n\n```text\n{expected}\n```"


def test_without_metadata_or_a_working_grader_results_json_is_still_written(zips, venv, tmp_path):
    # no metadata: graded, with inputs drawn for an unknown student, and the instructor told
    data, out = gradescope(tmp_path / "a", zips(AID), {f"{AID}.ipynb": solution(AID)}, venv, True, metadata={})
    check_fields(data, AID)
    assert data["score"] == 18 and "names no user" in out
    # a virtualenv that is not there: the shell's own results.json, every question at 0
    data, out = gradescope(tmp_path / "b", zips(AID), {f"{AID}.ipynb": solution(AID)}, venv, True,
                           env={"RNNQUIZ_VENV": "/nowhere"})
    assert data["score"] == 0 and [t["name"] for t in data["tests"]] == list(full(AID))
    assert data["output"].startswith("The autograder failed on this submission")
    assert "without writing results.json" in out


def test_a_group_is_seeded_by_its_smallest_member_id_and_the_layout_is_locked(tmp_path):
    from rnnquiz.errors import InternalError
    from rnnquiz.gradescope import run_autograder
    layout = run_autograder.Layout(tmp_path / "autograder")
    for folder in (layout.source, layout.submission):
        folder.mkdir(parents=True, mode=0o755)
    layout.metadata.write_text(json.dumps({**METADATA, "users": [{"id": 900}, {"id": 42}, {"id": 1000}]}))
    assert run_autograder.student_id(layout.metadata) == "42"
    run_autograder.lock(layout)
    for path in (layout.root, layout.source, layout.submission, layout.results.parent):
        assert path.stat().st_mode & 0o777 == 0o700, path
    assert layout.metadata.stat().st_mode & 0o777 == 0o600
    shutil.rmtree(layout.source)
    layout.source.symlink_to(tmp_path)  # never made root's only through a link: refused
    with pytest.raises(InternalError, match="symbolic link"):
        run_autograder.lock(layout)


# --- the zip ----------------------------------------------------------------------------------

def test_the_zip_holds_what_grading_needs_and_no_solution(zips):
    names = zipfile.ZipFile(zips(AID)).namelist()
    content = f"autograders/{BASE}/"
    assert {"setup.sh", "run_autograder", "constraints.txt", "gradescope.json",
            f"{content}assignment.toml", f"{content}hidden/mistakes.toml"} <= set(names)
    assert sorted(n for n in names if n.endswith(".whl")) == ["rnnquiz-0.1.0-py3-none-any.whl"]
    for q in assignment(AID).questions:
        assert {f"{content}public/test_{q.name}.py", f"{content}hidden/test_{q.name}.py"} <= set(names)
    # the catalogue of typical mistakes, which names their causes
    catalogue = sorted(p.name for p in (assignment(AID).folder / "mistakes").glob("*.py"))
    assert catalogue and {f"{content}mistakes/{name}" for name in catalogue} <= set(names)
    strays = [n for n in names if not (n in ("setup.sh", "run_autograder", "constraints.txt", "gradescope.json")
                                      or n.endswith(".whl") or n.startswith(content))]
    assert not strays
    assert not [n for n in names if n.endswith((".ipynb", "samples.toml", ".pyc"))]
    archive = zipfile.ZipFile(zips(AID))
    assert all(archive.getinfo(n).external_attr >> 16 & 0o777 == 0o755 for n in ("setup.sh", "run_autograder"))
    pins = archive.read("constraints.txt").decode()
    assert "\ntorch==2.13.0\n" in pins and "nvidia" not in pins and "\nnumpy==" in pins
    # what a student could use, if they saw it: no solution region of the source notebook
    from test_wheel import solution_lines
    texts = "\n".join(archive.read(n).decode(errors="replace") for n in names if not n.endswith(".whl"))
    assert not [line for line in solution_lines(AID) if line in texts]


def test_the_scripts_pass_shellcheck(zips, tmp_path):
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck)")
    with zipfile.ZipFile(zips(AID)) as archive:
        archive.extractall(tmp_path)
    done = subprocess.run(["shellcheck", "setup.sh", "run_autograder"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_bad_requests_are_one_line_errors(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "rnnquiz.commands.cli", "gradescope", *args], cwd=ROOT,
                              capture_output=True, text=True)
    for args, says in [(("nope",), "unknown assignment 'nope'"),
                       ((AID, "--visibility", "secret"), "use one of visible, hidden"),
                       ((AID, "--visibility", "nope=hidden"), "has no question 'nope'")]:
        done = run(*args, "-o", str(tmp_path / "x.zip"))
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert not (tmp_path / "x.zip").exists()


# --- the demo's students ----------------------------------------------------------------------

@pytest.mark.parametrize("aid", sorted(a.id for a in CATALOG.assignments.values()
                                       if a.lang == "en" and samples.load(a).demo_mix))
def test_the_zip_grades_the_demo_s_students_as_the_demo_does(aid, zips, venv, tmp_path):
    """In the Docker-like container: ana full marks, bruno loses the demo's
    mistakes' questions, carla (the cheater) the question she answered wrong;
    each question's score as rnnquiz's own grading gives it for the same student."""
    work = demo.student_work(assignment(aid), ROOT)
    found = samples.load(assignment(aid))
    expected_lost = {"ana_correta": set(),
                     "bruno_erros": {found.get(n).question for n in found.demo_mix},
                     "carla_cola": {found.cheat_question}}
    direct = grade_notebooks(tmp_path, work, aid, student=STUDENT)
    for student, nb in work.items():
        data, _out = gradescope(tmp_path / student, zips(aid), {f"{aid}.ipynb": nb}, venv, docker=True)
        check_fields(data, aid)
        assert {q for q, s in scores(data).items() if s < full(aid)[q]} == expected_lost[student], student
        assert scores(data) == {q.name: q.score for q in direct[student].questions}, student


# --- setup.sh, for real -----------------------------------------------------------------------

def cpu_torch_at_hand() -> bool:
    """The CPU build of torch==2.13.0 as this machine's pip finds it: a wheel in
    its find-links folders, or PyTorch's CPU index reachable."""
    config = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    folders = os.environ.get("PIP_FIND_LINKS", "").split()
    folders += [v.strip("'") for line in config.splitlines() if "find-links" in line
                for v in line.split("=", 1)[1].split()]
    if any(Path(f).is_dir() and list(Path(f).glob("torch-2.13.0+cpu-*.whl")) for f in folders):
        return True
    try:
        socket.create_connection(("download.pytorch.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


def test_setup_sh_installs_the_cpu_build_and_the_pins_and_the_zip_then_grades(zips, tmp_path):
    if not cpu_torch_at_hand():
        pytest.skip("conditional: offline and no CPU wheel of torch==2.13.0 at hand for pip (find-links); "
                    "setup.sh needs PyTorch's CPU index")
    source = tmp_path / "source"
    with zipfile.ZipFile(zips(AID)) as archive:
        archive.extractall(source)
    venv, bin_dir = tmp_path / "venv", tmp_path / "bin"
    env = {**os.environ, "RNNQUIZ_VENV": str(venv), "RNNQUIZ_BIN_DIR": str(bin_dir)}
    done = subprocess.run(["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (bin_dir / "rnnquiz").resolve() == (venv / "bin" / "rnnquiz").resolve()
    python = str(venv / "bin" / "python")
    probe = subprocess.run([python, "-c", "import torch, json, importlib.metadata as m; print(json.dumps("
                            "[torch.version.cuda, {d.metadata['Name']: d.version for d in m.distributions()}]))"],
                           capture_output=True, text=True, check=True)
    cuda, found = json.loads(probe.stdout)
    installed = {canonicalize_name(name): Version(version).public for name, version in found.items()}
    assert cuda is None and not [name for name in installed if name.startswith("nvidia")]
    pins = [line.split("==") for line in (source / "constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    # the student install, all the way down: what the wheel asks for and what those ask for
    names = {name for name, _ in pins}
    assert {"torch", "numpy", "pytest", "pluggy", "sympy"} <= names, names
    assert not names & {"nbgrader", "jupyterlab", "matplotlib"}, names  # the instructor's, not needed
    for name, version in pins:
        assert installed.get(name) == version, (name, installed.get(name), version)
    # world-readable: student code, under another uid, imports from it
    assert not [p for p in venv.rglob("*") if not p.is_symlink() and not p.stat().st_mode & 0o004]
    # the same zip, graded with what setup.sh installed, at its default place
    data, out = gradescope(tmp_path / "run", zips(AID), {f"{AID}.ipynb": solution(AID)}, venv, docker=True,
                           venv_at="/opt/rnnquiz")
    check_fields(data, AID)
    assert data["score"] == 18, out
