"""`nbgrader collect` in a course made by `rnnquiz init` (CheckedCollect): real
student accounts submit through a shared exchange; forged, linked and special
inbound folders are refused, honest ones collected. One course, one collect."""
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rnnquiz.commands.cycle import NBGRADER, Cycle
from support import ROOT

pytestmark = pytest.mark.slow

AID = "rnn_from_scratch"
COURSE = "ml"
SOLO, SOLO_LINK, SOLO_BIG = "solo_ana", "solo_bia", "solo_caio"   # ids that are no account: the collector's files
SOLO_BACK = "solo_dora"                                               # names her folder a week back
INSTRUCTOR = pwd.getpwuid(os.geteuid()).pw_name                       # who runs collect


def ts(hours: float) -> str:
    """An nbgrader timestamp ``hours`` from now."""
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def accounts_unavailable() -> str:
    if os.geteuid() != 0:
        return "creating student accounts needs root"
    missing = [t for t in ("useradd", "userdel", "setpriv") if not shutil.which(t)]
    return f"creating student accounts needs {', '.join(missing)}" if missing else ""


def interpreter_hidden() -> bool:
    """Whether other users cannot reach this Python (a virtualenv over an interpreter under /root)."""
    paths = [Path(os.path.realpath(sys.executable)), Path(sys.base_prefix) / "lib"]
    return any(not p.stat().st_mode & stat.S_IXOTH for path in paths for p in path.parents)


