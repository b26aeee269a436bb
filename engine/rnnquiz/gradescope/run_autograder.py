"""What ``run_autograder`` does on Gradescope, for one submission, as root, in a fresh container.

``python -I -m rnnquiz.gradescope.run_autograder /autograder``: reads the
settings ``rnnquiz gradescope`` put in the zip (``gradescope.json``), puts the
grader's files out of student code's reach, finds the student's notebook in
``submission/``, grades it as the zip's assignment (never what the file
claims) with inputs drawn for the student Gradescope names in
``submission_metadata.json``, and writes ``results/results.json`` whatever
happens (score 0 and a readable message when it cannot grade).  What it prints
is the instructor's only (Gradescope's stdout, hidden from students).
"""
from __future__ import annotations

import json
import os
import stat
import sys
import time
import traceback
from pathlib import Path

from rnnquiz.gradescope.layout import LOCAL_TRY, SETTINGS, Layout

IGNORED_PARTS = {".ipynb_checkpoints", "__MACOSX"}  # what editors and archivers leave beside a notebook


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    local = LOCAL_TRY in args
    args = [a for a in args if a != LOCAL_TRY]
    layout = Layout(Path(args[0] if args else "/autograder"))
    started = time.monotonic()
    try:
        data = run(layout, started, local)
    except BaseException as exc:  # noqa: B036  (whatever it is, the student gets a results.json)
        say(f"the autograder failed before grading: {type(exc).__name__}: {exc}")
        say("".join(traceback.format_exception(exc)[-6:]).rstrip())
        data = failed(None, time.monotonic() - started)
    write_results(layout.results, data)
    say(f"results written to {layout.results} (score {data.get('score')})")
    return 0


def say(line: str):
    print(f"rnnquiz: {line}", flush=True)


def run(layout: Layout, started: float, local: bool = False) -> dict:
    """Grade the submission; the results.json data (raises only before the assignment is known)."""
    from rnnquiz.model import content
    settings = read_settings(layout.source / SETTINGS)
    lock(layout)  # before anything of the student's is read
    catalog = content.Catalog([layout.source / content.CONTENT_DIR])
    assignment = catalog.get(settings["assignment"])
    visibility = settings.get("visibility") or {}
    try:
        result = grade_here(layout, assignment, catalog, local)
    except Exception as exc:  # rnnquiz or the machine failed: not the student's fault, still a results.json
        say(f"grading failed: {type(exc).__name__}: {exc}")
        say("".join(traceback.format_exception(exc)[-6:]).rstrip())
        return failed(assignment, time.monotonic() - started, visibility)
    say(f"{result.notebook}: {result.score:g} of {result.max_score:g} points"
        + (f" (not graded: {result.error})" if result.error else ""))
    for flag in result.flags:
        say(f"FLAG: {flag}")
    from rnnquiz.outputs.gradescope_json import results_json
    return results_json(result, visibility=visibility, execution_time=time.monotonic() - started)


def grade_here(layout: Layout, assignment, catalog, local: bool = False):
    """The student's notebook graded, or a Results saying why it was not (the student's fault).
    ``local``: a try on the instructor's machine, where an ordinary user may grade their own test notebooks."""
    from rnnquiz.isolation.launcher import Unprivileged, choose
    from rnnquiz.isolation.pool import Pool
    launcher = choose()
    print(launcher.describe(), flush=True)  # the one line on which protections hold
    if isinstance(launcher, Unprivileged) and local:
        say(f"local try as uid {os.geteuid()}: the notebook runs with your rights (on Gradescope, as root, it "
            "runs under a uid of its own)")
    elif isinstance(launcher, Unprivileged):
        # fail closed: student code would run with the grader's own rights
        raise PermissionError(f"run_autograder runs as uid {os.geteuid()}, not root as on Gradescope; "
                              "refusing to run student code with the grader's rights")
    with Pool(announce=False).launch() as pool:  # its torch import overlaps what follows
        say("control groups per submission: " + ("yes" if pool.cgroups else "none here (not writable): the CPU "
                                                 "is shared per process, memory watched per uid"))
        from rnnquiz.grading import session
        from rnnquiz.model.notebook import NotebookError
        for folder in unreadable_for_students():
            say(f"WARNING: {folder} is not readable by other users: student code cannot import from it")
        student = student_id(layout.metadata)
        try:
            path = find_notebook(layout.submission, assignment)
            say(f"grading {path} as {assignment.id}, inputs drawn for student {student}")
            result = session.grade(path, student=student, assignment_id=assignment.id, catalog=catalog, pool=pool)
            if pool.launcher.describe() != launcher.describe():  # its worker did not start: the next one graded
                print(pool.protections, flush=True)
            return result
        except NotebookError as exc:
            say(f"not graded: {exc}")
            # the student's own file names, not the container's folders
            why = exc.message if exc.path == str(layout.submission) else str(exc).replace(f"{layout.submission}/", "")
            return not_graded(assignment, student, why)


