"""What a class run refuses, and when: before anything is made (a name the
course does not know, an assignment that is not ours), and before anything is
graded (a sandbox that would leave the course in the submissions' sight)."""
from __future__ import annotations

from rnnquiz.errors import UserError
from rnnquiz.isolation.launcher import unconfined_refusal
from rnnquiz.model import content


class AutogradeError(UserError):
    pass


UNCONFINED = unconfined_refusal("`rnnquiz autograde --allow-unconfined`")


def refuse_custom_layout(course, assignment_id: str):
    """A course that changed nbgrader's ``directory_structure`` is graded by
    ``nbgrader autograde`` (which rnnquiz's steps follow); a class run reads and
    writes nbgrader's default layout, and says so before anything is made."""
    from nbgrader.coursedir import CourseDirectory
    default = CourseDirectory.directory_structure.default_value
    if course.coursedir.directory_structure != default:
        raise AutogradeError(f"{course.root}: this course sets CourseDirectory.directory_structure to "
                             f"{course.coursedir.directory_structure!r}; `rnnquiz autograde` reads and writes "
                             f"nbgrader's default layout ({default!r}) only. Grade it with `nbgrader autograde "
                             f"{assignment_id}` (rnnquiz's steps run there too). Nothing was changed.")


def refuse_unknown(course, assignment_id: str):
    """A name the course does not know (no source folder, not in the gradebook)
    is refused before anything is made: the closest known name suggested, or,
    for one of rnnquiz's assignments, that it was never added to the course."""
    source = course.source(assignment_id)
    if source.is_dir():
        return
    in_gradebook = []
    if course.database is None or course.database.is_file():
        from nbgrader.api import Gradebook
        try:
            with Gradebook(course.db_url, course.course_id) as gb:
                in_gradebook = [a.name for a in gb.assignments]
        except Exception:  # the gradebook's own problems are said where it is opened for grading
            return
        if assignment_id in in_gradebook:
            return
    sources = source.parent
    known = sorted({p.name for p in sources.iterdir() if p.is_dir()} | set(in_gradebook)) if sources.is_dir() \
        else sorted(in_gradebook)
    checkout = content.checkout()
    ours = set(course.catalog.assignments) | (set(content.course_catalog(checkout).assignments) if checkout else set())
    if assignment_id in ours:
        raise AutogradeError(f"{assignment_id!r} was never added to this course (no {source}): add it with "
                             f"`rnnquiz init {course.root} --assignments {assignment_id}`, then `nbgrader "
                             f"generate_assignment {assignment_id}`. Nothing was changed.")
    raise AutogradeError(f"unknown assignment {assignment_id!r}{content.did_you_mean(assignment_id, known)}: "
                         f"this course has no {source} and its gradebook does not list it; "
                         f"the course's assignments: {', '.join(known) or 'none yet'}. Nothing was changed.")


def refuse_if_not_ours(course, assignment_id: str):
    """The refusal that needs no gradebook: the course's source notebooks of
    this assignment, when it has some, name none of ours.  (The gradebook's
    list of notebooks is checked again by ``expected_notebooks``.)"""
    ours = course.notebooks(assignment_id)
    if ours and not any(ours.values()):
        raise AutogradeError(not_ours(assignment_id, list(ours), course.catalog))


def expected_notebooks(course, assignment_id: str) -> dict:
    """{notebook name: our Assignment} of the assignment, as the gradebook lists
    its notebooks; refused unless every one of them is ours."""
    from nbgrader.api import Gradebook, MissingEntry
    try:
        with Gradebook(course.db_url, course.course_id) as gb:
            names = [nb.name for nb in gb.find_assignment(assignment_id).notebooks]
    except MissingEntry:
        raise AutogradeError(f"assignment {assignment_id!r} is not in the gradebook ({course.db_url}); "
                             f"run `nbgrader generate_assignment {assignment_id}` first.") from None
    expected = {n: course.assignment_of(assignment_id, n) for n in names}
    if not any(expected.values()):
        raise AutogradeError(not_ours(assignment_id, names, course.catalog))
    if not all(expected.values()):
        others = [n for n, a in expected.items() if a is None]
        raise AutogradeError(f"{assignment_id!r} mixes rnnquiz notebooks with others ({', '.join(others)}); "
                             f"grade it with `nbgrader autograde {assignment_id}`. Nothing was changed.")
    return expected


def refuse_if_unconfined(pool, sandbox):
    """A class run where a submission would see the course (container mode
    without Landlock) needs the instructor's explicit word; asked once the
    launcher whose worker starts is known, before anything is graded."""
    if pool.leaves_course_in_sight and not sandbox.allow_unconfined:
        raise AutogradeError(UNCONFINED)


def not_ours(assignment_id: str, names: list, catalog) -> str:
    return (f"{assignment_id!r} is not an rnnquiz assignment (its notebooks: {', '.join(names)}; "
            f"rnnquiz knows: {catalog.known()}); grade it with `nbgrader autograde {assignment_id}`. "
            "Nothing was changed.")
