"""How a class is cut into batches for the grading processes."""

import pytest


@pytest.mark.parametrize("jobs", [1, 2, 4])
@pytest.mark.parametrize("n", [1, 2, 7, 60, 200, 1000])
def test_class_batches_keep_order_and_shrink_towards_the_end(n, jobs):
    from rnnquiz.classrun.batches import BATCH, split
    items = [(f"s{i:04d}", "nb", None) for i in range(n)]
    batches = split(items, jobs)
    assert [i for b in batches for i in b] == items
    sizes = [len(b) for b in batches]
    assert max(sizes) <= BATCH[1] + BATCH[0] and all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1]))
    if jobs > 1 and n >= 2 * jobs * BATCH[0]:
        assert len(batches) >= 2 * jobs and sizes[-2] <= BATCH[0]  # the last ones small: processes end together


@pytest.mark.parametrize("notebooks", [2, 3])
def test_a_student_s_notebooks_stay_in_one_batch(notebooks):
    """Their autograded folder is written at once (a later batch would replace it)."""
    from rnnquiz.classrun.batches import split
    items = [(f"s{s:03d}", f"nb{k}", None) for s in range(97) for k in range(notebooks)]
    batches = split(items, 2)
    assert [i for b in batches for i in b] == items
    where = {}
    for n, batch in enumerate(batches):
        for student, _nb, _a in batch:
            assert where.setdefault(student, n) == n
