"""rnnquiz's steps put into a course's nbgrader pipelines."""
import json


def test_our_pipelines_are_nbgrader_defaults_with_our_steps():
    from traitlets.config import Config

    from rnnquiz.nbgrader import pipelines
    c = Config()
    pipelines.apply(c)
    assert c.Autograde.sanitize_preprocessors == pipelines.SANITIZE   # what rnnquiz autograde runs
    # rnnquiz's isolated worker where stock nbgrader has Execute
    assert c.Autograde.autograde_preprocessors == [
        pipelines.GRADE_ISOLATED,
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    # scores and our messages, never the hidden test regions
    assert c.GenerateFeedback.preprocessors == [
        "nbgrader.preprocessors.GetGrades",
        pipelines.CLEAR_HIDDEN,
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    assert "nbgrader.preprocessors.ClearSolutions" not in c.GenerateAssignment.preprocessors
    assert pipelines.CLEAR_SOLUTIONS in c.GenerateAssignment.preprocessors
    # collect takes only folders that are the named student's, and follows no link
    assert c.ExchangeFactory.collect == pipelines.CHECKED_COLLECT
    from nbgrader.exchange import ExchangeFactory
    from nbgrader.exchange.default import ExchangeCollect

    from rnnquiz.nbgrader.exchange import CheckedCollect
    assert ExchangeFactory(config=c).collect is CheckedCollect and issubclass(CheckedCollect, ExchangeCollect)
    before = json.dumps(c, default=str, sort_keys=True)
    pipelines.apply(c)                                  # twice: nothing more
    assert json.dumps(c, default=str, sort_keys=True) == before


def test_a_courses_own_steps_and_settings_stay():
    from traitlets.config import Config

    from rnnquiz.nbgrader import pipelines
    c = Config()
    c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", "mycourse.Plagiarism",
                                           "nbgrader.preprocessors.SaveAutoGrades"]
    c.GenerateFeedback.preprocessors.append("mycourse.Watermark")   # a lazy `.append`
    c.ClearSolutions.code_stub = {"python": "# yours"}
    c.ExchangeFactory.collect = "mycourse.exchange.Collect"
    pipelines.apply(c)
    assert c.Autograde.autograde_preprocessors == [pipelines.GRADE_ISOLATED, "mycourse.Plagiarism",
                                                   "nbgrader.preprocessors.SaveAutoGrades"]
    assert "mycourse.Watermark" in c.GenerateFeedback.preprocessors
    assert pipelines.CLEAR_HIDDEN in c.GenerateFeedback.preprocessors
    assert c.ClearSolutions.code_stub == {"python": "# yours"}
    assert c.ExchangeFactory.collect == "mycourse.exchange.Collect"
