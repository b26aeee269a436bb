"""A submitted notebook reduced to what grading needs, from whatever the student sent.

Notebook and cell metadata (but nbgrader's known keys), outputs and
attachments go; sources become text; HTML in markdown and raw cells is made
harmless (``untrusted_html``); the instructor's own markdown cells get their
figures back from the course's source notebook.
"""
from __future__ import annotations

from pathlib import Path

from rnnquiz.model import notebook, source_notebook, untrusted_html

NBGRADER_KEYS = {"grade": bool, "solution": bool, "locked": bool, "task": bool, "grade_id": str,
                 "points": (int, float), "schema_version": int, "checksum": str, "cell_type": str}


def clean_notebook(nb, path="notebook", lang: str | None = None, source: Path | None = None) -> dict:
    """The notebook reduced to cells with text sources and known nbgrader
    metadata; HTML in markdown and raw cells made harmless, with a note in
    ``lang``; more than ``notebook.MAX_CELLS`` cells is refused (what we write
    back, and nbgrader's feedback page, grow with every cell).  A markdown
    cell that is exactly one of the instructor's (``source``: the course's
    source notebook) gets its figures back from there; attachments of any
    other cell are gone, and so are its links to them (nbconvert would fail
    on them)."""
    figures = instructor_markdown(source) if source else {}
    kernelspec = nb.get("metadata", {}).get("kernelspec") if isinstance(nb.get("metadata"), dict) else None
    cells, budget = [], untrusted_html.Budget()
    given = nb.get("cells", []) if isinstance(nb.get("cells"), list) else []
    if len(given) > notebook.MAX_CELLS:
        raise notebook.NotebookError(path, f"has {len(given)} cells, more than the {notebook.MAX_CELLS} rnnquiz "
                                           "grades; submit the notebook you were given, with your answers in "
                                           "its cells.")
    for cell in given:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        out = {"cell_type": cell["cell_type"], "metadata": {}, "source": notebook.cell_source(cell)}
        if out["source"] in figures:
            if figures[out["source"]]:  # the instructor's own cell: as the course has it
                out["attachments"] = figures[out["source"]]
        elif cell["cell_type"] != "code":
            text = untrusted_html.DANGLING_IMAGE.sub(r"[\1]", out["source"])
            out["source"] = untrusted_html.clean_source(text, cell["cell_type"], lang, budget)[0]
        nbg = notebook.nbgrader_meta(cell)
        kept = {k: v for k, v in nbg.items() if k in NBGRADER_KEYS and isinstance(v, NBGRADER_KEYS[k])
                and not (type(v) is str and len(v) > 200)}
        if kept:
            out["metadata"]["nbgrader"] = kept
        if type(cell.get("id")) is str and len(cell["id"]) <= 64:
            out["id"] = cell["id"]
        if cell["cell_type"] == "code":
            out["outputs"], out["execution_count"] = [], None
        cells.append(out)
    metadata = {}
    if isinstance(kernelspec, dict) and all(type(v) is str and len(v) < 200 for v in kernelspec.values()):
        metadata["kernelspec"] = dict(kernelspec)
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def instructor_markdown(source: Path) -> dict:
    """{source text: attachments} of the markdown cells of an instructor's notebook."""
    parsed = source_notebook.read(source)
    return parsed.derived(_markdown) if parsed is not None else {}


def _markdown(nb: dict) -> dict:
    return {notebook.cell_source(c): c.get("attachments") or {} for c in nb.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "markdown"}
