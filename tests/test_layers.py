"""The engine's layers: each subpackage imports only the ones below it, so a
newcomer reads the tree from the bottom (what runs in the sandbox) to the top
(the command line), and no import points upward."""
import ast
from pathlib import Path

import rnnquiz

ENGINE = Path(rnnquiz.__file__).resolve().parent
# lowest first; ``errors`` (the one error root) may be imported by any of them
LAYERS = ["sandboxed", "model", "isolation", "grading", "outputs", "nbgrader", "classrun", "gradescope", "commands"]
SIDE_BY_SIDE = {frozenset({"classrun", "gradescope"})}  # two adapters of one level: neither imports the other


def imported_subpackages(path: Path) -> set:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + ([f"rnnquiz.{a.name}" for a in node.names] if node.module == "rnnquiz" else [])
        out |= {n.split(".")[1] for n in names if n.startswith("rnnquiz.")}
    return out


def test_every_subpackage_is_a_layer():
    packages = {p.parent.name for p in ENGINE.glob("*/__init__.py")}
    assert packages == set(LAYERS), "a new subpackage needs its place in LAYERS"


def test_no_import_points_upward():
    upward = []
    for layer in LAYERS:
        allowed = set(LAYERS[:LAYERS.index(layer)]) | {layer, "errors"}
        allowed -= {b for pair in SIDE_BY_SIDE if layer in pair for b in pair - {layer}}
        for path in sorted((ENGINE / layer).rglob("*.py")):
            for target in imported_subpackages(path) - allowed:
                upward.append(f"{path.relative_to(ENGINE)} imports rnnquiz.{target}")
    assert not upward, "\n".join(upward)


def test_the_check_fails_on_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from rnnquiz.commands import cli\n")
    assert imported_subpackages(bad) == {"commands"}
