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
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
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
    from rnnquiz.commands.gradescope import build
    out = build(args.assignment, out=args.output, visibility=args.visibility, course=_course())
    print(f"wrote {out}: upload it as the autograder of a Gradescope programming assignment "
          "(the README's \"Grade on Gradescope\" says what it does)")
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
    import os
    # no BLAS thread in this process: it forks the grading processes (numpy is not imported yet)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # nbgrader's modules without its Jupyter server extensions, jsonschema without
    # its rfc3987 parsers: nothing in this run uses them (lean_import says why)
    from rnnquiz.nbgrader.lean_import import lean
    lean()
    from rnnquiz.commands.autograde import autograde, progress_bar
    from rnnquiz.isolation.limits import OPTIONS, Limits
    limits = Limits(**{name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None})
    summary = autograde(args.assignment, student_glob=args.student, jobs=args.jobs, limits=limits,
                        progress=progress_bar)
    from rnnquiz.outputs import summary as grades_summary
    print(summary.protections)
    n, errors = len(summary.outcomes), summary.errors
    print(f"{args.assignment}: graded {len(summary.graded)} of {n} submissions in {summary.seconds:.1f} s "
          f"({1000 * summary.seconds / max(n, 1):.0f} ms each)")
    print(grades_summary.grades([o.results for o in summary.graded]))
    if errors:
        print(f"errors: {len(errors)} {'submission' if len(errors) == 1 else 'submissions'} could not be graded")
    for o in errors:
        print(f"  error: {o.student}: {o.error or (o.results.error if o.results else '')}")
    for o in summary.outcomes:
        for flag in o.results.flags if o.results else []:
            print(f"  flag: {o.student}: {flag}")
    print("gradebook updated (nbgrader generate_feedback / export work)")
    print(grades_summary.files(summary.report_dir, graded_now=n))
    return EXIT_OK


def _locale_lang() -> str:
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "pt" if locale.lower().startswith("pt") else "en"


def parser() -> argparse.ArgumentParser:
    from rnnquiz.isolation.limits import OPTIONS as limit_options_table
    from rnnquiz.isolation.limits import default as limit_default
    from rnnquiz.outputs.formats import FORMATS, one_formats

    p = argparse.ArgumentParser(prog="rnnquiz", description="Self-grading RNN exercises: "
                                "grade, self-check and build the notebooks.")
    verbs = p.add_subparsers(dest="verb", required=True)
    g = verbs.add_parser("grade", help="grade one submitted notebook with the hidden graders")
    g.add_argument("notebook")
    g.add_argument("--student", default="student",
                   help="student id; it seeds the inputs the graders draw (default: student)")
    g.add_argument("--assignment", default=None,
                   help="which assignment the notebook is (default: its file name; never its content)")
    g.add_argument("--format", choices=one_formats(), default="text",
                   help="; ".join(f"{name}: {FORMATS[name].help}" for name in one_formats()))
    g.add_argument("-o", "--output", help="write here instead of standard output")
    g.set_defaults(run=_grade)
    c = verbs.add_parser("check", help="run the public checks on your notebook before submitting",
                         description="Run the public checks on your notebook before submitting: one line "
                         "per question, in the notebook's order.",
                         epilog="exit status: 0 when every check passes (an answered quiz counts: its answer "
                         "is graded at submission), 1 when a check fails, 2 when the file cannot be checked "
                         "(not found, not a notebook, not a known assignment).")
    c.add_argument("notebook")
    c.add_argument("--assignment", default=None, help="which assignment the notebook is (default: its file name)")
    c.set_defaults(run=_check)
    b = verbs.add_parser("build", help="regenerate assignments/ and solutions/ from source/")
    b.add_argument("--out", type=Path, default=None, help="course folder to write into")
    b.set_defaults(run=_build)
    a = verbs.add_parser("autograde", help="grade a whole class from nbgrader's submitted/ (run in the course root)")
    a.add_argument("assignment")
    a.add_argument("--student", default="*", help="glob of student ids (default: all)")
    a.add_argument("--jobs", type=int, default=None, help="grading processes (default: number of cores)")
    for name, text in limit_options_table.items():  # the same limits as nbgrader's GradeIsolated.<name>
        a.add_argument(f"--{name.replace('_', '-')}", dest=name, type=type(limit_default(name)), default=None,
                       help=f"{text} (default: {limit_default(name)})")
    a.set_defaults(run=_autograde)
    i = verbs.add_parser("init", help="add rnnquiz's assignments to an nbgrader course (new or existing)")
    i.add_argument("course", type=Path, help="the course folder (the one with nbgrader_config.py)")
    i.add_argument("--assignments", nargs="+", default=None, metavar="NAME",
                   help="content folders (every language) or assignment ids (default: all)")
    i.add_argument("--from", dest="origin", type=Path, default=None,
                   help="where the content comes from (default: the course here, else rnnquiz's checkout)")
    i.add_argument("--course-id", default=None, help="for a new course: its nbgrader course id "
                   "(default: the folder's name)")
    i.add_argument("--exchange", type=Path, default=None, help="the course's nbgrader exchange folder "
                   "(c.Exchange.root); unset, nbgrader uses its system-wide /srv/nbgrader/exchange")
    i.set_defaults(run=_init)
    gs = verbs.add_parser("gradescope", help="build the autograder zip of a Gradescope programming assignment")
    gs.add_argument("assignment", help="the assignment, in one language (for example rnn_from_scratch_en)")
    gs.add_argument("-o", "--output", type=Path, default=None,
                    help="where to write the zip (default: ASSIGNMENT-autograder.zip here)")
    gs.add_argument("--visibility", action="append", default=[], metavar="[QUESTION=]VISIBILITY",
                    help="when students see a question's test on Gradescope: visible (the default), hidden, "
                         "after_due_date or after_published; for every question, or QUESTION=VISIBILITY "
                         "(repeat it; later ones win)")
    gs.set_defaults(run=_gradescope)
    d = verbs.add_parser("demo", help="the whole nbgrader cycle on built-in sample students")
    d.add_argument("--lang", choices=["pt", "en"], default=_locale_lang(),
                   help="which twins to use (default: pt under a Portuguese locale, else en)")
    d.add_argument("--workdir", type=Path, default=None,
                   help="where to make the course (default: a new temporary folder)")
    d.set_defaults(run=_demo)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    code = _run(args)
    if argv is None:  # this process's own command line: the process ends here
        # torch, nbgrader and pytest leave some 10^6 objects that the interpreter
        # would take apart one by one at exit (0.2 s, and 0.5 to 1 s more if the
        # garbage collector walked them); every file is written and closed and
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
