"""``rnnquiz gradescope-try ZIP SUBMISSION``: an autograder zip tried locally
before it is uploaded (``rnnquiz.gradescope.local_try``), and what it wrote
shown as the instructor wants to read it."""
from __future__ import annotations

import json
from pathlib import Path

from rnnquiz.gradescope.local_try import Tried, try_zip


def gradescope_try(zip_path: Path, submission: Path, student_id: str = "1", output: Path | None = None) -> Tried:
    """Try the zip on ``submission``; print its Autograder Output and its results.json
    (written to ``output`` too, when given)."""
    tried = try_zip(zip_path, submission, student_id=student_id,
                    progress=lambda line: print(f"gradescope-try: {line}", flush=True))
    print("--- the Autograder Output (what run_autograder printed; only instructors see it) ---")
    print(tried.output.rstrip())
    print("---")
    print(render(tried))
    if output:
        Path(output).write_text(json.dumps(tried.results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"results.json written to {output}")
    return tried


def render(tried: Tried) -> str:
    """results.json as the instructor wants to read it: the score, the summary, one line per test."""
    data = tried.results
    tests = data.get("tests") or []
    most = sum(t.get("max_score") or 0 for t in tests)
    width = max([len(str(t.get("name", ""))) for t in tests] + [4])
    lines = [f"results.json: score {data.get('score', 0):g}" + (f" of {most:g}" if tests else ""),
             "", "summary (above the tests, seen by the student):"]
    lines += [f"  {line}" for line in str(data.get("output", "")).splitlines()]
    lines += ["", f"tests ({len(tests)}):"]
    for t in tests:
        shown = t.get("visibility", "visible")
        lines.append(f"  {t.get('number', ''):>2} {t.get('name', ''):<{width}} {t.get('score', 0):g}/"
                     f"{t.get('max_score', 0):g}  {t.get('status', '')}  (visibility: {shown})")
        lines += [f"       {line}" for line in str(t.get("output", "")).splitlines()]
    return "\n".join(lines)
