"""`rnnquiz autograde` imports nbgrader's modules without nbgrader's Jupyter server
extensions and jsonschema without the packages only its format checker uses
(rfc3987's parsers among them), and they still work."""
import json
import os
import subprocess
import sys

# in a fresh interpreter, as `rnnquiz autograde` starts: what the class run imports, then a gradebook
LEAN = r'''
import json, sys
from rnnquiz.nbgrader.lean_import import lean
done = lean()
import rnnquiz.commands.autograde, rnnquiz.classrun, rnnquiz.nbgrader.course, rnnquiz.nbgrader.open_gradebook
import rnnquiz.nbgrader.outcomes, rnnquiz.nbgrader.steps
from rnnquiz.nbgrader.pipelines import *  # noqa
import nbgrader.converters, nbgrader.preprocessors, nbformat
from nbgrader.api import Gradebook
with Gradebook("sqlite:///" + sys.argv[1]) as gb:
    gb.add_student("ana")
    students = [s.id for s in gb.students]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
nbformat.validate(nb)
import importlib.metadata, nbgrader
SERVER = ("jupyter_server", "nbgrader.server_extensions", "nbgrader.exchange", "nbgrader.apps")
print(json.dumps({"lean": done, "students": students, "loaded": sorted(m for m in SERVER if m in sys.modules),
    "rfc3987_syntax": repr(sys.modules.get("rfc3987_syntax", "absent")),
    "format_only": sorted(m for m in ("rfc3986_validator", "rfc3339_validator", "isoduration", "fqdn", "webcolors",
                                      "uri_template", "arrow") if sys.modules.get(m) is not None),
    "version": nbgrader.__version__ == importlib.metadata.version("nbgrader")}))
'''


def run(code: str, *args) -> dict:
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")  # nbgrader calls alembic
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_class_run_imports_no_server_extension_and_its_gradebook_works(tmp_path):
    out = run(LEAN, str(tmp_path / "gradebook.db"))
    assert out == {"lean": True, "students": ["ana"], "loaded": [], "rfc3987_syntax": "None", "format_only": [],
                   "version": True}


def test_a_process_that_imported_nbgrader_already_is_left_as_it_is():
    out = run("import json, sys, nbgrader\nfrom rnnquiz.nbgrader.lean_import import lean\n"
              "print(json.dumps([lean(), 'nbgrader.server_extensions' in sys.modules, "
              "'rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is None]))")
    assert out == [False, True, False]
