"""A submission's time limit is one clock across all its workers: the worker
of a question restricted to NumPy replays the cells within what is left, not
within a limit of its own.  (14 cells of ``time.sleep(9)`` held a grading
process for 241 s: 120 s in each worker.)  A fake clock and fake workers:
each cell takes 9 s of it."""
from rnnquiz.grading import student as student_module
from rnnquiz.grading.plugin import GradingPlugin, Job
from rnnquiz.isolation.limits import Limits

SLEEP, CELLS = 9.0, 14


class Clock:
    now = 1000.0

    def monotonic(self):
        return self.now


class Worker:
    def __init__(self, pool):
        self.pool, self.alive, self.todo = pool, True, []

    def send(self, message, timeout):
        self.todo = [index for index, _source in message["cells"]]

    def reply(self, timeout):
        self.pool.clock.now += SLEEP
        self.pool.cells_run[self.pool.name] += 1
        return {"index": self.todo.pop(0)}

    def kill(self):
        self.alive = False


class Pool:
    def __init__(self, clock, cells_run, name="main"):
        self.clock, self.cells_run, self.name = clock, cells_run, name
        cells_run[name] = 0

    def spawn(self):
        return Worker(self)

    def for_packages(self, packages):
        return Pool(self.clock, self.cells_run, "+".join(packages))


def test_a_restricted_worker_gets_what_is_left_of_the_submissions_time(monkeypatch):
    clock, cells_run = Clock(), {}
    monkeypatch.setattr(student_module.time, "monotonic", clock.monotonic)
    limits = Limits(call_timeout=60.0, submission_timeout=120.0)
    cells = [(i, None, "import time; time.sleep(9)") for i in range(CELLS)]
    job = Job(key="s0", student_id="s", lang="en", cells=cells, mistakes={}, packages={"numpy_rnn": ("numpy",)})
    plugin = GradingPlugin([job], Pool(clock, cells_run), limits)
    start = clock.now
    plugin._runner("s0", None)          # the submission's cells, as graded
    plugin._runner("s0", ("numpy",))    # a NumPy-only question's worker
    assert cells_run["numpy"] == 0, cells_run  # nothing left of the submission's 120 s to replay them in
    assert clock.now - start <= limits.submission_timeout + SLEEP
