"""Add rnnquiz's assignments to an nbgrader course: an existing one or a new one.

What a course needs: the source notebooks under ``source/``, the content
(manifest, public and hidden graders) under ``autograders/`` (instructor-only:
nbgrader never releases it), and rnnquiz's steps in ``nbgrader_config.py``.
Nothing the instructor already has is overwritten, so running it twice
changes nothing more.
"""
from __future__ import annotations

import filecmp
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.model import content

CONFIG_FILE = "nbgrader_config.py"
BEGIN, END = "# >>> rnnquiz >>>", "# <<< rnnquiz <<<"
CONFIG_BLOCK = f"""{BEGIN}
# rnnquiz's steps, as `rnnquiz init` adds them: rnnquiz's assignments are
# sanitized and graded in rnnquiz's isolated worker, and their feedback never
# shows hidden tests; every other assignment of this course is graded by
# nbgrader exactly as before.
c = get_config()  # noqa: F821 (the same object as the course's own `c`)
from rnnquiz.pipelines import apply as rnnquiz_apply  # noqa: E402

rnnquiz_apply(c)
{END}
"""
NEW_CONFIG = """c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "{course_id}"
{exchange}
"""
NBGRADER_EXCHANGE = "/srv/nbgrader/exchange"  # nbgrader's system-wide default
EXCHANGE_SET = 'c.Exchange.root = "{root}"  # where release, submit, collect and feedback meet\n'
EXCHANGE_UNSET = ("# c.Exchange.root = \"/path/to/exchange\"  # where release, submit, collect and feedback\n"
                  f"# meet; unset, nbgrader uses its system-wide {NBGRADER_EXCHANGE}\n")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


class InitError(UserError):
    """A course that cannot be set up; the message says which folder and what to do."""


@dataclass
class Report:
    course: Path
    assignments: list                          # nbgrader assignment ids added or already there
    done: list = field(default_factory=list)   # one line per thing done or left alone
    student_config: list = field(default_factory=list)  # the lines students put in their own config

    def lines(self) -> list:
        return self.done + [
            "", "students: before `nbgrader fetch_assignment` and `nbgrader submit`, each student's",
            "nbgrader needs these lines, in ~/.jupyter/nbgrader_config.py of their account",
            "or in the JupyterHub image's /etc/jupyter/nbgrader_config.py:",
            *(f"  {line}" for line in self.student_config),
            "", "next, from the course folder (with rnnquiz's virtualenv activated, so",
            "that nbgrader finds its `alembic` on PATH):", f"  cd {self.course}"] + [
            f"  nbgrader generate_assignment {aid}" for aid in self.assignments] + [
            "  nbgrader release_assignment NAME      # then students fetch and submit",
            "  nbgrader collect NAME",
            "  rnnquiz autograde NAME                # or: nbgrader autograde NAME",
            "  nbgrader generate_feedback NAME && nbgrader release_feedback NAME && nbgrader export",
            "  (each student: nbgrader fetch_feedback NAME)"]


def origin_course(course: Path | None = None, start: Path | None = None) -> Path:
    """Where the instructor's content comes from: the course around ``start``
    (default: the working folder), else the checkout rnnquiz was installed
    from, else the target ``course`` itself (a second run: nothing new).
    Only a folder with hidden graders will do."""
    target = Path(course).resolve() if course else None
    candidates = [content.find_course(start), Path(__file__).resolve().parents[3]]  # the checkout
    candidates = [f for f in candidates if f and f != target] + [target]
    for folder in candidates:
        if folder and any(a.has_hidden for a in content.course_catalog(folder).assignments.values()):
            return folder
    raise InitError("no rnnquiz content with hidden graders found here or in rnnquiz's installation "
                    "(the wheel students install holds only public checks): run `rnnquiz init` from a "
                    "checkout of rnnquiz's repository, or pass --from FOLDER.")


def selected(catalog: content.Catalog, names: list | None) -> list:
    """Assignment ids for ``names``: a content folder's name means all its
    languages, an assignment id that one; none means every assignment."""
    if not names:
        return sorted(catalog.assignments)
    out = []
    for name in names:
        if name in catalog.bases():
            out += sorted(a.id for a in catalog.bases()[name])
        elif name in catalog:
            out.append(name)
        else:
            raise InitError(f"unknown assignment {name!r}{catalog.suggest(name)}; known: "
                            f"{', '.join(sorted(catalog.bases()))} "
                            f"(each in every language) or one of {catalog.known()}.")
    return list(dict.fromkeys(out))