class World:
    """The course, its exchange and the students' accounts (None without root)."""

    def __init__(self, workdir: Path):
        self.cycle = Cycle(workdir, ROOT, course_id=COURSE)
        self.inbound = self.cycle.exchange / COURSE / "inbound"
        self.users = None

    def env(self, home: Path, user: str) -> dict:
        env = dict(os.environ, HOME=str(home), USER=user, LOGNAME=user)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        return env

    def as_student(self, user: str, *cmd: str, timeout: int = 300) -> subprocess.CompletedProcess:
        """``cmd`` run with the uid, gid and groups of ``user``, in their home."""
        pw = pwd.getpwnam(user)
        # The interpreter may live where only root can look (here: under /root); the student's
        # process then keeps only the right to read and search folders. Every file it makes is its own.
        caps = (["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"] if interpreter_hidden() else [])
        home = self.cycle.student_home(user)
        full = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", *caps, *cmd]
        done = subprocess.run(full, cwd=home, env=self.env(home, user), capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"{cmd} as {user}:\n{done.stderr[-3000:]}"
        return done

    def nbgrader_as(self, user: str, *args: str):
        return self.as_student(user, *NBGRADER, *args, f"--course={COURSE}",
                               f"--Exchange.root={self.cycle.exchange}")

    def sh_as(self, user: str, script: str, *args: str):
        return self.as_student(user, "sh", "-ec", script, "sh", *args)

    def honest(self, user: str):
        """``user`` fetches, signs the notebook's metadata with their name, and submits, all as themselves."""
        home = self.cycle.student_home(user)
        self.nbgrader_as(user, "fetch_assignment", AID)
        self.as_student(user, sys.executable, "-c", SIGN, str(home / AID / f"{AID}.ipynb"), user)
        self.nbgrader_as(user, "submit", AID)

    def by_hand(self, owner: str | None, folder: str, script: str):
        """An inbound folder made without nbgrader: ``script`` runs in it (as ``owner``; None: as root)."""
        path = self.inbound / folder
        full = f'mkdir "$1"; cd "$1"; printf %s "$2" > timestamp.txt; {script}'
        stamp = folder.split("+")[-2]
        if owner is None:
            subprocess.run(["sh", "-ec", full, "sh", str(path), stamp], check=True)
        else:
            self.sh_as(owner, full, str(path), stamp)
        return path

    def submitted(self, student: str) -> Path:
        return self.cycle.course / "submitted" / student / AID


SIGN = "import json,sys; p=sys.argv[1]; nb=json.load(open(p)); nb['metadata']['written_by']=sys.argv[2]; " \
       "json.dump(nb, open(p, 'w'))"


def written_by(folder: Path) -> str:
    return json.loads((folder / f"{AID}.ipynb").read_text())["metadata"].get("written_by")


@pytest.fixture(scope="module")
def world():
    # not pytest's tmp_path: its folders are root's alone, and the students must reach the exchange
    workdir = Path(tempfile.mkdtemp(prefix="rnnquiz-exchange-"))
    os.chmod(workdir, 0o755)
    created = []
    try:
        w = World(workdir)
        w.cycle.setup([AID])
        w.source = source = w.cycle.course / "source" / AID / f"{AID}.ipynb"
        # the single-user exchange: ids that are no account, everything root's (the collecting user)
        w.cycle.fetch_and_submit(SOLO, AID, None)
        w.solo_link = w.by_hand(None, f"{SOLO_LINK}+{AID}+{ts(0)}+x", f'ln -s "{source}" {AID}.ipynb')
        # two sparse files of 60 MB: 120 MB past the 100 MB bound, each under nbgrader's per-file limit
        w.solo_big = w.by_hand(None, f"{SOLO_BIG}+{AID}+{ts(0)}+x", "truncate -s 60M a.bin b.bin")
        # names stock collect stops at (no timestamp: a crash) or takes as a path (no id: submitted/<aid>)
        w.no_time = w.by_hand(None, f"{SOLO_LINK}+{AID}+teatime+x", "")
        w.no_id = w.by_hand(None, f"+{AID}+{ts(0)}+x", "")
        # written now, named (and timestamp.txt) a week back, a notebook inside as nbgrader submit leaves it
        w.backdated = w.by_hand(None, f"{SOLO_BACK}+{AID}+{ts(-24 * 7)}+x",
                                f'cp "{w.cycle.release / AID}/{AID}.ipynb" .')
        if not accounts_unavailable():
            prefix = "rq" + secrets.token_hex(3)
            names = {role: f"{prefix}{role}" for role in ("a", "b", "c")}
            for name in names.values():
                subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                               check=True, capture_output=True)
                created.append(name)
                home = w.cycle.student_home(name)
                home.mkdir(parents=True)
                os.chown(home, pwd.getpwnam(name).pw_uid, pwd.getpwnam(name).pw_gid)
            w.users = names
            a, b, c = names["a"], names["b"], names["c"]
            w.ghost = f"{prefix}ghost"                       # no account
            w.honest(b)
            w.honest(a)
            home_a = w.cycle.student_home(a)
            nb_a = f'cp "{home_a / AID / AID}.ipynb" {AID}.ipynb'
            # a's attacks, each in a folder a makes in the shared inbound
            w.forged = w.by_hand(a, f"{b}+{AID}+{ts(24)}+forged", nb_a)
            w.forged_ghost = w.by_hand(a, f"{w.ghost}+{AID}+{ts(24)}+x", nb_a)
            w.to_source = w.by_hand(a, f"{a}+{AID}+{ts(1)}+tosource", f'ln -s "{source}" {AID}.ipynb')
            w.to_zero = w.by_hand(a, f"{a}+{AID}+{ts(2)}+zero", f"ln -s /dev/zero {AID}.ipynb")
            w.fifo = w.by_hand(a, f"{a}+{AID}+{ts(3)}+fifo", f"mkfifo {AID}.ipynb")
            w.dir_link = w.inbound / f"{a}+{AID}+{ts(4)}+dirlink"
            w.sh_as(a, 'ln -s "$1" "$2"', str(source.parent), str(w.dir_link))
            # c's only submission: a link to the instructor's solution notebook
            w.c_link = w.by_hand(c, f"{c}+{AID}+{ts(0)}+x", f'ln -s "{source}" {AID}.ipynb')
        # one collect for everyone; the timeout guards against a hang (a FIFO opened to read waits for a writer)
        w.collect = subprocess.run(
            [*NBGRADER, "collect", AID, f"--course={COURSE}",
             f"--Exchange.root={w.cycle.exchange}"],
            cwd=w.cycle.course, env=w.env(Path.home(), INSTRUCTOR), capture_output=True, text=True, timeout=300)
        w.log = w.collect.stdout + w.collect.stderr
        yield w
    finally:
        for name in created:
            subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def needs_accounts(world):
    if world.users is None:
        pytest.skip(accounts_unavailable())


def refusal(world, folder: Path) -> str:
    """The one line of collect's output refusing ``folder``."""
    lines = [line for line in world.log.splitlines() if "collect refused" in line and str(folder) in line]
    assert len(lines) == 1, f"no single refusal of {folder.name} in:\n{world.log}"
    assert "ERROR" in lines[0]
    return lines[0]


def test_collect_runs_and_uses_rnnquiz_collect(world):
    assert world.collect.returncode == 0, world.log
    assert "collect refused" in world.log           # CheckedCollect's, set by the course's rnnquiz block
    assert "Traceback" not in world.log
    assert "cheating attempt" not in world.log


def test_honest_students_of_different_uids_are_collected(world):
    needs_accounts(world)
    for role in ("a", "b"):
        user = world.users[role]
        assert written_by(world.submitted(user)) == user
        owner = pwd.getpwuid((world.submitted(user) / f"{AID}.ipynb").stat().st_uid).pw_name
        assert owner == INSTRUCTOR                  # the copy is the instructor's


