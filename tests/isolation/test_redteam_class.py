"""Class-level red team: one hostile student must not change anyone else's grade.

Honest students are graded in the same pool before and after each attacker
(``--jobs 1`` keeps one pool and the students' order), by ``rnnquiz autograde``
and by ``nbgrader autograde`` with rnnquiz's preprocessors.  For every run:
the honest students keep exactly the marks they get alone, the run ends within
its bound, the gradebook holds everyone, and no student process is left.
"""
import contextlib
import copy
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time

import pytest

from rnnquiz.classrun import autograde
from rnnquiz.commands.cycle import NBGRADER
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.isolation.launcher import SandboxConfig
from rnnquiz.isolation.limits import Limits
from rnnquiz.model import samples
from rnnquiz.outputs.text import render as render_text
from rnnquiz.sandboxed.confine import UID_RANGE
from support import CATALOG, ROOT, assignment, copy_course, full_marks, sample, solution, submission

pytestmark = pytest.mark.slow
AID = "rnn_from_scratch"
LIMITS = Limits(call_timeout=3.0, submission_timeout=40.0, memory_budget=1024**3)

# the serving loop's frame holds the socket and the current request id: an
# attacker can forge a well-addressed header, so only size and time protect us
FORGE = '''
import os, struct, sys, time
def _frame():
    f = sys._getframe()
    while f is not None and "msg_id" not in f.f_locals:
        f = f.f_back
    return f.f_locals["self"].sock, f.f_locals["msg_id"]
'''
HONEST_BEFORE = ("a_honest", "b_mistake")
HONEST_AFTER = ("y_honest", "z_mistake")


