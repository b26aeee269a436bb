"""The visible test cells: a failing assert tells the student what was expected,
in the notebook's language (never a bare AssertionError)."""
import ast
import json

import pytest

from rnnquiz.model import content
from support import BASES, CATALOG, ROOT

HIDDEN = "### BEGIN HIDDEN TESTS"


def visible_asserts(aid: str) -> dict:
    """{grade id: [assert node]} of the visible part of each graded test cell of the source notebook."""
    cells = json.loads((ROOT / "source" / aid / f"{aid}.ipynb").read_text(encoding="utf-8"))["cells"]
    out = {}
    for cell in cells:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            visible = "".join(cell["source"]).split(HIDDEN)[0]
            out[meta["grade_id"]] = [n for n in ast.walk(ast.parse(visible)) if isinstance(n, ast.Assert)]
    return out


@pytest.mark.parametrize("aid", sorted(CATALOG.assignments))
def test_every_visible_assert_says_what_was_expected(aid):
    bare = [(gid, ast.unparse(node.test)[:80]) for gid, nodes in visible_asserts(aid).items() for node in nodes
            if node.msg is None]
    assert not bare, f"{aid}: asserts without a message:\n" + "\n".join(map(str, bare))


@pytest.mark.parametrize("base", BASES)
def test_the_messages_are_in_each_twins_language(base):
    twins = sorted(CATALOG.bases()[base], key=lambda a: a.lang != content.PRIMARY_LANG)
    primary = visible_asserts(twins[0].id)
    for other in twins[1:]:
        for gid, nodes in visible_asserts(other.id).items():
            same = [ast.unparse(n.msg) for n, p in zip(nodes, primary[gid]) if ast.dump(n.msg) == ast.dump(p.msg)]
            assert not same, f"{other.id} {gid}: messages not translated from {twins[0].id}: {same}"
