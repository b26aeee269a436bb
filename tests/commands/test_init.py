"""`rnnquiz init` of a new course says where its exchange is."""
from rnnquiz.commands.init import NBGRADER_EXCHANGE, init
from rnnquiz.nbgrader.course import course_directory
from support import ROOT


def test_a_new_course_without_an_exchange_is_told_so_and_gets_a_line_to_fill(tmp_path):
    report = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT)
    said = "\n".join(report.lines())
    assert "exchange   not set" in said and NBGRADER_EXCHANGE in said
    config = (tmp_path / "ml101" / "nbgrader_config.py").read_text()
    assert '# c.Exchange.root = "/path/to/exchange"' in config
    assert "root" not in course_directory(tmp_path / "ml101").config.get("Exchange", {})


def test_an_exchange_given_is_written_where_nbgrader_reads_it(tmp_path):
    report = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "exchange")
    assert f"exchange   {tmp_path / 'exchange'}" in report.lines()
    assert course_directory(tmp_path / "ml101").config.Exchange.root == str(tmp_path / "exchange")
    again = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "other")
    assert (tmp_path / "ml101" / "nbgrader_config.py").read_text().count("c.Exchange.root") == 1
    assert course_directory(tmp_path / "ml101").config.Exchange.root == str(tmp_path / "exchange")  # kept
    assert any(line.startswith(f"exchange   {tmp_path / 'exchange'} as nbgrader_config.py already sets it")
               for line in again.lines())
