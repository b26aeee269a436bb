"""nbgrader's collect, taking a submission only when its files are the named student's.

Stock ``nbgrader collect`` believes the student id written in an inbound
folder's name (``<student>+<assignment>+<timestamp>+<random>``) and copies the
folder with ``shutil.copytree``, which follows symbolic links: one student
could replace a classmate's submission with a folder named for them, or hand
in the course's source notebook (or ``/dev/zero``) through a link.
``rnnquiz.pipelines.apply`` makes ``CheckedCollect`` the course's collect.
Ownership is all it can go by: where students share one uid (JupyterHub with
one ``jovyan`` user for all, the id taken from ``JUPYTERHUB_USER``), nothing
tells them apart, so what that uid owns is taken when collect runs as it and
one student can still submit as another (links, special files and sizes are
still refused); only an exchange that knows who submits can do better.

The time a submission is recorded at is not the one in its folder's name (or
its ``timestamp.txt``): the student writes both.  It is when its files were
last written, their newest ctime, which no one but root can set back.
Where the two disagree by more than ``CheckedCollect.time_tolerance`` the
files' time is recorded (``timestamp.txt`` of the collected copy, which
late penalties and ``--before-duedate`` read) and the name's is kept in
``timestamp_claimed.txt`` beside it: ``rnnquiz autograde`` flags it, and
collect logs a warning.
"""
from __future__ import annotations

import fnmatch
import glob
import os
import pwd
import shutil
import stat
from datetime import datetime, timezone

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import check_mode
from traitlets import Bool, Integer

from rnnquiz.model.flags import CLAIMED
from rnnquiz.model.printable import printable

MAX_DEPTH = 32           # folders in folders: a submission has one or two levels; bounds the open descriptors
CHUNK = 1 << 20
NOT_ID = ("", ".", "..")  # names a path, not a student: `submitted/../<assignment>`
STAMP = "timestamp.txt"


class Refused(Exception):
    """Why a submission is not taken, in a few words."""


class WriteError(RuntimeError):
    """Writing the copy failed (a full disk): the course's problem, not the student's."""


def ours(call, *args, **kwargs):
    """``call`` on the instructor's side of the copy: its OSError is a WriteError."""
    try:
        return call(*args, **kwargs)
    except OSError as e:
        raise WriteError(e.strerror) from e


def shown(text: str) -> str:
    """``text`` fit for one log line: a folder's name may hold newlines or escapes."""
    return printable(text)


