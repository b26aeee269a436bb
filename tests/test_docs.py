"""The documentation site: it builds with warnings as errors, loads nothing from
the network, and its command examples are commands the real command line takes."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from rnnquiz.commands import cli
from support import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def examples(path: Path) -> list:
    """The command lines of a page's shell code blocks (```sh or untagged), without comments."""
    found = []
    for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
        if lang not in ("sh", ""):
            continue
        for line in body.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()  # a trailing comment
            line = re.sub(r"^(?:[A-Z_]+=\S+\s+)+", "", line)  # an environment given to the command
            if line and not line.startswith("#"):
                found.append(line)
    return found


def all_examples() -> list:
    return [(path.name, line) for path in [ROOT / "README.md", *DOCS] for line in examples(path)]


def commands() -> dict:
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_the_site_builds_with_warnings_as_errors_and_loads_nothing_from_the_network(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    pages = sorted(site.glob("*.html"))
    assert {p.stem for p in pages} >= {p.stem for p in DOCS}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # no web font, no remote script or style sheet: the site works offline, from the file system
        remote = re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=\"(?:https?:)?//[^\"]+\"", html)
        assert not remote, (page.name, remote)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page.name


@pytest.mark.parametrize("page, line", [x for x in all_examples() if re.match(r"(\S*/)?rnnquiz ", x[1])],
                         ids=lambda x: str(x)[:60])
def test_every_rnnquiz_example_is_taken_by_the_command_line(page, line):
    words = shlex.split(line)[1:]
    try:
        cli.parser().parse_args(words)
    except SystemExit as exc:
        pytest.fail(f"{page}: `{line}` is refused by rnnquiz's command line (exit {exc.code})")


def test_every_command_has_an_example_and_every_option_is_in_the_reference():
    shown = {shlex.split(line)[1] for _page, line in all_examples() if re.match(r"(\S*/)?rnnquiz \w", line)}
    assert set(commands()) <= shown, set(commands()) - shown
    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for name, sub in commands().items():
        assert f"## `rnnquiz {name}`" in reference, name
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in reference, (name, option)


def test_nbgrader_and_make_examples_name_real_commands():
    from nbgrader.apps import NbGraderApp
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    for page, line in all_examples():
        words = shlex.split(line)
        if words[0] == "nbgrader":
            assert words[1] in NbGraderApp.subcommands, (page, line)
        elif words[0] == "make":
            assert all(w in targets or "=" in w for w in words[1:]), (page, line)


def test_the_readme_is_short_and_keeps_its_two_set_up_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 80
    first = examples(ROOT / "README.md")
    assert first[:2] == ["make demo", "make test"]
    # CI runs exactly the README's test command
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
    for page in DOCS:  # every page is reachable from the README or the site's home page
        assert page.name in readme or page.name in (ROOT / "docs" / "index.md").read_text() or \
            page.name == "index.md", page.name