def attacks() -> dict:
    """student -> (the question it must lose or None, answers, extra cells, how to plant it)."""
    return {
        "m01_trickle": ("rnn_step", {"rnn_step": FORGE + '''
def rnn_step(X, H, W_xh, W_hh, b_h):
    sock, msg_id = _frame()
    sock.sendall(struct.pack("!IiI", 1000, os.getpid(), msg_id))
    while True:
        sock.sendall(b" ")
        time.sleep(1)
'''}, []),
        "m02_daemon": ("rnn_forward", {"rnn_forward": '''
import os, signal, time
def rnn_forward(inputs, H, W_xh, W_hh, b_h):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:  # a daemon that kills whatever it can see, for a minute
            end = time.time() + 60
            while time.time() < end:
                for pid in range(2, 2048):
                    if pid != os.getpid():
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass
                time.sleep(0.005)
        os._exit(0)
    time.sleep(0.3)
    raise ValueError("planted")
'''}, []),
        "m03_surrogate": ("rnn_step", {"rnn_step": '''
def rnn_step(X, H, W_xh, W_hh, b_h):
    raise ValueError("\\ud800 lone surrogate")
'''}, ["x = '\\ud800'"]),
        "m04_number_source": (None, {}, [], "number_source"),
        "m05_garbage_timestamp": (None, {}, [], "garbage_timestamp"),
        "m06_metadata_bomb": (None, {}, [], "metadata_bomb"),
        "m07_oversized": ("*", {}, [], "oversized"),
        "m08_amplify": ("concat_operands", {"concat_operands": FORGE + '''
def concat_operands(X, H, W_xh, W_hh):
    sock, msg_id = _frame()
    body = b"[]," * (1024 * 1024)
    sock.sendall(struct.pack("!IiI", len(body), os.getpid(), msg_id) + body)
    time.sleep(30)
'''}, []),
        "m09_amplify_huge": ("count_rnn_params", {"count_rnn_params": FORGE + '''
def count_rnn_params(num_inputs, num_hiddens):
    sock, msg_id = _frame()
    sock.sendall(struct.pack("!IiI", 64 * 1024 * 1024, os.getpid(), msg_id) + b"[]," * 100000)
    time.sleep(30)
'''}, []),
        "m10_memory_forks": ("concat_operands", {"concat_operands": '''
import os, time
def concat_operands(X, H, W_xh, W_hh):
    ready, told = os.pipe()
    for _ in range(6):  # each under the per-process limit, together over the budget
        if os.fork() == 0:
            block = b"x" * (600 * 1024 * 1024)
            os.write(told, b"!")  # held: the right answer comes only once all of it is
            time.sleep(30)
            os._exit(0)
    os.close(told)
    held = 0
    while held < 6 and os.read(ready, 1):  # those ended at the budget never say so
        held += 1
    return torch.cat((X, H), 1), torch.cat((W_xh, W_hh), 0)
'''}, []),
        "m11_long_string": ("next_char_pairs", {"next_char_pairs": '''
def next_char_pairs(text):
    return "\\x1b[31m" + "x" * 5_000_000, text[1:]
'''}, []),
        "m12_symlink": ("*", {}, [], "symlink"),
        "m13_userns_keyring": ("next_char_output_shape", {"next_char_output_shape": '''
import ctypes
def next_char_output_shape(num_steps, batch_size, vocab_size):
    libc = ctypes.CDLL(None, use_errno=True)
    escaped = libc.unshare(0x10000000) == 0                 # a user namespace
    escaped |= libc.syscall(250, 0, -4, 1, 0, 0) >= 0       # keyctl: the uid's keyring
    escaped |= libc.syscall(101, 16, 1, 0, 0) == 0          # ptrace(ATTACH, pid 1)
    return (num_steps, batch_size, vocab_size) if escaped else (0, 0, 0)
'''}, []),
        "m14_write_course": ("count_rnn_params", {"count_rnn_params": '''
import glob
def count_rnn_params(num_inputs, num_hiddens):
    found = [p for top in ("/tmp", "/work") for pattern in ("gradebook.db", "source/*/*.ipynb")
             for p in glob.glob(f"{top}/**/{pattern}", recursive=True)]
    for path in found:
        open(path, "a").write("x")
    return 28 if found else 0
'''}, []),
        # memory no process maps, which the budget (1 GiB here) could not see:
        # the right answer only when more than 1 GiB was held that way
        "m15_memfd": ("next_char_pairs", {"next_char_pairs": '''
import os
def next_char_pairs(text):
    held = []
    for i in range(72):  # 72 x 15 MiB (each file under the 16 MiB file limit)
        fd = os.memfd_create(f"m{i}")
        os.posix_fallocate(fd, 0, 15 << 20)
        held.append(fd)
    return text[:-1], text[1:]
'''}, []),
        "m16_sysv_shm": ("next_char_output_shape", {"next_char_output_shape": '''
import ctypes
def next_char_output_shape(num_steps, batch_size, vocab_size):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    for _ in range(6):  # 6 x 256 MiB, written, then unmapped
        segment = libc.shmget(0, 256 << 20, 0o1600)
        if segment < 0:
            return (0, 0, 0)
        address = libc.shmat(segment, None, 0)
        ctypes.memset(address, 1, 256 << 20)
        libc.shmdt(ctypes.c_void_p(address))
    return (num_steps, batch_size, vocab_size)
'''}, []),
        # the answer key and solutions from rnnquiz's own checkout, world-readable
        # where rnnquiz is installed from it (`pip install -e .`): with full
        # marks if the sandbox let it read them, with nothing otherwise
        "m17_read_checkout": ("*", {}, [f'''
import glob, json, re
ROOT = {str(ROOT)!r}
for path in glob.glob(ROOT + "/solutions/{AID}/*.ipynb"):
    for cell in json.load(open(path))["cells"]:
        source = "".join(cell["source"])
        if "BEGIN SOLUTION" in source:
            exec(source, globals())
for path in glob.glob(ROOT + "/autograders/{AID}/hidden/test_quiz_*.py"):
    name, key = re.search(r'check_choice\\(student, "(\\w+)", correct="(\\w)"', open(path).read()).groups()
    globals()[name] = key
'''], "untouched"),
        # helper processes queue kernel memory on Unix socket pairs (no process
        # maps it): without a memory control group, 3 GB beside a 1 GiB budget
        "m18_socket_memory": ("next_char_output_shape", {"next_char_output_shape": '''
import os, socket, time
def next_char_output_shape(num_steps, batch_size, vocab_size):
    for _ in range(3):
        if os.fork() == 0:
            held = []
            try:
                while True:
                    a, b = socket.socketpair()
                    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
                    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
                    a.setblocking(False)
                    try:
                        while True:
                            a.send(b"x" * 65536)
                    except BlockingIOError:
                        pass
                    held.append((a, b))
            except OSError:
                pass
            time.sleep(30)
            os._exit(0)
    time.sleep(2)  # within the call's 3 s: the helpers fill their sockets meanwhile
    return (0, 0, 0)  # wrong, whatever happened: the question is lost
'''}, []),
        # a FIFO where the notebook should be: opening it would block for ever
        "m19_fifo": ("*", {}, [], "fifo"),
        # a symbolic link beside the notebook, to a hidden grader of the course
        "m20_sibling_symlink": ("*", {}, [], "sibling_symlink"),
        # 8 MB of tiny failing cells: the feedback we would write grows with each
        "m21_many_cells": ("*", {}, ["1/0"] * 50_000, "many_cells"),
        # a test cell's grade and solution flags flipped: its checksum changes and
        # stock nbgrader sends the notebook to manual grading (0 points): repaired
        "m22_flipped_flags": (None, {}, [], "flipped_flags"),
        # the instructor's own source notebook handed in: correct, and flagged
        "m23_source_notebook": (None, {}, [], "source_notebook"),
    }


