"""``rnnquiz autograde ASSIGNMENT``: grade a class from the course folder, as
``nbgrader autograde`` would (the class run itself is ``rnnquiz.classrun``)."""
from __future__ import annotations

import os
import sys

from rnnquiz.classrun import AutogradeError, autograde  # noqa: F401  (the verb's library, and its one error)


def run(args) -> int:
    """The verb: grade, then one screen of what happened (grades, errors,
    flags, files); the sandbox's line comes first, before any progress bar."""
    # no BLAS thread in this process: it forks the grading processes (numpy is not imported yet)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # nbgrader's modules without its Jupyter server extensions, jsonschema without
    # its rfc3987 parsers: nothing in this run uses them (lean_import says why)
    from rnnquiz.nbgrader.lean_import import lean
    lean()
    from rnnquiz.isolation.limits import OPTIONS, Limits
    from rnnquiz.model.printable import printable  # ids, file names and errors are the students'
    from rnnquiz.outputs import summary as grades_summary
    limits = Limits(**{name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None})
    said = []

    def announce(line):
        said.append(line)
        print(line, flush=True)
    summary = autograde(args.assignment, student_glob=args.student, jobs=args.jobs, limits=limits,
                        progress=progress_bar, allow_unconfined=args.allow_unconfined, announce=announce)
    if not said and summary.protections:  # nothing was graded (only missing notebooks): said here
        print(summary.protections)
    n, errors = len(summary.outcomes), summary.errors
    print(f"{args.assignment}: graded {len(summary.graded)} of {n} submissions in {summary.seconds:.1f} s "
          f"(start-up included, {summary.processes} at a time: "
          f"{1000 * summary.seconds / max(n, 1):.0f} ms per submission on average)")
    print(grades_summary.grades([o.results for o in summary.graded]))
    if errors:
        print(f"errors: {len(errors)} {'submission' if len(errors) == 1 else 'submissions'} could not be graded")
    for o in errors:
        print(f"  error: {printable(o.student)}: {printable(o.error or (o.results.error if o.results else ''))}")
    for o in summary.outcomes:
        for flag in o.results.flags if o.results else []:
            print(f"  flag: {printable(o.student)}: {printable(flag)}")
    print("nbgrader's gradebook has these grades: nbgrader generate_feedback and nbgrader export use them")
    print(grades_summary.files(summary.report_dir, graded_now=n))
    return 0


def progress_bar(done: int, total: int, seconds: float, stream=sys.stderr):
    rate = done / seconds if seconds > 0 else 0.0
    left = (total - done) / rate if rate > 0 else 0.0
    width = 30
    filled = int(width * done / total) if total else width
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} submissions  "
                 f"{rate:.1f}/s  {left:.0f} s left ")
    if done >= total:
        stream.write("\n")
    stream.flush()