def stamp(when: datetime) -> str:
    """A naive UTC time as nbgrader writes it in names and ``timestamp.txt``."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def account(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def expected_owner(student_id: str) -> tuple:
    """(uid, how to name it) whose files a submission for ``student_id`` must
    be: that account's, or, for an id that is no account here, the collecting user's."""
    try:
        return pwd.getpwnam(student_id).pw_uid, None
    except KeyError:
        uid = os.geteuid()
        return uid, f"{account(uid)}, who runs collect ({shown(student_id)} is no account here)"


def kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "symbolic link"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


class CheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that takes an inbound folder only when it and
    everything in it belong to the student its name gives: to that account
    when the id is an account on this machine, else (a single-user exchange: a
    laptop, the tests) to the user running collect; anything else is refused,
    including a folder an instructor made for a student account (copy it into
    ``submitted/`` instead) and one a classmate added a file to (nbgrader
    makes inbound folders writable by all). It never follows a symbolic link
    (entries are checked with lstat and opened with O_NOFOLLOW relative to
    their open folder), refuses FIFOs, sockets and devices, and bounds the
    bytes and entries copied. Each refused folder is one error line naming it,
    the student and why; that student's newest acceptable submission is
    collected instead, with a warning saying which (an error line when none
    is left), and every other student as usual."""

    max_bytes = Integer(
        100_000_000,
        help="Most bytes collected from one submission; a bigger one is refused "
             "(nbgrader's CourseDirectory.max_dir_size also applies, the smaller wins).",
    ).tag(config=True)

    max_entries = Integer(10_000, help="Most files and folders in one submission; more is refused.").tag(config=True)

    # Ownership is enforced above, so stock nbgrader's warning ("cheating attempt?")
    # would only repeat itself, once per student of a single-user exchange.
    check_owner = Bool(False, help="Also log nbgrader's own owner warning.").tag(config=True)

    time_tolerance = Integer(
        120,
        help="Seconds a submission's name may differ from when its files were last written (their "
             "ctime); past it the files' time is recorded and the submission flagged.",
    ).tag(config=True)

    def init_src(self):
        """nbgrader's choice of one inbound folder per student (the newest, or
        the newest before the due date with --before-duedate), among the
        folders that pass the checks."""
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        records = []
        for path in sorted(glob.glob(pattern)):
            try:
                records.append(self._path_to_record(path))
            except Exception:  # the name is the student's: whatever dateutil makes of it, stock collect crashed
                self.refuse(path, os.path.basename(path).split("+")[0], "its name has no timestamp nbgrader can read")
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records, self.owners = [], {}
        for student, recs in sorted(groupby(records, lambda r: r["username"]).items()):
            for rec in recs:
                self.settle_time(student, rec)
            chosen = self.first_acceptable(student, self.preferred(recs))
            if chosen is not None:
                self.src_records.append(chosen)

    def settle_time(self, student: str, rec: dict):
        """The record's time made the files' own when its name's is off by more than
        ``time_tolerance``; a folder the checks refuse keeps its refusal for
        ``first_acceptable`` (said only if nbgrader would have taken it)."""
        path = os.path.join(self.inbound_path, rec["filename"])
        try:
            if student in NOT_ID:
                raise Refused("its student id is not a name")
            owner, whose = expected_owner(student)
            self.walk(path, owner, whose=whose)
        except Refused as why:
            rec["refused"] = str(why)
            return
        written = self.written_at()
        if abs((written - rec["timestamp"]).total_seconds()) > self.time_tolerance:
            rec["claimed"], rec["timestamp"] = rec["timestamp"], written

    def written_at(self) -> datetime:
        """When the folder just walked was last written, as nbgrader's naive UTC."""
        return datetime.fromtimestamp(self.newest / 1e9, timezone.utc).replace(tzinfo=None)

    def preferred(self, records: list) -> list:
        """A student's folders in the order nbgrader would prefer them."""
        newest = self._sort_by_timestamp(records)
        if self.duedate is None or not self.before_duedate:
            return newest
        on_time = [r for r in newest if r["timestamp"] <= self.duedate]
        return on_time + [r for r in newest if r["timestamp"] > self.duedate]

    def first_acceptable(self, student: str, records: list):
        for i, rec in enumerate(records):
            path = os.path.join(self.inbound_path, rec["filename"])
            try:
                if "refused" in rec:
                    raise Refused(rec["refused"])
                owner, whose = expected_owner(student)
            except Refused as why:
                self.refuse(path, student, str(why))
                continue
            if i:
                self.log.warning("collect: taking %s's newest acceptable submission instead: %s",
                                 shown(student), shown(path))
            if "claimed" in rec:
                self.log.warning("collect: %s's submission %s is named %s but its files were last written at "
                                 "%s: recorded at the files' time and flagged (%s)", shown(student), shown(path),
                                 stamp(rec["claimed"]), stamp(rec["timestamp"]), CLAIMED)
            self.owners[path] = (student, owner, whose, rec)
            return rec
        self.log.error("collect: nothing collected for %s: %s refused", shown(student),
                       "their only submission was" if len(records) == 1 else f"all {len(records)} of theirs were")
        return None

    def refuse(self, path: str, student: str, why: str):
        self.log.error("collect refused %s (student %s): %s", shown(path), shown(student), shown(why))

    def do_copy(self, src, dest, log=None):
        """Copy the chosen folder, checking everything again as it is read
        (the student may change it meanwhile): a refusal leaves nothing."""
        student, owner, whose, rec = self.owners[src]
        os.mkdir(dest)
        os.chmod(dest, self.modes()[1])
        try:
            into = os.open(dest, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                self.walk(src, owner, into, whose)
            finally:
                os.close(into)
            self.write_time(dest, rec)
        except Refused as why:
            shutil.rmtree(dest)
            self.refuse(src, student, f"{why} (found while copying; nothing collected)")
        except WriteError as e:
            shutil.rmtree(dest, ignore_errors=True)
            self.fail(f"cannot write the copy of {shown(src)} into {dest}: {e}")

    def write_time(self, dest: str, rec: dict):
        """``timestamp.txt`` of the copy: the name's time, or the files' (and the name's
        in CLAIMED) when they disagree, as read while copying (the student may
        have written since).  Whatever the student put under either name goes."""
        claimed = rec.get("claimed", rec["timestamp"])
        written = self.written_at()
        if abs((written - claimed).total_seconds()) <= self.time_tolerance:
            written = None
        for name in (STAMP, CLAIMED):  # our own copy: a folder of that name is the student's doing
            path = os.path.join(dest, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            elif os.path.lexists(path):
                ours(os.unlink, path)
        file_mode = self.modes()[0]
        texts = {STAMP: stamp(claimed)} if written is None else {STAMP: stamp(written), CLAIMED: stamp(claimed)}
        for name, text in texts.items():
            fd = ours(os.open, os.path.join(dest, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                      | os.O_CLOEXEC, file_mode)
            try:
                ours(os.write, fd, text.encode())
                ours(os.fchmod, fd, file_mode)
            finally:
                os.close(fd)

    def modes(self) -> tuple:
        """(file mode, folder mode) of the copies; group-writable in a groupshared course, as nbgrader's."""
        return (0o664, 0o2775) if self.coursedir.groupshared else (0o644, 0o755)

    def limit(self) -> int:
        return min(self.max_bytes, 1000 * self.coursedir.max_dir_size)

    def walk(self, path: str, owner: int, into: int | None = None, whose: str | None = None):
        """Check the inbound folder ``path`` (and copy it into the open folder ``into``); raises Refused."""
        self.entries = self.size = 0
        self.whose = whose or account(owner)
        try:
            st = os.lstat(path)
            self.check(st, "the folder", owner, want_dir=True)
            # the top folder's own ctime counts only when it is empty: nbgrader makes it
            # writable by all, so a classmate could move it on by adding and removing a file
            self.newest, self.files_seen = st.st_ctime_ns, False
            fd = self.open_same(path, None, st, "the folder")
            try:
                self.walk_dir(fd, "", owner, into, 1, True)
            finally:
                os.close(fd)
        except OSError as e:  # unreadable, vanished, renamed: the student's doing, one line and the next student
            raise Refused(f"{e.filename or path}: {e.strerror}") from e

    def check(self, st, what: str, owner: int, want_dir: bool = False):
        if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            raise Refused(f"{what} is a {kind(st.st_mode)}")
        if want_dir and not stat.S_ISDIR(st.st_mode):
            raise Refused(f"{what} is not a folder")
        if st.st_uid != owner:
            raise Refused(f"{what} belongs to {account(st.st_uid)}, not {self.whose}")

    def open_same(self, name: str, dir_fd, st, what: str) -> int:
        """``name`` opened without following a link or blocking on a FIFO, checked to be what lstat saw."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        if stat.S_ISDIR(st.st_mode):
            flags |= os.O_DIRECTORY
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError as e:
            raise Refused(f"{what} cannot be opened ({e.strerror})") from e
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino, stat.S_IFMT(now.st_mode), now.st_uid) != (
                st.st_dev, st.st_ino, stat.S_IFMT(st.st_mode), st.st_uid):
            os.close(fd)
            raise Refused(f"{what} changed while it was read")
        return fd

    def kept(self, name: str, st, what: str, copying: bool) -> bool:
        """nbgrader's own rules: CourseDirectory.ignore, .include and .max_file_size."""
        cd = self.coursedir
        if any(fnmatch.fnmatch(name, g) for g in cd.ignore):
            return False
        if stat.S_ISREG(st.st_mode):
            if cd.include and not any(fnmatch.fnmatch(name, g) for g in cd.include):
                return False
            if cd.max_file_size and st.st_size > 1000 * cd.max_file_size:
                if copying:
                    self.log.warning("Ignoring file too large '%s' (see config option CourseDirectory.max_file_size)",
                                     shown(what))
                return False
        return True

    def walk_dir(self, fd: int, rel: str, owner: int, into: int | None, depth: int, counted: bool):
        """Check each entry of the open folder ``fd``; copy into ``into`` what nbgrader's rules keep.
        Checking only, everything is visited, and sizes count where ``counted`` (what would be copied)."""
        with os.scandir(fd) as listing:  # one name at a time: a folder of millions is refused, never read whole
            for entry in listing:
                self.entries += 1
                if self.entries > self.max_entries:
                    raise Refused(f"it holds more than {self.max_entries} files and folders")
                self.walk_entry(entry.name, fd, rel, owner, into, depth, counted)

    def walk_entry(self, name: str, fd: int, rel: str, owner: int, into: int | None, depth: int, counted: bool):
        what = f"{rel}/{name}" if rel else name
        file_mode, dir_mode = self.modes()
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        self.check(st, what, owner)
        # the newest ctime of what is inside: rewriting a file after the fact moves it on
        self.newest = max(self.newest, st.st_ctime_ns) if self.files_seen else st.st_ctime_ns
        self.files_seen = True
        keep = self.kept(name, st, what, into is not None)
        if into is not None and not keep:
            return  # not copied; it was checked before collect chose this folder
        if stat.S_ISDIR(st.st_mode):
            if depth >= MAX_DEPTH:
                raise Refused(f"{what} is nested more than {MAX_DEPTH} folders deep")
            sub = self.open_same(name, fd, st, what)
            sub_into = None
            try:
                if into is not None:
                    ours(os.mkdir, name, dir_mode, dir_fd=into)
                    sub_into = ours(os.open, name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                    dir_fd=into)
                    ours(os.fchmod, sub_into, dir_mode)
                self.walk_dir(sub, what, owner, sub_into, depth + 1, counted and keep)
            finally:
                os.close(sub)
                if sub_into is not None:
                    os.close(sub_into)
            return
        src = self.open_same(name, fd, st, what)
        try:
            if into is None:
                self.size += st.st_size if counted and keep else 0
                self.bound()
            else:
                self.copy_file(src, name, into, st, file_mode)
        finally:
            os.close(src)

    def bound(self):
        if self.size > self.limit():
            raise Refused(f"it holds more than {self.limit()} bytes (CheckedCollect.max_bytes)")

    def copy_file(self, src: int, name: str, into: int, st, mode: int):
        """Bytes actually read count, not the size lstat saw: a file may grow meanwhile."""
        out = ours(os.open, name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                   dir_fd=into)
        try:
            while chunk := os.read(src, CHUNK):
                self.size += len(chunk)
                self.bound()
                view = memoryview(chunk)
                while view:
                    view = view[ours(os.write, out, view):]
            ours(os.fchmod, out, mode)
            ours(os.utime, out, ns=(st.st_atime_ns, st.st_mtime_ns))
        finally:
            os.close(out)
