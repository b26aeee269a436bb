"""The outputs of the instructor's own explanation cells, for feedback and formgrader.

A graded notebook has no outputs of its own (the student's are dropped, and
their code is never run where its output could be shown): the feedback would
show every example of the text without its result.  The examples are the
instructor's: their cells (code cells that are neither answers nor tests) are
run once per source notebook and process, from the course's source notebook,
in the sandbox like any other notebook code (whoever can write ``source/``
is not thereby trusted with the grading process), in a worker of their own;
a submitted cell gets those outputs only when its source is still exactly
the instructor's.  A cell that fails (say, it calls a function the student
writes) just has no outputs.
"""
from __future__ import annotations

from pathlib import Path

from nbformat import from_dict

from rnnquiz.model import notebook, source_notebook

MAX_CHARS = 20_000  # of one cell's output: an example prints a few lines

# runs in the worker: each example's printed text and the repr of its last expression
CAPTURE = f'''
def __rnnquiz_example(code, index):
    import ast, contextlib, io
    printed = io.StringIO()
    try:
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(tree, "<explanation>", "exec"), globals())
            value = eval(compile(ast.Expression(last.value), "<explanation>", "eval"), globals()) if last else None
    except Exception:
        return
    __rnnquiz_examples[index] = [printed.getvalue()[:{MAX_CHARS}], None if value is None else repr(value)[:{MAX_CHARS}]]
__rnnquiz_examples = {{}}
'''


SELF_CHECK = "rnnquiz.self_check"  # what a released notebook's self-check cell imports


def explanation_cells(nb: dict) -> list:
    """The sources of a notebook's explanation cells, in order.  Not the
    self-check cell: what it prints is about the kernel it runs in, and run
    in the sandbox (where rnnquiz cannot be imported) it would tell every
    student to install rnnquiz."""
    return [source for source in (notebook.cell_source(c) for c in nb.get("cells", [])
                                  if isinstance(c, dict) and c.get("cell_type") == "code"
                                  and not notebook.nbgrader_meta(c).get("grade")
                                  and not notebook.nbgrader_meta(c).get("solution"))
            if SELF_CHECK not in source]


def outputs_of(source: Path, pool=None, limits=None) -> dict:
    """{cell source: its outputs} of the explanation cells of the instructor's
    ``source`` notebook, made once per version of the file and process."""
    parsed = source_notebook.read(source)
    if parsed is None:
        return {}
    return parsed.derived(lambda nb: _outputs(nb, pool, limits), key="explanations")


def _outputs(nb: dict, pool, limits) -> dict:
    codes = explanation_cells(nb)
    if not codes:
        return {}
    from rnnquiz.grading.student import StudentError, StudentRunner
    from rnnquiz.isolation.limits import Limits
    from rnnquiz.isolation.pool import Pool
    limits = limits or Limits()
    own = pool is None
    pool = pool or Pool(limits, announce=False).launch()
    cells = [(0, None, CAPTURE)] + [(n, None, f"__rnnquiz_example({code!r}, {n})") for n, code in enumerate(codes, 1)]
    runner = StudentRunner(pool, cells, limits)
    try:
        made = runner.start().get("__rnnquiz_examples")
    except StudentError:
        made = {}
    finally:
        runner.close()
        if own:
            pool.close()
    out = {}
    for n, code in enumerate(codes, 1):
        found = made.get(n) if type(made) is dict else None
        out[code] = _as_outputs(found, n)
    return out


def _as_outputs(found, count: int) -> list:
    """A cell's outputs as Jupyter shows them: what it printed, then the value
    of its last expression; nothing when it failed (or sent anything else)."""
    if type(found) is not list or len(found) != 2:
        return []
    printed, value = found
    outputs = []
    if type(printed) is str and printed:
        outputs.append({"output_type": "stream", "name": "stdout", "text": printed[:MAX_CHARS]})
    if type(value) is str:
        outputs.append({"output_type": "execute_result", "execution_count": count, "metadata": {},
                        "data": {"text/plain": value[:MAX_CHARS]}})
    return outputs


def write_explanations(nb, source: Path | None, pool=None, limits=None):
    """Give the submitted notebook's unchanged explanation cells the instructor's
    outputs (run in ``pool``'s sandbox; None: one of their own)."""
    outputs = outputs_of(source, pool, limits) if source else {}
    if not outputs:
        return
    count = 0
    for cell in nb["cells"] if isinstance(nb, dict) else nb.cells:
        meta = notebook.nbgrader_meta(cell)
        if cell.get("cell_type") != "code" or meta.get("grade") or meta.get("solution"):
            continue
        made = outputs.get(notebook.cell_source(cell))
        if made:
            count += 1
            cell["outputs"] = [from_dict(dict(o)) for o in made]
            cell["execution_count"] = count
