"""The registry of output formats, and the writer of a class's files.

A ``Format`` has up to three renderers: ``one`` (a submission, as text),
``each`` (a submission's own file in a class) and ``whole`` (files for the
whole class, from every result), and names the files of the class folder the
terminal lists (``shown``).  Each renderer is contained: one that fails
costs its own file (and says so), never a grade.  The renderers themselves
are modules of their own (``text``, ``gradescope_json``, ``grades_csv``,
``report``, ``html_report``): a new format is one module and one entry here.

A class may be graded in parts (shards by ``--student`` on several machines,
a regrade of one student): every submission's results are kept as a record
(``results/<student>.json``), and the class's files are drawn from every
record in the folder, this run's replacing older ones of the same student, so
that the last part to finish writes the report of the whole class and no
part's rows are lost.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.model.messages import clip
from rnnquiz.model.results import Results
from rnnquiz.outputs import grades_csv, gradescope_json, text


@dataclass(frozen=True)
class Shown:
    """Files of the class folder the terminal names after a class run: a glob
    pattern, each match named (sorted); in a folder (``folder/pattern``), the
    folder named with its count of matches.  ``rank``: the ones to open first
    come first."""
    pattern: str
    rank: int


@dataclass(frozen=True)
class Format:
    name: str
    help: str
    one: Callable[[Results], str] | None = None            # a submission, as text
    each: Callable[[Results, bool], tuple] | None = None   # (file in the class folder, text); bool: several notebooks
    whole: Callable[[list, Path, dict], None] | None = None  # (results, class folder, mistakes' texts)
    shown: tuple = ()                                      # Shown: what the terminal names of what it wrote


def _file_name(result: Results, several: bool) -> str:
    return f"{result.student}.{Path(result.notebook).stem}" if several else result.student


def _gradescope_file(result: Results, several: bool) -> tuple:
    return f"gradescope/{_file_name(result, several)}.json", gradescope_json.render(result) + "\n"


def _record_file(result: Results, several: bool) -> tuple:
    return f"{RECORDS}/{_file_name(result, several)}.json", json.dumps(result.to_record(), ensure_ascii=False) + "\n"


def _grades_csv(results: list, out: Path, _mistakes: dict):
    (out / "grades.csv").write_text(grades_csv.render(results), encoding="utf-8")


def _report(results: list, out: Path, mistakes: dict):
    from rnnquiz.outputs.report import class_report  # matplotlib: only when drawn
    class_report(results, out, mistakes)


def _html(results: list, out: Path, mistakes: dict):
    from rnnquiz.outputs.html_report import write
    write(results, out, mistakes)


RECORDS = "results"  # the folder of a class's records, one per submission

FORMATS = {f.name: f for f in (
    Format("record", "each submission's results, kept so a class graded in parts is reported whole",
           each=_record_file),
    Format("text", "a summary to read", one=text.render),
    Format("gradescope", "Gradescope's results.json", one=gradescope_json.render, each=_gradescope_file,
           shown=(Shown("gradescope/*.json", 5),)),
    Format("csv", "one row per submission (grades.csv's columns: its score, each question's score, "
                  "mistakes named and quiz letter)", one=lambda r: grades_csv.render([r]), whole=_grades_csv,
           shown=(Shown("grades.csv", 3),)),
    Format("report", "the class report: report.md and report.png", whole=_report,
           shown=(Shown("report.md", 2), Shown("report*.png", 4))),
    Format("html", "the class report as one page to open in a browser: report.html", whole=_html,
           shown=(Shown("report.html", 1),)),
)}


def one_formats() -> list:
    return [name for name, f in FORMATS.items() if f.one]


class ClassFiles:
    """``reports/<assignment>/`` of a class run: each submission's own files as
    its batch comes in, then the files of the whole class."""

    def __init__(self, out: Path, several: bool = False, formats: list | None = None):
        self.out, self.several = out, several  # several: an assignment of several notebooks
        self.formats = [FORMATS[name] for name in formats or FORMATS]
        self.out.mkdir(parents=True, exist_ok=True)
        self.results: list = []

    def add(self, results: list):
        for r in results:
            self.results.append(r)
            for fmt in self.formats:
                if fmt.each is None:
                    continue
                try:
                    name, body = fmt.each(r, self.several)
                    path = self.out / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    # whole or not at all: another shard may be reading the folder
                    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                    partial.write_text(body, encoding="utf-8")
                    os.replace(partial, path)
                except (OSError, ValueError) as exc:  # that student's file only
                    r.error = r.error or f"{r.student}: its {fmt.name} file could not be written ({type(exc).__name__})"

    def finish(self, mistakes: dict) -> Path:
        # one run at a time draws the class's files (another shard may be finishing)
        with open(self.out / ".lock", "w") as lock:
            import fcntl  # POSIX: class reports are an instructor's, never a student's self-check
            fcntl.flock(lock, fcntl.LOCK_EX)
            results = self.whole_class()
            for fmt in self.formats:
                if fmt.whole is None:
                    continue
                try:
                    fmt.whole(results, self.out, mistakes)
                except Exception as exc:  # a summary: the grades are already written
                    print(f"rnnquiz: the class's {fmt.name} could not be written ({type(exc).__name__}: {clip(exc)})",
                          file=sys.stderr)
        return self.out

    def whole_class(self) -> list:
        """This run's results and the records of earlier runs and other shards,
        one per submission (this run's win), in student order."""
        def key(r):  # the notebook's name: another machine may mount the course elsewhere
            return r.student, Path(r.notebook).name
        mine = {key(r): r for r in self.results}
        folder = self.out / RECORDS
        kept = {}
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                r = Results.from_record(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                print(f"rnnquiz: {path} is not a record rnnquiz wrote ({type(exc).__name__}); "
                      "the class's report leaves it out: grade that student again, or delete the file",
                      file=sys.stderr)
                continue
            kept[key(r)] = r
        kept.update(mine)
        return sorted(kept.values(), key=lambda r: (r.student, r.notebook))
