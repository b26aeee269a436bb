"""Command line: one verb per command, each a thin layer over a library function.

A verb imports only what it uses (``rnnquiz check`` runs a student's public
checks, its start-up is what the student waits for).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 2, 3
EXIT_CHECKS_FAILED = 1  # rnnquiz check: a check failed (as pytest and linters say it)


def _grade(args) -> int:
    from rnnquiz.grading.session import grade
    from rnnquiz.outputs.formats import FORMATS
    result = grade(args.notebook, student=args.student, assignment_id=args.assignment)
    text = FORMATS[args.format].one(result)
    text += "" if text.endswith("\n") else "\n"  # CSV ends its rows itself
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_OK


def _check(args) -> int:
    from rnnquiz.commands.check import check, passed, render
    result = check(args.notebook, assignment_id=args.assignment)
    if result.error:  # the file could not be read as a notebook: nothing was checked
        print(f"rnnquiz: {result.error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(render(result))
    return EXIT_OK if passed(result) else EXIT_CHECKS_FAILED


def _build(args) -> int:
    from rnnquiz.commands.build import build
    for path in build(_course(), out_root=args.out):
        print(f"wrote {path}")
    return EXIT_OK


def _demo(args) -> int:
    from rnnquiz.commands.demo import run
    run(args.lang, workdir=args.workdir, course=_course())
    return EXIT_OK


def _init(args) -> int:
    from rnnquiz.commands.init import init
    report = init(args.course, args.assignments, origin=args.origin, course_id=args.course_id,
                  exchange=args.exchange)
    print("\n".join(report.lines()))
    return EXIT_OK


def _gradescope(args) -> int:
    from rnnquiz.commands.gradescope import gradescope
    print(gradescope(args.assignment, output=args.output, visibility=args.visibility, course=_course()))
    return EXIT_OK


def _gradescope_try(args) -> int:
    from rnnquiz.commands.gradescope_try import gradescope_try
    gradescope_try(args.zip, args.submission, student_id=args.student_id, output=args.output)
    return EXIT_OK


def _course() -> Path:
    from rnnquiz.model.content import CONTENT_DIR, ContentError, find_course
    course = find_course()
    if course is None:
        raise ContentError(f"{Path.cwd()}: not inside an rnnquiz course (no {CONTENT_DIR}/*/assignment.toml "
                           "here or above); run this from the course folder, or add rnnquiz to a course "
                           "with `rnnquiz init COURSE_DIR`.")
    return course


def _autograde(args) -> int:
    from rnnquiz.commands.autograde import run
    return run(args)


def _locale_lang() -> str:
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "pt" if locale.lower().startswith("pt") else "en"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed
    try:
        return installed("rnnquiz")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class _Version(argparse.Action):
    """``--version``, the installed version looked up only when asked (the
    package metadata is a visible part of every command's start-up)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"rnnquiz {version()}")  # on stdout, as argparse's own version action
        parser.exit()


# --- sizes: shown and accepted in binary units ------------------------------------------------

UNITS = {"": 1, "b": 1, "k": 1024, "kib": 1024, "m": 1024**2, "mib": 1024**2, "g": 1024**3, "gib": 1024**3}


def size(text: str) -> int:
    """Bytes from ``3221225472``, ``3GiB``, ``3 GiB``, ``512MiB`` or ``512M`` (binary units)."""
    import re
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if not found or found[2].lower() not in UNITS or float(found[1]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: give bytes or a number with KiB, MiB or GiB "
                                         "(for example 3GiB)")
    return int(float(found[1]) * UNITS[found[2].lower()])


def show_size(n: int) -> str:
    for unit in ("GiB", "MiB", "KiB"):
        scale = UNITS[unit.lower()]
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


# --- the parser -----------------------------------------------------------------------------

STATUS_2 = "2  what was given cannot be used (the message says which file or folder, and what to do)"
STATUS_3 = "3  rnnquiz or the machine failed (the message says what broke)"


class Formatter(argparse.HelpFormatter):
    """argparse's own, but each line of a description or epilog is wrapped by
    itself (the exit statuses stay one per line, their continuations indented)."""

    def _fill_text(self, text, width, indent):
        import textwrap
        out = []
        for line in text.splitlines():
            lead = line[:len(line) - len(line.lstrip())]
            more = lead + "   " if lead else ""
            out.append(textwrap.fill(line.strip(), width, initial_indent=indent + lead,
                                     subsequent_indent=indent + more) if line.strip() else "")
        return "\n".join(out)


def _statuses(*lines: str) -> str:
    return "exit status:\n" + "\n".join(f"  {line}" for line in lines)


def _limit_help(name: str, text: str, default) -> str:
    """The limits' help, shared with nbgrader's GradeIsolated traits, worded as the other options'."""
    text = text[0].lower() + text[1:].rstrip(".")
    if name == "memory_budget":
        return (text.replace("bytes all", "memory all") + ", in bytes or with a unit: 3GiB, 512MiB "
                f"(default: {show_size(default)})")
    return f"{text} (default: {default:g})"


def _sandbox_option(verb):
    """``--sandbox`` on every verb that grades; the same as $RNNQUIZ_SANDBOX,
    which tools that call rnnquiz (nbgrader's autograde) read too."""
    from rnnquiz.isolation.launcher import ENV_VAR, MODES
    verb.add_argument("--sandbox", choices=MODES, default=None,
                      help=f"what runs student code: auto, the best mode whose worker starts here (said in one "
                           f"line), or a mode by name, with no fallback (default: ${ENV_VAR}, else auto)")


def parser() -> argparse.ArgumentParser:
    from rnnquiz.isolation.limits import OPTIONS as limit_options_table
    from rnnquiz.isolation.limits import default as limit_default
    from rnnquiz.outputs.formats import FORMATS, one_formats

    def verb(name: str, summary: str, description: str, statuses: tuple):
        sub = verbs.add_parser(name, help=summary, description=description, epilog=_statuses(*statuses),
                               formatter_class=Formatter)
        return sub

    p = argparse.ArgumentParser(
        prog="rnnquiz", formatter_class=Formatter,
        description="Self-grading exercises and quizzes on recurrent neural networks: students self-check "
                    "their notebooks, instructors grade them with hidden graders in a sandbox (one submission, "
                    "a whole nbgrader course, or on Gradescope).",
        epilog="`rnnquiz COMMAND --help` says what each command does, its options and its exit statuses.")
    p.add_argument("--version", action=_Version, nargs=0, help="show program's version number and exit")
    verbs = p.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    c = verb("check", "self-check your notebook before submitting (public checks only)",
             "Run the public checks on your notebook before submitting: one line per question, in the "
             "notebook's order (students; works from any folder).",
             ("0  every check passed (an answered quiz counts: its answer is graded at submission)",
              "1  a check failed", "2  the file cannot be checked (not found, not a notebook, not a known "
              "assignment: one line says which)", STATUS_3))
    c.add_argument("notebook", help="your notebook (.ipynb), under the name it was released with")
    c.add_argument("--assignment", default=None, metavar="ID",
                   help="which assignment the notebook is (default: its file name)")
    c.set_defaults(run=_check)

    g = verb("grade", "grade one submitted notebook with the hidden graders",
             "Grade one submitted notebook with the course's hidden graders, as the assignment its file name "
             "says (or --assignment; never what the notebook's content claims). Run it in a course folder.",
             ("0  grading completed, whatever the score", STATUS_2, STATUS_3))
    g.add_argument("notebook", help="the submitted notebook (.ipynb)")
    g.add_argument("--student", default="student", metavar="ID",
                   help="student id; it seeds the inputs the graders draw (default: student)")
    g.add_argument("--assignment", default=None, metavar="ID",
                   help="which assignment the notebook is (default: its file name; never its content)")
    g.add_argument("--format", choices=one_formats(), default="text",
                   help="what to write: " + "; ".join(f"{name}, {FORMATS[name].help}" for name in one_formats())
                   + " (default: text)")
    g.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    _sandbox_option(g)
    g.set_defaults(run=_grade)

    a = verb("autograde", "grade a whole class from nbgrader's submitted/ (run in the course folder)",
             "Grade every submission of an assignment from nbgrader's submitted/ folder, in parallel, each "
             "in a sandbox; write the gradebook (as `nbgrader autograde` does), grades.csv, one results.json "
             "per student and the class report. Run it in the course folder. Its first line says which "
             "sandbox confines the submissions.",
             ("0  the run completed (a submission that could not be graded is an error line in the output "
              "and in grades.csv)", "2  not a course, an assignment the course does not have or that is not "
              "rnnquiz's, no gradebook yet: nothing was changed", STATUS_3))
    a.add_argument("assignment", help="the course's assignment (its folder in source/)")
    a.add_argument("--student", default="*", metavar="GLOB",
                   help="only the students whose ids match GLOB, for example 'a*' (default: every student)")
    a.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="grading processes (default: the number of cores)")
    a.add_argument("--allow-unconfined", action="store_true",
                   help="grade even where student code would see the whole file system (the course, the "
                        "hidden graders, other submissions): root in a container that refuses new namespaces, "
                        "on a kernel without Landlock; without it such a run refuses (exit 2)")
    for name, text in limit_options_table.items():  # the same limits as nbgrader's GradeIsolated.<name>
        default = limit_default(name)
        a.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None,
                       type=size if name == "memory_budget" else type(default),
                       metavar="SIZE" if name == "memory_budget" else "SECONDS",
                       help=_limit_help(name, text, default))
    _sandbox_option(a)
    a.set_defaults(run=_autograde)

    i = verb("init", "add rnnquiz's assignments to an nbgrader course (new or existing)",
             "Add rnnquiz's assignments to an nbgrader course, new or existing: the source notebooks into "
             "source/, the content with its hidden graders into autograders/ (instructor-only), and rnnquiz's "
             "steps into nbgrader_config.py. Nothing that exists is overwritten; a second run changes nothing. "
             "It prints the lines each student's own nbgrader configuration needs.",
             ("0  the course is set up (each part added, or unchanged)", STATUS_2, STATUS_3))
    i.add_argument("course", type=Path, help="the course folder (the one with nbgrader_config.py; made if new)")
    i.add_argument("--assignments", nargs="+", default=None, metavar="NAME",
                   help="content folders (every language) or assignment ids (default: every assignment)")
    i.add_argument("--from", dest="origin", type=Path, default=None, metavar="DIR",
                   help="where the content comes from (default: the course here, else rnnquiz's checkout)")
    i.add_argument("--course-id", default=None, metavar="ID",
                   help="for a new course, its nbgrader course id (default: the folder's name)")
    i.add_argument("--exchange", type=Path, default=None, metavar="DIR",
                   help="the course's nbgrader exchange folder, c.Exchange.root, written unless the course "
                        "sets one (default: none; nbgrader then uses its system-wide /srv/nbgrader/exchange)")
    i.set_defaults(run=_init)

    b = verb("build", "regenerate the student and solution notebooks from source/",
             "Regenerate the student and solution notebooks from source/ with nbgrader's generate_assignment "
             "and generate_solution, into the folders the course's nbgrader configuration names (assignments/ "
             "and solutions/ in rnnquiz's repository; release/ and solution/ by nbgrader's defaults). Only "
             "each assignment's own folder is replaced, and only when it holds nothing else.",
             ("0  the notebooks were written", "2  not a course, or a folder to replace holds a file the build "
              "does not make: nothing was written", "3  nbgrader failed"))
    b.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the course folder to write into (default: the course here)")
    b.set_defaults(run=_build)

    gs = verb("gradescope", "build the autograder zip of a Gradescope programming assignment",
              "Build the autograder zip of a Gradescope programming assignment, for one notebook (one "
              "language). Run it in the course folder, with rnnquiz installed from a checkout: the zip carries "
              "a wheel built from it.",
              ("0  the zip was written", "2  an unknown assignment or visibility: nothing was written",
               "3  the wheel could not be built"))
    gs.add_argument("assignment", help="the assignment, in one language (for example rnn_from_scratch_en)")
    gs.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                    help="where to write the zip (default: dist/ASSIGNMENT-autograder.zip)")
    gs.add_argument("--visibility", action="append", default=[], metavar="[QUESTION=]VISIBILITY",
                    help="when students see a question's test on Gradescope: visible, hidden, after_due_date or "
                         "after_published; for every question, or QUESTION=VISIBILITY (repeat it; later ones "
                         "win) (default: visible)")
    gs.set_defaults(run=_gradescope)

    t = verb("gradescope-try", "run an autograder zip on a notebook locally, as Gradescope would",
             "Run an autograder zip made by `rnnquiz gradescope` on a submission, in a temporary copy of "
             "Gradescope's layout (the zip in source/, the submission in submission/, "
             "submission_metadata.json), without /autograder and without installing anything outside the "
             "temporary folder; print what run_autograder printed, then results.json's score and tests.",
             ("0  results.json was written, whatever the score", "2  the zip or the submission cannot be used",
              "3  the zip's grading failed to run"))
    t.add_argument("zip", type=Path, help="the autograder zip (from `rnnquiz gradescope`)")
    t.add_argument("submission", type=Path,
                   help="a notebook, or a folder holding what a student would upload")
    t.add_argument("--student-id", default="1", metavar="ID",
                   help="the Gradescope user id in submission_metadata.json; it seeds the inputs (default: 1)")
    t.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="also write results.json to FILE (default: only shown)")
    t.set_defaults(run=_gradescope_try)

    d = verb("demo", "the whole nbgrader cycle on built-in sample students",
             "Run the whole nbgrader cycle in a scratch course and exchange: release every assignment, three "
             "sample students fetch and submit (correct, typical mistakes, a cheater), collect, autograde, "
             "feedback, export; print the grades and where the feedback and reports are. Run it in rnnquiz's "
             "repository.",
             ("0  the demo ran", "2  the work folder is not empty and not a previous demo's", STATUS_3))
    d.add_argument("--lang", choices=["pt", "en"], default=_locale_lang(),
                   help="which twins to use (default: pt under a Portuguese locale, else en)")
    d.add_argument("--workdir", type=Path, default=None, metavar="DIR",
                   help="where to make the course, an empty or new folder, or a previous demo's (default: "
                        f"{WORKDIR}/ in the course folder, replaced by the next demo)")
    _sandbox_option(d)
    d.set_defaults(run=_demo)
    return p