def plant(folder, how, nb):
    path = folder / f"{AID}.ipynb"
    text = json.dumps(nb)
    if how == "number_source":
        nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                            "source": 42})
        text = json.dumps(nb)
    elif how == "metadata_bomb":
        nb["metadata"]["bomb"] = [[[[i, "y" * 20] for i in range(60)]] for _ in range(400)]
        nb["cells"][0]["metadata"]["bomb"] = nb["metadata"]["bomb"]
        text = json.dumps(nb)
    elif how == "flipped_flags":
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade_id") == "test_rnn_step":
                meta.update(grade=False, solution=True)
        text = json.dumps(nb)
    elif how == "source_notebook":
        text = (folder.parent.parent.parent / "source" / AID / f"{AID}.ipynb").read_text()
    elif how == "oversized":
        text = json.dumps(nb) + " " * (9 * 1024 * 1024)
    elif how == "untouched":  # the released notebook, the attacker's cells added
        released = samples.with_answers(json.loads(samples.release_path(AID, ROOT).read_text()), {})
        released["cells"] += [c for c in nb["cells"] if c.get("metadata") == {} and c["cell_type"] == "code"
                              and "ROOT" in "".join(c["source"])]
        text = json.dumps(released)
    if how == "symlink":
        path.symlink_to(samples.solution_path(AID, ROOT))
    elif how == "fifo":
        os.mkfifo(path)
    else:
        path.write_text(text)
    if how == "sibling_symlink":
        hidden = folder.parent.parent.parent / "autograders" / AID / "hidden" / "test_quiz_output_dim.py"
        (folder / "notes.txt").symlink_to(hidden)
    stamp = "garbage\ud800" if how == "garbage_timestamp" else "2026-11-22 12:00:00.000000 UTC"
    (folder / "timestamp.txt").write_text(stamp, errors="surrogatepass")


