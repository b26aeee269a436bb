"""The engine's layers (``rnnquiz/__init__.py``, docs/architecture.md): each
subpackage imports only ``errors`` and the layers before it, never one after
it, nor a sibling (the nbgrader and Gradescope adapters know nothing of each
other).  Imports inside functions count too."""
import ast

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from support import ROOT

ENGINE = ROOT / "engine" / "rnnquiz"
# in order; a tuple holds siblings, which import neither each other nor what comes after them
LAYERS = ["sandboxed", "model", "isolation", "grading", "outputs", ("nbgrader", "gradescope"), "classrun", "commands"]
RANK = {name: rank for rank, layer in enumerate(LAYERS)
        for name in (layer if isinstance(layer, tuple) else (layer,))}
ROOT_MODULES = {"errors"}  # importable from every layer


def imported(path) -> set:
    """The subpackage or top-level module of every ``rnnquiz.X`` a module imports."""
    package = ["rnnquiz", *path.relative_to(ENGINE).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            # relative: from the module's own package, ``level`` folders up
            parts = package[:len(package) - node.level + 1] if node.level else []
            base = ".".join(parts + ([node.module] if node.module else []))
            names = [f"{base}.{a.name}" for a in node.names] if base == "rnnquiz" else [base]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("rnnquiz.")}
    return found


def test_every_subpackage_is_a_layer():
    packages = {p.parent.name for p in ENGINE.glob("*/__init__.py")}
    assert packages == set(RANK), f"add {sorted(packages - set(RANK))} to LAYERS (and to rnnquiz/__init__.py)"


def test_every_subpackage_is_in_the_wheel():
    """pyproject.toml lists the packages one by one: a new one left out is missing
    from the wheel (and from Gradescope's autograder, which installs it)."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    assert {f"rnnquiz.{name}" for name in RANK} <= listed, sorted({f"rnnquiz.{name}" for name in RANK} - listed)


def test_every_assignment_public_part_is_in_the_wheel():
    """Each assignment's folder (its assignment.toml as data) and its public/ checks are
    listed packages; its hidden/ graders and mistakes/ are not (never in the wheel)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    content = ROOT / setuptools["package-dir"]["rnnquiz_public"]
    bases = sorted(p.parent.name for p in content.glob("*/assignment.toml"))
    assert bases
    public = {f"rnnquiz_public.{base}{sub}" for base in bases for sub in ("", ".public")}
    listed = {p for p in setuptools["packages"] if p.startswith("rnnquiz_public.")}
    assert public <= listed, f"add {sorted(public - listed)} to packages in pyproject.toml"
    assert listed <= public, f"not an assignment's folder or its public/ checks: {sorted(listed - public)}"
    unlisted = [b for b in bases if setuptools["package-data"].get(f"rnnquiz_public.{b}") != ["assignment.toml"]]
    assert not unlisted, f'add "rnnquiz_public.<name>" = ["assignment.toml"] to package-data for {unlisted}'
    # an assignment's folder is a package of the wheel: a module beside assignment.toml
    # (a conftest.py, a helper) would reach every student
    shipped = sorted(str(p.relative_to(ROOT)) for base in bases for p in (content / base).glob("*.py"))
    assert not shipped, f"move {shipped} into hidden/ (or public/ if students may have it)"


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*/**/*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_no_import_points_upward_or_sideways(path):
    layer = path.relative_to(ENGINE).parts[0]
    for name in imported(path) - ROOT_MODULES - {layer}:
        assert name in RANK, f"{path.relative_to(ROOT)} imports rnnquiz.{name}, which no layer may import"
        assert RANK[name] < RANK[layer], \
            f"{path.relative_to(ROOT)} ({layer}) imports rnnquiz.{name}, a layer after it or beside it"


def test_the_readme_tree_names_every_layer_in_order():
    """The README's architecture tree is how a newcomer finds the layers: it
    names each subpackage once, lowest first, and the adapters' key modules exist."""
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme[readme.index("engine/rnnquiz/\n"):]
    tree = tree[:tree.index("```")]
    named = re.findall(r"^  (\w+)/ ", tree, re.M)
    flat = [name for layer in LAYERS for name in (layer if isinstance(layer, tuple) else (layer,))]
    assert sorted(named) == sorted(flat), named
    assert all(RANK[a] <= RANK[b] for a, b in zip(named, named[1:])), named
    where = ""
    for line in tree.splitlines():  # each module a line names lives in that line's layer
        layer = re.match(r"^  (\w+)/ ", line)
        where = layer.group(1) if layer else where
        for module in re.findall(r"\b(\w+\.py)\b", line):
            assert (ENGINE / where / module).is_file(), (where, module)
