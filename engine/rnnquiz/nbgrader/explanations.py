"""The outputs of the instructor's own explanation cells, for feedback and formgrader.

A graded notebook has no outputs of its own (the student's are dropped, and
their code is never run where its output could be shown): the feedback would
show every example of the text without its result.  The examples are the
instructor's: their cells (code cells that are neither answers nor tests) are
run here, once per source notebook and process, from the course's source
notebook, in a namespace of their own and with the random generators put back
as they were; a submitted cell gets those outputs only when its source is
still exactly the instructor's.  A cell that fails (say, it calls a function
the student writes) just has no outputs.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
from pathlib import Path

from nbformat import from_dict

from rnnquiz.model import notebook

MAX_CHARS = 20_000  # of one cell's output: an example prints a few lines


def explanation_cells(nb: dict) -> list:
    """The sources of a notebook's explanation cells, in order."""
    return [notebook.cell_source(c) for c in nb.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "code"
            and not notebook.nbgrader_meta(c).get("grade") and not notebook.nbgrader_meta(c).get("solution")]


def outputs_of(source: Path) -> dict:
    """{cell source: its outputs} of the explanation cells of the instructor's ``source`` notebook."""
    try:
        return _outputs(str(source), Path(source).stat().st_mtime_ns)
    except OSError:
        return {}


@functools.lru_cache(maxsize=16)
def _outputs(source: str, _version: int) -> dict:
    try:
        nb = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    namespace: dict = {"__name__": "__main__"}
    out = {}
    with _generators_kept():
        for count, code in enumerate(explanation_cells(nb), 1):
            out[code] = _run(code, namespace, count)
    return out


def _run(code: str, namespace: dict, count: int) -> list:
    """A cell's outputs as Jupyter shows them: what it printed, then the value
    of its last expression; nothing when it fails."""
    printed = io.StringIO()
    try:
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(tree, "<explanation>", "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), "<explanation>", "eval"), namespace) if last else None
    except Exception:
        return []
    outputs = []
    if printed.getvalue():
        outputs.append({"output_type": "stream", "name": "stdout", "text": printed.getvalue()[:MAX_CHARS]})
    if value is not None:
        outputs.append({"output_type": "execute_result", "execution_count": count, "metadata": {},
                        "data": {"text/plain": repr(value)[:MAX_CHARS]}})
    return outputs


@contextlib.contextmanager
def _generators_kept():
    """The examples seed torch and NumPy: this process's generators are left as they were."""
    import numpy as np
    import torch
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    try:
        yield
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)


def write_explanations(nb, source: Path | None):
    """Give the submitted notebook's unchanged explanation cells the instructor's outputs."""
    outputs = outputs_of(source) if source else {}
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