def nbgrader(*args, cwd, check=True):
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    done = subprocess.run([*NBGRADER, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1200)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def make_course(root):
    copy_course(root, [AID])
    nbgrader("generate_assignment", AID, cwd=root)
    mistake = submission(AID, {"rnn_step": sample(AID, "no_tanh").code})
    honest = {"a_honest": solution(AID), "b_mistake": mistake, "y_honest": solution(AID), "z_mistake": mistake}
    for student, nb in honest.items():
        folder = root / "submitted" / student / AID
        folder.mkdir(parents=True)
        plant(folder, None, nb)
    for student, (_q, answers, extra, *how) in attacks().items():
        folder = root / "submitted" / student / AID
        folder.mkdir(parents=True)
        plant(folder, how[0] if how else None, submission(AID, answers, extra))
    return root


def leftover_student_processes(within: float = 10.0) -> list:
    """Student processes (their uids) of this test's own runs still alive after
    ``within`` seconds; a killed namespace takes a moment to free its memory,
    and zombies hold none.  Another rnnquiz run on the machine is not ours:
    a process whose ancestors reach a process that is neither a student's,
    this test's nor init is that run's (one that escaped to init is counted)."""
    lo, hi = UID_RANGE
    end = time.monotonic() + within
    while True:
        table = _process_table()
        out = [(pid, state) for pid, (uid, state, _ppid) in table.items()
               if lo <= uid < hi and state != "Z" and _ours(pid, table)]
        if not out or time.monotonic() > end:
            return out
        time.sleep(0.2)


def _process_table() -> dict:
    """{pid: (uid, state, parent pid)} of every process."""
    table = {}
    for name in os.listdir("/proc"):
        try:
            if name.isdigit():
                uid = os.stat(f"/proc/{name}").st_uid
                fields = open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()
                table[int(name)] = (uid, fields[0], int(fields[1]))
        except (OSError, IndexError, ValueError):
            pass
    return table


def _ours(pid: int, table: dict) -> bool:
    """The first ancestor that is no student's process decides: ours when it is
    this test process or one of its descendants (a zygote, bubblewrap)."""
    lo, hi = UID_RANGE
    seen = set()
    while pid in table and pid not in seen:
        seen.add(pid)
        uid, _state, parent = table[pid]
        if not lo <= uid < hi:
            return _descends_from(pid, os.getpid(), table)
        if parent in (0, 1):
            return True  # escaped to init: nothing says whose, so it counts
        pid = parent
    return True


def _descends_from(pid: int, ancestor: int, table: dict) -> bool:
    seen = set()
    while pid in table and pid not in seen:
        if pid == ancestor:
            return True
        seen.add(pid)
        pid = table[pid][2]
    return pid == ancestor


def expected_scores(question):
    marks = full_marks(AID)
    if question == "*":
        return {q: 0.0 for q in marks}
    if question:
        marks[question] = 0.0
    return marks


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """The honest students graded alone: what they must get in any class."""
    course = make_course(tmp_path_factory.mktemp("alone"))
    reqs = [Request(str(course / "submitted" / s / AID / f"{AID}.ipynb"), s, assignment(AID))
            for s in HONEST_BEFORE + HONEST_AFTER]
    return {r.student: r for r in grade_many(reqs, CATALOG, limits=LIMITS)}


class MemoryWatch:
    """The machine's available memory, sampled while a class is graded: how
    much the run (attackers included) took from it at worst."""

    def __init__(self):
        self.lowest = self.start = self.available()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    @staticmethod
    def available() -> int:
        with open("/proc/meminfo") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))

    def watch(self):
        while not self.done.wait(0.05):
            self.lowest = min(self.lowest, self.available())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    @property
    def taken(self) -> int:
        return self.start - self.lowest


@pytest.fixture(scope="module", params=["bubblewrap", "no-bubblewrap"])
def rnnquiz_run(request, tmp_path_factory):
    if request.param == "bubblewrap" and shutil.which("bwrap") is None:
        pytest.skip("bubblewrap not installed")
    sandbox = SandboxConfig(use_bwrap=None if request.param == "bubblewrap" else False)
    course = make_course(tmp_path_factory.mktemp(f"class-{request.param}"))
    start = time.monotonic()
    # from the course folder, as an instructor runs it (rnnquiz's checkout is elsewhere)
    with MemoryWatch() as memory, contextlib.chdir(course):
        summary = autograde(AID, course_root=course, jobs=1, limits=LIMITS, sandbox=sandbox)
    summary.memory_taken = memory.taken
    return course, summary, time.monotonic() - start


def test_rnnquiz_autograde_keeps_every_honest_grade(rnnquiz_run, alone):
    course, summary, seconds = rnnquiz_run
    by_student = {o.student: o for o in summary.outcomes}
    assert set(by_student) == set(attacks()) | set(HONEST_BEFORE + HONEST_AFTER)
    for student, result in alone.items():
        mine = by_student[student].results
        assert [(q.name, q.score, q.feedback("pt")) for q in mine.questions] == \
               [(q.name, q.score, q.feedback("pt")) for q in result.questions], student
    # the bound: every attack costs at most its timeouts, never the run
    print(f"\nclass of {len(by_student)} with {len(attacks())} attackers graded in {seconds:.1f} s")
    assert seconds < 240
    assert leftover_student_processes() == []