WORKDIR = ".rnnquiz-demo"  # rnnquiz.commands.demo.WORKDIR (not imported: the demo's imports are heavy)


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_usage(sys.stderr)
        names = ", ".join(p._subparsers._group_actions[0].choices)  # noqa: SLF001 (argparse keeps them there)
        print(f"rnnquiz: name a command: {names} (`rnnquiz --help` says what each does)", file=sys.stderr)
        return EXIT_BAD_INPUT
    code = _run(args)
    if argv is None:  # this process's own command line: the process ends here
        # torch, nbgrader and pytest leave some 10^6 objects that the interpreter
        # would take apart one by one at exit (more still if the garbage
        # collector walked them); every file is written and closed and
        # every child process waited for by now, so only the standard streams
        # are left to flush
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:
                pass  # the reader went away (`| head`): nothing more to say
            except (OSError, ValueError):
                code = code or 120  # what Python itself exits with when its streams cannot be flushed
        os._exit(code)
    return code


def _run(args) -> int:
    if getattr(args, "sandbox", None):
        from rnnquiz.isolation.launcher import ENV_VAR
        os.environ[ENV_VAR] = args.sandbox  # this process's pools and the nbgrader commands it runs
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("rnnquiz: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from rnnquiz.errors import InternalError, UserError
        if isinstance(exc, UserError):
            print(f"rnnquiz: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(exc, InternalError):
            print(f"rnnquiz: {exc}", file=sys.stderr)
            return EXIT_INTERNAL
        # never a traceback: say what broke and where to report it
        print(f"rnnquiz: internal error ({type(exc).__name__}: {exc}); "
              "please report it with the command you ran.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
