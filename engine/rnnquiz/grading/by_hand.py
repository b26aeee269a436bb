"""Run an assignment's graders by hand, with plain pytest:

    pytest autograders/rnn_from_scratch --submission NOTEBOOK [--student ID]

Registered as a pytest plugin (entry point ``rnnquiz``); without
``--submission`` it only declares the graders' markers.
"""


def pytest_addoption(parser):
    group = parser.getgroup("rnnquiz")
    group.addoption("--submission", default=None, help="notebook to grade with these graders")
    group.addoption("--student", default="student", help="student id that seeds the variants")


def pytest_configure(config):
    for line in ("question(name): the question a grader file scores", "points(n): points the test is worth",
                 "public: a check students may run before submitting (rnnquiz check)"):
        config.addinivalue_line("markers", line)
    path = config.getoption("--submission", default=None)
    if not path:
        return
    # public/ and hidden/ hold files of the same names (one per question):
    # imported by path, as rnnquiz itself runs them
    config.option.importmode = "importlib"
    from rnnquiz.grading import catalogue
    from rnnquiz.grading.plugin import GradingPlugin, Job
    from rnnquiz.grading.session import resolve
    from rnnquiz.isolation.limits import Limits
    from rnnquiz.isolation.pool import Pool
    from rnnquiz.model.content import course_catalog
    from rnnquiz.model.notebook import read

    assignment = resolve(path, course_catalog())
    sub = read(path, assignment)
    pool = Pool().launch()
    config.add_cleanup(pool.close)
    job = Job(key="submission", student_id=config.getoption("--student"), lang=assignment.lang,
              cells=sub.cells, mistakes=assignment.mistakes, packages=assignment.packages,
              catalogues=catalogue.load(assignment.folder))
    config.pluginmanager.register(GradingPlugin([job], pool, Limits(), reports=True), "rnnquiz-grading")