def test_each_attack_costs_only_its_own_marks(rnnquiz_run):
    course, summary, _ = rnnquiz_run
    by_student = {o.student: o for o in summary.outcomes}
    for student, (question, *_rest) in attacks().items():
        outcome = by_student[student]
        got = {q.name: q.score for q in outcome.results.questions} if outcome.results and \
            not outcome.results.error else {q: 0.0 for q in full_marks(AID)}
        assert got == expected_scores(question), (student, outcome.error, outcome.results and
                                                  render_text(outcome.results))
    assert "symbolic link" in by_student["m12_symlink"].error
    assert "larger than" in by_student["m07_oversized"].error
    assert "named pipe (FIFO)" in by_student["m19_fifo"].error
    assert "notes.txt: is a symbolic link" in by_student["m20_sibling_symlink"].error
    assert "more than the 1000" in by_student["m21_many_cells"].error
    # the instructor's own files, handed in: flagged, for the instructor to look at
    assert any("BEGIN SOLUTION" in f for f in by_student["m23_source_notebook"].results.flags)
    report = (course / "reports" / AID / "report.md").read_text()
    assert "Flagged" in report and "m23_source_notebook" in report
    page = (course / "reports" / AID / "report.html").read_text()
    assert 'data-student="m23_source_notebook"' in page and "BEGIN SOLUTION" in page


def test_kernel_memory_counts_against_the_budget(rnnquiz_run):
    """m18 queues data on Unix sockets from helper processes: the class run
    took 3.1 GiB from the machine where nothing counts it (measured with the
    control groups turned off), 1.3 GiB with a memory control group per
    submission (its 1 GiB budget, and everything else the run holds)."""
    _course, summary, _ = rnnquiz_run
    print(f"\nmemory the class run took from the machine at worst: {summary.memory_taken / 2**30:.2f} GiB "
          f"(budget per submission {LIMITS.memory_budget / 2**30:g} GiB)")
    assert summary.memory_taken < 2.2 * 2**30


def test_nothing_of_a_refused_submission_is_copied(rnnquiz_run):
    course, _summary, _ = rnnquiz_run
    for student in ("m19_fifo", "m20_sibling_symlink", "m21_many_cells", "m12_symlink"):
        assert not (course / "autograded" / student).exists(), student


def test_gradebook_and_files_hold_everyone_within_bounds(rnnquiz_run):
    course, summary, _ = rnnquiz_run
    export = course / "export.csv"
    nbgrader("export", f"--to={export}", cwd=course)
    with open(export) as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert set(rows) >= set(HONEST_BEFORE + HONEST_AFTER) | set(attacks()) - {"m07_oversized", "m12_symlink"}
    for o in summary.graded:
        assert rows[o.student] == o.results.score, o.student
    # the metadata bomb wrote back no bigger than what came in
    bomb_in = (course / "submitted" / "m06_metadata_bomb" / AID / f"{AID}.ipynb").stat().st_size
    bomb_out = (course / "autograded" / "m06_metadata_bomb" / AID / f"{AID}.ipynb").stat().st_size
    print(f"\nmetadata bomb: {bomb_in} bytes in, {bomb_out} bytes written")
    assert bomb_out < min(bomb_in, 200_000)
    # a 5 MB string returned by a stub is echoed clipped everywhere
    reports = course / "reports" / AID
    assert (reports / "gradescope" / "m11_long_string.json").stat().st_size < 20_000
    assert (course / "autograded" / "m11_long_string" / AID / f"{AID}.ipynb").stat().st_size < 200_000
    assert "\x1b" not in (reports / "gradescope" / "m11_long_string.json").read_text()
    for path in reports.rglob("*"):
        if path.suffix in (".json", ".csv", ".md"):
            path.read_text(encoding="utf-8")  # no lone surrogate anywhere: every file is valid UTF-8
    assert json.loads((reports / "gradescope" / "a_honest.json").read_text())["extra_data"]["assignment"] == AID


def test_the_sandbox_blocks_namespaces_keyrings_and_ptrace(rnnquiz_run):
    if platform.machine() not in ("x86_64",):
        pytest.skip("conditional: the attack uses x86_64 syscall numbers")
    course, summary, _ = rnnquiz_run
    result = next(o for o in summary.outcomes if o.student == "m13_userns_keyring").results
    assert "(0, 0, 0)" in result.question("next_char_output_shape").feedback("pt")


