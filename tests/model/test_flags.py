"""The "solutions copied whole" flag compares token streams: a copy with its
comments changed and its variables renamed is still flagged, in an assignment
of one long region as in one of many; the student's version and a notebook
that holds one canonical loop are not."""
import copy
import json
import re

import pytest

from rnnquiz.model import samples
from rnnquiz.model.flags import flags
from support import ROOT, assignment

RENAMES = {"H": "state", "outputs": "outs", "X": "x_t", "grads": "gs", "norm": "total", "rnn": "net",
           "text": "s", "num_hiddens": "h", "num_inputs": "d", "W": "w", "norms": "ns"}


def disguised(nb: dict) -> dict:
    """The solutions with their variables renamed, comments removed and others added, lines rewrapped."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code" or not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        source = re.sub(r"#[^\n]*", "", source)
        for old, new in RENAMES.items():
            source = re.sub(rf"(?<![.\w]){old}\b", new, source)
        cell["source"] = "# my own work\n" + source.replace(", ", " ,  ") + "\n# done\n"
    return nb


def source(aid: str):
    return ROOT / "source" / aid / f"{aid}.ipynb"


@pytest.mark.parametrize("aid", ["rnn_from_scratch", "torch_rnn_by_hand", "rnn_gradients"])
def test_a_disguised_copy_of_the_solutions_is_flagged(aid):
    nb = disguised(samples.solution(assignment(aid), ROOT))
    assert "state" in json.dumps(nb) or "outs" in json.dumps(nb) or "gs" in json.dumps(nb)
    found = flags(nb, source(aid), "en")
    assert any("solution regions" in f for f in found), found


def test_the_students_version_and_one_canonical_loop_are_not_flagged():
    aid = "rnn_from_scratch"
    release = json.loads(samples.release_path(aid, ROOT).read_text())
    assert flags(release, source(aid), "en") == []
    solution = samples.solution(assignment(aid), ROOT)
    loop = next(c for c in solution["cells"] if "for X in inputs" in "".join(c["source"]))
    honest = samples.with_answers(release, {"rnn_forward": "".join(loop["source"])})
    assert flags(honest, source(aid), "en") == []


def test_control_characters_in_a_notebook_do_not_break_the_flag():
    aid = "rnn_from_scratch"
    nb = samples.solution(assignment(aid), ROOT)
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "x = '\x00\x01\x02' \x00 \x01\x02 y"})
    assert any("solution regions" in f for f in flags(nb, source(aid), "en"))
