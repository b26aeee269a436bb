"""The notebooks' figures: present, valid, described, and every mention of a figure points at one."""
import base64
import importlib.util
import io
import json
import re
import sys

import pytest
from PIL import Image

from support import CATALOG, ROOT

_spec = importlib.util.spec_from_file_location("figures_script", ROOT / "scripts" / "figures.py")
figures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = figures  # dataclasses look their module up there
_spec.loader.exec_module(figures)

NOTEBOOKS = [p for folder in ("source", "assignments", "solutions") for p in sorted((ROOT / folder).glob("*/*.ipynb"))]
IMAGE = re.compile(r"!\[([^\]]*)\]\(attachment:([^)\s]+)\)")
# "figura", "figuras", "figure", "figures", "figure's", with the numbers that follow ("Figuras 3 e 4")
MENTION = re.compile(r"\bfigur(?:as?|es?|e's)\b((?:\s*(?:,|e|and|-|–)?\s*\d+)*)", re.I)
CAPTION = re.compile(r"^\*(Figura|Figure) (\d+)\.", re.M)
MAX_BYTES = 60 * 1024


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _shows_image(cell) -> bool:
    return cell["cell_type"] == "markdown" and bool(cell.get("attachments")) and bool(IMAGE.search(_source(cell)))


def figure_numbers(cells) -> list:
    """The numbers of the figures a notebook shows, from their captions, in order."""
    return [int(m.group(2)) for c in cells if _shows_image(c) for m in CAPTION.finditer(_source(c))]


def dangling_mentions(cells) -> list:
    """Mentions of a figure that is not there: a numbered one ("Figura 3") whose number no caption
    has, or an unnumbered one ("the figure") in a cell with no image before, in or after it."""
    shown = set(figure_numbers(cells))
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        near = any(_shows_image(c) for c in cells[max(i - 1, 0):i + 2])
        for m in MENTION.finditer(_source(cell)):
            numbers = {int(n) for n in re.findall(r"\d+", m.group(1))}
            if numbers - shown or (not numbers and not near):
                problems.append(f"cell {i} ({cell.get('id')}): {m.group(0).strip()!r}")
    return problems


def _base_and_lang(path):
    a = CATALOG.get(path.parent.name)
    return a.base, a.lang


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_is_there_valid_small_and_described(path):
    base, lang = _base_and_lang(path)
    cells = _cells(path)
    expected = [f"{p.figure}.png" for p in figures.PLACES.get(base, [])]
    shown = []
    for cell in cells:
        attachments = cell.get("attachments") or {}
        links = IMAGE.findall(_source(cell))
        if cell["cell_type"] != "markdown":
            assert not attachments, cell.get("id")
            continue
        assert sorted(attachments) == sorted(name for _alt, name in links), \
            f"{cell.get('id')}: every attachment is shown and every image is attached"
        for alt, name in links:
            # the alt text says what the figure shows, not a file name
            assert len(alt.split()) >= 12 and ".png" not in alt.lower(), (cell.get("id"), alt)
            assert list(attachments[name]) == ["image/png"]
            data = base64.b64decode(attachments[name]["image/png"], validate=True)
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < MAX_BYTES, (name, len(data))
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                assert image.format == "PNG" and 400 <= image.width <= 1000 and image.height >= 200, name
            shown.append(name)
    assert shown == expected, "run `.venv/bin/python scripts/figures.py`"
    # captions numbered 1, 2, ... in the order shown, in the notebook's language
    assert figure_numbers(cells) == list(range(1, len(expected) + 1))
    words = {m.group(1) for c in cells if _shows_image(c) for m in CAPTION.finditer(_source(c))}
    assert words <= {figures.WORD[lang]}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_text_mentions_a_figure_that_is_not_there(path):
    assert dangling_mentions(_cells(path)) == []


@pytest.mark.parametrize("folder", ["source", "assignments", "solutions"])
def test_twins_show_the_same_figures_in_the_same_places(folder):
    for twins in CATALOG.bases().values():
        layouts = {tuple((i, tuple(sorted(c.get("attachments", {})))) for i, c in
                         enumerate(_cells(ROOT / folder / a.id / f"{a.id}.ipynb")) if c.get("attachments"))
                   for a in twins}
        assert len(layouts) == 1, [a.id for a in twins]


def _md(text, image=False):
    cell = {"cell_type": "markdown", "metadata": {}, "source": text}
    if image:
        cell["attachments"] = {"f.png": {"image/png": ""}}
    return cell


FIG = "![A diagram of the network](attachment:f.png)\n\n*Figure 1. The network.*"


@pytest.mark.parametrize("cells, dangling", [
    ([_md("The network in the course figure has 28 parameters.")], 1),     # main before the figures
    ([_md("Figure 2 shows it."), _md(FIG, image=True)], 1),                 # no Figure 2
    ([_md("Figures 1 and 2 show it."), _md(FIG, image=True)], 1),
    ([_md("The figure below shows it."), _md(FIG, image=True)], 0),
    ([_md("The figure shows it."), _md("Text."), _md(FIG, image=True)], 1),  # two cells away, unnumbered
    ([_md("Figure 1 shows it."), _md("Text."), _md(FIG, image=True)], 0),
    ([_md("A figura do curso conta 28."), _md("Figura 1 existe?")], 2),
    ([_md("A Figura 1 mostra a rede."), _md(FIG, image=True)], 0),
])
def test_the_mention_rule(cells, dangling):
    assert len(dangling_mentions(cells)) == dangling


def test_drawing_is_deterministic():
    for name in ("mlp_vs_rnn", "gradient_norms"):
        assert figures.png(name, "pt") == figures.png(name, "pt"), name