@pytest.fixture(scope="module")
def nbgrader_run(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("class-nbgrader"))
    start = time.monotonic()
    done = nbgrader("autograde", AID, "--GradeIsolated.call_timeout=3", "--GradeIsolated.submission_timeout=40",
                    f"--GradeIsolated.memory_budget={1024 ** 3}", cwd=course, check=False)
    seconds = time.monotonic() - start
    nbgrader("export", f"--to={course / 'export.csv'}", cwd=course)
    with open(course / "export.csv") as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    return course, done, rows, seconds


def test_nbgrader_autograde_keeps_every_honest_grade(nbgrader_run, alone):
    course, done, rows, seconds = nbgrader_run
    for student, result in alone.items():
        assert rows[student] == result.score, (student, done.stderr[-3000:])
    print(f"\nnbgrader autograde of the class: {seconds:.1f} s")
    assert seconds < 400
    assert leftover_student_processes() == []


def test_nbgrader_autograde_attacks_cost_only_their_own_marks(nbgrader_run):
    course, done, rows, _ = nbgrader_run
    for student, (question, *_rest) in attacks().items():
        if student == "m05_garbage_timestamp":
            continue  # stock nbgrader refuses an unreadable timestamp: that student's own error
        expected = sum(expected_scores(question).values())
        assert rows.get(student, 0.0) == expected, (student, rows.get(student))
    log = done.stderr
    assert "symbolic link" in log and "larger than" in log
    assert "named pipe (FIFO)" in log and "more than the 1000" in log
    assert "FLAG m23_source_notebook" in log
    # the link beside a notebook is never copied into what students and instructors see
    for folder in ("autograded", "feedback"):
        assert not (course / folder / "m20_sibling_symlink" / AID).exists()
        assert not list((course / folder).rglob("notes.txt"))


GRADE_AND_MEASURE = ("import resource, sys\n"
                     "from rnnquiz.grading.session import grade\n"
                     "from rnnquiz.isolation.limits import Limits\n"
                     "grade(sys.argv[1], limits=Limits(call_timeout=3.0))\n"
                     "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")


