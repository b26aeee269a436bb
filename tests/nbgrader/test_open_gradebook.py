"""nbgrader's steps on one open gradebook decide as nbgrader's own."""

import pytest


def _corrupt(cell_meta: dict, change: str):
    if change == "points_text":
        cell_meta["points"] = "two"
    elif change == "old_schema":
        cell_meta["schema_version"] = 2
    elif change == "new_schema":
        cell_meta["schema_version"] = 4
    elif change == "no_grade_id":
        del cell_meta["grade_id"]
    elif change == "extra_key":
        cell_meta["favourite"] = 1
    elif change == "grade_text":
        cell_meta["grade"] = "yes"


@pytest.mark.parametrize("change", [None, "points_text", "old_schema", "new_schema", "no_grade_id",
                                    "extra_key", "grade_text", "duplicate_id"])
def test_the_compiled_metadata_check_decides_as_nbgraders(change):
    """rnnquiz autograde's CheckCellMetadata (schema compiled once) accepts and
    refuses exactly what nbgrader's does, with the same error."""
    import copy

    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata

    from rnnquiz.model import samples
    from rnnquiz.nbgrader.open_gradebook import CheckCellMetadataCompiled
    from support import ROOT
    nb = nbformat.read(samples.solution_path("rnn_from_scratch", ROOT), as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    if change == "duplicate_id":
        graded[1].metadata.nbgrader.grade_id = graded[0].metadata.nbgrader.grade_id
    elif change:
        _corrupt(graded[0].metadata.nbgrader, change)
    outcomes = []
    for step in (CheckCellMetadata(), CheckCellMetadataCompiled()):
        try:
            step.preprocess(copy.deepcopy(nb), {})
            outcomes.append(None)
        except Exception as exc:
            outcomes.append((type(exc), str(exc)))
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] is None) == (change is None)