def init(course: Path, names: list | None = None, origin: Path | None = None,
         course_id: str | None = None, exchange: Path | None = None) -> Report:
    course = Path(course).resolve()
    origin = Path(origin).resolve() if origin else origin_course(course)
    if course.exists() and not course.is_dir():
        raise InitError(f"{course} is a file; give the course folder (the one with {CONFIG_FILE}).")
    catalog = content.course_catalog(origin)
    aids = selected(catalog, names)
    missing = [a for a in aids if not catalog.get(a).has_hidden]
    if missing:
        raise InitError(f"{origin / content.CONTENT_DIR}: no hidden graders for {', '.join(missing)}; "
                        "take the content from a checkout of rnnquiz's repository (--from).")
    report = Report(course, aids)
    course.mkdir(parents=True, exist_ok=True)
    for aid in aids:
        renamed = _renamed(course, aid)
        if renamed:
            report.done.append(f"unchanged  source/{aid} (the course has it as {renamed})")
            continue
        report.done.append(_copy(origin / "source" / aid, course / "source" / aid, f"source/{aid}"))
    for base in sorted({catalog.get(a).base for a in aids}):
        report.done.append(_copy(origin / content.CONTENT_DIR / base, course / content.CONTENT_DIR / base,
                                 f"{content.CONTENT_DIR}/{base} (instructor-only: hidden graders)"))
    config = course / CONFIG_FILE
    had_exchange = config.is_file() and _sets_exchange(config.read_text(encoding="utf-8"))
    report.done.append(_configure(config, course_id or course.name, exchange))
    settings = _settings(course)
    report.done.append(_exchange_line(settings, exchange, had_exchange))
    report.student_config = student_config(settings)
    return report


def _settings(course: Path) -> dict:
    """The course id and exchange root as nbgrader reads them for this course
    (its nbgrader_config.py and Jupyter's configuration folders)."""
    from rnnquiz.nbgrader.course import course_directory
    config = course_directory(course).config
    return {"course_id": config.get("CourseDirectory", {}).get("course_id") or "",
            "exchange": config.get("Exchange", {}).get("root")}


def student_config(settings: dict) -> list:
    """What a student's own nbgrader configuration needs to fetch and submit
    this course's assignments: the same course id and exchange as the course."""
    exchange = settings["exchange"]
    return ["c = get_config()",
            f"c.CourseDirectory.course_id = {_quoted(settings['course_id'])}",
            f"c.Exchange.root = {_quoted(str(exchange))}" if exchange
            else f"# c.Exchange.root = ...  (the course sets none: nbgrader's default {NBGRADER_EXCHANGE})"]


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a Python string literal too


def _exchange_line(settings: dict, asked: Path | None, had_exchange: bool) -> str:
    """Where the course's exchange is, said, because nbgrader's default is
    system-wide (a first release_assignment would otherwise go there unasked)."""
    root = settings["exchange"]
    if asked is not None and had_exchange:
        if root and Path(root).resolve() == Path(asked).resolve():
            return f"exchange   {root} (as {CONFIG_FILE} already sets it)"
        return (f"exchange   {root} as {CONFIG_FILE} already sets it: --exchange {Path(asked).resolve()} was not "
                "applied (change c.Exchange.root there to move the course's exchange)")
    if asked is not None:
        return f"exchange   {Path(asked).resolve()}"
    if root and had_exchange:
        return f"exchange   {root} as {CONFIG_FILE} sets it (c.Exchange.root; change it there)"
    if root:
        return (f"exchange   {root} as a {CONFIG_FILE} in Jupyter's configuration folders sets it (outside the "
                "course; c.Exchange.root in the course's own file would take precedence)")
    return (f"exchange   not set: nbgrader would use its system-wide {NBGRADER_EXCHANGE}; set c.Exchange.root "
            "in nbgrader_config.py (a commented line is there) or run `rnnquiz init` again with --exchange DIR")


def _sets_exchange(text: str) -> bool:
    return any(line.strip().startswith("c.Exchange.root") for line in text.splitlines())


def _renamed(course: Path, aid: str) -> str | None:
    """The course's own name for ``aid`` when the instructor renamed it (the
    source notebook keeps its ``rnnquiz.assignment`` tag), else None."""
    for path in sorted((course / "source").glob("*/*.ipynb")):
        if path.parent.name != aid and content.source_tag(path) == aid:
            return f"{path.parent.name}/{path.name}"
    return None


def _copy(src: Path, dst: Path, what: str) -> str:
    if not src.is_dir():
        raise InitError(f"{src}: missing; the content at {src.parent.parent} is incomplete.")
    if dst.exists():
        if dst.resolve() == src.resolve() or _same_tree(src, dst):
            return f"unchanged  {what}"
        return f"kept       {what} (differs from rnnquiz's; remove it to take rnnquiz's)"
    shutil.copytree(src, dst, ignore=IGNORED)
    return f"added      {what}"


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def _configure(path: Path, course_id: str, exchange: Path | None = None) -> str:
    setting = EXCHANGE_SET.format(root=Path(exchange).resolve()) if exchange is not None else ""
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if setting and not _sets_exchange(text):
            text = text.rstrip("\n") + "\n" + setting
            path.write_text(text, encoding="utf-8")
        if BEGIN in text or "rnnquiz.pipelines" in text:
            return f"unchanged  {CONFIG_FILE} (rnnquiz's steps already applied)"
        path.write_text(text.rstrip("\n") + "\n\n" + CONFIG_BLOCK, encoding="utf-8")
        return f"updated    {CONFIG_FILE} (rnnquiz's steps appended; your settings kept)"
    path.write_text(NEW_CONFIG.format(course_id=course_id, exchange=setting or EXCHANGE_UNSET) + CONFIG_BLOCK,
                    encoding="utf-8")
    return f"created    {CONFIG_FILE} (course id {course_id!r})"