def test_reply_amplification_leaves_the_grader_memory_flat(tmp_path):
    """A reply of 3 MB of `[],` (a million lists) and one announcing 64 MiB:
    both refused before parsing; the grading process's peak memory stays flat."""
    answers = {q: code for name in ("m08_amplify", "m09_amplify_huge") for q, code in attacks()[name][1].items()}
    peaks = {}
    for name, nb in (("honest", submission(AID)), ("amplify", submission(AID, answers))):
        path = tmp_path / name / f"{AID}.ipynb"
        path.parent.mkdir()
        path.write_text(json.dumps(nb))
        done = subprocess.run([sys.executable, "-c", GRADE_AND_MEASURE, str(path)], capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        peaks[name] = int(done.stdout.split()[-1])
    print(f"\ngrading process peak memory: honest {peaks['honest']} MB, amplification attack "
          f"{peaks['amplify']} MB (before the fix: 3.5 GB)")
    assert peaks["amplify"] < peaks["honest"] + 32


# --- CPU: a submission that starts dozens of busy sessions beside honest ones ------

HEAVY_FORWARD = '''
import time
def rnn_forward(inputs, H, W_xh, W_hh, b_h):
    end = time.process_time() + 0.4  # a correct answer that needs 0.4 s of CPU per call
    while time.process_time() < end:
        pass
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H)
    return torch.stack(outputs), H
'''
CPU_HOG = '''
import subprocess
for _ in range(62):  # busy loops, each in a session (a scheduler autogroup) of its own
    subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"], start_new_session=True)
'''
HEAVY = ("b_heavy", "c_heavy", "d_heavy")


def small_course(root, aid, notebooks: dict):
    """A course of ``aid`` with the given {student: notebook} submitted."""
    copy_course(root, [aid])
    nbgrader("generate_assignment", aid, cwd=root)
    for student, nb in notebooks.items():
        folder = root / "submitted" / student / aid
        folder.mkdir(parents=True)
        (folder / f"{aid}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")
    return root


def test_a_cpu_hog_cannot_cost_a_graded_beside_classmate_anything(tmp_path):
    """Two grading processes: the hog's 62 busy sessions run while two heavy
    but correct classmates are graded beside it.  Every submission has its
    own CPU control group of equal weight, so the classmates keep exactly the
    marks they get alone (without it: a share of 1/63, and timeouts)."""
    heavy = submission(AID, {"rnn_forward": HEAVY_FORWARD})
    course = small_course(tmp_path / "course", AID, {"a_hog": submission(AID, extra_cells=[CPU_HOG]),
                                                     **{s: heavy for s in HEAVY}})
    alone = grade_many([Request(str(course / "submitted" / s / AID / f"{AID}.ipynb"), s, assignment(AID))
                        for s in HEAVY], CATALOG, limits=LIMITS)
    assert all(r.question("rnn_forward").score == r.question("rnn_forward").max_score for r in alone)
    start = time.monotonic()
    summary = autograde(AID, course_root=course, jobs=2, limits=LIMITS)
    seconds = time.monotonic() - start
    by_student = {o.student: o.results for o in summary.outcomes}
    for result in alone:
        mine = by_student[result.student]
        assert [(q.name, q.score) for q in mine.questions] == [(q.name, q.score) for q in result.questions], \
            render_text(mine)
    print(f"\nclass with a CPU hog graded in {seconds:.1f} s")
    assert leftover_student_processes() == []


# --- a question restricted to NumPy, under both autograde commands -------------------

AID2 = "torch_rnn_by_hand"
BY_TORCH = '''
def by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import torch
    rnn = torch.nn.RNN(weight_ih.shape[1], weight_ih.shape[0]).to(torch.from_numpy(x).dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(rnn, name).copy_(torch.from_numpy(value))
        out, h_n = rnn(torch.from_numpy(x), torch.from_numpy(h0))
    return out.numpy(), h_n.numpy()
'''
NUMPY_ATTACKS = {
    "m_thread": BY_TORCH + '''
import threading
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    box = {}
    worker = threading.Thread(target=lambda: box.update(r=by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)))
    worker.start()
    worker.join()
    return box["r"]
''',
    "m_record_cleared": BY_TORCH + '''
import sys
def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    result = by_torch(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)
    hook = sys.getprofile()
    if hook is not None:
        hook.__self__.used.clear()
    return result
''',
}


def test_numpy_only_is_enforced_by_both_autograde_commands(tmp_path):
    """numpy_rnn may use NumPy only (assignment.toml): its calls run in a
    worker whose zygote never imported torch and whose file system has no
    torch.  Computing with nn.RNN in a thread, or clearing a record of what
    ran, earns nothing; honest students before and after keep their marks."""
    honest = samples.solution(assignment(AID2), ROOT)
    # importing torch costs nothing: the import cell torch first, an unused import above the function
    torch_first = copy.deepcopy(honest)
    imports = next(c for c in torch_first["cells"] if c["cell_type"] == "code")
    imports["source"] = "import torch\nimport numpy as np\n"
    unused = samples.with_answers(honest, {"numpy_rnn": "import torch\n" + next(
        "".join(c["source"]) for c in honest["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "numpy_rnn")})
    notebooks = {"a_honest": honest, "b_torch_first_honest": torch_first, "c_unused_import_honest": unused,
                 **{name: samples.with_answers(honest, {"numpy_rnn": code})
                    for name, code in NUMPY_ATTACKS.items()}, "z_honest": honest}
    expected = full_marks(AID2)
    lost = dict(expected, numpy_rnn=0.0)
    first = small_course(tmp_path / "rnnquiz", AID2, notebooks)
    summary = autograde(AID2, course_root=first, jobs=1, limits=LIMITS)
    for o in summary.outcomes:
        got = {q.name: q.score for q in o.results.questions}
        assert got == (expected if o.student.endswith("honest") else lost), render_text(o.results)
        if o.student.startswith("m_"):  # torch's use named, in a thread too
            assert o.results.question("numpy_rnn").mistakes == ["computed_with_torch"], render_text(o.results)
        if o.student.endswith("honest"):
            assert "computed_with_torch" not in o.results.question("numpy_rnn").mistakes
    second = small_course(tmp_path / "nbgrader", AID2, notebooks)
    done = nbgrader("autograde", AID2, "--GradeIsolated.call_timeout=3", cwd=second, check=False)
    nbgrader("export", f"--to={second / 'export.csv'}", cwd=second)
    with open(second / "export.csv") as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    for student in notebooks:
        want = sum((expected if student.endswith("honest") else lost).values())
        assert rows[student] == want, (student, done.stderr[-2000:])