def read_settings(path: Path) -> dict:
    from rnnquiz.errors import InternalError
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(settings.get("assignment"), str):
            raise ValueError("no assignment")
        return settings
    except (OSError, ValueError, AttributeError) as exc:
        raise InternalError(f"{path}: cannot be read ({exc}); rebuild the zip with `rnnquiz gradescope`.") from None


def lock(layout: Layout):
    """``/autograder`` and the folders in it, root's only: student code runs
    under other uids in the same file system (no namespaces in Gradescope's
    containers), so this is what keeps the hidden graders, the other files
    of the submission and results.json out of its reach.  Fails closed."""
    from rnnquiz.errors import InternalError
    layout.results.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path, mode in ((layout.root, 0o700), (layout.source, 0o700), (layout.submission, 0o700),
                       (layout.results.parent, 0o700), (layout.metadata, 0o600)):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise InternalError(f"{path} is a symbolic link; refusing to grade")
        if st.st_uid != os.geteuid():
            os.chown(path, os.geteuid(), os.getegid())
        os.chmod(path, mode)
        if os.lstat(path).st_mode & 0o077:
            raise InternalError(f"{path} stays readable by other users; refusing to grade")
    owner = "root" if os.geteuid() == 0 else f"uid {os.geteuid()}"  # an ordinary user's local try
    say(f"{layout.root} and the grader's files in it: readable and writable by {owner} only")


def unreadable_for_students() -> list:
    """The Python installation's folders a student's process (another uid)
    could not import from: each must be readable and every parent traversable."""
    found = []
    for folder in dict.fromkeys(Path(p).resolve() for p in (sys.prefix, sys.base_prefix, *sys.path)
                                if p and os.path.isdir(p)):
        for part in (folder, *folder.parents):
            try:
                mode = os.stat(part).st_mode
            except OSError:
                continue
            if not mode & stat.S_IXOTH or (part == folder and not mode & stat.S_IROTH):
                found.append(str(part))
                break
    return list(dict.fromkeys(found))


def student_id(metadata: Path) -> str:
    """Whose inputs the graders draw: the submitter's Gradescope user id (for a
    group, the smallest of its members' ids: the same at every submission)."""
    try:
        users = json.loads(metadata.read_text(encoding="utf-8")).get("users") or []
        ids = [str(u["id"]) for u in users if isinstance(u, dict) and u.get("id") is not None]
    except (OSError, ValueError, AttributeError) as exc:
        say(f"WARNING: {metadata} cannot be read ({exc}): inputs drawn for an unknown student")
        return "unknown"
    if not ids:
        say(f"WARNING: {metadata} names no user: inputs drawn for an unknown student")
        return "unknown"
    return min(ids, key=lambda i: (len(i), i))


def find_notebook(folder: Path, assignment) -> Path:
    """The student's notebook, whatever Gradescope named the upload: the
    released name (``<assignment>.ipynb``) anywhere in the submission, else its
    only notebook.  Raises NotebookError, in the notebook's language, for none or several."""
    from rnnquiz.model import notebook
    from rnnquiz.model.messages import text
    files = notebook.submission_files(folder)  # nothing followed: links and special files refuse it
    found = [f for f in files if f.lower().endswith(".ipynb") and not IGNORED_PARTS & set(Path(f).parts)]
    released = f"{assignment.id}.ipynb"
    named = [f for f in found if Path(f).name == released]
    if len(named) == 1:
        return folder / named[0]
    if len(found) == 1:
        return folder / found[0]
    if not found:
        raise notebook.NotebookError(folder, text("gs_no_notebook", assignment.lang, name=released))
    names = ", ".join(sorted(found)[:5]) + (", ..." if len(found) > 5 else "")
    raise notebook.NotebookError(folder, text("gs_several_notebooks", assignment.lang, count=len(found),
                                              names=names, name=released))


def not_graded(assignment, student: str, why: str):
    """Results for a submission that could not be graded: every question 0."""
    from rnnquiz.model.messages import clip, text
    from rnnquiz.model.results import QuestionResult, Results
    questions = [QuestionResult(q.name, q.kind, float(q.points), error=text("gs_question_not_graded", assignment.lang))
                 for q in assignment.questions]
    return Results(assignment.id, assignment.lang, student, "", questions, error=clip(why, 1000))


def failed(assignment, seconds: float, visibility: dict | None = None) -> dict:
    """results.json when grading itself failed: score 0, every question listed
    when the assignment is known, the message in its language (else in both)."""
    from rnnquiz.model.messages import LANGS, text
    from rnnquiz.outputs.gradescope_json import results_json
    if assignment is None:
        return {"score": 0, "output": "\n\n".join(text("gs_failed", lang) for lang in LANGS),
                "output_format": "md", "stdout_visibility": "hidden", "execution_time": int(seconds), "tests": []}
    result = not_graded(assignment, "", "")
    data = results_json(result, visibility=visibility, execution_time=seconds)
    data["output"] = text("gs_failed", assignment.lang)
    return data


def write_results(path: Path, data: dict):
    """Written whole or not at all (a temporary file renamed over it), in the root-only folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
