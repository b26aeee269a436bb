"""Run the hidden graders by hand with plain pytest against one submission:

    pytest autograders/graders/rnn_from_scratch --submission NOTEBOOK [--student ID]

rnnquiz itself registers its plugin directly; without --submission this file
does nothing.
"""


def pytest_addoption(parser):
    group = parser.getgroup("rnnquiz")
    group.addoption("--submission", default=None, help="notebook to grade with these graders")
    group.addoption("--student", default="student", help="student id that seeds the variants")


def pytest_configure(config):
    path = config.getoption("--submission", default=None)
    if not path:
        return
    from rnnquiz import notebook
    from rnnquiz.plugin import GradingPlugin, Job
    from rnnquiz.sandbox import Limits
    from rnnquiz.session import Pool

    sub = notebook.read(path)
    pool = Pool().launch()
    config.add_cleanup(pool.close)
    job = Job(key="submission", student_id=config.getoption("--student"), lang=sub.assignment.lang,
              cells=sub.cells)
    config.pluginmanager.register(GradingPlugin([job], pool, Limits()), "rnnquiz-grading")
