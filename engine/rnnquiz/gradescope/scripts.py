"""The two scripts at the root of a Gradescope autograder zip, as templates.

``setup.sh`` runs once, when Gradescope builds the autograder's image;
``run_autograder`` for every submission.  ``rnnquiz gradescope`` fills in the
``@NAME@`` markers (see ``render``); the grading itself is Python
(``rnnquiz.gradescope.run_autograder``), so that it is tested as such.
"""
from __future__ import annotations

import re

VENV = "/opt/rnnquiz"  # outside /autograder/source: student code, under other uids, imports NumPy and torch from it
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"  # PyTorch's index of CPU builds

SETUP_SH = r"""#!/usr/bin/env bash
# Made by `rnnquiz gradescope @ASSIGNMENT@`. Gradescope runs it once, as root,
# when it builds the autograder's image: it installs rnnquiz for run_autograder
# in a virtualenv outside /autograder/source that every user may read (student
# code runs under a uid of its own and imports NumPy and torch from it), with
# the CPU build of torch==@TORCH@ and the versions pinned in constraints.txt:
# the same environment every time.
set -euo pipefail

PYTHON_VERSION=@PYTHON@  # the Python the pins in constraints.txt were made with
TORCH_VERSION=@TORCH@
WHEEL=@WHEEL@
VENV=${RNNQUIZ_VENV:-@VENV@}
BIN_DIR=${RNNQUIZ_BIN_DIR:-/usr/local/bin}
TORCH_INDEX=${RNNQUIZ_TORCH_INDEX:-@TORCH_INDEX@}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
umask 022

say() { printf 'rnnquiz setup: %s\n' "$*"; }

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; }
}

# Python: the version the pins were made with (Ubuntu's archive has several),
# else the image's own python3, with a warning
PYTHON=$(command -v "python$PYTHON_VERSION" || true)
if [ -z "$PYTHON" ]; then
    apt_install "python$PYTHON_VERSION" "python$PYTHON_VERSION-venv" || true
    PYTHON=$(command -v "python$PYTHON_VERSION" || command -v python3 || true)
fi
if [ -z "$PYTHON" ]; then
    say "no Python found; choose a Gradescope base image with Python $PYTHON_VERSION" >&2
    exit 1
fi
FOUND=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$FOUND" != "$PYTHON_VERSION" ]; then
    say "WARNING: Python $FOUND here, the pins were made with $PYTHON_VERSION; if pip cannot install them," \
        "build the zip with Python $FOUND or choose a base image with Python $PYTHON_VERSION" >&2
fi
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install "python$FOUND-venv" || apt_install python3-venv
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
# torch alone first, from PyTorch's CPU index only and without its dependencies:
# never the CUDA build (the default index's torch), never its nvidia-* packages
"${PIP[@]}" install --no-deps --index-url "$TORCH_INDEX" --constraint "$HERE/constraints.txt" "torch==$TORCH_VERSION"
# then rnnquiz and every dependency (torch's included), at the versions pinned
"${PIP[@]}" install --constraint "$HERE/constraints.txt" "$HERE/$WHEEL"
"$VENV/bin/python" -c 'import sys, torch; sys.exit(torch.version.cuda and "rnnquiz setup: not the CPU build of torch")'
chmod -R a+rX "$VENV"
mkdir -p "$BIN_DIR"
ln -sf "$VENV/bin/rnnquiz" "$BIN_DIR/rnnquiz"
chmod 755 "$HERE/run_autograder"
say "installed in $VENV: $("$VENV/bin/python" -c 'from importlib.metadata import version as v
print("rnnquiz", v("rnnquiz"), "torch", v("torch"), "numpy", v("numpy"))')"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Made by `rnnquiz gradescope @ASSIGNMENT@`. Gradescope runs it for every
# submission, as root, in a fresh container. The grading is rnnquiz's
# (rnnquiz.gradescope.run_autograder: it protects the grader's files, finds the
# notebook, grades it as @ASSIGNMENT@); this script starts it and makes sure
# results.json exists whatever happens.
set -u
VENV=${RNNQUIZ_VENV:-@VENV@}
RESULTS=/autograder/results/results.json

mkdir -p /autograder/results
rm -f "$RESULTS"
"$VENV/bin/python" -I -m rnnquiz.gradescope.run_autograder /autograder
status=$?
if [ ! -s "$RESULTS" ]; then
    echo "rnnquiz: the grader ended (exit $status) without writing results.json: every question scores 0"
    cat >"$RESULTS" <<'RESULTS_JSON'
@FALLBACK@
RESULTS_JSON
fi
exit 0
"""


def render(template: str, **values) -> str:
    """``template`` with each ``@NAME@`` replaced by ``values[name]``."""
    for name, value in values.items():
        template = template.replace(f"@{name.upper()}@", str(value))
    left = re.findall(r"@[A-Z_]+@", template)
    if left:
        raise ValueError(f"markers left unfilled: {left}")
    return template