def test_a_folder_named_for_a_classmate_is_refused(world):
    needs_accounts(world)
    a, b = world.users["a"], world.users["b"]
    line = refusal(world, world.forged)
    assert f"(student {b})" in line and f"belongs to {a}" in line and f"not {b}" in line
    # b's own submission is the one collected, the one b submitted
    real = [p for p in world.inbound.iterdir() if p.name.startswith(f"{b}+") and p != world.forged]
    assert len(real) == 1
    assert written_by(world.submitted(b)) == b
    assert (world.submitted(b) / "timestamp.txt").read_text() == (real[0] / "timestamp.txt").read_text()
    # an id that is no account, in a folder of a's: refused too
    assert f"belongs to {a}" in refusal(world, world.forged_ghost)
    assert not world.submitted(world.ghost).exists()


def test_links_are_refused_and_nothing_is_copied(world):
    needs_accounts(world)
    a, c = world.users["a"], world.users["c"]
    for folder, why in ((world.to_source, "is a symbolic link"), (world.to_zero, "is a symbolic link"),
                        (world.dir_link, "the folder is a symbolic link"), (world.c_link, "is a symbolic link")):
        assert why in refusal(world, folder)
    assert not world.submitted(c).exists()
    # a's newest acceptable submission (the honest one) is taken instead, and the log says so
    assert written_by(world.submitted(a)) == a
    assert f"taking {a}'s newest acceptable submission instead" in world.log
    solution = world.source.read_bytes()
    assert all(p.read_bytes() != solution for p in (world.cycle.course / "submitted").rglob("*") if p.is_file())


def test_a_fifo_is_refused_without_hanging(world):
    needs_accounts(world)
    assert "is a FIFO" in refusal(world, world.fifo)
    assert world.collect.returncode == 0


def test_the_single_user_exchange_still_collects(world):
    """Ids that are no account, every file the collecting user's: collected;
    a link or an oversize submission there is refused all the same."""
    assert (world.submitted(SOLO) / f"{AID}.ipynb").is_file()
    assert "is a symbolic link" in refusal(world, world.solo_link)
    assert not world.submitted(SOLO_LINK).exists()
    assert "more than 100000000 bytes" in refusal(world, world.solo_big)
    assert not world.submitted(SOLO_BIG).exists()
    assert "no timestamp nbgrader can read" in refusal(world, world.no_time)
    assert "not a name" in refusal(world, world.no_id)
    assert not (world.cycle.course / "submitted" / AID).exists()


def recorded(folder: Path) -> datetime:
    from nbgrader.utils import parse_utc
    return parse_utc((folder / "timestamp.txt").read_text())


def test_a_backdated_submission_is_recorded_when_its_files_were_written(world):
    """The name and timestamp.txt say a week ago; the files' ctime says now: now
    is recorded (what late penalties read), the claim kept beside it, the run says so."""
    claimed = world.backdated.name.split("+")[2]
    assert (world.backdated / "timestamp.txt").read_text() == claimed
    copy = world.submitted(SOLO_BACK)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert abs((recorded(copy) - now).total_seconds()) < 600
    assert (copy / "timestamp_claimed.txt").read_text() == claimed
    lines = [line for line in world.log.splitlines() if SOLO_BACK in line and "named" in line]
    assert len(lines) == 1 and "WARNING" in lines[0] and claimed in lines[0], world.log
    # an honest submission keeps its own time, and no claim beside it
    assert (world.submitted(SOLO) / "timestamp.txt").read_text() == \
        next(world.inbound.glob(f"{SOLO}+*")).name.split("+")[2]
    assert not (world.submitted(SOLO) / "timestamp_claimed.txt").exists()


def test_before_duedate_sees_the_files_time(world):
    """Due yesterday: the backdated folder is late for --before-duedate too, and
    so a later honest folder of hers is the one taken."""
    from nbgrader.api import Gradebook
    course = world.cycle.course
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db, COURSE) as gb:
        gb.update_or_create_assignment(AID, duedate=datetime.now(timezone.utc).replace(tzinfo=None)
                                        - timedelta(hours=24))
    try:
        world.by_hand(None, f"{SOLO_BACK}+{AID}+{ts(0)}+later",
                      f'cp "{world.cycle.release / AID}/{AID}.ipynb" .; echo later > later.txt')
        done = subprocess.run(
            [*NBGRADER, "collect", AID, f"--course={COURSE}", "--before-duedate", f"--student={SOLO_BACK}",
             f"--Exchange.root={world.cycle.exchange}"],
            cwd=course, env=world.env(Path.home(), INSTRUCTOR), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        # stock collect would keep the week-old name as the one on time
        assert (world.submitted(SOLO_BACK) / "later.txt").is_file(), done.stdout + done.stderr
        assert recorded(world.submitted(SOLO_BACK)) > datetime.now(timezone.utc).replace(tzinfo=None) - \
            timedelta(hours=1)
    finally:
        with Gradebook(db, COURSE) as gb:
            gb.update_or_create_assignment(AID, duedate=None)
