"""How a class's submissions are split between the grading processes."""
from __future__ import annotations

import itertools

BATCH = (4, 32)  # submissions per task (one pytest session each, in a warm process): smallest, largest


def split(items: list, jobs: int) -> list:
    """Batches, largest first: a batch is one pytest session (its start paid
    once), and batches shrink towards the end so that the grading processes
    finish together and the last batch left to write is small.  A student's
    notebooks stay in one batch: their autograded folder is written at once."""
    students = [list(group) for _student, group in itertools.groupby(items, key=lambda item: item[0])]
    smallest = min(BATCH[0], -(-len(items) // jobs))  # a tiny class still keeps every process busy
    batches, i, left = [], 0, len(items)
    while i < len(students):
        size = max(smallest, min(BATCH[1], -(-left // (2 * jobs))))
        if left - size < smallest:
            size = left
        batch = []
        while i < len(students) and len(batch) < size:
            batch += students[i]
            i += 1
        batches.append(batch)
        left -= len(batch)
    return batches
